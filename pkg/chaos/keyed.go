package chaos

import "fmt"

// Keyed logistic maps: how the learned ciphers (the GAN cipher's and the
// agile cipher's key planes, the agile cipher's post-processing) and
// pkg/cipher's "perm-only" control turn a secret's digest into chaotic
// maps. Ours.

// KeyedMapsMax is the largest number of maps one 256-bit digest keys:
// each takes KeyedX0Bits + KeyedRBits = 84 bits, and 3 · 84 = 252 ≤ 256.
const KeyedMapsMax = 3

// KeyedX0Bits and KeyedRBits are the digest bits a keyed map's initial
// value and control parameter take.
const KeyedX0Bits, KeyedRBits = 52, 32

// KeyedLogistics returns n (1 … KeyedMapsMax) Logistic maps keyed by a
// 256-bit digest (a SHA-256 of the secret, domain-separated by the caller
// where one secret keys several things), each advanced MapTransient steps.
// Bits are read least significant first within a byte, bytes in order:
// bits [52i, 52i+52) give map i's x0 = (v + 1/2)/2^52 ∈ (0, 1) (never the
// fixed point 0), bits [52n + 32i, 52n + 32i + 32) its control parameter
// r = rMin + rSpan·v/2^32 ∈ [rMin, rMin + rSpan) (the span is a
// parameter, not rMax − rMin, so that a constant span is used exactly).
// Errors: n out of range, or a range outside (0, MaxR].
func KeyedLogistics(digest [32]byte, n int, rMin, rSpan float64) ([]*Logistic, error) {
	if n < 1 || n > KeyedMapsMax {
		return nil, fmt.Errorf("chaos: %d keyed maps: want 1..%d", n, KeyedMapsMax)
	}
	if !(rMin > 0 && rSpan > 0 && rMin+rSpan <= MaxR) {
		return nil, fmt.Errorf("chaos: keyed maps' r range [%g, %g + %g): want 0 < rMin, 0 < rSpan, rMin + rSpan ≤ %g", rMin, rMin, rSpan, float64(MaxR))
	}
	field := func(from, bits int) uint64 {
		var v uint64
		for k := 0; k < bits; k++ {
			b := from + k
			v |= uint64(digest[b/8]>>(b%8)&1) << k
		}
		return v
	}
	out := make([]*Logistic, n)
	for i := range out {
		x0 := (float64(field(KeyedX0Bits*i, KeyedX0Bits)) + 0.5) / (1 << KeyedX0Bits)
		r := rMin + rSpan*float64(field(KeyedX0Bits*n+KeyedRBits*i, KeyedRBits))/(1<<KeyedRBits)
		m, err := NewLogistic(r, x0)
		if err != nil {
			return nil, err
		}
		m.Skip(MapTransient)
		out[i] = m
	}
	return out, nil
}
