package anc

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/models/ancnet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

func TestSmokeRunAndCache(t *testing.T) {
	dir := t.TempDir()
	env := &experiment.Env{Profile: experiment.Smoke, Backend: backend.Fixed("go"), Seed: 7, WorkDir: dir}
	e := New()
	if e.ID() != "anc" {
		t.Fatalf("ID = %q", e.ID())
	}
	res, err := e.Run(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tables) != 3 {
		t.Fatalf("got %d tables, want 3", len(res.Tables))
	}
	if got := len(res.Tables[0].Rows); got != 3 {
		t.Errorf("main table has %d rows, want 3 (N = 4, 8, 16)", got)
	}
	if tp := res.Tables[2]; len(tp.Rows) != 3 || tp.Rows[2][0] != "cpa (Alice compiled)" {
		t.Errorf("throughput table rows %v: want ANC, CPA-ANC and the compiled CPA-ANC Alice", tp.Rows)
	}
	compiledClaim := false
	for _, c := range res.Claims {
		if strings.Contains(c.Statement, "compiled") {
			compiledClaim = c.Timing && c.Measured > 0 && strings.Contains(c.Why, "equal the network's rounded outputs on")
		}
	}
	if !compiledClaim {
		t.Error("no timing claim for the compiled Alice's speed, with its agreement")
	}
	if len(res.Figures) != 6 {
		t.Errorf("got %d figures, want 6", len(res.Figures))
	}
	for _, f := range res.Figures {
		if len(f.Series) != 2 || len(f.Series[0].Y) == 0 || len(f.Series[0].Lower) != len(f.Series[0].Y) {
			t.Errorf("figure %s: bad series", f.Name)
		}
	}
	for _, c := range res.Claims {
		if c.Verdict == "" || c.Why == "" {
			t.Errorf("claim %q lacks a verdict or rule", c.Statement)
		}
	}
	if _, err := json.Marshal(res); err != nil {
		t.Fatalf("result does not marshal: %v", err)
	}
	// Every unit is cached and round-trips through JSON.
	files, _ := filepath.Glob(filepath.Join(dir, "cache", "anc", "*"))
	if len(files) != 6 {
		t.Fatalf("cache has %d unit files, want 6", len(files))
	}
	// Every unit removed its checkpoint directory once its result was cached.
	if left, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "anc", "*")); len(left) != 0 {
		t.Errorf("checkpoint directories left behind: %v", left)
	}
	// A second run takes everything from the cache and gives equal tables.
	res2, err := e.Run(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Tables[:2], res2.Tables[:2]) {
		t.Error("cached rerun gives different tables")
	}
	log, _ := os.ReadFile(filepath.Join(dir, experiment.CacheLogName))
	if strings.Count(string(log), " hit ") != 6 {
		t.Errorf("cache log:\n%s\nwant 6 hits", log)
	}
}

func TestRunResultJSONRoundTrip(t *testing.T) {
	tp := ancnet.Throughput{N: 16, MB: 1, Seconds: 0.5, MBPerSec: 2}
	sec := ancnet.SecurityResult{Attack: ancnet.ChosenPlaintext, Best: 0.51, Scores: []float64{0.5, 0.51}, PValue: 0.02, Secure: true}
	r := RunResult{Variant: ancnet.ANC, N: 16, Run: 0, Seed: 1<<63 + 5, Test: ancnet.Metrics{Blocks: 10, BobBits: 0.1234567891234},
		Decrypts: true, Security: sec, CPASecurity: &sec, History: ancnet.History{Step: []int{0, 1}, Bob: []float64{0.5, 0.1}, Eve: []float64{0.5, 0.4}},
		Probe: ancnet.Probe{N: 16, Pairs: 3, XOR: 1.0 / 3}, Throughput: &tp, Seconds: 1.5}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back RunResult
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, back) {
		t.Errorf("round trip changed the result:\n%+v\n%+v", r, back)
	}
}

func TestFractionClaim(t *testing.T) {
	if c := fractionClaim("p", "s", 8, 50, 1, 3, ""); c.Verdict != results.Inconclusive {
		t.Errorf("3 runs: verdict %s, want inconclusive", c.Verdict)
	}
	if c := fractionClaim("p", "s", 48, 50, 19, 20, ""); c.Verdict != results.Reproduced {
		t.Errorf("19/20 vs 48/50: verdict %s", c.Verdict)
	}
	if c := fractionClaim("p", "s", 48, 50, 2, 20, ""); c.Verdict != results.NotReproduced {
		t.Errorf("2/20 vs 48/50: verdict %s", c.Verdict)
	}
}

// TestRunOneResumesFromCheckpoint interrupts a smoke-profile ANC training
// after round 5 (checkpoints every 2 rounds), then runs the whole unit
// (runOne) on that checkpoint directory: the result equals that of an
// uninterrupted unit, apart from the wall time.
func TestRunOneResumesFromCheckpoint(t *testing.T) {
	s, err := experiment.ForProfile(ID, ProfileSettings, experiment.Smoke)
	if err != nil {
		t.Fatal(err)
	}
	be, err := backend.Fixed("go").New()
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.config(ancnet.ANC, 4, 11)
	want, err := runOne(context.Background(), be, s, cfg, 0, "", nil)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	m, err := ancnet.NewModel(be, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetCheckpoints(ancnet.CheckpointOptions{Dir: dir, Every: 2}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := m.Train(ctx, func(r int) {
		if r == 5 {
			cancel()
		}
	}); err == nil {
		t.Fatal("interrupted training: want the context's error")
	}
	var log strings.Builder
	got, err := runOne(context.Background(), be, s, cfg, 0, dir, &log)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "resuming") {
		t.Errorf("log %q: want a resume message", log.String())
	}
	got.Seconds, want.Seconds = 0, 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resumed unit differs:\n%+v\n%+v", got, want)
	}
}
