package metrics

import (
	"encoding/json"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Report gathers the standard metrics of one encryption. NPCR and UACI are
// in percent; see NewReport for which images each field compares.
//
// Values may be NaN (undefined: a correlation with zero variance, SSIM of an
// image smaller than the SSIM window) or +Inf (PSNR of identical images).
// MarshalJSON writes every non-finite value as null, so the JSON is always
// valid; UnmarshalJSON reads null back as NaN (so a +Inf PSNR does not
// survive a round trip).
type Report struct {
	Entropy float64 `json:"entropy"`
	NPCR    float64 `json:"npcr"`
	UACI    float64 `json:"uaci"`
	CorrH   float64 `json:"corr_h"`
	CorrV   float64 `json:"corr_v"`
	CorrD   float64 `json:"corr_d"`
	Chi2    float64 `json:"chi2"`
	PSNR    float64 `json:"psnr"`
	SSIM    float64 `json:"ssim"`
	// Depth is the images' bit depth (8 or 16): entropy is out of Depth
	// bits, χ² has 2^Depth − 1 degrees of freedom, UACI and PSNR use the
	// peak 2^Depth − 1.
	Depth int `json:"depth"`
}

// NewReport computes the metrics of an encryption of plain into cipher:
//
//   - Entropy, CorrH/V/D (all adjacent pairs) and Chi2 (the χ² statistic) of
//     cipher;
//   - NPCR and UACI between cipher and cipher2 when cipher2 is not nil (the
//     differential or key-sensitivity setting: two ciphertexts), else
//     between plain and cipher;
//   - PSNR and SSIM between plain and cipher (SSIM is NaN when the images
//     are smaller than SSIMWindow pixels in a dimension).
//
// All images must be non-empty and of the same size and bit depth.
func NewReport(plain, cipher, cipher2 *imageio.Gray) (*Report, error) {
	if err := checkPair("plain", plain, "cipher", cipher); err != nil {
		return nil, err
	}
	other := plain
	if cipher2 != nil {
		if err := checkPair("cipher", cipher, "cipher2", cipher2); err != nil {
			return nil, err
		}
		other = cipher2
	}
	h := histogramOf(cipher)
	l := cipher.Len()
	corr, err := Correlations(cipher)
	if err != nil {
		return nil, err
	}
	changed, absSum := diffCountsOf(cipher, other)
	d := differential(changed, absSum, cipher)
	r := &Report{
		Entropy: entropyOfHistogram(h, l),
		NPCR:    d.NPCR,
		UACI:    d.UACI,
		CorrH:   corr.H,
		CorrV:   corr.V,
		CorrD:   corr.D,
		Chi2:    chiSquareOfHistogram(h, l),
		PSNR:    PSNRFromMSEPeak(mseOf(plain, cipher), plain.MaxValue()),
		SSIM:    math.NaN(),
		Depth:   cipher.BitDepth(),
	}
	if plain.Width >= SSIMWindow && plain.Height >= SSIMWindow {
		r.SSIM = ssim(plain, cipher)
	}
	return r, nil
}

// reportJSON mirrors Report with pointers, nil meaning null.
type reportJSON struct {
	Entropy *float64 `json:"entropy"`
	NPCR    *float64 `json:"npcr"`
	UACI    *float64 `json:"uaci"`
	CorrH   *float64 `json:"corr_h"`
	CorrV   *float64 `json:"corr_v"`
	CorrD   *float64 `json:"corr_d"`
	Chi2    *float64 `json:"chi2"`
	PSNR    *float64 `json:"psnr"`
	SSIM    *float64 `json:"ssim"`
	Depth   int      `json:"depth"`
}

func (j *reportJSON) fields() []**float64 {
	return []**float64{&j.Entropy, &j.NPCR, &j.UACI, &j.CorrH, &j.CorrV, &j.CorrD, &j.Chi2, &j.PSNR, &j.SSIM}
}

func (r *Report) fields() []*float64 {
	return []*float64{&r.Entropy, &r.NPCR, &r.UACI, &r.CorrH, &r.CorrV, &r.CorrD, &r.Chi2, &r.PSNR, &r.SSIM}
}

// MarshalJSON writes the report with the keys entropy, npcr, uaci, corr_h,
// corr_v, corr_d, chi2, psnr, ssim (NaN and ±Inf as null) and depth.
func (r Report) MarshalJSON() ([]byte, error) {
	j := reportJSON{Depth: r.Depth}
	for i, src := range r.fields() {
		if v := *src; !math.IsNaN(v) && !math.IsInf(v, 0) {
			*j.fields()[i] = &v
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes; null and missing keys
// become NaN.
func (r *Report) UnmarshalJSON(data []byte) error {
	var j reportJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	for i, dst := range r.fields() {
		if p := *j.fields()[i]; p != nil {
			*dst = *p
		} else {
			*dst = math.NaN()
		}
	}
	r.Depth = j.Depth
	return nil
}
