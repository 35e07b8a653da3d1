package ancnet

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// SecurityConfig is the budget of the retrained-Eve security test.
type SecurityConfig struct {
	// Attack is the adversary to retrain (Reconstruct needs an ANC Alice).
	Attack Attack
	// Restarts is the number of freshly initialised Eves; the best counts.
	Restarts int
	// Steps is the number of Eve training steps per restart.
	Steps int
	// Batch is Eve's minibatch size.
	Batch int
	// TestBlocks is the size of the fresh test set (SecurityTestPairs for
	// ChosenPlaintext).
	TestBlocks int
	// Seed determines the Eves' initialisation and data.
	Seed uint64
}

// SecurityResult is the outcome of the security test.
type SecurityResult struct {
	Attack Attack `json:"attack"`
	// Best is the best Eve's score: bits wrong per block (Reconstruct,
	// lower is better for Eve) or accuracy (ChosenPlaintext).
	Best float64 `json:"best"`
	// Scores lists every restart's score.
	Scores []float64 `json:"scores"`
	// PValue (ChosenPlaintext) is the one-sided binomial p-value of the best
	// accuracy against 1/2 on TestBlocks pairs.
	PValue float64 `json:"p_value"`
	// Secure: Reconstruct: Best ≥ N/2 − ANCSecureTolerancePerBit·N;
	// ChosenPlaintext: PValue ≥ SecurityAlpha.
	Secure bool `json:"secure"`
}

// Attacker is a fresh Eve trained against a frozen copy of a Model's Alice.
type Attacker struct {
	variant Variant
	n       int
	attack  Attack
	batch   int
	data    *bitSource
	step    *model.Exec
	eval    *model.Exec
}

// NewAttacker copies m's Alice (frozen: not trainable) into a new store and
// creates a freshly initialised Eve of the given attack, seeded by seed.
func (m *Model) NewAttacker(attack Attack, batch int, seed uint64) (*Attacker, error) {
	if attack == Reconstruct && m.cfg.Variant != ANC {
		return nil, fmt.Errorf("anc: the reconstruct attack needs an ANC Alice, not %q", m.cfg.Variant)
	}
	if batch < 1 {
		return nil, fmt.Errorf("anc: attacker batch %d: want ≥ 1", batch)
	}
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(int64(seed & math.MaxInt64)); err != nil {
		return nil, err
	}
	prefix := "/" + ScopeAliceBob + "/" + ScopeAlice + "/"
	copied := 0
	for v := range m.store.IterVariables() {
		if !strings.HasPrefix(v.Path(), prefix) {
			continue
		}
		nv, err := v.CloneToStore(store)
		if err != nil {
			return nil, fmt.Errorf("anc: copying Alice's %s: %w", v.Path(), err)
		}
		nv.SetTrainable(false)
		copied++
	}
	if copied == 0 {
		return nil, fmt.Errorf("anc: the model has no trained Alice to attack (train it first)")
	}
	opt := optimizer.Adam().LearningRate(m.cfg.LearningRate).Done()
	a := &Attacker{variant: m.cfg.Variant, n: m.cfg.N, attack: attack, batch: batch, data: newBitSource(seed, 4)}
	var err error
	if a.step, err = newEveExec(m.backend, store, m.cfg.Variant, attack, opt, nil); err != nil {
		return nil, err
	}
	if a.eval, err = newEveEvalExec(m.backend, store, m.cfg.Variant, attack); err != nil {
		return nil, err
	}
	return a, nil
}

// Close frees the attacker's compiled graphs (a backend such as ONNX
// Runtime holds memory per compiled session until then).
func (a *Attacker) Close() {
	nn.FinalizeExecs(a.step, a.eval)
}

func (a *Attacker) newBatch(src *bitSource, blocks int) *batch {
	return src.newBatch(a.variant, a.n, blocks, a.attack == ChosenPlaintext)
}

// Train makes steps Eve training steps.
func (a *Attacker) Train(ctx context.Context, steps int) error {
	for i := 0; i < steps; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		in := tensorsOf(a.newBatch(a.data, a.batch), a.n, a.attack)
		out, err := nn.Run(a.step, in...)
		if err != nil {
			return fmt.Errorf("anc: attacker step %d: %w", i, err)
		}
		nn.FreeAll(out)
	}
	return nil
}

// Test scores Eve on blocks fresh blocks drawn from seed: bits wrong per
// block (Reconstruct) or accuracy (ChosenPlaintext).
func (a *Attacker) Test(blocks int, seed uint64) (float64, error) {
	in := tensorsOf(a.newBatch(newBitSource(seed, 5), blocks), a.n, a.attack)
	v, err := nn.RunScalar(a.eval, in...)
	if err != nil {
		return 0, fmt.Errorf("anc: attacker test: %w", err)
	}
	return v, nil
}

// SecurityTest retrains cfg.Restarts fresh Eves against m's frozen Alice
// and applies the security rule to the best of them (see SecurityResult).
func (m *Model) SecurityTest(ctx context.Context, cfg SecurityConfig) (SecurityResult, error) {
	if cfg.Restarts < 1 || cfg.Steps < 0 || cfg.TestBlocks < 1 {
		return SecurityResult{}, fmt.Errorf("anc: security test: restarts %d, steps %d, test blocks %d: want ≥ 1, ≥ 0, ≥ 1",
			cfg.Restarts, cfg.Steps, cfg.TestBlocks)
	}
	res := SecurityResult{Attack: cfg.Attack}
	for r := 0; r < cfg.Restarts; r++ {
		seed := mix(cfg.Seed, uint64(r))
		a, err := m.NewAttacker(cfg.Attack, cfg.Batch, seed)
		if err != nil {
			return res, err
		}
		err = a.Train(ctx, cfg.Steps)
		var s float64
		if err == nil {
			s, err = a.Test(cfg.TestBlocks, mix(seed, 1))
		}
		a.Close()
		if err != nil {
			return res, err
		}
		res.Scores = append(res.Scores, s)
		if r == 0 || (cfg.Attack == Reconstruct && s < res.Best) || (cfg.Attack == ChosenPlaintext && s > res.Best) {
			res.Best = s
		}
	}
	n := float64(m.cfg.N)
	if cfg.Attack == Reconstruct {
		res.PValue = 1
		res.Secure = res.Best >= n/2-ANCSecureTolerancePerBit*n
	} else {
		k := int(math.Round(res.Best * float64(cfg.TestBlocks)))
		res.PValue = BinomialUpperTail(k, cfg.TestBlocks, 0.5)
		res.Secure = res.PValue >= SecurityAlpha
	}
	return res, nil
}

// mix derives a seed from a seed and an index (SplitMix64 finaliser).
func mix(seed, i uint64) uint64 { return seeds.Mix64(seed ^ (i+1)*0x9e3779b97f4a7c15) }

// BinomialUpperTail returns P(X ≥ k) for X ~ Binomial(n, p): the one-sided
// p-value of observing k or more successes in n trials. It sums the terms in
// log space, so it is accurate for n in the tens of thousands.
func BinomialUpperTail(k, n int, p float64) float64 {
	switch {
	case k <= 0:
		return 1
	case k > n:
		return 0
	case p <= 0:
		return 0
	case p >= 1:
		return 1
	}
	lgN, _ := math.Lgamma(float64(n + 1))
	lp, lq := math.Log(p), math.Log1p(-p)
	logTerm := func(i int) float64 {
		a, _ := math.Lgamma(float64(i + 1))
		b, _ := math.Lgamma(float64(n - i + 1))
		return lgN - a - b + float64(i)*lp + float64(n-i)*lq
	}
	// log-sum-exp over i = k..n.
	maxLog := math.Inf(-1)
	for i := k; i <= n; i++ {
		maxLog = math.Max(maxLog, logTerm(i))
	}
	sum := 0.0
	for i := k; i <= n; i++ {
		sum += math.Exp(logTerm(i) - maxLog)
	}
	return math.Min(1, math.Exp(maxLog)*sum)
}
