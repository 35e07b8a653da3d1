package anc

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/models/ancnet"
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
	sp := &SpeedResult{Backends: []BackendSpeed{fast, slow, broken}, Torch: &TorchResult{Torch: "1.13", Threads: 2, ANCRoundSecs: 0.2, CPARoundSecs: 0.2}}
	tabs := speedTables(s, sp)
	if len(tabs) != 2 || !tabs[0].Timing || !tabs[1].Timing {
		t.Fatalf("want 2 timing tables, got %+v", tabs)
	}
	train, enc := tabs[0], tabs[1]
	if len(train.Rows) != 4 || len(enc.Rows) != 3 {
		t.Fatalf("rows: training %d (want 4), encryption %d (want 3)", len(train.Rows), len(enc.Rows))
	}
	goal := func(r int) string { return train.Rows[r][len(train.Columns)-1].(string) }
	if goal(0) != "met" || goal(1) != "not met" || !strings.Contains(goal(2), "no plugin") || goal(3) != "reference" {
		t.Errorf("goal column: %q %q %q %q", goal(0), goal(1), goal(2), goal(3))
	}
	if r := train.Rows[0][4].(float64); r != 0.25 {
		t.Errorf("ANC ratio %g, want 0.05/0.2 = 0.25", r)
	}
	if enc.Rows[0][6] != "yes" || enc.Rows[1][6] != "no" {
		t.Errorf("≥ paper column: %v %v", enc.Rows[0][6], enc.Rows[1][6])
	}
	sp.Torch, sp.TorchMissing = nil, "PyTorch is not importable"
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
	script := "#!/bin/sh\ncat >/dev/null\necho '{\"torch\": \"fake\", \"threads\": 2, \"n\": 16, \"batch\": 4096, \"rounds\": 1, \"anc_round_seconds\": 0.125, \"cpa_round_seconds\": 0.5, \"encrypt\": {\"mb\": 1, \"seconds\": 0.5, \"mb_per_sec\": 2, \"batch\": 1024}}'\n"
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
		t.Errorf("PyTorch reference read back as %+v (missing: %q)", sp.Torch, sp.TorchMissing)
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
	r, err := runTorch(context.Background(), python, 4, 64, 1, 0.001, 256)
	if err != nil {
		t.Fatal(err)
	}
	if !(r.ANCRoundSecs > 0 && r.CPARoundSecs > 0) || r.Encrypt == nil || !(r.Encrypt.MBPerSec > 0) || r.ANCEve != ancnet.ANCSpeedEve || r.CPAEve != ancnet.CPASpeedEve {
		t.Errorf("PyTorch reference: %+v", r)
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
	runTorch(context.Background(), python, 4, 8, 1, 0.01, 8)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the benchmark script imported the torch.py of the current folder")
	}
}
