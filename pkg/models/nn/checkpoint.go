package nn

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"reflect"
	"strings"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/atomicfile"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// CheckpointBuilder configures a Checkpointer; start it with Checkpoint and
// finish it with Done.
type CheckpointBuilder struct {
	store    *model.Store
	format   string
	prefixes []string
}

// Checkpoint starts configuring bit-exact snapshots of store's variables:
// training checkpoints (every variable: weights, optimiser state, the RNG)
// or weights files (Only the trained networks). Set the Format tag, then
// call Done.
//
// A snapshot is one file, written atomically (pkg/atomicfile): a gob header
// (the format tag and each saved variable's path and trainable flag, in
// the store's creation order), a gob value of the caller's own state (the
// run's configuration, round, curves, data position), every variable's
// tensor (tensors.GobSerialize: exact bits), and a SHA-256 of everything
// before it, so that a truncated or corrupt file is detected rather than
// restored. (GoMLX's own checkpoint package writes several files per
// checkpoint without a checksum; neurocrypt needs one file that is either
// whole or ignored.)
func Checkpoint(store *model.Store) *CheckpointBuilder { return &CheckpointBuilder{store: store} }

// Format sets the format tag written first and required on reading, e.g.
// "neurocrypt/ancnet training checkpoint v2". Change it whenever the
// caller's state type changes.
func (b *CheckpointBuilder) Format(tag string) *CheckpointBuilder {
	b.format = tag
	return b
}

// Only restricts snapshots to the variables whose paths start with one of
// the prefixes (e.g. "/alicebob/" for a weights file of Alice and Bob).
func (b *CheckpointBuilder) Only(prefixes ...string) *CheckpointBuilder {
	b.prefixes = prefixes
	return b
}

// Done validates the configuration.
func (b *CheckpointBuilder) Done() (*Checkpointer, error) {
	if b.store == nil || b.format == "" {
		return nil, errors.New("nn: checkpoint: want a store and a format tag")
	}
	return &Checkpointer{cfg: *b}, nil
}

// Checkpointer saves and reads snapshots of a store (see Checkpoint).
type Checkpointer struct{ cfg CheckpointBuilder }

// checkpointVar describes one saved variable; its value follows the
// caller's state in the file, in the same order.
type checkpointVar struct {
	Path      string
	Trainable bool
}

// checkpointHeader is the first gob value of a snapshot file.
type checkpointHeader struct {
	Format string
	Vars   []checkpointVar
}

func (c *Checkpointer) selected(path string) bool {
	if len(c.cfg.prefixes) == 0 {
		return true
	}
	for _, p := range c.cfg.prefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// Encode returns the snapshot of the store's (selected) variables with
// state, the caller's gob-encodable value.
func (c *Checkpointer) Encode(state any) ([]byte, error) {
	hdr := checkpointHeader{Format: c.cfg.format}
	var vals []*tensors.Tensor
	for v := range c.cfg.store.IterVariables() {
		if !c.selected(v.Path()) {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("nn: checkpoint: variable %s: %w", v.Path(), err)
		}
		hdr.Vars = append(hdr.Vars, checkpointVar{Path: v.Path(), Trainable: v.Trainable})
		vals = append(vals, t)
	}
	if len(vals) == 0 {
		return nil, fmt.Errorf("nn: checkpoint: no variables to save (prefixes %q)", c.cfg.prefixes)
	}
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(&hdr); err != nil {
		return nil, fmt.Errorf("nn: checkpoint: encoding: %w", err)
	}
	if err := enc.Encode(state); err != nil {
		return nil, fmt.Errorf("nn: checkpoint: encoding the state: %w", err)
	}
	for i, t := range vals {
		if err := t.GobSerialize(enc); err != nil {
			return nil, fmt.Errorf("nn: checkpoint: encoding %s: %w", hdr.Vars[i].Path, err)
		}
	}
	return atomicfile.Seal(buf.Bytes()), nil
}

// Save writes the snapshot (Encode) to path atomically: a kill mid-save
// leaves the previous file.
func (c *Checkpointer) Save(path string, state any) error {
	b, err := c.Encode(state)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("nn: checkpoint: %w", err)
	}
	return nil
}

// Snapshot is a decoded, verified snapshot, not yet restored.
type Snapshot struct {
	c      *Checkpointer
	vars   []checkpointVar
	values []*tensors.Tensor
}

// MaxCheckpointBytes bounds a checkpoint file: weights (256 MiB at most,
// as a weights file) plus the optimizer's two moments, with room. Ours.
const MaxCheckpointBytes = 1 << 30

// Read decodes and verifies the snapshot at path and decodes the caller's
// state into state (a pointer). It returns (nil, nil) when there is no
// file, and an error saying why when the file is unusable (truncated,
// corrupt, another format); check the state, then Restore.
func (c *Checkpointer) Read(path string, state any) (*Snapshot, error) {
	// Bounded and never blocking: a huge file is refused from its size,
	// a FIFO is refused, not waited on.
	b, err := safefile.ReadFile(path, MaxCheckpointBytes, "a checkpoint")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return c.Decode(b, state)
}

// Decode is Read from bytes (never (nil, nil)).
func (c *Checkpointer) Decode(b []byte, state any) (*Snapshot, error) {
	body, err := atomicfile.Unseal(b)
	switch {
	case errors.Is(err, atomicfile.ErrShort):
		return nil, fmt.Errorf("%d bytes: too short", len(b))
	case err != nil:
		return nil, errors.New("checksum mismatch (truncated or corrupt)")
	}
	dec := gob.NewDecoder(bytes.NewReader(body))
	var hdr checkpointHeader
	if err := dec.Decode(&hdr); err != nil {
		return nil, fmt.Errorf("decoding the header: %w", err)
	}
	if hdr.Format != c.cfg.format {
		return nil, fmt.Errorf("format %q: want %q", hdr.Format, c.cfg.format)
	}
	if len(hdr.Vars) == 0 {
		return nil, errors.New("no variables")
	}
	if err := dec.Decode(state); err != nil {
		return nil, fmt.Errorf("decoding the state: %w", err)
	}
	s := &Snapshot{c: c, vars: hdr.Vars}
	for _, v := range hdr.Vars {
		t, err := tensors.GobDeserialize(dec)
		if err != nil {
			return nil, fmt.Errorf("decoding %s: %w", v.Path, err)
		}
		if err := checkValues(t); err != nil {
			return nil, fmt.Errorf("%s: %w", v.Path, err)
		}
		s.values = append(s.values, t)
	}
	return s, nil
}

// Paths lists the saved variables, in the saved (creation) order.
func (s *Snapshot) Paths() []string {
	out := make([]string, len(s.vars))
	for i, v := range s.vars {
		out[i] = v.Path
	}
	return out
}

// Restore sets the store's variables to the snapshot's values and trainable
// flags, creating the missing ones in the saved (creation) order, so that
// the store iterates its variables as in the original run.
func (s *Snapshot) Restore() error {
	store := s.c.cfg.store
	for i, cv := range s.vars {
		v := store.GetVariable(cv.Path)
		var err error
		if v != nil {
			err = v.SetValue(s.values[i])
		} else {
			v, err = store.CreateVariable(cv.Path, s.values[i])
		}
		if err != nil {
			return fmt.Errorf("nn: restoring %s: %w", cv.Path, err)
		}
		v.Trainable = cv.Trainable
	}
	return nil
}

// MaxVariableValues bounds the values of one decoded variable (2^26 =
// 64 Mi values, 256 MiB of float32: far above the papers' networks), so a
// crafted file cannot declare a huge shape.
const MaxVariableValues = 1 << 26

// checkValues refuses a decoded tensor whose data does not fill its shape
// (the decoder takes the shape and the values separately: short data would
// leave the rest of the tensor undefined, a different network on every
// run) and one over MaxVariableValues values.
func checkValues(t *tensors.Tensor) error {
	return inspect(t, false)
}

// CheckFinite reports the first variable of the snapshot holding a NaN or
// ±Inf: a weights file of a trained model must not (a network of NaN
// weights encrypts every image to one constant), although a checkpoint
// may round-trip them exactly.
func (s *Snapshot) CheckFinite() error {
	for i, t := range s.values {
		if err := inspect(t, true); err != nil {
			return fmt.Errorf("%s: %w", s.vars[i].Path, err)
		}
	}
	return nil
}

// inspect checks t's size against its shape and, with finite, its values.
func inspect(t *tensors.Tensor, finite bool) error {
	if n := t.Size(); n > MaxVariableValues {
		return fmt.Errorf("shape %s: %d values, more than %d", t.Shape(), n, MaxVariableValues)
	}
	var why error
	err := t.ConstFlatData(func(flat any) {
		v := reflect.ValueOf(flat)
		if v.Kind() != reflect.Slice {
			return
		}
		if v.Len() != t.Size() {
			why = fmt.Errorf("shape %s needs %d values, the file has %d", t.Shape(), t.Size(), v.Len())
			return
		}
		if !finite {
			return
		}
		switch f := flat.(type) {
		case []float32:
			for i, x := range f {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					why = fmt.Errorf("value %d is %g", i, x)
					return
				}
			}
		case []float64:
			for i, x := range f {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					why = fmt.Errorf("value %d is %g", i, x)
					return
				}
			}
		}
	})
	if err != nil {
		return err
	}
	return why
}
