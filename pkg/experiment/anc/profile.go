package anc

import (
	"fmt"

	ancnet "github.com/neurocrypt/neurocrypt/pkg/anc"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
)

// settings are the sizes of one profile. Every deviation from the papers'
// settings (paper profile) is listed in the report's notes.
type settings struct {
	Runs int   // runs per (variant, N)
	Ns   []int // key lengths
	// Rounds of training: ANC rounds are 1 Alice–Bob + 2 Eve steps, CPA
	// rounds 3 Alice–Bob + 60 Eve steps.
	ANCRounds, CPARounds int
	Batch                int
	LearningRate         float64
	EvalPoints           int // points per training curve
	EvalBlocks           int // blocks of the fixed evaluation set
	TestBlocks           int // fresh test set for Bob's decryption error
	// Security test: restarts × steps of a fresh Eve on batches of SecBatch.
	SecRestarts, SecSteps, SecBatch int
	ProbeSamples16                  int     // XOR probe samples for N = 16
	ThroughputMB                    float64 // plaintext MiB to encrypt
	ThroughputBatch                 int     // blocks per encryption call
}

// profiles: smoke ≤ ~60 s and quick ≤ ~12 min for this whole experiment on
// 2 CPU cores with the pure Go backend; paper follows the papers.
var profiles = map[experiment.Profile]settings{
	experiment.Smoke: {Runs: 1, Ns: []int{4, 8, 16}, ANCRounds: 20, CPARounds: 4, Batch: 256,
		LearningRate: ancnet.LearningRate, EvalPoints: 5, EvalBlocks: 512, TestBlocks: 2048,
		SecRestarts: 1, SecSteps: 20, SecBatch: 256, ProbeSamples16: 4096, ThroughputMB: 1, ThroughputBatch: 16384},
	experiment.Quick: {Runs: 3, Ns: []int{4, 8, 16}, ANCRounds: 500, CPARounds: 80, Batch: 512,
		LearningRate: 0.003, EvalPoints: 20, EvalBlocks: 2048, TestBlocks: 10000,
		SecRestarts: 2, SecSteps: 300, SecBatch: 512, ProbeSamples16: 1 << 18, ThroughputMB: 16, ThroughputBatch: 1 << 16},
	experiment.Paper: {Runs: 50, Ns: []int{4, 8, 16}, ANCRounds: 25000, CPARounds: 7000, Batch: ancnet.PaperBatch,
		LearningRate: ancnet.LearningRate, EvalPoints: 50, EvalBlocks: 4096, TestBlocks: 10000,
		SecRestarts: 5, SecSteps: 25000, SecBatch: ancnet.PaperBatch, ProbeSamples16: 1 << 20, ThroughputMB: 1024, ThroughputBatch: 1 << 18},
}

func settingsFor(p experiment.Profile) (settings, error) {
	s, ok := profiles[p]
	if !ok {
		return settings{}, fmt.Errorf("anc experiment: no settings for profile %q", p)
	}
	return s, nil
}

// config returns the training configuration of one run.
func (s settings) config(v ancnet.Variant, n int, seed uint64) ancnet.Config {
	rounds := s.ANCRounds
	if v == ancnet.CPA {
		rounds = s.CPARounds
	}
	c := ancnet.DefaultConfig(v, n, rounds)
	c.Batch = s.Batch
	c.LearningRate = s.LearningRate
	c.EvalEvery = max(1, rounds/s.EvalPoints)
	c.EvalBlocks = s.EvalBlocks
	c.Seed = seed
	return c
}
