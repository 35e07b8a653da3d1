package experiment

import (
	"fmt"
	"io"

	"github.com/gomlx/compute"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/progress"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// Profile selects the size of a run.
type Profile string

// Profiles.
const (
	// Smoke is for CI: synthetic + stand-in data, tiny crops, a few steps;
	// the whole suite takes at most 3 minutes on 2 cores.
	Smoke Profile = "smoke"
	// Quick is the default: stand-in data (or BOSSbase if given), reduced
	// runs, at most 30 minutes on 2 CPU cores.
	Quick Profile = "quick"
	// Paper uses the papers' settings and requires BOSSbase 1.01.
	Paper Profile = "paper"
)

// Profiles lists the valid profiles, smallest first.
var Profiles = []Profile{Smoke, Quick, Paper}

// ParseProfile validates a profile name.
func ParseProfile(s string) (Profile, error) {
	for _, p := range Profiles {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown profile %q (want smoke, quick or paper)", s)
}

// Env is everything an experiment may depend on. Two runs with equal
// Profile, Seed, data (by content hash) and backend must give equal results.
type Env struct {
	Profile Profile
	// Data is the source of images (the paper profile requires BOSSbase).
	Data dataset.Source
	// Backend is the GoMLX backend, chosen once by the CLI or the notebook
	// helper (pkg/backend's Selection); experiments that train create it
	// with Backend.New(). May be nil for experiments that need no GoMLX.
	Backend Backend
	// Seed is the run seed; experiments derive per-unit seeds from it with
	// seeds.Sub, never from global state.
	Seed uint64
	// WorkDir holds checkpoints and the result cache ("" disables both).
	WorkDir string
	// Fresh ignores results cached before this process (they are still
	// overwritten; a unit this process computed is read back, see RunUnit).
	Fresh bool
	// Log receives human-readable progress (nil: discard).
	Log io.Writer
	// Shard, when set, makes this process compute only its part of the
	// units (see Shard and ErrNotInShard).
	Shard *Shard
}

// Backend is the GoMLX backend of a run. pkg/backend's Selection implements
// it; it is an interface here so that this package (and the experiments
// that need no GoMLX) link only GoMLX's small compute interface package,
// not the backends.
type Backend interface {
	// Name is the backend's short name: "go", "onnx" or "xla". Cache keys
	// of trained results include it.
	Name() string
	// Config is the full configuration, as $GOMLX_BACKEND takes it, e.g.
	// "xla:cuda" or "onnx:/path/libonnxruntime.so.1".
	Config() string
	// New returns the backend, created once and shared by the whole run;
	// errors say how to install what is missing.
	New() (compute.Backend, error)
	// Device describes the device it computes on, without creating the
	// backend (before New it says it was not created); after a failed New,
	// the error text.
	Device() string
	// Reason says why this backend was chosen (recorded in provenance).
	Reason() string
}

// Logf writes a progress line to env.Log.
func (e *Env) Logf(format string, args ...any) {
	if e == nil || e.Log == nil {
		return
	}
	fmt.Fprintf(e.Log, format+"\n", args...)
}

// NewBar starts a progress bar on env.Log (a no-op bar when Log is nil).
func (e *Env) NewBar(label string, total int) *progress.Bar {
	if e == nil || e.Log == nil {
		return progress.New(nil, label, total)
	}
	return progress.New(e.Log, label, total)
}

// TestFraction is the share of source images whose crops form the test
// split of every experiment's crop plan (split by source image).
const TestFraction = 0.2

// CropPlan returns the plan of env.Data's crops of side size, perImage per
// source image, from the first maxImages images (0: all), split by source
// image with TestFraction for testing and seeded by seeds.Sub(env.Seed, id,
// "crops") — the plan every crop-based experiment uses. It is an error,
// naming the experiment, when there is no dataset or it gives no crop.
func CropPlan(env *Env, id string, size, perImage, maxImages int) (*dataset.Plan, error) {
	if env.Data == nil {
		return nil, fmt.Errorf("%s: no dataset", id)
	}
	plan, err := dataset.NewPlan(env.Data, dataset.CropConfig{
		Size: size, PerImage: perImage, MaxImages: maxImages,
		TestFraction: TestFraction, Seed: seeds.Sub(env.Seed, id, "crops"),
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	if n := plan.Len(dataset.All); n == 0 {
		return nil, fmt.Errorf("%s: %s gave no %d² crops", id, env.Data.Name(), size)
	}
	env.Logf("%s: %d crops of %d² from %s", id, plan.Len(dataset.All), size, env.Data.Name())
	return plan, nil
}
