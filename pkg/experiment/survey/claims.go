package survey

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Thresholds of the claims' rules. The survey gives no numbers: each word
// ("very large", "low", "strong") is turned into a rule here, once.
const (
	// VeryLargeKeyBits: a "very large" key space has at least 2^256 keys,
	// the key space of the AES-256 baseline (the largest of a standard
	// cipher).
	VeryLargeKeyBits = 256
	// LargeKeyBits: a "large" key space has at least 2^128 keys, beyond
	// any brute-force search (image-cipher papers often cite 2^100).
	LargeKeyBits = 128
	// CorrSigmas: a "low" (or "completely broken") correlation is at most
	// CorrSigmas/√L in absolute value, L pixels per crop: the sample
	// correlation of an image of independent pixels has standard deviation
	// ≈ 1/√L, so this is three standard deviations of an ideal cipher.
	CorrSigmas = 3
	// EntropyBiasFactor: a "high" visual entropy is at least 8 − 3·b bits,
	// b = 255/(2 L ln 2) the expected finite-sample shortfall of the
	// plug-in entropy of L uniform random bytes (as in the bitplane
	// experiment).
	EntropyBiasFactor = 3
	// LargeDistortionSSIM: a "large" ("high") distortion is SSIM(plain,
	// cipher) ≤ 0.1: a tenth of the way from an ideal cipher's ≈ 0 (an
	// image independent of the plain one) to 1 (no distortion).
	LargeDistortionSSIM = 0.1
	// StrongNoiseScore: a "strong" noise resistance keeps ≥ 90 % of the
	// SSIM that the same noise leaves on the unencrypted image (score ≥
	// 0.9); a keystream cipher, which leaves each damaged pixel damaged in
	// place and no worse, scores ≈ 1.
	StrongNoiseScore = 0.9
	// KeyBitsResolution is the smallest key-space difference (bits) that
	// relative claims count: a factor of two in the number of keys.
	KeyBitsResolution = 1
	// NPCRResolution is the smallest NPCR difference (percentage points)
	// that relative claims count: about 20 times the crop-to-crop standard
	// deviation of an ideal cipher's NPCR at 128² (≈ 0.05 points).
	NPCRResolution = 1.0
	// ScoreResolution is the smallest difference of noise scores or of
	// SSIM values that relative claims count (5 % of their 0…1 scale).
	ScoreResolution = 0.05
	// MinTrendCiphers is the fewest ciphers a rank correlation across
	// ciphers is computed on (with fewer, the trend claims are
	// inconclusive).
	MinTrendCiphers = 4
	// MinRankCorrelation is the Spearman rank correlation a trend claim
	// needs: a clear positive association (with a handful of ciphers no
	// significance is claimed).
	MinRankCorrelation = 0.5
)

// Paper references of the claims.
const (
	refT1       = "Survey Table 1"
	refT2       = "Survey Table 2"
	refAbstract = "Survey abstract"
)

// judge holds the thresholds derived from the crop size.
type judge struct {
	m                *measurement
	npcrStar         float64 // Wu NPCR critical value at Alpha for the crops
	corrThr, corrRes float64 // low-correlation threshold and 1/√L
	entThr, entRes   float64 // high-entropy threshold and its margin below the ideal
	fams             map[string][]int
	sensitivityKey   string
}

func newJudge(m *measurement) *judge {
	l := float64(m.cropSize * m.cropSize)
	bias := float64(m.peak) / (2 * l * math.Ln2)
	j := &judge{m: m, npcrStar: math.NaN(), corrRes: 1 / math.Sqrt(l), entRes: EntropyBiasFactor * bias, fams: map[string][]int{},
		sensitivityKey: keyNPCR(SensitivityBit)}
	j.corrThr = CorrSigmas * j.corrRes
	j.entThr = 8 - j.entRes
	if m.peak != 255 {
		j.entThr = math.Log2(float64(m.peak)+1) - j.entRes
	}
	if c, err := metrics.WuCriticalValuesPeak(m.cropSize, m.cropSize, m.peak, Alpha); err == nil {
		j.npcrStar = c.NPCR
	}
	for _, f := range Families {
		j.fams[f.Name] = members(m.ciphers, f)
	}
	return j
}

// getter is a per-cipher summary value.
type getter func(j int) float64

func (jd *judge) keyBits(j int) float64 { return jd.m.ciphers[j].keyBits }
func (jd *judge) npcr(j int) float64    { return jd.m.mean(jd.sensitivityKey, j) }
func (jd *judge) corr(j int) float64    { return jd.m.maxCorr(j) }
func (jd *judge) noise(j int) float64   { return jd.m.mean(keyNoiseScore, j) }
func (jd *judge) ssim(j int) float64    { return jd.m.mean(keySSIM, j) }
func (jd *judge) entropy(j int) float64 { return jd.m.mean(keyEntropy, j) }

// measureRule is a measure with its unit and how it is read.
type measureRule struct {
	get  getter
	unit string
	what string // how the measured value is computed
}

func (jd *judge) measures() map[string]measureRule {
	return map[string]measureRule{
		AspectKeySpace: {jd.keyBits, "bits", "log2 of the key space (cipher.KeySpacer)"},
		AspectSensitivity: {jd.npcr, "%", fmt.Sprintf("mean NPCR between the ciphertexts of a crop under a key and under the key with bit %d flipped "+
			"(FlippedBits: the smallest change of the first parameter that rounding never absorbs)", SensitivityBit)},
		AspectCorrelation: {jd.corr, "", "largest |mean adjacent-pixel correlation| of the cipher images over the horizontal, vertical and diagonal directions"},
		AspectNoise: {jd.noise, "", fmt.Sprintf("noise-resistance score: mean over crops of SSIM(plain, decryption of the cipher image hit by %s) / "+
			"SSIM(plain, plain image hit by the same noise)", noiseDistortion().Name)},
		AspectDistortion: {jd.ssim, "SSIM", "mean SSIM(plain, cipher image) (eq. (14)); a larger distortion is a lower SSIM"},
		AspectEntropy:    {jd.entropy, "bits", "mean global Shannon entropy of the cipher images (eq. (13))"},
	}
}

// listing names each member's value, for the Why column.
func (jd *judge) listing(idx []int, g getter) string {
	var parts []string
	for _, j := range idx {
		parts = append(parts, fmt.Sprintf("%s (%s) %.6g", jd.m.ciphers[j].name, jd.m.ciphers[j].class, g(j)))
	}
	return strings.Join(parts, ", ")
}

// quantity prints v with its unit, if any.
func quantity(v float64, unit string) string {
	if unit == "" {
		return fmt.Sprintf("%.6g", v)
	}
	return fmt.Sprintf("%.6g %s", v, unit)
}

// notApplicable is a claim on a family with no registered scheme.
func notApplicable(ref, statement, unit, why string) results.Claim {
	return results.Claim{Paper: ref, Statement: statement, PaperValue: math.NaN(), Measured: math.NaN(), Unit: unit,
		Verdict: results.NotApplicable, Why: why}
}

// absolute judges a statement about one family: every member must pass,
// so the measured value is the least favourable member's. just says why
// the threshold stands for the survey's word.
func (jd *judge) absolute(ref string, f Family, aspect, statement string, cmp results.Comparison, threshold float64, just string) results.Claim {
	mr := jd.measures()[aspect]
	stmt := f.Name + ": " + statement
	idx := jd.fams[f.Name]
	if len(idx) == 0 {
		op := "≥"
		if cmp != results.AtLeast {
			op = "≤"
		}
		return notApplicable(ref, stmt, mr.unit, fmt.Sprintf("%s. Rule when one is: reproduced if the least favourable member's value is %s %s (%s); value: %s",
			f.Missing, op, quantity(threshold, mr.unit), just, mr.what))
	}
	worst := math.NaN()
	for k, j := range idx {
		v := mr.get(j)
		if math.IsNaN(v) { // a member without the value: inconclusive
			worst = v
			break
		}
		if k == 0 || (cmp == results.AtLeast && v < worst) || (cmp != results.AtLeast && v > worst) {
			worst = v
		}
	}
	return results.Check(ref, stmt, math.NaN(), worst, mr.unit, cmp, threshold, 0,
		fmt.Sprintf("Threshold: %s. Measured: %s; every family member must pass, so the least favourable counts (members: %s)",
			just, mr.what, jd.listing(idx, mr.get)))
}

// familyMean is the mean over a family's members of g.
func familyMean(idx []int, g getter) float64 {
	s := 0.0
	for _, j := range idx {
		s += g(j)
	}
	return s / float64(len(idx))
}

// relative judges "family f is <lower|higher> than family base": the
// difference of the family means must exceed res.
func (jd *judge) relative(ref string, f, base Family, aspect, statement string, higher bool, res float64, resWhy string) results.Claim {
	mr := jd.measures()[aspect]
	stmt := f.Name + ": " + statement
	word, cmp, thr := "lower", results.AtMost, -res
	if higher {
		word, cmp, thr = "higher", results.AtLeast, res
	}
	op := "≤ −"
	if higher {
		op = "≥ "
	}
	rule := fmt.Sprintf("measured = mean over %s members − mean over %s members, of the %s; reproduced if %s%s (%s: %s counts only beyond it)",
		f.Name, base.Name, mr.what, op, quantity(res, mr.unit), resWhy, word)
	a, b := jd.fams[f.Name], jd.fams[base.Name]
	switch {
	case len(a) == 0:
		return notApplicable(ref, stmt, mr.unit, f.Missing+". Rule when one is: "+rule)
	case len(b) == 0:
		return notApplicable(ref, stmt, mr.unit, base.Missing+". Rule when one is: "+rule)
	}
	d := familyMean(a, mr.get) - familyMean(b, mr.get)
	return results.Check(ref, stmt, math.NaN(), d, mr.unit, cmp, thr, 0,
		fmt.Sprintf("Measured = mean over %s members − mean over %s members of the %s; %s counts only beyond %s (%s). Members: %s; %s",
			f.Name, base.Name, mr.what, word, quantity(res, mr.unit), resWhy, jd.listing(a, mr.get), jd.listing(b, mr.get)))
}

// between judges "family f lies between families a and b" on one aspect.
func (jd *judge) between(ref string, f, a, b Family, aspect, statement string, res float64) results.Claim {
	mr := jd.measures()[aspect]
	stmt := f.Name + ": " + statement
	rule := fmt.Sprintf("reproduced if the %s mean lies between the %s and %s means, widened by %s on each side", f.Name, a.Name, b.Name, quantity(res, mr.unit))
	for _, x := range []Family{f, a, b} {
		if len(jd.fams[x.Name]) == 0 {
			return notApplicable(ref, stmt, mr.unit, x.Missing+". Rule when one is: "+rule)
		}
	}
	v := familyMean(jd.fams[f.Name], mr.get)
	va, vb := familyMean(jd.fams[a.Name], mr.get), familyMean(jd.fams[b.Name], mr.get)
	lo, hi := math.Min(va, vb)-res, math.Max(va, vb)+res
	c := results.Claim{Paper: ref, Statement: stmt, PaperValue: math.NaN(), Measured: v, Unit: mr.unit,
		Why: fmt.Sprintf("%s: [%.6g, %.6g]. Measured: %s (%s %.6g, %s %.6g)", rule, lo, hi, mr.what, a.Name, va, b.Name, vb)}
	switch {
	case math.IsNaN(v) || math.IsNaN(lo) || math.IsNaN(hi):
		c.Verdict = results.Inconclusive
	case v >= lo && v <= hi:
		c.Verdict = results.Reproduced
	default:
		c.Verdict = results.NotReproduced
	}
	return c
}

// familyCiphers are the non-control members of every survey family.
func (jd *judge) familyCiphers() []int {
	var idx []int
	for _, f := range Families {
		idx = append(idx, jd.fams[f.Name]...)
	}
	slices.Sort(idx)
	return idx
}

// trend judges "higher x goes with higher y" across the family ciphers by
// Spearman's rank correlation; differences below a measure's resolution
// (xRes, yRes) are noise, so a measure whose range across the ciphers is
// below it makes the claim inconclusive.
func (jd *judge) trend(statement string, x, y getter, xRes, yRes float64, xWhat, yWhat string) results.Claim {
	idx := jd.familyCiphers()
	var xs, ys []float64
	for _, j := range idx {
		if vx, vy := x(j), y(j); !math.IsNaN(vx) && !math.IsNaN(vy) {
			xs, ys = append(xs, vx), append(ys, vy)
		}
	}
	rho := math.NaN()
	if len(xs) >= MinTrendCiphers && spread(xs) >= xRes && spread(ys) >= yRes {
		rho = spearman(xs, ys)
	}
	c := results.Check(refAbstract, statement, math.NaN(), rho, "", results.AtLeast, MinRankCorrelation, 0,
		fmt.Sprintf("Measured: Spearman rank correlation, over the %d ciphers of the survey's families (controls left out), between %s and %s; "+
			"inconclusive with fewer than %d ciphers, or when either measure spans less than its resolution across them (%s, %s: "+
			"smaller differences are noise). Ciphers: %s",
			len(xs), xWhat, yWhat, MinTrendCiphers, quantity(xRes, ""), quantity(yRes, ""), jd.listing(idx, x)+" | "+jd.listing(idx, y)))
	return c
}

// spread is max(v) − min(v) (0 for an empty v).
func spread(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return slices.Max(v) - slices.Min(v)
}

// spearman is Spearman's rank correlation (average ranks for ties; NaN
// when either variable is constant).
func spearman(x, y []float64) float64 {
	rx, ry := ranks(x), ranks(y)
	mx, my := familyMean(seq(len(rx)), func(i int) float64 { return rx[i] }), familyMean(seq(len(ry)), func(i int) float64 { return ry[i] })
	var sxy, sxx, syy float64
	for i := range rx {
		sxy += (rx[i] - mx) * (ry[i] - my)
		sxx += (rx[i] - mx) * (rx[i] - mx)
		syy += (ry[i] - my) * (ry[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// ranks returns the ranks (1-based, ties averaged) of v.
func ranks(v []float64) []float64 {
	idx := seq(len(v))
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case v[a] < v[b]:
			return -1
		case v[a] > v[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		k := i
		for k+1 < len(idx) && v[idx[k+1]] == v[idx[i]] {
			k++
		}
		for t := i; t <= k; t++ {
			r[idx[t]] = float64(i+k)/2 + 1
		}
		i = k + 1
	}
	return r
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// implication judges the abstract's "sensitive to the initial value ⇒
// large key space and low neighbouring correlation": among the family
// ciphers that pass the key-sensitivity rule, count those with a key space
// below LargeKeyBits or a correlation above the low-correlation threshold.
func (jd *judge) implication() results.Claim {
	var sensitive, bad []string
	for _, j := range jd.familyCiphers() {
		if !(jd.npcr(j) >= jd.npcrStar) {
			continue
		}
		d := jd.m.ciphers[j]
		sensitive = append(sensitive, d.name)
		if kb := jd.keyBits(j); !(kb >= LargeKeyBits) || jd.corr(j) > jd.corrThr {
			bad = append(bad, fmt.Sprintf("%s (key space %.6g bits, max |corr| %.4g)", d.name, kb, jd.corr(j)))
		}
	}
	measured := math.NaN()
	if len(sensitive) > 0 {
		measured = float64(len(bad))
	}
	return results.Check(refAbstract, "a model sensitive to the initial value has a relatively large key space and low correlation of neighbouring pixels",
		math.NaN(), measured, "ciphers", results.AtMost, 0, 0,
		fmt.Sprintf("Measured: the number of sensitive ciphers of the survey's families (key-sensitivity rule: mean NPCR for key bit %d ≥ %.6g %%) "+
			"whose key space is below %d bits (or not stated) or whose largest |correlation| exceeds %.4g; inconclusive when no cipher is sensitive. "+
			"Sensitive: [%s]; failing: [%s]", SensitivityBit, jd.npcrStar, LargeKeyBits, jd.corrThr, strings.Join(sensitive, ", "), strings.Join(bad, "; ")))
}

// claims judges every statement of the survey's Tables 1–2, §3 and
// abstract that the aspects can test.
func claims(m *measurement) []results.Claim {
	jd := newJudge(m)
	sens := fmt.Sprintf("Wu et al.'s NPCR critical value for %d² crops at α = %g, what one image of an ideal cipher exceeds with probability 1 − α",
		m.cropSize, Alpha)
	insens := fmt.Sprintf("Wu et al.'s NPCR critical value for %d² crops at α = %g: \"low\" is failing the chaotic NN's \"very sensitive\" rule",
		m.cropSize, Alpha)
	low := fmt.Sprintf("%d/√L with L = %d pixels, %d standard deviations of the sample correlation of an image of independent pixels",
		CorrSigmas, m.cropSize*m.cropSize, CorrSigmas)
	strong := fmt.Sprintf("decryption keeps ≥ %g %% of the SSIM the same noise leaves on the plain image; a keystream cipher scores ≈ 1",
		100*StrongNoiseScore)
	weak := "\"weak\" is failing the \"strong\" rule"
	large := "a tenth of the way from an ideal cipher's SSIM ≈ 0 to no distortion (1)"
	high := fmt.Sprintf("8 − %d·255/(2L ln 2), %d times the expected entropy shortfall of an ideal random %d² image below 8 bits",
		EntropyBiasFactor, EntropyBiasFactor, m.cropSize)
	veryLarge := "the AES-256 baseline's key space"
	largeKey := "2^128 keys, beyond any brute-force search"

	t1 := func(sec string) string { return refT1 + " (" + sec + ")" }
	t2 := func(sec string) string { return refT2 + " (" + sec + ")" }
	cs := []results.Claim{
		jd.absolute(t1("§3.1.1"), ChaoticNN, AspectKeySpace, "key space size is very large", results.AtLeast, VeryLargeKeyBits, veryLarge),
		jd.absolute(t1("§3.2.1"), ChaoticNN, AspectSensitivity, "the key is very sensitive: even small key changes significantly change the encryption result", results.AtLeast, jd.npcrStar, sens),
		jd.absolute(t1("§3.3.1"), ChaoticNN, AspectCorrelation, "neighbouring pixel correlation is lower (almost zero)", results.AtMost, jd.corrThr, low),
		jd.absolute(t1("§3.4.1"), ChaoticNN, AspectNoise, "noise resistance is stronger", results.AtLeast, StrongNoiseScore, strong),
		jd.absolute(t1("§3.6"), ChaoticNN, AspectDistortion, "image distortion is larger", results.AtMost, LargeDistortionSSIM, large),
		jd.absolute(t1("§3.5"), ChaoticNN, AspectEntropy, "visual entropy is higher", results.AtLeast, jd.entThr, high),

		jd.relative(t1("§3.1.3"), ConvolutionalNN, ChaoticNN, AspectKeySpace, "key space is smaller than the chaotic NN's", false, KeyBitsResolution, "a factor of two in the number of keys"),
		jd.relative(t1("§3.2.3"), ConvolutionalNN, ChaoticNN, AspectSensitivity, "key sensitivity is lower than the chaotic NN's", false, NPCRResolution, "about 20 crop-to-crop standard deviations of an ideal cipher's NPCR"),
		jd.relative(t1("§3.3.3"), ConvolutionalNN, ChaoticNN, AspectCorrelation, "neighbouring pixel correlation is higher than the chaotic NN's", true, jd.corrRes, "1/√L, one standard deviation of an ideal cipher's sample correlation"),
		jd.relative(t1("§3.4.3"), ConvolutionalNN, ChaoticNN, AspectNoise, "noise resistance is weaker than the chaotic NN's", false, ScoreResolution, "5 % of the score's scale"),
		jd.relative(t1("§3.6"), ConvolutionalNN, ChaoticNN, AspectDistortion, "image distortion is smaller than the chaotic NN's (higher SSIM)", true, ScoreResolution, "5 % of SSIM's scale"),
		jd.relative(t1("§3.5"), ConvolutionalNN, ChaoticNN, AspectEntropy, "visual entropy is lower than the chaotic NN's", false, jd.entRes, "three times an ideal image's expected entropy shortfall"),

		jd.absolute(t2("§3.1.4"), GAN, AspectKeySpace, "key space size is large", results.AtLeast, LargeKeyBits, largeKey),
		jd.absolute(t2("§3.2.4"), GAN, AspectSensitivity, "key sensitivity is low: key changes have limited effect on the encryption result", results.AtMost, jd.npcrStar, insens),
		jd.absolute(t2("§3.3.4"), GAN, AspectCorrelation, "neighbouring pixel correlation can be broken to some extent, but local correlation may remain", results.AtMost, m.plainMax,
			"the plain crops' mean largest |correlation|: below it, correlation is broken to some extent (\"may remain\" cannot be tested)"),
		jd.absolute(t2("§3.4.4"), GAN, AspectNoise, "noise resistance is strong: good suppression of random noise", results.AtLeast, StrongNoiseScore, strong),
		jd.absolute(t2("§3.6"), GAN, AspectDistortion, "image distortion is high", results.AtMost, LargeDistortionSSIM, large),
		jd.absolute(t2("§3.5"), GAN, AspectEntropy, "visual entropy is high", results.AtLeast, jd.entThr, high),

		jd.absolute(t2("§3.1.2"), CellularNN, AspectKeySpace, "key space size is large", results.AtLeast, LargeKeyBits, largeKey),
		jd.absolute(t2("§3.2.2"), CellularNN, AspectSensitivity, "key sensitivity is high: key changes lead to significant image differences", results.AtLeast, jd.npcrStar, sens),
		jd.absolute(t2("§3.3.2"), CellularNN, AspectCorrelation, "nonlinear dynamic evolution breaks pixel correlation completely", results.AtMost, jd.corrThr, low),
		jd.absolute(refT2, CellularNN, AspectNoise, "noise resistance is weak: noise effects spread easily", results.AtMost, StrongNoiseScore,
			weak+". The survey contradicts itself here: §3.4.2 credits cellular NNs with enhanced noise resistance (next claim)"),
		jd.absolute("Survey §3.4.2", CellularNN, AspectNoise, "cellular NNs show significant advantages in noise resistance", results.AtLeast, StrongNoiseScore,
			strong+". Contradicts Table 2 (previous claim); at most one of the two can be reproduced"),
		jd.absolute(t2("§3.6"), CellularNN, AspectDistortion, "image distortion is high", results.AtMost, LargeDistortionSSIM, large),
		jd.absolute(t2("§3.5"), CellularNN, AspectEntropy, "visual entropy is high: significant entropy increase by nonlinear dynamic evolution", results.AtLeast, jd.entThr, high),

		jd.between("Survey §3.3.4", GAN, ChaoticNN, ConvolutionalNN, AspectCorrelation, "performance between chaotic NN and convolutional NN (neighbouring pixel correlation)", jd.corrRes),
		jd.between("Survey §3.6", GAN, ChaoticNN, ConvolutionalNN, AspectDistortion, "distortion ability between chaotic NN and convolutional NN", ScoreResolution),

		jd.trend("if the encrypted image is highly resistant to noise, the distortion of the image is larger", jd.noise,
			func(j int) float64 { return 1 - jd.ssim(j) }, ScoreResolution, ScoreResolution, "the noise-resistance score", "the distortion 1 − SSIM(plain, cipher)"),
		jd.trend("if the encrypted image is highly resistant to noise, its visual entropy is higher", jd.noise, jd.entropy,
			ScoreResolution, jd.entRes, "the noise-resistance score", "the global entropy of the cipher image"),
		jd.implication(),
	}
	return cs
}
