package cipher

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// rotScheme is a throw-away scheme: c = p + k mod 256 (not a cipher worth
// the name; the registry does not care).
type rotScheme struct{ name string }
type rotKey struct {
	scheme string
	k      uint8
}

func (k rotKey) Scheme() string    { return k.scheme }
func (k rotKey) String() string    { return fmt.Sprintf("%s:k=%d", k.scheme, k.k) }
func (k rotKey) NumBits() int      { return 8 }
func (k rotKey) FlipBit(i int) Key { return rotKey{k.scheme, k.k ^ 1<<bitIndex(i, 8)} }

func (s rotScheme) Name() string        { return s.name }
func (s rotScheme) Description() string { return "test: add a constant" }
func (s rotScheme) ParseKey(line string) (Key, error) {
	v, err := parseKeyLine(s.name, line, []string{"k"})
	if err != nil {
		return nil, err
	}
	var k uint8
	_, err = fmt.Sscan(v[0], &k)
	return rotKey{s.name, k}, err
}
func (s rotScheme) GenerateKey(seed uint64) Key { return rotKey{s.name, uint8(seed)} }
func (s rotScheme) New(k Key) (Cipher, error)   { return rotCipher{s.name, k.(rotKey).k}, nil }

type rotCipher struct {
	name string
	k    uint8
}

func (c rotCipher) Name() string { return c.name }
func (c rotCipher) apply(g *imageio.Gray, d uint8) (*imageio.Gray, error) {
	out := g.Clone()
	for i := range out.Pix {
		out.Pix[i] += d
	}
	return out, nil
}
func (c rotCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) { return c.apply(g, c.k) }
func (c rotCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) { return c.apply(g, -c.k) }

func TestRegisterLookupUnregister(t *testing.T) {
	if err := Register(rotScheme{"test-rot"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Unregister("test-rot") })
	if !slices.Contains(Names(), "test-rot") {
		t.Fatalf("Names() = %v lacks test-rot", Names())
	}
	k, err := ParseKey("test-rot:k=7")
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(k)
	if err != nil || c.Name() != "test-rot" {
		t.Fatalf("New: %v, %v", c, err)
	}
	for name, s := range map[string]Scheme{
		"taken":           rotScheme{NameBitplane},
		"twice":           rotScheme{"test-rot"},
		"colon":           rotScheme{"a:b"},
		"empty":           rotScheme{""},
		"space":           rotScheme{"a b"},
		"slash, unbound":  rotScheme{"nosuchfamily/x"},
		"nil":             nil,
		"comma":           rotScheme{"a,b"},
		"too long":        rotScheme{strings.Repeat("x", 65)},
		"builtin aes-ctr": rotScheme{NameAESCTR},
	} {
		if err := Register(s); err == nil {
			t.Errorf("%s: registered", name)
		}
	}
	if !Unregister("test-rot") || Unregister("test-rot") {
		t.Error("Unregister does not report what it removed")
	}
	if _, err := Lookup("test-rot"); err == nil {
		t.Error("unregistered scheme still found")
	}
}

// xorFamily is a trained-cipher family for tests: its "weights file" is a
// keystream, XORed (repeated) with the pixels after XOR with the secret.
var xorFamily = Family{Name: "test-xorfam", Description: "test: XOR with the weights file", SecretBits: 12,
	Load: func(w Weights, secret []byte) (Cipher, error) {
		ks := w.Data
		if len(ks) == 0 {
			return nil, errors.New(w.Path + ": empty keystream")
		}
		return xorCipher{ks: ks, s: secret[0] ^ secret[1]}, nil
	}}

type xorCipher struct {
	ks []byte
	s  byte
}

func (c xorCipher) Name() string { return "xor" }
func (c xorCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) {
	out := g.Clone()
	for i := range out.Pix {
		out.Pix[i] ^= c.ks[i%len(c.ks)] ^ c.s
	}
	return out, nil
}
func (c xorCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) { return c.Encrypt(g) }

func TestTrainedFamilyBindKeyAndWeights(t *testing.T) {
	if err := RegisterFamily(xorFamily); err != nil && !strings.Contains(err.Error(), "already") {
		t.Fatal(err)
	}
	if err := RegisterFamily(xorFamily); err == nil {
		t.Error("family registered twice")
	}
	if _, err := Lookup("test-xorfam"); err == nil || !strings.Contains(err.Error(), "family of trained ciphers") {
		t.Errorf("Lookup of a family: %v", err)
	}
	dir := t.TempDir()
	t.Setenv(ModelDirEnv, filepath.Join(dir, "store"))
	weights := filepath.Join(dir, "my model, v1=best.weights") // a path with ',' and '='
	if err := os.WriteFile(weights, []byte{1, 2, 3, 250}, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := BindTrained("test-xorfam", "t1", weights)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Unregister("test-xorfam/t1") })
	if s.Name() != "test-xorfam/t1" || !slices.Contains(Names(), "test-xorfam/t1") {
		t.Fatalf("bound scheme %q not registered: %v", s.Name(), Names())
	}
	if kn := KeyNames(); slices.Contains(kn, "test-xorfam/t1") || !slices.Contains(kn, NameAESCTR) || !slices.IsSorted(kn) {
		t.Errorf("KeyNames %v: want the key-based schemes, sorted, without the bound trained one", kn)
	}
	if again, err := BindTrained("test-xorfam", "t1", weights); err != nil || again != s {
		t.Errorf("rebinding the same file: %v, %v", again, err)
	}
	k := s.GenerateKey(3)
	if k.NumBits() != 12 || k.(TrainedKey).Secret[1]>>4 != 0 {
		t.Errorf("secret %x: want 12 bits", k.(TrainedKey).Secret)
	}
	line := k.String()
	if strings.Count(line, ",") != 2 || !strings.Contains(line, "%2C") || !strings.Contains(line, "%3D") {
		t.Errorf("key line %q: the path's ',' and '=' must be escaped", line)
	}
	img := imageio.NewGray(5, 3)
	for i := range img.Pix {
		img.Pix[i] = uint8(17 * i)
	}
	// In a process that did not bind it, the key line alone works: the
	// family parses "<family>/<tag>" keys.
	Unregister("test-xorfam/t1")
	back, err := ParseKey(line)
	if err != nil || back.String() != line {
		t.Fatalf("ParseKey(%q) = %v, %v", line, back, err)
	}
	c, err := New(back)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := c.Encrypt(img)
	dec, _ := c.Decrypt(enc)
	if !dec.Equal(img) || enc.Equal(img) || c.Name() != "test-xorfam/t1" {
		t.Errorf("trained cipher %s: round trip %v, changed %v", c.Name(), dec.Equal(img), !enc.Equal(img))
	}
	if f, err := New(back.FlipBit(0)); err != nil {
		t.Fatal(err)
	} else if e2, _ := f.Encrypt(img); e2.Equal(enc) {
		t.Error("flipping a secret bit does not change the ciphertext")
	}
	// A changed weights file is refused, naming the file and both hashes…
	if err := os.WriteFile(weights, []byte{9, 9}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(back); err == nil || !strings.Contains(err.Error(), "changed since the key was made") {
		t.Errorf("changed weights: %v", err)
	}
	// …unless the store has a copy with the key's hash.
	stored, err := StoreWeights("", "test-xorfam", []byte{1, 2, 3, 250})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, filepath.Join(dir, "store", "test-xorfam")) || filepath.Base(stored) != back.(TrainedKey).SHA256+WeightsExt {
		t.Errorf("stored at %s", stored)
	}
	if c, err := New(back); err != nil {
		t.Errorf("weights from the store: %v", err)
	} else if e3, _ := c.Encrypt(img); !e3.Equal(enc) {
		t.Error("the stored copy gives another cipher")
	}
	for name, bad := range map[string]string{
		"short hash":   strings.Replace(line, "sha256=", "sha256=ab", 1),
		"secret bits":  line[:strings.LastIndex(line, "=")+1] + "fff0",
		"secret size":  line[:strings.LastIndex(line, "=")+1] + "ff",
		"no weights":   "test-xorfam/t1:weights=,sha256=" + strings.Repeat("0", 64) + ",secret=0000",
		"bad escape":   "test-xorfam/t1:weights=a%zz,sha256=" + strings.Repeat("0", 64) + ",secret=0000",
		"no family":    "nofam/t1:weights=a,sha256=" + strings.Repeat("0", 64) + ",secret=0000",
		"missing file": "test-xorfam/t1:weights=/nonexistent/w,sha256=" + strings.Repeat("0", 64) + ",secret=0000",
		"a device":     "test-xorfam/t1:weights=/dev/zero,sha256=" + strings.Repeat("0", 64) + ",secret=0000",
		"a folder":     "test-xorfam/t1:weights=/,sha256=" + strings.Repeat("0", 64) + ",secret=0000",
	} {
		k, err := ParseKey(bad)
		if err == nil {
			_, err = New(k)
		}
		if err == nil {
			t.Errorf("%s: accepted %q", name, bad)
		}
	}
	if _, err := BindTrained("nofam", "x", weights); err == nil {
		t.Error("bound to an unknown family")
	}
	if _, err := BindTrained("test-xorfam", "a/b", weights); err == nil {
		t.Error("bound with a tag holding '/'")
	}
}

// TestStoreWeightsRepairsAFolderInItsPlace: a folder where a weights file
// belongs is replaced, not an error for ever.
func TestStoreWeightsRepairsAFolderInItsPlace(t *testing.T) {
	dir := t.TempDir()
	data := []byte("weights")
	path, err := StoreWeights(dir, "fam", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if p2, err := StoreWeights(dir, "fam", data); err != nil || p2 != path {
		t.Fatalf("storing over a folder: %q, %v", p2, err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "weights" {
		t.Errorf("stored %q, %v", b, err)
	}
}
