package ancnet

import (
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// CheckpointEvery is the default number of training rounds between two
// checkpoints. A checkpoint of this package's networks is a few tens of
// KiB written with one fsync (milliseconds), while 100 rounds take seconds
// even in the smallest (quick-profile) runs, so saving costs well under 1 %
// of the training time.
const CheckpointEvery = 100

// CheckpointFile is the name of the checkpoint file inside the checkpoint
// directory.
const CheckpointFile = nn.CheckpointFile

// checkpointFormat identifies (and versions) the training checkpoint
// format (nn.Checkpoint's format tag).
const checkpointFormat = "neurocrypt/ancnet training checkpoint v2"

// CheckpointOptions configure mid-run checkpoints of Model.Train (Every
// counts rounds; 0 means CheckpointEvery).
type CheckpointOptions = nn.CheckpointOptions

// SetCheckpoints makes Train save a checkpoint every o.Every rounds (and
// once after the last round) into o.Dir, and resume from the checkpoint
// there, if there is a valid one for the same Config, when Train starts.
//
// A checkpoint (an nn.Checkpoint snapshot) holds everything training
// depends on, so that a resumed run is bit-identical to an uninterrupted
// one on the pure Go backend: every variable of the model's store (Alice's,
// Bob's and Eve's weights, both Adam optimisers' moments, step counters and
// learning rates, the global step and the store's RNG state) with its
// trainable flag, in the store's order; the position of the Go-side data
// generator; the History so far; the next round; and the Config, which
// must equal the model's. The file is written atomically and ends with a
// SHA-256 of its contents, so a kill mid-save leaves the previous
// checkpoint, and a truncated or corrupt file is detected, reported on
// o.Log and ignored (training then starts from scratch). Resuming requires a model on which
// nothing has run yet (Train must be the first call after NewModel);
// otherwise the checkpoint is ignored with a message. Train never deletes
// the checkpoint: the caller removes o.Dir once the run's result is safely
// stored.
func (m *Model) SetCheckpoints(o CheckpointOptions) error {
	r, err := nn.NewResumer(m.store, o, checkpointFormat, "anc", CheckpointEvery)
	if err != nil {
		return err
	}
	m.ckpt = r
	return nil
}

// trainingState is the caller's state of a training checkpoint.
type trainingState struct {
	Config  Config
	Round   int // the next round to run
	History History
	Data    bitSourceState
}

// saveCheckpoint writes the state before round next (with history h).
func (m *Model) saveCheckpoint(next int, h *History) error {
	data, err := m.data.state()
	if err != nil {
		return fmt.Errorf("anc: checkpoint: data generator: %w", err)
	}
	return m.ckpt.Save(trainingState{Config: m.cfg, Round: next, History: *h, Data: data})
}

// resume loads the checkpoint, if any, into the (fresh) model and returns
// the next round and the history so far; (0, empty history) when training
// starts from scratch.
func (m *Model) resume() (int, *History, error) {
	var st trainingState
	ok, err := m.ckpt.Resume(&st, func() error {
		switch {
		case st.Config != m.cfg:
			return fmt.Errorf("it is for config %+v, not %+v", st.Config, m.cfg)
		case st.Round < 0 || st.Round > m.cfg.Rounds:
			return fmt.Errorf("next round %d: want 0..%d", st.Round, m.cfg.Rounds)
		}
		return m.data.setState(st.Data)
	})
	if err != nil || !ok {
		return 0, &History{}, err
	}
	m.ckpt.Logf("anc: resuming %s N=%d seed %d at round %d of %d from %s", m.cfg.Variant, m.cfg.N, m.cfg.Seed, st.Round, m.cfg.Rounds, m.ckpt.Path())
	h := st.History
	return st.Round, &h, nil
}
