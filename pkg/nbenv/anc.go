package nbenv

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/anc"
	"github.com/neurocrypt/neurocrypt/pkg/models/ancnet"
	"github.com/neurocrypt/neurocrypt/pkg/nbdisplay"
	"github.com/neurocrypt/neurocrypt/pkg/progress"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// ANCKept is the name under which ANCTraining.Run keeps the trained
// weights for the later cells of the kernel session (KeptANC).
const ANCKept = "anc-interactive"

// SmokeANCSteps caps the Alice–Bob steps of an interactive ANC run at the
// smoke profile, so that a notebook executed headless by
// `go run ./kernel run -profile smoke` trains for seconds whatever steps it
// asks for. At quick and paper the requested steps are made.
const SmokeANCSteps = 30

// ANCCurvePoints is the number of points an interactive run records on
// its training curves (Config.EvalEvery = rounds / ANCCurvePoints).
const ANCCurvePoints = 50

// ANCBuilder configures one interactive ANC or CPA-ANC training run;
// start it with TrainANC and finish it with Done.
type ANCBuilder struct {
	variant ancnet.Variant
	n       int
	batch   int
	lr      float64
	steps   int
	seed    uint64
	keep    string
}

// TrainANC starts configuring one training run of variant v ("anc" or
// "cpa") for a notebook cell. Defaults: N = 16, batch 512, the quick
// profile's learning rate of the anc experiment, 1 000 Alice–Bob steps,
// seed 1, kept under ANCKept.
func TrainANC(v ancnet.Variant) *ANCBuilder {
	s := anc.ProfileSettings[experiment.Quick]
	lr := s.ANCLearningRate
	if v == ancnet.CPA {
		lr = s.CPALearningRate
	}
	return &ANCBuilder{variant: v, n: 16, batch: 512, lr: lr, steps: 1000, seed: 1, keep: ANCKept}
}

// N sets the plaintext and key length in bits.
func (b *ANCBuilder) N(n int) *ANCBuilder { b.n = n; return b }

// Batch sets the minibatch size.
func (b *ANCBuilder) Batch(n int) *ANCBuilder { b.batch = n; return b }

// LearningRate sets both Adam optimisers' learning rate.
func (b *ANCBuilder) LearningRate(lr float64) *ANCBuilder { b.lr = lr; return b }

// Steps sets the number of Alice–Bob training steps (at the smoke profile
// at most SmokeANCSteps are made).
func (b *ANCBuilder) Steps(n int) *ANCBuilder { b.steps = n; return b }

// Seed sets the run's seed (initialisation and data).
func (b *ANCBuilder) Seed(s uint64) *ANCBuilder { b.seed = s; return b }

// Keep sets the name the trained weights are kept under ("" keeps
// nothing).
func (b *ANCBuilder) Keep(name string) *ANCBuilder { b.keep = name; return b }

// Done resolves the run against the current profile ($NEUROCRYPT_PROFILE)
// and validates it. The rounds follow the anc experiment at that profile:
// an ANC round is 1 Alice–Bob step and 2 Eve steps, a CPA-ANC round the
// profile's Alice–Bob and Eve steps (quick: 1 and 5; paper: 3 and 60);
// Rounds = ⌈steps / Alice–Bob steps per round⌉.
func (b *ANCBuilder) Done() (*ANCTraining, error) {
	p, err := Profile()
	if err != nil {
		return nil, err
	}
	s, err := experiment.ForProfile(anc.ID, anc.ProfileSettings, p)
	if err != nil {
		return nil, err
	}
	if b.steps < 1 || b.steps > ancnet.MaxRounds {
		return nil, fmt.Errorf("nbenv: ANC run: %d steps: want 1..%d", b.steps, ancnet.MaxRounds)
	}
	steps := b.steps
	if p == experiment.Smoke {
		steps = min(steps, SmokeANCSteps)
	}
	cfg := ancnet.DefaultConfig(b.variant, b.n, 0)
	if b.variant == ancnet.CPA {
		cfg.ABPerRound, cfg.EvePerRound = s.CPAAB, s.CPAEve
	}
	cfg.Rounds = (steps-1)/cfg.ABPerRound + 1 // ⌈steps / ABPerRound⌉ without overflow
	cfg.Batch, cfg.LearningRate, cfg.Seed = b.batch, b.lr, b.seed
	cfg.EvalEvery, cfg.EvalBlocks = max(1, cfg.Rounds/ANCCurvePoints), s.EvalBlocks
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &ANCTraining{Config: cfg, Profile: p, Kept: b.keep, settings: s}, nil
}

// ANCTraining is a configured interactive training run (TrainANC).
type ANCTraining struct {
	// Config is the run's configuration.
	Config ancnet.Config
	// Profile is the profile it was resolved at.
	Profile experiment.Profile
	// Kept is the name Run keeps the weights under ("": not kept).
	Kept string

	settings anc.Settings
}

// Run trains the model. In a notebook the cell shows a progress bar and
// the training curves (ANCFigure), redrawn in place as they grow (a
// nbdisplay.LiveFigure); elsewhere the progress bar goes to stderr. It
// then keeps the weights (Alice and Bob) under Kept for the later cells,
// and returns the model; its History has the curves.
func (t *ANCTraining) Run(ctx context.Context) (*ancnet.Model, error) {
	be, err := backend.Default().New()
	if err != nil {
		return nil, err
	}
	m, err := ancnet.NewModel(be, t.Config)
	if err != nil {
		return nil, err
	}
	var w io.Writer = os.Stderr
	if nbdisplay.InNotebook() {
		w = nil // the live block shows the bar
	}
	rounds := t.Config.Rounds
	bar := progress.New(w, fmt.Sprintf("%s N=%d", t.Config.Variant, t.Config.N), rounds)
	live := nbdisplay.NewLiveFigure()
	var liveErr error
	points := 0
	show := func(done int) {
		if h := m.History(); len(h.Step) != points {
			points = len(h.Step)
			if err := live.Update(ANCFigure(t.Config, h)); err != nil && liveErr == nil {
				liveErr = err
			}
		}
		if err := live.Progress(done, rounds, bar.Line()); err != nil && liveErr == nil {
			liveErr = err
		}
	}
	if _, err := m.Train(ctx, func(round int) { bar.Add(1); show(round + 1) }); err != nil {
		return nil, err
	}
	bar.Done()
	show(rounds)
	if err := live.Done(); err != nil && liveErr == nil {
		liveErr = err
	}
	if liveErr != nil {
		return nil, liveErr
	}
	if t.Kept != "" {
		weights, err := m.Weights()
		if err != nil {
			return nil, err
		}
		if err := nbdisplay.Keep(t.Kept, weights); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// ANCFigure draws one run's training curves: Bob's error rate and Eve's
// error rate (ANC) or accuracy (CPA-ANC) against the Alice–Bob step, on an
// x axis spanning the whole run (so a live figure fills it as it trains).
func ANCFigure(cfg ancnet.Config, h ancnet.History) results.Figure {
	name, eve := "ANC", "Eve's error rate (L1 bits / N)"
	if cfg.Variant == ancnet.CPA {
		name, eve = "CPA-ANC", "Eve's accuracy"
	}
	bob := results.Series{Name: "Bob's error rate"}
	ev := results.Series{Name: eve}
	for i, st := range h.Step {
		bob.X, bob.Y = append(bob.X, float64(st)), append(bob.Y, h.Bob[i])
		ev.X, ev.Y = append(ev.X, float64(st)), append(ev.Y, h.Eve[i])
	}
	return results.Figure{Name: fmt.Sprintf("train-%s-n%d", cfg.Variant, cfg.N), Kind: results.KindLine,
		Title: fmt.Sprintf("%s, N = %d, batch %d, learning rate %g: training curves", name, cfg.N, cfg.Batch, cfg.LearningRate),
		Caption: fmt.Sprintf("%d of %d Alice–Bob steps; on a fixed evaluation set of %d blocks. Bob: L1 bits wrong per block / N (0.5 = chance).",
			lastStep(h), cfg.ABSteps(), cfg.EvalBlocks),
		XLabel: "Alice–Bob training step", YLabel: "rate", XMin: 0, XMax: float64(max(1, cfg.ABSteps())), YMin: 0, YMax: 1,
		Series: []results.Series{bob, ev}}
}

func lastStep(h ancnet.History) int {
	if len(h.Step) == 0 {
		return 0
	}
	return h.Step[len(h.Step)-1]
}

// KeptANC loads the model an earlier cell trained and kept under name
// (ANCTraining.Run, ANCKept) onto the notebook's backend.
func KeptANC(name string) (*ancnet.Model, error) {
	weights, err := nbdisplay.Kept[[]byte](name)
	if err != nil {
		return nil, err
	}
	be, err := backend.Default().New()
	if err != nil {
		return nil, err
	}
	return ancnet.LoadModel(be, weights)
}

// ANCSecurityConfig returns the retrained-Eve security test that the anc
// experiment applies, at the current profile, to a run of cfg: the
// variant's own attack, the profile's restarts, steps and batch, and the
// same test set sizes and seed.
func ANCSecurityConfig(cfg ancnet.Config) (ancnet.SecurityConfig, error) {
	s, err := ancSettings()
	if err != nil {
		return ancnet.SecurityConfig{}, err
	}
	sec := ancnet.SecurityConfig{Attack: ancnet.NaturalAttack(cfg.Variant), Restarts: s.SecRestarts, Steps: s.SecSteps,
		Batch: s.SecBatch, TestBlocks: ancnet.SecurityTestPairs, Seed: cfg.Seed ^ 0x5ec}
	if sec.Attack == ancnet.Reconstruct {
		sec.TestBlocks = s.TestBlocks
	}
	return sec, nil
}

// ANCProbeSamples is the anc experiment's number of random (P, K) pairs
// of the XOR probe at the current profile (for N > 8; shorter keys are
// probed exhaustively).
func ANCProbeSamples() (int, error) {
	s, err := ancSettings()
	return s.ProbeSamples16, err
}

func ancSettings() (anc.Settings, error) {
	p, err := Profile()
	if err != nil {
		return anc.Settings{}, err
	}
	return experiment.ForProfile(anc.ID, anc.ProfileSettings, p)
}
