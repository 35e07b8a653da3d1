package gannet

import (
	"context"
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
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
	// Steps is the fresh discriminator's number of training steps, each on
	// a batch (Config.Batch) of cipher images of training crops under fresh
	// random keys and as many uniform images.
	Steps int
	// Rounds is the number of test batches: each holds the cipher images of
	// the model's evaluation crops under fresh random keys and as many
	// fresh uniform images, so the test has 2·Rounds·(evaluation crops)
	// images.
	Rounds int
	// Seed draws the probe's initialisation, its training crops' order and
	// keys, and the test's keys and uniform images.
	Seed uint64
}

// DistinguishResult is the outcome of DistinguishTest.
type DistinguishResult struct {
	// Steps is the probe's training steps (DistinguishConfig.Steps).
	Steps int `json:"steps"`
	// Samples is n, the test images: half cipher images, half uniform.
	Samples int `json:"samples"`
	// Crops is the number of distinct evaluation crops the cipher images
	// of the test come from (each under Rounds different keys).
	Crops int `json:"crops"`
	// Correct is the number of test images classified right.
	Correct int `json:"correct"`
	// Accuracy = Correct/Samples, with its two-sided 99 % Wilson score
	// interval [Lower, Upper].
	Accuracy float64 `json:"accuracy"`
	Lower    float64 `json:"lower"`
	Upper    float64 `json:"upper"`
	// Distinguishable: the interval excludes 1/2 — the discriminator tells
	// cipher images from uniform noise better (or, consistently, worse)
	// than chance.
	Distinguishable bool `json:"distinguishable"`
}

// Wilson returns the two-sided Wilson score interval (Wilson 1927, "Probable
// inference, the law of succession, and statistical inference", JASA 22)
// of k successes in n trials at standard normal quantile zq; NaN, NaN for
// n ≤ 0.
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
// architecture, its own sub-scope ScopeProbe<k> — a new one per call — and
// its own Adam) on the model's cipher images against uniform 8-bit images,
// then counts how many test images it classifies right. G is frozen (its
// cipher images are constants). If the 99 % interval excludes 1/2, the
// cipher images are distinguishable from random. Ours: the standard
// "train a classifier to tell them apart" test of learned ciphers.
//
// It may be called between training steps: the data stream's position and
// the store's RNG state are restored afterwards (the probe's variables
// stay in the store, outside the cipher's weights).
func (m *Model) DistinguishTest(ctx context.Context, c DistinguishConfig) (DistinguishResult, error) {
	if c.Steps < 1 || c.Rounds < 1 || c.Steps > MaxSteps || c.Rounds > MaxSteps {
		return DistinguishResult{}, fmt.Errorf("gan distinguish: %d steps, %d rounds: want 1..%d each", c.Steps, c.Rounds, MaxSteps)
	}
	m.probes++
	scopeName := fmt.Sprintf("%s%d", ScopeProbe, m.probes)
	// The probe is initialised from c.Seed; the model's RNG state is put
	// back afterwards.
	rng := m.store.GetVariable("/" + model.RNGStateVariableName)
	var savedRNG *tensors.Tensor
	if rng != nil {
		if v, err := rng.Value(); err == nil {
			if cl, err := v.Clone(); err == nil {
				savedRNG = cl
			}
		}
	}
	if err := m.store.SetRNGStateFromSeed(int64(c.Seed & math.MaxInt64)); err != nil {
		return DistinguishResult{}, fmt.Errorf("gan distinguish: %w", err)
	}
	defer func() {
		if savedRNG != nil {
			_ = m.store.GetVariable("/" + model.RNGStateVariableName).SetValue(savedRNG)
		}
	}()
	ch := m.arch
	probe := nn.Player{Scope: scopeName, Optimizer: optimizer.Adam().LearningRate(m.cfg.LearningRate).Betas(Beta1, Beta2).Done()}
	probeD := func(scope *model.Scope, img *Node) *Node {
		return Discriminator(nn.XavierScope(scope).At("%s", scopeName), img, ch)
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
		step.Finalize()
		return DistinguishResult{}, fmt.Errorf("gan distinguish: %w", err)
	}
	defer nn.FinalizeExecs(step, count)
	side := m.cfg.Crop
	// Training draws crops from a pass of the training data of its own
	// (an epoch number no training reaches), keyed by c.Seed; the
	// stream's position is put back afterwards.
	saved := m.stream
	if m.stream, err = saved.Fork(nn.Position{Epoch: probeEpoch(c.Seed)}); err != nil {
		m.stream = saved
		return DistinguishResult{}, err
	}
	defer func() {
		m.stream.Close()
		m.stream = saved
	}()
	for s := 0; s < c.Steps; s++ {
		if err := ctx.Err(); err != nil {
			return DistinguishResult{}, err
		}
		b, err := m.nextBatch(ctx)
		if err != nil {
			return DistinguishResult{}, err
		}
		out, err := nn.Run(step, b.tensor(b.x, side), b.tensor(b.z, side), b.tensor(b.u, side))
		if err != nil {
			return DistinguishResult{}, fmt.Errorf("gan distinguish: step %d: %w", s, err)
		}
		nn.FreeAll(out)
	}
	res := DistinguishResult{Steps: c.Steps, Crops: m.eval.n}
	for r := 0; r < c.Rounds; r++ {
		b, err := m.rekey(m.eval, seeds.Sub(c.Seed, "gan distinguish test", r))
		if err != nil {
			return res, err
		}
		k, err := nn.RunScalar(count, b.tensor(b.x, side), b.tensor(b.z, side), b.tensor(b.u, side))
		if err != nil {
			return res, fmt.Errorf("gan distinguish: test: %w", err)
		}
		res.Correct += int(k)
		res.Samples += 2 * b.n
	}
	res.Accuracy = float64(res.Correct) / float64(res.Samples)
	res.Lower, res.Upper = Wilson(res.Correct, res.Samples, WilsonZ99)
	res.Distinguishable = res.Lower > 0.5 || res.Upper < 0.5
	return res, nil
}

// probeEpoch is the data epoch of a distinguishing test: above any
// training's (MaxSteps steps of at least one batch), drawn from seed.
func probeEpoch(seed uint64) int { return MaxSteps + int(seeds.Sub(seed, "gan probe epoch")%(1<<20)) }

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
