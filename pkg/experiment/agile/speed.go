package agile

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
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
	return torchpeer.Run(ctx, env, torchpeer.Spec{Experiment: ID, Version: Version, Steps: s.SpeedSteps, Script: torchBench,
		Args:        []string{"--crop", fmt.Sprint(SpeedCrop), "--batch", fmt.Sprint(SpeedBatch), "--channels", fmt.Sprint(SpeedChannels)},
		TimeBackend: timeBackend})
}

// timeBackend returns the mean step time on backend cfg over steps timed
// steps after one untimed one, on synthetic crops.
func timeBackend(ctx context.Context, cfg string, steps int) (float64, string, error) {
	sel := backend.Fixed(cfg)
	be, err := sel.New()
	if err != nil {
		return 0, "", err
	}
	data, eval, err := torchpeer.SyntheticData(ctx, SpeedCrop, SpeedBatch)
	if err != nil {
		return 0, "", err
	}
	c := agilenet.DefaultConfig(SpeedCrop, SpeedBatch, steps+1)
	c.Channels = SpeedChannels
	m, err := agilenet.NewModel(be, c, data, eval)
	if err != nil {
		return 0, "", err
	}
	secs, err := m.TimeSteps(ctx, steps)
	return secs, sel.Device(), err
}

func speedTable(sp *torchpeer.Result) results.Table {
	return torchpeer.Table(sp, fmt.Sprintf("Mean wall time of one training step of E and D at %d², batch %d, width %d, float32",
		SpeedCrop, SpeedBatch, SpeedChannels), SpeedGoal)
}
