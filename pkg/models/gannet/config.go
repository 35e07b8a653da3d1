package gannet

import (
	"fmt"
	"math"
)

// Hyperparameters (ours unless stated).
const (
	// LearningRate of both Adam optimisers (measured: at DCGAN's 2e-4 the
	// reconstruction did not start within 300 steps, at 1e-3 it did), and
	// Beta1, Beta2 their moment decays (DCGAN's, Radford et al. 2016 §4).
	LearningRate = 1e-3
	Beta1, Beta2 = 0.5, 0.999
	// DefaultChannels is the width of every hidden convolution.
	DefaultChannels = 16
	// AdvWeight, RecWeight and KeyWeight weigh G/R's three loss terms.
	// Reconstruction dominates so that the key holder decrypts; the
	// adversarial term shapes the cipher image's distribution. Measured
	// at 32² (600 steps, ONNX): an adversarial weight of 1 left the
	// reconstruction error at 0.094 per pixel, 0.2 at 0.058, with the
	// discriminator near chance either way.
	AdvWeight, RecWeight, KeyWeight = 0.2, 10.0, 1.0
	// WrongWeight weighs the wrong-key term: without it R learned to
	// decrypt without the key (measured on the tests' tiny model: the
	// wrong key's PSNR equalled the right key's).
	WrongWeight = 1.0
	// WrongMargin is the wrong-key term's hinge: the mean |u − x| of a
	// uniform guess u for a mid-grey image (1/4 per pixel on [0, 1]).
	WrongMargin = 0.25
	// KeyMargin is the key term's hinge: the mean absolute difference of
	// two independent uniform images on [0, 1] (∫∫|u − v| = 1/3).
	KeyMargin = 1.0 / 3
	// LeakySlope is the negative slope of every leaky ReLU.
	LeakySlope = 0.2
	// MaxBatch, MaxSteps and MaxCrop bound a configuration, so that a
	// mistyped value fails instead of exhausting memory or time.
	MaxBatch, MaxSteps, MaxCrop = 4096, 1 << 24, 1024
	// WarmupDivisor: DefaultConfig's warm-up is a third of the steps (the
	// adversarial weight is full from two thirds on).
	WarmupDivisor = 3
	// MaxChannels bounds the width of the networks (the paper profile uses
	// 32): a weights file declaring more is refused, so that its
	// activations stay bounded (a 128-channel tile of TileSize² takes tens
	// of MB).
	MaxChannels = 128
)

// Config is the full description of one training run.
type Config struct {
	// Crop is the side of the square training crops, in pixels (a
	// multiple of 4: the discriminator halves it twice).
	Crop int
	// Batch is the minibatch size; Steps the number of training steps,
	// each one D step then one G/R step.
	Batch, Steps int
	// Channels is the width of the hidden convolutions.
	Channels int
	// LearningRate of both Adam optimisers.
	LearningRate float64
	// AdvWeight, RecWeight, KeyWeight weigh G/R's loss terms (0 drops a
	// term: the ablations).
	AdvWeight, RecWeight, KeyWeight float64
	// WrongWeight weighs the wrong-key term max(0, WrongMargin −
	// |R(c, z′) − x|): decrypting with another key's plane must fail.
	WrongWeight float64
	// Warmup is the number of steps G/R train without the adversarial
	// term; its weight then ramps linearly from 0 to AdvWeight over the
	// next Warmup steps (AdvWeightAt). Without it the discriminator wins
	// at once and G's outputs lose the plain image (measured: the
	// reconstruction error stays at its no-information level).
	Warmup int
	// EvalEvery records the History every EvalEvery steps on a fixed
	// evaluation batch (0: no history).
	EvalEvery int
	// Seed determines initialisation, key planes and the uniform images.
	Seed uint64
}

// DefaultConfig returns the package's settings for crops of side crop,
// minibatch batch and steps training steps: DefaultChannels, the
// hyperparameter constants above, a warm-up of steps/WarmupDivisor,
// curves recorded at 50 points (EvalEvery = steps/50, at least 1) and
// seed 1.
func DefaultConfig(crop, batch, steps int) Config {
	return Config{Crop: crop, Batch: batch, Steps: steps, Channels: DefaultChannels, LearningRate: LearningRate,
		AdvWeight: AdvWeight, RecWeight: RecWeight, KeyWeight: KeyWeight, WrongWeight: WrongWeight, Warmup: steps / WarmupDivisor,
		EvalEvery: max(1, steps/50), Seed: 1}
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case c.Crop < 4 || c.Crop > MaxCrop || c.Crop%4 != 0:
		return fmt.Errorf("gan config: crop %d: want a multiple of 4 in 4..%d", c.Crop, MaxCrop)
	case c.Batch < 1 || c.Batch > MaxBatch:
		return fmt.Errorf("gan config: batch %d: want 1..%d", c.Batch, MaxBatch)
	case c.Steps < 0 || c.Steps > MaxSteps:
		return fmt.Errorf("gan config: steps %d: want 0..%d", c.Steps, MaxSteps)
	case c.Channels < 1 || c.Channels > MaxChannels:
		return fmt.Errorf("gan config: channels %d: want 1..%d", c.Channels, MaxChannels)
	case !(c.LearningRate > 0) || !finite(c.LearningRate):
		return fmt.Errorf("gan config: learning rate %g: want a finite value > 0", c.LearningRate)
	case !(c.AdvWeight >= 0 && c.RecWeight >= 0 && c.KeyWeight >= 0 && c.WrongWeight >= 0) || !finite(c.AdvWeight+c.RecWeight+c.KeyWeight+c.WrongWeight):
		return fmt.Errorf("gan config: loss weights %g, %g, %g, %g: want finite values ≥ 0", c.AdvWeight, c.RecWeight, c.KeyWeight, c.WrongWeight)
	case c.AdvWeight+c.RecWeight+c.KeyWeight+c.WrongWeight == 0:
		return fmt.Errorf("gan config: every loss weight is 0: nothing to train")
	case c.Warmup < 0 || c.Warmup > MaxSteps:
		return fmt.Errorf("gan config: warm-up %d steps: want 0..%d", c.Warmup, MaxSteps)
	case c.EvalEvery < 0:
		return fmt.Errorf("gan config: eval every %d steps: want ≥ 0", c.EvalEvery)
	}
	return nil
}

// AdvWeightAt is the adversarial term's weight at step s: 0 during the
// warm-up, then a linear ramp to AdvWeight over Warmup more steps.
func (c Config) AdvWeightAt(s int) float64 {
	if c.Warmup == 0 {
		return c.AdvWeight
	}
	f := float64(s-c.Warmup) / float64(c.Warmup)
	return c.AdvWeight * math.Min(1, math.Max(0, f))
}
