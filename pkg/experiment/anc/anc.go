// Package anc is the experiment that reproduces the adversarial neural
// cryptography results of the seed paper ("Research on an optimised
// encryption algorithm", Tables 2–4, Figs 7–9): ANC (Abadi & Andersen 2016)
// and its chosen-plaintext variant (Coutinho et al. 2018), trained with
// pkg/models/ancnet for key lengths 4, 8 and 16, with the retrained-Eve security test,
// the XOR (one-time pad) probe and Alice's encryption throughput.
package anc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"time"

	"github.com/gomlx/compute"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/models/ancnet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// ID is the experiment's identifier.
const ID = "anc"

// Version is this experiment's code version in cache keys.
const Version = "2"

// Seed-paper numbers (Tables 2–4, §4.2).
var (
	paperANCSecure    = map[int]int{4: 8, 8: 27, 16: 32}  // Table 3
	paperCPASecure    = map[int]int{4: 48, 8: 50, 16: 50} // Table 4
	paperANCvsCPA     = map[int]int{4: 0, 8: 0, 16: 0}    // Table 2
	paperRuns         = 50
	paperThroughputMB = 75.85 // MB/s (1024 MB in 13.5 s)
)

type experimentImpl struct{}

// New returns the ANC experiment.
func New() experiment.Experiment { return experimentImpl{} }

// ID implements experiment.Experiment.
func (experimentImpl) ID() string { return ID }

// Title implements experiment.Experiment.
func (experimentImpl) Title() string {
	return "Adversarial neural cryptography: ANC vs. the chosen-plaintext variant (Tables 2–4, Figs 7–9)"
}

// Papers implements experiment.Experiment.
func (experimentImpl) Papers() []results.Citation {
	return []results.Citation{
		{Key: "Seed", Title: "Research on an optimised encryption algorithm (improved GAN adversarial neural cryptography)",
			Ref: "shared/papers/improved-gan-adversarial-neural-cryptography.txt"},
		{Key: "Abadi-Andersen", Title: "Learning to Protect Communications with Adversarial Neural Cryptography",
			Ref: "arXiv:1610.06918, 2016"},
		{Key: "Coutinho", Title: "Learning Perfectly Secure Cryptography to Protect Communications with Adversarial Neural Cryptography",
			Ref: "Sensors 18(5):1306, 2018, doi:10.3390/s18051306"},
	}
}

// RunResult is one cached training run.
type RunResult struct {
	Variant  ancnet.Variant `json:"variant"`
	N        int            `json:"n"`
	Run      int            `json:"run"`
	Seed     uint64         `json:"seed"`
	Test     ancnet.Metrics `json:"test"`
	Decrypts bool           `json:"decrypts"`
	// Security is the retrained Eve of the variant's own attack.
	Security ancnet.SecurityResult `json:"security"`
	// CPASecurity (ANC runs) is a retrained chosen-plaintext Eve (Table 2).
	CPASecurity *ancnet.SecurityResult `json:"cpa_security,omitempty"`
	History     ancnet.History         `json:"history"`
	Probe       ancnet.Probe           `json:"probe"`
	// Throughput is measured in run 0 of N = 16.
	Throughput *ancnet.Throughput `json:"throughput,omitempty"`
	// Compiled is run 0 of N = 16's Alice compiled for one key
	// (ancnet.CompileAlice: CPA-ANC's exact form, ANC's codebook of
	// rounded outputs): its speed and its agreement with the network.
	Compiled *ancnet.CompiledThroughput `json:"compiled,omitempty"`
	// Seconds is the wall time of this run's measurements after training
	// (its population's training time is not divided among its runs).
	Seconds float64 `json:"seconds"`
}

// cellParams key one population unit: the runs lo..hi−1 of a (variant, N)
// cell, trained together.
type cellParams struct {
	Variant  ancnet.Variant
	N        int
	Lo, Hi   int
	Settings Settings
	Configs  []ancnet.Config
}

// backendOf creates the run's GoMLX backend and describes its device.
func backendOf(env *experiment.Env) (compute.Backend, string, error) {
	if env.Backend == nil {
		return nil, "", errors.New("anc experiment: the environment has no GoMLX backend (set experiment.Env.Backend, e.g. to backend.Select())")
	}
	be, err := env.Backend.New()
	if err != nil {
		return nil, "", err
	}
	return be, env.Backend.Device(), nil
}

// cellConfigs returns the configurations of runs lo..hi−1 of (v, n), with
// the loss form loss.
func cellConfigs(env *experiment.Env, s Settings, v ancnet.Variant, n, lo, hi int, loss ancnet.LossForm) []ancnet.Config {
	var cfgs []ancnet.Config
	for r := lo; r < hi; r++ {
		c := s.config(v, n, seeds.Sub(env.Seed, ID, string(v), n, r))
		if v == ancnet.ANC {
			c.Loss = loss
		}
		cfgs = append(cfgs, c)
	}
	return cfgs
}

// runCells trains the runs of every (variant, N) cell in populations of
// at most s.Population runs, each population a cached, checkpointed unit,
// and measures each run (runPopulation with measure); it returns the
// results by variant and N. In a sharded run it skips the cells left to
// other shards and returns, with the rest, an experiment.ErrNotInShard.
func runCells[R any](ctx context.Context, env *experiment.Env, be compute.Backend, s Settings, what string, variants []ancnet.Variant, runs int,
	loss ancnet.LossForm, measure func(ctx context.Context, m *ancnet.Model, cfg ancnet.Config, run int) (R, error)) (map[ancnet.Variant]map[int][]R, error) {
	out := map[ancnet.Variant]map[int][]R{}
	bar := env.NewBar("anc "+what, len(variants)*len(s.Ns)*runs)
	defer bar.Done()
	var pending error
	for _, v := range variants {
		out[v] = map[int][]R{}
		for _, n := range s.Ns {
			for lo := 0; lo < runs; lo += s.Population {
				hi := min(lo+s.Population, runs)
				cfgs := cellConfigs(env, s, v, n, lo, hi, loss)
				unit := fmt.Sprintf("%s/%s/n%d/runs%d-%d", what, v, n, lo, hi-1)
				key := experiment.UnitKey{Experiment: ID, Unit: unit, Version: Version,
					Params: cellParams{Variant: v, N: n, Lo: lo, Hi: hi, Settings: s, Configs: cfgs}, UsesBackend: true}
				ckptDir, computed := "", false
				res, err := experiment.RunUnit(ctx, env, key, func(ctx context.Context) ([]R, error) {
					computed = true // its runs move the bar as they are measured
					// Only a unit that actually trains gets a checkpoint
					// directory (a cache hit creates none).
					if dir, err := env.UnitDir(key); err == nil {
						ckptDir = dir
					}
					return runPopulation(ctx, env, be, cfgs, lo, ckptDir, func(ctx context.Context, m *ancnet.Model, cfg ancnet.Config, run int) (R, error) {
						r, err := measure(ctx, m, cfg, run)
						bar.Add(1)
						return r, err
					})
				})
				if experiment.Pending(err) {
					pending = err // another shard's: go on with ours
					continue
				}
				if err != nil {
					return nil, fmt.Errorf("anc experiment: %s N=%d runs %d–%d: %w", v, n, lo, hi-1, err)
				}
				if ckptDir != "" {
					// The result is now cached: the checkpoint is no longer needed.
					if err := os.RemoveAll(ckptDir); err != nil {
						env.Logf("anc experiment: removing checkpoint %s: %v", ckptDir, err)
					}
				}
				if !computed {
					bar.Add(len(res)) // a cache hit
				}
				out[v][n] = append(out[v][n], res...)
			}
		}
	}
	return out, pending
}

// runPopulation trains cfgs (runs lo, lo+1, …) as one ancnet.Population,
// checkpointed in ckptDir when set (resumed from it after a kill), then
// exports each run into a single-run model and measures it.
func runPopulation[R any](ctx context.Context, env *experiment.Env, be compute.Backend, cfgs []ancnet.Config, lo int, ckptDir string,
	measure func(ctx context.Context, m *ancnet.Model, cfg ancnet.Config, run int) (R, error)) ([]R, error) {
	p, err := ancnet.NewPopulation(be, cfgs, ancnet.PopConvFor(be))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if ckptDir != "" {
		if err := p.SetCheckpoints(ancnet.CheckpointOptions{Dir: ckptDir, Log: env.Log}); err != nil {
			return nil, err
		}
	}
	c := cfgs[0]
	bar := env.NewBar(fmt.Sprintf("anc %s N=%d runs %d–%d: training rounds", c.Variant, c.N, lo, lo+len(cfgs)-1), c.Rounds)
	last := 0
	_, err = p.Train(ctx, func(round, running int) {
		bar.Add(round + 1 - last)
		last = round + 1
	})
	bar.Done()
	if err != nil {
		return nil, err
	}
	var out []R
	for i, cfg := range cfgs {
		m, err := p.Model(i)
		if err != nil {
			return nil, err
		}
		r, err := measure(ctx, m, cfg, lo+i)
		m.Close()
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", lo+i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Run trains every (variant, N) cell in populations (cached units), measures
// every run, compares the loss forms, and assembles the tables, figures and
// claims.
func (experimentImpl) Run(ctx context.Context, env *experiment.Env) (*results.Result, error) {
	s, err := experiment.ForProfile(ID, ProfileSettings, env.Profile)
	if err != nil {
		return nil, err
	}
	be, device, err := backendOf(env)
	if err != nil {
		return nil, err
	}
	runs, err := runCells(ctx, env, be, s, "runs", []ancnet.Variant{ancnet.ANC, ancnet.CPA}, s.Runs, ancnet.LossReference,
		func(ctx context.Context, m *ancnet.Model, cfg ancnet.Config, run int) (RunResult, error) {
			return measureRun(ctx, m, s, cfg, run)
		})
	// A shard (experiment.Pending) goes on with its other units and
	// reports the pending ones at the end.
	pending := err
	if err != nil && !experiment.Pending(err) {
		return nil, err
	}
	var losses map[int][]LossRun
	if s.LossRuns > 0 {
		bm, err := runCells(ctx, env, be, s, "lossform", []ancnet.Variant{ancnet.ANC}, s.LossRuns, ancnet.LossBatchMean,
			func(ctx context.Context, m *ancnet.Model, cfg ancnet.Config, run int) (LossRun, error) {
				h := m.History()
				lr := LossRun{N: cfg.N, Run: run, Converged: h.Converged, Rounds: h.Rounds}
				var err error
				if lr.Test, err = m.Evaluate(s.TestBlocks, cfg.Seed^0x7e57); err == nil {
					lr.Decrypts = lr.Test.BobHardBits <= ancnet.DecryptThreshold
				}
				return lr, err
			})
		if experiment.Pending(err) {
			pending = err
		} else if err != nil {
			return nil, err
		}
		losses = bm[ancnet.ANC]
	}
	sp, err := runSpeed(ctx, env, s)
	if experiment.Pending(err) {
		pending = err
	} else if err != nil {
		return nil, err
	}
	if pending != nil {
		return nil, pending
	}
	res := assemble(s, env, be.Name(), device, runs, sp)
	if s.LossRuns > 0 {
		res.Tables = append(res.Tables, lossFormTable(s, runs[ancnet.ANC], losses))
	}
	res.Figures = append(res.Figures, convergenceFigure(s, runs))
	return res, nil
}

// LossRun is one ANC run trained with the batch-mean Alice–Bob loss
// (ancnet.LossBatchMean) on the seed of the main run with the same N and
// index, for the loss-form comparison: training and Bob's test only.
type LossRun struct {
	N         int            `json:"n"`
	Run       int            `json:"run"`
	Test      ancnet.Metrics `json:"test"`
	Decrypts  bool           `json:"decrypts"`
	Converged bool           `json:"converged"`
	Rounds    int            `json:"rounds"`
}

// measureRun measures one trained run (m, exported from its population):
// Bob on a fresh test set, the retrained-Eve security test of its own
// attack (and, for ANC, a chosen-plaintext one), the XOR probe, and for
// run 0 of N = 16 the encryption throughput, by the network and by the
// compiled Alice (CPA-ANC: exact; ANC: the codebook of her rounded
// outputs).
func measureRun(ctx context.Context, m *ancnet.Model, s Settings, cfg ancnet.Config, run int) (RunResult, error) {
	start := time.Now()
	res := RunResult{Variant: cfg.Variant, N: cfg.N, Run: run, Seed: cfg.Seed, History: m.History()}
	var err error
	if res.Test, err = m.Evaluate(s.TestBlocks, cfg.Seed^0x7e57); err != nil {
		return res, err
	}
	res.Decrypts = res.Test.BobHardBits <= ancnet.DecryptThreshold
	sec := ancnet.SecurityConfig{Attack: ancnet.NaturalAttack(cfg.Variant), Restarts: s.SecRestarts, Steps: s.SecSteps,
		Batch: s.SecBatch, TestBlocks: ancnet.SecurityTestPairs, Seed: cfg.Seed ^ 0x5ec}
	if sec.Attack == ancnet.Reconstruct {
		sec.TestBlocks = s.TestBlocks
	}
	if res.Security, err = m.SecurityTest(ctx, sec); err != nil {
		return res, err
	}
	if cfg.Variant == ancnet.ANC {
		cpa := sec
		cpa.Attack, cpa.TestBlocks = ancnet.ChosenPlaintext, ancnet.SecurityTestPairs
		r, err := m.SecurityTest(ctx, cpa)
		if err != nil {
			return res, err
		}
		res.CPASecurity = &r
	}
	if res.Probe, err = ancnet.XORProbe(cfg.Variant, cfg.N, m.Encrypt, s.ProbeSamples16, cfg.Seed^0x9b0be); err != nil {
		return res, err
	}
	if cfg.N == 16 && run == 0 {
		tp, err := m.MeasureThroughput(s.ThroughputMB, s.ThroughputBatch)
		if err != nil {
			return res, err
		}
		res.Throughput = &tp
		ct, err := m.MeasureCompiledThroughput(s.ThroughputMB)
		if err != nil {
			return res, err
		}
		res.Compiled = &ct
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// counts summarises the runs of one (variant, N).
type counts struct {
	runs, decrypts, secure, cpaSecure int
}

func count(rs []RunResult) counts {
	var c counts
	for _, r := range rs {
		c.runs++
		if !r.Decrypts {
			continue
		}
		c.decrypts++
		if r.Security.Secure {
			c.secure++
		}
		if r.CPASecurity != nil && r.CPASecurity.Secure {
			c.cpaSecure++
		}
	}
	return c
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func minMax(xs []float64) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}
