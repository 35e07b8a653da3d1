package experiment

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxShards bounds the N of a sharded run (a typo must not create a
// million-way split). Ours.
const MaxShards = 4096

// ErrNotInShard is returned (wrapped, naming the unit) by RunUnit for a
// unit that is neither cached nor owned by this process's shard: another
// shard computes it. Experiments whose units are independent go on with
// their next unit and return the error at the end (see Pending), so that a
// shard computes all of its own units; the report is assembled afterwards
// by a run without a shard on the same work dir.
var ErrNotInShard = errors.New("left to another shard")

// Pending reports whether err says that some units were left to other
// shards (and nothing else went wrong).
func Pending(err error) bool { return errors.Is(err, ErrNotInShard) }

// Shard is one part of a sharded run (`reproduce -shard I/N`): the process
// computes only the units whose cache key falls in part Index of Count,
// into a work dir shared by every part (units are spread by a hash of
// their key, so each is computed by exactly one part; cache entries are
// written atomically, so parts never see a half-written entry). Ours.
type Shard struct{ Index, Count int }

// ParseShard reads "I/N" (0 ≤ I < N ≤ MaxShards).
func ParseShard(s string) (*Shard, error) {
	is, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	digits := func(x string) bool { return x != "" && strings.Trim(x, "0123456789") == "" }
	switch {
	case !ok || err1 != nil || err2 != nil || !digits(is) || !digits(ns):
		return nil, fmt.Errorf("shard %q: want I/N, e.g. 0/4", s)
	case n < 1 || n > MaxShards:
		return nil, fmt.Errorf("shard %q: N = %d: want 1..%d", s, n, MaxShards)
	case i < 0 || i >= n:
		return nil, fmt.Errorf("shard %q: I = %d: want 0..%d", s, i, n-1)
	}
	return &Shard{Index: i, Count: n}, nil
}

// String is the "I/N" form.
func (s *Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Owns reports whether the unit with cache key key is this shard's.
func (s *Shard) Owns(key string) bool {
	h := sha256.Sum256([]byte(key))
	return binary.BigEndian.Uint64(h[:8])%uint64(s.Count) == uint64(s.Index)
}
