// Package torchpeer measures a model's training step on every GoMLX
// backend found beside the same networks in PyTorch on the same CPU, stock
// and in PyTorch's best configuration, as one cached unit, and renders the
// comparison. Each experiment with a model brings its PyTorch script
// (written from the same definitions) and its GoMLX timing. Ours.
package torchpeer

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/gomlx/compute"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/perf"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// MallocTunables is the glibc malloc tuning of PyTorch's best
// configuration: mmap and trim thresholds of 256 MiB, so that a step's
// activations (megabytes each) are reused from the heap instead of being
// mmapped and unmapped every step (../shared/ENV.md).
const MallocTunables = "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=268435456"

// Timeout bounds one run of a PyTorch script.
const Timeout = 10 * time.Minute

// TorchTiming is what a peer script prints (one JSON object).
type TorchTiming struct {
	// Torch is PyTorch's version; Threads the intra-op threads it used.
	Torch   string `json:"torch"`
	Threads int    `json:"threads"`
	// Config is "stock" or "best".
	Config string `json:"config"`
	// StepSeconds is the mean wall time of one training step, in seconds;
	// StepMedianSeconds the median of the same steps.
	StepSeconds       float64 `json:"step_seconds"`
	StepMedianSeconds float64 `json:"step_median_seconds"`
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
	// StepSeconds and Median are the mean and median time of one training
	// step, in seconds; FLOPs its graphs' floating-point work
	// (nn.GraphFLOPs; 0: not counted).
	StepSeconds, Median float64
	FLOPs               int64
	// Err says why the backend could not be timed ("" if it was).
	Err string
}

// Result is the cached speed unit.
type Result struct {
	// Backends are the GoMLX backends found, in pkg/backend's order.
	Backends []BackendTiming
	// Stock and Best are PyTorch's timings (nil: not measured).
	Stock, Best *TorchTiming
	// TorchMissing says why PyTorch was not measured ("" if it was).
	TorchMissing string
	// Python is the interpreter that imported torch.
	Python string
}

// Spec is one experiment's comparison.
type Spec struct {
	// Experiment is the experiment's ID (the unit's and messages'),
	// Version its code version in cache keys.
	Experiment, Version string
	// Steps is the number of timed steps (after one untimed step).
	Steps int
	// Script is the PyTorch script; it takes Args plus --steps N
	// --threads N --config stock|best and prints a TorchTiming.
	Script string
	Args   []string
	// TimeBackend times steps steps (after an untimed one) on the backend
	// configuration cfg and returns their timing and the device.
	TimeBackend func(ctx context.Context, cfg string, steps int) (t nn.Timing, device string, err error)
	// Parse reads the script's output when it is not a TorchTiming
	// (nil: a TorchTiming).
	Parse func(out []byte) (*TorchTiming, error)
	// Model names the model timed, short (a bar chart's category), and
	// Step what one step is, for `neurocrypt bench` (the experiments' own
	// tables do not use them).
	Model, Step string
}

// unitParams key the unit: the steps, the backends found and the Python
// that imports torch (the script is the experiment's code: its Version).
type unitParams struct {
	Steps    int
	Backends []string
	Python   string
}

// Run times the step on every available GoMLX backend and runs the
// PyTorch peer (stock and best), as one cached unit.
func Run(ctx context.Context, env *experiment.Env, sp Spec) (*Result, error) {
	p := params(ctx, sp)
	key := experiment.UnitKey{Experiment: sp.Experiment, Unit: "speed", Version: sp.Version, Params: p}
	res, err := experiment.RunUnit(ctx, env, key, func(ctx context.Context) (Result, error) { return measure(ctx, env, sp, p) })
	if err != nil {
		return nil, fmt.Errorf("%s: speed: %w", sp.Experiment, err)
	}
	return &res, nil
}

func runTorch(ctx context.Context, python string, sp Spec, config string, env []string, steps int) (*TorchTiming, error) {
	args := append(append([]string(nil), sp.Args...), "--steps", fmt.Sprint(steps), "--threads", fmt.Sprint(runtime.GOMAXPROCS(0)), "--config", config)
	out, err := perf.RunPython(ctx, python, sp.Script, env, Timeout, args...)
	if err != nil {
		return nil, fmt.Errorf("PyTorch peer: %w", err)
	}
	if sp.Parse != nil {
		t, err := sp.Parse(out)
		if err != nil {
			return nil, fmt.Errorf("PyTorch peer: reading its output: %w", err)
		}
		return t, nil
	}
	var t TorchTiming
	if err := json.Unmarshal(out, &t); err != nil {
		return nil, fmt.Errorf("PyTorch peer: reading its output: %w", err)
	}
	return &t, nil
}

// Fastest returns the smaller of secs(Stock) and secs(Best) among the
// configurations measured with a positive time (NaN: none was): PyTorch's
// best time, its tuned configuration or stock where stock happened to be
// faster (timing noise).
func (r *Result) Fastest(secs func(*TorchTiming) float64) float64 {
	best := math.NaN()
	for _, c := range []*TorchTiming{r.Stock, r.Best} {
		if c != nil && secs(c) > 0 && !(secs(c) >= best) {
			best = secs(c)
		}
	}
	return best
}

// Table renders the comparison: one row per GoMLX backend (its time, the
// ratio to PyTorch's best time, whether it is within goal× of it) and one
// per PyTorch configuration. caption describes the step measured.
func Table(res *Result, caption string, goal float64) results.Table {
	t := results.Table{Name: "training speed: GoMLX vs PyTorch", Timing: true,
		Columns: []string{"implementation", "configuration", "s per step", "÷ PyTorch best", "goal"},
		Caption: fmt.Sprintf("%s, after one untimed step, on %d threads. PyTorch runs the same networks, losses and Adam (a script embedded in "+
			"this experiment): stock as installed, and best — glibc malloc tuned (%s) and oneDNN on or off, whichever is faster. Ratios are "+
			"judged against the faster of the two; goal: GoMLX within %.1f× of it.", caption, runtime.GOMAXPROCS(0), MallocTunables, goal)}
	// The peer's best time: its tuned configuration, or stock where stock
	// happened to be faster (timing noise).
	best := res.Fastest(func(t *TorchTiming) float64 { return t.StepSeconds })
	for _, b := range res.Backends {
		if b.Err != "" {
			t.AddRow("GoMLX "+b.Name, b.Config, nil, nil, "failed: "+b.Err)
			continue
		}
		verdict := "not measurable: no PyTorch peer"
		ratio := any(nil)
		if !math.IsNaN(best) {
			ratio = b.StepSeconds / best
			verdict = "not met"
			if b.StepSeconds <= goal*best {
				verdict = "met"
			}
		}
		t.AddRow("GoMLX "+b.Name, b.Device, b.StepSeconds, ratio, verdict)
	}
	for _, c := range []*TorchTiming{res.Stock, res.Best} {
		if c == nil {
			continue
		}
		conf := fmt.Sprintf("%s: %d threads, oneDNN %s", c.Config, c.Threads, map[bool]string{true: "on", false: "off"}[c.MKLDNN])
		if c.Config == "best" {
			conf += fmt.Sprintf(" (on %.3f s, off %.3f s), malloc tuned", c.MKLDNNOnSeconds, c.MKLDNNOffSeconds)
		}
		t.AddRow("PyTorch "+c.Torch, conf, c.StepSeconds, c.StepSeconds/best, "peer")
	}
	if res.Best == nil {
		t.AddRow("PyTorch", "—", nil, nil, "not measured: "+res.TorchMissing)
	}
	return t
}

// SyntheticData is the synthetic data of a speed measurement: training
// batches of batch crops of crop² (four synthetic images of 4·crop², 16
// crops each) and the held-out crops.
func SyntheticData(ctx context.Context, crop, batch int) (*dataset.Batches, []dataset.Sample, error) {
	src, err := dataset.NewSynthetic(1, 4, 4*crop)
	if err != nil {
		return nil, nil, err
	}
	plan, err := dataset.NewPlan(src, dataset.CropConfig{Size: crop, PerImage: 16, TestFraction: 0.25, Seed: 1})
	if err != nil {
		return nil, nil, err
	}
	data, err := plan.Batches(dataset.Train, batch).DropLast().Done()
	if err != nil {
		return nil, nil, err
	}
	eval, err := experiment.Samples(ctx, plan, dataset.Test, nil)
	return data, eval, err
}

// Stepper is a model whose training steps can be timed: the mean wall
// time of n steps after one untimed step (gannet.Model, agilenet.Model).
type Stepper interface {
	TimeSteps(ctx context.Context, n int) (nn.Timing, error)
	// Close frees the model's compiled graphs once timed.
	Close()
}

// TimeModel returns a Spec.TimeBackend that times the model build makes
// on the backend (for steps+1 steps) on synthetic crops of crop², in
// batches of batch (SyntheticData).
func TimeModel(crop, batch int, build func(be compute.Backend, data *dataset.Batches, eval []dataset.Sample, steps int) (Stepper, error)) func(ctx context.Context, cfg string, steps int) (nn.Timing, string, error) {
	return func(ctx context.Context, cfg string, steps int) (nn.Timing, string, error) {
		sel := backend.Fixed(cfg)
		be, err := sel.New()
		if err != nil {
			return nn.Timing{}, "", err
		}
		defer backend.Release(be) // a fresh backend of its own (Fixed)
		data, eval, err := SyntheticData(ctx, crop, batch)
		if err != nil {
			return nn.Timing{}, "", err
		}
		m, err := build(be, data, eval, steps+1)
		if err != nil {
			return nn.Timing{}, "", err
		}
		defer m.Close()
		t, err := m.TimeSteps(ctx, steps)
		return t, sel.Device(), err
	}
}

// params are the unit's parameters: sp's steps, the backends found and the
// Python that imports torch.
func params(ctx context.Context, sp Spec) unitParams {
	p := unitParams{Steps: sp.Steps}
	for _, st := range backend.Probe() {
		if st.Available {
			p.Backends = append(p.Backends, st.Config)
		}
	}
	p.Python, _ = perf.FindTorchPython(ctx)
	return p
}

// Measure is Run without the cache: `neurocrypt bench` re-measures on
// every run.
func Measure(ctx context.Context, env *experiment.Env, sp Spec) (*Result, error) {
	res, err := measure(ctx, env, sp, params(ctx, sp))
	if err != nil {
		return nil, fmt.Errorf("%s: speed: %w", sp.Experiment, err)
	}
	return &res, nil
}

// measure times sp on the backends of p and runs its PyTorch peer with p's
// Python.
func measure(ctx context.Context, env *experiment.Env, sp Spec, p unitParams) (Result, error) {
	python := p.Python
	missing := ""
	if python == "" {
		_, missing = perf.FindTorchPython(ctx)
	}
	out := Result{Python: python, TorchMissing: missing}
	for _, cfg := range p.Backends {
		env.Logf("%s: timing the training step on backend %s", sp.Experiment, cfg)
		bt := BackendTiming{Config: cfg, Name: backend.Fixed(cfg).Name()}
		t, device, err := sp.TimeBackend(ctx, cfg, p.Steps)
		bt.StepSeconds, bt.Median, bt.FLOPs, bt.Device = t.Mean, t.Median, t.FLOPs, device
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
		env.Logf("%s: timing the PyTorch peer (%s, %s configuration)", sp.Experiment, python, c.config)
		t, err := runTorch(ctx, python, sp, c.config, c.env, p.Steps)
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
}
