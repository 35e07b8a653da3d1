package metrics

import (
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// PeakValue is the dynamic range L of 8-bit images used by PSNR and SSIM
// (16-bit images use 65535: imageio.Gray.MaxValue).
const PeakValue = 255

// MSE returns the mean squared error Σ (a − b)² / L between two equally
// sized images of the same depth, in squared grey levels, accumulated
// exactly in integers.
func MSE(a, b *imageio.Gray) (float64, error) {
	if err := checkPair("first", a, "second", b); err != nil {
		return 0, err
	}
	return mseOf(a, b), nil
}

// mseOf is the MSE at the images' depth.
func mseOf(a, b *imageio.Gray) float64 {
	if a.BitDepth() == imageio.Depth16 {
		ra, rb := rows16(a), rows16(b)
		var s uint64
		for y := range a.Height {
			s += sqDiff(ra(y), rb(y))
		}
		return float64(s) / float64(a.Len())
	}
	return float64(sqDiff(a.Pix, b.Pix)) / float64(a.Len())
}

// sqDiff is Σ(a−b)², exact: at most 65535² · 2³² < 2⁶⁴ for the images
// imageio accepts.
func sqDiff[S sample](a, b []S) uint64 {
	b = b[:len(a)]
	var s uint64
	for i, x := range a {
		d := int64(x) - int64(b[i])
		s += uint64(d * d)
	}
	return s
}

// PSNR returns the peak signal-to-noise ratio in dB, 10·log10(F² / MSE)
// with F = 2^depth − 1 (255 or 65535). For identical images (MSE = 0) it
// returns +Inf, the mathematically correct limit; Report.MarshalJSON writes
// +Inf as null.
func PSNR(a, b *imageio.Gray) (float64, error) {
	m, err := MSE(a, b)
	if err != nil {
		return 0, err
	}
	return PSNRFromMSEPeak(m, a.MaxValue()), nil
}

// PSNRFromMSE is the PSNR in dB of a mean squared error m of 8-bit images
// (in squared grey levels): 10·log10(255²/m), +Inf for m = 0. Averaging MSE over images and
// converting once gives the PSNR of a set of images that stays finite when
// some of them are reproduced exactly.
func PSNRFromMSE(m float64) float64 { return PSNRFromMSEPeak(m, PeakValue) }

// PSNRFromMSEPeak is PSNRFromMSE for images whose largest sample is peak:
// 10·log10(peak²/m), +Inf for m = 0.
func PSNRFromMSEPeak(m float64, peak int) float64 {
	if m == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(float64(peak)*float64(peak)/m)
}
