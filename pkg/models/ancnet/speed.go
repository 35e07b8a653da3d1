package ancnet

import (
	"context"
	"fmt"

	"github.com/gomlx/compute"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// Training-speed comparison settings (the ANC report's "training speed"
// table and the benchmarks of this package): key length, minibatch and the
// number of Eve steps that go with one Alice–Bob step.
const (
	SpeedN     = 16
	SpeedBatch = PaperBatch
	// ANCSpeedEve: Abadi & Andersen's 2 Eve steps per Alice–Bob step.
	ANCSpeedEve = ANCEvePerRound
	// CPASpeedEve: Coutinho's 60 Eve steps per 3 Alice–Bob steps, i.e. 20
	// per Alice–Bob step; a timed CPA-ANC round is a third of a paper round.
	CPASpeedEve = CPAEvePerRound / CPAABPerRound
)

// RoundTiming is the measured wall time of one training round: one
// Alice–Bob step and EveSteps Eve steps, each on a fresh minibatch.
type RoundTiming struct {
	Variant  Variant `json:"variant"`
	N        int     `json:"n"`
	Batch    int     `json:"batch"`
	EveSteps int     `json:"eve_steps"`
	Rounds   int     `json:"rounds"` // timed rounds
	// Seconds and Median are the mean and median wall time of one round,
	// compilation excluded.
	Seconds float64 `json:"seconds"`
	Median  float64 `json:"median_seconds"`
	// FLOPs is the floating-point work of one round: its Alice–Bob and
	// Eve steps' graphs (nn.GraphFLOPs; 0: not counted).
	FLOPs   int64  `json:"flops"`
	Backend string `json:"backend"`
	Device  string `json:"device"`
}

// SpeedEveSteps is the number of Eve steps per timed round of variant v.
func SpeedEveSteps(v Variant) int {
	if v == CPA {
		return CPASpeedEve
	}
	return ANCSpeedEve
}

// speedConfig is the configuration of a timed run: rounds timed rounds
// (plus the untimed first) of 1 Alice–Bob and SpeedEveSteps(v) Eve steps,
// no curves.
func speedConfig(v Variant, n, batch, rounds int) Config {
	cfg := DefaultConfig(v, n, rounds+1)
	cfg.Batch, cfg.EvalEvery = batch, 0
	cfg.ABPerRound, cfg.EvePerRound = 1, SpeedEveSteps(v)
	return cfg
}

// Rounds is a model, or a population of models, built to run training
// rounds for timing and profiling: each round is one Alice–Bob step and
// SpeedEveSteps(v) Eve steps, every run on a fresh minibatch generated in
// Go as in training. Make one with NewRounds; Close it.
type Rounds struct {
	round func() error
	flops func() int64
	close func()
	// Runs is the number of runs a round trains (1 for a single model).
	Runs int
}

// NewRounds builds a fresh single model of variant v with key length n and
// minibatch batch on be (runs = 0), or a Population of runs models (seeds
// 1..runs) whose convolutions take the form conv. Errors: runs outside
// 0..MaxPopulation, the model's configuration errors.
func NewRounds(be compute.Backend, v Variant, n, batch, runs int, conv PopConv) (*Rounds, error) {
	if runs < 0 || runs > MaxPopulation {
		return nil, fmt.Errorf("anc: rounds of a population of %d runs: want 0..%d (0: a single model)", runs, MaxPopulation)
	}
	cfg := speedConfig(v, n, batch, 1)
	if runs == 0 {
		m, err := NewModel(be, cfg)
		if err != nil {
			return nil, err
		}
		return &Rounds{Runs: 1, close: m.Close,
			flops: func() int64 { return m.abFLOPs.Load() + int64(cfg.EvePerRound)*m.eveFLOPs.Load() },
			round: func() error {
				if _, err := m.StepAliceBob(); err != nil {
					return err
				}
				for j := 0; j < cfg.EvePerRound; j++ {
					if _, err := m.StepEve(); err != nil {
						return err
					}
				}
				return nil
			}}, nil
	}
	cfgs := make([]Config, runs)
	for i := range cfgs {
		cfgs[i] = cfg
		cfgs[i].Seed = uint64(i + 1)
	}
	p, err := NewPopulation(be, cfgs, conv)
	if err != nil {
		return nil, err
	}
	return &Rounds{Runs: runs, close: p.Close,
		flops: func() int64 { return p.abFLOPs.Load() + int64(cfg.EvePerRound)*p.eveFLOPs.Load() },
		round: func() error {
			if err := p.step(p.abExec, "Alice–Bob", 0); err != nil {
				return err
			}
			for j := 0; j < cfg.EvePerRound; j++ {
				if err := p.step(p.eveExec, "Eve", 0); err != nil {
					return err
				}
			}
			return nil
		}}, nil
}

// Round runs one round (the first also compiles the graphs).
func (r *Rounds) Round() error { return r.round() }

// FLOPs is the floating-point work of one round, every run's
// (nn.GraphFLOPs of its steps' graphs; 0 before the first round).
func (r *Rounds) FLOPs() int64 { return r.flops() }

// Close frees the compiled graphs.
func (r *Rounds) Close() { r.close() }

// TimeRounds builds a fresh model of variant v with key length n and
// minibatch batch on be (NewRounds), makes one untimed round (which
// compiles the graphs) and returns the mean and median wall time of the
// next rounds rounds and the FLOPs of one round. A round is one Alice–Bob
// step and SpeedEveSteps(v) Eve steps; the minibatches are generated in Go
// as in training, and their generation is timed too.
func TimeRounds(ctx context.Context, be compute.Backend, v Variant, n, batch, rounds int) (RoundTiming, error) {
	return timeRounds(ctx, be, v, n, batch, 0, rounds, PopConv{})
}

// TimePopulationRounds is TimeRounds for a Population of runs runs (seeds
// 1..runs) with the convolution form conv: the wall time of one round of
// the whole population (every run's Alice–Bob step and its
// SpeedEveSteps(v) Eve steps, data generation included), compilation
// excluded. Divided by runs, it is the cost of one run's round.
func TimePopulationRounds(ctx context.Context, be compute.Backend, v Variant, n, batch, runs, rounds int, conv PopConv) (RoundTiming, error) {
	if runs < 1 {
		return RoundTiming{}, fmt.Errorf("anc: timing a population of %d runs: want 1..%d", runs, MaxPopulation)
	}
	return timeRounds(ctx, be, v, n, batch, runs, rounds, conv)
}

func timeRounds(ctx context.Context, be compute.Backend, v Variant, n, batch, runs, rounds int, conv PopConv) (RoundTiming, error) {
	if rounds < 1 || rounds >= MaxRounds {
		return RoundTiming{}, fmt.Errorf("anc: timing %d rounds: want 1..%d", rounds, MaxRounds-1)
	}
	r, err := NewRounds(be, v, n, batch, runs, conv)
	if err != nil {
		return RoundTiming{}, err
	}
	defer r.Close()
	t, err := nn.TimeCallsEach(ctx, rounds, r.Round)
	if err != nil {
		what := fmt.Sprintf("%s rounds", v)
		if runs > 0 {
			what = fmt.Sprintf("%d-run %s population rounds", runs, v)
		}
		return RoundTiming{}, fmt.Errorf("anc: timing %s on %s: %w", what, be.Name(), err)
	}
	return RoundTiming{Variant: v, N: n, Batch: batch, EveSteps: SpeedEveSteps(v), Rounds: rounds,
		Seconds: t.Mean, Median: t.Median, FLOPs: r.FLOPs(), Backend: be.Name(), Device: be.Description()}, nil
}
