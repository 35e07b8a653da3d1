// Package seeds derives the seeds of units of work from a run seed, so that
// a seed depends only on what the unit is, never on execution order or on
// global state. It has no dependencies, so every package (the security
// battery, the datasets, the experiments, the models) uses the same
// derivation.
package seeds

import "fmt"

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
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
