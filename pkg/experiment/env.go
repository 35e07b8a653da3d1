package experiment

import (
	"fmt"
	"io"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/progress"
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
	// Backend names the GoMLX backend chosen by pkg/backend; experiments
	// that train create it through Backend.New(). May be nil for
	// experiments that need no GoMLX.
	Backend BackendProvider
	// Seed is the run seed; experiments derive per-unit seeds from it with
	// SubSeed, never from global state.
	Seed uint64
	// WorkDir holds checkpoints and the result cache ("" disables both).
	WorkDir string
	// Fresh ignores cached results (they are still overwritten).
	Fresh bool
	// Log receives human-readable progress (nil: discard).
	Log io.Writer
}

// BackendProvider is implemented by pkg/backend's Selection. It is an
// interface here so that experiments that need no GoMLX don't link it.
type BackendProvider interface {
	// Name is the backend's configuration, e.g. "go", "onnx", "xla:cpu".
	Name() string
}

// Logf writes a progress line to env.Log.
func (e *Env) Logf(format string, args ...any) {
	if e == nil || e.Log == nil {
		return
	}
	fmt.Fprintf(e.Log, format+"\n", args...)
}

// SubSeed derives a deterministic seed for a named unit of work from the run
// seed (SplitMix64 over the seed and an FNV-1a hash of the parts), so that
// seeds depend only on what the unit is, never on execution order.
func SubSeed(seed uint64, parts ...any) uint64 {
	h := uint64(14695981039346656037)
	for _, p := range parts {
		for _, b := range []byte(fmt.Sprint(p)) {
			h ^= uint64(b)
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	return splitmix(seed ^ splitmix(h))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// NewBar starts a progress bar on env.Log (a no-op bar when Log is nil).
func (e *Env) NewBar(label string, total int) *progress.Bar {
	if e == nil || e.Log == nil {
		return progress.New(nil, label, total)
	}
	return progress.New(e.Log, label, total)
}
