package experiment

import (
	"context"
	"fmt"
	"slices"
	"sync"
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
