package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/gomlx/compute"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/check"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/performance"
	"github.com/neurocrypt/neurocrypt/pkg/provenance"
	"github.com/neurocrypt/neurocrypt/pkg/report"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
	"github.com/neurocrypt/neurocrypt/pkg/suite"
)

// DefaultSeed is suite.DefaultSeed, the run seed of the committed
// reference reports.
const DefaultSeed = suite.DefaultSeed

// DefaultOut is where reports go by default.
const DefaultOut = "reports"

// reproduceConfig is the parsed command line of reproduce.
type reproduceConfig struct {
	profile  experiment.Profile
	only     []string
	data     string
	out      string
	seed     uint64
	workDir  string
	fresh    bool
	strict   bool
	check    bool
	checkRef string
	from     string
	// recordedBackend is the backend configuration of the -from or -check
	// reference ("" without one).
	recordedBackend string
	// recordedHash is the dataset hash of the -from or -check reference
	// when this run repeats it (same experiments, profile, seed and data):
	// the run's must be equal. recordedFrom is that reference.
	recordedHash, recordedFrom string
	// shard is -shard's part (nil: the whole run).
	shard *experiment.Shard
	// bench: `neurocrypt bench` (the performance experiment with the
	// models' training steps).
	bench bool
}

func parseReproduce(args []string, stderr io.Writer) (*reproduceConfig, error) {
	fs := newFlags("reproduce", stderr)
	profile := fs.String("profile", string(experiment.Quick), "smoke (CI, ≤ 3 min), quick (default, ≤ 30 min on 2 cores) or paper (needs BOSSbase)")
	only := fs.String("only", "", "comma-separated experiment IDs to run (default: all of "+strings.Join(suite.IDs(), ", ")+")")
	data := fs.String("data", "", "BOSSbase 1.01 folder or zip (default: the embedded stand-in photos)")
	out := fs.String("out", DefaultOut, "report folder")
	seed := fs.Uint64("seed", DefaultSeed, "run seed")
	workDir := fs.String("workdir", suite.DefaultWorkDir(), "result cache and checkpoints")
	fresh := fs.Bool("fresh", false, "ignore cached results (recompute everything)")
	strict := fs.Bool("strict", false, "fail on any missing or corrupt dataset file (default: skip them and record the count)")
	chk := fs.Bool("check", false, "re-run what a reference results.json ran (positional REF: a results.json or the report folder holding one, default <out>/results.json; its profile, seed, data and experiments unless given) and compare cell by cell; exit 1 on divergence; reports are not rewritten")
	from := fs.String("from", "", "re-run with the profile, seed and data recorded in this results.json (or the report folder holding it)")
	shard := fs.String("shard", "", "I/N: compute only part I (0-based) of N of the units into -workdir, shared by all parts (e.g. a Slurm array: scripts/slurm-array.sh); no report is written: a run without -shard on the same -workdir assembles it")
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	cfg := &reproduceConfig{out: *out, seed: *seed, data: *data, workDir: *workDir, fresh: *fresh, strict: *strict, check: *chk, from: *from}
	if *shard != "" {
		sh, err := experiment.ParseShard(*shard)
		if err != nil {
			return nil, usagef("-shard: %v", err)
		}
		if cfg.check {
			return nil, usagef("-shard computes part of a run: it cannot -check one (check the assembled run)")
		}
		if cfg.fresh {
			return nil, usagef("-shard with -fresh: every part would recompute the units the others stored; clear the work dir instead")
		}
		if strings.TrimSpace(cfg.workDir) == "" {
			return nil, usagef("-shard needs a -workdir shared by all parts (the parts meet only in its cache)")
		}
		cfg.shard = sh
	}
	p, err := experiment.ParseProfile(*profile)
	if err != nil {
		return nil, usagef("%v", err)
	}
	cfg.profile = p
	if *only != "" {
		for _, id := range strings.Split(*only, ",") {
			if id = strings.TrimSpace(id); id != "" {
				cfg.only = append(cfg.only, id)
			}
		}
		if len(cfg.only) == 0 {
			return nil, usagef("-only %q names no experiment (known: %s)", *only, strings.Join(suite.IDs(), ", "))
		}
		if _, err := suite.Select(cfg.only); err != nil {
			return nil, usagef("-only: %v", err)
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["from"] && strings.TrimSpace(*from) == "" {
		return nil, usagef("-from names no results.json (an empty path)")
	}
	if set["from"] && cfg.check {
		// -check re-runs its REF's settings; -from's would replace them
		// unseen, and the check could only fail (or pass against a REF it
		// did not re-run).
		return nil, usagef("-from with -check: a check re-runs its reference's settings (give the run to re-run as -check's REF)")
	}
	switch {
	case fs.NArg() == 1 && cfg.check && strings.TrimSpace(fs.Arg(0)) == "":
		return nil, usagef("-check's REF is an empty path (omit it to check <out>/results.json)")
	case fs.NArg() == 1 && cfg.check:
		cfg.checkRef = fs.Arg(0)
	case fs.NArg() > 0:
		return nil, usagef("unexpected arguments %q (only -check takes a REF argument)", fs.Args())
	}
	if cfg.check && cfg.checkRef == "" {
		cfg.checkRef = filepath.Join(cfg.out, report.ResultsFile)
	}
	cfg.from, cfg.checkRef = resultsIn(cfg.from), resultsIn(cfg.checkRef)
	// Provenance records the data as an absolute path, so that -from and
	// -check work from any folder.
	if cfg.data != "" {
		abs, err := filepath.Abs(cfg.data)
		if err != nil {
			return nil, fmt.Errorf("-data %q: %w", cfg.data, err)
		}
		cfg.data = abs
	}
	// -from, and -check's REF, supply the settings the user did not give:
	// a check must re-run what the reference ran.
	for _, recorded := range []string{cfg.from, cfg.checkRef} {
		if recorded == "" {
			continue
		}
		if err := cfg.applyRecorded(recorded, set); err != nil {
			return nil, err
		}
		break
	}
	if cfg.check {
		if err := cfg.comparable(set); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// comparable refuses a -check whose -profile or -seed differs from the
// reference's: every number would then differ, and the check could only
// fail, after the whole run, with a diff that does not say why. (-data may
// differ: the same images can live in another folder, and the dataset hash
// is then not verified.) An unreadable REF is left to the run, which
// reports it.
func (c *reproduceConfig) comparable(set map[string]bool) error {
	if !set["profile"] && !set["seed"] {
		return nil
	}
	ref, err := results.Read(c.checkRef)
	if err != nil {
		return nil
	}
	pr := ref.Provenance
	if set["profile"] && string(c.profile) != pr.Profile {
		return usagef("-check %s: the reference ran profile %q, this run -profile %s; every number would differ (leave -profile out to re-run the reference's)",
			safefile.Name(c.checkRef), pr.Profile, c.profile)
	}
	if set["seed"] && c.seed != pr.Seed {
		return usagef("-check %s: the reference ran seed %d, this run -seed %d; every number would differ (leave -seed out to re-run the reference's)",
			safefile.Name(c.checkRef), pr.Seed, c.seed)
	}
	return nil
}

// resultsIn is path, or its results.json when path is a folder (a report
// folder such as reports/smoke names the run it holds).
func resultsIn(path string) string {
	if st, err := os.Stat(path); path != "" && err == nil && st.IsDir() {
		return filepath.Join(path, report.ResultsFile)
	}
	return path
}

// applyRecorded takes profile, seed, data and experiments from the
// provenance of a results.json for every flag not in set.
func (c *reproduceConfig) applyRecorded(path string, set map[string]bool) error {
	res, err := results.Read(path)
	if err != nil {
		return err
	}
	pr := res.Provenance
	if pr.Profile == "" || len(res.Experiments) == 0 {
		return fmt.Errorf("%s: not a neurocrypt results.json: it records no profile or no experiment", path)
	}
	c.recordedBackend = recordedBackend(pr)
	if !set["profile"] {
		if c.profile, err = experiment.ParseProfile(pr.Profile); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if !set["seed"] {
		c.seed = pr.Seed
	}
	if !set["data"] {
		if p, ok := strings.CutPrefix(pr.Dataset, dataset.BOSSbasePrefix); ok {
			if q, err := strconv.Unquote(p); err == nil && strings.HasPrefix(p, `"`) {
				p = q // a path with unprintable characters is recorded quoted (safefile.Name)
			}
			c.data = p
		}
	}
	if !set["only"] {
		c.only = nil
		for _, e := range res.Experiments {
			c.only = append(c.only, e.ID)
		}
		if _, err := suite.Select(c.only); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		// The same experiments on the same data must hash the same.
		if !set["data"] && !set["profile"] && !set["seed"] {
			c.recordedHash, c.recordedFrom = pr.DatasetHash, path
		}
	}
	return nil
}

// backend selects the GoMLX backend: as backend.Select does, except that
// a run re-doing a recorded one (-from, -check) without $GOMLX_BACKEND
// uses the pure Go backend when the recording was made on it, so that a
// machine with a faster backend installed compares like with like (trained
// numbers differ slightly between backends). A recording made on another
// backend keeps the normal selection.
func (c *reproduceConfig) backend() *backend.Selection {
	sel := backend.Select()
	if set := strings.TrimSpace(os.Getenv(compute.ConfigEnvVar)) != ""; set || c.recordedBackend != backend.Go || sel.Name() == backend.Go {
		return sel
	}
	return backend.Fixed(backend.Go).Because("the recorded run used it; set " + compute.ConfigEnvVar + " to override")
}

// command returns the command line that regenerates this run.
func (c *reproduceConfig) command() string {
	parts := []string{"go run ./cmd/neurocrypt reproduce", "-profile " + string(c.profile), fmt.Sprintf("-seed %d", c.seed)}
	if c.bench {
		parts[0] = "go run ./cmd/neurocrypt bench"
	}
	if len(c.only) > 0 && !c.bench {
		parts = append(parts, "-only "+strings.Join(c.only, ","))
	}
	if c.data != "" {
		parts = append(parts, "-data "+provenance.CommandLine([]string{c.data}))
	}
	if c.out != DefaultOut {
		parts = append(parts, "-out "+provenance.CommandLine([]string{c.out}))
	}
	return strings.Join(parts, " ")
}

func runReproduce(args []string, stdout, stderr io.Writer) error {
	cfg, err := parseReproduce(args, stderr)
	if err != nil {
		return err
	}
	return runConfig(cfg, stdout, stderr)
}

// runBench is `neurocrypt bench`: the performance experiment with every
// model's training step, written to <out>/performance.html and the
// "performance" entry of <out>/results.json (the other entries kept, as
// with reproduce -only).
func runBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stderr)
	profile := fs.String("profile", string(experiment.Quick), "smoke (a few steps: a check that it runs), quick (default: medians of 20 steps) or paper (50)")
	data := fs.String("data", "", "the data of the report folder's other entries (BOSSbase 1.01 folder or zip; the timings themselves use synthetic and stand-in data)")
	out := fs.String("out", DefaultOut, "report folder")
	seed := fs.Uint64("seed", DefaultSeed, "run seed")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	p, err := experiment.ParseProfile(*profile)
	if err != nil {
		return usagef("%v", err)
	}
	cfg := &reproduceConfig{profile: p, only: []string{performance.ID}, data: *data, out: *out, seed: *seed, bench: true}
	if cfg.data != "" {
		if cfg.data, err = filepath.Abs(cfg.data); err != nil {
			return fmt.Errorf("-data %q: %w", *data, err)
		}
	}
	return runConfig(cfg, stdout, stderr)
}

// runConfig runs cfg and writes (or checks) its report.
func runConfig(cfg *reproduceConfig, stdout, stderr io.Writer) error {
	var err error
	var ref *results.File
	if cfg.check {
		// Read the reference first: a missing or corrupt REF fails fast.
		if ref, err = results.Read(cfg.checkRef); err != nil {
			return err
		}
	}
	src, skipped, err := suite.OpenData(cfg.data, cfg.profile, cfg.strict)
	if err != nil {
		return err
	}
	if c, ok := src.(io.Closer); ok {
		defer c.Close()
	}
	if !cfg.check && cfg.shard == nil {
		// Fail before the run, not after it, where the report could
		// not be written or merged.
		if err := mergeable(cfg, src.Name()); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sel := cfg.backend()
	backend.SetDefault(sel) // trained ciphers in the registry run on it too
	cache := safefile.Name(cfg.workDir)
	if cfg.bench {
		cache = "none (bench measures afresh)"
		// Create the backend now, so that provenance names its device
		// (bench's timings create their own, one per backend found).
		if _, err := sel.New(); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "neurocrypt: profile %s, seed %d, data %s, backend %s (%s), cache %s\n",
		cfg.profile, cfg.seed, src.Name(), sel.Config(), sel.Reason(), cache)
	if skipped > 0 {
		fmt.Fprintf(stderr, "neurocrypt: skipped %d dataset files that are missing, corrupt or the wrong size (`neurocrypt dataset verify` lists them; -strict fails instead)\n", skipped)
	}
	run, err := suite.Run(ctx, suite.Options{
		Profile: cfg.profile, Seed: cfg.seed, Data: src, Skipped: skipped, Backend: sel,
		WorkDir: cfg.workDir, Fresh: cfg.fresh, Only: cfg.only, Log: stderr, Command: cfg.command(), Shard: cfg.shard, Bench: cfg.bench,
	})
	if err != nil {
		if ctx.Err() != nil {
			if cfg.bench || cfg.workDir == "" {
				return fmt.Errorf("interrupted; nothing was written")
			}
			return fmt.Errorf("interrupted; finished units are cached in %s and a re-run resumes from them", cfg.workDir)
		}
		return err
	}
	if cfg.shard != nil {
		// The assembly must use this binary (cache keys include its hash)
		// and this run's profile, seed, data, experiments, -strict and
		// -out (without it, pasting the line overwrote the default report
		// folder, the committed reference in a checkout).
		exe, err := os.Executable()
		if err != nil {
			exe = "neurocrypt"
		}
		again := []string{exe, "reproduce", "-profile", string(cfg.profile), "-seed", fmt.Sprint(cfg.seed), "-workdir", cfg.workDir}
		if cfg.data != "" {
			again = append(again, "-data", cfg.data)
		}
		if len(cfg.only) > 0 {
			again = append(again, "-only", strings.Join(cfg.only, ","))
		}
		if cfg.strict {
			again = append(again, "-strict")
		}
		again = append(again, "-out", cfg.out)
		fmt.Fprintf(stdout, "shard %s done: %d experiments complete, %d with units left to other shards (%s); when every shard has finished, "+
			"assemble the report with this same binary (cache keys include its hash): %s\n", cfg.shard, len(run.Experiments), len(run.Pending),
			strings.Join(run.Pending, ", "), provenance.CommandLine(again))
		return nil
	}
	if h := cfg.recordedHash; h != "" && h != run.Provenance.DatasetHash {
		return fmt.Errorf("the data differ from those %s was made from: dataset hash %.16s…, recorded %.16s… (another BOSSbase copy, or changed files)",
			cfg.recordedFrom, run.Provenance.DatasetHash, h)
	}
	if cfg.check {
		return checkRun(cfg, ref, run, stdout)
	}
	if len(cfg.only) > 0 {
		if err := keepOthers(cfg, run); err != nil {
			return err
		}
	}
	if err := report.Write(cfg.out, run); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", safefile.Name(filepath.Join(cfg.out, report.IndexFile)))
	return nil
}

// mergeable fails when -out is not a folder, or, for an -only run (and
// bench), when <out>/results.json holds a run of another profile, seed or
// dataset (data), which its report could not join.
func mergeable(cfg *reproduceConfig, data string) error {
	// Lstat, as the report writer does: it writes nothing through a
	// symbolic link.
	if st, err := os.Lstat(cfg.out); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("-out %s is a symbolic link: reports are not written through one (give the folder it points to)", safefile.Name(cfg.out))
	} else if err == nil && !st.IsDir() {
		return fmt.Errorf("-out %s is not a folder", safefile.Name(cfg.out))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("-out: %w", err)
	}
	path := filepath.Join(cfg.out, report.ResultsFile)
	if _, err := os.Stat(path); len(cfg.only) == 0 || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	old, err := results.Read(path)
	if err != nil {
		return err
	}
	if p := old.Provenance; p.Profile != string(cfg.profile) || p.Seed != cfg.seed || p.Dataset != data {
		fix := "pass -out DIR, or its -profile, -seed and -data"
		if !cfg.bench {
			fix += ", or run every experiment"
		}
		return fmt.Errorf("%s holds a run with profile %s, seed %d, data %s; this run (profile %s, seed %d, data %s) would mix two runs in one report: %s",
			path, p.Profile, p.Seed, p.Dataset, cfg.profile, cfg.seed, data, fix)
	}
	return nil
}

// keepOthers carries the experiments of an existing <out>/results.json that
// this -only run did not re-run into the new report, so that index.html and
// results.json keep listing them. Mixing runs of another profile, seed or
// dataset would make one report of two different runs: that is an error.
func keepOthers(cfg *reproduceConfig, run *report.Run) error {
	path := filepath.Join(cfg.out, report.ResultsFile)
	if _, err := os.Stat(path); err != nil {
		return nil // nothing to keep
	}
	old, err := results.Read(path)
	if err != nil {
		return err
	}
	p, np := old.Provenance, run.Provenance
	if p.Profile != np.Profile || p.Seed != np.Seed || p.Dataset != np.Dataset {
		return fmt.Errorf("%s holds a run with profile %s, seed %d, data %s; this -only run (profile %s, seed %d, data %s) "+
			"would mix two runs in one report: pass -out DIR, or run every experiment", path, p.Profile, p.Seed, p.Dataset, np.Profile, np.Seed, np.Dataset)
	}
	done := map[string]bool{}
	for _, e := range run.Experiments {
		done[e.ID] = true
	}
	var kept []string
	var merged []report.ExperimentReport
	for _, id := range suite.IDs() { // report order
		if done[id] {
			for _, e := range run.Experiments {
				if e.ID == id {
					merged = append(merged, e)
				}
			}
			continue
		}
		for _, oe := range old.Experiments {
			if oe.ID == id {
				merged = append(merged, report.Kept(oe))
				kept = append(kept, id)
			}
		}
	}
	run.Experiments = merged
	if len(kept) > 0 {
		name, _, _ := strings.Cut(p.Backend, ":")
		run.Provenance.Extra[keptKey] = keptFrom(kept, p.Extra[keptKey], fmt.Sprintf("run started %s, commit %s, backend %s", p.Start.Format(time.RFC3339Nano), p.Commit, name))
	}
	return nil
}

// recordedBackend is the backend a reference was computed on, for the rule
// of reproduceConfig.backend: its own, or the pure Go backend when any
// experiment it kept from an earlier run was computed there (its keptKey
// record says "backend go"): a reference that mixes runs, such as bench's
// page over a pure Go reproduce, is re-run like with like on the backend
// every machine has, and its timing tables are skipped anyway.
func recordedBackend(pr results.Provenance) string {
	if strings.Contains(pr.Extra[keptKey], ", backend "+backend.Go+")") {
		return backend.Go
	}
	return pr.Backend
}

// maxOrigin bounds one recorded origin ("run started T, commit C" is
// under 100 bytes), so that a hand-edited file cannot grow the next one.
const maxOrigin = 200

// keptUnknown is the origin of a kept experiment whose earlier record is
// damaged (keptFrom).
const keptUnknown = "origin unknown: the earlier results.json's record of kept experiments is damaged"

// keptKey is the provenance entry naming the experiments a partial run
// (-only, bench) kept from earlier runs, and the runs they came from.
const keptKey = "kept_from_earlier_run"

// keptFrom is keptKey's value for the kept experiments (in report order):
// each keeps the origin the earlier file recorded for it (earlier, that
// file's own keptKey value), else it came from that file's run (origin).
// Experiments of one origin are grouped: "a, b (run started T, commit C);
// c (run started T2, commit C2)". So a chain of partial runs never credits
// an experiment to a run that only carried it along. When earlier is
// damaged (a group that does not parse, names an unknown experiment, or
// holds an origin over maxOrigin bytes or with unprintable characters),
// the experiments it does not credit are marked keptUnknown rather than
// credited to a run that may not have computed them.
func keptFrom(kept []string, earlier, origin string) string {
	known := map[string]bool{}
	for _, id := range suite.IDs() {
		known[id] = true
	}
	from := map[string]string{}
	damaged := false
	for _, group := range strings.Split(earlier, "; ") {
		if earlier == "" {
			break
		}
		ids, o, ok := strings.Cut(group, " (")
		o, closed := strings.CutSuffix(o, ")")
		if !ok || !closed || o == "" || len(o) > maxOrigin || strings.IndexFunc(o, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
			damaged = true
			continue
		}
		names := strings.Split(ids, ", ")
		if slices.ContainsFunc(names, func(id string) bool { return !known[id] }) {
			damaged = true
			continue
		}
		for _, id := range names {
			from[id] = o
		}
	}
	if damaged {
		origin = keptUnknown
	}
	var order []string
	groups := map[string][]string{}
	for _, id := range kept {
		o := origin
		if f, ok := from[id]; ok {
			o = f
		}
		if groups[o] == nil {
			order = append(order, o)
		}
		groups[o] = append(groups[o], id)
	}
	parts := make([]string, len(order))
	for i, o := range order {
		parts[i] = fmt.Sprintf("%s (%s)", strings.Join(groups[o], ", "), o)
	}
	return strings.Join(parts, "; ")
}

// checkRun compares a fresh run with the reference; the run's own
// results.json is written to a temporary folder to be read back exactly as
// the reference is.
func checkRun(cfg *reproduceConfig, ref *results.File, run *report.Run, stdout io.Writer) error {
	tmp, err := os.MkdirTemp("", "neurocrypt-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := report.Write(tmp, run); err != nil {
		return err
	}
	got, err := results.Read(filepath.Join(tmp, report.ResultsFile))
	if err != nil {
		return err
	}
	diffs := check.Compare(ref, got, cfg.only)
	fmt.Fprintf(stdout, "check against %s (tables marked timing are skipped; numeric cells must match within the tolerance shown, 0 = exact):\n", safefile.Name(cfg.checkRef))
	fmt.Fprint(stdout, check.Format(diffs))
	if len(diffs) > 0 {
		return fmt.Errorf("%d differences from %s", len(diffs), cfg.checkRef)
	}
	fmt.Fprintln(stdout, "check passed")
	return nil
}
