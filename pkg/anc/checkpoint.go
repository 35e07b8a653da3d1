package anc

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/atomicfile"
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

// checkpointMagic identifies (and versions) the checkpoint format.
const checkpointMagic = "neurocrypt/anc training checkpoint v1"

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
// A checkpoint holds everything training depends on, so that a resumed run
// is bit-identical to an uninterrupted one on the pure Go backend: every
// variable of the model's store (Alice's, Bob's and Eve's weights, both
// Adam optimisers' moments, step counters and learning rates, the global
// step and the store's RNG state) with its trainable flag, in the store's
// order; the position of the Go-side data generator; the History so far;
// the next round; and the Config, which must equal the model's. The file is
// written atomically (pkg/atomicfile) and ends with a SHA-256 of its
// contents, so a kill mid-save leaves the previous checkpoint, and a
// truncated or corrupt file is detected, reported on o.Log and ignored
// (training then starts from scratch). Resuming requires a model on which
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

// checkpointVar describes one saved store variable; its value follows the
// header in the file, in the same order.
type checkpointVar struct {
	Path      string
	Trainable bool
}

// checkpointHeader is the first gob value of a checkpoint file.
type checkpointHeader struct {
	Magic   string
	Config  Config
	Round   int // the next round to run
	History History
	Data    bitSourceState
	Vars    []checkpointVar
}

// checkpoint is a decoded, verified checkpoint.
type checkpoint struct {
	checkpointHeader
	values []*tensors.Tensor
}

func (m *Model) logf(format string, args ...any) {
	if m.ckpt != nil && m.ckpt.Log != nil {
		fmt.Fprintf(m.ckpt.Log, format+"\n", args...)
	}
}

func (m *Model) checkpointPath() string { return filepath.Join(m.ckpt.Dir, CheckpointFile) }

// saveCheckpoint writes the state before round next (with history h).
func (m *Model) saveCheckpoint(next int, h *History) error {
	data, err := m.data.state()
	if err != nil {
		return fmt.Errorf("anc: checkpoint: data generator: %w", err)
	}
	hdr := checkpointHeader{Magic: checkpointMagic, Config: m.cfg, Round: next, History: *h, Data: data}
	var vals []*tensors.Tensor
	for v := range m.store.IterVariables() {
		t, err := v.Value()
		if err != nil {
			return fmt.Errorf("anc: checkpoint: variable %s: %w", v.Path(), err)
		}
		hdr.Vars = append(hdr.Vars, checkpointVar{Path: v.Path(), Trainable: v.Trainable})
		vals = append(vals, t)
	}
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(&hdr); err != nil {
		return fmt.Errorf("anc: checkpoint: encoding: %w", err)
	}
	for i, t := range vals {
		if err := t.GobSerialize(enc); err != nil {
			return fmt.Errorf("anc: checkpoint: encoding %s: %w", hdr.Vars[i].Path, err)
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	buf.Write(sum[:])
	if err := atomicfile.WriteFile(m.checkpointPath(), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("anc: checkpoint: %w", err)
	}
	return nil
}

// readCheckpoint decodes and verifies the checkpoint file. It returns
// (nil, nil) when there is none, and an error saying why when the file is
// unusable.
func (m *Model) readCheckpoint() (*checkpoint, error) {
	b, err := os.ReadFile(m.checkpointPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(b) < sha256.Size {
		return nil, fmt.Errorf("%d bytes: too short", len(b))
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errors.New("checksum mismatch (truncated or corrupt)")
	}
	dec := gob.NewDecoder(bytes.NewReader(body))
	c := &checkpoint{}
	if err := dec.Decode(&c.checkpointHeader); err != nil {
		return nil, fmt.Errorf("decoding the header: %w", err)
	}
	switch {
	case c.Magic != checkpointMagic:
		return nil, fmt.Errorf("format %q: want %q", c.Magic, checkpointMagic)
	case c.Config != m.cfg:
		return nil, fmt.Errorf("it is for config %+v, not %+v", c.Config, m.cfg)
	case c.Round < 0 || c.Round > m.cfg.Rounds:
		return nil, fmt.Errorf("next round %d: want 0..%d", c.Round, m.cfg.Rounds)
	case len(c.Vars) == 0:
		return nil, errors.New("no variables")
	}
	for _, v := range c.Vars {
		t, err := tensors.GobDeserialize(dec)
		if err != nil {
			return nil, fmt.Errorf("decoding %s: %w", v.Path, err)
		}
		c.values = append(c.values, t)
	}
	return c, nil
}

// resume loads the checkpoint, if any, into the (fresh) model and returns
// the next round and the history so far; (0, empty history) when training
// starts from scratch.
func (m *Model) resume() (int, *History, error) {
	c, err := m.readCheckpoint()
	if err != nil {
		m.logf("anc: ignoring checkpoint %s: %v; training from scratch", m.checkpointPath(), err)
		return 0, &History{}, nil
	}
	if c == nil {
		return 0, &History{}, nil
	}
	for v := range m.store.IterVariables() {
		if v.Path() != "/"+model.RNGStateVariableName {
			m.logf("anc: ignoring checkpoint %s: the model has already run (variable %s exists); training from scratch", m.checkpointPath(), v.Path())
			return 0, &History{}, nil
		}
	}
	if err := m.data.setState(c.Data); err != nil {
		m.logf("anc: ignoring checkpoint %s: %v; training from scratch", m.checkpointPath(), err)
		return 0, &History{}, nil
	}
	// Restore in the saved (creation) order, so that the store iterates its
	// variables in the same order as in the original run.
	for i, cv := range c.Vars {
		v := m.store.GetVariable(cv.Path)
		if v != nil {
			err = v.SetValue(c.values[i])
		} else {
			v, err = m.store.CreateVariable(cv.Path, c.values[i])
		}
		if err != nil {
			return 0, nil, fmt.Errorf("anc: restoring %s from checkpoint %s: %w", cv.Path, m.checkpointPath(), err)
		}
		v.Trainable = cv.Trainable
	}
	m.logf("anc: resuming %s N=%d seed %d at round %d of %d from %s", m.cfg.Variant, m.cfg.N, m.cfg.Seed, c.Round, m.cfg.Rounds, m.checkpointPath())
	h := c.History
	return c.Round, &h, nil
}
