package bitplane

import (
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// WuAlphas are the significance levels of the critical-values table.
var WuAlphas = []float64{0.05, 0.01, 0.001}

func securityTable(rs []perCrop, spec Spec) results.Table {
	t := results.Table{
		Name: "security",
		Caption: fmt.Sprintf("Security tests over %d crops of %d² (mean and standard deviation over crops). "+
			"NPCR/UACI: one pixel of the plaintext changed (+1 mod 256 at a seeded position), same key; "+
			"pass = Wu et al. 2011 test at α = %g. χ² pass = uniform histogram not rejected at α = %g (df = 255). "+
			"Round trip exact: decryption gave back every crop bit for bit.",
			len(rs), spec.CropSize, Alpha, Alpha),
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
	for j, name := range Ciphers {
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

func criticalTable(spec Spec) results.Table {
	t := results.Table{
		Name: "wu critical values",
		Caption: fmt.Sprintf("NPCR and UACI critical values of Wu, Noonan & Agaian (2011) for %d×%d images, "+
			"computed from their formulas (F = 255).", spec.CropSize, spec.CropSize),
		Columns: []string{"alpha", "NPCR* %", "UACI*- %", "UACI*+ %"},
	}
	for _, a := range WuAlphas {
		c, err := metrics.WuCriticalValues(spec.CropSize, spec.CropSize, a)
		if err != nil {
			t.AddRow(a, nil, nil, nil)
			continue
		}
		t.AddRow(a, c.NPCR, c.UACILow, c.UACIHigh)
	}
	return t
}

func keyTable(ks [][]keyStats) results.Table {
	t := results.Table{
		Name: "key sensitivity",
		Caption: fmt.Sprintf("Key sensitivity over %d crops, each with its own key: the crop encrypted under the key and under the key "+
			"with one bit flipped (bit 0: each scheme's least significant bit of the first parameter, for the chaotic keys the last "+
			"mantissa bit of x0; bit 8: mantissa bit 8 of x0, or for AES bit 0 of the second key byte). NPCR/UACI between the two "+
			"ciphertexts and PSNR of decrypting with the flipped key are means over the crops; \"unchanged %%\" counts keys whose flip "+
			"left the ciphertext identical (the flip was absorbed by floating-point rounding): those key bits are not key.", len(ks)),
		Columns: []string{"cipher", "flipped bit", "NPCR %", "UACI %", "wrong-key PSNR dB", "unchanged %", "invalid %"},
	}
	if len(ks) == 0 {
		return t
	}
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
		t.AddRow(ks[0][j].Cipher, ks[0][j].Bit, np, ua, ps,
			percent(n, func(i int) bool { return ks[i][j].Unchanged }),
			percent(n, func(i int) bool { return ks[i][j].Invalid }))
	}
	return t
}

// idealEntropyBias is the expected shortfall of the plug-in entropy of L
// uniform random bytes below 8 bits, (K−1)/(2 L ln 2) with K = 256.
func idealEntropyBias(l int) float64 { return 255 / (2 * float64(l) * math.Ln2) }

// idealUACI is the expected UACI of two independent uniform images, (F+2)/(3F+3) with F = 255.
const idealUACI = 100 * 257.0 / 768.0

func claims(rs []perCrop, spec Spec) []results.Claim {
	n := len(rs)
	col := func(j int, f func(cipherStats) float64) float64 {
		m, _ := meanSD(n, func(i int) float64 { return f(rs[i].cipher[j]) })
		return m
	}
	const full, asWritten = 1, 0 // indexes into Ciphers
	l := spec.CropSize * spec.CropSize
	bias := idealEntropyBias(l)
	entThresh := 8 - 3*bias
	sec := "RITEM-CF-AN §4, Fig. 9"
	var cs []results.Claim
	cs = append(cs, results.Check(sec, "Cipher-image entropy is close to the ideal 8 bits", 8,
		col(full, func(s cipherStats) float64 { return s.Entropy }), "bits", results.AtLeast, entThresh, 0,
		fmt.Sprintf("Mean over crops, cipher \"bitplane\". Threshold = 8 − 3×(255/(2L ln 2)), three times the expected "+
			"finite-sample shortfall of an ideal random %d² image (%.4f bits)", spec.CropSize, bias)))
	cs = append(cs, results.Check(sec+" (scheme as written)", "Cipher-image entropy is close to the ideal 8 bits", 8,
		col(asWritten, func(s cipherStats) float64 { return s.Entropy }), "bits", results.AtLeast, entThresh, 0,
		"Mean over crops, cipher \"bitplane-xor\" (the paper's two keystreams with no permutation/diffusion)"))
	cs = append(cs, results.Check("RITEM-CF-AN §4, Fig. 10", "NPCR is generally more than 99.50 %", 99.50,
		col(full, func(s cipherStats) float64 { return s.NPCR }), "%", results.AtLeast, 99.50, 0,
		"Mean NPCR over crops for a one-pixel plaintext change, cipher \"bitplane\" (keystreams + our permutation/diffusion stage)"))
	cs = append(cs, results.Check("RITEM-CF-AN §4, Fig. 10 (scheme as written)", "NPCR is generally more than 99.50 %", 99.50,
		col(asWritten, func(s cipherStats) float64 { return s.NPCR }), "%", results.AtLeast, 99.50, 0,
		"Cipher \"bitplane-xor\": XOR with a key-only keystream cannot spread a one-pixel change, so NPCR = 100/L %"))
	cs = append(cs, results.Check("RITEM-CF-AN §4, Fig. 11", "UACI is generally more than 33.50 %", 33.50,
		col(full, func(s cipherStats) float64 { return s.UACI }), "%", results.AtLeast, 33.50, 0,
		fmt.Sprintf("Mean UACI over crops, cipher \"bitplane\". Caveat: the expected UACI of an ideal cipher is %.4f %%, "+
			"below the paper's 33.50 %%, so exceeding 33.50 %% is not evidence of better diffusion (an ideal cipher's mean would not); "+
			"Wu's UACI interval test (security table, \"UACI pass %%\") is the sound criterion", idealUACI)))
	cs = append(cs, results.Check("RITEM-CF-AN §4, Fig. 11 (scheme as written)", "UACI is generally more than 33.50 %", 33.50,
		col(asWritten, func(s cipherStats) float64 { return s.UACI }), "%", results.AtLeast, 33.50, 0,
		"Cipher \"bitplane-xor\" (no diffusion)"))
	maxCorr := 0.0
	for _, f := range []func(cipherStats) float64{
		func(s cipherStats) float64 { return s.CorrH }, func(s cipherStats) float64 { return s.CorrV },
		func(s cipherStats) float64 { return s.CorrD }} {
		maxCorr = math.Max(maxCorr, math.Abs(col(full, f)))
	}
	cs = append(cs, results.Check("RITEM-CF-AN §5", "Cipher images have negligible adjacent-pixel correlation (no value given)",
		math.NaN(), maxCorr, "", results.AtMost, 0.01, 0,
		"Largest |mean correlation| over the horizontal, vertical and diagonal directions, cipher \"bitplane\""))
	na := func(stmt string, v float64, unit string) results.Claim {
		return results.Claim{Paper: "RITEM-CF-AN §4, Figs. 5–8", Statement: stmt, PaperValue: v, Measured: math.NaN(), Unit: unit,
			Verdict: results.NotApplicable,
			Why:     "The recognition half (AlexNet with pre-processing on BOSSbase crops, vs LSTM/CNN/RNN/AlexNet/MLP) is a separate experiment, not part of this section"}
	}
	cs = append(cs, na("Recognition accuracy of RITEM-CF-AN is 94.37 %", 94.37, "%"),
		na("Accuracy at least 3.05 % higher than LSTM, CNN, RNN, AlexNet and MLP", 3.05, "%"))
	return cs
}

func notes(spec Spec, nCrops int, data, hash, key string) []string {
	return []string{
		"The paper encrypts the four low bit planes with a Logistic-Sine keystream and the four high ones with a Lorenz keystream, " +
			"but gives no permutation or diffusion step, no key format and no keystream extraction. As written (\"bitplane-xor\") the " +
			"scheme is a keystream XOR: a one-pixel plaintext change changes one ciphertext pixel, so its NPCR is 100/L % and the paper's " +
			"NPCR/UACI figures cannot come from it. We therefore also measure \"bitplane\": the same keystreams plus a key-dependent " +
			"permutation and forward/backward diffusion, the standard construction of the chaotic image-cipher literature (see pkg/cipher). " +
			"Both are reported; the claims table judges each.",
		"The paper's security figures plot values \"at pixel (0,0)\" for six models without saying how they were averaged; we change one " +
			"pixel at a seeded random position per crop (stricter than the first pixel for one-directional diffusion) and average over crops.",
		fmt.Sprintf("Data: %d crops of %d² from %s (content hash %s). The paper uses BOSSbase 1.01 (40 000 crops of 256²); "+
			"run with -profile paper -data BOSSbase to match it.", nCrops, spec.CropSize, data, hash),
		"AES-256-CTR is the baseline. As a stream cipher with a fixed nonce it also has NPCR ≈ 0 for a one-pixel change: the differential " +
			"NPCR/UACI test measures plaintext diffusion, which a nonce-respecting stream cipher does not need. Security here means the keystream, " +
			"not diffusion — these chaotic ciphers are research artefacts, not replacements for AES.",
		"Key of the \"bitplane\" cipher used (derived from the run seed): " + key,
	}
}

func figures(p *imageio.Gray, full, aes, asWritten, wrongFull cipher.Cipher, seed uint64) ([]results.Figure, error) {
	cFull, err := full.Encrypt(p)
	if err != nil {
		return nil, err
	}
	cXor, err := asWritten.Encrypt(p)
	if err != nil {
		return nil, err
	}
	cAES, err := aes.Encrypt(p)
	if err != nil {
		return nil, err
	}
	wrong, err := wrongFull.Decrypt(cFull)
	if err != nil {
		return nil, err
	}
	figs := []results.Figure{{
		Name: "images", Title: "Plain image and cipher images (first crop)", Kind: results.KindImages,
		Caption: "Left to right: plaintext; \"bitplane-xor\" (the paper's scheme as written); \"bitplane\"; AES-256-CTR; \"bitplane\" ciphertext decrypted with a key one bit away.",
		Images: []results.ImagePanel{{Title: "plain", Image: p}, {Title: "bitplane-xor", Image: cXor},
			{Title: "bitplane", Image: cFull}, {Title: "aes-ctr", Image: cAES}, {Title: "wrong-key decryption", Image: wrong}},
	}}
	for _, h := range []struct {
		name, title string
		img         *imageio.Gray
	}{{"histogram-plain", "Histogram of the plain image", p}, {"histogram-bitplane", "Histogram of the \"bitplane\" cipher image", cFull}} {
		hist, err := metrics.Histogram(h.img)
		if err != nil {
			return nil, err
		}
		s := results.Series{Name: "count"}
		for v, c := range hist {
			s.X = append(s.X, float64(v))
			s.Y = append(s.Y, float64(c))
		}
		figs = append(figs, results.Figure{Name: h.name, Title: h.title, Kind: results.KindBars,
			XLabel: "gray level", YLabel: "pixels", Series: []results.Series{s}, XMin: 0, XMax: 255})
	}
	for _, d := range metrics.Directions {
		fig := results.Figure{Name: "scatter-" + d.String(), Kind: results.KindScatter,
			Title:   fmt.Sprintf("Adjacent pixels, %s (%d sampled pairs)", d, ScatterPairs),
			Caption: "Value of a pixel (x axis) against its neighbour (y axis): the plain image hugs the diagonal, the cipher image fills the square.",
			XLabel:  "pixel value", YLabel: "neighbour value", XMin: 0, XMax: 255, YMin: 0, YMax: 255}
		for _, src := range []struct {
			name string
			img  *imageio.Gray
		}{{"plain", p}, {"bitplane", cFull}} {
			pairs, err := metrics.AdjacentPairs(src.img, d, ScatterPairs, seeds.Sub(seed, ID, "scatter", d.String()))
			if err != nil {
				return nil, err
			}
			s := results.Series{Name: src.name}
			for _, pr := range pairs {
				s.X = append(s.X, float64(pr.X))
				s.Y = append(s.Y, float64(pr.Y))
			}
			fig.Series = append(fig.Series, s)
		}
		figs = append(figs, fig)
	}
	return figs, nil
}
