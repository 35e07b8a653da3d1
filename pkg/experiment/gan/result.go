package gan

import (
	"fmt"
	"math"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/learned"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/survey"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/models/gannet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Tolerances of `reproduce -check` for the trained model's numbers. On the
// pure Go backend a seed gives identical numbers; another backend or CPU
// rounds differently and a GAN's training amplifies that, so trained
// quantities are compared within these bounds (ours, about the spread of
// the curves' last records).
const (
	PSNRTolerance     = 3.0  // dB
	SSIMTolerance     = 0.1  // SSIM units
	LossTolerance     = 0.05 // per-pixel losses on [0, 1]
	AccuracyTolerance = 0.15 // discriminator accuracies
)

func assemble(env *experiment.Env, s Settings, tr TrainResult, name string, ms *survey.Measured, rec *learned.Reconstruction) *results.Result {
	res := &results.Result{DataHash: ms.Report.DataHash()}
	rp, _ := battery.MeanSD(rec.RightPSNR)
	wp, _ := battery.MeanSD(rec.WrongPSNR)
	d := tr.Distinguish
	res.Summary = fmt.Sprintf("After %d training steps the key holder decrypts the held-out %d² crops at %.1f dB PSNR (lossy: R is learned), "+
		"a key with one secret bit flipped at %.1f dB; a freshly trained discriminator tells the cipher images from uniform noise "+
		"with accuracy %.3f (99 %% interval %.3f–%.3f, n = %d), and the pooled histogram of their pixels gives χ² = %.1f (p = %.2g).",
		tr.Config.Steps, s.Measure.CropSize, rp, wp, d.Accuracy, d.Lower, d.Upper, d.Samples, rec.Pooled.Stat, rec.Pooled.PValue)

	recT := rec.Table(s.Measure.CropSize, WrongKeyBit, PSNRTolerance, SSIMTolerance)

	h := tr.History
	last := gannet.Losses{Disc: math.NaN(), DiscAcc: math.NaN(), Adv: math.NaN(), Rec: math.NaN(), Wrong: math.NaN(), WrongRec: math.NaN(), KeyDiff: math.NaN()}
	first := last
	if n := len(h.Losses); n > 0 {
		first, last = h.Losses[0], h.Losses[n-1]
	}
	lossCols := []string{"D loss", "D accuracy", "adversarial", "reconstruction L1", "wrong-key L1", "key difference"}
	trainT := results.Table{Name: "training", Columns: append([]string{"evaluation batch"}, lossCols...),
		Caption: fmt.Sprintf("Loss terms on the fixed evaluation batch (%d held-out crops, random keys) before and after training. "+
			"L1 and key difference are per pixel on [0, 1]; an ideal cipher's key difference is %.4g.", min(tr.EvalCrops, tr.Config.Batch), gannet.KeyMargin),
		Tolerances: map[string]float64{"D loss": LossTolerance * 10, "D accuracy": AccuracyTolerance, "adversarial": LossTolerance * 10,
			"reconstruction L1": LossTolerance, "wrong-key L1": LossTolerance, "key difference": LossTolerance}}
	for _, r := range []struct {
		label string
		l     gannet.Losses
	}{{"step 0", first}, {fmt.Sprintf("step %d", tr.Config.Steps), last}} {
		trainT.AddRow(r.label, r.l.Disc, r.l.DiscAcc, r.l.Adv, r.l.Rec, r.l.WrongRec, r.l.KeyDiff)
	}

	distT := results.Table{Name: "distinguishing tests", Columns: []string{"test", "training steps", "n", "statistic", "99 % low", "99 % high", "distinguishable"},
		Caption: fmt.Sprintf("Can the cipher images be told from uniformly random 8-bit images? (1) A discriminator of D's architecture, freshly "+
			"initialised, trained %d steps (batch %d) on the final G's cipher images of training crops under random keys against uniform images, "+
			"then tested on n fresh images: half cipher images of the %d held-out evaluation crops (under fresh keys each round), half uniform; "+
			"statistic = its accuracy, with its two-sided 99 %% Wilson interval; distinguishable if the interval excludes 1/2. (2) The χ² test of "+
			"the histogram of every cipher pixel of the reconstruction table's crops, pooled (n pixels, 255 degrees of freedom; all under that "+
			"table's one key, as one user's images would be, so it also sees the key plane reused from image to image): statistic = χ², "+
			"distinguishable if its p-value is below %g.", d.Steps, tr.Config.Batch, d.Crops, ChiSquareAlpha),
		Tolerances: map[string]float64{"statistic": AccuracyTolerance, "99 % low": AccuracyTolerance, "99 % high": AccuracyTolerance}}
	distT.AddRow("fresh discriminator: accuracy", d.Steps, d.Samples, d.Accuracy, d.Lower, d.Upper, d.Distinguishable)
	distT.AddRow("pooled histogram: χ²", 0, rec.PooledPixels, rec.Pooled.Stat, nil, nil, !rec.Pooled.Pass(ChiSquareAlpha))

	speedT := results.Table{Name: "training time", Timing: true, Columns: []string{"backend", "steps", "steps made by the last process", "s per step", "last process s"},
		Caption: "Wall time of the process that finished the training unit on this machine (a resumed run made only the steps after its checkpoint; " +
			"a cached unit shows the time of the run that trained it). Seconds per step include the periodic evaluations."}
	speedT.AddRow(env.Backend.Name(), tr.Config.Steps, tr.StepsRun, tr.StepSeconds, tr.Seconds)

	res.Tables = append(res.Tables, recT, trainT, distT)
	res.Tables = append(res.Tables, ms.Report.Tables()...)
	res.Tables = append(res.Tables, ms.Table, speedT)

	res.Figures = append(res.Figures, results.Figure{Name: "samples", Kind: results.KindImages, Images: rec.Panels,
		Title: "Plain, cipher, decrypted and wrong-key images",
		Caption: fmt.Sprintf("The held-out %d² crops with the most detail (largest pixel standard deviation), one per row: %s (source image and "+
			"top-left corner); under one key; the wrong key has secret bit %d flipped.", s.Measure.CropSize, strings.Join(rec.Where, "; "), WrongKeyBit)})
	res.Figures = append(res.Figures, Curves(h)...)
	if figs, err := ms.Report.Figures(name); err == nil {
		res.Figures = append(res.Figures, figs...)
	}

	res.Claims = append(learned.FamilyClaims(ms.Claims, survey.GAN.Name), distinguishClaim(d, rec.Pooled, rec.PooledPixels), perturbationClaim())
	res.Notes = notes(env, s, tr, name)
	return res
}

// Curves are the training curves of a run: G/R's loss terms and the
// adversarial game (D's loss and accuracy, G's adversarial loss), one
// figure each, against the training step.
func Curves(h gannet.History) []results.Figure {
	x := make([]float64, len(h.Step))
	for i, s := range h.Step {
		x[i] = float64(s)
	}
	series := func(name string, get func(gannet.Losses) float64) results.Series {
		y := make([]float64, len(h.Losses))
		for i, l := range h.Losses {
			y[i] = get(l)
		}
		return results.Series{Name: name, X: x, Y: y}
	}
	return []results.Figure{
		{Name: "curves-generator", Kind: results.KindLine, Title: "G/R loss terms during training", XLabel: "training step", YLabel: "per pixel on [0, 1]",
			Caption: fmt.Sprintf("On the fixed evaluation batch. The adversarial weight is 0 during the warm-up, then ramps up; %.4g is an ideal "+
				"key difference, %.4g the wrong-key hinge's margin.", gannet.KeyMargin, gannet.WrongMargin),
			Series: []results.Series{
				series("reconstruction L1 |R(c, z) − x|", func(l gannet.Losses) float64 { return l.Rec }),
				series("wrong-key L1 |R(c, z′) − x|", func(l gannet.Losses) float64 { return l.WrongRec }),
				series("key difference |G(x, z) − G(x, z′)|", func(l gannet.Losses) float64 { return l.KeyDiff }),
				series(fmt.Sprintf("key hinge max(0, %.3g − difference)", gannet.KeyMargin), func(l gannet.Losses) float64 { return l.Key }),
				series(fmt.Sprintf("wrong-key hinge max(0, %.3g − wrong-key L1)", gannet.WrongMargin), func(l gannet.Losses) float64 { return l.Wrong }),
			}},
		{Name: "curves-discriminator", Kind: results.KindLine, Title: "The adversarial game", XLabel: "training step", YLabel: "loss (nats) / accuracy",
			Caption: "D's cross-entropy and accuracy (1/2 = chance) and G's non-saturating adversarial loss −log D(G(x, z)) (ln 2 at D's indifference).",
			Series: []results.Series{
				series("D accuracy", func(l gannet.Losses) float64 { return l.DiscAcc }),
				series("D loss", func(l gannet.Losses) float64 { return l.Disc }),
				series("G adversarial loss", func(l gannet.Losses) float64 { return l.Adv }),
			}},
	}
}

// DistinguishMargin is how close to chance the distinguishing claim wants
// the fresh discriminator: its whole 99 % interval within 1/2 ± this.
// Ours: a discriminator 7.5 points better than chance would already be a
// practical distinguisher.
const DistinguishMargin = 0.075

// ChiSquareAlpha is the significance level of the pooled histogram test
// (the battery's per-crop χ² test uses the same).
const ChiSquareAlpha = 0.01

// distinguishClaim judges the survey's framing of the family: its
// generator makes pseudo-ciphertexts that cannot be told from the target
// distribution — by a freshly trained discriminator (d) nor by the pooled
// histogram of the cipher pixels (pooled, over pixels pixels).
func distinguishClaim(d gannet.DistinguishResult, pooled metrics.ChiSquareResult, pixels int) results.Claim {
	histOK := pooled.Pass(ChiSquareAlpha)
	c := results.Claim{Paper: "Survey §2.4", Statement: "GAN: the generator's pseudo-ciphertexts cannot be told from the target (uniformly random) ciphertext distribution",
		PaperValue: 0.5, Measured: d.Accuracy, Unit: "accuracy", Tolerance: AccuracyTolerance,
		Why: fmt.Sprintf("Rule: two distinguishers. (1) A discriminator freshly trained on the final generator's cipher images against uniform "+
			"images, tested on n = %d images (half cipher images of %d held-out crops, half uniform): its two-sided 99 %% Wilson interval is %.3f–%.3f. "+
			"(2) The χ² test of the pooled histogram of %d cipher pixels: χ² = %.1f, p = %.2g. Not reproduced if either distinguishes (the "+
			"interval excludes 1/2, or p < %g); reproduced if neither does and the interval lies within 1/2 ± %g; inconclusive otherwise "+
			"(too few test images to tell). The measured value is (1)'s accuracy.",
			d.Samples, d.Crops, d.Lower, d.Upper, pixels, pooled.Stat, pooled.PValue, ChiSquareAlpha, DistinguishMargin)}
	switch {
	case d.Samples == 0 || math.IsNaN(d.Accuracy):
		c.Verdict = results.Inconclusive
	case d.Distinguishable || !histOK:
		c.Verdict = results.NotReproduced
	case d.Lower >= 0.5-DistinguishMargin && d.Upper <= 0.5+DistinguishMargin:
		c.Verdict = results.Reproduced
	default:
		c.Verdict = results.Inconclusive
	}
	return c
}

func notes(env *experiment.Env, s Settings, tr TrainResult, name string) []string {
	c := tr.Config
	dil := strings.Trim(fmt.Sprint(gannet.MixerDilations()), "[]")
	rf := gannet.ReceptiveField
	return []string{
		fmt.Sprintf("Data: %d training crops of %d² (the training images of %s) and %d held-out crops for evaluation; the battery, the "+
			"reconstruction table and the samples use %d² crops (%d per image) of the held-out images only, so no number comes from an image "+
			"the GAN trained on. The survey page measures the same model on its own crops, which include training images.",
			tr.TrainCrops, c.Crop, env.Data.Name(), tr.EvalCrops, s.Measure.CropSize, s.Measure.PerImage),
		fmt.Sprintf("The model (pkg/models/gannet, ours: the survey describes the family, not a network). G(x, z): x and the key plane z "+
			"concatenated, %d dilated 3×3 convolutions of width %d (dilations %s) with leaky ReLUs, a 1×1 convolution and a sigmoid give a "+
			"code a ∈ (0, 1), and the cipher image is c = (a + z) mod 1, cut into %d levels of equal width (straight-through gradient). "+
			"R(c, z) unmasks (c − z) mod 1 and decodes it with the same body. D: three 3×3 convolutions with 2×2 space-to-depth between them, "+
			"global mean, a dense logit. The key plane: the %d-bit secret's SHA-256 gives %d logistic maps (r ∈ [%g, %g)) their initial values "+
			"and control parameters; the XOR of their keystream bits gives one uniform value per pixel (pkg/chaos).",
			len(gannet.MixerDilations()), c.Channels, dil, gannet.Levels, gannet.SecretBits, gannet.KeyPlaneMaps, gannet.KeyPlaneRMin, gannet.KeyPlaneRMax),
		fmt.Sprintf("Losses and schedule: G/R minimise %g·adv + %g·rec + %g·key + %g·wrong — the non-saturating GAN loss −log D(G(x, z)) "+
			"(Goodfellow et al. §3; the seed paper's eq. (1) is the minimax form), L1 reconstruction, a key-difference hinge "+
			"max(0, %.4g − |G(x, z) − G(x, z′)|) (the mean distance of two independent uniform images) and a wrong-key hinge "+
			"max(0, %.4g − |R(c, z′) − x|); D minimises the binary cross-entropy of uniform images (1) against cipher images (0). One D step "+
			"then one G/R step per batch of %d, each player with its own Adam (learning rate %g, β = (%g, %g)) updating only its own "+
			"variables; the adversarial weight is 0 for the first %d steps and reaches full weight after %d.",
			c.AdvWeight, c.RecWeight, c.KeyWeight, c.WrongWeight, gannet.KeyMargin, gannet.WrongMargin, c.Batch, c.LearningRate,
			gannet.Beta1, gannet.Beta2, c.Warmup, 2*c.Warmup),
		"Why the masking layer, the warm-up and the wrong-key term (measured while building it, on 16² and 32² crops): with a sigmoid output " +
			"and the adversarial term from step 0, the discriminator won at once and the reconstruction error stayed at its no-information " +
			"level (that of a constant guess); with a warm-up but no wrong-key term, R learned to decrypt without the key (wrong-key PSNR equal " +
			"to the right-key PSNR — no confidentiality); a wrong-key term strong enough to stop that stopped all learning. The modulo-1 masking " +
			"by the key plane makes the cipher image nearly as uniform as the key plane — exactly so if G's code ignored z; it does not, and the " +
			"pooled histogram test can show the difference — so the discriminator has little to learn from single pixels, and the adversarial " +
			"game settles early: the masking, more than the game, makes the ciphertext statistics.",
		fmt.Sprintf("What follows for security. Under one key the cipher is c = (a(x, z) + z) mod 1 with a depending on a %d×%d neighbourhood "+
			"of x: the key plane is a keystream reused for every image, and one pixel of the plain image changes a %d×%d block of the cipher "+
			"image at most. The battery's differential test (NPCR/UACI of a one-pixel change) and the survey page's attack tables measure what "+
			"that means. The distinguishing tests take cipher images under random keys, so they ask whether cipher images look random, not "+
			"whether two images under one key are related.", rf, rf, rf, rf),
		"Deviations and choices: the survey gives no architecture, loss weights, data or numbers for GAN ciphers; every choice above is ours. " +
			"The adversarial-perturbation GAN (the survey's family (1)) is not built: its row in the claims table is \"not applicable\". Decryption " +
			"is lossy: the reconstruction table, not a round-trip claim, says how well the key holder decrypts. DeepEDN (Ding et al. 2021) is the " +
			"family's public anchor; none of the family's papers publishes a full security battery, so no published number is compared.",
		fmt.Sprintf("The trained model's weights file (G and R) has SHA-256 %s; a key line names it (`neurocrypt keygen -cipher gan -weights FILE`), "+
			"and the run stores it under the work dir's models/gan/. The survey page judges the same statements about GANs on its own crops "+
			"(larger, and including training images): where a value is near its threshold, the two pages' verdicts can differ.", learned.WeightsSHA(tr.Weights)),
		fmt.Sprintf("Profiles: %s. Training is one cached, checkpointed unit (every %d steps; a killed run resumes, bit-identical on the go "+
			"backend); the model is registered as %q here and in the survey's table. Numbers depend on the GoMLX backend that trained the "+
			"model. On that backend a seed gives the same numbers, and `reproduce -check` compares them exactly (the committed references "+
			"are made on the go backend); the reconstruction, training and distinguishing tables also state tolerances for a check on another "+
			"backend (PSNR %g dB, SSIM %g, losses %g, accuracies %g), the battery's tables do not (their differences there are real differences "+
			"of the model).", profiles(), gannet.CheckpointEvery, name, PSNRTolerance, SSIMTolerance, LossTolerance, AccuracyTolerance),
	}
}

// profiles describes ProfileSettings in one phrase.
func profiles() string {
	out := ""
	for i, p := range experiment.Profiles {
		st := ProfileSettings[p]
		if i > 0 {
			out += "; "
		}
		out += fmt.Sprintf("%s: %d² training crops (%d per image), batch %d, %d steps, width %d, battery on %d² crops", p, st.Crop, st.PerImage,
			st.Batch, st.Steps, st.Channels, st.Measure.CropSize)
	}
	return out
}
