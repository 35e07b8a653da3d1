package cipher

import (
	"math"
	"testing"
)

func TestFloat64Count(t *testing.T) {
	one := math.Nextafter(1, 2)
	for _, c := range []struct {
		lo, hi, want float64
	}{
		{1, one, 1},
		{1, 2, 1 << 52},         // one binade
		{0.5, 2, 2 << 52},       // two binades
		{-1, 1, 2 * 1023 << 52}, // both signs, ±0 counted as two values
		{0, math.SmallestNonzeroFloat64, 1},
		{2, 1, 0},
		{math.Inf(-1), 0, 0},
		{math.NaN(), 1, 0},
	} {
		if got := Float64Count(c.lo, c.hi); got != c.want {
			t.Errorf("Float64Count(%g, %g) = %g, want %g", c.lo, c.hi, got, c.want)
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
	// Five parameters of at most 2^62 float64 values each.
	s, _ := Lookup(NameBitplane)
	if b := s.(KeySpacer).KeySpace().Bits; b > 5*62 || b < 5*52 {
		t.Errorf("bitplane key space %g bits, want between 260 and 310", b)
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
