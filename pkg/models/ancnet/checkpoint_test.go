package ancnet

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// ckptConfig is a tiny run: 12 rounds, history every 3 rounds.
func ckptConfig(v Variant) Config {
	cfg := DefaultConfig(v, 4, 12)
	cfg.Batch, cfg.EvalEvery, cfg.EvalBlocks, cfg.Seed = 64, 3, 128, 9
	if v == CPA {
		cfg.ABPerRound, cfg.EvePerRound, cfg.LearningRate = 1, 2, 0.01
	}
	return cfg
}

// outcome is everything compared between a straight and a resumed run.
type outcome struct {
	hist    *History
	alice   map[string][]float32
	metrics Metrics
}

func finish(t *testing.T, m *Model, h *History) outcome {
	t.Helper()
	w, err := m.AliceWeights()
	if err != nil {
		t.Fatal(err)
	}
	mt, err := m.Evaluate(512, 77)
	if err != nil {
		t.Fatal(err)
	}
	return outcome{h, w, mt}
}

// trainWith trains a new model of cfg; with dir set, with checkpoints
// every 4 rounds there. stopAfter ≥ 0 cancels the context after that round
// (the run then returns the context's error, like a killed process).
func trainWith(t *testing.T, cfg Config, dir string, stopAfter int, log *bytes.Buffer) (*Model, *History, error) {
	t.Helper()
	m, err := NewModel(goBackend(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if dir != "" {
		if err := m.SetCheckpoints(CheckpointOptions{Dir: dir, Every: 4, Log: log}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h, err := m.Train(ctx, func(r int) {
		if r == stopAfter {
			cancel()
		}
	})
	return m, h, err
}

func sameOutcome(t *testing.T, what string, got, want outcome) {
	t.Helper()
	if !reflect.DeepEqual(got.hist, want.hist) {
		t.Errorf("%s: history differs:\n%+v\n%+v", what, got.hist, want.hist)
	}
	if len(want.alice) == 0 || !reflect.DeepEqual(got.alice, want.alice) {
		t.Errorf("%s: Alice's weights differ (%d vs %d variables)", what, len(got.alice), len(want.alice))
	}
	if got.metrics != want.metrics {
		t.Errorf("%s: metrics differ: %+v vs %+v", what, got.metrics, want.metrics)
	}
}

// TestCheckpointResumeIsExact: a run stopped after round 9 (last checkpoint
// before round 8) and resumed by a new Model gives bit-identical History,
// Alice weights and metrics to an uninterrupted run; so does resuming from
// the final checkpoint, as after a kill during the post-training tests.
func TestCheckpointResumeIsExact(t *testing.T) {
	for _, v := range []Variant{ANC, CPA} {
		cfg := ckptConfig(v)
		m, h, err := trainWith(t, cfg, "", -1, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := finish(t, m, h)

		dir := t.TempDir()
		var log bytes.Buffer
		if _, _, err := trainWith(t, cfg, dir, 9, &log); !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: interrupted run: err = %v, want context.Canceled", v, err)
		}
		m, h, err = trainWith(t, cfg, dir, -1, &log)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(log.String(), "at round 8 of 12") {
			t.Errorf("%s: log %q: want a resume at round 8", v, log.String())
		}
		sameOutcome(t, string(v)+" resumed at round 8", finish(t, m, h), want)

		// The directory now holds the final checkpoint: a new model resumes
		// at round 12 and only records the last history point.
		log.Reset()
		m, h, err = trainWith(t, cfg, dir, -1, &log)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(log.String(), "at round 12 of 12") {
			t.Errorf("%s: log %q: want a resume at round 12", v, log.String())
		}
		sameOutcome(t, string(v)+" resumed at the end", finish(t, m, h), want)
	}
}

// TestCheckpointBadFileIgnored: a truncated, a corrupted, and another
// config's checkpoint are each reported and ignored; training restarts from
// scratch and gives the uninterrupted result.
func TestCheckpointBadFileIgnored(t *testing.T) {
	cfg := ckptConfig(CPA)
	m, h, err := trainWith(t, cfg, "", -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := finish(t, m, h)

	dir := t.TempDir()
	if _, _, err := trainWith(t, cfg, dir, 5, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err = %v", err)
	}
	path := filepath.Join(dir, CheckpointFile)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x10
	other := cfg
	other.Seed++
	otherDir := t.TempDir()
	if _, _, err := trainWith(t, other, otherDir, 5, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err = %v", err)
	}
	otherFile, err := os.ReadFile(filepath.Join(otherDir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, data, msg string
	}{
		{"truncated", string(good[:len(good)/3]), "checksum"},
		{"tiny", "x", "too short"},
		{"flipped bit", string(flipped), "checksum"},
		{"other config", string(otherFile), "config"},
	}
	for _, c := range cases {
		if err := os.WriteFile(path, []byte(c.data), 0o644); err != nil {
			t.Fatal(err)
		}
		var log bytes.Buffer
		m, h, err := trainWith(t, cfg, dir, -1, &log)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !strings.Contains(log.String(), "ignoring checkpoint") || !strings.Contains(log.String(), c.msg) {
			t.Errorf("%s: log %q: want an 'ignoring checkpoint … %s' message", c.name, log.String(), c.msg)
		}
		sameOutcome(t, c.name, finish(t, m, h), want)
	}
}

func TestSetCheckpointsValidates(t *testing.T) {
	m, err := NewModel(goBackend(t), ckptConfig(ANC))
	if err != nil {
		t.Fatal(err)
	}
	if m.SetCheckpoints(CheckpointOptions{}) == nil {
		t.Error("empty dir: want an error")
	}
	if m.SetCheckpoints(CheckpointOptions{Dir: t.TempDir(), Every: -1}) == nil {
		t.Error("every −1: want an error")
	}
}

// TestCheckpointOfConvergedRun: a run that meets the stop rule saves its
// final state; a new model on the same directory resumes it as finished
// (no further training) with the same History, weights and metrics, and a
// run killed before it converged resumes and stops at the same round.
func TestCheckpointOfConvergedRun(t *testing.T) {
	cfg := tinyCPA(600, 50)
	cfg.Seed = 5
	m, h, err := trainWith(t, cfg, "", -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Converged {
		t.Fatalf("this seed should converge within %d rounds (TestStopRule): %+v", cfg.Rounds, h)
	}
	want := finish(t, m, h)

	dir := t.TempDir()
	var log bytes.Buffer
	if _, _, err := trainWith(t, cfg, dir, h.Rounds/2, &log); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: err = %v, want context.Canceled", err)
	}
	m, h2, err := trainWith(t, cfg, dir, -1, &log)
	if err != nil {
		t.Fatal(err)
	}
	sameOutcome(t, "killed before converging, resumed", finish(t, m, h2), want)
	rounds := 0
	m, h3, err := func() (*Model, *History, error) {
		m, err := NewModel(goBackend(t), cfg)
		if err != nil {
			return nil, nil, err
		}
		if err := m.SetCheckpoints(CheckpointOptions{Dir: dir, Every: 4, Log: &log}); err != nil {
			return nil, nil, err
		}
		h, err := m.Train(context.Background(), func(int) { rounds++ })
		return m, h, err
	}()
	if err != nil {
		t.Fatal(err)
	}
	if rounds != 0 {
		t.Errorf("a converged run resumed and trained %d more rounds, want 0", rounds)
	}
	sameOutcome(t, "converged, resumed", finish(t, m, h3), want)
}
