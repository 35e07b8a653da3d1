package gannet

import (
	"context"
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// WilsonZ99 is the standard normal quantile of a two-sided 99 % Wilson
// score interval.
const WilsonZ99 = 2.5758293035489

// DistinguishConfig configures DistinguishTest.
type DistinguishConfig struct {
	// Steps and Batch: the fresh discriminator's training steps, each on
	// Batch cipher images of training crops (fresh random keys) and Batch
	// uniform images.
	Steps, Batch int
	// Rounds is the number of test batches: each holds the evaluation
	// crops' cipher images under fresh random keys and as many fresh
	// uniform images, so the test has 2·Rounds·(evaluation batch) samples.
	Rounds int
	// Seed draws the probe's initialisation, keys and uniform images.
	Seed uint64
}

// DistinguishResult is the outcome of DistinguishTest.
type DistinguishResult struct {
	Steps   int `json:"steps"`
	Samples int `json:"samples"` // n: test images, half cipher, half uniform
	Correct int `json:"correct"`
	// Accuracy = Correct/Samples, with its two-sided 99 % Wilson score
	// interval [Lower, Upper].
	Accuracy     float64 `json:"accuracy"`
	Lower, Upper float64
	// Distinguishable: Lower > 1/2, the cipher images are told from
	// uniform noise better than chance.
	Distinguishable bool `json:"distinguishable"`
}

// Wilson returns the two-sided Wilson score interval of k successes in n
// trials at normal quantile zq.
func Wilson(k, n int, zq float64) (lo, hi float64) {
	if n <= 0 {
		return math.NaN(), math.NaN()
	}
	p, nf := float64(k)/float64(n), float64(n)
	d := 1 + zq*zq/nf
	c := (p + zq*zq/(2*nf)) / d
	h := zq * math.Sqrt(p*(1-p)/nf+zq*zq/(4*nf*nf)) / d
	return math.Max(0, c-h), math.Min(1, c+h)
}

// DistinguishTest trains a freshly initialised discriminator (same
// architecture, scope ScopeProbe, its own Adam) on the final G's cipher
// images against uniform 8-bit images, then counts how many test images it
// classifies right. G is frozen (its cipher images are constants). If the
// 99 % interval's lower end is above 1/2, G's cipher images are
// distinguishable from random. Ours: the standard "train a classifier to
// tell them apart" test of learned ciphers.
func (m *Model) DistinguishTest(ctx context.Context, c DistinguishConfig) (DistinguishResult, error) {
	if c.Steps < 1 || c.Batch < 1 || c.Batch > MaxBatch || c.Rounds < 1 {
		return DistinguishResult{}, fmt.Errorf("gan distinguish: %d steps of %d, %d rounds: want ≥ 1 each (batch ≤ %d)", c.Steps, c.Batch, c.Rounds, MaxBatch)
	}
	ch := m.arch
	probe := nn.Player{Scope: ScopeProbe, Optimizer: optimizer.Adam().LearningRate(m.cfg.LearningRate).Betas(Beta1, Beta2).Done()}
	probeD := func(scope *model.Scope, img *Node) *Node {
		return Discriminator(nn.XavierScope(scope).At(ScopeProbe), img, ch)
	}
	step, err := probe.NewStep(m.backend, m.store, func(scope *model.Scope, in []*Node) []*Node {
		x, z, u := in[0], in[1], in[2]
		ci := StopGradient(Quantize(genGraph(scope, x, z, ch)))
		return []*Node{DiscLoss(probeD(scope, u), probeD(scope, ci))}
	})
	if err != nil {
		return DistinguishResult{}, fmt.Errorf("gan distinguish: %w", err)
	}
	count, err := model.NewExec(m.backend, m.store, func(scope *model.Scope, x, z, u *Node) *Node {
		ci := Quantize(genGraph(scope, x, z, ch))
		zero := ScalarZero(x.Graph(), x.DType())
		r := ReduceAllSum(ConvertDType(GreaterThan(probeD(scope, u), zero), x.DType()))
		f := ReduceAllSum(ConvertDType(LessOrEqual(probeD(scope, ci), zero), x.DType()))
		return Add(r, f)
	})
	if err != nil {
		return DistinguishResult{}, fmt.Errorf("gan distinguish: %w", err)
	}
	side := m.cfg.Crop
	// Training draws crops from the training batches (a fresh pass of
	// the data stream) with the probe's own keys.
	saved := m.pos
	defer func() { m.pos = saved; m.next, m.stop = nil, nil }()
	m.pos, m.next, m.stop = position{Epoch: 1 << 20}, nil, nil
	for s := 0; s < c.Steps; s++ {
		if err := ctx.Err(); err != nil {
			return DistinguishResult{}, err
		}
		b, err := m.nextBatch(ctx)
		if err != nil {
			return DistinguishResult{}, err
		}
		if _, err := step.Exec(b.tensor(b.x, side), b.tensor(b.z, side), b.tensor(b.u, side)); err != nil {
			return DistinguishResult{}, fmt.Errorf("gan distinguish: step %d: %w", s, err)
		}
	}
	if m.stop != nil {
		m.stop()
	}
	res := DistinguishResult{Steps: c.Steps}
	for r := 0; r < c.Rounds; r++ {
		b, err := m.rekey(m.eval, seeds.Sub(c.Seed, "gan distinguish test", r))
		if err != nil {
			return res, err
		}
		out, err := count.Exec(b.tensor(b.x, side), b.tensor(b.z, side), b.tensor(b.u, side))
		if err != nil {
			return res, fmt.Errorf("gan distinguish: test: %w", err)
		}
		k, err := nn.ReadScalar(out[0])
		if err != nil {
			return res, err
		}
		res.Correct += int(k)
		res.Samples += 2 * b.n
	}
	res.Accuracy = float64(res.Correct) / float64(res.Samples)
	res.Lower, res.Upper = Wilson(res.Correct, res.Samples, WilsonZ99)
	res.Distinguishable = res.Lower > 0.5
	return res, nil
}

// rekey returns b's crops with key planes and uniform images drawn afresh
// from seed.
func (m *Model) rekey(b *batch, seed uint64) (*batch, error) {
	out := &batch{n: b.n, x: b.x}
	fresh, err := m.planes(b.n, seed)
	if err != nil {
		return nil, err
	}
	out.z, out.z2, out.u = fresh.z, fresh.z2, fresh.u
	return out, nil
}
