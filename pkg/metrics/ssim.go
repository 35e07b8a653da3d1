package metrics

import (
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// SSIM parameters of Wang, Bovik, Sheikh & Simoncelli (2004), "Image
// quality assessment: from error visibility to structural similarity".
const (
	// SSIMWindow is the side of the Gaussian window.
	SSIMWindow = 11
	// SSIMSigma is the standard deviation of the Gaussian window in pixels.
	SSIMSigma = 1.5
	// SSIMK1 and SSIMK2 set the stabilizing constants
	// C1 = (K1·L)² and C2 = (K2·L)² with L = PeakValue.
	SSIMK1 = 0.01
	SSIMK2 = 0.03
)

// ssimKernel returns the normalized 1-D Gaussian of SSIMWindow taps; the
// 2-D window is its outer product (which equals the normalized 2-D
// Gaussian, as MATLAB's fspecial('gaussian', 11, 1.5)).
func ssimKernel() [SSIMWindow]float64 {
	var k [SSIMWindow]float64
	var sum float64
	const r = SSIMWindow / 2
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * SSIMSigma * SSIMSigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return k
}

// SSIM returns the mean structural similarity index between a and b as
// defined by Wang et al. (2004) and their reference MATLAB code: an 11×11
// Gaussian window (σ = 1.5), K1 = 0.01, K2 = 0.03, L = 2^depth − 1 (255 for
// 8-bit images), Gaussian-weighted
// population (not sample) means, variances and covariance, and the mean of
// the SSIM map over the valid windows only (no padding), i.e. over the
// (H−10)×(W−10) windows that lie entirely inside the image. This equals
// scikit-image's structural_similarity(gaussian_weights=True, sigma=1.5,
// use_sample_covariance=False, data_range=255), which crops 5 pixels on
// each side before averaging. SSIM(x, x) = 1.
//
// Images smaller than SSIMWindow pixels in either dimension are an error.
// The Gaussian filtering is separable and runs on float64 planes.
func SSIM(a, b *imageio.Gray) (float64, error) {
	if err := checkPair("first", a, "second", b); err != nil {
		return 0, err
	}
	if a.Width < SSIMWindow || a.Height < SSIMWindow {
		return 0, fmt.Errorf("metrics: SSIM needs images of at least %dx%d pixels, got %dx%d",
			SSIMWindow, SSIMWindow, a.Width, a.Height)
	}
	return ssim(a, b), nil
}

func ssim(a, b *imageio.Gray) float64 {
	k := ssimKernel()
	w, h := a.Width, a.Height
	ow, oh := w-SSIMWindow+1, h-SSIMWindow+1

	// Horizontal pass into a ring of SSIMWindow rows × ow columns for each
	// of the five planes (the horizontally filtered a, b, a², b² and a·b):
	// memory is O(width), whatever the image's height.
	const ring = SSIMWindow
	buf := make([]float64, 5*ring*ow)
	plane := func(p, y int) []float64 { o := (p*ring + y%ring) * ow; return buf[o : o+ow] }
	rows := make([]float64, 5*w)
	fa, fb, faa, fbb, fab := rows[:w], rows[w:2*w], rows[2*w:3*w], rows[3*w:4*w], rows[4*w:]

	// Then, once SSIMWindow rows are filtered, the vertical pass over
	// them, the SSIM map's row and its sum.
	c1, c2 := ssimConstants(a.MaxValue())
	acc := make([]float64, 5*ow)
	va, vb, vaa, vbb, vab := acc[:ow], acc[ow:2*ow], acc[2*ow:3*ow], acc[3*ow:4*ow], acc[4*ow:]
	var total float64
	for y := 0; y < h; y++ {
		for x := range w {
			va, vb := float64(a.Sample(y*w+x)), float64(b.Sample(y*w+x))
			fa[x], fb[x], faa[x], fbb[x], fab[x] = va, vb, va*va, vb*vb, va*vb
		}
		filterRow(plane(0, y), fa, &k)
		filterRow(plane(1, y), fb, &k)
		filterRow(plane(2, y), faa, &k)
		filterRow(plane(3, y), fbb, &k)
		filterRow(plane(4, y), fab, &k)
		oy := y - SSIMWindow + 1 // the output row now complete
		if oy < 0 {
			continue
		}
		var win [5][SSIMWindow][]float64
		for p := range win {
			for i := range SSIMWindow {
				win[p][i] = plane(p, oy+i)
			}
		}
		filterColumns(va, &win[0], &k)
		filterColumns(vb, &win[1], &k)
		filterColumns(vaa, &win[2], &k)
		filterColumns(vbb, &win[3], &k)
		filterColumns(vab, &win[4], &k)
		var rowSum float64
		for x := range ow {
			mx, my := va[x], vb[x]
			sxx := vaa[x] - mx*mx
			syy := vbb[x] - my*my
			sxy := vab[x] - mx*my
			rowSum += ((2*mx*my + c1) * (2*sxy + c2)) / ((mx*mx + my*my + c1) * (sxx + syy + c2))
		}
		total += rowSum
	}
	return total / float64(ow*oh)
}

// filterRow writes to dst[x] (x < len(dst)) the 'valid' correlation of src
// with the symmetric kernel k at src[x : x+SSIMWindow].
func filterRow(dst, src []float64, k *[SSIMWindow]float64) {
	k0, k1, k2, k3, k4, k5 := k[0], k[1], k[2], k[3], k[4], k[5]
	src = src[:len(dst)+SSIMWindow-1]
	for x := range dst {
		s := src[x : x+SSIMWindow : x+SSIMWindow]
		dst[x] = k5*s[5] + k0*(s[0]+s[10]) + k1*(s[1]+s[9]) + k2*(s[2]+s[8]) + k3*(s[3]+s[7]) + k4*(s[4]+s[6])
	}
}

// filterColumns writes to dst the vertical 'valid' correlation of the
// SSIMWindow rows r (top to bottom, each at least len(dst) long) with the
// symmetric kernel k.
func filterColumns(dst []float64, r *[SSIMWindow][]float64, k *[SSIMWindow]float64) {
	n := len(dst)
	k0, k1, k2, k3, k4, k5 := k[0], k[1], k[2], k[3], k[4], k[5]
	r0, r1, r2, r3, r4, r5 := r[0][:n], r[1][:n], r[2][:n], r[3][:n], r[4][:n], r[5][:n]
	r6, r7, r8, r9, r10 := r[6][:n], r[7][:n], r[8][:n], r[9][:n], r[10][:n]
	for x := range dst {
		dst[x] = k5*r5[x] + k0*(r0[x]+r10[x]) + k1*(r1[x]+r9[x]) + k2*(r2[x]+r8[x]) + k3*(r3[x]+r7[x]) + k4*(r4[x]+r6[x])
	}
}

// ssimConstants returns C1 = (K1·L)² and C2 = (K2·L)² for the peak L,
// correctly rounded: with K1 = 1/100 and K2 = 3/100 they are L²/10⁴ and
// 9L²/10⁴, whose numerators are exact in float64, so the division's one
// rounding gives the float64 nearest the exact value — what the constant
// expressions (SSIMK1·L)² give at compile time (tested).
func ssimConstants(peak int) (c1, c2 float64) {
	p2 := float64(peak) * float64(peak)
	return p2 / 1e4, 9 * p2 / 1e4
}
