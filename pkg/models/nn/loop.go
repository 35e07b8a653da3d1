package nn

import (
	"context"
	"fmt"
	"iter"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
)

// Training loops of the models that train on image crops (the GAN cipher,
// the agile cipher): where the data stream stands, the loop with its
// evaluation points and checkpoints, the curves. Ours.

// Position is where a data stream stands: the epoch and the index of the
// next batch in it.
type Position struct{ Epoch, Index int }

// Stream draws the training batches of a run from dataset.Batches in
// order, epoch after epoch, and can be put back at any Position (a resumed
// run skips to it). It is not safe for concurrent use.
type Stream struct {
	data     *dataset.Batches
	batch    int
	perEpoch int
	who      string
	pos      Position
	next     func() ([]dataset.Sample, error, bool)
	stop     func()
}

// NewStream returns the stream of data's batches of batch samples each
// (build data with DropLast, so that every batch is full), at epoch 0,
// batch 0; who prefixes messages. Errors: no data. With fewer crops than
// one batch (PerEpoch 0) every Next fails: check PerEpoch where a run
// needs batches.
func NewStream(data *dataset.Batches, batch int, who string) (*Stream, error) {
	if data == nil {
		return nil, fmt.Errorf("%s: no training batches", who)
	}
	if data.Samples() < 0 {
		return nil, fmt.Errorf("%s: training batches without a declared number of samples per crop (dataset.BatchBuilder.PerCrop)", who)
	}
	return &Stream{data: data, batch: batch, perEpoch: data.Samples() / max(batch, 1), who: who}, nil
}

// ErrNoBatch returns the error of a stream with fewer crops than one
// batch.
func (s *Stream) ErrNoBatch() error {
	return fmt.Errorf("%s: %d training samples: fewer than one batch of %d", s.who, s.data.Samples(), s.batch)
}

// PerEpoch is the number of batches of an epoch.
func (s *Stream) PerEpoch() int { return s.perEpoch }

// Pos is the position of the next batch.
func (s *Stream) Pos() Position { return s.pos }

// Seek puts the stream at p (its next batch is batch p.Index of epoch
// p.Epoch). Errors: p out of range.
func (s *Stream) Seek(p Position) error {
	if p.Epoch < 0 || p.Index < 0 || p.Index > s.perEpoch {
		return fmt.Errorf("%s: batch %d of epoch %d: out of range (%d batches per epoch)", s.who, p.Index, p.Epoch, s.perEpoch)
	}
	s.Close()
	s.pos = p
	return nil
}

// Fork returns a new stream over the same batches at position p, for a
// side pass (a probe's training) that must leave s where it is.
func (s *Stream) Fork(p Position) (*Stream, error) {
	f := &Stream{data: s.data, batch: s.batch, perEpoch: s.perEpoch, who: s.who}
	return f, f.Seek(p)
}

// Next returns the batch at the current position and its position, and
// advances.
func (s *Stream) Next(ctx context.Context) ([]dataset.Sample, Position, error) {
	if s.perEpoch < 1 {
		return nil, s.pos, s.ErrNoBatch()
	}
	if s.next == nil || s.pos.Index >= s.perEpoch {
		if s.pos.Index >= s.perEpoch {
			s.pos = Position{Epoch: s.pos.Epoch + 1}
		}
		s.Close()
		next, stop := iter.Pull2(s.data.Epoch(ctx, s.pos.Epoch))
		s.next, s.stop = next, stop
		for i := 0; i < s.pos.Index; i++ { // resumed mid-epoch: skip
			_, err, ok := next()
			if err != nil {
				return nil, s.pos, fmt.Errorf("%s: resuming at batch %d of epoch %d: %w", s.who, s.pos.Index, s.pos.Epoch, err)
			}
			if !ok {
				return nil, s.pos, fmt.Errorf("%s: resuming at batch %d of epoch %d: the epoch has only %d batches", s.who, s.pos.Index, s.pos.Epoch, i)
			}
		}
	}
	samples, err, ok := s.next()
	if err != nil {
		return nil, s.pos, fmt.Errorf("%s: training data: %w", s.who, err)
	}
	if !ok {
		return nil, s.pos, fmt.Errorf("%s: epoch %d ended after %d batches, want %d", s.who, s.pos.Epoch, s.pos.Index, s.perEpoch)
	}
	if len(samples) != s.batch {
		return nil, s.pos, fmt.Errorf("%s: training batches of %d samples, want the configured %d (build them with Plan.Batches(split, batch).DropLast())", s.who, len(samples), s.batch)
	}
	at := s.pos
	s.pos.Index++
	return samples, at, nil
}

// Close releases the epoch being read (the next Next starts it again at
// the current position).
func (s *Stream) Close() {
	if s.stop != nil {
		s.stop()
	}
	s.next, s.stop = nil, nil
}

// History holds a run's training curves: the losses L on a fixed
// evaluation batch at each recorded step.
type History[L any] struct {
	Step   []int `json:"step"`
	Losses []L   `json:"losses"`
}

// Clone returns a copy that shares nothing with h.
func (h History[L]) Clone() History[L] {
	return History[L]{Step: append([]int(nil), h.Step...), Losses: append([]L(nil), h.Losses...)}
}

// Loop is the training loop of a model with a fixed number of steps, a
// Stream, evaluation points and checkpoints. C is the model's
// configuration (a checkpoint resumes only for an equal one), L its
// losses.
type Loop[C comparable, L any] struct {
	// Who prefixes messages ("gan").
	Who string
	// Config is the run's configuration; Seed is logged on resume.
	Config C
	Seed   uint64
	// Steps is the number of training steps; EvalEvery records the
	// History every EvalEvery steps and after the last (0: never).
	Steps, EvalEvery int
	// Stream is the run's data stream (its position is checkpointed).
	Stream *Stream
	// Ckpt saves and resumes checkpoints (nil: none).
	Ckpt *Resumer
	// Evaluate returns the losses on the evaluation batch.
	Evaluate func() (L, error)
	// Step makes training step s on the stream's next batch.
	Step func(ctx context.Context, s int) (L, error)

	hist *History[L]
}

// loopState is the caller state of a training checkpoint.
type loopState[C comparable, L any] struct {
	Config  C
	Step    int // the next step
	Pos     Position
	History History[L]
}

// Run resumes from a valid checkpoint for the same Config if there is one,
// then runs the remaining steps, recording the History and saving
// checkpoints when due. onStep, if not nil, is called after each step with
// its number and the batch's losses (Curves then returns the curves so
// far). It stops with ctx's error when ctx is cancelled.
func (l *Loop[C, L]) Run(ctx context.Context, onStep func(step int, losses L)) (*History[L], error) {
	start, h := 0, &History[L]{}
	if l.Ckpt != nil {
		var st loopState[C, L]
		ok, err := l.Ckpt.Resume(&st, func() error {
			if st.Config != l.Config {
				return fmt.Errorf("it is for config %+v, not %+v", st.Config, l.Config)
			}
			if st.Step < 0 || st.Step > l.Steps {
				return fmt.Errorf("step %d: out of range", st.Step)
			}
			return l.Stream.Seek(st.Pos)
		})
		if err != nil {
			return nil, err
		}
		if ok {
			start, h = st.Step, &st.History
			l.Ckpt.Logf("%s: resuming seed %d at step %d of %d from %s", l.Who, l.Seed, start, l.Steps, l.Ckpt.Path())
		}
	}
	l.hist = h
	defer l.Stream.Close()
	record := func(step int) error {
		v, err := l.Evaluate()
		if err != nil {
			return err
		}
		h.Step, h.Losses = append(h.Step, step), append(h.Losses, v)
		return nil
	}
	for s := start; s < l.Steps; s++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if l.EvalEvery > 0 && s%l.EvalEvery == 0 {
			if err := record(s); err != nil {
				return nil, err
			}
		}
		v, err := l.Step(ctx, s)
		if err != nil {
			return nil, err
		}
		if l.Ckpt != nil && l.Ckpt.Due(s+1, l.Steps) {
			if err := l.Ckpt.Save(loopState[C, L]{Config: l.Config, Step: s + 1, Pos: l.Stream.Pos(), History: *h}); err != nil {
				return nil, err
			}
		}
		if onStep != nil {
			onStep(s, v)
		}
	}
	if l.EvalEvery > 0 {
		if err := record(l.Steps); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Curves returns a copy of the curves recorded so far by the running Run
// (from its onStep callback) or by the last one.
func (l *Loop[C, L]) Curves() History[L] {
	if l == nil || l.hist == nil {
		return History[L]{}
	}
	return l.hist.Clone()
}
