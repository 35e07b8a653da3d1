package nn

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/ml/model"
)

// CheckpointFile is the name of the training checkpoint inside a
// checkpoint directory.
const CheckpointFile = "train.ckpt"

// CheckpointOptions configure the mid-run checkpoints of a training loop.
type CheckpointOptions struct {
	// Dir is the directory the checkpoint lives in. It should be private
	// to one training run (experiment.Env.UnitDir gives such a directory).
	Dir string
	// Every is the number of steps (or rounds) between checkpoints (0: the
	// model family's default).
	Every int
	// Log receives one line when a checkpoint is resumed or ignored (nil:
	// discard).
	Log io.Writer
}

// Resumer saves and resumes the training checkpoint of one run: every
// variable of the store (weights, each optimiser's moments and step
// counters, the global step and the store's RNG state) with its trainable
// flag, plus the caller's state (a gob-encodable struct: the config, the
// next step, the curves so far, the position of any Go-side data
// generator). Files are written atomically and sealed with a SHA-256
// (Checkpointer), so a kill mid-save leaves the previous checkpoint and a
// truncated or corrupt file is detected, reported on the log and ignored.
// Shared by every model family's Train (ours).
type Resumer struct {
	opts   CheckpointOptions
	store  *model.Store
	format string
	who    string // message prefix, e.g. "anc"
}

// NewResumer validates o (every ≤ 0 in o.Every takes defaultEvery),
// creates o.Dir and returns the run's Resumer. format tags (and versions)
// the family's checkpoint files; who prefixes messages.
func NewResumer(store *model.Store, o CheckpointOptions, format, who string, defaultEvery int) (*Resumer, error) {
	if o.Dir == "" {
		return nil, fmt.Errorf("%s: checkpoints: empty directory", who)
	}
	if o.Every < 0 {
		return nil, fmt.Errorf("%s: checkpoints: every %d steps: want ≥ 0", who, o.Every)
	}
	if o.Every == 0 {
		o.Every = defaultEvery
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("%s: checkpoints: %w", who, err)
	}
	return &Resumer{opts: o, store: store, format: format, who: who}, nil
}

// Every is the number of steps between checkpoints.
func (r *Resumer) Every() int { return r.opts.Every }

// Path is the checkpoint file.
func (r *Resumer) Path() string { return filepath.Join(r.opts.Dir, CheckpointFile) }

// Logf writes one line to the log.
func (r *Resumer) Logf(format string, args ...any) {
	if r.opts.Log != nil {
		fmt.Fprintf(r.opts.Log, format+"\n", args...)
	}
}

// Due reports whether a checkpoint is due after step done (1-based count
// of finished steps) of total: every Every steps and after the last.
func (r *Resumer) Due(done, total int) bool { return done%r.opts.Every == 0 || done == total }

// Save writes the store and the caller's state (anything but a regular
// file at the checkpoint's path — a folder left there — is removed first:
// the checkpoint directory is the run's own).
func (r *Resumer) Save(state any) error {
	if fi, err := os.Lstat(r.Path()); err == nil && !fi.Mode().IsRegular() {
		if err := os.RemoveAll(r.Path()); err != nil {
			return fmt.Errorf("%s: checkpoint: removing %s in its place: %w", r.who, r.Path(), err)
		}
	}
	ck, err := Checkpoint(r.store).Format(r.format).Done()
	if err != nil {
		return err
	}
	if err := ck.Save(r.Path(), state); err != nil {
		return fmt.Errorf("%s: %w", r.who, err)
	}
	return nil
}

// Resume reads the checkpoint, if any, into state and the (fresh) store.
// check validates the decoded state against the run (same config, step in
// range) and may restore Go-side state (a data generator's position); an
// error from it makes the checkpoint ignored. Resume returns false — train
// from scratch — when there is no checkpoint, or it is damaged, for
// another run, or the store has already run (a variable other than the RNG
// state exists); each of those but the first is reported on the log. An
// error is returned only when a valid checkpoint cannot be restored.
func (r *Resumer) Resume(state any, check func() error) (bool, error) {
	ck, err := Checkpoint(r.store).Format(r.format).Done()
	if err != nil {
		return false, err
	}
	snap, err := ck.Read(r.Path(), state)
	if err == nil && snap == nil {
		return false, nil
	}
	if err == nil {
		for v := range r.store.IterVariables() {
			if v.Path() != "/"+model.RNGStateVariableName {
				err = fmt.Errorf("the model has already run (variable %s exists)", v.Path())
				break
			}
		}
	}
	if err == nil {
		err = check()
	}
	if err != nil {
		r.Logf("%s: ignoring checkpoint %s: %v; training from scratch", r.who, r.Path(), err)
		return false, nil
	}
	if err := snap.Restore(); err != nil {
		return false, fmt.Errorf("%s: checkpoint %s: %w", r.who, r.Path(), err)
	}
	return true, nil
}
