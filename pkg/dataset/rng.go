package dataset

import (
	"sort"

	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// splitMix is the package's name for seeds.SplitMix (SplitMix64): every
// seeded choice here (synthetic images, subsets, splits, tiles, shuffles)
// is bit-identical across Go versions and platforms.
type splitMix = seeds.SplitMix

// keyOf derives a 64-bit key from a seed, a purpose (so that different
// uses of one seed are independent) and an identifier, with FNV-1a over
// the strings and SplitMix64 mixing.
func keyOf(seed uint64, purpose, id string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(purpose); i++ {
		h = (h ^ uint64(purpose[i])) * prime
	}
	h = (h ^ 0xff) * prime // separator: no byte of a string is 0xff in UTF-8
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * prime
	}
	return seeds.Mix64(h ^ seeds.Mix64(seed+0x9e3779b97f4a7c15))
}

// shuffleIDs returns the indices of ids in a seeded random order that
// depends only on the seed, the purpose and the IDs themselves (not on
// their order in the source): sorted by keyOf, ties broken by ID.
func shuffleIDs(seed uint64, purpose string, ids []string, idx []int) []int {
	type keyed struct {
		key uint64
		i   int
	}
	ks := make([]keyed, len(idx))
	for n, i := range idx {
		ks[n] = keyed{keyOf(seed, purpose, ids[i]), i}
	}
	sort.Slice(ks, func(a, b int) bool {
		if ks[a].key != ks[b].key {
			return ks[a].key < ks[b].key
		}
		return ids[ks[a].i] < ids[ks[b].i]
	})
	out := make([]int, len(ks))
	for n, k := range ks {
		out[n] = k.i
	}
	return out
}
