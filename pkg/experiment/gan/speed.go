package gan

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/models/gannet"
	"github.com/neurocrypt/neurocrypt/pkg/perf"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// The training-speed comparison: one D step and one G/R step at SpeedCrop²,
// batch SpeedBatch, width SpeedChannels (the benchmark setting),
// against PyTorch on the same CPU. Goal: GoMLX within SpeedGoal× of
// PyTorch's best configuration. Reported, never asserted.
const (
	SpeedCrop, SpeedBatch, SpeedChannels = 64, 32, 16
	SpeedGoal                            = 1.0
	// torchTimeout bounds one run of the PyTorch peer.
	torchTimeout = 10 * time.Minute
)

// MallocTunables is the glibc malloc tuning of PyTorch's best
// configuration: mmap and trim thresholds of 256 MiB, so that the step's
// activations (megabytes each) are reused from the heap instead of being
// mmapped and unmapped every step (../shared/ENV.md).
const MallocTunables = "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=268435456"

//go:embed torchbench.py
var torchBench string

// TorchTiming is what torchbench.py reports.
type TorchTiming struct {
	// Torch is PyTorch's version; Threads the intra-op threads it used.
	Torch   string `json:"torch"`
	Threads int    `json:"threads"`
	// Config is "stock" or "best".
	Config string `json:"config"`
	// StepSeconds is the mean wall time of one training step, in seconds.
	StepSeconds float64 `json:"step_seconds"`
	// MKLDNN says whether oneDNN was on for StepSeconds.
	MKLDNN bool `json:"mkldnn"`
	// MKLDNNOn/OffSeconds: the best configuration times both.
	MKLDNNOnSeconds  float64 `json:"mkldnn_on_seconds"`
	MKLDNNOffSeconds float64 `json:"mkldnn_off_seconds"`
}

// BackendTiming is one GoMLX backend's step time.
type BackendTiming struct {
	// Config is the backend configuration ($GOMLX_BACKEND form), Name its
	// short name, Device what it computes on.
	Config, Name, Device string
	// StepSeconds is the mean time of one training step (Model.TimeSteps).
	StepSeconds float64
	// Err says why the backend could not be timed ("" if it was).
	Err string
}

// SpeedResult is the cached speed unit.
type SpeedResult struct {
	// Backends are the GoMLX backends found, in pkg/backend's order.
	Backends []BackendTiming
	// Stock and Best are PyTorch's timings (nil: not measured).
	Stock, Best *TorchTiming
	// TorchMissing says why PyTorch was not measured ("" if it was).
	TorchMissing string
	// Python is the interpreter that imported torch.
	Python string
}

type speedParams struct {
	Steps    int
	Backends []string
	Python   string
}

// runSpeed times the training step on every available GoMLX backend and
// runs the PyTorch peer (stock and best), as one cached unit; nil when
// the profile times nothing (SpeedSteps 0).
func runSpeed(ctx context.Context, env *experiment.Env, s Settings) (*SpeedResult, error) {
	if s.SpeedSteps == 0 {
		return nil, nil
	}
	p := speedParams{Steps: s.SpeedSteps}
	for _, st := range backend.Probe() {
		if st.Available {
			p.Backends = append(p.Backends, st.Config)
		}
	}
	python, missing := perf.FindTorchPython(ctx)
	p.Python = python
	key := experiment.UnitKey{Experiment: ID, Unit: "speed", Version: Version, Params: p}
	res, err := experiment.RunUnit(ctx, env, key, func(ctx context.Context) (SpeedResult, error) {
		out := SpeedResult{Python: python, TorchMissing: missing}
		for _, cfg := range p.Backends {
			env.Logf("gan: timing the training step on backend %s", cfg)
			bt := BackendTiming{Config: cfg, Name: backend.Fixed(cfg).Name()}
			var err error
			bt.StepSeconds, bt.Device, err = timeBackend(ctx, cfg, p.Steps)
			if err != nil {
				if ctx.Err() != nil {
					return out, ctx.Err()
				}
				bt.Err = err.Error()
			}
			out.Backends = append(out.Backends, bt)
		}
		if python == "" {
			return out, nil
		}
		for _, c := range []struct {
			config string
			env    []string
			dst    **TorchTiming
		}{{"stock", nil, &out.Stock}, {"best", []string{MallocTunables}, &out.Best}} {
			env.Logf("gan: timing the PyTorch peer (%s, %s configuration)", python, c.config)
			t, err := runTorch(ctx, python, c.config, c.env, p.Steps)
			if err != nil {
				if ctx.Err() != nil {
					return out, ctx.Err()
				}
				out.TorchMissing = err.Error()
				break
			}
			*c.dst = t
		}
		return out, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: speed: %w", ID, err)
	}
	return &res, nil
}

// timeBackend returns the mean step time on backend cfg over steps timed
// steps after one untimed one (compilation), on synthetic crops.
func timeBackend(ctx context.Context, cfg string, steps int) (float64, string, error) {
	sel := backend.Fixed(cfg)
	be, err := sel.New()
	if err != nil {
		return 0, "", err
	}
	src, err := dataset.NewSynthetic(1, 4, 4*SpeedCrop)
	if err != nil {
		return 0, "", err
	}
	plan, err := dataset.NewPlan(src, dataset.CropConfig{Size: SpeedCrop, PerImage: 16, TestFraction: 0.25, Seed: 1})
	if err != nil {
		return 0, "", err
	}
	data, err := plan.Batches(dataset.Train, SpeedBatch).DropLast().Done()
	if err != nil {
		return 0, "", err
	}
	eval, err := samples(ctx, plan, dataset.Test)
	if err != nil {
		return 0, "", err
	}
	c := gannet.DefaultConfig(SpeedCrop, SpeedBatch, steps+1)
	c.Channels = SpeedChannels
	m, err := gannet.NewModel(be, c, data, eval)
	if err != nil {
		return 0, "", err
	}
	secs, err := m.TimeSteps(ctx, steps)
	return secs, sel.Device(), err
}

func runTorch(ctx context.Context, python, config string, env []string, steps int) (*TorchTiming, error) {
	out, err := perf.RunPython(ctx, python, torchBench, env, torchTimeout, "--crop", fmt.Sprint(SpeedCrop), "--batch", fmt.Sprint(SpeedBatch),
		"--channels", fmt.Sprint(SpeedChannels), "--steps", fmt.Sprint(steps), "--threads", fmt.Sprint(runtime.GOMAXPROCS(0)), "--config", config)
	if err != nil {
		return nil, fmt.Errorf("PyTorch peer (torchbench.py): %w", err)
	}
	var t TorchTiming
	if err := json.Unmarshal(out, &t); err != nil {
		return nil, fmt.Errorf("PyTorch peer: reading its output: %w", err)
	}
	return &t, nil
}

// speedTable renders the speed unit.
func speedTable(sp *SpeedResult) results.Table {
	t := results.Table{Name: "training speed: GoMLX vs PyTorch", Timing: true,
		Columns: []string{"implementation", "configuration", "s per step", "÷ PyTorch best", "goal"},
		Caption: fmt.Sprintf("Mean wall time of one training step (one D step, then one G/R step) at %d², batch %d, width %d, float32, after one "+
			"untimed step, on %d threads. PyTorch runs the same networks, losses and Adam (torchbench.py, embedded in this experiment): "+
			"stock as installed, and best — glibc malloc tuned (%s) and oneDNN on or off, whichever is faster. Ratios are judged against "+
			"the faster of the two; goal: GoMLX within %.1f× of it.", SpeedCrop, SpeedBatch, SpeedChannels, runtime.GOMAXPROCS(0), MallocTunables, SpeedGoal)}
	// The peer's best time: its tuned configuration, or stock where stock
	// happened to be faster (timing noise).
	best := math.NaN()
	for _, c := range []*TorchTiming{sp.Stock, sp.Best} {
		if c != nil && !(c.StepSeconds >= best) {
			best = c.StepSeconds
		}
	}
	for _, b := range sp.Backends {
		if b.Err != "" {
			t.AddRow("GoMLX "+b.Name, b.Config, nil, nil, "failed: "+b.Err)
			continue
		}
		goal := "not measurable: no PyTorch peer"
		ratio := any(nil)
		if !math.IsNaN(best) {
			ratio = b.StepSeconds / best
			goal = "not met"
			if b.StepSeconds <= SpeedGoal*best {
				goal = "met"
			}
		}
		t.AddRow("GoMLX "+b.Name, b.Device, b.StepSeconds, ratio, goal)
	}
	for _, c := range []*TorchTiming{sp.Stock, sp.Best} {
		if c == nil {
			continue
		}
		conf := fmt.Sprintf("%s: %d threads, oneDNN %s", c.Config, c.Threads, map[bool]string{true: "on", false: "off"}[c.MKLDNN])
		if c.Config == "best" {
			conf += fmt.Sprintf(" (on %.3f s, off %.3f s), malloc tuned", c.MKLDNNOnSeconds, c.MKLDNNOffSeconds)
		}
		t.AddRow("PyTorch "+c.Torch, conf, c.StepSeconds, c.StepSeconds/best, "peer")
	}
	if sp.Best == nil {
		t.AddRow("PyTorch", "—", nil, nil, "not measured: "+sp.TorchMissing)
	}
	return t
}
