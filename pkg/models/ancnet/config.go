package ancnet

import (
	"fmt"
	"math"
)

// Variant selects the scheme.
type Variant string

// Variants.
const (
	// ANC is Abadi & Andersen's scheme: Eve reconstructs P from C.
	ANC Variant = "anc"
	// CPA is Coutinho et al.'s chosen-plaintext scheme: Eve picks P0, P1 and
	// must tell which one C encrypts.
	CPA Variant = "cpa"
)

// Paper hyperparameters.
const (
	// LearningRate of both Adam optimisers (both papers).
	LearningRate = 0.0008
	// PaperBatch is the minibatch size of both papers.
	PaperBatch = 4096
	// MaxBatch bounds the minibatch size (16 × the papers'): a minibatch of
	// N-bit blocks takes a few × Batch × N floats per tensor, so a mistyped
	// batch would otherwise exhaust memory instead of failing. Ours.
	MaxBatch = 1 << 16
	// MaxRounds bounds the training rounds (a typo must not train forever).
	MaxRounds = 1 << 24
	// Gamma weighs Eve's error in CPA-ANC's Alice–Bob loss.
	Gamma = 7.0
	// ANCABPerRound and ANCEvePerRound: in ANC, Eve trains 2 minibatches
	// per Alice–Bob minibatch.
	ANCABPerRound, ANCEvePerRound = 1, 2
	// CPAABPerRound and CPAEvePerRound: in CPA-ANC, Eve trains 60
	// minibatches per 3 of Alice–Bob.
	CPAABPerRound, CPAEvePerRound = 3, 60
	// DecryptThreshold: a run decrypts when Bob's error is at most this many
	// bits per block on a fresh test set.
	DecryptThreshold = 0.05
	// SecurityAlpha is the significance level of the one-sided binomial test
	// of a retrained CPA Eve's accuracy against 1/2.
	SecurityAlpha = 0.01
	// SecurityTestPairs is the number of test pairs of the binomial test.
	SecurityTestPairs = 10000
	// ANCSecureTolerancePerBit: an ANC Alice is secure when the best
	// retrained Eve still gets at least N/2 − 0.05·N bits wrong per block.
	ANCSecureTolerancePerBit = 0.05
)

// Alpha returns the L2 regularisation weight α that the seed paper's
// Table 1 gives for key length n (0.1, 0.1, 0.015 for n = 4, 8, 16), and
// ok=false for other lengths. See Config.Alpha for how it is used.
func Alpha(n int) (alpha float64, ok bool) {
	switch n {
	case 4, 8:
		return 0.1, true
	case 16:
		return 0.015, true
	}
	return 0, false
}

// LossForm selects ANC's Alice–Bob loss (unused by CPA-ANC).
type LossForm string

// Loss forms.
const (
	// LossReference is the form of the authors' released code: Eve's term
	// squared per block, then averaged (ANCAliceBobLossReference). The
	// default; the empty LossForm means it too.
	LossReference LossForm = "reference"
	// LossBatchMean squares the gap of Eve's batch-mean error
	// (ANCAliceBobLoss), as the paper's text can be read.
	LossBatchMean LossForm = "batch-mean"
)

// Stop rule (Abadi & Andersen's released code checks every 200 rounds
// whether Bob's error is below 0.02 bits and Eve's above 7.7 bits per
// 16-bit block, and then stops training).
const (
	// StopBobBits: a run may stop once Bob's mean L1 error on the
	// evaluation set is below this many bits per block (both variants).
	StopBobBits = 0.02
	// StopEveFraction: an ANC run may stop once Eve's mean L1 error is
	// above this fraction of N bits per block (7.7 of 16).
	StopEveFraction = 7.7 / 16
	// StopEveStdErrs: a CPA-ANC run may stop once Eve's accuracy on the
	// evaluation set is within this many standard errors of chance on
	// either side, |accuracy − 1/2| ≤ StopEveStdErrs·0.5/√EvalBlocks. Ours
	// (Coutinho et al. give no stop rule).
	StopEveStdErrs = 2.0
)

// Config is the full description of one training run.
type Config struct {
	Variant Variant
	// N is the plaintext and key length in bits.
	N int
	// Batch is the minibatch size.
	Batch int
	// Rounds is the number of training rounds; each round makes ABPerRound
	// Alice–Bob steps then EvePerRound Eve steps.
	Rounds                  int
	ABPerRound, EvePerRound int
	LearningRate            float64
	// Gamma weighs Eve's error in the CPA Alice–Bob loss (unused by ANC).
	Gamma float64
	// Alpha is the L2 weight for CPA-ANC: the Alice–Bob loss gets
	// + Alpha/N · Σ w² over Alice's and Bob's weights (unused by ANC).
	Alpha float64
	// EvalEvery records Bob's and Eve's errors every EvalEvery rounds on a
	// fixed evaluation set of EvalBlocks blocks (0: no history).
	EvalEvery, EvalBlocks int
	// Loss is ANC's Alice–Bob loss form ("" = LossReference).
	Loss LossForm `json:",omitempty"`
	// Stop ends training at the first recorded point (every EvalEvery
	// rounds) where the run has converged by the stop rule (StopBobBits,
	// StopEveFraction, StopEveStdErrs), as the authors' code does; the
	// History says when. It checks only at recorded points: with
	// EvalEvery = 0 the run never stops early.
	Stop bool `json:",omitempty"`
	// Seed determines initialisation and data.
	Seed uint64
}

// DefaultConfig returns the papers' settings for variant v and key length
// n, with the given number of rounds.
func DefaultConfig(v Variant, n, rounds int) Config {
	c := Config{Variant: v, N: n, Batch: PaperBatch, Rounds: rounds, LearningRate: LearningRate,
		EvalEvery: max(1, rounds/50), EvalBlocks: 4096, Seed: 1, Loss: LossReference, Stop: true}
	if v == CPA {
		c.ABPerRound, c.EvePerRound = CPAABPerRound, CPAEvePerRound
		c.Gamma = Gamma
		c.Alpha, _ = Alpha(n)
	} else {
		c.ABPerRound, c.EvePerRound = ANCABPerRound, ANCEvePerRound
	}
	return c
}

// converged reports whether evaluation metrics mt meet the stop rule.
func (c Config) converged(mt Metrics) bool {
	if !(mt.BobBits < StopBobBits) {
		return false
	}
	if c.Variant == ANC {
		return mt.EveBits > StopEveFraction*float64(c.N)
	}
	// Two-sided: an Eve that is consistently wrong tells the plaintexts
	// apart as well as one that is consistently right.
	return math.Abs(mt.EveAccuracy-0.5) <= StopEveStdErrs*0.5/math.Sqrt(float64(max(mt.Blocks, 1)))
}

// ABSteps is the total number of Alice–Bob steps of the run.
func (c Config) ABSteps() int { return c.Rounds * c.ABPerRound }

// Validate reports the first invalid field.
func (c Config) Validate() error {
	switch {
	case c.Variant != ANC && c.Variant != CPA:
		return fmt.Errorf("anc config: variant %q: want %q or %q", c.Variant, ANC, CPA)
	case c.N < 2 || c.N > 1024:
		return fmt.Errorf("anc config: N = %d: want 2..1024 bits", c.N)
	case c.Variant == ANC && c.N%2 != 0:
		return fmt.Errorf("anc config: N = %d: the ANC network's stride-2 convolution needs an even N", c.N)
	case c.Batch < 1 || c.Batch > MaxBatch:
		return fmt.Errorf("anc config: batch = %d: want 1..%d", c.Batch, MaxBatch)
	case c.Rounds > MaxRounds:
		return fmt.Errorf("anc config: rounds = %d: want at most %d", c.Rounds, MaxRounds)
	case c.Rounds < 0 || c.ABPerRound < 1 || c.EvePerRound < 0:
		return fmt.Errorf("anc config: rounds %d, Alice–Bob steps per round %d, Eve steps per round %d: want ≥ 0, ≥ 1, ≥ 0",
			c.Rounds, c.ABPerRound, c.EvePerRound)
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 1):
		return fmt.Errorf("anc config: learning rate %g: want a finite value > 0", c.LearningRate)
	case !(c.Gamma >= 0) || !(c.Alpha >= 0) || math.IsInf(c.Gamma, 1) || math.IsInf(c.Alpha, 1):
		return fmt.Errorf("anc config: gamma %g, alpha %g: want finite values ≥ 0", c.Gamma, c.Alpha)
	case c.EvalEvery < 0 || (c.EvalEvery > 0 && c.EvalBlocks < 1):
		return fmt.Errorf("anc config: eval every %d rounds on %d blocks: want ≥ 0 and ≥ 1 block", c.EvalEvery, c.EvalBlocks)
	case c.Loss != "" && c.Loss != LossReference && c.Loss != LossBatchMean:
		return fmt.Errorf("anc config: loss form %q: want %q or %q", c.Loss, LossReference, LossBatchMean)
	}
	return nil
}
