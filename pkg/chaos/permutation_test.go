package chaos

import (
	"crypto/sha256"
	"slices"
	"strings"
	"testing"
)

// referenceFisherYates is Permutation written plainly: one word at a time.
func referenceFisherYates(n int, next func() uint32) []uint32 {
	p := make([]uint32, n)
	for i := range p {
		p[i] = uint32(i)
	}
	for i := n - 1; i > 0; i-- {
		j := uint64(next()) * uint64(i+1) >> 32
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// TestPermutation: a permutation of 0…n−1 for every n (past a chunk of
// words too), n−1 words drawn in stream order, the same as Fisher–Yates
// one word at a time, and no words for n ≤ 1.
func TestPermutation(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 1000, permutationChunk + 2, 2*permutationChunk + 7} {
		words := 0
		h := MustNewHopfield(HopfieldParams{W: HopfieldW, X0: [3]float64{0.1, 0.2, 0.3}})
		p := Permutation(n, func(dst []uint32) { words += len(dst); h.FillWords(dst) })
		if len(p) != n || words != max(n-1, 0) {
			t.Fatalf("n=%d: %d entries from %d words, want %d from %d", n, len(p), words, n, max(n-1, 0))
		}
		seen := make([]bool, n)
		for _, v := range p {
			if int(v) >= n || seen[v] {
				t.Fatalf("n=%d: not a permutation", n)
			}
			seen[v] = true
		}
		h2 := MustNewHopfield(HopfieldParams{W: HopfieldW, X0: [3]float64{0.1, 0.2, 0.3}})
		var w [1]uint32
		ref := referenceFisherYates(n, func() uint32 { h2.FillWords(w[:]); return w[0] })
		if !slices.Equal(p, ref) {
			t.Fatalf("n=%d: differs from Fisher–Yates drawn one word at a time", n)
		}
		if n >= 1000 && slices.IsSorted(p) {
			t.Fatalf("n=%d: the identity", n)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Permutation(-1) did not panic")
		}
	}()
	Permutation(-1, func([]uint32) {})
}

// TestLogisticMix: each word is the XOR of the maps' Word32Of values, and
// FillWords is Next repeated.
func TestLogisticMix(t *testing.T) {
	a, b := MustNewLogistic(3.99, 0.1), MustNewLogistic(3.995, 0.2)
	ra, rb := *a, *b
	mix := LogisticMix{a, b}
	for i := range 10 {
		if got, want := mix.Next(), Word32Of(ra.Next())^Word32Of(rb.Next()); got != want {
			t.Fatalf("word %d: %#x, want %#x", i, got, want)
		}
	}
	c, d := *a, *b
	w := make([]uint32, 5)
	LogisticMix{&c, &d}.FillWords(w)
	for i, v := range w {
		if want := mix.Next(); v != want {
			t.Fatalf("FillWords word %d: %#x, want %#x", i, v, want)
		}
	}
	if (LogisticMix{}).Next() != 0 {
		t.Error("an empty mix gave a non-zero word")
	}
}

// TestKeyedPermutation: deterministic, a different digest gives a different
// permutation, errors from bad map settings, and the values are pinned
// (the agile cipher's obfuscation and the perm-only control depend on
// them).
func TestKeyedPermutation(t *testing.T) {
	d := sha256.Sum256([]byte("keyed permutation"))
	p, err := KeyedPermutation(d, 16, 3, 3.99, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint32{13, 2, 14, 0, 10, 3, 15, 1, 5, 4, 12, 8, 7, 6, 9, 11}; !slices.Equal(p, want) {
		t.Errorf("KeyedPermutation(…, 16) = %v, want %v", p, want)
	}
	again, _ := KeyedPermutation(d, 16, 3, 3.99, 0.01)
	if !slices.Equal(p, again) {
		t.Error("two calls gave different permutations")
	}
	// Flips of the digest bits the maps use: every r bit, and x0 bits from
	// 8 up (a flip of one of the lowest bits of x0 can be absorbed by
	// rounding in the first iterations, as for any float key parameter:
	// bit 52, the lowest of the second map's x0, is for this digest).
	big, _ := KeyedPermutation(d, 4096, 3, 3.99, 0.01)
	var bits []int
	for i := range 3 {
		bits = append(bits, KeyedX0Bits*i+8, KeyedX0Bits*i+30, KeyedX0Bits*i+51,
			3*KeyedX0Bits+KeyedRBits*i, 3*KeyedX0Bits+KeyedRBits*i+31)
	}
	for _, bit := range bits {
		e := d
		e[bit/8] ^= 1 << (bit % 8)
		other, err := KeyedPermutation(e, 4096, 3, 3.99, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(big, other) {
			t.Errorf("digest bit %d flipped: the same permutation", bit)
		}
	}
	for _, c := range []struct {
		maps        int
		rMin, rSpan float64
		want        string
	}{{0, 3.99, 0.01, "keyed maps"}, {4, 3.99, 0.01, "keyed maps"}, {3, 3.99, 0.02, "r range"}} {
		if _, err := KeyedPermutation(d, 4, c.maps, c.rMin, c.rSpan); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%d maps, r in [%g, %g + %g): %v, want an error about the %s", c.maps, c.rMin, c.rMin, c.rSpan, err, c.want)
		}
	}
}
