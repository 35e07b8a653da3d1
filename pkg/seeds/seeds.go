// Package seeds derives the seeds of units of work from a run seed, so that
// a seed depends only on what the unit is, never on execution order or on
// global state. It has no dependencies, so every package (the security
// battery, the datasets, the experiments, the models) uses the same
// derivation.
package seeds

import (
	"fmt"
	"math"
	"math/bits"
)

// Sub derives a deterministic seed for a named unit of work from seed:
// SplitMix64 over seed and an FNV-1a hash of the parts (each written with
// fmt.Sprint and followed by a 0xff separator, so ("ab", "c") and ("a",
// "bc") differ). Ours.
func Sub(seed uint64, parts ...any) uint64 {
	h := uint64(14695981039346656037)
	for _, p := range parts {
		for _, b := range []byte(fmt.Sprint(p)) {
			h ^= uint64(b)
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	return splitmix(seed ^ splitmix(h))
}

// splitmix is SplitMix64's step and output function (Steele, Lea & Flood 2014).
func splitmix(x uint64) uint64 { return Mix64(x + 0x9e3779b97f4a7c15) }

// SplitMix is the SplitMix64 generator (Steele, Lea & Flood 2014) started
// at a seed. Every seeded random choice of neurocrypt's Go side (synthetic
// images, subsets, splits, tiles, shuffles, noise) draws from it rather
// than math/rand, so that it is bit-identical across Go versions and
// platforms. The zero value starts at seed 0.
type SplitMix struct {
	// State is the generator's position; set it to the seed.
	State uint64
}

// Mix64 is SplitMix64's output function: a bijective 64-bit mixer.
func Mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Uint64 returns the next 64 random bits.
func (r *SplitMix) Uint64() uint64 {
	r.State += 0x9e3779b97f4a7c15
	return Mix64(r.State)
}

// Float64 returns a uniform value in [0, 1) with 53 random bits.
func (r *SplitMix) Float64() float64 { return float64(r.Uint64()>>11) * 0x1p-53 }

// Range returns a uniform value in [lo, hi).
func (r *SplitMix) Range(lo, hi float64) float64 { return lo + float64((hi-lo)*r.Float64()) }

// IntN returns a value in [0, n) for n > 0 (Lemire's multiply-shift; the
// bias is below n/2⁶⁴).
func (r *SplitMix) IntN(n int) int {
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int(hi)
}

// FillBytes fills b with random bytes: each Uint64 gives the next 8 bytes,
// least significant first (a secret key of a learned cipher).
func (r *SplitMix) FillBytes(b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := r.Uint64()
		for j := i; j < min(i+8, len(b)); j++ {
			b[j] = byte(v >> (8 * (j - i)))
		}
	}
}

// Perm returns a random permutation of 0..n-1 (Fisher–Yates).
func (r *SplitMix) Perm(n int) []int {
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

// Normal returns a standard normal variate (Box–Muller, from two Float64).
func (r *SplitMix) Normal() float64 {
	u := 1 - r.Float64() // (0, 1]
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.Float64())
}
