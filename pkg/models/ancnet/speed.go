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

// TimeRounds builds a fresh model of variant v with key length n and
// minibatch batch on be, makes one untimed round (which compiles the
// graphs) and returns the mean and median wall time of the next rounds
// rounds and the FLOPs of one round. A round
// is one Alice–Bob step and SpeedEveSteps(v) Eve steps; the minibatches are
// generated in Go as in training, and their generation is timed too.
func TimeRounds(ctx context.Context, be compute.Backend, v Variant, n, batch, rounds int) (RoundTiming, error) {
	if rounds < 1 || rounds >= MaxRounds {
		return RoundTiming{}, fmt.Errorf("anc: timing %d rounds: want 1..%d", rounds, MaxRounds-1)
	}
	cfg := speedConfig(v, n, batch, rounds)
	m, err := NewModel(be, cfg)
	if err != nil {
		return RoundTiming{}, err
	}
	round := func() error {
		if _, err := m.StepAliceBob(); err != nil {
			return err
		}
		for j := 0; j < cfg.EvePerRound; j++ {
			if _, err := m.StepEve(); err != nil {
				return err
			}
		}
		return nil
	}
	t, err := nn.TimeCallsEach(ctx, rounds, round)
	if err != nil {
		return RoundTiming{}, fmt.Errorf("anc: timing %s rounds on %s: %w", v, be.Name(), err)
	}
	return RoundTiming{Variant: v, N: n, Batch: batch, EveSteps: cfg.EvePerRound, Rounds: rounds,
		Seconds: t.Mean, Median: t.Median, FLOPs: m.abFLOPs.Load() + int64(cfg.EvePerRound)*m.eveFLOPs.Load(),
		Backend: be.Name(), Device: be.Description()}, nil
}

// TimePopulationRounds is TimeRounds for a Population of runs runs (seeds
// 1..runs) with the convolution form conv: the mean wall time of one round
// of the whole population (every run's Alice–Bob step and its
// SpeedEveSteps(v) Eve steps, data generation included), compilation
// excluded. Divided by runs, it is the cost of one run's round.
func TimePopulationRounds(ctx context.Context, be compute.Backend, v Variant, n, batch, runs, rounds int, conv PopConv) (RoundTiming, error) {
	if rounds < 1 || rounds >= MaxRounds {
		return RoundTiming{}, fmt.Errorf("anc: timing %d rounds: want 1..%d", rounds, MaxRounds-1)
	}
	if runs < 1 || runs > MaxPopulation {
		return RoundTiming{}, fmt.Errorf("anc: timing a population of %d runs: want 1..%d", runs, MaxPopulation)
	}
	cfg := speedConfig(v, n, batch, rounds)
	cfgs := make([]Config, runs)
	for i := range cfgs {
		cfgs[i] = cfg
		cfgs[i].Seed = uint64(i + 1)
	}
	p, err := NewPopulation(be, cfgs, conv)
	if err != nil {
		return RoundTiming{}, err
	}
	defer p.Close()
	round := func() error {
		if err := p.step(p.abExec, "Alice–Bob", 0); err != nil {
			return err
		}
		for j := 0; j < cfg.EvePerRound; j++ {
			if err := p.step(p.eveExec, "Eve", 0); err != nil {
				return err
			}
		}
		return nil
	}
	t, err := nn.TimeCallsEach(ctx, rounds, round)
	if err != nil {
		return RoundTiming{}, fmt.Errorf("anc: timing %d-run %s population rounds on %s: %w", runs, v, be.Name(), err)
	}
	return RoundTiming{Variant: v, N: n, Batch: batch, EveSteps: cfg.EvePerRound, Rounds: rounds,
		Seconds: t.Mean, Median: t.Median, FLOPs: p.abFLOPs.Load() + int64(cfg.EvePerRound)*p.eveFLOPs.Load(),
		Backend: be.Name(), Device: be.Description()}, nil
}
