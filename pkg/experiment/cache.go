package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/atomicfile"
)

// CodeVersion is mixed into every cache key. Bump it when a change to shared
// code (datasets, metrics, ciphers) changes numbers; experiments also pass
// their own Version in UnitKey.
const CodeVersion = "1"

// UnitKey identifies one unit of work: a whole experiment, or one training
// run inside one. The cache key is a hash of it together with the Env's
// profile, seed and data source (and backend, when UsesBackend is set).
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
	j := keyJSON{Experiment: k.Experiment, Unit: k.Unit, Version: k.Version, CodeVersion: CodeVersion,
		Params: k.Params, Profile: env.Profile, Seed: env.Seed}
	if env.Data != nil {
		j.Data = env.Data.Name()
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

// unitFile is the stored form of a finished unit.
type unitFile struct {
	Experiment string          `json:"experiment"`
	Unit       string          `json:"unit"`
	Key        string          `json:"key"`
	Finished   time.Time       `json:"finished"`
	Seconds    float64         `json:"seconds"`
	Value      json.RawMessage `json:"value"`
}

var logMu sync.Mutex

// CacheLogName is the file under WorkDir where every cache hit and store is
// appended as one line: "<time> hit|store <experiment>/<unit> <key>".
const CacheLogName = "cache.log"

func (e *Env) cacheLog(event string, k UnitKey, key string) {
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
	fmt.Fprintf(f, "%s %s %s/%s %s\n", time.Now().UTC().Format(time.RFC3339Nano), event, k.Experiment, k.Unit, key[:16])
}

// UnitPath returns the file a unit's result is stored in, and its key.
func (e *Env) UnitPath(k UnitKey) (path, key string, err error) {
	key, err = k.Hash(e)
	if err != nil {
		return "", "", err
	}
	name := strings.NewReplacer("/", "_", " ", "_", ":", "_").Replace(k.Unit)
	return filepath.Join(e.WorkDir, "cache", k.Experiment, name+"-"+key[:16]+".json"), key, nil
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
	return dir, os.MkdirAll(dir, 0o755)
}

// RunUnit returns the cached result of unit k if one is stored (and
// env.Fresh is false); otherwise it runs fn, stores its result atomically
// and returns it. With no WorkDir it just runs fn. T must round-trip through
// encoding/json exactly (float64 does: Go prints the shortest repr that parses
// back to the same value; NaN/Inf do not — store them as pointers or strings).
func RunUnit[T any](ctx context.Context, env *Env, k UnitKey, fn func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if env.WorkDir == "" {
		return fn(ctx)
	}
	path, key, err := env.UnitPath(k)
	if err != nil {
		return zero, err
	}
	if !env.Fresh {
		if b, err := os.ReadFile(path); err == nil {
			var uf unitFile
			var v T
			if err := json.Unmarshal(b, &uf); err == nil && uf.Key == key {
				if err := json.Unmarshal(uf.Value, &v); err == nil {
					env.cacheLog("hit", k, key)
					return v, nil
				}
			}
			env.Logf("cache: ignoring unreadable %s", path)
		}
	}
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	start := time.Now()
	v, err := fn(ctx)
	if err != nil {
		return zero, err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return zero, fmt.Errorf("unit %s/%s: encoding result for the cache: %w", k.Experiment, k.Unit, err)
	}
	uf := unitFile{Experiment: k.Experiment, Unit: k.Unit, Key: key, Finished: time.Now().UTC(),
		Seconds: time.Since(start).Seconds(), Value: raw}
	b, err := json.MarshalIndent(uf, "", "  ")
	if err != nil {
		return zero, err
	}
	if err := atomicfile.WriteFile(path, b, 0o644); err != nil {
		return zero, fmt.Errorf("unit %s/%s: storing result: %w", k.Experiment, k.Unit, err)
	}
	env.cacheLog("store", k, key)
	return v, nil
}
