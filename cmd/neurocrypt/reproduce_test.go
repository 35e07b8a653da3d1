package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/suite"
)

// comparable strips what may differ between two runs of the same inputs:
// provenance (times, host, dirty flag) and tables and claims marked as timing.
func comparable(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	delete(r, "provenance")
	for _, e := range r["experiments"].([]any) {
		em := e.(map[string]any)
		var keep []any
		for _, tb := range em["tables"].([]any) {
			if tm := tb.(map[string]any); tm["timing"] != true {
				keep = append(keep, tm)
			}
		}
		em["tables"] = keep
		var claims []any
		for _, c := range em["claims"].([]any) {
			if cm := c.(map[string]any); cm["timing"] != true {
				claims = append(claims, cm)
			}
		}
		em["claims"] = claims
		// A weights file's SHA-256 (named in notes) depends on the gob
		// type ids the process assigned before writing it, i.e. on what
		// else the process encoded first, not only on the weights: a
		// sharded or -only run names other bytes for equal weights.
		if notes, ok := em["notes"].([]any); ok {
			for i, n := range notes {
				if s, ok := n.(string); ok {
					notes[i] = sha256Hex.ReplaceAllString(s, "<sha256>")
				}
			}
		}
	}
	return r
}

var sha256Hex = regexp.MustCompile(`\b[0-9a-f]{64}\b`)

func reproduce(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := cli(t, append([]string{"reproduce", "-profile", "smoke"}, args...)...)
	if code != 0 {
		t.Fatalf("reproduce %q: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
	}
	return out
}

func TestCheckPassesThenFailsOnAlteredCache(t *testing.T) {
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	reproduce(t, "-only", "bitplane", "-out", dir, "-workdir", work)
	ref := filepath.Join(dir, "results.json")
	out := reproduce(t, "-only", "bitplane", "-workdir", work, "-check", ref)
	if !strings.Contains(out, "check passed") {
		t.Fatalf("check on an unchanged tree did not pass:\n%s", out)
	}
	// Without -profile/-only, -check takes them from the reference.
	if code, out, stderr := cli(t, "reproduce", "-workdir", work, "-check", ref); code != 0 || !strings.Contains(stderr, "profile smoke") {
		t.Fatalf("check with settings from REF: exit %d\n%s\n%s", code, out, stderr)
	}
	// Alter one number of the cached bitplane result, in place.
	env := &experiment.Env{Profile: experiment.Smoke, Seed: DefaultSeed, Data: dataset.StandIn(), WorkDir: work, Backend: backend.Select()}
	key := suite.ResultKey("bitplane", 0)
	cached, err := experiment.RunUnit(context.Background(), env, key, func(context.Context) (*results.Result, error) {
		t.Fatal("the bitplane result should be cached")
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cached.Tables[0].Rows[2][4] = cached.Tables[0].Rows[2][4].(float64) + 1e-9
	env.Fresh = true
	if _, err := experiment.RunUnit(context.Background(), env, key, func(context.Context) (*results.Result, error) { return cached, nil }); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli(t, "reproduce", "-profile", "smoke", "-only", "bitplane", "-workdir", work, "-check", ref)
	if code != 1 {
		t.Fatalf("check after altering a cached number: exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, `table "security" row 3 (bitplane) column "NPCR %"`) {
		t.Fatalf("diff table does not name the altered cell:\n%s", stdout)
	}
	if code, _, stderr := cli(t, "reproduce", "-profile", "smoke", "-check", filepath.Join(dir, "missing.json")); code != 1 || !strings.Contains(stderr, "missing.json") {
		t.Fatalf("missing REF: exit %d, stderr %q", code, stderr)
	}
}

func TestFromRerunsWithRecordedSettings(t *testing.T) {
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	reproduce(t, "-only", "bitplane", "-seed", "7", "-out", dir, "-workdir", work)
	out2 := filepath.Join(dir, "again")
	code, _, stderr := cli(t, "reproduce", "-from", filepath.Join(dir, "results.json"), "-out", out2, "-workdir", work)
	if code != 0 {
		t.Fatalf("-from: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "profile smoke, seed 7") {
		t.Fatalf("-from did not take profile and seed from the results: %s", stderr)
	}
	if !reflect.DeepEqual(comparable(t, filepath.Join(dir, "results.json")), comparable(t, filepath.Join(out2, "results.json"))) {
		t.Fatal("-from run differs from the original")
	}
	b, _ := os.ReadFile(filepath.Join(dir, "results.json"))
	if !strings.Contains(string(b), `"command": "go run ./cmd/neurocrypt reproduce -profile smoke -seed 7 -only bitplane`) {
		t.Fatalf("provenance lacks the regenerating command:\n%s", b)
	}
}

// TestSmokeDeterministicAndResumable runs the smoke profile twice from
// scratch: once uninterrupted, once killed with SIGKILL after its first
// finished unit and restarted. The two results.json must be identical (apart
// from provenance and timing tables) — determinism across processes — and
// the restarted run must reuse every unit finished before the kill.
func TestSmokeDeterministicAndResumable(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	reproduce(t, "-out", ref, "-workdir", filepath.Join(dir, "refwork"))

	work, out := filepath.Join(dir, "work"), filepath.Join(dir, "out")
	logPath := filepath.Join(work, experiment.CacheLogName)
	cmd := exec.Command(exe, "reproduce", "-profile", "smoke", "-out", out, "-workdir", work)
	cmd.Env = append(os.Environ(), "NEUROCRYPT_AS_CLI=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		b, _ := os.ReadFile(logPath)
		if bytes.Contains(b, []byte(" store ")) || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	before, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("no unit finished before the kill: %v", err)
	}
	stored := units(string(before), "store")
	if len(stored) == 0 {
		t.Fatal("no unit finished before the kill")
	}
	if _, err := os.Stat(filepath.Join(out, "index.html")); err == nil {
		t.Log("note: the run had already finished when it was killed")
	}

	reproduce(t, "-out", out, "-workdir", work)
	after, _ := os.ReadFile(logPath)
	hits := units(strings.TrimPrefix(string(after), string(before)), "hit")
	for u := range stored {
		if !hits[u] {
			t.Errorf("unit %s finished before the kill but was not reused (log:\n%s)", u, after)
		}
	}
	ra, rb := comparable(t, filepath.Join(ref, "results.json")), comparable(t, filepath.Join(out, "results.json"))
	if !reflect.DeepEqual(ra, rb) {
		ja, _ := json.MarshalIndent(ra, "", " ")
		jb, _ := json.MarshalIndent(rb, "", " ")
		t.Fatalf("the killed-and-resumed run differs from an uninterrupted one:\n%s\n----\n%s", ja, jb)
	}
	for _, f := range []string{"index.html", "bitplane.html", "results.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
}

// units returns the units named on cache.log lines of the given event.
func units(log, event string) map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(log, "\n") {
		f := strings.Fields(line)
		if len(f) == 4 && f[1] == event {
			m[f[2]] = true
		}
	}
	return m
}

func TestBOSSbaseBadFilesSkippedOrStrict(t *testing.T) {
	dir := t.TempDir()
	boss := filepath.Join(dir, "BOSSbase_1.01")
	os.MkdirAll(boss, 0o755)
	src, err := dataset.NewSynthetic(5, 4, 512)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		g, err := src.Load(i)
		if err != nil {
			t.Fatal(err)
		}
		if err := imageio.SaveGray(filepath.Join(boss, strings.TrimSpace(string(rune('1'+i)))+".pgm"), g); err != nil {
			t.Fatal(err)
		}
	}
	// 5.pgm truncated, 6.pgm the wrong size.
	b, _ := os.ReadFile(filepath.Join(boss, "1.pgm"))
	os.WriteFile(filepath.Join(boss, "5.pgm"), b[:1000], 0o644)
	small := imageio.NewGray(256, 256)
	if err := imageio.SaveGray(filepath.Join(boss, "6.pgm"), small); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	reproduce(t, "-only", "bitplane", "-data", boss, "-out", out, "-workdir", filepath.Join(dir, "w"))
	type prov struct {
		Provenance struct {
			Skipped int    `json:"skipped_files"`
			Dataset string `json:"dataset"`
			Hash    string `json:"dataset_hash"`
		} `json:"provenance"`
	}
	read := func() prov {
		res, _ := os.ReadFile(filepath.Join(out, "results.json"))
		var r prov
		if err := json.Unmarshal(res, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := read()
	if r.Provenance.Skipped < 2 || !strings.HasPrefix(r.Provenance.Dataset, "bossbase:") {
		t.Fatalf("provenance: skipped %d (want ≥ 2: a truncated and a wrong-size file), dataset %q", r.Provenance.Skipped, r.Provenance.Dataset)
	}
	// Replacing an image must invalidate the cache: same path, new content.
	other, _ := dataset.NewSynthetic(99, 1, 512)
	g, _ := other.Load(0)
	if err := imageio.SaveGray(filepath.Join(boss, "2.pgm"), g); err != nil {
		t.Fatal(err)
	}
	reproduce(t, "-only", "bitplane", "-data", boss, "-out", out, "-workdir", filepath.Join(dir, "w"))
	if r2 := read(); r2.Provenance.Hash == r.Provenance.Hash || r2.Provenance.Hash == "" {
		t.Fatalf("dataset hash %q did not change after replacing 2.pgm (stale cache?)", r2.Provenance.Hash)
	}
	code, _, stderr := cli(t, "reproduce", "-profile", "smoke", "-only", "bitplane", "-strict", "-data", boss, "-out", out, "-workdir", filepath.Join(dir, "w"))
	if code != 1 || !strings.Contains(stderr, "5.pgm") {
		t.Fatalf("-strict: exit %d, stderr %q; want 1 naming 5.pgm", code, stderr)
	}
	code, stdout, _ := cli(t, "dataset", "verify", boss)
	if code != 1 || !strings.Contains(stdout, "5.pgm") || !strings.Contains(stdout, "6.pgm") {
		t.Fatalf("dataset verify: exit %d, want 1 listing 5.pgm and 6.pgm:\n%s", code, stdout)
	}
	code, _, stderr = cli(t, "reproduce", "-profile", "smoke", "-data", filepath.Join(dir, "nope"))
	if code != 1 || !strings.Contains(stderr, "nope") {
		t.Fatalf("missing dataset: exit %d, stderr %q", code, stderr)
	}
}

func TestOnlyKeepsTheOtherExperimentsOfTheReport(t *testing.T) {
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	reproduce(t, "-only", "bitplane,performance", "-out", dir, "-workdir", work)
	before, _ := os.ReadFile(filepath.Join(dir, "performance.html"))
	reproduce(t, "-only", "bitplane", "-out", dir, "-workdir", work)
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Provenance struct {
			Extra map[string]string `json:"extra"`
		} `json:"provenance"`
		Experiments []struct {
			ID string `json:"id"`
		} `json:"experiments"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Experiments) != 2 || r.Experiments[0].ID != "bitplane" || r.Experiments[1].ID != "performance" {
		t.Fatalf("results.json lists %+v, want bitplane then the kept performance", r.Experiments)
	}
	if !strings.Contains(r.Provenance.Extra["kept_from_earlier_run"], "performance") {
		t.Fatalf("provenance does not say performance was kept: %v", r.Provenance.Extra)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "performance.html"))
	if !bytes.Equal(before, after) {
		t.Fatal("the kept experiment's page was rewritten")
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if !bytes.Contains(index, []byte("performance.html")) {
		t.Fatal("index.html no longer links the kept experiment")
	}
	code, _, stderr := cli(t, "reproduce", "-profile", "smoke", "-only", "bitplane", "-seed", "2", "-out", dir, "-workdir", work)
	if code != 1 || !strings.Contains(stderr, "mix two runs") {
		t.Fatalf("-only with another seed into the same report: exit %d, stderr %q", code, stderr)
	}
}

// TestRecordedGoBackendIsKept: re-doing a run recorded on the go backend
// (-check, -from) uses the go backend even where a faster one is found,
// unless $GOMLX_BACKEND says otherwise.
func TestRecordedGoBackendIsKept(t *testing.T) {
	lib := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.WriteFile(lib, []byte("stand-in"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ONNXRUNTIME_SHARED_LIBRARY_PATH", lib)
	t.Setenv(compute.ConfigEnvVar, "")
	os.Unsetenv(compute.ConfigEnvVar)
	if backend.Select().Name() == backend.Go {
		t.Fatal("with an ONNX Runtime library present the selection should not be go")
	}
	c := &reproduceConfig{recordedBackend: backend.Go}
	if got := c.backend(); got.Config() != backend.Go || !strings.Contains(got.Reason(), "recorded") {
		t.Errorf("recorded on go: selected %q (%s), want go", got.Config(), got.Reason())
	}
	for _, rec := range []string{"", "onnx:/elsewhere/libonnxruntime.so.1"} {
		c.recordedBackend = rec
		if got := c.backend(); got.Name() == backend.Go {
			t.Errorf("recorded %q: selected go, want the normal selection", rec)
		}
	}
	t.Setenv(compute.ConfigEnvVar, "onnx:"+lib)
	c.recordedBackend = backend.Go
	if got := c.backend(); got.Config() != "onnx:"+lib {
		t.Errorf("$%s set: selected %q, want it", compute.ConfigEnvVar, got.Config())
	}
}

// TestShardedRunEqualsUnsharded runs the smoke profile as two shards, two
// processes at once on one work dir, then assembles the report with a run
// without -shard: its results.json equals an unsharded run's (timings and
// provenance aside). Each shard stores units, no unit is stored by both,
// and no shard writes a report.
func TestShardedRunEqualsUnsharded(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	work, out, ref := filepath.Join(dir, "work"), filepath.Join(dir, "out"), filepath.Join(dir, "ref")
	// Every run is its own process, as on a cluster (one process's
	// registry of trained ciphers must not meet another work dir's).
	run := func(args ...string) *exec.Cmd {
		cmd := exec.Command(exe, append([]string{"reproduce", "-profile", "smoke"}, args...)...)
		cmd.Env = append(os.Environ(), "NEUROCRYPT_AS_CLI=1")
		return cmd
	}
	if b, err := run("-out", ref, "-workdir", filepath.Join(dir, "refwork")).CombinedOutput(); err != nil {
		t.Fatalf("unsharded run: %v\n%s", err, b)
	}
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for i := 0; i < 2; i++ {
		cmd := run("-out", out, "-workdir", work, "-shard", []string{"0/2", "1/2"}[i])
		var b bytes.Buffer
		cmd.Stdout, cmd.Stderr = &b, &b
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &b)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("shard %d/2: %v\n%s", i, err, outs[i])
		}
		if !strings.Contains(outs[i].String(), "assemble the report") {
			t.Errorf("shard %d/2 output lacks the assembly hint:\n%s", i, outs[i])
		}
		// The hint assembles into the shards' -out, not the default folder.
		if !strings.Contains(outs[i].String(), " -out "+out) {
			t.Errorf("shard %d/2's assembly hint does not name -out %s:\n%s", i, out, outs[i])
		}
	}
	if _, err := os.Stat(filepath.Join(out, "results.json")); err == nil {
		t.Fatal("a shard wrote a report")
	}
	logPath := filepath.Join(work, experiment.CacheLogName)
	shards, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{} // unit and key → stores
	for _, line := range strings.Split(string(shards), "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[1] == "store" {
			stored[f[2]+" "+f[3]]++
		}
	}
	for u, n := range stored {
		if n > 1 {
			t.Errorf("unit %s stored %d times by the shards", u, n)
		}
	}
	if len(stored) < 10 {
		t.Errorf("the shards stored %d units; want most of the run's", len(stored))
	}
	if b, err := run("-out", out, "-workdir", work).CombinedOutput(); err != nil {
		t.Fatalf("assembly: %v\n%s", err, b)
	}
	ra, rb := comparable(t, filepath.Join(ref, "results.json")), comparable(t, filepath.Join(out, "results.json"))
	if !reflect.DeepEqual(ra, rb) {
		ja, _ := json.MarshalIndent(ra, "", " ")
		jb, _ := json.MarshalIndent(rb, "", " ")
		t.Fatalf("the sharded run differs from an unsharded one:\n%s\n----\n%s", ja, jb)
	}
}

func TestShardFlagValidates(t *testing.T) {
	for _, args := range [][]string{{"-shard", "2/2"}, {"-shard", "x"}, {"-shard", "0/0"}, {"-shard", "0/2", "-fresh"}, {"-shard", "0/2", "-check"}, {"-shard", "0/2", "-workdir", ""}} {
		code, _, errOut := cli(t, append([]string{"reproduce", "-profile", "smoke"}, args...)...)
		if code != 2 || !strings.Contains(errOut, "shard") {
			t.Errorf("reproduce %q: exit %d, stderr %q; want a usage error about -shard", args, code, errOut)
		}
	}
}

// TestKeptFromCarriesOrigins: an experiment kept twice is still credited
// to the run that computed it, not to the partial run that carried it.
func TestKeptFromCarriesOrigins(t *testing.T) {
	first := "run started 2026-01-01T00:00:00Z, commit aaa"
	second := "run started 2026-01-02T00:00:00Z, commit bbb"
	// Run 2 (-only anc) kept the others from run 1.
	got := keptFrom([]string{"bitplane", "survey"}, "", first)
	if want := "bitplane, survey (" + first + ")"; got != want {
		t.Fatalf("one origin: %q, want %q", got, want)
	}
	// Run 3 (bench) keeps bitplane and survey (still run 1's) and anc (run 2's).
	got = keptFrom([]string{"bitplane", "survey", "anc"}, got, second)
	if want := "bitplane, survey (" + first + "); anc (" + second + ")"; got != want {
		t.Fatalf("two origins: %q, want %q", got, want)
	}
	// A damaged earlier record credits nobody it cannot vouch for: what it
	// does not credit is marked unknown, never given to the earlier file's run.
	for _, bad := range []string{
		"garbage (",
		"survey (run started A; commit B); recognition (run R)",
		"survey (A)\n; agile (B)",
		"agile, (Z)",
		"nosuchexperiment (" + first + ")",
		"survey (" + strings.Repeat("x", maxOrigin+1) + ")",
		"survey (run\u202e started)",
	} {
		bad = strings.NewReplacer(`\n`, "\n", `\u202e`, "\u202e").Replace(bad)
		got := keptFrom([]string{"anc", "survey"}, "bitplane ("+first+"); "+bad, second)
		if strings.Contains(got, second) || !strings.Contains(got, keptUnknown) || len(got) > 500 {
			t.Errorf("damaged record %q: %q", bad, got)
		}
	}
	// Still parseable after a damaged one: its groups keep their origins.
	if got := keptFrom([]string{"bitplane", "anc"}, "bitplane ("+first+"); garbage", second); got != "bitplane ("+first+"); anc ("+keptUnknown+")" {
		t.Errorf("partly damaged record: %q", got)
	}
	// And the unknown marker survives the next partial run.
	u := "anc (" + keptUnknown + ")"
	if got := keptFrom([]string{"anc"}, u, second); got != u {
		t.Errorf("unknown origin carried: %q", got)
	}
}

// TestRecordedBackendOfAMixedReference: a reference whose kept experiments
// were computed on the pure Go backend is re-run on it, whatever backend
// its top-level (partial) run used.
func TestRecordedBackendOfAMixedReference(t *testing.T) {
	onnx := "onnx:/x/libonnxruntime.so.1"
	kept := keptFrom([]string{"anc"}, "", "run started T, commit C, backend go")
	if got := recordedBackend(results.Provenance{Backend: onnx, Extra: map[string]string{keptKey: kept}}); got != backend.Go {
		t.Errorf("kept from a go run: %q, want go", got)
	}
	if got := recordedBackend(results.Provenance{Backend: onnx, Extra: map[string]string{keptKey: "anc (run started T, commit C, backend onnx)"}}); got != onnx {
		t.Errorf("kept from an onnx run: %q, want %q", got, onnx)
	}
	if got := recordedBackend(results.Provenance{Backend: backend.Go}); got != backend.Go {
		t.Errorf("a plain go run: %q", got)
	}
}
