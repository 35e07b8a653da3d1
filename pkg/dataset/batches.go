package dataset

import (
	"context"
	"fmt"
	"iter"

	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// MaxBatch bounds the batch size (and the shuffle window, in batches).
const MaxBatch = 1 << 20

// DefaultShuffleWindow is the shuffle buffer of Batches, in batches: a
// shuffled epoch draws each sample at random from this many batches' worth
// of upcoming samples (after the source images themselves are visited in a
// shuffled order).
const DefaultShuffleWindow = 8

// BatchBuilder configures Batches; start it with Plan.Batches and finish it
// with Done.
type BatchBuilder struct {
	plan     *Plan
	split    Split
	size     int
	label    Labeler
	shuffle  bool
	seed     uint64
	window   int
	workers  int
	dropLast bool
	perCrop  int
}

// Batches starts configuring batches of size samples over a split of the
// plan: unlabelled (Unlabelled), in the plan's order, the last batch
// possibly short. Set what differs, then call Done.
func (p *Plan) Batches(split Split, size int) *BatchBuilder {
	return &BatchBuilder{plan: p, split: split, size: size, label: Unlabelled, window: DefaultShuffleWindow, workers: Workers(), perCrop: 1}
}

// Labels sets the Labeler that turns each crop into samples.
func (b *BatchBuilder) Labels(l Labeler) *BatchBuilder {
	b.label = l
	return b
}

// Shuffle makes every epoch visit the source images in an order drawn from
// (seed, epoch) and draw samples at random from a window of upcoming ones
// (ShuffleWindow batches). The same seed and epoch give the same batches.
func (b *BatchBuilder) Shuffle(seed uint64) *BatchBuilder {
	b.shuffle, b.seed = true, seed
	return b
}

// ShuffleWindow sets the shuffle buffer in batches (default
// DefaultShuffleWindow); memory grows with it.
func (b *BatchBuilder) ShuffleWindow(batches int) *BatchBuilder {
	b.window = batches
	return b
}

// Workers sets how many source images are decoded ahead in parallel
// (default Workers()).
func (b *BatchBuilder) Workers(n int) *BatchBuilder {
	b.workers = n
	return b
}

// PerCrop declares that the Labeler turns every crop into n samples (a
// task with n classes built from each crop; default 1), so that Samples
// counts an epoch's samples. An epoch whose Labeler returns another number
// of samples for a crop fails with an error naming the crop. PerCrop(0)
// accepts any number (for reading a split whole; Samples is then -1 and
// training streams refuse the batches).
func (b *BatchBuilder) PerCrop(n int) *BatchBuilder {
	b.perCrop = n
	return b
}

// DropLast drops a last batch shorter than the batch size.
func (b *BatchBuilder) DropLast() *BatchBuilder {
	b.dropLast = true
	return b
}

// Done validates the configuration and returns the batch iterator.
func (b *BatchBuilder) Done() (*Batches, error) {
	switch {
	case b.plan == nil:
		return nil, fmt.Errorf("dataset batches: nil plan")
	case b.split != Train && b.split != Test && b.split != All:
		return nil, fmt.Errorf("dataset batches: unknown split %q (want %q, %q or %q)", b.split, Train, Test, All)
	case b.size < 1:
		return nil, fmt.Errorf("dataset batches: batch size %d: want ≥ 1", b.size)
	case b.label == nil:
		return nil, fmt.Errorf("dataset batches: nil Labeler")
	case b.window < 1:
		return nil, fmt.Errorf("dataset batches: shuffle window of %d batches: want ≥ 1", b.window)
	case b.workers < 1:
		return nil, fmt.Errorf("dataset batches: %d workers: want ≥ 1", b.workers)
	case b.perCrop < 0 || b.perCrop > MaxBatch:
		return nil, fmt.Errorf("dataset batches: %d samples per crop: want 0 (any) or 1..%d", b.perCrop, MaxBatch)
	case b.size > MaxBatch || b.window > MaxBatch || b.size*b.window > MaxBatch*DefaultShuffleWindow:
		return nil, fmt.Errorf("dataset batches: batch %d × shuffle window %d: want at most %d samples per batch and %d buffered", b.size, b.window, MaxBatch, MaxBatch*DefaultShuffleWindow)
	}
	return &Batches{cfg: *b, groups: groups(b.plan.Refs(b.split))}, nil
}

// Batches streams labelled batches from a plan, one epoch at a time.
// Memory is bounded by the images being decoded (2·workers source images)
// and the shuffle window, not by the data set. Configure it with
// Plan.Batches.
type Batches struct {
	cfg    BatchBuilder
	groups []group
}

// Crops is the number of crops an epoch visits.
func (bs *Batches) Crops() int { return bs.cfg.plan.Len(bs.cfg.split) }

// Samples is the number of samples an epoch yields: Crops × the samples
// per crop declared with PerCrop; -1 when undeclared (PerCrop(0)).
func (bs *Batches) Samples() int {
	if bs.cfg.perCrop == 0 {
		return -1
	}
	return bs.Crops() * bs.cfg.perCrop
}

// Epoch yields the batches of epoch number epoch (its shuffle, when
// shuffling). Each batch is a new slice the caller may keep. An error (a
// source image that fails to load, a Labeler error, ctx cancelled) is
// yielded once and ends the epoch.
func (bs *Batches) Epoch(ctx context.Context, epoch int) iter.Seq2[[]Sample, error] {
	return func(yield func([]Sample, error) bool) {
		cfg := bs.cfg
		gs := bs.groups
		var rng *splitMix
		if cfg.shuffle {
			r := &splitMix{State: seeds.Sub(cfg.seed, "dataset.Batches", epoch)}
			perm := r.Perm(len(gs))
			shuffled := make([]group, len(gs))
			for i, j := range perm {
				shuffled[i] = gs[j]
			}
			gs, rng = shuffled, r
		}
		var buf []Sample // shuffle buffer (or the batch being filled)
		limit := cfg.size
		if rng != nil {
			limit = cfg.size * cfg.window
		}
		var batch []Sample
		emit := func(s Sample) bool {
			batch = append(batch, s)
			if len(batch) == cfg.size {
				out := batch
				batch = nil
				return yield(out, nil)
			}
			return true
		}
		// take moves one sample from the buffer to the batch: a random one
		// when shuffling, else the oldest.
		take := func() bool {
			i := 0
			if rng != nil {
				i = rng.IntN(len(buf))
			}
			s := buf[i]
			if rng != nil {
				buf[i] = buf[len(buf)-1]
				buf = buf[:len(buf)-1]
			} else {
				buf = buf[1:]
			}
			return emit(s)
		}
		for c, err := range cfg.plan.streamGroups(ctx, gs, cfg.workers) {
			if err != nil {
				yield(nil, err)
				return
			}
			ss, err := cfg.label(c)
			if err != nil {
				yield(nil, fmt.Errorf("labelling crop %q at (%d,%d): %w", c.ImageID, c.X, c.Y, err))
				return
			}
			if cfg.perCrop > 0 && len(ss) != cfg.perCrop {
				yield(nil, fmt.Errorf("labelling crop %q at (%d,%d): %d samples, want %d (BatchBuilder.PerCrop)", c.ImageID, c.X, c.Y, len(ss), cfg.perCrop))
				return
			}
			buf = append(buf, ss...)
			for len(buf) >= limit {
				if !take() {
					return
				}
			}
		}
		for len(buf) > 0 {
			if !take() {
				return
			}
		}
		if len(batch) > 0 && !cfg.dropLast {
			yield(batch, nil)
		}
	}
}
