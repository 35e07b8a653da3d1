package agile

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/gomlx/compute"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/torchpeer"
	"github.com/neurocrypt/neurocrypt/pkg/models/agilenet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// The training-speed comparison: one step of E and D at SpeedCrop², batch
// SpeedBatch, width SpeedChannels (the benchmark setting), against
// PyTorch on the same CPU. Goal: GoMLX within SpeedGoal× of PyTorch's best
// configuration. Reported, never asserted.
const (
	SpeedCrop, SpeedBatch, SpeedChannels = 64, 32, 16
	SpeedGoal                            = 1.0
)

//go:embed agilebench.py
var torchBench string

// runSpeed times the training step on every available GoMLX backend and
// runs the PyTorch peer, as one cached unit; nil when the profile times
// nothing.
func runSpeed(ctx context.Context, env *experiment.Env, s Settings) (*torchpeer.Result, error) {
	if s.SpeedSteps == 0 {
		return nil, nil
	}
	return torchpeer.Run(ctx, env, SpeedSpec(s.SpeedSteps))
}

// SpeedSpec is the training-step comparison of steps timed steps: the
// agile cipher's E and D at SpeedCrop², batch SpeedBatch, width
// SpeedChannels, on every backend and in PyTorch (agilebench.py).
// `neurocrypt bench` times it too.
func SpeedSpec(steps int) torchpeer.Spec {
	return torchpeer.Spec{Experiment: ID, Version: Version, Steps: steps, Script: torchBench,
		Args:        []string{"--crop", fmt.Sprint(SpeedCrop), "--batch", fmt.Sprint(SpeedBatch), "--channels", fmt.Sprint(SpeedChannels)},
		TimeBackend: timeBackend,
		Model:       "agile",
		Step:        fmt.Sprintf("one step of E and D, %d², batch %d, width %d", SpeedCrop, SpeedBatch, SpeedChannels)}
}

// timeBackend times the training step on a backend configuration, on
// synthetic crops (torchpeer.TimeModel).
var timeBackend = torchpeer.TimeModel(SpeedCrop, SpeedBatch, func(be compute.Backend, data *dataset.Batches, eval []dataset.Sample, steps int) (torchpeer.Stepper, error) {
	c := agilenet.DefaultConfig(SpeedCrop, SpeedBatch, steps)
	c.Channels = SpeedChannels
	m, err := agilenet.NewModel(be, c, data, eval)
	if err != nil {
		return nil, err
	}
	return m, nil
})

func speedTable(sp *torchpeer.Result) results.Table {
	return torchpeer.Table(sp, fmt.Sprintf("Mean wall time of one training step of E and D at %d², batch %d, width %d, float32",
		SpeedCrop, SpeedBatch, SpeedChannels), SpeedGoal)
}
