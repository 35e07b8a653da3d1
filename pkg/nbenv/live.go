package nbenv

import (
	"context"
	"io"
	"os"

	"github.com/gomlx/compute"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/nbdisplay"
	"github.com/neurocrypt/neurocrypt/pkg/progress"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// Interactive training of the crop models (the GAN and agile ciphers):
// what their notebook runs share. Ours.

// SamplePoints is how many times an interactive run redraws its sample
// images.
const SamplePoints = 10

// cropData returns the training batches (batch crops, shuffled from
// seed, DropLast) and the first evaluation batch of experiment id's crop
// plan at the current profile, and the default backend.
func cropData(ctx context.Context, id string, crop, perImage, maxImages, batch int, seed uint64) (*dataset.Batches, []dataset.Sample, compute.Backend, error) {
	env, err := Env()
	if err != nil {
		return nil, nil, nil, err
	}
	plan, err := experiment.CropPlan(env, id, crop, perImage, maxImages)
	if err != nil {
		return nil, nil, nil, err
	}
	data, err := plan.Batches(dataset.Train, batch).Shuffle(seeds.Sub(seed, "shuffle")).DropLast().Done()
	if err != nil {
		return nil, nil, nil, err
	}
	ev, err := plan.Batches(dataset.Test, batch).Done()
	if err != nil {
		return nil, nil, nil, err
	}
	var eval []dataset.Sample
	for b, err := range ev.Epoch(ctx, 0) {
		if err != nil {
			return nil, nil, nil, err
		}
		eval = append(eval, b...)
		break
	}
	be, err := backend.Default().New()
	if err != nil {
		return nil, nil, nil, err
	}
	return data, eval, be, nil
}

// live shows a training run: a progress bar (stderr outside a notebook);
// in a notebook, the curves redrawn whenever the history grows and the
// sample images SamplePoints times.
type live struct {
	label string
	steps int
	// points is the number of history records so far; curves the figure
	// of the history; samples the sample figure after done steps.
	points  func() int
	curves  func() results.Figure
	samples func(done int) (results.Figure, error)
}

// run calls train with the callback its loop calls after each step.
func (l live) run(train func(onStep func(step int)) error) error {
	var w io.Writer = os.Stderr
	if nbdisplay.InNotebook() {
		w = nil
	}
	bar := progress.New(w, l.label, l.steps)
	curves, samples := nbdisplay.NewLiveFigure(), nbdisplay.NewLiveFigure()
	var liveErr error
	keep := func(err error) {
		if err != nil && liveErr == nil {
			liveErr = err
		}
	}
	points, every := 0, max(1, l.steps/SamplePoints)
	show := func(done int) {
		if n := l.points(); n != points {
			points = n
			keep(curves.Update(l.curves()))
		}
		keep(curves.Progress(done, l.steps, bar.Line()))
		if done%every == 0 || done == l.steps {
			fig, err := l.samples(done)
			keep(err)
			if err == nil {
				keep(samples.Update(fig))
			}
		}
	}
	if err := train(func(step int) { bar.Add(1); show(step + 1) }); err != nil {
		return err
	}
	// The loop records its last evaluation after the last step's callback:
	// draw the final curves and samples.
	points = -1
	show(l.steps)
	bar.Done()
	keep(curves.Done())
	keep(samples.Done())
	return liveErr
}

// runOptions are the settings of an interactive crop-model run that its
// builder (B: GANBuilder, AgileBuilder) sets; 0 leaves a size to the
// profile's.
type runOptions[B any] struct {
	self                   *B
	steps, batch, channels int
	lr                     float64
	seed                   uint64
}

// Steps sets the training steps (0: the profile's; at smoke they are
// capped: SmokeGANSteps, SmokeAgileSteps).
func (o *runOptions[B]) Steps(n int) *B { o.steps = n; return o.self }

// Batch sets the minibatch (0: the profile's).
func (o *runOptions[B]) Batch(n int) *B { o.batch = n; return o.self }

// Channels sets the networks' width (0: the profile's).
func (o *runOptions[B]) Channels(n int) *B { o.channels = n; return o.self }

// LearningRate sets the Adam learning rate (every optimiser's).
func (o *runOptions[B]) LearningRate(lr float64) *B { o.lr = lr; return o.self }

// Seed sets the run's seed (initialisation, keys, random inputs).
func (o *runOptions[B]) Seed(s uint64) *B { o.seed = s; return o.self }

// resolve returns the run's steps, batch and width at profile p: the
// options, or the profile's (defSteps, defBatch, defChannels) where 0; at
// smoke, steps are capped at smokeSteps.
func (o *runOptions[B]) resolve(p experiment.Profile, defSteps, defBatch, defChannels, smokeSteps int) (steps, batch, channels int) {
	pick := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	steps = pick(o.steps, defSteps)
	if p == experiment.Smoke {
		steps = min(steps, smokeSteps)
	}
	return steps, pick(o.batch, defBatch), pick(o.channels, defChannels)
}
