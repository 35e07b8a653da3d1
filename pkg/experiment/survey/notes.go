package survey

import (
	"fmt"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
)

// summary is the page's headline: how many ciphers were measured on how
// many aspects, and which of the survey's families have a registered
// scheme to judge (the others' claims are not applicable).
func summary(m *measurement, nCrops int) string {
	var judged, missing []string
	for _, f := range Families {
		var names []string
		for _, j := range members(m.ciphers, f) {
			names = append(names, m.ciphers[j].name)
		}
		if len(names) > 0 {
			judged = append(judged, fmt.Sprintf("%s (%s)", f.Name, strings.Join(names, ", ")))
		} else {
			missing = append(missing, f.Name)
		}
	}
	s := fmt.Sprintf("%d registered ciphers measured on the survey's %d aspects over %d crops of %d²; of its %d families, ",
		len(m.ciphers), len(Aspects), nCrops, m.cropSize, len(Families))
	if len(judged) == 0 {
		s += "none has a registered scheme"
	} else {
		s += strings.Join(judged, " and ") + plural(len(judged), " is", " are") + " judged"
	}
	if len(missing) > 0 {
		s += fmt.Sprintf("; %s%s no registered scheme, so %s claims are not applicable",
			strings.Join(missing, " and "), plural(len(missing), " has", " have"), plural(len(missing), "its", "their"))
	}
	return s + "."
}

// plural picks one for n == 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// notes are the report's paragraphs: the profile, how grouping works,
// every choice and deviation.
func notes(m *measurement, spec Settings, nCrops int, data, hash, attackNote string, trained []string) []string {
	learned := "No trained cipher was bound (the run had no GoMLX backend), so the learned families' columns are missing."
	if len(trained) > 0 {
		learned = "Trained ciphers measured: " + strings.Join(trained, ", ") + ". Each is the model its experiment trains for this profile " +
			"(experiment.RegisterTrainedCiphers: trained once as that experiment's cached unit and read from the cache by the other), " +
			"registered in pkg/cipher like every other scheme; their numbers depend on the GoMLX backend that trained them. They are " +
			"measured here on this page's crops, which include images they trained on; their own pages measure them on held-out images."
	}
	var cols []string
	for _, d := range m.ciphers {
		cols = append(cols, fmt.Sprintf("%q (%s)", d.name, d.class))
	}
	var fams []string
	for _, f := range Families {
		var cls []string
		for _, c := range f.Classes {
			cls = append(cls, fmt.Sprintf("%q", c))
		}
		var names []string
		for _, j := range members(m.ciphers, f) {
			names = append(names, m.ciphers[j].name)
		}
		who := "none registered"
		if len(names) > 0 {
			who = strings.Join(names, ", ")
		}
		fams = append(fams, fmt.Sprintf("%s = class %s (%s)", f.Name, strings.Join(cls, " or "), who))
	}
	return []string{
		"The survey compares four families of neural image ciphers on six aspects in words only (its §3 and Tables 1–2): no scheme, " +
			"image, key or number is given. This page puts a number on every aspect for every cipher registered in pkg/cipher, and turns each " +
			"of the survey's words (\"very large\", \"low\", \"stronger\") into an explicit rule, stated in the claims table with the value it judged.",
		fmt.Sprintf("Data: %d crops of %d² from %s (content hash %s); key sensitivity on the first %d crops, noise resistance on the first %d, "+
			"attacks with %d known pairs. Profiles: %s; paper is the papers' setting (BOSSbase 1.01).",
			nCrops, spec.CropSize, data, hash, m.keyCrops, m.robust, spec.KnownPairs, profiles()),
		"Ciphers, in column order: " + strings.Join(cols, ", ") + ". The experiment measures every registered scheme (cipher.Names()), so a " +
			"cipher registered later appears with no edit here; columns are grouped by cipher.ClassOf — the survey's families first, then the " +
			"schemes measured beside them (adversarial NN, the classical AES-256-CTR baseline, unclassified). Deliberately weak controls " +
			"(cipher.IsControl, such as perm-only, a permutation that keeps the plain image's histogram) are left out: a control exists for the " +
			"recognition experiment's classifier and says nothing about the survey's families. " + learned,
		"Families judged in the claims: " + strings.Join(fams, "; ") + ". The survey's §2.1 counts keystreams of chaotic maps " +
			"(Logistic, Lorenz: \"chaotic neural network based on input perturbation\") as chaotic NNs, so the \"chaotic map\" class (the bit-plane " +
			"ciphers) stands for the chaotic-NN family beside the Hopfield-type \"chaotic NN\" class. An absolute statement (\"the key space is very " +
			"large\") must hold for every member, so the least favourable member's value is judged; a comparison between families (\"convolutional " +
			"NN: smaller key space\") compares the means over members and counts a difference only beyond a stated resolution. A family with no " +
			"registered scheme has its claims \"not applicable\", naming the issue that will add one.",
		"Measures. Key space: log2 of the number of keys the scheme hands out (cipher.KeySpacer, after the survey's eq. (1) with ΔX the float64 " +
			fmt.Sprintf("spacing at each parameter's largest value), less the %d lowest mantissa bits of every float parameter, whose flips can be ", cipher.AbsorbedMantissaBits) +
			"absorbed by rounding (an equivalent key: the \"unchanged\" rows measure it) — a lower bound on the keys with distinct ciphertexts. " +
			fmt.Sprintf("Key sensitivity: the battery's test with key bits %v flipped — bit 0 and bit 52 are one ulp of the first and second parameters "+
				"(initial condition and control parameter of the chaotic keys: eq. (1)'s ΔX and Δα), bit 8 the smallest flip of the first parameter that "+
				"rounding never absorbs; the claims judge bit %d. ", FlippedBits, SensitivityBit) +
			"Correlation: adjacent-pixel correlation of the cipher image in three directions. Noise resistance: the battery's robustness test " +
			"(the cipher image is damaged, decrypted with the right key and compared with the plain crop); the claims use a score, the decrypted " +
			fmt.Sprintf("SSIM under %s divided by the SSIM of the plain crop given the same kind of noise directly, so that 1 means the cipher adds ", noiseDistortion().Name) +
			"no damage beyond the noise itself (a keystream cipher) and lower values mean the cipher spreads it. Distortion: SSIM(plain, cipher) " +
			"(eq. (14)); the survey's \"larger distortion\" is a lower SSIM. Visual entropy: global and local Shannon entropy (eq. (13)).",
		"Reading the survey's words as measurements is our choice. \"Noise resistance\" is read as the quality of decrypting a noisy cipher image " +
			"(the survey's §3.4 mixes this with the spread of plaintext and key perturbations, which the key-sensitivity and battery differential " +
			"tests measure); \"sensitivity to the initial value\" (abstract) as the key-sensitivity rule. Table 2's header puts the GAN column first " +
			"although its caption names the cellular NN first; we follow the header, whose rows agree with §3.2–3.3 (GAN: low sensitivity, " +
			"correlation partly broken; cellular NN: high sensitivity, correlation completely broken). Table 2 calls the cellular NN's noise " +
			"resistance weak while §3.4.2 credits it with significant advantages: both statements are judged.",
		attackNote,
		"What the numbers do not show. The Hopfield cipher's key sensitivity and its resistance to the chosen-plaintext attack come from its " +
			"keyed SHA-256 digests (the MAC key is a hash of the key line; the dynamic key is a keyed digest of the image), not from the " +
			"network's chaos: its chaotic orbit is a non-cryptographic generator whose low digits were never analysed as such. The keying is what " +
			"makes the receiver-side transmission of the image dependency sound: with unkeyed digests an adaptive chosen-plaintext attack " +
			"(fix the dynamic key, read the permutation off chosen images, find the target's dynamic key in its ciphertext, ask for its keystream) " +
			"decrypts a target exactly, and with keyed digests it recovers nothing (pkg/cipher, TestHopfieldUnkeyedDigestIsBroken). \"Resists\" in an " +
			"attack table means that these four generic attacks fail, not that the cipher is secure: the cellular and bit-plane ciphers use " +
			"key-only permutation and S-box diffusion, a design for which dedicated chosen-plaintext attacks are published (e.g. the survey's " +
			"ref. [7], Hu, Yu & Zhang 2020, on a chaotic Hopfield-network cipher).",
		"These ciphers are research artefacts, not replacements for AES: AES-256-CTR is the baseline column, and the attack tables show which " +
			"ciphers break under the generic plaintext attacks.",
	}
}

// profiles describes ProfileSettings in one phrase.
func profiles() string {
	var out []string
	for _, p := range experiment.Profiles {
		st := ProfileSettings[p]
		imgs := "all images"
		if st.MaxImages > 0 {
			imgs = fmt.Sprintf("%d images", st.MaxImages)
		}
		out = append(out, fmt.Sprintf("%s %d² crops, %d per image of %s, %d key-sensitivity and %d robustness crops, %d known pairs",
			p, st.CropSize, st.PerImage, imgs, st.KeyCrops, st.RobustCrops, st.KnownPairs))
	}
	return strings.Join(out, "; ")
}
