package cipher

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// The chaotic-neural-network schemes: weak keys, image-dependent
// keystreams, and the receiver's recovery of the dynamic key.

func TestHopfieldWeakKeysRefused(t *testing.T) {
	k := hopfieldScheme{}.GenerateKey(5).(HopfieldKey)
	// w11 = 1.9 (published: 2): a periodic window, the largest exponent
	// is about −0.0002 (pkg/chaos measured it; so did we).
	weak := HopfieldKey{chaos.HopfieldParams{W: chaos.HopfieldW, X0: [3]float64{0.1, 0.2, 0.3}}}
	weak.W[0][0] -= 0.1
	for _, c := range []struct {
		name string
		key  HopfieldKey
		want string
	}{
		{"non-chaotic weights", weak, "weak key"},
		{"weights far from the published ones", func() HopfieldKey { k := k; k.W[0][0] += 1; return k }(), "w11"},
		{"initial state at the origin, a fixed point", func() HopfieldKey { k := k; k.X0 = [3]float64{}; return k }(), ""},
	} {
		_, err := hopfieldScheme{}.New(c.key)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: New: %v, want an error mentioning %q", c.name, err, c.want)
		}
		if _, err := ParseKey(c.key.String()); err == nil {
			t.Errorf("%s: ParseKey accepted it", c.name)
		}
	}
}

func TestCellularWeakKeysRefused(t *testing.T) {
	k := cellularScheme{}.GenerateKey(5).(CellularKey)
	far := k.values()
	far[len(far)-1] += 1 // the last template entry, far from the published one
	zero := k
	zero.X0 = [chaos.CellularDim]float64{}
	for _, c := range []struct {
		name string
		key  CellularKey
	}{
		{"template far from the published one", cellularKeyOf(far)},
		{"initial state at the origin", zero},
	} {
		if _, err := (cellularScheme{}).New(c.key); err == nil {
			t.Errorf("%s: New accepted it", c.name)
		}
	}
}

// TestHopfieldDynamicKey: the keystream depends on the whole image (a
// one-sample change anywhere changes almost every ciphertext sample), yet
// decryption needs nothing but the key and the ciphertext.
func TestHopfieldDynamicKey(t *testing.T) {
	c := mustCipher(t, NameHopfield, 9)
	img := gradient(64, 64)
	enc := mustEncrypt(t, c, img)
	for _, pos := range []int{0, HopfieldHeadBytes - 1, HopfieldHeadBytes, 2000, 64*64 - 1} {
		p2 := img.Clone()
		p2.Pix[pos] ^= 1
		enc2 := mustEncrypt(t, c, p2)
		if npcr, _ := diffStats(enc, enc2); npcr < 99 {
			t.Errorf("one-sample change at %d: ciphertexts differ in %.2f%% of samples, want ≥ 99%%", pos, npcr)
		}
		dec, err := mustCipher(t, NameHopfield, 9).Decrypt(enc2)
		if err != nil || !dec.Equal(p2) {
			t.Errorf("change at %d: a fresh cipher did not decrypt (%v)", pos, err)
		}
	}
	// Two images' keystreams differ: XOR of the ciphertexts of two
	// different images is not the XOR of the images.
	zero := imageio.NewGray(64, 64)
	ez := mustEncrypt(t, c, zero)
	same := 0
	for i := range enc.Pix {
		if enc.Pix[i]^ez.Pix[i] == img.Pix[i] {
			same++
		}
	}
	if same > len(img.Pix)/50 {
		t.Errorf("%d of %d samples leak through the XOR of two ciphertexts", same, len(img.Pix))
	}
}

// TestRoundTripRandomSizes16: every scheme round-trips 16-bit images of
// random sizes exactly (TestRoundTrip covers 8-bit ones).
func TestRoundTripRandomSizes16(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 16))
	for _, name := range Names() {
		c := mustCipher(t, name, 16)
		for range 4 {
			g := imageio.MustNewGrayDepth(1+r.IntN(90), 1+r.IntN(90), imageio.Depth16)
			for i := range g.Pix {
				g.Pix[i] = byte(r.Uint32())
			}
			enc := mustEncrypt(t, c, g)
			dec, err := c.Decrypt(enc)
			if err != nil || !dec.Equal(g) || enc.BitDepth() != 16 {
				t.Fatalf("%s %dx%d 16-bit: round trip exact %v, depth %d (%v)", name, g.Width, g.Height, dec != nil && dec.Equal(g), enc.BitDepth(), err)
			}
		}
	}
}

// TestKeyErrorsNameKeyLineParameters: errors name parameters as the key
// line does, and typed nil keys are errors, not panics.
func TestKeyErrorsNameKeyLineParameters(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"hopfield:x1=1e3,x2=0.2,x3=0.3,w11=2,w12=-1.2,w13=0,w21=2,w22=1.71,w23=1.15,w31=-4.75,w32=0,w33=1.1", "parameter x1 is outside"},
		{"hopfield:x1=1e309,x2=0.2,x3=0.3,w11=2,w12=-1.2,w13=0,w21=2,w22=1.71,w23=1.15,w31=-4.75,w32=0,w33=1.1", "outside the range of float64"},
		{"hopfield:x1=0,x2=0,x3=0,w11=2,w12=-1.2,w13=0,w21=2,w22=1.71,w23=1.15,w31=-4.75,w32=0,w33=1.1", "equilibrium"},
	} {
		_, err := ParseKey(c.line)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "X0[") {
			t.Errorf("ParseKey(%.40q…): %v, want an error containing %q", c.line, err, c.want)
		}
	}
	k := cellularScheme{}.GenerateKey(1).(CellularKey)
	k.X0[4] = 7 // a filter cell: not key material
	if _, err := New(k); err == nil || !strings.Contains(err.Error(), "not key material") {
		t.Errorf("filter-cell change: %v", err)
	}
	for _, nilKey := range []Key{(*HopfieldKey)(nil), (*CellularKey)(nil), (*AESKey)(nil), (*BitplaneKey)(nil)} {
		if _, err := New(nilKey); err == nil {
			t.Errorf("New(%T nil) did not fail", nilKey)
		}
	}
}

// TestNamesStartWithLetterOrDigit: scheme and family names become file
// and folder names, so ".", "..", "-x" and "--help" are refused.
func TestNamesStartWithLetterOrDigit(t *testing.T) {
	for _, n := range []string{".", "..", "-x", "--help", "_a", "anc-n4/.."} {
		if why := validName(n, strings.Contains(n, "/")); why == "" {
			t.Errorf("name %q accepted", n)
		}
	}
	for _, n := range []string{"aes-ctr", "x.1", "9a", "anc-n4/mine"} {
		if why := validName(n, strings.Contains(n, "/")); why != "" {
			t.Errorf("name %q refused: %s", n, why)
		}
	}
}
