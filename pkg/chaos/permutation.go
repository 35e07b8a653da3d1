package chaos

// Chaotic permutations: a Fisher–Yates shuffle driven by a chaotic word
// stream, as the chaotic image ciphers scramble pixel positions (the
// Hopfield and cellular ciphers of pkg/cipher, its "perm-only" control, and
// the agile cipher's obfuscation). Ours, after the usual permutation stage
// of chaotic image ciphers.

// permutationChunk is how many words Permutation asks its source for at a
// time (the result does not depend on it).
const permutationChunk = 1 << 16

// Permutation returns a permutation π of 0…n−1 drawn by Fisher–Yates from
// the word source fill: π starts as the identity and, for i = n−1 down to
// 1, π[i] and π[j] are swapped with j = ⌊w·(i+1)/2^32⌋ (Lemire's
// multiply-shift reduction; its bias is below n/2^32), w the next word of
// fill — word t for position n−1−t, n−1 words in all. fill is called with
// chunks of at most 65 536 words, in stream order; the result depends on
// the words only, not on how they are chunked. A permuted sequence is
// y[k] = x[π[k]], undone by x[π[k]] = y[k].
//
// n = 0 and n = 1 give the empty and the identity permutation without
// calling fill. It panics if n is negative or above 2^32 (the entries are
// uint32).
func Permutation(n int, fill func(dst []uint32)) []uint32 {
	if n < 0 || uint64(n) > 1<<32 {
		panic("chaos: Permutation: length out of range")
	}
	perm := make([]uint32, n)
	for i := range perm {
		perm[i] = uint32(i)
	}
	w := make([]uint32, min(max(n-1, 0), permutationChunk))
	for i := n - 1; i > 0; {
		m := min(len(w), i)
		fill(w[:m])
		for _, word := range w[:m] {
			j := uint32(uint64(word) * uint64(i+1) >> 32)
			perm[i], perm[j] = perm[j], perm[i]
			i--
		}
	}
	return perm
}

// LogisticMix is a keystream of 32-bit words from several Logistic maps
// run in step: each word advances every map one iteration and is the XOR
// of their Word32Of values, in the slice's order. A single map's words
// carry its orbit's correlations; the XOR of independent maps hides them.
// The maps are advanced in place, so a LogisticMix is not safe for
// concurrent use. An empty LogisticMix gives zero words.
type LogisticMix []*Logistic

// Next advances every map one iteration and returns the XOR of their
// Word32Of values.
func (m LogisticMix) Next() uint32 {
	var w uint32
	for _, l := range m {
		w ^= Word32Of(l.Next())
	}
	return w
}

// FillWords fills dst with the next len(dst) words (Next, in order).
func (m LogisticMix) FillWords(dst []uint32) {
	for i := range dst {
		dst[i] = m.Next()
	}
}

// KeyedPermutation returns the chaotic permutation of 0…n−1 keyed by a
// 256-bit digest: Permutation(n, LogisticMix(maps).FillWords) with maps =
// KeyedLogistics(digest, nMaps, rMin, rSpan) (each already advanced
// MapTransient steps). The agile cipher's obfuscation and pkg/cipher's
// "perm-only" control use it with three maps and r ∈ [3.99, 4). Errors are
// KeyedLogistics's (nMaps or the r range out of range); n must be in
// [0, 2^32], as for Permutation. Ours.
func KeyedPermutation(digest [32]byte, n, nMaps int, rMin, rSpan float64) ([]uint32, error) {
	maps, err := KeyedLogistics(digest, nMaps, rMin, rSpan)
	if err != nil {
		return nil, err
	}
	return Permutation(n, LogisticMix(maps).FillWords), nil
}
