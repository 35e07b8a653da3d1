// Package performance measures the throughput of every registered cipher
// and of the metrics on 512² images with go-benchmarks (the security
// battery's speed targets: pkg/battery) and reports it beside the
// project's speed goals (bit-plane encryption ≥ 100 MB/s on one core,
// metrics ≥ 200 MB/s) and the machine's measured ceilings: a memory copy,
// and a float32 matrix product on every GoMLX backend found.
//
// `neurocrypt bench` runs it with the models too (NewBench): the training
// step of every model (BenchModels) on every backend and in PyTorch,
// stock and best, as median step times, GFLOP/s and shares of the
// ceiling. Goals are reported, never asserted; every table is marked as
// timing so that determinism checks skip it. Ours.
package performance

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/perf"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// ID is the experiment's identifier.
const ID = "performance"

// Speed goals in MB/s. GoalEncryptMBps applies to the bit-plane cipher
// and, from issue #12, to the Hopfield and cellular ciphers too.
const (
	GoalEncryptMBps = 100
	GoalMetricsMBps = 200
)

// Settings are a profile's timing budget.
type Settings struct {
	// Duration is the go-benchmarks time per cipher or metric target.
	Duration time.Duration
	// MatMulN and MatMulCalls: the matrix-product ceiling multiplies
	// MatMulN² matrices, MatMulCalls timed times after one untimed.
	MatMulN, MatMulCalls int
	// BenchSteps is the number of timed training steps per model and
	// implementation (NewBench only; ≥ 20 except in smoke).
	BenchSteps int
	// ProfileTime is the wall time of each form's per-op profile
	// (NewBench only).
	ProfileTime time.Duration
}

// ProfileSettings are the settings per profile.
var ProfileSettings = map[experiment.Profile]Settings{
	experiment.Smoke: {Duration: 100 * time.Millisecond, MatMulN: 256, MatMulCalls: 5, BenchSteps: 2, ProfileTime: time.Second},
	experiment.Quick: {Duration: 700 * time.Millisecond, MatMulN: 1024, MatMulCalls: 20, BenchSteps: 20, ProfileTime: 4 * time.Second},
	experiment.Paper: {Duration: 3 * time.Second, MatMulN: 2048, MatMulCalls: 30, BenchSteps: 50, ProfileTime: 15 * time.Second},
}

// Experiment is the performance experiment.
type Experiment struct{ models bool }

// New returns the performance experiment of `neurocrypt reproduce`:
// ciphers, metrics and the machine's ceilings.
func New() *Experiment { return &Experiment{} }

// NewBench returns the performance experiment of `neurocrypt bench`: New's
// measurements plus every model's training step (BenchModels) on every
// backend and in PyTorch, and PyTorch's matrix-product ceiling.
func NewBench() *Experiment { return &Experiment{models: true} }

// ID implements experiment.Experiment.
func (*Experiment) ID() string { return ID }

// Title implements experiment.Experiment.
func (e *Experiment) Title() string {
	if e.models {
		return "Performance: training steps, cipher and metric throughput, and the machine's ceilings"
	}
	return "Performance: cipher and metric throughput on 512² images, and the machine's ceilings"
}

// Papers implements experiment.Experiment.
func (*Experiment) Papers() []results.Citation { return nil }

// Uncached implements suite.Uncached: timings are always re-measured.
func (*Experiment) Uncached() bool { return true }

// Run implements experiment.Experiment.
func (e *Experiment) Run(ctx context.Context, env *experiment.Env) (*results.Result, error) {
	set, err := experiment.ForProfile(ID, ProfileSettings, env.Profile)
	if err != nil {
		return nil, err
	}
	load := perf.LoadNote() // before this experiment loads the machine
	d := set.Duration
	src := dataset.StandIn()
	img, err := src.Load(0)
	if err != nil {
		return nil, err
	}
	if img.Width != 512 || img.Height != 512 {
		return nil, fmt.Errorf("performance: stand-in image %s is %dx%d, want 512x512", src.ID(0), img.Width, img.Height)
	}
	bt, err := battery.Build(Ciphers()...).Seed(env.Seed, ID).Done()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	targets, err := bt.SpeedTargets(img)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	targets = append(targets, copyTarget(CopyImageTarget, CopyImageBytes), copyTarget(CopyRAMTarget, CopyRAMBytes))
	env.Logf("performance: timing %d operations for about %s each", len(targets), d)
	ms, err := perf.Measure(targets, d)
	if err != nil {
		return nil, err
	}
	t := results.Table{
		Name:   "throughput",
		Timing: true,
		Caption: fmt.Sprintf("Single-goroutine throughput on the %dx%d stand-in image %q, measured with go-benchmarks "+
			"(%s per operation after %d warm-up calls; MB/s = 10⁶ bytes per second at the median time). "+
			"Host: %s/%s, %d CPUs, GOMAXPROCS %d, %s.", img.Width, img.Height, src.ID(0), d, perf.Warmups,
			runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version()),
		Columns: []string{"operation", "MB/s", "median ms", "mean ms", "p5 ms", "p99 ms", "runs", "goal MB/s", "meets goal", "% of image copy"},
	}
	copies := map[string]perf.Measurement{}
	for _, m := range ms {
		if m.Name == CopyImageTarget || m.Name == CopyRAMTarget {
			copies[m.Name] = m
		}
	}
	copyMBps := copies[CopyImageTarget].MBps()
	goals := 0
	for _, m := range ms {
		if goalOf(m.Name) > 0 {
			goals++
		}
	}
	// No timing in the summary: results.json is compared across runs
	// without timing tables, and the summary is not one.
	summary := fmt.Sprintf("%d operations (encryption, decryption and key set-up of %d ciphers, and the security metrics) and two memory copies timed on one goroutine "+
		"for about %s each on the %dx%d stand-in image; %d have a speed goal, and the table says which meet it on this machine.",
		len(ms)-len(copies), len(Ciphers()), d, img.Width, img.Height, goals)
	for _, m := range ms {
		var goal, meets any
		if g := goalOf(m.Name); g > 0 {
			goal, meets = g, m.MBps() >= g
		}
		var share any
		if _, isCopy := copies[m.Name]; copyMBps > 0 && !isCopy {
			share = 100 * m.MBps() / copyMBps
		}
		t.AddRow(m.Name, m.MBps(), ms2(m.Median), ms2(m.Mean), ms2(m.P5), ms2(m.P99), m.Count, goal, meets, share)
	}
	env.Logf("performance: timing a %d² float32 matrix product on every backend found", set.MatMulN)
	ceils := matMulCeilings(ctx, set.MatMulN, set.MatMulCalls)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var models []modelBench
	var profiles []opProfile
	torchCeil := ""
	if e.models {
		if strings.Contains(load, "busy") {
			env.Logf("performance: %s", load)
		}
		if python, missing := perf.FindTorchPython(ctx); python == "" {
			torchCeil = missing
		} else if m, err := torchMatMul(ctx, python, set.MatMulN, set.MatMulCalls); err != nil {
			torchCeil = err.Error()
		} else {
			ceils = append(ceils, m)
		}
		if models, err = measureModels(ctx, env, set.BenchSteps); err != nil {
			return nil, err
		}
		if profiles, err = profileANC(ctx, env, set.ProfileTime); err != nil {
			return nil, err
		}
		torch := "and in PyTorch, stock and best"
		for _, mb := range models {
			if mb.res.Best == nil {
				torch = "(PyTorch not measured: " + mb.res.TorchMissing + ")"
			}
		}
		summary += fmt.Sprintf(" The training steps of %d models are timed on every backend found %s.", len(models), torch)
	}
	res := &results.Result{Summary: summary, Tables: []results.Table{t, ceilingTable(ceils, copies, torchCeil, e.models)}}
	if e.models {
		rows := stepRows(models, ceils)
		res.Tables = append(res.Tables, stepsTable(rows, set.BenchSteps, load))
		res.Figures = append(res.Figures, stepsFigure(rows, models))
		res.Tables = append(res.Tables, profileTable(profiles))
	}
	if e.models {
		steps := "Training steps timed:"
		for i, mb := range models {
			steps += fmt.Sprintf(" %s — %s%s", mb.spec.Model, mb.spec.Step, map[bool]string{true: ".", false: ";"}[i == len(models)-1])
		}
		res.Notes = append(res.Notes, steps)
	}
	res.Notes = append(res.Notes, notes...)
	if !e.models {
		res.Notes = append(res.Notes, "`neurocrypt bench` adds the training step of every model on every backend and in PyTorch (median of ≥ 20 steps, GFLOP/s and share of the ceiling) to this page.")
	}
	return res, nil
}

// notes explain the throughput table.
var notes = []string{
	"encrypt/decrypt rows reuse one cipher per key: the keystreams and the permutation depend only on the key and the image size, " +
		"so they are computed once and cached. The key+encrypt(cold) rows are the cost of a new key (a fresh cipher each call: key schedule, keystreams).",
	"hopfield is the exception: its keystream depends on a keyed digest of the image (the survey's \"dynamic keys\"), so every encryption runs the network afresh, " +
		"n/12 RK4 steps of 12 tanh each for n sample bytes; only its permutation is cached. That, not the implementation, is why it misses the goal that the key-only ciphers meet. " +
		"The weak-key check of hopfield and cellular keys (a Lyapunov-spectrum estimate, tens of milliseconds) is remembered per key, so the cold rows do not include it.",
	"metrics/all is metrics.NewReport: entropy, NPCR/UACI, three correlations, χ², PSNR and SSIM (SSIM dominates its cost).",
	"These numbers are for the machine named in the caption; run `go test -bench . ./pkg/cipher ./pkg/metrics` for Go's own benchmark output.",
	"% of image copy compares an operation's MB/s with Go's copy of a 512² 8-bit image (256 KiB, in cache like the image) on one goroutine (table \"machine ceilings\"): the speed of moving the bytes at all; the 64 MiB copy there is main memory's.",
}

// Ciphers returns the ciphers timed: every registered key-based cipher
// (cipher.KeyNames, the perm-only control included), in name order.
// Trained ciphers exist only where a run trained or loaded their weights,
// which would make the table depend on what ran before: their experiments
// time them (anc: the network and the compiled Alice).
func Ciphers() []string { return cipher.KeyNames() }

// ceilingTable lists the measured ceilings: the memory copy and the matrix
// product per implementation; torchMissing says why PyTorch's is absent
// when bench asked for it.
func ceilingTable(ceils []MatMul, copies map[string]perf.Measurement, torchMissing string, bench bool) results.Table {
	t := results.Table{Name: "machine ceilings", Timing: true,
		Columns: []string{"ceiling", "implementation", "configuration", "device", "size", "median ms", "rate", "unit"},
		Caption: fmt.Sprintf("What this machine does at best through each implementation: Go's copy of a 512² image (256 KiB) and of %d MiB on one goroutine, and a float32 matrix product "+
			"(N×N by N×N, 2·N³ FLOPs; median of the timed calls after one untimed) on every GoMLX backend found%s. Host: %s/%s, %d CPUs, GOMAXPROCS %d.",
			CopyRAMBytes>>20, map[bool]string{true: " and in PyTorch (malloc tuned)", false: ""}[bench], runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0))}
	for _, c := range []struct {
		name, size string
	}{{CopyImageTarget, "256 KiB"}, {CopyRAMTarget, fmt.Sprintf("%d MiB", CopyRAMBytes>>20)}} {
		if m, ok := copies[c.name]; ok && m.MBps() > 0 {
			t.AddRow("memory copy", "Go copy", "1 goroutine", "CPU", c.size, ms2(m.Median), m.MBps()/1e3, "GB/s")
		}
	}
	for _, c := range ceils {
		size := fmt.Sprintf("N = %d", c.N)
		if c.Err != "" {
			t.AddRow("matrix product", c.Implementation, c.Config, c.Device, size, nil, nil, "failed: "+c.Err)
			continue
		}
		t.AddRow("matrix product", c.Implementation, c.Config, c.Device, size, 1e3*c.Median, c.GFLOPS, "GFLOP/s")
	}
	if bench && torchMissing != "" {
		t.AddRow("matrix product", "PyTorch", "—", "—", "", nil, nil, "not measured: "+torchMissing)
	}
	return t
}

func ms2(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// goalOf is the speed goal of a timed operation in MB/s (0: none): the
// bit-plane cipher's encryption, and the single-pass metrics (SSIM and the
// full report are reported as they are).
func goalOf(target string) float64 {
	switch target {
	case battery.EncryptTarget(cipher.NameBitplane), battery.EncryptTarget(cipher.NameHopfield), battery.EncryptTarget(cipher.NameCellular):
		return GoalEncryptMBps
	case battery.SpeedEntropy, battery.SpeedNPCRUACI, battery.SpeedCorrelations, battery.SpeedChi2, battery.SpeedPSNR:
		return GoalMetricsMBps
	}
	return 0
}
