package nbenv

import (
	"context"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/recognition"
	"github.com/neurocrypt/neurocrypt/pkg/models/recognet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// RecognizerBuilder configures one interactive classifier training of the
// recognition experiment; start it with TrainRecognizer and finish it with
// Done.
type RecognizerBuilder struct {
	model, task          string
	epochs, batch, width int
	lr                   float64
	seed                 uint64
}

// TrainRecognizer starts configuring the training of model (a
// recognet.Arch name: "AlexNet+pre", "AlexNet", "CNN", "MLP", "RNN",
// "LSTM") on task (recognition.TaskBinary, TaskCipherID or TaskStego) with
// the recognition experiment's settings at the current profile and seed 1.
func TrainRecognizer(model, task string) *RecognizerBuilder {
	return &RecognizerBuilder{model: model, task: task, lr: recognet.LearningRate, seed: 1}
}

// Epochs sets the number of epochs (0: the profile's).
func (b *RecognizerBuilder) Epochs(n int) *RecognizerBuilder { b.epochs = n; return b }

// Batch sets the minibatch (0: the profile's).
func (b *RecognizerBuilder) Batch(n int) *RecognizerBuilder { b.batch = n; return b }

// Width sets the model's width (0: the profile's).
func (b *RecognizerBuilder) Width(n int) *RecognizerBuilder { b.width = n; return b }

// LearningRate sets Adam's learning rate.
func (b *RecognizerBuilder) LearningRate(lr float64) *RecognizerBuilder { b.lr = lr; return b }

// Seed sets the initialisation and shuffle seed.
func (b *RecognizerBuilder) Seed(s uint64) *RecognizerBuilder { b.seed = s; return b }

// Done resolves the run against the current profile and validates it.
func (b *RecognizerBuilder) Done() (*RecognizerTraining, error) {
	p, err := Profile()
	if err != nil {
		return nil, err
	}
	arch, err := recognet.ParseArch(b.model)
	if err != nil {
		return nil, err
	}
	switch b.task {
	case recognition.TaskBinary, recognition.TaskCipherID, recognition.TaskStego:
	default:
		return nil, fmt.Errorf("recognition: unknown task %q (known: %s, %s, %s)", b.task, recognition.TaskBinary, recognition.TaskCipherID, recognition.TaskStego)
	}
	s, ok := recognition.ProfileSettings[p]
	if !ok {
		return nil, fmt.Errorf("recognition: no settings for profile %q", p)
	}
	pick := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	cfg := recognet.Config{Arch: arch, Side: s.Crop, Width: pick(b.width, s.Width), Batch: pick(b.batch, s.Batch),
		Epochs: pick(b.epochs, s.Epochs), LearningRate: b.lr, Seed: b.seed, Classes: 2}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &RecognizerTraining{Config: cfg, Task: b.task, Profile: string(p)}, nil
}

// RecognizerTraining is a configured interactive training
// (TrainRecognizer).
type RecognizerTraining struct {
	// Config is the run's configuration (Classes is set by Run from the
	// task).
	Config recognet.Config
	// Task is the task's ID; Profile the profile it was resolved at.
	Task, Profile string
}

// Run trains on the profile's training crops of the task, evaluating on
// the test split after every epoch. In a notebook the cell shows a
// progress bar with the four test metrics redrawn after each epoch, and
// the latest confusion matrix; elsewhere the bar goes to stderr. It
// returns the model.
func (t *RecognizerTraining) Run(ctx context.Context) (*recognet.Model, error) {
	env, err := Env()
	if err != nil {
		return nil, err
	}
	_, task, train, test, trainEval, err := recognition.Prepare(ctx, env, t.Task, t.Config.Batch, seeds.Sub(t.Config.Seed, "shuffle"))
	if err != nil {
		return nil, err
	}
	t.Config.Classes = len(task.Classes)
	be, err := backend.Default().New()
	if err != nil {
		return nil, err
	}
	m, err := recognet.NewModel(be, t.Config, train, test, trainEval)
	if err != nil {
		return nil, err
	}
	steps := t.Config.Epochs * m.PerEpoch()
	l := live{label: fmt.Sprintf("%s on %s", t.Config.Arch, t.Task), steps: steps,
		points: func() int { return len(m.History().Step) },
		curves: func() results.Figure { return recognition.ModelCurves(task, t.Config.Arch, m.History()) },
		samples: func(int) (results.Figure, error) {
			h := m.History()
			if len(h.Losses) == 0 {
				return results.Figure{}, fmt.Errorf("recognition: no evaluation yet")
			}
			return recognition.ConfusionFigure(task, t.Config.Arch, h.Losses[len(h.Losses)-1].Confusion), nil
		}}
	if err := l.run(func(onStep func(int)) error {
		_, err := m.Train(ctx, func(step int, _ float64) { onStep(step) })
		return err
	}); err != nil {
		return nil, err
	}
	return m, nil
}
