// Package backend chooses the GoMLX compute backend neurocrypt trains on,
// without ever downloading anything at run time:
//
//  1. $GOMLX_BACKEND, if set (e.g. "go", "xla:cpu", "onnx:/path/libonnxruntime.so.1");
//  2. else "xla" when a PJRT plugin is installed (PJRT_PLUGIN_LIBRARY_PATH,
//     ~/.local/lib/go-xla, /usr/local/lib/go-xla, ...);
//  3. else "onnx" when an ONNX Runtime shared library is found
//     ($ONNXRUNTIME_SHARED_LIBRARY_PATH, ~/.local/lib/neurocrypt/, ~/.local/lib/onnxruntime/, ...);
//  4. else "go", the pure Go backend, which always works.
//
// The XLA auto-installer of GoMLX's default backend set is deliberately not
// imported and ONNX Runtime's auto-install is disabled: installing a plugin is
// an explicit user action (scripts/setup.sh), never a side effect of a run.
package backend

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	onnxbackend "github.com/gomlx/compute-onnx"
	_ "github.com/gomlx/compute/gobackend" // registers "go"
	"github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/installer"
)

// ORTTelemetryEnv is ONNX Runtime's switch for its telemetry: set to "1"
// unless the user set it, so that ONNX Runtime neither queues telemetry in
// ~/.cache/Microsoft/DeveloperTools nor writes /tmp/mat-debug-<pid>.log.
const ORTTelemetryEnv = "ORT_DISABLE_TELEMETRY"

func init() {
	// Never download ONNX Runtime (or a PJRT plugin) implicitly.
	onnxbackend.EnableAutoInstall(false)
	xla.EnableAutoInstall(false)
	// Nothing runs, and nothing is written, that the user did not ask for.
	if _, set := os.LookupEnv(ORTTelemetryEnv); !set {
		os.Setenv(ORTTelemetryEnv, "1")
	}
}

// Names of the backends neurocrypt knows, in order of preference.
const (
	XLA  = "xla"
	ONNX = "onnx"
	Go   = "go"
)

// Selection is the outcome of choosing a backend: its configuration string
// (as GOMLX_BACKEND would take it), why it was chosen, and a lazily created
// compute.Backend shared by everything that uses the selection. It
// implements experiment.Backend, which is how the CLI and the notebook
// helper hand the backend to experiments.
type Selection struct {
	// config is the backend configuration, e.g. "go", "xla:cpu",
	// "onnx:/home/u/.local/lib/neurocrypt/libonnxruntime.so.1".
	config string
	// reason says why this backend was chosen.
	reason string

	once    sync.Once
	mu      sync.Mutex
	created bool
	be      compute.Backend
	err     error
}

// Name is the backend's short name: "xla", "onnx" or "go".
func (s *Selection) Name() string {
	name, _, _ := strings.Cut(s.config, ":")
	return name
}

// Config is the backend configuration, e.g. "go", "xla:cpu",
// "onnx:/home/u/.local/lib/neurocrypt/libonnxruntime.so.1".
func (s *Selection) Config() string { return s.config }

// Reason says why this backend was chosen (recorded in provenance).
func (s *Selection) Reason() string { return s.reason }

// Because returns a copy of s that gives reason as why it was chosen.
func (s *Selection) Because(reason string) *Selection {
	return &Selection{config: s.config, reason: reason}
}

// String returns the configuration.
func (s *Selection) String() string { return s.config }

// New returns the compute.Backend, creating it on first use. Creation errors
// name the configuration and how to fix it.
func (s *Selection) New() (compute.Backend, error) {
	s.once.Do(func() {
		s.mu.Lock()
		s.created = true
		s.mu.Unlock()
		name, _, _ := strings.Cut(s.config, ":")
		known := compute.List()
		sort.Strings(known)
		if !contains(known, name) {
			s.err = fmt.Errorf("backend %q is not compiled in (known: %s)", name, strings.Join(known, ", "))
			return
		}
		s.be, s.err = newCompute(s.config)
		if s.err != nil {
			s.err = fmt.Errorf("creating GoMLX backend %q: %w (run `neurocrypt backends` to see what is installed)", s.config, s.err)
		}
	})
	return s.be, s.err
}

// GoUnlimitedPool is the pure Go backend option ($GOMLX_BACKEND
// "go:parallelism=-1") that newCompute applies to a Go configuration that
// does not set its parallelism: an unlimited worker pool. With the
// default, limited pool, GoMLX compute v0.1.6's Go backend can deadlock
// when ops running in parallel each fan a large matrix product out over a
// pool that is already full (workerspool.Pool.Saturate waits for a slot
// that only its caller's siblings hold): observed as a quick-profile GAN
// training hung at step 125, every worker in Saturate. An unlimited pool
// never waits before starting a task, and measured the same speed (the
// GAN's quick step: 0.47 s vs 0.49 s on 2 cores).
const GoUnlimitedPool = "parallelism=-1"

// newCompute creates the backend of config. A Go configuration without a
// parallelism option gets an unlimited worker pool (GoUnlimitedPool). It
// is set on the created backend's pool (its exported Workers field's
// SetMaxParallelism, reached by reflection because the type is internal
// to GoMLX's module) rather than through the configuration string, whose
// parsing prints a line to stdout, which carries reports and JSON here.
// TestGoBackendUnlimitedPool fails if a GoMLX upgrade moves that field.
func newCompute(config string) (compute.Backend, error) {
	name, opts, _ := strings.Cut(config, ":")
	be, err := compute.NewWithConfig(config)
	if err != nil || name != Go || strings.Contains(opts, "parallelism=") {
		return be, err
	}
	if v := reflect.ValueOf(be); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		if pool := v.Elem().FieldByName("Workers"); pool.IsValid() {
			if set := pool.MethodByName("SetMaxParallelism"); set.IsValid() && set.Type().NumIn() == 1 {
				set.Call([]reflect.Value{reflect.ValueOf(-1)})
			}
		}
	}
	return be, nil
}

// Created reports whether New has been called (successfully or not).
func (s *Selection) Created() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created
}

// Device describes the device the backend computes on. It never creates
// the backend (that can be slow, or fail): before New it says so; after a
// failed New it returns the error text.
func (s *Selection) Device() string {
	if !s.Created() {
		return "not queried: no experiment created the " + s.config + " backend in this run (cached results are keyed by backend, so they were computed on it too)"
	}
	be, err := s.New()
	if err != nil {
		return "unavailable: " + err.Error()
	}
	if be.NumDevices() == 0 {
		return be.Description()
	}
	return fmt.Sprintf("%s; %s", be.Description(), be.DeviceDescription(0))
}

// MustNew is New that panics on error.
func (s *Selection) MustNew() compute.Backend {
	be, err := s.New()
	if err != nil {
		panic(err)
	}
	return be
}

// Fixed returns a selection of an explicit configuration (e.g. "go" in tests).
func Fixed(config string) *Selection {
	return &Selection{config: withONNXLibrary(config), reason: "requested explicitly"}
}

// withONNXLibrary completes a bare "onnx" configuration with the library
// FindONNXRuntime finds, as Probe does: GoMLX's ONNX backend itself looks
// only at $ONNXRUNTIME_SHARED_LIBRARY_PATH, so `GOMLX_BACKEND=onnx` failed
// at the first model ("library not found") on a machine where `neurocrypt
// backends` reported ONNX Runtime available. Other configurations, and
// "onnx" when no library is found (its error then says so), are returned
// as they are.
func withONNXLibrary(config string) string {
	if strings.EqualFold(config, ONNX) {
		if lib := FindONNXRuntime(); lib != "" {
			return ONNX + ":" + lib
		}
	}
	return config
}

// Select applies the rules in the package documentation.
func Select() *Selection {
	if cfg, ok := os.LookupEnv(compute.ConfigEnvVar); ok && strings.TrimSpace(cfg) != "" {
		return &Selection{config: withONNXLibrary(strings.TrimSpace(cfg)), reason: "$" + compute.ConfigEnvVar + " is set"}
	}
	for _, st := range Probe() {
		if st.Available {
			return &Selection{config: st.Config, reason: st.Detail}
		}
	}
	// Unreachable: Probe always reports "go" as available.
	return &Selection{config: Go, reason: "fallback"}
}

var (
	defaultMu  sync.Mutex
	defaultSel *Selection
)

// Default is the process's backend for code that has no experiment.Env to
// take one from (trained ciphers used through the cipher registry: the
// battery, `neurocrypt encrypt`): the one a run chose (SetDefault), else
// Select()'s, made on first use.
func Default() *Selection {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultSel == nil {
		defaultSel = Select()
	}
	return defaultSel
}

// SetDefault makes s the process's Default, so that everything a run does
// computes on the backend it chose once (the CLI's reproduce and the
// notebook helper call it).
func SetDefault(s *Selection) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	defaultSel = s
}

// Status is what Probe found about one backend.
type Status struct {
	Name      string // "xla", "onnx", "go"
	Available bool
	Config    string // configuration to use it, when available
	Detail    string // what was found, or what is missing
	HowToGet  string // how to install it, when missing
}

// Probe reports, in order of preference, which backends could be used now.
// It only looks at files: it never creates a backend or downloads anything.
func Probe() []Status {
	var out []Status

	xs := Status{Name: XLA, HowToGet: "`go run ./cmd/neurocrypt backends -install xla` (downloads the PJRT CPU plugin, and CUDA where a GPU is present, into ~/.local/lib/go-xla), or set PJRT_PLUGIN_LIBRARY_PATH to a folder with pjrt_c_api_<name>_plugin.so"}
	if runtime.GOOS == "linux" || runtime.GOOS == "darwin" {
		if plugins := xla.GetAvailablePlugins(); len(plugins) > 0 {
			sort.Strings(plugins)
			pick := plugins[0]
			for _, p := range plugins { // prefer an accelerator plugin
				if strings.HasPrefix(p, "cuda") {
					pick = p
				}
			}
			xs.Available, xs.Config = true, XLA+":"+pick
			xs.Detail = fmt.Sprintf("PJRT plugins found: %s", strings.Join(plugins, ", "))
		} else {
			xs.Detail = "no PJRT plugin found"
		}
	}
	out = append(out, xs)

	ons := Status{Name: ONNX, HowToGet: "scripts/setup.sh --onnx (puts libonnxruntime.so.1 in ~/.local/lib/neurocrypt/), or set ONNXRUNTIME_SHARED_LIBRARY_PATH"}
	if lib := FindONNXRuntime(); lib != "" {
		ons.Available, ons.Config = true, ONNX+":"+lib
		ons.Detail = "ONNX Runtime library found: " + lib
	} else {
		ons.Detail = "no ONNX Runtime shared library found"
	}
	out = append(out, ons)

	out = append(out, Status{Name: Go, Available: true, Config: Go, Detail: "pure Go backend (always available; slowest)"})
	return out
}

// ONNXSearchPaths lists where FindONNXRuntime looks, in order.
func ONNXSearchPaths() []string {
	var paths []string
	if p := os.Getenv("ONNXRUNTIME_SHARED_LIBRARY_PATH"); p != "" {
		paths = append(paths, p)
	}
	if home, err := os.UserHomeDir(); err == nil {
		for _, d := range []string{".local/lib/neurocrypt", ".local/lib/onnxruntime"} {
			paths = append(paths, filepath.Join(home, d, "libonnxruntime.so.1"), filepath.Join(home, d, "libonnxruntime.so"))
		}
	}
	for _, d := range []string{"/usr/local/lib", "/usr/lib", "/usr/lib/x86_64-linux-gnu"} {
		paths = append(paths, filepath.Join(d, "libonnxruntime.so.1"), filepath.Join(d, "libonnxruntime.so"))
	}
	return paths
}

// FindONNXRuntime returns the first ONNX Runtime library in ONNXSearchPaths,
// or "" if none exists.
func FindONNXRuntime() string {
	if runtime.GOOS != "linux" {
		return ""
	}
	for _, p := range ONNXSearchPaths() {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// InstallXLA downloads and installs PJRT plugins into ~/.local/lib/go-xla:
// the CPU plugin, plus the CUDA one when a GPU is present. It is the only
// place neurocrypt downloads a backend, and runs only when a user asks for
// it (`neurocrypt backends -install xla`); it fails without network access.
func InstallXLA() error {
	if err := installer.AutoInstall("", true, installer.Normal); err != nil {
		return fmt.Errorf("installing the PJRT plugins: %w", err)
	}
	return nil
}

// GoBackendName is compute.Backend.Name() of the pure Go backend.
const GoBackendName = "Go Backend"

// IsGo reports whether be is the pure Go backend (the models pick their
// layers' forms by it). Ours.
func IsGo(be compute.Backend) bool { return be != nil && be.Name() == GoBackendName }

// Release frees a backend made for one measurement (Fixed(…).New()), once
// nothing created on it is used any more: the pure Go backend's buffer
// pools go with it. Other backends are left to the garbage collector, on
// purpose: ONNX Runtime's Finalize frees nothing, and XLA's destroys the
// PJRT client while executables GoMLX compiled implicitly (the variables'
// initialisation) may still be finalized after it. Ours.
func Release(be compute.Backend) {
	if IsGo(be) {
		be.Finalize()
	}
}
