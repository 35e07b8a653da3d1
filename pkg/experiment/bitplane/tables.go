package bitplane

import (
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// idealEntropyBias is the expected shortfall of the plug-in entropy of L
// uniform random bytes below 8 bits, (K−1)/(2 L ln 2) with K = 256.
func idealEntropyBias(l int) float64 { return 255 / (2 * float64(l) * math.Ln2) }

// idealUACI is the expected UACI of two independent uniform images, (F+2)/(3F+3) with F = 255.
const idealUACI = 100 * 257.0 / 768.0

func claims(rep *battery.Report, spec Settings) []results.Claim {
	full, asWritten := cipher.NameBitplane, cipher.NameBitplaneXOR
	col := rep.Mean
	l := spec.CropSize * spec.CropSize
	bias := idealEntropyBias(l)
	entThresh := 8 - 3*bias
	sec := "RITEM-CF-AN §4, Fig. 9"
	var cs []results.Claim
	cs = append(cs, results.Check(sec, "Cipher-image entropy is close to the ideal 8 bits", 8,
		col(full, battery.Entropy), "bits", results.AtLeast, entThresh, 0,
		fmt.Sprintf("Mean over crops, cipher \"bitplane\". Threshold = 8 − 3×(255/(2L ln 2)), three times the expected "+
			"finite-sample shortfall of an ideal random %d² image (%.4f bits)", spec.CropSize, bias)))
	cs = append(cs, results.Check(sec+" (scheme as written)", "Cipher-image entropy is close to the ideal 8 bits", 8,
		col(asWritten, battery.Entropy), "bits", results.AtLeast, entThresh, 0,
		"Mean over crops, cipher \"bitplane-xor\" (the paper's two keystreams with no permutation/diffusion)"))
	cs = append(cs, results.Check("RITEM-CF-AN §4, Fig. 10", "NPCR is generally more than 99.50 %", PaperNPCR,
		col(full, battery.NPCR), "%", results.AtLeast, PaperNPCR, 0,
		"Mean NPCR over crops for a one-pixel plaintext change, cipher \"bitplane\" (keystreams + our permutation/diffusion stage)"))
	cs = append(cs, results.Check("RITEM-CF-AN §4, Fig. 10 (scheme as written)", "NPCR is generally more than 99.50 %", PaperNPCR,
		col(asWritten, battery.NPCR), "%", results.AtLeast, PaperNPCR, 0,
		"Cipher \"bitplane-xor\": XOR with a key-only keystream cannot spread a one-pixel change, so NPCR = 100/L %"))
	cs = append(cs, results.Check("RITEM-CF-AN §4, Fig. 11", "UACI is generally more than 33.50 %", PaperUACI,
		col(full, battery.UACI), "%", results.AtLeast, PaperUACI, 0,
		fmt.Sprintf("Mean UACI over crops, cipher \"bitplane\". Caveat: the expected UACI of an ideal cipher is %.4f %%, "+
			"below the paper's 33.50 %%, so exceeding 33.50 %% is not evidence of better diffusion (an ideal cipher's mean would not); "+
			"Wu's UACI interval test (security table, \"UACI pass %%\") is the sound criterion", idealUACI)))
	cs = append(cs, results.Check("RITEM-CF-AN §4, Fig. 11 (scheme as written)", "UACI is generally more than 33.50 %", PaperUACI,
		col(asWritten, battery.UACI), "%", results.AtLeast, PaperUACI, 0,
		"Cipher \"bitplane-xor\" (no diffusion)"))
	maxCorr := 0.0
	for _, m := range []battery.Metric{battery.CorrH, battery.CorrV, battery.CorrD} {
		maxCorr = math.Max(maxCorr, math.Abs(col(full, m)))
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

// The paper's differential bars (RITEM-CF-AN §4, Figs. 10–11: NPCR
// "generally more than 99.50 %", UACI "generally more than 33.50 %").
const (
	PaperNPCR = 99.50
	PaperUACI = 33.50
)

// summary is the page's headline: the NPCR, UACI and entropy of the
// scheme with our diffusion stage and as written, against the paper's bars.
func summary(rep *battery.Report, spec Settings, nCrops int) string {
	full, asWritten := cipher.NameBitplane, cipher.NameBitplaneXOR
	return fmt.Sprintf("Over %d crops of %d², the paper's bit-plane scheme with our permutation/diffusion stage (%q) reaches a mean NPCR of %.2f %% "+
		"and UACI of %.2f %% (the paper: above %.2f %% and %.2f %%) and an entropy of %.4f bits; as written (%q, keystreams only) "+
		"it reaches NPCR %.4g %% and UACI %.4g %%.",
		nCrops, spec.CropSize, full, rep.Mean(full, battery.NPCR), rep.Mean(full, battery.UACI), PaperNPCR, PaperUACI, rep.Mean(full, battery.Entropy),
		asWritten, rep.Mean(asWritten, battery.NPCR), rep.Mean(asWritten, battery.UACI))
}

func notes(spec Settings, nCrops int, data, hash, key string) []string {
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
		fmt.Sprintf("Noise and occlusion robustness (the paper makes no claim about it; our addition from the security battery, first %d crops): "+
			"the cipher image is damaged in transit — salt & pepper on 1 %% and 5 %% of the pixels, Gaussian noise of σ = 1 and 5 grey levels, "+
			"a block of 1/16 or 1/4 of the image set to 0 — then decrypted with the right key, and the result compared with the plain crop (PSNR, SSIM). "+
			"The paper's scheme as written (\"bitplane-xor\") passes each damaged pixel through unchanged in place; our diffusion stage "+
			"(\"bitplane\") damages the plain pixels chained to each damaged cipher pixel and the permutation scatters them over the image, "+
			"the usual price of diffusion.", battery.DefaultRobustnessCrops),
		"Key of the \"bitplane\" cipher used (derived from the run seed): " + key,
	}
}
