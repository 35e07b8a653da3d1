package metrics

import (
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Differential holds the two differential-attack measures between two
// equally sized images C and C′ of L pixels, in percent, with F the
// largest sample (2^depth − 1: 255 for 8-bit, 65535 for 16-bit images):
//
//	NPCR = 100 · #{(i,j) : C(i,j) ≠ C′(i,j)} / L
//	UACI = 100 · Σ |C(i,j) − C′(i,j)| / (F · L)
type Differential struct {
	NPCR float64 `json:"npcr"`
	UACI float64 `json:"uaci"`
	// Peak is F; 0 reads as 255 (WuTest uses it).
	Peak int `json:"-"`
}

// NPCRUACI returns NPCR and UACI (percent) between a and b, computed in one
// integer pass at their depth.
func NPCRUACI(a, b *imageio.Gray) (Differential, error) {
	if err := checkPair("first", a, "second", b); err != nil {
		return Differential{}, err
	}
	changed, absSum := diffCountsOf(a, b)
	return differential(changed, absSum, a), nil
}

// diffCountsOf is diffCounts at the images' depth.
func diffCountsOf(a, b *imageio.Gray) (changed, absSum uint64) {
	if a.BitDepth() == imageio.Depth16 {
		ra, rb := rows16(a), rows16(b)
		for y := range a.Height {
			c, s := diffCounts16(ra(y), rb(y))
			changed, absSum = changed+c, absSum+s
		}
		return changed, absSum
	}
	return diffCounts(a.Pix, b.Pix)
}

// differential turns the counts into percentages for images like g.
func differential(changed, absSum uint64, g *imageio.Gray) Differential {
	l := float64(g.Len())
	f := float64(g.MaxValue())
	return Differential{NPCR: 100 * float64(changed) / l, UACI: 100 * float64(absSum) / (f * l), Peak: g.MaxValue()}
}

// diffCounts16 is diffCounts for 16-bit samples.
func diffCounts16(a, b []uint16) (changed, absSum uint64) {
	b = b[:len(a)]
	for i, x := range a {
		d := int32(x) - int32(b[i])
		if d < 0 {
			d = -d
		}
		absSum += uint64(d)
		if d != 0 {
			changed++
		}
	}
	return changed, absSum
}

// diffCounts returns the number of differing positions and Σ|a−b|.
func diffCounts(a, b []uint8) (changed, absSum uint64) {
	b = b[:len(a)]
	for i, x := range a {
		d := int32(x) - int32(b[i])
		m := d >> 31 // 0 or −1
		ad := uint32((d ^ m) - m)
		absSum += uint64(ad)
		// (ad + 255) >> 8 is 1 for ad in 1..255 and 0 for ad = 0.
		changed += uint64((ad + 255) >> 8)
	}
	return changed, absSum
}

// KeySensitivity measures how different two ciphertexts of the same
// plaintext are, typically produced with keys that differ in one bit (or
// from plaintexts differing in one pixel). It is NPCRUACI(c1, c2); ideal
// values for a good cipher are NPCR ≈ 99.61 % and UACI ≈ 33.46 % (see
// WuCriticalValues). For the other half of a key-sensitivity analysis, the
// quality of a wrong-key decryption, use PSNR and SSIM against the plaintext.
func KeySensitivity(c1, c2 *imageio.Gray) (Differential, error) {
	return NPCRUACI(c1, c2)
}

// Significance levels tabulated by Wu, Noonan & Agaian (2011).
const (
	Alpha05  = 0.05
	Alpha01  = 0.01
	Alpha001 = 0.001
)

// WuAlphas are the significance levels tabulated by Wu et al. (2011).
var WuAlphas = []float64{Alpha05, Alpha01, Alpha001}

// wuF is the largest pixel value F of 8-bit images.
const wuF = 255

// WuCritical holds the critical values of the NPCR and UACI randomness tests
// of Wu, Noonan & Agaian, "NPCR and UACI randomness tests for image
// encryption", Cyber Journals (JSAT), April 2011, for images of L pixels with
// F = 255 and significance level Alpha. All values are in percent.
type WuCritical struct {
	Alpha float64
	// L is the number of pixels M·N.
	L int
	// NPCR is N*_α: an NPCR below it rejects the hypothesis that the two
	// ciphertexts are random-like.
	NPCR float64
	// UACILow and UACIHigh bound the UACI acceptance interval [U*−, U*+].
	UACILow, UACIHigh float64
}

// upperQuantile returns z with P(Z > z) = p for a standard normal Z, i.e.
// Φ⁻¹(1 − p) = √2 · erfinv(1 − 2p).
func upperQuantile(p float64) float64 {
	return math.Sqrt2 * math.Erfinv(1-2*p)
}

// WuCriticalValues returns the critical values for an image of width×height
// pixels at significance level alpha (0 < alpha < 1), computed from Wu et
// al.'s formulas (not from their table), with F = 255 and L = width·height:
//
//	N*_α  = (F − z_α · √(F/L)) / (F + 1)
//	U*_α± = μ_U ± z_{α/2} · σ_U
//	μ_U   = (F + 2) / (3F + 3)
//	σ_U²  = (F + 2)(F² + 2F + 3) / (18 (F + 1)² L F)
//
// where z_p is the upper-tail standard normal quantile Φ⁻¹(1 − p) > 0. (Wu
// et al. write Φ⁻¹(α) for this positive upper-tail value; with the lower-tail
// reading the NPCR threshold would exceed its mean, contradicting their
// table.) For 256×256 and α = 0.05 this gives N* = 99.5693 % and
// [U*−, U*+] = [33.2824 %, 33.6447 %], as in their Table.
func WuCriticalValues(width, height int, alpha float64) (WuCritical, error) {
	return WuCriticalValuesPeak(width, height, wuF, alpha)
}

// WuCriticalValuesPeak is WuCriticalValues for images whose largest sample
// is peak (F: 255 for 8-bit, 65535 for 16-bit images).
func WuCriticalValuesPeak(width, height, peak int, alpha float64) (WuCritical, error) {
	if width <= 0 || height <= 0 {
		return WuCritical{}, fmt.Errorf("metrics: Wu critical values need a non-empty image size, got %dx%d", width, height)
	}
	if !(alpha > 0 && alpha < 1) {
		return WuCritical{}, fmt.Errorf("metrics: Wu critical values need 0 < alpha < 1, got %g", alpha)
	}
	if peak < 1 {
		return WuCritical{}, fmt.Errorf("metrics: Wu critical values need a peak F ≥ 1, got %d", peak)
	}
	f := float64(peak)
	l := float64(width) * float64(height)
	nStar := (f - upperQuantile(alpha)*math.Sqrt(f/l)) / (f + 1)
	mu := (f + 2) / (3*f + 3)
	sigma := math.Sqrt((f + 2) * (f*f + 2*f + 3) / (18 * (f + 1) * (f + 1) * l * f))
	z := upperQuantile(alpha / 2)
	return WuCritical{
		Alpha:    alpha,
		L:        width * height,
		NPCR:     100 * nStar,
		UACILow:  100 * (mu - z*sigma),
		UACIHigh: 100 * (mu + z*sigma),
	}, nil
}

// WuResult is the outcome of Wu et al.'s NPCR and UACI tests for one pair
// of measured values at one significance level.
type WuResult struct {
	Critical WuCritical
	// NPCR and UACI are the measured values (percent).
	NPCR, UACI float64
	// NPCRPass is NPCR ≥ N*_α; UACIPass is U*− ≤ UACI ≤ U*+.
	NPCRPass, UACIPass bool
}

// Pass reports whether both tests pass.
func (r WuResult) Pass() bool { return r.NPCRPass && r.UACIPass }

// WuTest applies Wu et al.'s tests at level alpha to measured NPCR and UACI
// values (percent) for an image of width×height pixels whose largest
// sample is d.Peak (0: 255). NaN values fail.
func WuTest(d Differential, width, height int, alpha float64) (WuResult, error) {
	peak := d.Peak
	if peak == 0 {
		peak = wuF
	}
	c, err := WuCriticalValuesPeak(width, height, peak, alpha)
	if err != nil {
		return WuResult{}, err
	}
	return WuResult{
		Critical: c,
		NPCR:     d.NPCR,
		UACI:     d.UACI,
		NPCRPass: d.NPCR >= c.NPCR,
		UACIPass: d.UACI >= c.UACILow && d.UACI <= c.UACIHigh,
	}, nil
}
