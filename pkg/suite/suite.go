// Package suite lists neurocrypt's experiments and runs a selection of them
// into a report: the one code path behind `neurocrypt reproduce` and the
// notebooks, so both show the same numbers for the same seed.
package suite

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/agile"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/anc"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/bitplane"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/gan"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/performance"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/recognition"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/survey"
	"github.com/neurocrypt/neurocrypt/pkg/provenance"
	"github.com/neurocrypt/neurocrypt/pkg/report"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// All returns every experiment, in report order.
func All() []experiment.Experiment {
	return []experiment.Experiment{bitplane.New(), survey.New(), anc.New(), gan.New(), agile.New(), recognition.New(), performance.New()}
}

// IDs returns the IDs of All.
func IDs() []string {
	var ids []string
	for _, e := range All() {
		ids = append(ids, e.ID())
	}
	return ids
}

// Select returns the experiments whose IDs are listed (all when ids is
// empty), in report order; an unknown ID is an error listing the known ones.
func Select(ids []string) ([]experiment.Experiment, error) {
	all := All()
	if len(ids) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		found := false
		for _, e := range all {
			if e.ID() == id {
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown experiment %q (known: %s)", id, strings.Join(IDs(), ", "))
		}
		want[id] = true
	}
	var out []experiment.Experiment
	for _, e := range all {
		if want[e.ID()] {
			out = append(out, e)
		}
	}
	return out, nil
}

// Uncached is implemented by experiments whose results must be recomputed
// on every run (e.g. timings).
type Uncached interface{ Uncached() bool }

// Options configure Run.
type Options struct {
	// Profile is smoke, quick or paper.
	Profile experiment.Profile
	// Seed is the run seed (every unit's seed derives from it).
	Seed uint64
	// Data is the image source (OpenData).
	Data dataset.Source
	// Skipped is the number of dataset files skipped as unreadable.
	Skipped int
	// Backend is the GoMLX backend (nil: backend.Default(), the one the
	// process's trained ciphers run on too).
	Backend experiment.Backend
	// WorkDir holds the result cache and checkpoints ("" disables both).
	WorkDir string
	// Fresh recomputes every unit once per process (the cache is still
	// written; a unit two experiments share is computed once).
	Fresh bool
	// Only restricts the run to these experiment IDs (all when empty).
	Only []string
	// Log receives progress (nil: discard).
	Log io.Writer
	// ModuleDir is where provenance looks for the git checkout ("" = cwd).
	ModuleDir string
	// Command is the command line that regenerates the run (recorded in
	// provenance); "" keeps the process's own command line.
	Command string
	// Shard, when set, computes only this part of every experiment's units
	// into WorkDir (experiment.Shard); Run then returns the experiments
	// that completed and lists the others in Pending. A run without a
	// shard on the same WorkDir afterwards assembles the whole report.
	Shard *experiment.Shard
	// Bench runs the performance experiment with the models' training
	// steps (performance.NewBench; `neurocrypt bench`).
	Bench bool
}

// Env returns the experiment environment for opts (the process's default
// backend when opts has none, so that experiments and the trained ciphers
// of the registry share one).
func (o *Options) Env() *experiment.Env {
	if o.Backend == nil {
		o.Backend = backend.Default()
	}
	return &experiment.Env{Profile: o.Profile, Data: o.Data, Seed: o.Seed, Backend: o.Backend,
		WorkDir: o.WorkDir, Fresh: o.Fresh, Log: o.Log, Shard: o.Shard}
}

// DefaultSeed is the run seed of the committed reference reports (and of
// reproduce and the notebooks when no seed is given).
const DefaultSeed = 1

// DefaultWorkDir is where results are cached and checkpoints kept unless
// told otherwise: <user cache dir>/neurocrypt (e.g. ~/.cache/neurocrypt).
func DefaultWorkDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "neurocrypt")
	}
	return filepath.Join(os.TempDir(), "neurocrypt-cache")
}

// OpenData opens the images a run uses: the embedded stand-in photos when
// path is "" (refused for the paper profile, which needs BOSSbase), else
// BOSSbase 1.01 at path (a folder or a zip). It returns the number of
// dataset files skipped as unreadable (with strict, any such file is an
// error instead). Close the source when it implements io.Closer.
func OpenData(path string, profile experiment.Profile, strict bool) (dataset.Source, int, error) {
	if path == "" {
		if profile == experiment.Paper {
			return nil, 0, fmt.Errorf("the paper profile needs BOSSbase 1.01: pass -data DIR|ZIP (see datasets/bossbase/README.md)")
		}
		return dataset.StandIn(), 0, nil
	}
	b, err := dataset.OpenBOSSbase(path, dataset.BOSSOptions{Strict: strict})
	if err != nil {
		return nil, 0, err
	}
	return b, len(b.Skipped()), nil
}

// Version is the code version of whole-experiment cache units. 2: results
// carry a Summary (results cached before it would show none).
const Version = "2"

// ResultKey is the cache key of a whole experiment's result. It uses the
// backend (a result trained on one backend is never served for another) and
// the number of skipped dataset files.
func ResultKey(id string, skipped int) experiment.UnitKey {
	return experiment.UnitKey{Experiment: id, Unit: "result", Version: Version,
		Params: map[string]int{"skipped_files": skipped}, UsesBackend: true}
}

// Run runs the selected experiments, each as one cached unit of work (a
// re-run, or a run restarted after a crash, reuses finished experiments),
// and returns the report of the run. An experiment that fails stops the run
// with its error: a report never shows a half-computed section.
func Run(ctx context.Context, opts Options) (*report.Run, error) {
	exps, err := Select(opts.Only)
	if err != nil {
		return nil, err
	}
	if opts.Bench {
		for i, e := range exps {
			if e.ID() == performance.ID {
				exps[i] = performance.NewBench()
			}
		}
	}
	if opts.Data == nil {
		return nil, fmt.Errorf("no dataset")
	}
	env := opts.Env()
	prov := provenance.Start(env, opts.ModuleDir, opts.Command, opts.Skipped)
	run := &report.Run{}
	for _, e := range exps {
		env.Logf("== %s: %s", e.ID(), e.Title())
		start := time.Now()
		var res *results.Result
		if u, ok := e.(Uncached); (ok && u.Uncached()) || opts.Shard != nil {
			// A shard does not cache whole results: its own may lack
			// other shards' units.
			res, err = runRecovering(ctx, e, env)
		} else {
			res, err = experiment.RunUnit(ctx, env, ResultKey(e.ID(), opts.Skipped),
				func(ctx context.Context) (*results.Result, error) { return runRecovering(ctx, e, env) })
		}
		if opts.Shard != nil && experiment.Pending(err) {
			env.Logf("== %s: shard %s computed its units in %s; others are left to other shards (%v)", e.ID(), opts.Shard, time.Since(start).Round(time.Millisecond), err)
			run.Pending = append(run.Pending, e.ID())
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.ID(), err)
		}
		d := time.Since(start)
		env.Logf("== %s done in %s", e.ID(), d.Round(time.Millisecond))
		run.Experiments = append(run.Experiments, report.ExperimentReport{
			ID: e.ID(), Title: e.Title(), Profile: string(opts.Profile), Papers: e.Papers(), Result: res, Duration: d,
		})
	}
	provenance.Finish(&prov, env, dataHash(run))
	run.Provenance = prov
	return run, nil
}

// runRecovering runs e, turning a panic in its own goroutine (a registered
// cipher or model from elsewhere that panics) into an error naming it, so
// that a run fails with a message instead of a crash.
func runRecovering(ctx context.Context, e experiment.Experiment, env *experiment.Env) (res *results.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return e.Run(ctx, env)
}

// dataHash is the content hash of the data the run used: the experiments'
// hashes, joined when they differ (they crop differently).
func dataHash(run *report.Run) string {
	var hashes []string
	seen := map[string]bool{}
	for _, e := range run.Experiments {
		if e.Result == nil || e.Result.DataHash == "" || seen[e.Result.DataHash] {
			continue
		}
		seen[e.Result.DataHash] = true
		hashes = append(hashes, e.ID+":"+e.Result.DataHash)
	}
	if len(hashes) == 1 {
		_, h, _ := strings.Cut(hashes[0], ":")
		return h
	}
	return strings.Join(hashes, " ")
}
