package agilenet

import (
	"fmt"
	"math"
)

// Hyperparameters (ours unless stated; the agile paper is an abstract).
const (
	// LearningRate of the Adam optimiser (measured on 32² stand-in crops,
	// 1000 steps: 20.2 dB right-key PSNR at 1e-3, 23.4 dB at 3e-3) and
	// Beta1, Beta2 its moment decays (Adam's defaults, Kingma & Ba 2015).
	LearningRate = 3e-3
	Beta1, Beta2 = 0.9, 0.999
	// DefaultChannels is the width of a multi-scale block (a multiple of
	// len(Dilations): each dilation gets a quarter).
	DefaultChannels = 16
	// RecWeight, HistWeight, CorrWeight and WrongWeight weigh the loss
	// terms (Losses): the binary-reduction reconstruction, the cipher
	// image's histogram flatness, its neighbour decorrelation and the
	// wrong-key hinge.
	RecWeight, HistWeight, CorrWeight, WrongWeight = 1.0, 1.0, 1.0, 1.0
	// HistBins is the number of bins of the soft histogram of HistLoss.
	HistBins = 16
	// WrongMargin is the wrong-key hinge: the mean |u − x| of a uniform
	// guess u for a mid-grey image (1/4 per pixel on [0, 1]).
	WrongMargin = 0.25
	// LeakySlope is the negative slope of every leaky ReLU.
	LeakySlope = 0.2
	// DefaultKeyPool is the number of secrets training draws its keys
	// from (Config.KeyPool): keys outside the pool are "unseen" keys.
	DefaultKeyPool = 256
	// MaxBatch, MaxSteps, MaxCrop, MaxChannels and MaxKeyPool bound a
	// configuration, so that a mistyped value fails instead of exhausting
	// memory or time.
	MaxBatch, MaxSteps, MaxCrop, MaxChannels, MaxKeyPool = 4096, 1 << 24, 1024, 128, 1 << 20
	// MaxBatchPixels bounds Batch·Crop², the pixels of one batch (a batch
	// of 2^24 pixels takes 64 MiB per float32 tensor, and a step keeps
	// tens of them).
	MaxBatchPixels = 1 << 24
)

// Config is the full description of one training run.
type Config struct {
	// Crop is the side of the square training crops, in pixels.
	Crop int
	// Batch is the minibatch size; Steps the number of training steps.
	Batch, Steps int
	// Channels is the width of every multi-scale block (a multiple of 4).
	Channels int
	// LearningRate of the Adam optimiser.
	LearningRate float64
	// RecWeight, HistWeight, CorrWeight and WrongWeight weigh the loss
	// terms (0 drops one: the ablations; RecWeight must be > 0).
	RecWeight, HistWeight, CorrWeight, WrongWeight float64
	// L1Rec replaces the binary-reduction cross-entropy by the L1 error
	// |σ(D(c, k)) − x| as the reconstruction term (its ablation).
	L1Rec bool
	// KeyPool is the number of training secrets (TrainSecret 0 …
	// KeyPool−1) each crop's key is drawn from; 0 draws a fresh random
	// secret for every crop.
	KeyPool int
	// EvalEvery records the History every EvalEvery steps on a fixed
	// evaluation batch (0: no history).
	EvalEvery int
	// Seed determines initialisation and the keys drawn.
	Seed uint64
}

// DefaultConfig returns the package's settings for crops of side crop,
// minibatch batch and steps training steps: DefaultChannels, the
// hyperparameter constants above, DefaultKeyPool training keys, curves
// recorded at 50 points and seed 1.
func DefaultConfig(crop, batch, steps int) Config {
	return Config{Crop: crop, Batch: batch, Steps: steps, Channels: DefaultChannels, LearningRate: LearningRate,
		RecWeight: RecWeight, HistWeight: HistWeight, CorrWeight: CorrWeight, WrongWeight: WrongWeight,
		KeyPool: DefaultKeyPool, EvalEvery: max(1, steps/50), Seed: 1}
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case c.Crop < 2 || c.Crop > MaxCrop:
		return fmt.Errorf("agile config: crop %d: want 2..%d", c.Crop, MaxCrop)
	case c.Batch < 1 || c.Batch > MaxBatch:
		return fmt.Errorf("agile config: batch %d: want 1..%d", c.Batch, MaxBatch)
	case c.Batch > MaxBatchPixels/(c.Crop*c.Crop):
		return fmt.Errorf("agile config: batch %d of %d² crops: want at most %d pixels per batch", c.Batch, c.Crop, MaxBatchPixels)
	case c.Steps < 0 || c.Steps > MaxSteps:
		return fmt.Errorf("agile config: steps %d: want 0..%d", c.Steps, MaxSteps)
	case c.Channels < len(Dilations) || c.Channels > MaxChannels || c.Channels%len(Dilations) != 0:
		return fmt.Errorf("agile config: channels %d: want a multiple of %d in %d..%d", c.Channels, len(Dilations), len(Dilations), MaxChannels)
	case !(c.LearningRate > 0) || !finite(c.LearningRate):
		return fmt.Errorf("agile config: learning rate %g: want a finite value > 0", c.LearningRate)
	case !(c.RecWeight > 0 && c.HistWeight >= 0 && c.CorrWeight >= 0 && c.WrongWeight >= 0) || !finite(c.RecWeight+c.HistWeight+c.CorrWeight+c.WrongWeight):
		return fmt.Errorf("agile config: loss weights %g, %g, %g, %g: want finite values, the reconstruction's > 0, the others ≥ 0", c.RecWeight, c.HistWeight, c.CorrWeight, c.WrongWeight)
	case c.KeyPool < 0 || c.KeyPool > MaxKeyPool:
		return fmt.Errorf("agile config: key pool %d: want 0..%d", c.KeyPool, MaxKeyPool)
	case c.EvalEvery < 0:
		return fmt.Errorf("agile config: eval every %d steps: want ≥ 0", c.EvalEvery)
	}
	return nil
}
