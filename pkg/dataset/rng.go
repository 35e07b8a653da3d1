package dataset

import (
	"math/bits"
	"sort"
)

// splitMix is the SplitMix64 generator (Steele, Lea & Flood 2014). It is
// used instead of math/rand so that every seeded choice in this package
// (synthetic images, subsets, splits, tile choice) is bit-identical across
// Go versions and platforms.
type splitMix struct{ state uint64 }

// mix64 is SplitMix64's output function, a strong 64-bit mixer.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *splitMix) Uint64() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix64(r.state)
}

// Float64 returns a uniform value in [0, 1) with 53 random bits.
func (r *splitMix) Float64() float64 { return float64(r.Uint64()>>11) * 0x1p-53 }

// Range returns a uniform value in [lo, hi).
func (r *splitMix) Range(lo, hi float64) float64 { return lo + float64((hi-lo)*r.Float64()) }

// IntN returns a value in [0, n) for n > 0 (Lemire's multiply-shift; the
// bias for the small n used here is below 2⁻³²).
func (r *splitMix) IntN(n int) int {
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int(hi)
}

// Perm returns a seeded random permutation of 0..n-1 (Fisher–Yates).
func (r *splitMix) Perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

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
	return mix64(h ^ mix64(seed+0x9e3779b97f4a7c15))
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
