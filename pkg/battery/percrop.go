package battery

import (
	"math"
	"slices"
)

// Per-crop accessors: the values behind the battery's tables, crop by crop,
// for experiments that aggregate them differently (mean ± sd per cipher,
// family comparisons). They read what Run measured and change no number.

// CropSize is the side of the square crops measured.
func (r *Report) CropSize() int { return r.cropSize }

// Peak is the crops' largest level, 2^depth − 1 (255 for 8-bit crops).
func (r *Report) Peak() int { return r.peak }

// PerCrop returns metric m of the named cipher's image on every crop, in
// plan order (len Crops()); nil when the cipher was not measured. Values
// are those the security table averages (NaN where a test does not apply,
// e.g. local entropy of crops smaller than one block).
func (r *Report) PerCrop(name string, m Metric) []float64 {
	j := r.index(name)
	if j < 0 {
		return nil
	}
	out := make([]float64, len(r.crops))
	for i := range r.crops {
		out[i] = r.crops[i].cipher[j].get(m)
	}
	return out
}

// PlainPerCrop returns metric m of the plain crops, in plan order; NaN for
// the metrics of a plaintext change (NPCR, UACI) and for SSIMPlainCipher, which
// have no plain value.
func (r *Report) PlainPerCrop(m Metric) []float64 {
	out := make([]float64, len(r.crops))
	for i := range r.crops {
		out[i] = math.NaN()
		if m != NPCR && m != UACI && m != SSIMPlainCipher {
			out[i] = cipherStats{imageStats: r.crops[i].plain}.get(m)
		}
	}
	return out
}

// FlippedBits returns the key bits the key-sensitivity test flipped, in
// table order.
func (r *Report) FlippedBits() []int { return slices.Clone(r.bt.cfg.bits) }

// KeyFlip is the outcome of flipping one key bit on one crop (the
// key-sensitivity test).
type KeyFlip struct {
	// NPCR and UACI (%) compare the ciphertexts under the key and under
	// the flipped key.
	NPCR, UACI float64
	// WrongKeyPSNR (dB) is PSNR(plain, decryption with the flipped key):
	// +Inf when the decryption is the plain crop.
	WrongKeyPSNR float64
	// Unchanged: the flipped key gave the same ciphertext.
	Unchanged bool
	// Invalid: the flipped key is outside the scheme's range (the other
	// fields are zero).
	Invalid bool
}

// KeyFlips returns, for every key-sensitivity crop in plan order, the
// outcome of flipping key bit bit of the named cipher's key (each crop has
// its own key); nil when the cipher or the bit was not measured.
func (r *Report) KeyFlips(name string, bit int) []KeyFlip {
	j, b := r.index(name), slices.Index(r.bt.cfg.bits, bit)
	if j < 0 || b < 0 || len(r.keys) == 0 {
		return nil
	}
	k := j*len(r.bt.cfg.bits) + b
	out := make([]KeyFlip, len(r.keys))
	for i, ks := range r.keys {
		s := ks[k]
		out[i] = KeyFlip{NPCR: s.NPCR, UACI: s.UACI, WrongKeyPSNR: s.WrongKeyPSNR, Unchanged: s.Unchanged, Invalid: s.Invalid}
	}
	return out
}

// Distortions returns the names of the robustness test's distortions, in
// table order (NoDistortion, the undamaged row, not included); nil when the
// test did not run.
func (r *Report) Distortions() []string {
	if len(r.robust) == 0 {
		return nil
	}
	var names []string
	for _, d := range r.bt.cfg.robust {
		names = append(names, d.Name)
	}
	return names
}

// Decryption is the quality of one robustness decryption: the plain crop
// against the decryption of its distorted cipher image.
type Decryption struct {
	// MSE is the mean squared error in grey levels²; SSIM is 1 for
	// identical images.
	MSE, SSIM float64
}

// Robust returns, for every robustness crop in plan order, the decryption
// quality of the named cipher after the named distortion (NoDistortion:
// the undamaged cipher image); nil when the cipher or the distortion was
// not measured.
func (r *Report) Robust(name, distortion string) []Decryption {
	j := r.index(name)
	d := 0 // NoDistortion
	if distortion != NoDistortion {
		d = 1 + slices.IndexFunc(r.bt.cfg.robust, func(x Distortion) bool { return x.Name == distortion })
		if d == 0 {
			return nil
		}
	}
	if j < 0 || len(r.robust) == 0 {
		return nil
	}
	k := j*(1+len(r.bt.cfg.robust)) + d
	out := make([]Decryption, len(r.robust))
	for i, rs := range r.robust {
		out[i] = Decryption{MSE: rs[k].MSE, SSIM: rs[k].SSIM}
	}
	return out
}
