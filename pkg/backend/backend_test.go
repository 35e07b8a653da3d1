package backend

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
)

func TestGoBackendAlwaysAvailable(t *testing.T) {
	st := Probe()
	last := st[len(st)-1]
	if last.Name != Go || !last.Available || last.Config != Go {
		t.Fatalf("last probe entry %+v, want the always-available go backend", last)
	}
	if len(st) != 3 || st[0].Name != XLA || st[1].Name != ONNX {
		t.Fatalf("probe order %+v, want xla, onnx, go", st)
	}
	for _, s := range st {
		if !s.Available && s.HowToGet == "" {
			t.Errorf("%s is missing but says nothing about how to get it", s.Name)
		}
	}
}

func TestFixedGoCreatesBackend(t *testing.T) {
	sel := Fixed(Go)
	if sel.Created() {
		t.Fatal("Created before New")
	}
	if d := sel.Device(); !strings.HasPrefix(d, "not queried") || sel.Created() {
		t.Fatalf("Device before New: %q (created %v); want \"not queried…\" without creating the backend", d, sel.Created())
	}
	be, err := sel.New()
	if err != nil {
		t.Fatal(err)
	}
	if be == nil || sel.Name() != Go || !sel.Created() {
		t.Fatalf("backend %q, selection %q", be.Name(), sel.Name())
	}
	if be2, _ := sel.New(); be2 != be {
		t.Fatal("New must return the same backend on every call")
	}
	if d := sel.Device(); strings.HasPrefix(d, "unavailable") || strings.HasPrefix(d, "not queried") || d == "" {
		t.Fatalf("device %q", d)
	}
}

func TestEnvVarWins(t *testing.T) {
	t.Setenv(compute.ConfigEnvVar, "go")
	sel := Select()
	if sel.Config() != "go" || !strings.Contains(sel.Reason(), compute.ConfigEnvVar) {
		t.Fatalf("got %+v", sel)
	}
}

func TestUnknownBackendIsAnError(t *testing.T) {
	_, err := Fixed("nosuch").New()
	if err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("want an error naming the backend, got %v", err)
	}
}

func TestFindONNXRuntimeHonoursEnv(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "libonnxruntime.so.1")
	if err := os.WriteFile(lib, []byte("not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ONNXRUNTIME_SHARED_LIBRARY_PATH", lib)
	if got := FindONNXRuntime(); got != lib {
		t.Fatalf("FindONNXRuntime() = %q, want %q", got, lib)
	}
	// A bare "onnx" (as GOMLX_BACKEND or Fixed) gets the library found.
	t.Setenv(compute.ConfigEnvVar, "onnx")
	if got := Select().Config(); got != ONNX+":"+lib {
		t.Errorf("GOMLX_BACKEND=onnx selects %q, want %q", got, ONNX+":"+lib)
	}
	if got := Fixed("onnx").Config(); got != ONNX+":"+lib {
		t.Errorf("Fixed(onnx) is %q, want %q", got, ONNX+":"+lib)
	}
	found := false
	for _, s := range Probe() {
		if s.Name == ONNX && s.Available && s.Config == ONNX+":"+lib {
			found = true
		}
	}
	if !found {
		t.Fatal("probe does not report the ONNX Runtime library")
	}
}

// The CLI and the notebook helper hand a Selection to experiments as their
// Env's backend.
var _ experiment.Backend = (*Selection)(nil)

// TestGoBackendUnlimitedPool: a plain "go" configuration gets an
// unlimited worker pool (GoUnlimitedPool), an explicit parallelism is kept.
func TestGoBackendUnlimitedPool(t *testing.T) {
	be, err := newCompute("go")
	if err != nil {
		t.Fatal(err)
	}
	if d := be.Description(); !strings.Contains(d, "parallelism=-1") {
		t.Errorf("go backend: %q, want an unlimited pool", d)
	}
	be, err = newCompute("go:parallelism=3")
	if err != nil {
		t.Fatal(err)
	}
	if d := be.Description(); !strings.Contains(d, "parallelism=3") {
		t.Errorf("go:parallelism=3 backend: %q", d)
	}
}

// TestReleaseFinalizesOnlyTheGoBackend: Release finalizes a pure Go backend
// of its own and tolerates nil.
func TestReleaseFinalizesOnlyTheGoBackend(t *testing.T) {
	be, err := Fixed(Go).New()
	if err != nil {
		t.Fatal(err)
	}
	if be.Name() != GoBackendName {
		t.Fatalf("the go backend is named %q, not GoBackendName %q", be.Name(), GoBackendName)
	}
	Release(be)
	if !be.IsFinalized() {
		t.Error("Release left the go backend open")
	}
	Release(nil)
}
