package cipher

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// The "perm-only" control: a permutation of the samples, values kept.

func permCipher(t testing.TB, seed uint64) Cipher {
	t.Helper()
	c, err := permutationScheme{}.New(permutationScheme{}.GenerateKey(seed))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// indexImage16 returns a 16-bit image whose sample i is i (n ≤ 65536), so
// that a cipher image's samples read off the permutation: c[k] = π[k].
func indexImage16(w, h int) *imageio.Gray {
	g := imageio.MustNewGrayDepth(w, h, imageio.Depth16)
	for i := range g.Len() {
		g.SetSample(i, i)
	}
	return g
}

// randomImage16 returns a seeded random 16-bit image.
func randomImage16(seed uint64, w, h int) *imageio.Gray {
	g := imageio.MustNewGrayDepth(w, h, imageio.Depth16)
	copy(g.Pix, randomImage(seed, 2*w, h).Pix)
	return g
}

// sortedSamples returns g's samples, sorted: equal for two images with
// the same histogram.
func sortedSamples(g *imageio.Gray) []int {
	s := make([]int, g.Len())
	for i := range s {
		s[i] = g.Sample(i)
	}
	slices.Sort(s)
	return s
}

// TestPermutationRoundTrip: Decrypt(Encrypt(x)) = x exactly for 8- and
// 16-bit images of every size (empty, one pixel, odd, past one chunk of
// keystream words); the input is never modified; the output has the
// input's size and depth; an image of 64 samples or more is changed.
func TestPermutationRoundTrip(t *testing.T) {
	c := permCipher(t, 42)
	sizes := [][2]int{{0, 0}, {0, 5}, {5, 0}, {1, 1}, {1, 2}, {2, 1}, {3, 7}, {7, 3}, {13, 11}, {31, 129}, {257, 263}}
	for i, sz := range sizes {
		for _, g := range []*imageio.Gray{randomImage(uint64(i), sz[0], sz[1]), randomImage16(uint64(i), sz[0], sz[1])} {
			orig := g.Clone()
			enc := mustEncrypt(t, c, g)
			if !g.Equal(orig) {
				t.Fatalf("%dx%d %d-bit: Encrypt modified its input", sz[0], sz[1], g.BitDepth())
			}
			if enc.Width != g.Width || enc.Height != g.Height || enc.BitDepth() != g.BitDepth() || len(enc.Pix) != len(g.Pix) {
				t.Fatalf("%dx%d %d-bit: cipher image is %dx%d %d-bit with %d bytes", sz[0], sz[1], g.BitDepth(), enc.Width, enc.Height, enc.BitDepth(), len(enc.Pix))
			}
			if g.Len() >= 64 && enc.Equal(g) {
				t.Errorf("%dx%d %d-bit: encryption changed nothing", sz[0], sz[1], g.BitDepth())
			}
			encCopy := enc.Clone()
			dec, err := c.Decrypt(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !enc.Equal(encCopy) {
				t.Fatalf("%dx%d %d-bit: Decrypt modified its input", sz[0], sz[1], g.BitDepth())
			}
			if !dec.Equal(orig) {
				t.Fatalf("%dx%d %d-bit: Decrypt(Encrypt(x)) ≠ x", sz[0], sz[1], g.BitDepth())
			}
		}
	}
}

// TestPermutationKeepsHistogram: by design the cipher image has exactly
// the plain image's histogram, at both depths; 16-bit samples move whole
// (every cipher sample of an image of distinct samples is one of them,
// each once), so it is the positions that change, not the values.
func TestPermutationKeepsHistogram(t *testing.T) {
	c := permCipher(t, 5)
	for _, g := range []*imageio.Gray{gradient(128, 96), randomImage(3, 61, 67), randomImage16(4, 61, 67), indexImage16(200, 150)} {
		enc := mustEncrypt(t, c, g)
		if !slices.Equal(sortedSamples(enc), sortedSamples(g)) {
			t.Errorf("%dx%d %d-bit: the cipher image's histogram differs from the plain image's", g.Width, g.Height, g.BitDepth())
		}
		moved := 0
		for i := range g.Len() {
			if enc.Sample(i) != g.Sample(i) {
				moved++
			}
		}
		if moved < g.Len()*9/10 {
			t.Errorf("%dx%d %d-bit: only %d of %d samples changed", g.Width, g.Height, g.BitDepth(), moved, g.Len())
		}
	}
	// Samples 0…n−1, each once: a split 16-bit sample would make values
	// outside the set, or repeat one.
	g := indexImage16(200, 150)
	enc := mustEncrypt(t, c, g)
	seen := make([]bool, g.Len())
	for k := range enc.Len() {
		v := enc.Sample(k)
		if v >= len(seen) || seen[v] {
			t.Fatalf("cipher sample %d is %d: not a whole plain sample", k, v)
		}
		seen[v] = true
	}
	// The permutation is the same at both depths and for every shape of n
	// samples: an 8-bit image of distinct bytes moves as the index image.
	g8 := imageio.NewGray(16, 16)
	for i := range g8.Pix {
		g8.Pix[i] = byte(i)
	}
	e8 := mustEncrypt(t, c, g8)
	e16 := mustEncrypt(t, c, indexImage16(8, 32))
	for k := range e8.Len() {
		if e8.Sample(k) != e16.Sample(k) {
			t.Fatalf("sample %d: the 8-bit 16×16 image moves %d there, the 16-bit 8×32 one %d", k, e8.Sample(k), e16.Sample(k))
		}
	}
}

// permOf reads the permutation of an n-sample image under c.
func permOf(t *testing.T, c Cipher, w, h int) []int {
	t.Helper()
	enc := mustEncrypt(t, c, indexImage16(w, h))
	p := make([]int, enc.Len())
	for k := range p {
		p[k] = enc.Sample(k)
	}
	return p
}

// TestPermutationKeysDiffer: twenty keys give twenty permutations, any two
// of which send almost every position elsewhere.
func TestPermutationKeysDiffer(t *testing.T) {
	var perms [][]int
	for seed := range uint64(20) {
		p := permOf(t, permCipher(t, seed), 64, 64)
		for j, q := range perms {
			same := 0
			for k := range p {
				if p[k] == q[k] {
					same++
				}
			}
			if same > len(p)/50 {
				t.Errorf("keys %d and %d: %d of %d positions are the same", j, seed, same, len(p))
			}
		}
		perms = append(perms, p)
	}
}

// TestPermutationFlipBit: flipping any bit of the secret gives another
// permutation (the ciphertext of a random image changes almost
// everywhere) and the wrong key does not decrypt.
func TestPermutationFlipBit(t *testing.T) {
	s := permutationScheme{}
	k := s.GenerateKey(11)
	img := randomImage(8, 100, 80)
	c, _ := s.New(k)
	enc := mustEncrypt(t, c, img)
	for _, i := range []int{0, 1, 7, 8, 100, 254, 255, -1, 256} {
		f := k.FlipBit(i)
		if f == k || f.FlipBit(i) != k || f.Scheme() != NamePermutation {
			t.Fatalf("FlipBit(%d): %v, twice %v", i, f, f.FlipBit(i))
		}
		c2, err := s.New(f)
		if err != nil {
			t.Fatal(err)
		}
		enc2 := mustEncrypt(t, c2, img)
		if npcr, _ := diffStats(enc, enc2); npcr < 98 {
			t.Errorf("FlipBit(%d): the ciphertexts differ in %.2f%% of pixels, want ≥ 98%%", i, npcr)
		}
		dec, _ := c2.Decrypt(enc)
		if npcr, _ := diffStats(dec, img); npcr < 98 {
			t.Errorf("FlipBit(%d): the wrong-key decryption differs from the plain image in %.2f%% of pixels, want ≥ 98%%", i, npcr)
		}
	}
	if got := k.FlipBit(0).(PermutationKey).Secret[0] ^ k.(PermutationKey).Secret[0]; got != 1 {
		t.Errorf("FlipBit(0) changed the first secret byte by %#x, want the least significant bit", got)
	}
	if got := k.FlipBit(255).(PermutationKey).Secret[31] ^ k.(PermutationKey).Secret[31]; got != 0x80 {
		t.Errorf("FlipBit(255) changed the last secret byte by %#x, want the most significant bit", got)
	}
}

// TestPermutationKeyLine: key lines round-trip, hex digits may be upper
// case, and bad lines are refused with an error that names the parameter
// and what it must be but never repeats the line's material.
func TestPermutationKeyLine(t *testing.T) {
	s := permutationScheme{}
	k := s.GenerateKey(3).(PermutationKey)
	line := k.String()
	if want := "perm-only:secret=" + hex.EncodeToString(k.Secret[:]); line != want {
		t.Fatalf("String() = %q, want %q", line, want)
	}
	for _, l := range []string{line, "  " + line + "\n", "perm-only: secret = " + strings.ToUpper(line[len("perm-only:secret="):])} {
		got, err := ParseKey(l)
		if err != nil || got != k {
			t.Errorf("ParseKey(%q) = %v, %v; want the key back", l, got, err)
		}
	}
	secret := line[len("perm-only:secret="):]
	for _, c := range []struct{ line, want string }{
		{"perm-only:secret=" + secret[:62], "parameter secret must be 64 hex digits (32 bytes), got 62 characters"},
		{"perm-only:secret=" + secret + "00", "parameter secret must be 64 hex digits (32 bytes), got 66 characters"},
		{"perm-only:secret=" + secret[:63] + "g", "parameter secret must be 64 hex digits (32 bytes), got 64 characters, not all hex digits"},
		{"perm-only:secret=", "parameter secret must be 64 hex digits"},
		{"perm-only:key=" + secret, "field 1 names no parameter of this scheme (parameters: secret)"},
		{"perm-only:secret=" + secret + ",secret=" + secret, "parameter secret given twice"},
		{"perm-only:secret=" + secret + ",iv=00", "field 2 names no parameter"},
		{"perm-only:" + secret, "field 1 is not name=value"},
		{"perm-only:secret=" + secret[:32] + "\n" + secret[32:], "must be one line"},
	} {
		_, err := ParseKey(c.line)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "perm-only key: ") {
			t.Errorf("ParseKey(%.30q…): %v, want an error containing %q", c.line, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), secret[:16]) {
			t.Errorf("ParseKey(%.30q…): the error repeats key material: %v", c.line, err)
		}
	}
	if _, err := s.ParseKey("aes-ctr:secret=" + secret); err == nil || !strings.Contains(err.Error(), `does not start with "perm-only:"`) {
		t.Errorf("another scheme's prefix: %v", err)
	}
}

// TestPermutationNewAndRandomKey: New refuses other schemes' keys and nil
// pointers, takes a pointer to a key; RandomKey reads 32 bytes of its
// source and reports a short one.
func TestPermutationNewAndRandomKey(t *testing.T) {
	s := permutationScheme{}
	for _, bad := range []Key{(*PermutationKey)(nil), aesScheme{}.GenerateKey(1), BitplaneKey{}} {
		if _, err := s.New(bad); err == nil || !strings.HasPrefix(err.Error(), "perm-only: ") {
			t.Errorf("New(%T): %v, want a perm-only error", bad, err)
		}
	}
	k := s.GenerateKey(9).(PermutationKey)
	img := randomImage(1, 20, 20)
	if a, b := mustEncrypt(t, MustNew(k), img), mustEncrypt(t, MustNew(&k), img); !a.Equal(b) {
		t.Error("a key and a pointer to it encrypt differently")
	}
	src := bytes.Repeat([]byte{0xa5}, PermutationSecretSize)
	r, err := s.RandomKey(bytes.NewReader(src))
	if err != nil || r.(PermutationKey).Secret != [PermutationSecretSize]byte(src) {
		t.Errorf("RandomKey: %v, %v; want the source's 32 bytes", r, err)
	}
	if _, err := s.RandomKey(bytes.NewReader(src[:31])); err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("RandomKey from 31 bytes: %v, want unexpected EOF", err)
	}
	if s.GenerateKey(1) == s.GenerateKey(2) {
		t.Error("seeds 1 and 2 give the same key")
	}
}

// TestPermutationGolden pins the ciphertexts of fixed 8- and 16-bit images
// under GenerateKey(1), and that key's line: a ciphertext made on one
// machine must decrypt on another. A change here means old ciphertexts
// no longer decrypt: say so in the commit. Computed on linux/amd64.
func TestPermutationGolden(t *testing.T) {
	k := permutationScheme{}.GenerateKey(1)
	if got := k.String(); got != goldenPermutationKey {
		t.Errorf("GenerateKey(1) = %q, want %q", got, goldenPermutationKey)
	}
	img := imageio.NewGray(37, 29)
	for i := range img.Pix {
		img.Pix[i] = byte(i*7 + i/37)
	}
	img16 := imageio.MustNewGrayDepth(37, 29, imageio.Depth16)
	for i := range img16.Len() {
		img16.SetSample(i, (i*2654435761)%65536)
	}
	c := MustNew(k)
	for _, g := range []struct {
		img  *imageio.Gray
		want string
	}{{img, goldenPermutation8}, {img16, goldenPermutation16}} {
		sum := sha256.Sum256(mustEncrypt(t, c, g.img).Pix)
		if got := hex.EncodeToString(sum[:]); got != g.want {
			t.Errorf("%d-bit: ciphertext SHA-256 %s, want %s", g.img.BitDepth(), got, g.want)
		}
	}
}

const (
	goldenPermutationKey = "perm-only:secret=cd2b2ecd8a9973c30a6efff0dbfbcc20fbff96a510207a783de6dd941dc1dba4"
	goldenPermutation8   = "fbef43aabec1d1ae1ec21a011d929e4398f40978378623995aa6ccbc7f312a0d"
	goldenPermutation16  = "7831982b18bdaaea6e26a1f3a0c482b27ae343db480ca4237acdcbbd46e2a875"
)

// TestPermutationConstruction checks the cipher against its documented
// construction written plainly: d = SHA-256(domain ‖ secret) keys three
// Logistic maps, each word is the XOR of their Word32Of values, and
// Fisher–Yates swaps π[i] with π[⌊w·(i+1)/2^32⌋] for i = n−1 down to 1;
// c[k] = p[π[k]], 16-bit samples whole.
func TestPermutationConstruction(t *testing.T) {
	k := permutationScheme{}.GenerateKey(77).(PermutationKey)
	d := sha256.Sum256(append([]byte("neurocrypt/perm-only\x00"), k.Secret[:]...))
	for _, g := range []*imageio.Gray{randomImage(2, 29, 31), randomImage16(2, 29, 31)} {
		maps, err := chaos.KeyedLogistics(d, 3, 3.99, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		n := g.Len()
		pi := make([]int, n)
		for i := range pi {
			pi[i] = i
		}
		for i := n - 1; i > 0; i-- {
			var w uint32
			for _, m := range maps {
				w ^= chaos.Word32Of(m.Next())
			}
			j := int(uint64(w) * uint64(i+1) >> 32)
			pi[i], pi[j] = pi[j], pi[i]
		}
		enc := mustEncrypt(t, MustNew(k), g)
		for i := range n {
			if enc.Sample(i) != g.Sample(pi[i]) {
				t.Fatalf("%d-bit: cipher sample %d is %d, the construction gives %d", g.BitDepth(), i, enc.Sample(i), g.Sample(pi[i]))
			}
		}
	}
}

// TestPermutationDescribed: the control's class, key space and marking.
func TestPermutationDescribed(t *testing.T) {
	s := mustScheme(t, NamePermutation)
	if ClassOf(s) != ClassChaotic {
		t.Errorf("class %q, want %q", ClassOf(s), ClassChaotic)
	}
	if ks := s.(KeySpacer).KeySpace(); ks.Bits != 3*(52-AbsorbedMantissaBits)+3*32 || !strings.Contains(ks.Basis, "known plaintexts") {
		t.Errorf("key space %v bits (%q), want %d", ks.Bits, ks.Basis, 3*(52-AbsorbedMantissaBits)+3*32)
	}
	if d := s.Description(); !strings.HasPrefix(d, "control: deliberately weak") {
		t.Errorf("description %q does not start by saying it is a control", d)
	}
	if c := MustNew(s.GenerateKey(1)).(SizeLimited).MaxSampleBytes(); c != MaxSampleBytes {
		t.Errorf("MaxSampleBytes %d, want %d", c, MaxSampleBytes)
	}
}

// TestIsControl: the perm-only scheme is a control and no other
// registered scheme is; a scheme whose Control returns false is not, nor
// is one without the method.
func TestIsControl(t *testing.T) {
	for _, name := range Names() {
		if got, want := IsControl(mustScheme(t, name)), name == NamePermutation; got != want {
			t.Errorf("IsControl(%s) = %v, want %v", name, got, want)
		}
	}
	if IsControl(nil) || IsControl(notControl{}) {
		t.Error("IsControl is true for nil or for a scheme whose Control returns false")
	}
}

// notControl is a scheme (aes-ctr's) whose Control says false.
type notControl struct{ aesScheme }

func (notControl) Control() bool { return false }

// TestHexKeyMessages: an odd number of hex digits is a length problem, not
// "not all hex digits"; a non-hex character is named as such.
func TestHexKeyMessages(t *testing.T) {
	digits := strings.Repeat("a", 63)
	if _, err := ParseKey(NamePermutation + ":secret=" + digits); err == nil || strings.Contains(err.Error(), "not all hex") || !strings.Contains(err.Error(), "got 63 characters") {
		t.Errorf("63 digits: %v", err)
	}
	if _, err := ParseKey(NamePermutation + ":secret=" + strings.Repeat("z", 64)); err == nil || !strings.Contains(err.Error(), "not all hex digits") {
		t.Errorf("non-hex: %v", err)
	}
}
