package performance

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/torchpeer"
	"github.com/neurocrypt/neurocrypt/pkg/perf"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

func TestSmokeMeasuresEveryOperation(t *testing.T) {
	res, err := New().Run(context.Background(), &experiment.Env{Profile: experiment.Smoke, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tables) != 2 || !res.Tables[0].Timing || !res.Tables[1].Timing {
		t.Fatalf("want two timing tables (throughput, ceilings), got %+v", res.Tables)
	}
	tb := res.Tables[0]
	seen := map[string]bool{}
	for _, r := range tb.Rows {
		name, mbps, runs := r[0].(string), r[1].(float64), r[6].(int)
		seen[name] = true
		if mbps <= 0 || runs <= 0 {
			t.Errorf("%s: MB/s %v, runs %d; want positive", name, mbps, runs)
		}
		if goal, ok := r[7].(float64); ok {
			if _, ok := r[8].(bool); !ok || goal <= 0 {
				t.Errorf("%s: a goal needs a meets-goal flag, got %v", name, r[8])
			}
		}
		if share, ok := r[9].(float64); !strings.HasPrefix(name, "memory/") && (!ok || share <= 0) {
			t.Errorf("%s: share of the memory copy %v, want positive", name, r[9])
		}
	}
	want := []string{CopyImageTarget, CopyRAMTarget, "metrics/entropy", "metrics/all"}
	for _, c := range Ciphers() {
		want = append(want, battery.EncryptTarget(c), battery.DecryptTarget(c))
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("no row for %s", w)
		}
	}
	if len(Ciphers()) < 6 {
		t.Errorf("timed ciphers %v: want every registered one", Ciphers())
	}
	// Ceilings: the copy, and the pure Go backend's matrix product.
	copyRows, goRow := 0, false
	for _, r := range res.Tables[1].Rows {
		switch {
		case r[0] == "memory copy":
			if r[6].(float64) > 0 && r[7] == "GB/s" {
				copyRows++
			}
		case r[0] == "matrix product" && r[1] == "GoMLX go":
			g, ok := r[6].(float64)
			goRow = ok && g > 0 && r[7] == "GFLOP/s" && !strings.Contains(r[3].(string), "not queried")
		}
	}
	if copyRows != 2 || !goRow {
		t.Errorf("ceilings: %d copy rows (want 2), go matrix product %v: %v", copyRows, goRow, res.Tables[1].Rows)
	}
}

func TestUnknownProfile(t *testing.T) {
	if _, err := New().Run(context.Background(), &experiment.Env{Profile: "huge"}); err == nil {
		t.Fatal("want an error")
	}
}

// TestStepRows: shares of the ceiling and ratios to PyTorch's faster
// median, from hand-made measurements; a failed backend and a missing
// PyTorch become rows that say so.
func TestStepRows(t *testing.T) {
	ceils := []MatMul{{Implementation: "GoMLX go", GFLOPS: 10}, {Implementation: "PyTorch 2.0", GFLOPS: 100}, {Implementation: "GoMLX onnx", Err: "boom"}}
	models := []modelBench{
		{spec: torchpeer.Spec{Model: "A"}, res: &torchpeer.Result{
			Backends: []torchpeer.BackendTiming{
				{Name: "go", Median: 0.5, StepSeconds: 0.6, FLOPs: 2e9},
				{Name: "onnx", Median: 0.1, StepSeconds: 0.1, FLOPs: 2e9},
				{Name: "xla", Err: "no plugin"},
			},
			Stock: &torchpeer.TorchTiming{Torch: "2.0", Config: "stock", StepSeconds: 0.3, StepMedianSeconds: 0.25},
			Best:  &torchpeer.TorchTiming{Torch: "2.0", Config: "best", StepSeconds: 0.2, StepMedianSeconds: 0.2},
		}},
		{spec: torchpeer.Spec{Model: "B"}, res: &torchpeer.Result{
			Backends:     []torchpeer.BackendTiming{{Name: "go", Median: 1, StepSeconds: 1}},
			TorchMissing: "no torch",
		}},
	}
	rows := stepRows(models, ceils)
	if len(rows) != 7 {
		t.Fatalf("%d rows, want 3 backends + 2 PyTorch for A, 1 backend + 1 missing PyTorch for B: %+v", len(rows), rows)
	}
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
	goA := rows[0]
	// 2 GFLOP in 0.5 s = 4 GFLOP/s = 40 % of 10; 0.5 / 0.2 = 2.5× PyTorch best.
	if !near(goA.gflop, 2) || !near(goA.gflops, 4) || !near(goA.pct, 40) || !near(goA.ratio, 2.5) {
		t.Errorf("go row of A: %+v", goA)
	}
	if onnx := rows[1]; !math.IsNaN(onnx.pct) || !near(onnx.ratio, 0.5) {
		t.Errorf("onnx row (its ceiling failed: no share) %+v", onnx)
	}
	if rows[2].err == "" {
		t.Errorf("a failed backend must say so: %+v", rows[2])
	}
	// PyTorch rows: the graph's FLOPs over PyTorch's median, against its own ceiling.
	if best := rows[4]; best.series != "PyTorch best" || !near(best.pct, 10) || !near(best.ratio, 1) {
		t.Errorf("PyTorch best row %+v (want 2 GFLOP / 0.2 s = 10 GFLOP/s = 10 %% of 100)", best)
	}
	if b := rows[5]; !math.IsNaN(b.gflop) || !math.IsNaN(b.ratio) {
		t.Errorf("B has no FLOP count and no peer: %+v", b)
	}
	if b := rows[6]; !strings.Contains(b.err, "no torch") {
		t.Errorf("B's missing PyTorch row %+v", b)
	}
	tb := stepsTable(rows, 20, "")
	if len(tb.Rows) != len(rows) || !tb.Timing {
		t.Fatalf("table %+v", tb)
	}
	if tb.Rows[5][5] != nil || tb.Rows[5][8] != nil {
		t.Errorf("unknown cells must be empty, got %v", tb.Rows[5])
	}
	f := stepsFigure(rows, models)
	if f.Kind != results.KindBars || len(f.XCategories) != 2 {
		t.Fatalf("figure %+v", f)
	}
	names := map[string]int{}
	for _, s := range f.Series {
		names[s.Name] = len(s.Y)
	}
	if names["GoMLX go"] != 1 || names["PyTorch best"] != 1 || names["PyTorch stock"] != 1 || len(names) != 3 {
		t.Errorf("figure series %v: one bar per implementation with a share", names)
	}
}

// TestBenchPeersRun runs every bench model's PyTorch script for one step
// in the best configuration, as torchpeer calls it, where PyTorch is
// installed: each prints a mean and a median step time and both oneDNN
// timings.
func TestBenchPeersRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs PyTorch")
	}
	python, missing := perf.FindTorchPython(context.Background())
	if python == "" {
		t.Skip(missing)
	}
	for _, sp := range BenchModels(1) {
		args := append(append([]string(nil), sp.Args...), "--steps", "1", "--threads", "1", "--config", "best")
		out, err := perf.RunPython(context.Background(), python, sp.Script, []string{torchpeer.MallocTunables}, torchpeer.Timeout, args...)
		if err != nil {
			t.Fatalf("%s: %v", sp.Model, err)
		}
		tt := &torchpeer.TorchTiming{}
		if sp.Parse != nil {
			tt, err = sp.Parse(out)
		} else {
			err = json.Unmarshal(out, tt)
		}
		if err != nil || !(tt.StepSeconds > 0) || !(tt.StepMedianSeconds > 0) || !(tt.MKLDNNOnSeconds > 0) || !(tt.MKLDNNOffSeconds > 0) {
			t.Errorf("%s: %+v, %v (%s)", sp.Model, tt, err, out)
		}
	}
}

// TestProfileANC: the per-op profile of both forms names DotGeneral and
// the sigmoid among the ops, its shares sum to 100 %, and the table has a
// column pair per form and a total row.
func TestProfileANC(t *testing.T) {
	ps, err := profileANC(context.Background(), &experiment.Env{}, 1500*time.Millisecond) // ≥ 100 samples per form: every common op is seen
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].runs != 1 || ps[1].runs != ProfileRuns {
		t.Fatalf("profiles %+v: want alone and a population of %d", ps, ProfileRuns)
	}
	for _, p := range ps {
		ops := map[string]bool{}
		sum := 0.0
		for _, s := range p.shares {
			ops[s.Op] = true
			sum += s.Fraction
		}
		if !ops["DotGeneral"] || !ops["Logistic"] || math.Abs(sum-1) > 1e-9 {
			t.Errorf("%s: ops %v (shares sum to %g); want DotGeneral and Logistic (the sigmoid)", p.label, ops, sum)
		}
	}
	tb := profileTable(ps)
	last := tb.Rows[len(tb.Rows)-1]
	if len(tb.Columns) != 5 || last[0] != "total" || last[2] != 100.0 || !(last[1].(float64) > 0) {
		t.Errorf("table columns %v, total row %v", tb.Columns, last)
	}
}
