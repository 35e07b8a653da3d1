package recognition

import (
	"context"
	"fmt"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/models/recognet"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// UnitResult is one model trained on one task (a cached unit).
type UnitResult struct {
	// Task and Arch name the unit.
	Task string
	Arch recognet.Arch
	// Config is the model's training configuration.
	Config recognet.Config
	// History holds the evaluations before training and after each epoch.
	History recognet.History
	// Params is the number of trainable parameters.
	Params int
	// TrainSamples and TestSamples count an epoch's training samples and
	// the test samples.
	TrainSamples, TestSamples int
	// StepsRun is the number of steps the process that trained made;
	// Seconds the unit's wall time, StepSeconds a step's mean (timing
	// tables only).
	StepsRun             int
	Seconds, StepSeconds float64
}

// Final is the last evaluation.
func (u UnitResult) Final() recognet.EpochMetrics {
	if len(u.History.Losses) == 0 {
		return recognet.EpochMetrics{}
	}
	return u.History.Losses[len(u.History.Losses)-1]
}

// unitParams key a training unit.
type unitParams struct {
	// Crop, PerImage, MaxImages and TrainEval: the data (the rest of the
	// profile's sizes are in Config; the speed comparison's are not part
	// of a training unit).
	Crop, PerImage, MaxImages, TrainEval int
	Task                                 string
	Classes                              []string
	Config                               recognet.Config
	Plan                                 string // the crop plan's summary (its crops, not its pixels)
}

// shuffleSeed orders a task's training batches: the same for every model,
// so all six see the same batches in the same order.
func shuffleSeed(env *experiment.Env, task Task) uint64 {
	return seeds.Sub(env.Seed, ID, "shuffle", task.ID)
}

// config is the training configuration of arch on task in s.
func config(env *experiment.Env, s Settings, task Task, arch recognet.Arch) recognet.Config {
	return recognet.Config{Arch: arch, Side: s.Crop, Classes: len(task.Classes), Width: s.Width, Batch: s.Batch, Epochs: s.Epochs,
		Seed: seeds.Sub(env.Seed, ID, "init", task.ID, arch.String())}
}

// MaxShuffleWindow is the widest training shuffle window, in batches. The
// window is as wide as fits in shuffleBytes of buffered samples (window ×
// batch samples of side² bytes), from dataset.DefaultShuffleWindow to
// MaxShuffleWindow batches, so that a batch mixes many source images.
const MaxShuffleWindow = 64

// shuffleBytes bounds the training shuffle buffer (see MaxShuffleWindow).
const shuffleBytes = 1 << 27

// taskData returns a task's training batches (shuffled from shuffle,
// DropLast), its test batches (in order) and n training samples spread
// evenly over the training split (every ⌈samples/n⌉-th in plan order).
func taskData(ctx context.Context, plan *dataset.Plan, task Task, batch, n int, shuffle uint64) (train, test *dataset.Batches, trainEval []dataset.Sample, err error) {
	k := len(task.Classes)
	window := min(max(shuffleBytes/(batch*plan.Config.Size*plan.Config.Size), dataset.DefaultShuffleWindow), MaxShuffleWindow)
	if train, err = plan.Batches(dataset.Train, batch).Labels(task.Label).PerCrop(k).Shuffle(shuffle).ShuffleWindow(window).DropLast().Done(); err != nil {
		return nil, nil, nil, err
	}
	if test, err = plan.Batches(dataset.Test, batch).Labels(task.Label).PerCrop(k).Done(); err != nil {
		return nil, nil, nil, err
	}
	all, err := plan.Batches(dataset.Train, batch).Labels(task.Label).PerCrop(k).Done()
	if err != nil {
		return nil, nil, nil, err
	}
	stride := max((all.Samples()+n-1)/max(n, 1), 1)
	i := 0
	for b, err := range all.Epoch(ctx, 0) {
		if err != nil {
			return nil, nil, nil, err
		}
		for _, smp := range b {
			if i%stride == 0 && len(trainEval) < n {
				trainEval = append(trainEval, smp)
			}
			i++
		}
	}
	return train, test, trainEval, nil
}

// trainUnit returns the unit of arch on task: cached, or a fresh
// checkpointed training under a progress bar.
func trainUnit(ctx context.Context, env *experiment.Env, s Settings, plan *dataset.Plan, task Task, arch recognet.Arch) (UnitResult, error) {
	if env.Backend == nil {
		return UnitResult{}, fmt.Errorf("%s: the environment has no GoMLX backend (set experiment.Env.Backend)", ID)
	}
	cfg := config(env, s, task, arch)
	key := experiment.UnitKey{Experiment: ID, Unit: "train/" + task.ID + "/" + arch.String(), Version: Version, UsesBackend: true,
		Params: unitParams{Crop: s.Crop, PerImage: s.PerImage, MaxImages: s.MaxImages, TrainEval: s.TrainEval, Task: task.ID, Classes: task.Classes, Config: cfg, Plan: plan.String()}}
	u, err := experiment.CheckpointedUnit(ctx, env, key, func(ctx context.Context, ckptDir string) (UnitResult, error) {
		return trainOne(ctx, env, s, plan, task, cfg, ckptDir)
	})
	if err != nil {
		return u, fmt.Errorf("%s on %s: %w", arch, task.ID, err)
	}
	return u, nil
}

func trainOne(ctx context.Context, env *experiment.Env, s Settings, plan *dataset.Plan, task Task, cfg recognet.Config, ckptDir string) (UnitResult, error) {
	start := time.Now()
	res := UnitResult{Task: task.ID, Arch: cfg.Arch, Config: cfg}
	be, err := env.Backend.New()
	if err != nil {
		return res, err
	}
	train, test, trainEval, err := taskData(ctx, plan, task, cfg.Batch, s.TrainEval, shuffleSeed(env, task))
	if err != nil {
		return res, err
	}
	m, err := recognet.NewModel(be, cfg, train, test, trainEval)
	if err != nil {
		return res, err
	}
	defer m.Close()
	if ckptDir != "" {
		if err := m.SetCheckpoints(nn.CheckpointOptions{Dir: ckptDir, Every: max(m.PerEpoch(), 1), Log: env.Log}); err != nil {
			return res, err
		}
	}
	res.TrainSamples = m.PerEpoch() * cfg.Batch
	var h *recognet.History
	label := fmt.Sprintf("%s: %s on %s, %d epochs", ID, cfg.Arch, task.ID, cfg.Epochs)
	res.StepsRun, res.StepSeconds, err = experiment.TrainSteps(env, label, cfg.Epochs*m.PerEpoch(), func(onStep func(int)) error {
		var err error
		h, err = m.Train(ctx, func(step int, _ float64) { onStep(step) })
		return err
	})
	if err != nil {
		return res, err
	}
	res.History = *h
	res.Params = m.Params()
	for _, row := range res.Final().Confusion {
		for _, c := range row {
			res.TestSamples += c
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}
