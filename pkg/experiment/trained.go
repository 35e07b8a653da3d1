package experiment

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
)

// TrainedCiphers binds the trained ciphers of a run so that the
// registry-driven experiments (the survey's table, its attack tables)
// measure learned ciphers like every other scheme.
//
// An experiment whose models are ciphers (the GAN cipher, ...) registers a
// provider from its package's init; a provider trains the profile's model
// — as the experiment's own cached, checkpointed unit, so whichever of the
// two runs first trains and the other reads the cache — binds it in
// pkg/cipher's registry and returns the scheme names. Ours.
type TrainedCiphers func(ctx context.Context, env *Env) ([]string, error)

var providers struct {
	sync.Mutex
	ids []string
	fns map[string]TrainedCiphers
}

// RegisterTrainedCiphers registers the provider of experiment id (once per
// id; a second registration panics, a programming error).
func RegisterTrainedCiphers(id string, p TrainedCiphers) {
	providers.Lock()
	defer providers.Unlock()
	if providers.fns == nil {
		providers.fns = map[string]TrainedCiphers{}
	}
	if _, dup := providers.fns[id]; dup {
		panic(fmt.Sprintf("experiment: trained ciphers of %q registered twice", id))
	}
	providers.ids = append(providers.ids, id)
	providers.fns[id] = p
}

// BindTrainedCiphers runs every registered provider in registration order
// and returns the bound scheme names, sorted. With no backend (env.Backend
// nil) nothing can be trained: it returns no names and logs why.
func BindTrainedCiphers(ctx context.Context, env *Env) ([]string, error) {
	providers.Lock()
	ids := slices.Clone(providers.ids)
	fns := providers.fns
	providers.Unlock()
	if len(ids) == 0 {
		return nil, nil
	}
	if env.Backend == nil {
		env.Logf("trained ciphers (%v) left out: the environment has no GoMLX backend", ids)
		return nil, nil
	}
	var names []string
	for _, id := range ids {
		ns, err := fns[id](ctx, env)
		if err != nil {
			return nil, fmt.Errorf("trained ciphers of %s: %w", id, err)
		}
		names = append(names, ns...)
	}
	slices.Sort(names)
	return names, nil
}

// CheckpointedUnit runs key as a cached unit (RunUnit) whose computation
// may checkpoint into a directory private to the unit (env.UnitDir; ""
// when there is no work dir): fn gets it. The directory is removed once
// the unit's result is cached, so only an unfinished unit leaves
// checkpoints behind. Ours.
func CheckpointedUnit[T any](ctx context.Context, env *Env, key UnitKey, fn func(ctx context.Context, ckptDir string) (T, error)) (T, error) {
	ckptDir := ""
	res, err := RunUnit(ctx, env, key, func(ctx context.Context) (T, error) {
		if dir, err := env.UnitDir(key); err == nil {
			ckptDir = dir
		}
		return fn(ctx, ckptDir)
	})
	if err == nil && ckptDir != "" {
		if err := os.RemoveAll(ckptDir); err != nil {
			env.Logf("%s: removing checkpoint %s: %v", key.Experiment, ckptDir, err)
		}
	}
	return res, err
}

// TrainSteps runs a training loop of steps steps under a progress bar
// labelled label: train gets the callback to call after each step with
// its (0-based) number — a resumed run's first call moves the bar to where
// it resumed. It returns the steps this process made and their mean wall
// time in seconds (0 when none). Ours.
func TrainSteps(env *Env, label string, steps int, train func(onStep func(step int)) error) (ran int, stepSeconds float64, err error) {
	bar := env.NewBar(label, steps)
	start, shown := time.Now(), 0
	err = train(func(step int) {
		bar.Add(step + 1 - shown)
		shown, ran = step+1, ran+1
	})
	bar.Done()
	if ran > 0 {
		stepSeconds = time.Since(start).Seconds() / float64(ran)
	}
	return ran, stepSeconds, err
}

// Samples reads every sample of a split of plan (with labeler's labels;
// nil: dataset.Unlabelled) — for the few hundred evaluation crops a
// profile holds in memory.
func Samples(ctx context.Context, plan *dataset.Plan, split dataset.Split, labeler dataset.Labeler) ([]dataset.Sample, error) {
	b := plan.Batches(split, 64)
	if labeler != nil {
		b = b.Labels(labeler).PerCrop(0) // any number of samples per crop
	}
	bs, err := b.Done()
	if err != nil {
		return nil, err
	}
	var out []dataset.Sample
	for b, err := range bs.Epoch(ctx, 0) {
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// TrainingData is a model's data from plan: the training split's batches
// of batch crops (shuffled from shuffleSeed, DropLast) and every held-out
// crop (Samples).
func TrainingData(ctx context.Context, plan *dataset.Plan, batch int, shuffleSeed uint64) (*dataset.Batches, []dataset.Sample, error) {
	data, err := plan.Batches(dataset.Train, batch).Shuffle(shuffleSeed).DropLast().Done()
	if err != nil {
		return nil, nil, err
	}
	eval, err := Samples(ctx, plan, dataset.Test, nil)
	return data, eval, err
}
