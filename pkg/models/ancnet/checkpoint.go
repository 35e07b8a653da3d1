package ancnet

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/ml/model"
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
const CheckpointFile = "train.ckpt"

// checkpointFormat identifies (and versions) the training checkpoint
// format (nn.Checkpoint's format tag).
const checkpointFormat = "neurocrypt/ancnet training checkpoint v2"

// CheckpointOptions configure mid-run checkpoints of Model.Train.
type CheckpointOptions struct {
	// Dir is the directory the checkpoint lives in. It should be private
	// to one training run (experiment.Env.UnitDir gives such a directory).
	Dir string
	// Every is the number of rounds between checkpoints (0: CheckpointEvery).
	Every int
	// Log receives one line when a checkpoint is resumed or ignored (nil:
	// discard).
	Log io.Writer
}

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
	if o.Dir == "" {
		return errors.New("anc: checkpoints: empty directory")
	}
	if o.Every < 0 {
		return fmt.Errorf("anc: checkpoints: every %d rounds: want ≥ 0", o.Every)
	}
	if o.Every == 0 {
		o.Every = CheckpointEvery
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return fmt.Errorf("anc: checkpoints: %w", err)
	}
	m.ckpt = &o
	return nil
}

// trainingState is the caller's state of a training checkpoint.
type trainingState struct {
	Config  Config
	Round   int // the next round to run
	History History
	Data    bitSourceState
}

func (m *Model) logf(format string, args ...any) {
	if m.ckpt != nil && m.ckpt.Log != nil {
		fmt.Fprintf(m.ckpt.Log, format+"\n", args...)
	}
}

func (m *Model) checkpointPath() string { return filepath.Join(m.ckpt.Dir, CheckpointFile) }

func (m *Model) checkpointer() (*nn.Checkpointer, error) {
	return nn.Checkpoint(m.store).Format(checkpointFormat).Done()
}

// saveCheckpoint writes the state before round next (with history h).
func (m *Model) saveCheckpoint(next int, h *History) error {
	data, err := m.data.state()
	if err != nil {
		return fmt.Errorf("anc: checkpoint: data generator: %w", err)
	}
	ck, err := m.checkpointer()
	if err != nil {
		return err
	}
	if err := ck.Save(m.checkpointPath(), trainingState{Config: m.cfg, Round: next, History: *h, Data: data}); err != nil {
		return fmt.Errorf("anc: %w", err)
	}
	return nil
}

// resume loads the checkpoint, if any, into the (fresh) model and returns
// the next round and the history so far; (0, empty history) when training
// starts from scratch.
func (m *Model) resume() (int, *History, error) {
	ck, err := m.checkpointer()
	if err != nil {
		return 0, nil, err
	}
	var st trainingState
	snap, err := ck.Read(m.checkpointPath(), &st)
	switch {
	case err == nil && snap != nil && st.Config != m.cfg:
		err = fmt.Errorf("it is for config %+v, not %+v", st.Config, m.cfg)
	case err == nil && snap != nil && (st.Round < 0 || st.Round > m.cfg.Rounds):
		err = fmt.Errorf("next round %d: want 0..%d", st.Round, m.cfg.Rounds)
	}
	if err != nil {
		m.logf("anc: ignoring checkpoint %s: %v; training from scratch", m.checkpointPath(), err)
		return 0, &History{}, nil
	}
	if snap == nil {
		return 0, &History{}, nil
	}
	for v := range m.store.IterVariables() {
		if v.Path() != "/"+model.RNGStateVariableName {
			m.logf("anc: ignoring checkpoint %s: the model has already run (variable %s exists); training from scratch", m.checkpointPath(), v.Path())
			return 0, &History{}, nil
		}
	}
	if err := m.data.setState(st.Data); err != nil {
		m.logf("anc: ignoring checkpoint %s: %v; training from scratch", m.checkpointPath(), err)
		return 0, &History{}, nil
	}
	if err := snap.Restore(); err != nil {
		return 0, nil, fmt.Errorf("anc: checkpoint %s: %w", m.checkpointPath(), err)
	}
	m.logf("anc: resuming %s N=%d seed %d at round %d of %d from %s", m.cfg.Variant, m.cfg.N, m.cfg.Seed, st.Round, m.cfg.Rounds, m.checkpointPath())
	h := st.History
	return st.Round, &h, nil
}
