package agile

import (
	"fmt"
	"math"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/learned"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/survey"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/models/agilenet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Tolerances of `reproduce -check` for the trained models' numbers (on
// the pure Go backend a seed gives identical numbers; another backend
// rounds differently and training amplifies that).
const (
	PSNRTolerance     = 3.0  // dB
	SSIMTolerance     = 0.1  // SSIM units
	LossTolerance     = 0.05 // per-pixel losses
	AccuracyTolerance = 0.15 // accuracies and Dice
	EntropyTolerance  = 0.1  // bits per pixel
	NoiseTolerance    = 0.1  // noise-resistance scores
	NPCRTolerance     = 5.0  // NPCR, %
)

// Claim rules (ours; the abstract gives no numbers).
const (
	// AgilityMarginDB: unseen keys decrypt "as well as" training keys when
	// their mean PSNR is at most this much lower.
	AgilityMarginDB = 1.0
	// DecryptsMarginDB: a key decrypts (rather than not) when its PSNR
	// beats the one-bit-wrong key's by at least this much.
	DecryptsMarginDB = 3.0
	// EntropyMargin and CorrMargin: "high security" (the statistical
	// tests) holds when the cipher images' mean entropy is within
	// EntropyMargin bits of AES-CTR's on the same crops and no direction's
	// mean adjacent correlation exceeds CorrMargin in magnitude.
	EntropyMargin, CorrMargin = 0.01, 0.02
	// InferenceMargin: authorised inference "works" when its accuracy
	// (Dice) is within this of the plain-image ceiling; unauthorised
	// inference "does not" when it is more than 2× this below it.
	InferenceMargin = 0.05
	// WuAlpha is the significance level of Wu's NPCR test.
	WuAlpha = 0.05
)

func assemble(env *experiment.Env, t *trained, abl []TrainResult, tk TaskResult, ms *survey.Measured, rec *learned.Reconstruction) *results.Result {
	s, tr := t.s, t.tr
	res := &results.Result{DataHash: ms.Report.DataHash()}
	rp, _ := battery.MeanSD(rec.RightPSNR)
	wp, _ := battery.MeanSD(rec.WrongPSNR)
	res.Summary = fmt.Sprintf("After %d training steps the key holder decrypts the held-out %d² crops at %.1f dB PSNR (lossy: D is learned), a key "+
		"with one secret bit flipped at %.1f dB; keys never seen in training decrypt %s. Without post-processing the cipher keeps local structure "+
		"(one plain pixel moves at most a %d×%d block); the chaotic diffusion form spreads it forward in raster order. %s",
		tr.Config.Steps, s.Measure.CropSize, rp, wp, agilityPhrase(tr.Eval), agilenet.ReceptiveField, agilenet.ReceptiveField, taskPhrase(tk))
	if !(rp >= wp+DecryptsMarginDB) {
		res.Summary += fmt.Sprintf(" At this profile the model has not learned to use the key (the right key does not beat a wrong one by %g dB): "+
			"its numbers show the code path, not the cipher.", DecryptsMarginDB)
	}
	if plain := bestOf(tk.Classify, accuracy, SettingPlain); !(plain > 1/float64(len(classNames()))+2*InferenceMargin) {
		res.Summary += " The task networks have not learned either (the plain-image classifier does not beat chance): the inference numbers mean nothing here."
	}

	res.Tables = append(res.Tables, rec.Table(s.Measure.CropSize, WrongKeyBit, PSNRTolerance, SSIMTolerance), agilityTable(tr), curveTable(tr.KeyCurve))
	if len(abl) > 0 {
		res.Tables = append(res.Tables, ablationTable(tr, abl))
	}
	res.Tables = append(res.Tables, taskTable(tk), trainingTable(tr))
	res.Tables = append(res.Tables, ms.Report.Tables()...)
	timeT := results.Table{Name: "training time", Timing: true, Columns: []string{"model", "backend", "steps", "steps made by the last process", "s per step", "last process s"},
		Caption: "Wall time of the process that finished each training unit on this machine (a resumed run made only the steps after its checkpoint; " +
			"a cached unit shows the time of the run that trained it). Seconds per step include the periodic evaluations."}
	timeT.AddRow("main", env.Backend.Name(), tr.Config.Steps, tr.StepsRun, tr.StepSeconds, tr.Seconds)
	for i, a := range abl {
		timeT.AddRow(ablationLabel(Terms[i]), env.Backend.Name(), a.Config.Steps, a.StepsRun, a.StepSeconds, a.Seconds)
	}
	timeT.AddRow("inference tasks (both networks)", env.Backend.Name(), 2*s.Task.Steps, nil, nil, tk.Seconds)
	res.Tables = append(res.Tables, ms.Table, timeT)

	res.Figures = append(res.Figures, results.Figure{Name: "samples", Kind: results.KindImages, Images: rec.Panels,
		Title: "Plain, cipher (three forms), decrypted and wrong-key images",
		Caption: fmt.Sprintf("The held-out %d² crops with the most detail, one per row: %s (source image and top-left corner); under one key: E's "+
			"cipher image, then the obfuscated and diffused forms, the decryption and the decryption with secret bit %d flipped.",
			s.Measure.CropSize, strings.Join(rec.Where, "; "), WrongKeyBit)})
	res.Figures = append(res.Figures, Curves(tr.History), curveFigure(tr.KeyCurve))
	if figs, err := ms.Report.Figures(t.names[0]); err == nil {
		res.Figures = append(res.Figures, figs...)
	}
	res.Claims = append(claims(t, tk, ms), learned.FamilyClaims(ms.Claims, survey.ConvolutionalNN.Name)...)
	res.Notes = notes(env, t, tk, rec, ms)
	return res
}

// agilityPhrase summarises the agility rows.
func agilityPhrase(e ModelEval) string {
	tk, un := e.Row(RowTrainKeys), e.Row(RowUnseenKeys)
	if un == nil {
		return "(not measured)"
	}
	u, _ := battery.MeanSD(un.PSNR)
	if tk == nil {
		return fmt.Sprintf("at %.1f dB", u)
	}
	k, _ := battery.MeanSD(tk.PSNR)
	return fmt.Sprintf("at %.1f dB against %.1f dB for training keys", u, k)
}

// taskPhrase summarises the inference tasks.
func taskPhrase(tk TaskResult) string {
	return fmt.Sprintf("On the shapes task a classifier trained on plain images scores %.2f on plain test images, %.2f through the authorised "+
		"decryption and %.2f through a wrong key's (chance %.2f); the segmenter's Dice is %.2f, %.2f and %.2f.",
		bestOf(tk.Classify, accuracy, SettingPlain), bestOf(tk.Classify, accuracy, SettingAuthorised), bestOf(tk.Classify, accuracy, SettingUnauthorised),
		1/float64(len(classNames())), bestOf(tk.Segment, dice, SettingPlain), bestOf(tk.Segment, dice, SettingAuthorised),
		bestOf(tk.Segment, dice, SettingUnauthorised))
}

func agilityTable(tr TrainResult) results.Table {
	t := results.Table{Name: "agility: keys", Columns: []string{"decryption", "keys", "crops", "PSNR dB", "PSNR sd", "SSIM", "SSIM sd"},
		Caption: fmt.Sprintf("The held-out evaluation crops (%d² crops of the training plan's test images) encrypted and decrypted by the trained "+
			"networks (no post-processing), crop i under key i mod n: keys of the training pool (the model trained on %d keys), keys never seen "+
			"in training, those unseen keys with secret bit 0 flipped, and no decryption. A key change needs no retraining when unseen keys "+
			"decrypt as well as training keys.", tr.Config.Crop, tr.Config.KeyPool),
		Tolerances: map[string]float64{"PSNR dB": PSNRTolerance, "PSNR sd": PSNRTolerance, "SSIM": SSIMTolerance, "SSIM sd": SSIMTolerance}}
	for _, r := range tr.Eval.Rows {
		pm, ps := battery.MeanSD(r.PSNR)
		sm, ss := battery.MeanSD(r.SSIM)
		t.AddRow(r.Label, r.Keys, len(r.PSNR), pm, ps, sm, ss)
	}
	return t
}

func curveTable(c []CurvePoint) results.Table {
	t := results.Table{Name: "key-plane sensitivity", Columns: []string{"tile bits flipped", "of", "PSNR dB", "SSIM"},
		Caption: fmt.Sprintf("Decryption with the right key plane in which some of the %d bits of its %d×%d tile are flipped (in every period; "+
			"only bits the crops show, the \"of\" column), mean over the held-out evaluation crops. Flipping one bit of the secret gives an unrelated plane (the secret is hashed): the "+
			"agility table's wrong-key row. This curve shows how much of the plane D needs.", agilenet.PlanePeriod*agilenet.PlanePeriod,
			agilenet.PlanePeriod, agilenet.PlanePeriod),
		Tolerances: map[string]float64{"PSNR dB": PSNRTolerance, "SSIM": SSIMTolerance}}
	for _, p := range c {
		t.AddRow(p.Flipped, p.Visible, p.PSNR, p.SSIM)
	}
	return t
}

func curveFigure(c []CurvePoint) results.Figure {
	x, y := make([]float64, len(c)), make([]float64, len(c))
	for i, p := range c {
		x[i], y[i] = math.Log2(float64(p.Flipped)+1), p.PSNR
	}
	return results.Figure{Name: "key-plane-sensitivity", Kind: results.KindLine, Title: "Key-plane sensitivity", XLabel: "log2(1 + tile bits flipped)",
		YLabel: "decryption PSNR (dB)", Caption: "The key-plane sensitivity table as a curve: 0 on the x axis is the right plane.",
		Series: []results.Series{{Name: "PSNR", X: x, Y: y}}}
}

// ablationTable compares the main model with one model per dropped term.
func ablationTable(tr TrainResult, abl []TrainResult) results.Table {
	t := results.Table{Name: "ablations", Columns: []string{"model", "right key PSNR dB", "wrong key PSNR dB", "cipher entropy", "max |correlation|",
		"histogram term", "correlation term", "wrong-key L1"},
		Caption: fmt.Sprintf("Each loss term dropped in turn (its weight 0; the binary reduction, without which nothing would decrypt, replaced "+
			"by the L1 error; all else equal, %d steps): decryption PSNR on the held-out evaluation "+
			"crops under unseen keys and under those keys with secret bit 0 flipped; the cipher images' mean entropy (bits per pixel, of %d² "+
			"crops) and largest mean adjacent correlation; the final terms on the evaluation batch. What each term does: the binary reduction "+
			"is the reconstruction loss (a cross-entropy, steeper than L1 near 0 and 1); the histogram term "+
			"flattens each cipher image's histogram; the correlation term decorrelates neighbouring cipher pixels; the wrong-key term makes "+
			"decryption under another key's plane fail.", tr.Config.Steps, tr.Config.Crop),
		Tolerances: map[string]float64{"right key PSNR dB": PSNRTolerance, "wrong key PSNR dB": PSNRTolerance, "cipher entropy": EntropyTolerance,
			"max |correlation|": LossTolerance, "histogram term": LossTolerance, "correlation term": LossTolerance, "wrong-key L1": LossTolerance}}
	row := func(label string, r TrainResult) {
		right, wrong := math.NaN(), math.NaN()
		if x := r.Eval.Row(RowUnseenKeys); x != nil {
			right, _ = battery.MeanSD(x.PSNR)
		}
		if x := r.Eval.Row(RowWrongKey); x != nil {
			wrong, _ = battery.MeanSD(x.PSNR)
		}
		l := lastLosses(r.History)
		t.AddRow(label, right, wrong, r.Eval.Entropy, r.Eval.MaxCorr, l.Hist, l.Corr, l.WrongL1)
	}
	row("all terms (the model)", tr)
	for i, a := range abl {
		row(ablationLabel(Terms[i]), a)
	}
	return t
}

// ablationLabel names the model without term.
func ablationLabel(term string) string {
	if term == "binary reduction" {
		return "L1 instead of the binary reduction"
	}
	return "without the " + term + " term"
}

// lastLosses is the last record of h (NaNs if none).
func lastLosses(h agilenet.History) agilenet.Losses {
	if n := len(h.Losses); n > 0 {
		return h.Losses[n-1]
	}
	nan := math.NaN()
	return agilenet.Losses{Loss: nan, Rec: nan, L1: nan, Hist: nan, Corr: nan, Wrong: nan, WrongL1: nan}
}

func trainingTable(tr TrainResult) results.Table {
	t := results.Table{Name: "training", Columns: []string{"evaluation batch", "loss", "cross-entropy", "L1", "histogram", "correlation", "wrong-key hinge", "wrong-key L1"},
		Caption: fmt.Sprintf("Loss terms on the fixed evaluation batch (%d held-out crops, pool keys) before and after training; cross-entropy in nats "+
			"per pixel (its minimum is the plain image's binary entropy, not 0), L1 per pixel on [0, 1].", min(tr.EvalCrops, tr.Config.Batch)),
		Tolerances: map[string]float64{"loss": LossTolerance * 4, "cross-entropy": LossTolerance, "L1": LossTolerance, "histogram": LossTolerance,
			"correlation": LossTolerance, "wrong-key hinge": LossTolerance, "wrong-key L1": LossTolerance}}
	if n := len(tr.History.Losses); n > 0 {
		for _, r := range []struct {
			label string
			l     agilenet.Losses
		}{{"step 0", tr.History.Losses[0]}, {fmt.Sprintf("step %d", tr.Config.Steps), tr.History.Losses[n-1]}} {
			t.AddRow(r.label, r.l.Loss, r.l.Rec, r.l.L1, r.l.Hist, r.l.Corr, r.l.Wrong, r.l.WrongL1)
		}
	}
	return t
}

func classNames() []string { return dataset.ShapeClassNames[:] }

func taskTable(tk TaskResult) results.Table {
	t := results.Table{Name: "inference on cipher images", Columns: []string{"task", "input", "input PSNR dB", "examples", "accuracy", "Dice"},
		Caption: fmt.Sprintf("A classifier (%s) and a segmenter (object masks) trained on %d plain shapes images, tested on %d held-out images "+
			"given as: the plain images; the authorised user's input — the cipher images through D with the right key, i.e. the task network "+
			"composed with D (D's output rounded to 8 bits between them, as Decrypt returns it); an unauthorised user's — the same with secret "+
			"bit 0 flipped; and the cipher images themselves. The last two rows of each task: the same network trained instead on the "+
			"authorised user's decryptions of the training images (what a key holder can do to adapt it to D's losses), through the right "+
			"and a wrong key. All under one key. Accuracy: fraction of right classes (chance %.3g); Dice: mean over images.",
			strings.Join(classNames(), ", "), tk.TrainImages, tk.TestImages, 1/float64(len(classNames()))),
		Tolerances: map[string]float64{"accuracy": AccuracyTolerance, "Dice": AccuracyTolerance, "input PSNR dB": PSNRTolerance}}
	for _, r := range tk.Classify {
		t.AddRow("classification", r.Setting, r.InputPSNR, r.Examples, r.Accuracy, nil)
	}
	for _, r := range tk.Segment {
		t.AddRow("segmentation", r.Setting, r.InputPSNR, r.Examples, nil, r.Dice)
	}
	return t
}

// Curves is the figure of a run's training curves: the loss terms on the
// evaluation batch against the training step.
func Curves(h agilenet.History) results.Figure {
	x := make([]float64, len(h.Step))
	for i, s := range h.Step {
		x[i] = float64(s)
	}
	series := func(name string, get func(agilenet.Losses) float64) results.Series {
		y := make([]float64, len(h.Losses))
		for i, l := range h.Losses {
			y[i] = get(l)
		}
		return results.Series{Name: name, X: x, Y: y}
	}
	return results.Figure{Name: "curves", Kind: results.KindLine, Title: "Loss terms during training", XLabel: "training step", YLabel: "per pixel",
		Caption: "On the fixed evaluation batch: the binary-reduction cross-entropy (nats), the right and wrong keys' L1 decryption errors on [0, 1], " +
			"and the cipher images' histogram and correlation terms.",
		Series: []results.Series{
			series("cross-entropy", func(l agilenet.Losses) float64 { return l.Rec }),
			series("L1 |σ(D(c, k)) − x|", func(l agilenet.Losses) float64 { return l.L1 }),
			series("wrong-key L1 |σ(D(c, k′)) − x|", func(l agilenet.Losses) float64 { return l.WrongL1 }),
			series("histogram term", func(l agilenet.Losses) float64 { return l.Hist }),
			series("correlation term", func(l agilenet.Losses) float64 { return l.Corr }),
		}}
}

// claims judges the agile abstract's statements.
func claims(t *trained, tk TaskResult, ms *survey.Measured) []results.Claim {
	rep := ms.Report
	var out []results.Claim
	aesEnt := rep.Mean(cipher.NameAESCTR, battery.Entropy)
	wu, wuErr := metrics.WuCriticalValues(rep.CropSize(), rep.CropSize(), WuAlpha)
	for i, p := range agilenet.Posts {
		name := t.names[i]
		ent, corr := rep.Mean(name, battery.Entropy), ms.MaxCorrelation(name)
		c := results.Claim{Paper: "Agile (2)", Statement: fmt.Sprintf("high security: cipher images pass the statistical tests (post-processing: %s)", p),
			PaperValue: math.NaN(), Measured: ent, Unit: "bits", Tolerance: EntropyTolerance,
			Why: fmt.Sprintf("Rule (ours; the abstract gives no number): reproduced if the cipher images' mean entropy is within %g bits of AES-CTR's "+
				"on the same %d crops (%.4f) and no direction's mean adjacent correlation exceeds %g in magnitude (measured %.4f). Measured: mean entropy.",
				EntropyMargin, rep.Crops(), aesEnt, CorrMargin, corr)}
		c.Verdict = verdict(ent >= aesEnt-EntropyMargin && corr <= CorrMargin, math.IsNaN(ent) || math.IsNaN(corr) || math.IsNaN(aesEnt))
		out = append(out, c)
	}
	for i, p := range agilenet.Posts {
		name := t.names[i]
		score := ms.NoiseScore(name)
		c := results.Claim{Paper: "Agile (2)", Statement: fmt.Sprintf("resists noise attacks (post-processing: %s)", p),
			PaperValue: math.NaN(), Measured: score, Tolerance: NoiseTolerance,
			Why: fmt.Sprintf("Rule (the survey's for strong noise resistance): reproduced if decryption keeps ≥ %g of the SSIM the same noise leaves on "+
				"the plain image (the survey's noise-resistance score, mean over crops).", survey.StrongNoiseScore)}
		c.Verdict = verdict(score >= survey.StrongNoiseScore, math.IsNaN(score))
		out = append(out, c)
	}
	for i, p := range agilenet.Posts {
		name := t.names[i]
		npcr := rep.Mean(name, battery.NPCR)
		c := results.Claim{Paper: "Agile (2)", Statement: fmt.Sprintf("resists differential attacks (post-processing: %s)", p),
			PaperValue: math.NaN(), Measured: npcr, Unit: "%", Tolerance: NPCRTolerance,
			Why: fmt.Sprintf("Rule: reproduced if the mean NPCR between the cipher images of a crop and of the crop with one pixel changed reaches "+
				"Wu et al.'s critical value N*(α = %g) = %.4f %% for %d² images.", WuAlpha, wu.NPCR, rep.CropSize())}
		c.Verdict = verdict(npcr >= wu.NPCR, math.IsNaN(npcr) || wuErr != nil)
		out = append(out, c)
	}
	out = append(out, agilityClaim(t.tr.Eval))
	out = append(out, inferenceClaims(tk)...)
	out = append(out, results.Claim{Paper: "Agile (2)", Statement: "high efficiency", PaperValue: math.NaN(), Measured: math.NaN(),
		Verdict: results.Inconclusive,
		Why: "The abstract gives neither a number nor a baseline. The speed table times a training step against PyTorch; encryption " +
			"throughput of every registered cipher is on the performance page."},
		results.Claim{Paper: "Agile (2)", Statement: "more flexible and convenient than other deep-learning-based methods", PaperValue: math.NaN(),
			Measured: math.NaN(), Verdict: results.NotApplicable,
			Why: "Not a measurement. Both learned ciphers here (this one and the GAN cipher) take their key as a chaotic key plane and change keys " +
				"without retraining; ANC's networks take the key as an input too."})
	return out
}

// verdict maps a rule's outcome to a verdict (missing: inconclusive).
func verdict(ok, missing bool) results.Verdict {
	switch {
	case missing:
		return results.Inconclusive
	case ok:
		return results.Reproduced
	}
	return results.NotReproduced
}

func agilityClaim(e ModelEval) results.Claim {
	c := results.Claim{Paper: "Agile (1)", Statement: "the key can be changed without retraining the network (a key never seen in training decrypts as well as training keys)",
		PaperValue: math.NaN(), Measured: math.NaN(), Unit: "dB", Tolerance: PSNRTolerance, Verdict: results.Inconclusive,
		Why: fmt.Sprintf("Rule: reproduced if unseen keys' mean decryption PSNR is at most %g dB below training keys' and beats the one-bit-wrong "+
			"key's by at least %g dB. Measured: unseen keys' mean PSNR.", AgilityMarginDB, DecryptsMarginDB)}
	tk, un, wr := e.Row(RowTrainKeys), e.Row(RowUnseenKeys), e.Row(RowWrongKey)
	if tk == nil || un == nil || wr == nil {
		c.Why += " Not all three rows were measured (no training-key pool)."
		return c
	}
	k, _ := battery.MeanSD(tk.PSNR)
	u, _ := battery.MeanSD(un.PSNR)
	w, _ := battery.MeanSD(wr.PSNR)
	c.Measured = u
	c.Why += fmt.Sprintf(" Training keys %.2f dB, unseen %.2f dB, wrong %.2f dB.", k, u, w)
	c.Verdict = verdict(u >= k-AgilityMarginDB && u >= w+DecryptsMarginDB, math.IsNaN(k) || math.IsNaN(u) || math.IsNaN(w))
	return c
}

func inferenceClaims(tk TaskResult) []results.Claim {
	var out []results.Claim
	for _, task := range []struct {
		name   string
		rows   []TaskRow
		get    func(TaskRow) float64
		unit   string
		chance float64 // the score of guessing (NaN: none stated)
	}{{"classification", tk.Classify, func(r TaskRow) float64 { return r.Accuracy }, "accuracy", 1 / float64(len(classNames()))},
		{"segmentation (the organ-extraction analogue)", tk.Segment, func(r TaskRow) float64 { return r.Dice }, "Dice", math.NaN()}} {
		vals := map[string]float64{}
		for _, r := range task.rows {
			vals[r.Setting] = task.get(r)
		}
		// The best of the task networks for either user (NaN if one is
		// missing or unmeasured).
		best := func(settings ...string) float64 {
			b := math.Inf(-1)
			for _, st := range settings {
				v, ok := vals[st]
				if !ok || math.IsNaN(v) {
					return math.NaN()
				}
				b = math.Max(b, v)
			}
			return b
		}
		plain := best(SettingPlain)
		auth := best(SettingAuthorised, SettingAuthorisedTrained)
		unauth := best(SettingUnauthorised, SettingUnauthorisedTrained, SettingCipher)
		c := results.Claim{Paper: "Agile (3)", Statement: "authorised users infer on cipher images (" + task.name + "); unauthorised users cannot",
			PaperValue: math.NaN(), Measured: auth, Unit: task.unit, Tolerance: AccuracyTolerance,
			Why: fmt.Sprintf("Rule: reproduced if the authorised %s — the better of the task network trained on plain images and the one trained "+
				"on the authorised user's decryptions, each composed with D under the right key — is within %g of the plain-image ceiling, and "+
				"the unauthorised one (the best of the same two networks through a one-bit-wrong key, and of the plain-trained network reading "+
				"the cipher images directly) is more than %g below it; inconclusive when a setting is missing or the plain-image ceiling itself "+
				"does not beat guessing by %g. Plain %.3f, authorised %.3f, unauthorised %.3f. Our task is a synthetic shapes task, not the "+
				"paper's medical images.", task.unit, InferenceMargin, 2*InferenceMargin, 2*InferenceMargin, plain, auth, unauth)}
		noSkill := !(plain > task.chance+2*InferenceMargin) && !math.IsNaN(task.chance)
		c.Verdict = verdict(auth >= plain-InferenceMargin && unauth < plain-2*InferenceMargin,
			math.IsNaN(plain) || math.IsNaN(auth) || math.IsNaN(unauth) || noSkill)
		out = append(out, c)
	}
	return out
}
