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
	"io"
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
	// Compiled is CPA-ANC run 0 of N = 16's Alice compiled for one key
	// (ancnet.CompileCPAAlice): its speed and its agreement with the
	// network.
	Compiled *ancnet.CompiledThroughput `json:"compiled,omitempty"`
	Seconds  float64                    `json:"seconds"`
}

type unitParams struct {
	Variant  ancnet.Variant
	N, Run   int
	Settings Settings
	Config   ancnet.Config
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

// Run trains every (variant, N, run) as a cached unit and assembles the
// tables, figures and claims.
func (experimentImpl) Run(ctx context.Context, env *experiment.Env) (*results.Result, error) {
	s, err := experiment.ForProfile(ID, ProfileSettings, env.Profile)
	if err != nil {
		return nil, err
	}
	be, device, err := backendOf(env)
	if err != nil {
		return nil, err
	}
	variants := []ancnet.Variant{ancnet.ANC, ancnet.CPA}
	bar := env.NewBar("anc runs", len(variants)*len(s.Ns)*s.Runs)
	defer bar.Done()
	runs := map[ancnet.Variant]map[int][]RunResult{}
	for _, v := range variants {
		runs[v] = map[int][]RunResult{}
		for _, n := range s.Ns {
			for r := 0; r < s.Runs; r++ {
				seed := seeds.Sub(env.Seed, ID, string(v), n, r)
				cfg := s.config(v, n, seed)
				key := experiment.UnitKey{Experiment: ID, Unit: fmt.Sprintf("run/%s/n%d/%d", v, n, r), Version: Version,
					Params: unitParams{Variant: v, N: n, Run: r, Settings: s, Config: cfg}, UsesBackend: true}
				ckptDir := ""
				res, err := experiment.RunUnit(ctx, env, key, func(ctx context.Context) (RunResult, error) {
					// Only a unit that actually trains gets a checkpoint
					// directory (a cache hit creates none).
					if dir, err := env.UnitDir(key); err == nil {
						ckptDir = dir
					}
					return runOne(ctx, be, s, cfg, r, ckptDir, env.Log)
				})
				if err != nil {
					return nil, fmt.Errorf("anc experiment: %s N=%d run %d: %w", v, n, r, err)
				}
				if ckptDir != "" {
					// The result is now cached: the checkpoint is no longer needed.
					if err := os.RemoveAll(ckptDir); err != nil {
						env.Logf("anc experiment: removing checkpoint %s: %v", ckptDir, err)
					}
				}
				runs[v][n] = append(runs[v][n], res)
				bar.Add(1)
			}
		}
	}
	losses, err := runLossForms(ctx, env, be, s)
	if err != nil {
		return nil, err
	}
	sp, err := runSpeed(ctx, env, s)
	if err != nil {
		return nil, err
	}
	res := assemble(s, env, be.Name(), device, runs, sp)
	res.Tables = append(res.Tables, lossFormTable(s, runs[ancnet.ANC], losses))
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

// runLossForms trains the first s.LossRuns ANC runs of every N again with
// the batch-mean loss, each a cached unit; it returns them by N.
func runLossForms(ctx context.Context, env *experiment.Env, be compute.Backend, s Settings) (map[int][]LossRun, error) {
	out := map[int][]LossRun{}
	if s.LossRuns == 0 {
		return out, nil
	}
	bar := env.NewBar("anc loss forms", len(s.Ns)*s.LossRuns)
	defer bar.Done()
	for _, n := range s.Ns {
		for r := 0; r < s.LossRuns; r++ {
			cfg := s.config(ancnet.ANC, n, seeds.Sub(env.Seed, ID, string(ancnet.ANC), n, r))
			cfg.Loss = ancnet.LossBatchMean
			key := experiment.UnitKey{Experiment: ID, Unit: fmt.Sprintf("lossform/%s/n%d/%d", cfg.Loss, n, r), Version: Version,
				Params: unitParams{Variant: ancnet.ANC, N: n, Run: r, Settings: s, Config: cfg}, UsesBackend: true}
			res, err := experiment.RunUnit(ctx, env, key, func(ctx context.Context) (LossRun, error) {
				lr := LossRun{N: n, Run: r}
				m, err := ancnet.NewModel(be, cfg)
				if err != nil {
					return lr, err
				}
				h, err := m.Train(ctx, nil)
				if err != nil {
					return lr, err
				}
				lr.Converged, lr.Rounds = h.Converged, h.Rounds
				if lr.Test, err = m.Evaluate(s.TestBlocks, cfg.Seed^0x7e57); err != nil {
					return lr, err
				}
				lr.Decrypts = lr.Test.BobHardBits <= ancnet.DecryptThreshold
				return lr, nil
			})
			if err != nil {
				return nil, fmt.Errorf("anc experiment: batch-mean loss, N=%d run %d: %w", n, r, err)
			}
			out[n] = append(out[n], res)
			bar.Add(1)
		}
	}
	return out, nil
}

// runOne trains one run and measures everything about it. With ckptDir
// set, training checkpoints there every ancnet.CheckpointEvery rounds and
// after the last round, and resumes from a checkpoint found there, so a
// killed run started again gives the same result (bit-identical on the go
// backend); log receives resume and ignored-checkpoint messages.
func runOne(ctx context.Context, be compute.Backend, s Settings, cfg ancnet.Config, run int, ckptDir string, log io.Writer) (RunResult, error) {
	start := time.Now()
	res := RunResult{Variant: cfg.Variant, N: cfg.N, Run: run, Seed: cfg.Seed}
	m, err := ancnet.NewModel(be, cfg)
	if err != nil {
		return res, err
	}
	if ckptDir != "" {
		if err := m.SetCheckpoints(ancnet.CheckpointOptions{Dir: ckptDir, Log: log}); err != nil {
			return res, err
		}
	}
	h, err := m.Train(ctx, nil)
	if err != nil {
		return res, err
	}
	res.History = *h
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
		if cfg.Variant == ancnet.CPA {
			ct, err := m.MeasureCompiledThroughput(s.ThroughputMB)
			if err != nil {
				return res, err
			}
			res.Compiled = &ct
		}
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
