package recognition

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/torchpeer"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/models/recognet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// The training-speed comparison: one step of SpeedArch (AlexNet with the
// preprocessing module) on SpeedSide² grey images, batch SpeedBatch, width
// SpeedWidth, SpeedClasses classes (the project's benchmark setting for this paper's model), against
// PyTorch on the same CPU. Goal: GoMLX within SpeedGoal× of PyTorch's best
// configuration. Reported, never asserted.
const (
	SpeedSide, SpeedBatch, SpeedWidth, SpeedClasses = 128, 32, 8, 2
	SpeedArch                                       = recognet.AlexNetPre
	SpeedGoal                                       = 1.0
)

//go:embed recogbench.py
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

// SpeedSpec is the training-step comparison of steps timed steps:
// SpeedArch on SpeedSide² images, batch SpeedBatch, on every backend and
// in PyTorch (recogbench.py). `neurocrypt bench` times it too.
func SpeedSpec(steps int) torchpeer.Spec {
	return torchpeer.Spec{Experiment: ID, Version: Version, Steps: steps, Script: torchBench,
		Args: []string{"--side", fmt.Sprint(SpeedSide), "--batch", fmt.Sprint(SpeedBatch), "--width", fmt.Sprint(SpeedWidth),
			"--classes", fmt.Sprint(SpeedClasses)},
		TimeBackend: timeBackend,
		Model:       SpeedArch.String(),
		Step:        fmt.Sprintf("recognition, one step, %d² grey, batch %d, width %d, %d classes", SpeedSide, SpeedBatch, SpeedWidth, SpeedClasses)}
}

// speedConfig is the timed model's configuration.
func speedConfig() recognet.Config {
	return recognet.Config{Arch: SpeedArch, Side: SpeedSide, Classes: SpeedClasses, Width: SpeedWidth, Batch: SpeedBatch, Epochs: 1, Seed: 1}
}

// timeBackend times the training step on a backend configuration, on
// labelled synthetic crops (speedData). It is torchpeer.TimeModel's
// measurement with labels: recognet trains on labelled samples only, and
// TimeModel's synthetic batches are unlabelled.
func timeBackend(ctx context.Context, cfg string, steps int) (nn.Timing, string, error) {
	sel := backend.Fixed(cfg)
	be, err := sel.New()
	if err != nil {
		return nn.Timing{}, "", err
	}
	defer backend.Release(be) // a fresh backend of its own (Fixed)
	train, test, err := speedData(SpeedSide, SpeedBatch)
	if err != nil {
		return nn.Timing{}, "", err
	}
	m, err := recognet.NewModel(be, speedConfig(), train, test, nil)
	if err != nil {
		return nn.Timing{}, "", err
	}
	defer m.Close()
	t, err := m.TimeSteps(ctx, steps)
	return t, sel.Device(), err
}

// speedData is torchpeer.SyntheticData's plan (four synthetic images of
// 4·side², 16 crops each, a quarter held out) labelled as a two-class task
// built from each crop like the experiment's: the crop (class 0) and its
// negative (class 1). Training batches drop the last short one; the test
// batches only satisfy NewModel (TimeSteps never evaluates).
func speedData(side, batch int) (train, test *dataset.Batches, err error) {
	syn, err := dataset.NewSynthetic(1, 4, 4*side)
	if err != nil {
		return nil, nil, err
	}
	src, err := preload(syn)
	if err != nil {
		return nil, nil, err
	}
	plan, err := dataset.NewPlan(src, dataset.CropConfig{Size: side, PerImage: 16, TestFraction: 0.25, Seed: 1})
	if err != nil {
		return nil, nil, err
	}
	if train, err = plan.Batches(dataset.Train, batch).Labels(negatives).PerCrop(2).DropLast().Done(); err != nil {
		return nil, nil, err
	}
	test, err = plan.Batches(dataset.Test, batch).Labels(negatives).PerCrop(2).Done()
	return train, test, err
}

// preloaded is a source held in memory: recognet.Model.TimeSteps draws
// each step's batch inside the timed loop, and generating the synthetic
// images afresh every epoch (three batches) would add about a PyTorch
// step's time to each (measured ~30 ms per batch on 2 cores); from memory,
// what remains is cutting, labelling and converting the crops.
type preloaded struct {
	dataset.Source
	images []*imageio.Gray
}

// preload loads every image of src once.
func preload(src dataset.Source) (dataset.Source, error) {
	p := &preloaded{Source: src}
	for i := range src.Len() {
		g, err := src.Load(i)
		if err != nil {
			return nil, err
		}
		p.images = append(p.images, g)
	}
	return p, nil
}

// Load returns a copy of image i.
func (p *preloaded) Load(i int) (*imageio.Gray, error) { return p.images[i].Clone(), nil }

// negatives labels a crop 0 and its negative 1.
func negatives(c dataset.Crop) ([]dataset.Sample, error) {
	neg := c
	neg.Image = c.Image.Clone()
	for i, p := range neg.Image.Pix { // every bit flipped: maximum − value at 8 and 16 bits
		neg.Image.Pix[i] = ^p
	}
	return []dataset.Sample{{Crop: c, Label: 0}, {Crop: neg, Label: 1}}, nil
}

func speedTable(sp *torchpeer.Result) results.Table {
	return torchpeer.Table(sp, fmt.Sprintf("Mean wall time of one training step (forward, backward, Adam) of %s at %d², batch %d, width %d, %d classes, float32",
		SpeedArch, SpeedSide, SpeedBatch, SpeedWidth, SpeedClasses), SpeedGoal)
}
