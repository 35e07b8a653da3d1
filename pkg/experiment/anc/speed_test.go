package anc

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/torchpeer"
	"github.com/neurocrypt/neurocrypt/pkg/models/ancnet"
	"github.com/neurocrypt/neurocrypt/pkg/perf"
)

func TestSpeedTables(t *testing.T) {
	s, _ := experiment.ForProfile(ID, ProfileSettings, experiment.Quick)
	if speedTables(s, nil) != nil {
		t.Error("no speed unit: want no tables")
	}
	fast := BackendSpeed{Config: "onnx:/x", Name: "onnx", Device: "cpu",
		ANC: ancnet.RoundTiming{Seconds: 0.05}, CPA: ancnet.RoundTiming{Seconds: 0.15}, Throughput: ancnet.Throughput{MB: 8, Seconds: 0.1, MBPerSec: 80}}
	slow := BackendSpeed{Config: "go", Name: "go", Device: "cpu",
		ANC: ancnet.RoundTiming{Seconds: 0.25}, CPA: ancnet.RoundTiming{Seconds: 0.1}, Throughput: ancnet.Throughput{MB: 8, Seconds: 4, MBPerSec: 2}}
	broken := BackendSpeed{Config: "xla:cpu", Name: "xla", Err: "no plugin"}
	// Stock is faster than best on CPA-ANC (timing noise): each ratio is
	// against the faster configuration of its column.
	sp := &SpeedResult{Backends: []BackendSpeed{fast, slow, broken},
		TorchStock: &TorchResult{Torch: "1.13", Threads: 2, Config: TorchStock, ANCRoundSecs: 0.4, CPARoundSecs: 0.2},
		Torch: &TorchResult{Torch: "1.13", Threads: 2, Config: TorchBest, ANCRoundSecs: 0.2, CPARoundSecs: 0.25,
			ANCMKLDNNSecs: map[string]float64{"on": 0.3, "off": 0.2}, CPAMKLDNNSecs: map[string]float64{"on": 0.25, "off": 0.26}, CPAMKLDNN: true}}
	tabs := speedTables(s, sp)
	if len(tabs) != 2 || !tabs[0].Timing || !tabs[1].Timing {
		t.Fatalf("want 2 timing tables, got %+v", tabs)
	}
	train, enc := tabs[0], tabs[1]
	if len(train.Rows) != 5 || len(enc.Rows) != 3 {
		t.Fatalf("rows: training %d (want 5), encryption %d (want 3)", len(train.Rows), len(enc.Rows))
	}
	goal := func(r int) string { return train.Rows[r][len(train.Columns)-1].(string) }
	// onnx: 0.05 ≤ 0.5 × 0.2 met; go: 0.25 > 1.0 × 0.2 not met.
	if goal(0) != "≤ 0.5×: met" || goal(1) != "≤ 1.0×: not met" || !strings.Contains(goal(2), "no plugin") || goal(3) != "peer" || goal(4) != "peer" {
		t.Errorf("goal column: %q %q %q %q %q", goal(0), goal(1), goal(2), goal(3), goal(4))
	}
	if r := train.Rows[0][4].(float64); r != 0.25 {
		t.Errorf("ANC ratio %g, want 0.05/0.2 = 0.25 (against best)", r)
	}
	if r := train.Rows[0][5].(float64); math.Abs(r-0.75) > 1e-12 {
		t.Errorf("CPA-ANC ratio %g, want 0.15/0.2 = 0.75 (against stock, the faster here)", r)
	}
	if r := train.Rows[3][4].(float64); r != 2 {
		t.Errorf("PyTorch stock's ANC ratio %g, want 0.4/0.2 = 2", r)
	}
	if d := train.Rows[4][1].(string); !strings.Contains(d, "off (ANC), on (CPA-ANC)") || !strings.Contains(d, "malloc tuned") {
		t.Errorf("best row's configuration %q: want oneDNN per model and the malloc tuning", d)
	}
	// A slower onnx misses the stricter 0.5× goal that go would meet.
	sp.Backends[0].ANC.Seconds = 0.15
	if g := speedTables(s, sp)[0].Rows[0][6].(string); g != "≤ 0.5×: not met" {
		t.Errorf("onnx at 0.75× PyTorch: goal %q, want not met", g)
	}
	if enc.Rows[0][6] != "yes" || enc.Rows[1][6] != "no" {
		t.Errorf("≥ paper column: %v %v", enc.Rows[0][6], enc.Rows[1][6])
	}
	sp.Torch, sp.TorchStock, sp.TorchMissing = nil, nil, "PyTorch is not importable"
	train = speedTables(s, sp)[0]
	if g := train.Rows[0][6].(string); !strings.Contains(g, "not measurable") {
		t.Errorf("without PyTorch the goal is %q, want not measurable", g)
	}
	if last := train.Rows[len(train.Rows)-1]; !strings.Contains(last[6].(string), "not importable") {
		t.Errorf("without PyTorch the last row is %v", last)
	}
}

// TestRunSpeedWithFakePython runs the speed unit with a stand-in for
// Python that prints fixed numbers: every available backend (at least go)
// is timed, the "PyTorch" numbers are read back, and a second run is a
// cache hit with the same result.
func TestRunSpeedWithFakePython(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "python")
	// The stand-in reports its configuration, and its malloc tuning as its
	// torch version.
	script := `#!/bin/sh
cat >/dev/null
config=$(echo "$@" | sed 's/.*--config //')
echo "{\"torch\": \"fake-${GLIBC_TUNABLES:-untuned}\", \"config\": \"$config\", \"threads\": 2, \"n\": 16, \"batch\": 4096, \"rounds\": 1, \"anc_round_seconds\": 0.125, \"cpa_round_seconds\": 0.5, \"encrypt\": {\"mb\": 1, \"seconds\": 0.5, \"mb_per_sec\": 2, \"batch\": 1024}}"
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(PythonEnvVar, fake)
	s, _ := experiment.ForProfile(ID, ProfileSettings, experiment.Smoke)
	s.SpeedRounds, s.ThroughputMB, s.ThroughputBatch = 1, 0.01, 1024
	env := &experiment.Env{Profile: experiment.Smoke, Backend: backend.Fixed("go"), Seed: 1, WorkDir: filepath.Join(dir, "work")}
	sp, err := runSpeed(context.Background(), env, s)
	if err != nil {
		t.Fatal(err)
	}
	var goFound bool
	for _, b := range sp.Backends {
		if b.Name == "go" {
			goFound = b.Err == "" && b.ANC.Seconds > 0 && b.CPA.Seconds > 0 && b.Throughput.MBPerSec > 0
		}
	}
	if !goFound {
		t.Errorf("go backend not measured: %+v", sp.Backends)
	}
	if sp.Torch == nil || sp.Torch.ANCRoundSecs != 0.125 || sp.Torch.Encrypt == nil || sp.Torch.Encrypt.MBPerSec != 2 || sp.Torch.Python != fake {
		t.Fatalf("PyTorch reference read back as %+v (missing: %q)", sp.Torch, sp.TorchMissing)
	}
	if sp.TorchStock == nil || sp.TorchStock.Config != TorchStock || sp.Torch.Config != TorchBest {
		t.Fatalf("configurations: stock %+v, best %+v", sp.TorchStock, sp.Torch)
	}
	if sp.TorchStock.Torch != "fake-untuned" || sp.Torch.Torch != "fake-"+strings.TrimPrefix(torchpeer.MallocTunables, "GLIBC_TUNABLES=") {
		t.Errorf("malloc tuning: stock ran with %q, best with %q; want only best tuned", sp.TorchStock.Torch, sp.Torch.Torch)
	}
	sp2, err := runSpeed(context.Background(), env, s)
	if err != nil {
		t.Fatal(err)
	}
	if sp2.Backends[0].ANC != sp.Backends[0].ANC {
		t.Error("second run re-measured instead of using the cache")
	}
	// A Python without torch: reported, not fatal.
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if p, why := findTorchPython(context.Background()); p != "" || !strings.Contains(why, fake) {
		t.Errorf("python without torch: found %q, why %q", p, why)
	}
}

// TestTorchBenchRuns runs the embedded PyTorch reference for real, tiny,
// where PyTorch is installed (skipped elsewhere).
func TestTorchBenchRuns(t *testing.T) {
	python, why := findTorchPython(context.Background())
	if python == "" {
		t.Skip(why)
	}
	for _, config := range []string{TorchStock, TorchBest} {
		r, err := runTorch(context.Background(), python, config, 4, 64, 1, 0.001, 256)
		if err != nil {
			t.Fatal(err)
		}
		if !(r.ANCRoundMedian > 0 && r.CPARoundMedian > 0) {
			t.Errorf("PyTorch reference (%s): no median round times: %+v", config, r)
		}
		if !(r.ANCRoundSecs > 0 && r.CPARoundSecs > 0) || r.Encrypt == nil || !(r.Encrypt.MBPerSec > 0) || r.ANCEve != ancnet.ANCSpeedEve || r.CPAEve != ancnet.CPASpeedEve || r.Config != config {
			t.Errorf("PyTorch reference (%s): %+v", config, r)
		}
		if both := r.ANCMKLDNNSecs; config == TorchBest && (!(both["on"] > 0) || !(both["off"] > 0) || r.ANCRoundSecs != min(both["on"], both["off"])) {
			t.Errorf("best configuration: ANC round %g, oneDNN on/off %v: want both timed and the faster kept", r.ANCRoundSecs, both)
		}
	}
}

// TestPythonIsIsolated: a torch.py in the folder neurocrypt runs from is
// not imported by the PyTorch probe.
func TestPythonIsIsolated(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "IMPORTED")
	if err := os.WriteFile(filepath.Join(dir, "torch.py"), []byte("open("+strconv.Quote(marker)+", 'w').close()\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv(PythonEnvVar, python)
	t.Setenv("PYTHONPATH", dir)
	findTorchPython(context.Background())
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the torch.py of the current folder was imported")
	}
	// The benchmark script itself (it imports torch first thing).
	runTorch(context.Background(), python, TorchStock, 4, 8, 1, 0.01, 8)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the benchmark script imported the torch.py of the current folder")
	}
}

// TestBenchSpec: `neurocrypt bench`'s ANC and CPA-ANC specs read their
// variant's round from torchbench.py's output (a variant without a time
// is an error) and time a round on the go backend with its FLOPs; where
// PyTorch is installed, the script runs with --variants and --steps as
// torchpeer passes them.
func TestBenchSpec(t *testing.T) {
	out := []byte(`{"torch": "x", "threads": 2, "config": "best", "anc_round_seconds": 0.3, "anc_round_median_seconds": 0.25,
		"cpa_round_seconds": 0, "cpa_round_median_seconds": 0, "anc_mkldnn": true, "anc_mkldnn_seconds": {"on": 0.3, "off": 0.4}}`)
	tt, err := BenchSpec(ancnet.ANC, 1).Parse(out)
	if err != nil || tt.StepSeconds != 0.3 || tt.StepMedianSeconds != 0.25 || !tt.MKLDNN || tt.MKLDNNOffSeconds != 0.4 || tt.Config != "best" {
		t.Errorf("ANC parse: %+v, %v", tt, err)
	}
	if _, err := BenchSpec(ancnet.CPA, 1).Parse(out); err == nil {
		t.Error("a CPA-ANC spec read an output without a CPA-ANC round")
	}
	sp := BenchSpec(ancnet.CPA, 1)
	tm, device, err := sp.TimeBackend(context.Background(), "go", 1)
	if err != nil || !(tm.Median > 0) || tm.FLOPs <= 0 || device == "" || sp.Model == "" || sp.Step == "" {
		t.Errorf("CPA-ANC on go: %+v on %q, %v (spec %q: %q)", tm, device, err, sp.Model, sp.Step)
	}
	python, why := findTorchPython(context.Background())
	if python == "" {
		t.Skip(why)
	}
	sp = BenchSpec(ancnet.ANC, 1)
	args := append(append([]string(nil), sp.Args...), "--steps", "1", "--threads", "1", "--config", TorchStock, "--batch", "64")
	raw, err := perf.RunPython(context.Background(), python, sp.Script, nil, torchTimeout, args...)
	if err != nil {
		t.Fatal(err)
	}
	if tt, err := sp.Parse(raw); err != nil || !(tt.StepMedianSeconds > 0) {
		t.Errorf("the script's ANC-only output: %+v, %v (%s)", tt, err, raw)
	}
}
