// Package nbenv is the one environment helper of neurocrypt's notebooks.
// Every notebook gets its run settings, its experiment.Env and its
// experiments from here, so that a notebook runs exactly what
// `go run ./cmd/neurocrypt reproduce` runs: the same suite.Run, the same
// defaults (seed 1, the embedded stand-in photos, the GoMLX backend
// pkg/backend selects, the default cache folder), the same numbers.
//
// Settings come from environment variables, because each GoNB cell is a
// new program (`go run ./kernel run -profile smoke` sets the profile):
//
//	NEUROCRYPT_PROFILE  smoke, quick (default) or paper
//	NEUROCRYPT_SEED     the run seed (default 1, the committed reports' seed)
//	NEUROCRYPT_DATA     a BOSSbase 1.01 folder or zip (default: the stand-in)
//	NEUROCRYPT_WORKDIR  the result cache (default: reproduce's, ~/.cache/neurocrypt)
//	GOMLX_BACKEND       the GoMLX backend, as for reproduce
//
// A typical notebook cell:
//
//	%%
//	res := nbdisplay.Must1(nbenv.Run(context.Background(), bitplane.ID))
//	nbdisplay.Must(nbdisplay.Result(res))
package nbenv

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/suite"
)

// Environment variables read by Options.
const (
	ProfileEnv = "NEUROCRYPT_PROFILE"
	SeedEnv    = "NEUROCRYPT_SEED"
	DataEnv    = "NEUROCRYPT_DATA"
	WorkDirEnv = "NEUROCRYPT_WORKDIR"
)

// DefaultSeed is suite.DefaultSeed, the run seed of the committed
// reference reports.
const DefaultSeed = suite.DefaultSeed

// Profile returns the profile chosen by $NEUROCRYPT_PROFILE, quick when it
// is unset; an unknown name is an error naming the variable.
func Profile() (experiment.Profile, error) {
	p, err := experiment.ParseProfile(cmp.Or(os.Getenv(ProfileEnv), string(experiment.Quick)))
	if err != nil {
		return "", fmt.Errorf("$%s: %w", ProfileEnv, err)
	}
	return p, nil
}

// Options returns the suite options of a notebook run (see the package
// documentation for the variables and defaults). Progress goes to stderr,
// which GoNB shows under the cell.
func Options() (suite.Options, error) {
	p, err := Profile()
	if err != nil {
		return suite.Options{}, err
	}
	seed := uint64(DefaultSeed)
	if s := os.Getenv(SeedEnv); s != "" {
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			return suite.Options{}, fmt.Errorf("$%s = %q: not a seed (a non-negative integer)", SeedEnv, s)
		}
	}
	data, skipped, err := openData(os.Getenv(DataEnv), p)
	if err != nil {
		return suite.Options{}, fmt.Errorf("$%s: %w", DataEnv, err)
	}
	sel := backend.Default() // $GOMLX_BACKEND, else the best installed; trained ciphers run on it too
	return suite.Options{Profile: p, Seed: seed, Data: data, Skipped: skipped, Backend: sel,
		WorkDir: cmp.Or(os.Getenv(WorkDirEnv), suite.DefaultWorkDir()), Log: os.Stderr}, nil
}

// opened keeps the data sources Options opened, by path and profile: a
// BOSSbase folder is verified once per program, not once per call.
var opened = struct {
	sync.Mutex
	m map[string]openedData
}{m: map[string]openedData{}}

type openedData struct {
	src     dataset.Source
	skipped int
}

func openData(path string, p experiment.Profile) (dataset.Source, int, error) {
	opened.Lock()
	defer opened.Unlock()
	key := string(p) + "\x00" + path
	if o, ok := opened.m[key]; ok {
		return o.src, o.skipped, nil
	}
	src, skipped, err := suite.OpenData(path, p, false)
	if err != nil {
		return nil, 0, err
	}
	opened.m[key] = openedData{src, skipped}
	return src, skipped, nil
}

// Env returns the experiment environment of Options, for cells that call
// the packages directly (training one model, measuring one cipher).
func Env() (*experiment.Env, error) {
	o, err := Options()
	if err != nil {
		return nil, err
	}
	return o.Env(), nil
}

// Run runs one experiment, by ID, through suite.Run (cached like
// reproduce's runs: a unit of work already computed by this notebook's code
// is read back) and returns its result.
func Run(ctx context.Context, id string) (*results.Result, error) {
	o, err := Options()
	if err != nil {
		return nil, err
	}
	o.Only = []string{id}
	run, err := suite.Run(ctx, o)
	if err != nil {
		return nil, err
	}
	if len(run.Experiments) != 1 || run.Experiments[0].Result == nil {
		return nil, fmt.Errorf("nbenv: experiment %q produced no result", id)
	}
	return run.Experiments[0].Result, nil
}
