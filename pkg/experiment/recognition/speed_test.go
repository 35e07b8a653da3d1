package recognition

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/experiment/torchpeer"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn/nntest"
	"github.com/neurocrypt/neurocrypt/pkg/models/recognet"
	"github.com/neurocrypt/neurocrypt/pkg/perf"
)

// pyTuple writes ints as a Python tuple: (1, 2, 3).
func pyTuple[T any](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// pyFilter writes a high-pass filter as recogbench.py does: (divisor,
// integer taps), the divisor the smallest that makes every tap an integer.
func pyFilter(t *testing.T, f [5][5]float64) string {
	for d := 1; d <= 1000; d++ {
		rows := make([]string, 5)
		exact := true
		for i, row := range f {
			taps := make([]int, 5)
			for j, v := range row {
				r := math.Round(v * float64(d))
				if math.Abs(v*float64(d)-r) > 1e-9 {
					exact = false
				}
				taps[j] = int(r)
			}
			rows[i] = pyTuple(taps)
		}
		if exact {
			return fmt.Sprintf("(%d, %s)", d, pyTuple(rows))
		}
	}
	t.Fatalf("filter %v: no integer divisor up to 1000", f)
	return ""
}

// TestTorchPeerConstants: the PyTorch peer's constants mirror recognet's
// and the speed setting's, so the speed table compares the same training
// step.
func TestTorchPeerConstants(t *testing.T) {
	if SpeedArch != recognet.AlexNetPre {
		t.Fatalf("recogbench.py times AlexNetPre; the Go side times %s", SpeedArch)
	}
	if len(recognet.HighPassFilters) != 3 {
		t.Fatalf("%d high-pass filters; recogbench.py has three", len(recognet.HighPassFilters))
	}
	want := map[string]string{
		"SIDE, BATCH, WIDTH, CLASSES": fmt.Sprintf("%d, %d, %d, %d", SpeedSide, SpeedBatch, SpeedWidth, SpeedClasses),
		"LEARNING_RATE, BETAS":        fmt.Sprintf("%g, (%g, %g)", recognet.LearningRate, recognet.Beta1, recognet.Beta2),
		"LRN_SIZE, LRN_ALPHA, LRN_BETA, LRN_K": fmt.Sprintf("%d, %s, %g, %g", recognet.LRNSize,
			strings.TrimRight(fmt.Sprintf("%.10f", recognet.LRNAlpha), "0"), recognet.LRNBeta, recognet.LRNBias),
		"POOL_WINDOW, POOL_STRIDE":   fmt.Sprintf("%d, %d", recognet.PoolWindow, recognet.PoolStride),
		"FIRST_KERNEL, FIRST_STRIDE": fmt.Sprintf("%d, %d", recognet.FirstKernel, recognet.FirstStride),
		"BN_EPS":                     fmt.Sprintf("%g", recognet.BatchNormEpsilon),
		"HPF_KV":                     pyFilter(t, recognet.HighPassFilters[0]),
		"HPF_SQUARE":                 pyFilter(t, recognet.HighPassFilters[1]),
		"HPF_EDGE":                   pyFilter(t, recognet.HighPassFilters[2]),
		"HIGH_PASS":                  "(HPF_KV, HPF_SQUARE, HPF_EDGE)",
	}
	for _, line := range strings.Split(torchBench, "\n") {
		name, val, ok := strings.Cut(line, " = ")
		if w, known := want[name]; ok && known {
			if val != w {
				t.Errorf("recogbench.py: %s = %s, want %s (recognet's)", name, val, w)
			}
			delete(want, name)
		}
	}
	for name := range want {
		t.Errorf("recogbench.py: no line %q", name)
	}
}

// speedParams is the number of trainable parameters of the timed model
// (built on the pure Go backend and stepped once, at batch 2: the batch
// does not change the parameters).
func speedParams(t *testing.T) int {
	t.Helper()
	cfg := speedConfig()
	cfg.Batch = 2
	train, test, err := speedData(cfg.Side, cfg.Batch)
	if err != nil {
		t.Fatal(err)
	}
	m, err := recognet.NewModel(nntest.Backend(t, "RECOGNET_TEST_BACKEND"), cfg, train, test, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Step(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	return m.Params()
}

// TestTorchPeerRuns: where PyTorch imports, the embedded script runs one
// step of the speed setting (as the runner calls it) and prints a timing
// with a positive step time and exactly the Go model's parameter count.
func TestTorchPeerRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs PyTorch")
	}
	ctx := context.Background()
	python, missing := perf.FindTorchPython(ctx)
	if python == "" {
		t.Skip(missing)
	}
	out, err := perf.RunPython(ctx, python, torchBench, nil, 5*time.Minute, "--side", fmt.Sprint(SpeedSide), "--batch", fmt.Sprint(SpeedBatch),
		"--width", fmt.Sprint(SpeedWidth), "--classes", fmt.Sprint(SpeedClasses), "--steps", "1", "--threads", "1", "--config", "stock")
	if err != nil {
		t.Fatal(err)
	}
	var tt torchpeer.TorchTiming
	if err := json.Unmarshal(out, &tt); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !(tt.StepSeconds > 0) || !(tt.StepMedianSeconds > 0) || tt.Config != "stock" || tt.Torch == "" {
		t.Errorf("timing %+v from %s", tt, out)
	}
	var extra struct{ Params int }
	if err := json.Unmarshal(out, &extra); err != nil {
		t.Fatal(err)
	}
	if want := speedParams(t); extra.Params != want {
		t.Errorf("PyTorch peer has %d parameters, the Go model %d: not the same network", extra.Params, want)
	}
}

// TestSpeedTable: the table has a row per timed backend and per PyTorch
// configuration, judged against the faster PyTorch time.
func TestSpeedTable(t *testing.T) {
	res := &torchpeer.Result{Backends: []torchpeer.BackendTiming{{Config: "go", Name: "go", Device: "CPU", StepSeconds: 0.2}},
		Stock: &torchpeer.TorchTiming{Torch: "x", Config: "stock", StepSeconds: 0.1}, Best: &torchpeer.TorchTiming{Torch: "x", Config: "best", StepSeconds: 0.05}}
	tab := speedTable(res)
	if len(tab.Rows) != 3 {
		t.Fatalf("%d rows, want 3: %v", len(tab.Rows), tab.Rows)
	}
	if r, ok := tab.Rows[0][3].(float64); !ok || r != 4 {
		t.Errorf("GoMLX ratio %v, want 4 (0.2 s ÷ PyTorch best 0.05 s)", tab.Rows[0][3])
	}
	if !strings.Contains(tab.Caption, "128²") {
		t.Errorf("caption %q does not name the size", tab.Caption)
	}
}
