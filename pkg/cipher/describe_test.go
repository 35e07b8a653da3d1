package cipher

import (
	"math"
	"testing"
)

func TestResolvableValues(t *testing.T) {
	for _, c := range []struct {
		lo, hi, want float64
	}{
		{1, 2, 1 << 52},   // one binade: every float64 in it
		{0.5, 2, 3 << 51}, // spacing at just below 2 is 2^-52
		{-1, 1, 1 << 53},  // the largest magnitude is 1 itself (at −1), spacing 2^-52
		{0, 0.5, 1 << 53}, // the spacing at 0.5⁻ is 2^-54, not the finer one near 0
		{2, 1, 0},
		{math.Inf(-1), 0, 0},
		{math.NaN(), 1, 0},
	} {
		if got := ResolvableValues(c.lo, c.hi); got != c.want {
			t.Errorf("ResolvableValues(%g, %g) = %g (2^%.2f), want %g", c.lo, c.hi, got, math.Log2(got), c.want)
		}
	}
}

func TestKeySpaceAndClass(t *testing.T) {
	for _, name := range []string{NameBitplane, NameBitplaneXOR, NameAESCTR} {
		s, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		ks, ok := s.(KeySpacer)
		if !ok {
			t.Fatalf("%s: no KeySpace", name)
		}
		k := ks.KeySpace()
		if !(k.Bits > 100 && k.Bits < 400) || k.Basis == "" {
			t.Errorf("%s: key space %v bits (%q)", name, k.Bits, k.Basis)
		}
		if ClassOf(s) == ClassUnknown {
			t.Errorf("%s: no class", name)
		}
	}
	// Five parameters: x0 and lz within one or a few binades, r in half
	// a binade, lx and ly on both signs; 8 bits of each not counted.
	s, _ := Lookup(NameBitplane)
	if b := s.(KeySpacer).KeySpace().Bits; b < 5*(50-8) || b > 5*(54-8) {
		t.Errorf("bitplane key space %g bits, want between 210 and 230", b)
	}
}

func TestAESWithNonce(t *testing.T) {
	k := aesScheme{}.GenerateKey(1).(AESKey)
	nonce := make([]byte, AESIVSize)
	nonce[0] = 7
	k2, err := k.WithNonce(nonce)
	if err != nil {
		t.Fatal(err)
	}
	if k2.(AESKey).IV[0] != 7 || k2.(AESKey).Key != k.Key {
		t.Errorf("WithNonce did not replace only the IV")
	}
	if _, err := k.WithNonce(nonce[:3]); err == nil {
		t.Error("a short nonce was accepted")
	}
	var _ NonceKey = k
}
