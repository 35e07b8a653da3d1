package battery

import (
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Report is what a Battery measured on a crop set: per-crop numbers kept
// for the tables, figures and claims built from them.
type Report struct {
	bt       *Battery
	cropSize int
	peak     int // the crops' largest level, 2^depth − 1
	crops    []perCrop
	keys     [][]keyStats
	robust   [][]robustStats
	first    *imageio.Gray
	dataHash string
}

// Crops is the number of crops measured.
func (r *Report) Crops() int { return len(r.crops) }

// DataHash is the content hash of the crops measured (dataset.Hasher).
func (r *Report) DataHash() string { return r.dataHash }

// First is the first crop (the figures show it).
func (r *Report) First() *imageio.Gray { return r.first }

// Metric names a per-crop measurement of a cipher image.
type Metric int

// Metrics of Mean.
const (
	Entropy         Metric = iota // Shannon entropy, bits per pixel
	LocalEntropy                  // mean local Shannon entropy, bits per pixel
	NPCR                          // %, one-pixel plaintext change
	UACI                          // %, one-pixel plaintext change
	CorrH                         // adjacent-pixel correlation, horizontal
	CorrV                         // vertical
	CorrD                         // diagonal
	Chi2                          // χ² statistic of the histogram (df = 2^depth − 1)
	SSIMPlainCipher               // SSIM(plain crop, cipher image): the survey's image distortion (eq. (14))
)

func (s cipherStats) get(m Metric) float64 {
	switch m {
	case Entropy:
		return s.Entropy
	case LocalEntropy:
		return s.LocalEntropy
	case NPCR:
		return s.NPCR
	case UACI:
		return s.UACI
	case CorrH:
		return s.CorrH
	case CorrV:
		return s.CorrV
	case CorrD:
		return s.CorrD
	case Chi2:
		return s.Chi2
	case SSIMPlainCipher:
		return s.SSIM
	}
	return math.NaN()
}

// index is the position of the named cipher, or -1.
func (r *Report) index(name string) int {
	for j, n := range r.bt.names {
		if n == name {
			return j
		}
	}
	return -1
}

// Mean is the mean of metric m over the crops for the named cipher; NaN
// when the cipher was not measured.
func (r *Report) Mean(name string, m Metric) float64 {
	j := r.index(name)
	if j < 0 {
		return math.NaN()
	}
	mean, _ := meanSD(len(r.crops), func(i int) float64 { return r.crops[i].cipher[j].get(m) })
	return mean
}

// meanSD returns the mean and (population) standard deviation of f over
// [0, n), ignoring NaN values (NaN, NaN when every value is NaN).
func meanSD(n int, f func(i int) float64) (mean, sd float64) {
	var sum, sum2 float64
	k := 0
	for i := 0; i < n; i++ {
		v := f(i)
		if math.IsNaN(v) {
			continue
		}
		sum += v
		sum2 += v * v
		k++
	}
	if k == 0 {
		return math.NaN(), math.NaN()
	}
	mean = sum / float64(k)
	return mean, math.Sqrt(math.Max(0, sum2/float64(k)-mean*mean))
}

// MeanSD returns the mean and population standard deviation of the finite
// values of v (NaN, NaN when there are none): experiments summarise
// per-crop values with it, where NaN marks a test that does not apply and
// +Inf the PSNR of identical images. Ours.
func MeanSD(v []float64) (mean, sd float64) {
	var finite []float64
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			finite = append(finite, x)
		}
	}
	return meanSD(len(finite), func(i int) float64 { return finite[i] })
}

// percent returns the percentage of [0, n) for which f is true.
func percent(n int, f func(i int) bool) float64 {
	k := 0
	for i := 0; i < n; i++ {
		if f(i) {
			k++
		}
	}
	return 100 * float64(k) / float64(n)
}

// WuAlphas are the significance levels of the critical-values table.
var WuAlphas = []float64{0.05, 0.01, 0.001}

// Tables returns the battery's tables in report order: security, Wu
// critical values, key sensitivity (when measured) and robustness (when
// measured).
func (r *Report) Tables() []results.Table {
	ts := []results.Table{r.SecurityTable(), CriticalValuesTablePeak(r.cropSize, r.peak)}
	if len(r.keys) > 0 {
		ts = append(ts, r.KeySensitivityTable())
	}
	if len(r.robust) > 0 {
		ts = append(ts, r.RobustnessTable())
	}
	return ts
}

// SecurityTable is the table "security": per cipher (and the plain crops),
// the mean and spread of every per-crop test.
func (r *Report) SecurityTable() results.Table {
	rs, alpha := r.crops, r.bt.cfg.alpha
	t := results.Table{
		Name: "security",
		Caption: fmt.Sprintf("Security tests over %d crops of %d² (mean and standard deviation over crops). "+
			"NPCR/UACI: one pixel of the plaintext changed (+1 mod 256 at a seeded position), same key; "+
			"pass = Wu et al. 2011 test at α = %g. χ² pass = uniform histogram not rejected at α = %g (df = %d). "+
			"Round trip exact: decryption gave back every crop bit for bit.",
			len(rs), r.cropSize, alpha, alpha, r.peak),
		Columns: []string{"image", "entropy", "entropy sd", "local entropy", "NPCR %", "NPCR sd", "NPCR pass %",
			"UACI %", "UACI sd", "UACI pass %", "corr h", "corr v", "corr d", "chi2", "chi2 pass %", "round trip exact"},
	}
	n := len(rs)
	pe, ps := meanSD(n, func(i int) float64 { return rs[i].plain.Entropy })
	pl, _ := meanSD(n, func(i int) float64 { return rs[i].plain.LocalEntropy })
	ph, _ := meanSD(n, func(i int) float64 { return rs[i].plain.CorrH })
	pv, _ := meanSD(n, func(i int) float64 { return rs[i].plain.CorrV })
	pd, _ := meanSD(n, func(i int) float64 { return rs[i].plain.CorrD })
	pc, _ := meanSD(n, func(i int) float64 { return rs[i].plain.Chi2 })
	pp := percent(n, func(i int) bool { return rs[i].plain.Chi2Pass })
	t.AddRow("plain", pe, ps, pl, nil, nil, nil, nil, nil, nil, ph, pv, pd, pc, pp, nil)
	for j, name := range r.bt.names {
		c := func(i int) cipherStats { return rs[i].cipher[j] }
		e, es := meanSD(n, func(i int) float64 { return c(i).Entropy })
		l, _ := meanSD(n, func(i int) float64 { return c(i).LocalEntropy })
		np, nps := meanSD(n, func(i int) float64 { return c(i).NPCR })
		ua, uas := meanSD(n, func(i int) float64 { return c(i).UACI })
		h, _ := meanSD(n, func(i int) float64 { return c(i).CorrH })
		v, _ := meanSD(n, func(i int) float64 { return c(i).CorrV })
		d, _ := meanSD(n, func(i int) float64 { return c(i).CorrD })
		x, _ := meanSD(n, func(i int) float64 { return c(i).Chi2 })
		t.AddRow(name, e, es, l, np, nps, percent(n, func(i int) bool { return c(i).NPCRPass }),
			ua, uas, percent(n, func(i int) bool { return c(i).UACIPass }), h, v, d, x,
			percent(n, func(i int) bool { return c(i).Chi2Pass }),
			percent(n, func(i int) bool { return c(i).RoundTrip }) == 100)
	}
	return t
}

// CriticalValuesTable is the table "wu critical values": Wu, Noonan &
// Agaian's NPCR and UACI critical values for size×size 8-bit images at
// WuAlphas.
func CriticalValuesTable(size int) results.Table {
	return CriticalValuesTablePeak(size, imageio.MaxVal8)
}

// CriticalValuesTablePeak is CriticalValuesTable for images whose largest
// level is peak (F: 255 for 8-bit, 65535 for 16-bit images).
func CriticalValuesTablePeak(size, peak int) results.Table {
	t := results.Table{
		Name: "wu critical values",
		Caption: fmt.Sprintf("NPCR and UACI critical values of Wu, Noonan & Agaian (2011) for %d×%d images, "+
			"computed from their formulas (F = %d).", size, size, peak),
		Columns: []string{"alpha", "NPCR* %", "UACI*- %", "UACI*+ %"},
	}
	for _, a := range WuAlphas {
		c, err := metrics.WuCriticalValuesPeak(size, size, peak, a)
		if err != nil {
			t.AddRow(a, nil, nil, nil)
			continue
		}
		t.AddRow(a, c.NPCR, c.UACILow, c.UACIHigh)
	}
	return t
}

// KeySensitivityTable is the table "key sensitivity": per cipher and
// flipped key bit, means over the key-sensitivity crops.
func (r *Report) KeySensitivityTable() results.Table {
	ks := r.keys
	t := results.Table{
		Name: "key sensitivity",
		Caption: fmt.Sprintf("Key sensitivity over %d crops, each with its own key: the crop encrypted under the key and under the key "+
			"with one bit flipped (bits %v of each scheme's canonical key bits, Key.FlipBit: bit 0 is the least significant bit of the first parameter — "+
			"for the chaotic keys the last mantissa bit of x0, for AES the lowest bit of the first key byte, for trained ciphers the first secret bit). "+
			"NPCR/UACI between the two ciphertexts and PSNR of decrypting with the flipped key are means over the crops; \"unchanged %%\" counts keys "+
			"whose flip left the ciphertext identical (for the chaotic keys, flips absorbed by floating-point rounding): those key bits are not key; "+
			"\"invalid %%\" counts flipped keys outside the scheme's range.", len(ks), r.bt.cfg.bits),
		Columns: []string{"cipher", "flipped bit", "NPCR %", "UACI %", "wrong-key PSNR dB", "unchanged %", "invalid %"},
	}
	if len(ks) == 0 {
		return t
	}
	bits := len(r.bt.cfg.bits)
	for j := range ks[0] {
		n := len(ks)
		np, _ := meanSD(n, func(i int) float64 { return ks[i][j].NPCR })
		ua, _ := meanSD(n, func(i int) float64 { return ks[i][j].UACI })
		// Identical decryptions have PSNR +Inf: average the finite ones.
		ps, _ := meanSD(n, func(i int) float64 {
			if v := ks[i][j].WrongKeyPSNR; !math.IsInf(v, 0) && !ks[i][j].Invalid {
				return v
			}
			return math.NaN()
		})
		t.AddRow(r.bt.names[j/bits], ks[0][j].Bit, np, ua, ps,
			percent(n, func(i int) bool { return ks[i][j].Unchanged }),
			percent(n, func(i int) bool { return ks[i][j].Invalid }))
	}
	return t
}

// NoDistortion labels the robustness rows of plain decryption.
const NoDistortion = "none"

// RobustnessTable is the table "noise and occlusion robustness": per
// cipher and distortion, the PSNR and SSIM between the plain crop and the
// decryption of the distorted cipher image, means over the robustness crops.
func (r *Report) RobustnessTable() results.Table {
	rs := r.robust
	t := results.Table{
		Name: "noise and occlusion robustness",
		Caption: fmt.Sprintf("Robustness over %d crops: the cipher image is distorted (salt & pepper: that share of pixels set to 0 or the largest level; "+
			"Gaussian: N(0, σ²) grey levels added, rounded and clipped; occlusion: a block of that share of the image, at the top-left corner, set to 0), "+
			"then decrypted with the right key and compared with the plain crop. PSNR in dB of the mean squared error over the crops (∞ — null in results.json — when every decryption is identical) and mean SSIM (1: identical); "+
			"\"%s\" is decryption of the undamaged cipher image (lossy ciphers show their reconstruction quality there). "+
			"A keystream XOR leaves each damaged pixel damaged in place and no worse; chained diffusion damages several plain pixels per damaged cipher pixel, and a permutation scatters them over the image.",
			len(rs), NoDistortion),
		Columns: []string{"cipher", "distortion", "PSNR dB", "SSIM"},
	}
	if len(rs) == 0 {
		return t
	}
	per := 1 + len(r.bt.cfg.robust)
	for j := range rs[0] {
		n := len(rs)
		mse, _ := meanSD(n, func(i int) float64 { return rs[i][j].MSE })
		psnr := metrics.PSNRFromMSEPeak(mse, r.peak)
		ssim, _ := meanSD(n, func(i int) float64 { return rs[i][j].SSIM })
		what := NoDistortion
		if d := j % per; d > 0 {
			what = r.bt.cfg.robust[d-1].Name
		}
		t.AddRow(r.bt.names[j/per], what, psnr, ssim)
	}
	return t
}
