package experiment

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

func TestRunUnitStoresThenHits(t *testing.T) {
	ctx := context.Background()
	env := &Env{Profile: Smoke, Seed: 7, WorkDir: t.TempDir()}
	key := UnitKey{Experiment: "x", Unit: "run/1", Params: map[string]int{"n": 4}}
	calls := 0
	fn := func(context.Context) (*results.Result, error) {
		calls++
		tb := results.Table{Name: "t", Columns: []string{"a", "b", "c", "d"}}
		tb.AddRow(1.5, math.NaN(), "s", nil)
		tb.AddRow(3, math.Inf(1), true, 0.1)
		return &results.Result{Tables: []results.Table{tb}, Claims: []results.Claim{{Paper: "P", PaperValue: math.NaN(), Measured: 2}},
			Figures: []results.Figure{{Name: "f", Kind: results.KindImages, Images: []results.ImagePanel{{Title: "i", Image: imageio.NewGray(2, 3)}}}}}, nil
	}
	r1, err := RunUnit(ctx, env, key, fn)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := RunUnit(ctx, env, key, fn)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Fatalf("fn called %d times, want 1 (second call must hit the cache)", calls)
	}
	if !math.IsNaN(r2.Tables[0].Rows[0][1].(float64)) || r2.Tables[0].Rows[0][3] != nil || r2.Tables[0].Rows[1][0] != 3 ||
		!math.IsInf(r2.Tables[0].Rows[1][1].(float64), 1) || r2.Tables[0].Rows[1][2] != true {
		t.Fatalf("cached table differs: %#v vs %#v", r2.Tables[0].Rows, r1.Tables[0].Rows)
	}
	if !math.IsNaN(r2.Claims[0].PaperValue) || r2.Figures[0].Images[0].Image.Height != 3 {
		t.Fatalf("cached claim/figure differ: %+v", r2)
	}
	log, err := os.ReadFile(filepath.Join(env.WorkDir, CacheLogName))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), " store x/run/1 ") || !strings.Contains(string(log), " hit x/run/1 ") {
		t.Fatalf("cache log lacks store and hit lines:\n%s", log)
	}

	// Another seed is another unit; Fresh recomputes.
	env2 := *env
	env2.Seed = 8
	if _, err := RunUnit(ctx, &env2, key, fn); err != nil || calls != 2 {
		t.Fatalf("other seed: calls=%d err=%v, want a recompute", calls, err)
	}
	env.Fresh = true
	if _, err := RunUnit(ctx, env, key, fn); err != nil || calls != 3 {
		t.Fatalf("fresh: calls=%d err=%v, want a recompute", calls, err)
	}
	// A Fresh run computes a unit once: a second request in the same
	// process reads what the first stored.
	if _, err := RunUnit(ctx, env, key, fn); err != nil || calls != 3 {
		t.Fatalf("fresh, second request: calls=%d err=%v, want the entry this process stored", calls, err)
	}
}

func TestRunUnitCorruptCacheIsRecomputed(t *testing.T) {
	ctx := context.Background()
	env := &Env{Profile: Smoke, Seed: 1, WorkDir: t.TempDir()}
	key := UnitKey{Experiment: "x", Unit: "u"}
	path, _, err := env.UnitPath(key)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, []byte("garbage"), 0o644)
	got, err := RunUnit(ctx, env, key, func(context.Context) (int, error) { return 42, nil })
	if err != nil || got != 42 {
		t.Fatalf("got %d, %v; want 42", got, err)
	}
}

// TestDamagedEntriesAreRecomputed: a cache entry with one flipped bit, or
// a directory where an entry belongs, is a logged miss: the unit is
// recomputed (and stored again), never served.
func TestDamagedEntriesAreRecomputed(t *testing.T) {
	ctx := context.Background()
	env := &Env{Profile: Smoke, Seed: 7, WorkDir: t.TempDir()}
	key := UnitKey{Experiment: "x", Unit: "run/flip"}
	calls := 0
	fn := func(context.Context) (float64, error) { calls++; return 0.125, nil }
	if _, err := RunUnit(ctx, env, key, fn); err != nil {
		t.Fatal(err)
	}
	path, _, err := env.UnitPath(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(b); i += 7 { // a flipped bit anywhere in the entry
		damaged := append([]byte{}, b...)
		damaged[i] ^= 0x10
		if err := os.WriteFile(path, damaged, 0o644); err != nil {
			t.Fatal(err)
		}
		before := calls
		v, err := RunUnit(ctx, env, key, fn)
		if err != nil || v != 0.125 || calls != before+1 {
			t.Fatalf("byte %d flipped: got %v, %v after %d calls; want a recomputation", i, v, err, calls-before)
		}
	}
	log, _ := os.ReadFile(filepath.Join(env.WorkDir, CacheLogName))
	if !strings.Contains(string(log), " bad x/run/flip ") || !strings.Contains(string(log), "checksum mismatch") {
		t.Errorf("cache.log does not record the bad entries:\n%s", log)
	}
	// An entry over MaxUnitBytes (sparse: no disk used) and a FIFO are
	// recomputed without being read or waited on.
	for _, kind := range []string{"oversized", "fifo"} {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if kind == "oversized" {
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(MaxUnitBytes + 1); err != nil {
				t.Fatal(err)
			}
			f.Close()
		} else if err := syscall.Mkfifo(path, 0o644); err != nil {
			t.Skipf("no FIFOs here: %v", err)
		}
		before := calls
		if v, err := RunUnit(ctx, env, key, fn); err != nil || v != 0.125 || calls != before+1 {
			t.Fatalf("%s entry: %v, %v after %d calls; want a recomputation", kind, v, err, calls-before)
		}
	}
	log, _ = os.ReadFile(filepath.Join(env.WorkDir, CacheLogName))
	if !strings.Contains(string(log), "more than a cache entry may have") {
		t.Errorf("cache.log does not say why the oversized entry was refused:\n%s", log)
	}
	// A directory in the entry's place.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := calls
	if v, err := RunUnit(ctx, env, key, fn); err != nil || v != 0.125 || calls != before+1 {
		t.Fatalf("directory in place of the entry: %v, %v", v, err)
	}
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		t.Fatalf("the entry was not repaired: %v", err)
	}
	if v, err := RunUnit(ctx, env, key, fn); err != nil || v != 0.125 || calls != before+1 {
		t.Fatalf("after the repair the entry is not served: %v, %v, %d calls", v, err, calls-before)
	}
	// A file in place of the experiment's cache folder (and of the
	// checkpoints folder): repaired, not fatal, on this and later runs.
	for _, dir := range []string{filepath.Dir(path), filepath.Join(env.WorkDir, "checkpoints")} {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir, []byte("not a folder"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before = calls
	if v, err := RunUnit(ctx, env, key, fn); err != nil || v != 0.125 || calls != before+1 {
		t.Fatalf("a file in place of the cache folder: %v, %v", v, err)
	}
	if v, err := RunUnit(ctx, env, key, fn); err != nil || calls != before+1 {
		t.Fatalf("after the folder repair the entry is not served: %v, %v", v, err)
	}
	if dir, err := env.UnitDir(key); err != nil {
		t.Fatalf("a file in place of the checkpoints folder: %v", err)
	} else if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("checkpoint folder %s: %v", dir, err)
	}
}

// TestUnstorableResultIsStillReturned: a work dir that cannot take the
// entry (one under /proc, where nobody, root included, can create folders)
// costs the cache entry, not the result.
func TestUnstorableResultIsStillReturned(t *testing.T) {
	if st, err := os.Stat("/proc/self"); err != nil || !st.IsDir() {
		t.Skip("needs Linux /proc")
	}
	var log bytes.Buffer
	env := &Env{WorkDir: "/proc/neurocrypt-test-work", Log: &log}
	v, err := RunUnit(context.Background(), env, UnitKey{Experiment: "x", Unit: "u"}, func(context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("RunUnit = %v, %v; want 7, nil", v, err)
	}
	if !strings.Contains(log.String(), "not cached") {
		t.Errorf("no warning logged: %q", log.String())
	}
}

func TestCropPlan(t *testing.T) {
	if _, err := CropPlan(&Env{}, "exp", 64, 1, 1); err == nil || !strings.Contains(err.Error(), "exp: no dataset") {
		t.Errorf("no data: %v", err)
	}
	env := &Env{Data: dataset.StandIn(), Seed: 1}
	if _, err := CropPlan(env, "exp", 4096, 1, 1); err == nil || !strings.HasPrefix(err.Error(), "exp: ") {
		t.Errorf("crops larger than the images: %v", err)
	}
	a, err := CropPlan(env, "exp", 64, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := CropPlan(env, "exp", 64, 2, 3)
	c, _ := CropPlan(env, "other", 64, 2, 3)
	refs := func(p *dataset.Plan) string { return fmt.Sprint(p.Refs(dataset.All)) }
	if a.Len(dataset.All) != 6 || refs(a) != refs(b) || refs(a) == refs(c) {
		t.Errorf("plans: %d crops; same experiment same crops %v; other experiment other crops %v", a.Len(dataset.All), refs(a) == refs(b), refs(a) != refs(c))
	}
}

// TestShardOwnsAndSkips: every key belongs to exactly one shard of N; a
// unit of another shard is not computed (ErrNotInShard, fn not called)
// unless it is cached, when it is served.
func TestShardOwnsAndSkips(t *testing.T) {
	for _, bad := range []string{"", "1", "2/2", "-1/2", "-0/2", "+0/2", "0/+2", "0/0", "a/b", fmt.Sprintf("0/%d", MaxShards+1)} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q): want an error", bad)
		}
	}
	s, err := ParseShard("1/3")
	if err != nil || s.Index != 1 || s.Count != 3 || s.String() != "1/3" {
		t.Fatalf("ParseShard(1/3) = %+v, %v", s, err)
	}
	owners := make([]int, 3)
	for i := 0; i < 300; i++ {
		key := fmt.Sprint("key", i)
		n := 0
		for j := 0; j < 3; j++ {
			if (&Shard{Index: j, Count: 3}).Owns(key) {
				n++
				owners[j]++
			}
		}
		if n != 1 {
			t.Fatalf("key %q owned by %d shards", key, n)
		}
	}
	for j, n := range owners {
		if n < 60 {
			t.Errorf("shard %d owns %d of 300 keys: not spread", j, n)
		}
	}
	dir := t.TempDir()
	calls := 0
	fn := func(context.Context) (int, error) { calls++; return 42, nil }
	var foreign, own UnitKey
	for i := 0; ; i++ {
		k := UnitKey{Experiment: "x", Unit: fmt.Sprint("u", i), Version: "1"}
		_, key, err := (&Env{WorkDir: dir}).UnitPath(k)
		if err != nil {
			t.Fatal(err)
		}
		if s.Owns(key) && own.Unit == "" {
			own = k
		} else if !s.Owns(key) && foreign.Unit == "" {
			foreign = k
		}
		if own.Unit != "" && foreign.Unit != "" {
			break
		}
	}
	env := &Env{WorkDir: dir, Shard: s}
	if v, err := RunUnit(context.Background(), env, own, fn); err != nil || v != 42 || calls != 1 {
		t.Fatalf("own unit: %v, %v, %d calls", v, err, calls)
	}
	if _, err := RunUnit(context.Background(), env, foreign, fn); !Pending(err) || calls != 1 || !strings.Contains(err.Error(), foreign.Unit) {
		t.Fatalf("foreign unit: err %v, %d calls; want ErrNotInShard naming it and no call", err, calls)
	}
	// Computed elsewhere (here: by a run without a shard), it is served.
	if _, err := RunUnit(context.Background(), &Env{WorkDir: dir}, foreign, fn); err != nil {
		t.Fatal(err)
	}
	if v, err := RunUnit(context.Background(), env, foreign, fn); err != nil || v != 42 || calls != 2 {
		t.Fatalf("cached foreign unit: %v, %v, %d calls; want the cached 42", v, err, calls)
	}
}
