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
	if len(res.Tables) != 4 {
		t.Fatalf("got %d tables, want 4", len(res.Tables))
	}
	if lt := res.Tables[3]; !strings.Contains(lt.Name, "loss form") || len(lt.Rows) != 3 || lt.Rows[0][1] != 1 {
		t.Errorf("loss-form table %q rows %v: want one row per N with 1 run", lt.Name, lt.Rows)
	}
	if got := len(res.Tables[0].Rows); got != 3 {
		t.Errorf("main table has %d rows, want 3 (N = 4, 8, 16)", got)
	}
	if tp := res.Tables[2]; len(tp.Rows) != 4 || tp.Rows[1][0] != "anc (Alice compiled)" || tp.Rows[3][0] != "cpa (Alice compiled)" ||
		!strings.Contains(tp.Rows[1][5].(string), "codebook") {
		t.Errorf("throughput table rows %v: want ANC and CPA-ANC, each by the network and compiled (ANC: a codebook)", tp.Rows)
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
	if len(res.Figures) != 7 {
		t.Fatalf("got %d figures, want 7", len(res.Figures))
	}
	conv := res.Figures[6]
	points := 0
	for _, sr := range conv.Series {
		points += len(sr.Y)
	}
	if conv.Name != "rounds-to-converge" || points != 6 {
		t.Errorf("figure %s has %d points, want rounds-to-converge with one per run (6)", conv.Name, points)
	}
	for _, f := range res.Figures[:6] {
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
	if len(files) != 9 {
		t.Fatalf("cache has %d unit files, want 9 (6 cells, 3 loss-form cells)", len(files))
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
	if strings.Count(string(log), " hit ") != 9 {
		t.Errorf("cache log:\n%s\nwant 9 hits", log)
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

// TestPopulationUnitResumesFromCheckpoint interrupts a smoke-profile ANC
// population (3 runs) after round 5 (checkpoints every 2 rounds), then
// runs the whole unit (runPopulation, with measureRun) on that checkpoint
// directory: the results equal those of an uninterrupted unit, apart from
// the wall time.
func TestPopulationUnitResumesFromCheckpoint(t *testing.T) {
	s, err := experiment.ForProfile(ID, ProfileSettings, experiment.Smoke)
	if err != nil {
		t.Fatal(err)
	}
	be, err := backend.Fixed("go").New()
	if err != nil {
		t.Fatal(err)
	}
	env := &experiment.Env{Profile: experiment.Smoke, Seed: 1}
	cfgs := cellConfigs(env, s, ancnet.ANC, 4, 0, 3, ancnet.LossReference)
	measure := func(ctx context.Context, m *ancnet.Model, cfg ancnet.Config, run int) (RunResult, error) {
		return measureRun(ctx, m, s, cfg, run)
	}
	want, err := runPopulation(context.Background(), env, be, cfgs, 0, "", measure)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 3 || want[2].Run != 2 || want[2].Seed != cfgs[2].Seed || len(want[2].History.Step) == 0 {
		t.Fatalf("results: %+v", want)
	}

	dir := t.TempDir()
	p, err := ancnet.NewPopulation(be, cfgs, ancnet.PopConvFor(be))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetCheckpoints(ancnet.CheckpointOptions{Dir: dir, Every: 2}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := p.Train(ctx, func(r, _ int) {
		if r == 5 {
			cancel()
		}
	}); err == nil {
		t.Fatal("interrupted training: want the context's error")
	}
	var log strings.Builder
	env.Log = &log
	got, err := runPopulation(context.Background(), env, be, cfgs, 0, dir, measure)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "resuming") {
		t.Errorf("log %q: want a resume message", log.String())
	}
	for i := range got {
		got[i].Seconds, want[i].Seconds = 0, 0
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resumed unit differs:\n%+v\n%+v", got, want)
	}
}
