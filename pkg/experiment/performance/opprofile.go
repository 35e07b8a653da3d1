package performance

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/models/ancnet"
	"github.com/neurocrypt/neurocrypt/pkg/perf"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// The per-op profile of `neurocrypt bench`: ANC rounds (N = ProfileN,
// minibatch ProfileBatch: the anc experiment's quick setting) on the pure
// Go backend, trained alone (one graph per run, nn.Conv1D) and in a
// population of ProfileRuns (ancnet.Population, the convolution form
// ancnet.PopConvFor picks): the before and after of issue #11's population
// training.
const (
	ProfileN, ProfileBatch, ProfileRuns = 16, 512, 10
)

// opProfile is one form's profile: CPU time per op over rounds rounds of
// runs runs, total CPU time cpu.
type opProfile struct {
	label        string
	runs, rounds int
	cpu          time.Duration
	shares       []perf.OpShare
}

// profileANC profiles ANC rounds in both forms on the go backend, after
// one untimed round each (the graphs' compilation), each for at least
// budget of wall time (so that enough samples fall in every common op)
// and one round.
func profileANC(ctx context.Context, env *experiment.Env, budget time.Duration) ([]opProfile, error) {
	be, err := backend.Fixed(backend.Go).New()
	if err != nil {
		return nil, err
	}
	var out []opProfile
	for _, f := range []struct {
		label string
		runs  int
	}{{"alone", 0}, {fmt.Sprintf("population of %d", ProfileRuns), ProfileRuns}} {
		env.Logf("performance: profiling ANC rounds on the go backend for %s (%s)", budget, f.label)
		r, err := ancnet.NewRounds(be, ancnet.ANC, ProfileN, ProfileBatch, f.runs, ancnet.PopConvFor(be))
		if err != nil {
			return nil, err
		}
		err = r.Round()
		var shares []perf.OpShare
		var cpu time.Duration
		rounds := 0
		if err == nil {
			shares, cpu, err = perf.OpProfile(func() error {
				for start := time.Now(); rounds == 0 || time.Since(start) < budget; rounds++ {
					if err := ctx.Err(); err != nil {
						return err
					}
					if err := r.Round(); err != nil {
						return err
					}
				}
				return nil
			})
		}
		runs := r.Runs
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("performance: profiling ANC rounds (%s): %w", f.label, err)
		}
		out = append(out, opProfile{label: f.label, runs: runs, rounds: rounds, cpu: cpu, shares: shares})
	}
	return out, nil
}

// profileTable renders the profiles side by side: CPU milliseconds per
// run-round and share, per op, in the first profile's order.
func profileTable(ps []opProfile) results.Table {
	t := results.Table{Name: "per-op profile: ANC round on the go backend", Timing: true,
		Columns: []string{"op"},
		Caption: fmt.Sprintf("CPU time of ANC rounds (N = %d, minibatch %d: the anc experiment's quick setting; 1 Alice–Bob and %d Eve steps) on the pure Go backend "+
			"by backend op, from Go's CPU profiler (one sample per 10 ms of CPU per busy thread), per run-round: each run trained alone in its own graph, "+
			"and %d runs trained together (ancnet.Population, strided-taps convolutions) — the before and after of population training. "+
			"Profiled: %s. "+
			"DotGeneral includes the matrix-product kernels the backend's worker pool runs; \"%s\" is graph scheduling, buffer handling, data generation and Go's runtime. "+
			"ONNX Runtime and XLA run their ops in C++, which Go's profiler sees as one call: no per-op split for them here.",
			ProfileN, ProfileBatch, ancnet.SpeedEveSteps(ancnet.ANC), ProfileRuns, profiled(ps), perf.OtherOps)}
	for _, p := range ps {
		t.Columns = append(t.Columns, fmt.Sprintf("%s: CPU ms per run-round", p.label), fmt.Sprintf("%s: %% of CPU", p.label))
	}
	var order []string
	seen := map[string]bool{}
	for _, p := range ps {
		for _, s := range p.shares {
			if !seen[s.Op] {
				seen[s.Op] = true
				order = append(order, s.Op)
			}
		}
	}
	total := make([]float64, len(ps))
	for _, op := range order {
		row := []any{op}
		for i, p := range ps {
			var ms, pct any
			for _, s := range p.shares {
				if s.Op == op {
					v := s.CPU.Seconds() * 1e3 / float64(p.rounds*p.runs)
					ms, pct = v, 100*s.Fraction
					total[i] += v
				}
			}
			row = append(row, ms, pct)
		}
		t.AddRow(row...)
	}
	row := []any{"total"}
	for i := range ps {
		row = append(row, total[i], 100.0)
	}
	t.AddRow(row...)
	return t
}

// profiled says how much each profile sampled.
func profiled(ps []opProfile) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%s, %d rounds, %s of CPU (%d samples)", p.label, p.rounds, p.cpu.Round(10*time.Millisecond), p.cpu/(10*time.Millisecond)))
	}
	return strings.Join(parts, "; ")
}
