package cipher

import (
	"bytes"
	"crypto/aes"
	stdcipher "crypto/cipher"
	"encoding/hex"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// referenceBitplane encrypts p exactly as bitplaneCipher's documentation
// describes, written plainly (per-bit loops, separate stages), so that the
// optimised implementation is checked against the documented construction.
func referenceBitplane(t *testing.T, k ChaosParams, p []byte, diffuse bool) []byte {
	L := len(p)
	S := chaos.MustNewLogisticSine(k.R, k.X0)
	Z := chaos.MustNewLorenz(k.LX, k.LY, k.LZ)
	for i := 0; i < chaos.MapTransient; i++ {
		S.Next()
	}
	for i := 0; i < chaos.LorenzTransient; i++ {
		Z.Next()
	}
	half := (L + 1) / 2
	a := make([]byte, half)
	for i := range a {
		a[i] = chaos.ByteOf(S.Next())
	}
	var zbuf []byte // Lorenz bytes in x, y, z order
	zbyte := func() byte {
		if len(zbuf) == 0 {
			x, y, z := Z.Next()
			zbuf = []byte{chaos.ByteOf(x), chaos.ByteOf(y), chaos.ByteOf(z)}
		}
		v := zbuf[0]
		zbuf = zbuf[1:]
		return v
	}
	b := make([]byte, half)
	for i := range b {
		b[i] = zbyte()
	}
	// Stage 1, bit plane by bit plane: planes 0–3 from LSS bits, 4–7 from Lorenz bits.
	s := make([]byte, L)
	for i := range p {
		for plane := 0; plane < 8; plane++ {
			src, j := a, plane
			if plane >= 4 {
				src, j = b, plane-4
			}
			keyBit := src[i/2] >> (4*(i%2) + j) & 1
			s[i] |= (p[i]>>plane&1 ^ keyBit) << plane
		}
	}
	if !diffuse {
		return s
	}
	word := func() uint64 { return uint64(chaos.Word32Of(S.Next())) }
	w := make([]uint64, L)
	for i := range w {
		w[i] = word()
	}
	perm := make([]int, L)
	for i := range perm {
		perm[i] = i
	}
	for i := L - 1; i > 0; i-- {
		j := w[i] * uint64(i+1) >> 32
		perm[i], perm[j] = perm[j], perm[i]
	}
	v := make([]uint64, 256)
	for i := range v {
		v[i] = word()
	}
	var sbox [256]byte
	for i := range sbox {
		sbox[i] = byte(i)
	}
	for i := 255; i > 0; i-- {
		j := v[i] * uint64(i+1) >> 32
		sbox[i], sbox[j] = sbox[j], sbox[i]
	}
	iv1 := zbyte()
	k1 := make([]byte, L)
	for i := range k1 {
		k1[i] = zbyte()
	}
	iv2 := zbyte()
	k2 := make([]byte, L)
	for i := range k2 {
		k2[i] = zbyte()
	}
	tt := make([]byte, L)
	for k := range tt {
		tt[k] = s[perm[k]]
	}
	u := make([]byte, L)
	prev := int(iv1)
	for k := 0; k < L; k++ {
		u[k] = sbox[(int(tt[k]^k1[k])+prev)%256]
		prev = int(u[k])
	}
	c := make([]byte, L)
	next := int(iv2)
	for k := L - 1; k >= 0; k-- {
		c[k] = sbox[(int(u[k]^k2[k])+next)%256]
		next = int(c[k])
	}
	return c
}

func TestMatchesDocumentedConstruction(t *testing.T) {
	for _, name := range []string{NameBitplaneXOR, NameBitplane} {
		s := mustScheme(t, name)
		for seed, sz := range [][2]int{{1, 1}, {2, 1}, {3, 7}, {16, 16}, {33, 5}} {
			k := s.GenerateKey(uint64(seed))
			var p ChaosParams
			switch k := k.(type) {
			case BitplaneKey:
				p = k.ChaosParams
			case BitplaneXORKey:
				p = k.ChaosParams
			}
			img := randomImage(uint64(100+seed), sz[0], sz[1])
			c, _ := s.New(k)
			got := mustEncrypt(t, c, img)
			want := referenceBitplane(t, p, img.Pix, name == NameBitplane)
			if !bytes.Equal(got.Pix, want) {
				t.Errorf("%s %dx%d: implementation differs from the documented construction", name, sz[0], sz[1])
			}
		}
	}
}

func TestAESMatchesStdlib(t *testing.T) {
	s := mustScheme(t, NameAESCTR)
	for seed := uint64(0); seed < 5; seed++ {
		k := s.GenerateKey(seed).(AESKey)
		img := randomImage(seed, 37, 11)
		block, err := aes.NewCipher(k.Key[:])
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, len(img.Pix))
		stdcipher.NewCTR(block, k.IV[:]).XORKeyStream(want, img.Pix)
		c, _ := s.New(k)
		if got := mustEncrypt(t, c, img); !bytes.Equal(got.Pix, want) {
			t.Fatalf("seed %d: aes-ctr differs from crypto/cipher", seed)
		}
	}
	// NIST SP 800-38A, F.5.5 CTR-AES256.Encrypt, blocks 1 and 2.
	key, err := ParseKey("aes-ctr:key=603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4,iv=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
	if err != nil {
		t.Fatal(err)
	}
	pt, _ := hex.DecodeString("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
	want, _ := hex.DecodeString("601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5")
	got := mustEncrypt(t, MustNew(key), &imageio.Gray{Width: 8, Height: 4, Pix: pt})
	if !bytes.Equal(got.Pix, want) {
		t.Errorf("NIST CTR-AES256 vector: got %x, want %x", got.Pix, want)
	}
}
