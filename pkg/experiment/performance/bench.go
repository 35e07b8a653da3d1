package performance

import (
	"context"
	"fmt"
	"math"
	"runtime"

	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/agile"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/anc"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/gan"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/recognition"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/torchpeer"
	"github.com/neurocrypt/neurocrypt/pkg/models/ancnet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// BenchModels returns the training steps `neurocrypt bench` times, steps
// timed steps each: ANC and CPA-ANC rounds, the GAN cryptosystem, the
// agile cipher and the recognition model, each in the setting of its
// experiment's own speed table (their SpeedSpec / BenchSpec). A model
// that lands adds its line here.
func BenchModels(steps int) []torchpeer.Spec {
	return []torchpeer.Spec{
		anc.BenchSpec(ancnet.ANC, steps),
		anc.BenchSpec(ancnet.CPA, steps),
		gan.SpeedSpec(steps),
		agile.SpeedSpec(steps),
		recognition.SpeedSpec(steps),
	}
}

// modelBench is one model's measurement.
type modelBench struct {
	spec torchpeer.Spec
	res  *torchpeer.Result
}

// measureModels times every BenchModels step (uncached: a bench measures
// afresh).
func measureModels(ctx context.Context, env *experiment.Env, steps int) ([]modelBench, error) {
	var out []modelBench
	for _, sp := range BenchModels(steps) {
		env.Logf("performance: timing the training step of %s (%d steps per implementation)", sp.Model, steps)
		res, err := torchpeer.Measure(ctx, env, sp)
		if err != nil {
			return nil, err
		}
		out = append(out, modelBench{spec: sp, res: res})
	}
	return out, nil
}

// stepFLOPs is a model's FLOPs per step: its graphs' count, the same on
// every backend (0: not counted).
func stepFLOPs(r *torchpeer.Result) int64 {
	for _, b := range r.Backends {
		if b.FLOPs > 0 {
			return b.FLOPs
		}
	}
	return 0
}

// ceilingOf returns the matrix-product GFLOP/s of the implementation
// (0: not measured).
func ceilingOf(ceils []MatMul, impl string) float64 {
	for _, c := range ceils {
		if c.Implementation == impl && c.Err == "" {
			return c.GFLOPS
		}
	}
	return 0
}

// stepRow is one implementation's row of the training-step table.
type stepRow struct {
	// series names the implementation in the figure ("GoMLX go",
	// "PyTorch best").
	model, impl, config, series string
	median, mean                float64
	// gflop per step, gflops reached, pct of the ceiling, ratio to
	// PyTorch's best median: NaN where unknown.
	gflop, gflops, pct, ratio float64
	err                       string
}

// stepRows lists every implementation of every model with its numbers.
func stepRows(models []modelBench, ceils []MatMul) []stepRow {
	var rows []stepRow
	for _, mb := range models {
		var rs []stepRow
		for _, b := range mb.res.Backends {
			impl := "GoMLX " + b.Name
			rs = append(rs, stepRow{model: mb.spec.Model, impl: impl, series: impl, config: b.Device, median: b.Median, mean: b.StepSeconds, err: b.Err})
		}
		for _, c := range []*torchpeer.TorchTiming{mb.res.Stock, mb.res.Best} {
			if c == nil {
				continue
			}
			conf := fmt.Sprintf("%s: %d threads, oneDNN %s", c.Config, c.Threads, map[bool]string{true: "on", false: "off"}[c.MKLDNN])
			if c.Config == "best" {
				conf += ", malloc tuned"
			}
			rs = append(rs, stepRow{model: mb.spec.Model, impl: "PyTorch " + c.Torch, series: "PyTorch " + c.Config, config: conf,
				median: c.StepMedianSeconds, mean: c.StepSeconds})
		}
		if mb.res.Best == nil {
			rs = append(rs, stepRow{model: mb.spec.Model, impl: "PyTorch", config: "—", err: "not measured: " + mb.res.TorchMissing})
		}
		flops := stepFLOPs(mb.res)
		best := mb.res.Fastest(func(t *torchpeer.TorchTiming) float64 { return t.StepMedianSeconds })
		for i := range rs {
			r := &rs[i]
			r.gflop, r.gflops, r.pct, r.ratio = math.NaN(), math.NaN(), math.NaN(), math.NaN()
			if r.err != "" || !(r.median > 0) {
				continue
			}
			if flops > 0 {
				r.gflop = float64(flops) / 1e9
				r.gflops = r.gflop / r.median
				if c := ceilingOf(ceils, r.impl); c > 0 {
					r.pct = 100 * r.gflops / c
				}
			}
			r.ratio = r.median / best // NaN without a PyTorch peer
		}
		rows = append(rows, rs...)
	}
	return rows
}

// orNil turns NaN into an empty cell.
func orNil(v float64) any {
	if math.IsNaN(v) {
		return nil
	}
	return v
}

// stepsTable renders the training steps: median and mean time, the
// graphs' GFLOP per step, the GFLOP/s reached and its share of the
// implementation's own matrix-product ceiling, and the ratio to PyTorch's
// faster configuration.
func stepsTable(rows []stepRow, steps int, load string) results.Table {
	t := results.Table{Name: "training steps", Timing: true,
		Columns: []string{"model", "implementation", "configuration", "median ms", "mean ms", "GFLOP per step", "GFLOP/s", "% of matmul ceiling", "÷ fastest PyTorch"},
		Caption: fmt.Sprintf("One training step per model, median (and mean) of %d timed steps after one untimed step that compiles the graphs, on %d threads; "+
			"the settings are those of each experiment's own speed table. GFLOP per step counts the matrix products and convolutions of the step's graphs "+
			"(forward, the gradients the update uses and the optimiser, 2 per multiply–add; nn.GraphFLOPs) — the work PyTorch does for the same networks. "+
			"The ceiling is the implementation's own float32 matrix product (table \"machine ceilings\"). "+
			"÷ fastest PyTorch divides by the faster median of PyTorch's stock and best configurations. %s", steps, runtime.GOMAXPROCS(0), load)}
	for _, r := range rows {
		if r.err != "" {
			t.AddRow(r.model, r.impl, r.err, nil, nil, nil, nil, nil, nil)
			continue
		}
		t.AddRow(r.model, r.impl, r.config, 1e3*r.median, 1e3*r.mean, orNil(r.gflop), orNil(r.gflops), orNil(r.pct), orNil(r.ratio))
	}
	return t
}

// stepsFigure draws each implementation's share of its ceiling per model.
func stepsFigure(rows []stepRow, models []modelBench) results.Figure {
	f := results.Figure{Name: "training-steps-ceiling", Kind: results.KindBars, Title: "Training steps: share of the matrix-product ceiling",
		Caption: "GFLOP/s reached by each training step, as a percentage of the same implementation's float32 matrix product (table \"training steps\"). " +
			"Networks this small are bound by per-operation overheads, not arithmetic.",
		XLabel: "model", YLabel: "% of matmul ceiling"}
	idx := map[string]int{}
	for i, mb := range models {
		f.XCategories = append(f.XCategories, mb.spec.Model)
		idx[mb.spec.Model] = i
	}
	series := map[string]*results.Series{}
	var order []string
	for _, r := range rows {
		if math.IsNaN(r.pct) {
			continue
		}
		s, ok := series[r.series]
		if !ok {
			s = &results.Series{Name: r.series}
			series[r.series] = s
			order = append(order, r.series)
		}
		s.X = append(s.X, float64(idx[r.model]+1))
		s.Y = append(s.Y, r.pct)
	}
	for _, n := range order {
		f.Series = append(f.Series, *series[n])
	}
	return f
}
