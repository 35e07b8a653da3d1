// Package chaos implements the chaotic systems used by neurocrypt's chaotic
// image ciphers — the Logistic map, the Logistic-Sine system (LSS), the
// Lorenz system, the 3-neuron chaotic Hopfield network ([Hopfield]) and a
// 6-cell hyperchaotic cellular neural network ([Cellular]) — together with
// the extraction of keystream bytes from their orbits, a Lyapunov-spectrum
// estimator for flows ([LyapunovSpectrum], Benettin et al. / Shimada &
// Nagashima with RK4 and QR re-orthonormalisation) and the weak-key checks
// built on it ([CheckHopfield], [CheckCellular]), which refuse parameters
// whose orbit is periodic, at rest, only transiently chaotic or (for the
// cellular network) not hyperchaotic. It also draws chaotic permutations
// ([Permutation], [KeyedPermutation]) for the ciphers' scrambling stages.
//
// # Determinism
//
// Every generator is a pure function of its parameters: the same parameters
// give the same orbit, bit for bit, on every run. Products are wrapped in
// explicit float64 conversions, which the Go specification says round to
// float64 and therefore forbid the compiler from fusing a multiply and an add
// into one FMA instruction (which some architectures would otherwise do), so
// orbits do not depend on the CPU's instruction selection. Package math
// gives no such promise: math.Sin is pure Go, but the compiler may fuse its
// polynomial where FMA is available (arm64; amd64 built with GOAMD64=v3),
// and math.Exp, math.Tanh and math.Log use assembly (on amd64 even FMA when
// the CPU has it). So the Logistic-Sine map, the Hopfield network and the
// Lyapunov estimator use this package's fdlibm/Cephes-based sin, tanh, exp
// and log instead, which give the same bits on every CPU (detmath.go).
//
// # Keystream extraction
//
// A state value v becomes one byte by the rule used throughout the chaotic
// image-encryption literature,
//
//	byte = floor(|v| · 10^14) mod 256,
//
// (see [ByteOf]; [Word32Of] keeps 32 bits instead of 8). The rule is chosen
// over raw mantissa bits because (1) it is the convention of the papers being
// reproduced, so keystreams are comparable with theirs; (2) it does not
// depend on the float's exponent, so values of different magnitude (the
// Lorenz coordinates range over about ±50) are treated alike; and (3) it reads
// digits far below the system's macroscopic scale, where nearby orbits have
// already separated. The scale 10^14 is safe for |v| < 64: there
// |v|·10^14 < 2^53 is computed exactly up to one rounding, and the spacing of
// float64 values times 10^14 is below 1 (ulp(32..64) · 10^14 ≈ 0.71), so every
// residue mod 256 is reachable and the byte is unbiased. The Logistic maps
// live in [0, 1) and the Lorenz attractor in |x|,|y| < 30, 0 < z < 50.
// The Hopfield and cellular generators take 32 bits per coordinate
// ([Word32Of], four little-endian bytes), which the same two facts make
// safe: their states stay below 30 and 48 in magnitude (see
// [Hopfield.FillBytes]).
//
// Generators fill caller-provided slices and allocate nothing in their inner
// loops.
package chaos

import "math"

// ByteDigits is k in the extraction rule byte = floor(|v|·10^k) mod 256.
const ByteDigits = 14

// byteScale is 10^ByteDigits.
const byteScale = 1e14

// ByteOf maps a chaotic state value to a keystream byte:
// floor(|v|·10^14) mod 256. See the package documentation for why.
// Non-finite values map to 0 (a generator never produces them).
func ByteOf(v float64) byte {
	return byte(scaled(v))
}

// Word32Of maps a chaotic state value to 32 keystream bits:
// floor(|v|·10^14) mod 2^32. It is used where a uniform integer is needed
// (permutations): one orbit value gives 32 bits instead of 8.
func Word32Of(v float64) uint32 {
	return uint32(scaled(v))
}

// scaled returns floor(|v|·10^14) as an integer (mod 2^64), 0 for non-finite v.
func scaled(v float64) uint64 {
	a := float64(math.Abs(v) * byteScale)
	if a < 1<<63 { // the common case; false for NaN
		return uint64(int64(a)) // the signed conversion is the cheap one on amd64
	}
	if math.IsInf(a, 0) || math.IsNaN(a) {
		return 0
	}
	return uint64(math.Mod(a, 1<<64))
}
