package experiment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/atomicfile"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// CodeVersion returns the version of the running code mixed into every cache
// key: the SHA-256 of the running executable (Go builds are reproducible, so
// `go run` of an unchanged tree gives the same binary and reuses the cache,
// while any code change invalidates it — a stale number can never be served
// after an edit). Falls back to "unknown-binary" if the executable can't be read.
func CodeVersion() string {
	codeVersionOnce.Do(func() {
		codeVersion = "unknown-binary"
		exe, err := os.Executable()
		if err != nil {
			return
		}
		f, err := os.Open(exe)
		if err != nil {
			return
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return
		}
		codeVersion = hex.EncodeToString(h.Sum(nil))[:16]
	})
	return codeVersion
}

var (
	codeVersionOnce sync.Once
	codeVersion     string
)

// UnitKey identifies one unit of work: a whole experiment, or one training
// run inside one. The cache key is a hash of it together with the Env's
// profile, seed, data (dataset.Fingerprint: the source and, for files on
// disk, their sizes and times or checksums) and the running binary (and the
// backend, when UsesBackend is set).
type UnitKey struct {
	Experiment string // experiment ID
	Unit       string // unit name within the experiment, e.g. "run/cpa/n8/3"
	Version    string // the experiment's code version; bump to invalidate
	// Params is anything else the result depends on (data hash, sizes,
	// hyperparameters); it must marshal to JSON deterministically
	// (structs, slices, numbers, strings — maps are sorted by encoding/json).
	Params any
	// UsesBackend includes the backend in the key (trained models).
	UsesBackend bool
}

// Hash returns the unit's cache key in env as a hex string.
func (k UnitKey) Hash(env *Env) (string, error) {
	type keyJSON struct {
		Experiment, Unit, Version, CodeVersion string
		Params                                 any
		Profile                                Profile
		Seed                                   uint64
		Data                                   string
		Backend                                string
	}
	j := keyJSON{Experiment: k.Experiment, Unit: k.Unit, Version: k.Version, CodeVersion: CodeVersion(),
		Params: k.Params, Profile: env.Profile, Seed: env.Seed}
	if env.Data != nil {
		j.Data = dataset.Fingerprint(env.Data)
	}
	if k.UsesBackend && env.Backend != nil {
		j.Backend = env.Backend.Name()
	}
	b, err := json.Marshal(j)
	if err != nil {
		return "", fmt.Errorf("unit %s/%s: cache key: %w", k.Experiment, k.Unit, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// unitFile is the stored form of a finished unit: gob-encoded (exact for
// every float64, NaN and ±Inf included), followed by the SHA-256 of the
// encoding, so that a flipped bit or a truncation is detected on reading.
type unitFile struct {
	Experiment string
	Unit       string
	Key        string
	Finished   time.Time
	Seconds    float64
	Value      []byte // gob encoding of the unit's result
}

var logMu sync.Mutex

// staleAge is how old a temporary file in the cache must be before it
// counts as left by a killed writer.
const staleAge = time.Hour

var cleaned sync.Map // cache folders cleaned of stale temporaries

// cleanOnce removes stale temporaries from a cache folder, once per process.
func cleanOnce(dir string) {
	if _, done := cleaned.LoadOrStore(dir, true); !done {
		atomicfile.CleanStale(dir, staleAge)
	}
}

// CacheLogName is the file under WorkDir where every cache hit, store and
// bad entry is appended as one line: "<time> hit|store|bad
// <experiment>/<unit> <key>[ "<why>"]".
const CacheLogName = "cache.log"

func (e *Env) cacheLog(event string, k UnitKey, key string, detail ...string) {
	if e.WorkDir == "" {
		return
	}
	logMu.Lock()
	defer logMu.Unlock()
	_ = os.MkdirAll(e.WorkDir, 0o755)
	f, err := os.OpenFile(filepath.Join(e.WorkDir, CacheLogName), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	line := fmt.Sprintf("%s %s %s/%s %s", time.Now().UTC().Format(time.RFC3339Nano), event, k.Experiment, k.Unit, key[:16])
	if len(detail) > 0 {
		line += " " + strconv.Quote(strings.Join(detail, "; "))
	}
	fmt.Fprintln(f, line)
}

// UnitPath returns the file a unit's result is stored in, and its key.
func (e *Env) UnitPath(k UnitKey) (path, key string, err error) {
	key, err = k.Hash(e)
	if err != nil {
		return "", "", err
	}
	name := strings.NewReplacer("/", "_", " ", "_", ":", "_").Replace(k.Unit)
	return filepath.Join(e.WorkDir, "cache", k.Experiment, name+"-"+key[:16]+".gob"), key, nil
}

// UnitDir returns a directory private to the unit (for checkpoints of a
// long training), creating it. It is keyed like the cached result, so a
// changed input never resumes from a stale checkpoint.
func (e *Env) UnitDir(k UnitKey) (string, error) {
	if e.WorkDir == "" {
		return "", errors.New("no work dir: checkpoints disabled")
	}
	key, err := k.Hash(e)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(e.WorkDir, "checkpoints", k.Experiment, key[:16])
	return dir, ensureDir(e.WorkDir, dir)
}

// ensureDir creates dir, a folder under root (the work dir), repairing the
// way: a file or anything else that is not a folder where one of dir's
// folders below root belongs is removed first (the work dir is ours to
// repair; a damaged cache must never make every later run fail).
func ensureDir(root, dir string) error {
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return os.MkdirAll(dir, 0o755)
	}
	p := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		p = filepath.Join(p, part)
		if st, err := os.Lstat(p); err == nil && !st.IsDir() {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("repairing the work dir: %s is not a folder and cannot be removed: %w", p, err)
			}
		}
	}
	return os.MkdirAll(dir, 0o755)
}

// freshStored holds the cache entries this process stored while Fresh: a
// Fresh run computes each unit once, and a second request for it in the
// same process (the survey and the gan experiment share the GAN's
// training) reads what the first stored.
var freshStored sync.Map

// RunUnit returns the cached result of unit k if one is stored (and
// env.Fresh is false, or this process stored it in a Fresh run); otherwise it runs fn, stores its result atomically
// and returns it (a result that cannot be stored — a read-only or full
// work dir — is returned all the same, with a warning in the log). With no WorkDir it just runs fn. T is stored with
// encoding/gob, so it must be gob-encodable (exported fields; values held in
// interfaces must be of basic or gob.Register-ed types). Every store and hit
// is appended to WorkDir/cache.log; so is every damaged entry (altered,
// truncated, not a regular file), which is recomputed, never served.
func RunUnit[T any](ctx context.Context, env *Env, k UnitKey, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if env.WorkDir == "" {
		return fn(ctx)
	}
	path, key, err := env.UnitPath(k)
	if err != nil {
		return zero, err
	}
	if _, done := freshStored.Load(path); !env.Fresh || done {
		v, why := readUnit[T](path, key)
		if why == "" {
			env.cacheLog("hit", k, key)
			return v, nil
		}
		if why != missing {
			// A damaged or foreign entry is a logged miss: recomputed,
			// never served.
			env.cacheLog("bad", k, key, why)
			next := "recomputing"
			if env.Shard != nil && !env.Shard.Owns(key) {
				next = "left to its shard (or the assembly) to recompute"
			}
			env.Logf("cache: %s/%s: %s; %s", k.Experiment, k.Unit, why, next)
		}
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if env.Shard != nil && !env.Shard.Owns(key) {
		return zero, fmt.Errorf("unit %s/%s: %w", k.Experiment, k.Unit, ErrNotInShard)
	}
	start := time.Now()
	v, err := fn(ctx)
	if err != nil {
		return zero, err
	}
	var val bytes.Buffer
	if err := gob.NewEncoder(&val).Encode(&v); err != nil {
		return zero, fmt.Errorf("unit %s/%s: encoding result for the cache: %w", k.Experiment, k.Unit, err)
	}
	uf := unitFile{Experiment: k.Experiment, Unit: k.Unit, Key: key, Finished: time.Now().UTC(),
		Seconds: time.Since(start).Seconds(), Value: val.Bytes()}
	var file bytes.Buffer
	if err := gob.NewEncoder(&file).Encode(&uf); err != nil {
		return zero, err
	}
	sealed := atomicfile.Seal(file.Bytes())
	// A directory where the entry belongs (a damaged cache) is removed:
	// the cache is ours to repair, and a miss must never be fatal.
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		env.cacheLog("bad", k, key, "not a regular file; replaced")
		if err := os.RemoveAll(path); err != nil {
			return zero, fmt.Errorf("unit %s/%s: repairing the cache entry %s: %w", k.Experiment, k.Unit, path, err)
		}
	}
	// A result that cannot be stored (a read-only or full work dir) is
	// still returned: losing the cache entry costs a recomputation next
	// time, failing would lose the work just done.
	if err := ensureDir(env.WorkDir, filepath.Dir(path)); err != nil {
		env.Logf("cache: %s/%s: not cached (%v); the result is used, and a re-run recomputes it", k.Experiment, k.Unit, err)
		return v, nil
	}
	if err := atomicfile.WriteFile(path, sealed, 0o644); err != nil {
		env.Logf("cache: %s/%s: not cached (%v); the result is used, and a re-run recomputes it", k.Experiment, k.Unit, err)
		return v, nil
	}
	cleanOnce(filepath.Dir(path))
	env.cacheLog("store", k, key)
	if env.Fresh {
		freshStored.Store(path, true)
	}
	return v, nil
}

// MaxUnitBytes bounds a stored unit's file (the largest quick-profile
// entries are under 1 MB; a weights file may have 256 MiB): a larger entry
// is recomputed, never read. Ours.
const MaxUnitBytes = 256 << 20

// missing is readUnit's reason for an entry that does not exist.
const missing = "missing"

// readUnit decodes a stored unit. why is "" on success, missing when
// there is no entry, and otherwise says what is wrong with it (not a
// regular file, truncated or altered — the SHA-256 trailer does not match —,
// undecodable, stored for another key); the unit is then recomputed.
func readUnit[T any](path, key string) (v T, why string) {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return v, missing
	case err != nil:
		return v, err.Error()
	case !st.Mode().IsRegular():
		return v, "not a regular file"
	}
	// Bounded and never blocking (safefile.ReadFile): a huge or swapped
	// entry is refused from its size, not read into memory.
	b, err := safefile.ReadFile(path, MaxUnitBytes, "a cache entry")
	if err != nil {
		return v, err.Error()
	}
	body, err := atomicfile.Unseal(b)
	switch {
	case errors.Is(err, atomicfile.ErrShort):
		return v, "truncated"
	case err != nil:
		return v, "checksum mismatch (altered or truncated)"
	}
	var uf unitFile
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&uf); err != nil {
		return v, "undecodable: " + err.Error()
	}
	if uf.Key != key {
		return v, "stored for another key"
	}
	if err := gob.NewDecoder(bytes.NewReader(uf.Value)).Decode(&v); err != nil {
		return v, "undecodable value: " + err.Error()
	}
	return v, ""
}
