package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

func plainFile(t *testing.T) (dir, plain string) {
	t.Helper()
	dir = t.TempDir()
	src, _ := dataset.NewSynthetic(2, 1, 16)
	img, err := src.Load(0)
	if err != nil {
		t.Fatal(err)
	}
	plain = filepath.Join(dir, "p.pgm")
	if err := imageio.SaveGray(plain, img); err != nil {
		t.Fatal(err)
	}
	return dir, plain
}

// TestKeysFromFilesAndStdinNeverEchoed: -key-file and -key - read the key
// line; errors never repeat key material.
func TestKeysFromFilesAndStdinNeverEchoed(t *testing.T) {
	dir, plain := plainFile(t)
	key := mustKey(t, "aes-ctr")
	keyFile := writeFile(t, dir, "k.txt", []byte(key+"\n"))
	enc1, enc2, enc3 := filepath.Join(dir, "1.png"), filepath.Join(dir, "2.png"), filepath.Join(dir, "3.png")
	if code, _, e := cli(t, "encrypt", "-key", key, plain, enc1); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := cli(t, "encrypt", "-key-file", keyFile, plain, enc2); code != 0 {
		t.Fatal(e)
	}
	stdin = strings.NewReader(key + "\n")
	defer func() { stdin = strings.NewReader("") }()
	if code, _, e := cli(t, "encrypt", "-key", "-", plain, enc3); code != 0 {
		t.Fatal(e)
	}
	a, _ := imageio.ReadGray(enc1)
	b, _ := imageio.ReadGray(enc2)
	c, _ := imageio.ReadGray(enc3)
	if !a.Equal(b) || !a.Equal(c) {
		t.Error("-key, -key-file and -key - gave different ciphertexts")
	}
	hexKey := key[strings.Index(key, "=")+1 : strings.Index(key, ",")]
	for name, args := range map[string][]string{
		"scheme mismatch": {"encrypt", "-cipher", "bitplane", "-key", key, plain, filepath.Join(dir, "x.png")},
		"bad field":       {"encrypt", "-key", strings.Replace(key, ",iv=", ",iv", 1), plain, filepath.Join(dir, "x.png")},
		"short key":       {"encrypt", "-key", strings.Replace(key, hexKey, hexKey[:20], 1), plain, filepath.Join(dir, "x.png")},
		"no prefix":       {"encrypt", "-key", hexKey, plain, filepath.Join(dir, "x.png")},
		"stuck orbit": {"encrypt", "-key", "bitplane-xor:x0=0.75,r=4,lx=4.08865496413328,ly=10.682797954241348,lz=6.465880926818967",
			plain, filepath.Join(dir, "x.png")},
	} {
		code, _, e := cli(t, args...)
		if code != 1 {
			t.Errorf("%s: exit %d (%s), want 1", name, code, e)
		}
		for _, secret := range []string{hexKey[:16], hexKey[20:36], "4.08865496413328"} {
			if strings.Contains(e, secret) {
				t.Errorf("%s: the error repeats key material: %s", name, e)
			}
		}
		if name == "stuck orbit" && !strings.Contains(e, "periodic") {
			t.Errorf("stuck orbit: %q does not say why", e)
		}
	}
	for name, args := range map[string][]string{
		"both":    {"encrypt", "-key", key, "-key-file", keyFile, plain, enc1},
		"neither": {"encrypt", plain, enc1},
	} {
		if code, _, e := cli(t, args...); code != 2 {
			t.Errorf("%s: exit %d (%s), want 2", name, code, e)
		}
	}
	empty := writeFile(t, dir, "empty.txt", nil)
	for _, f := range []string{empty, dir, filepath.Join(dir, "missing")} {
		if code, _, e := cli(t, "encrypt", "-key-file", f, plain, enc1); code != 1 || !strings.Contains(e, "key file") {
			t.Errorf("-key-file %s: exit %d, %q", f, code, e)
		}
	}
}

// TestKeygenDrawsTheWholeKey: without -seed, every bit of an AES key comes
// from crypto/rand (no forced bits, no 64-bit seed).
func TestKeygenDrawsTheWholeKey(t *testing.T) {
	ones := make([]int, 384)
	const n = 64
	for i := 0; i < n; i++ {
		code, out, e := cli(t, "keygen", "-cipher", "aes-ctr")
		if code != 0 {
			t.Fatal(e)
		}
		line := strings.TrimSpace(out)
		h := strings.NewReplacer("aes-ctr:key=", "", ",iv=", "").Replace(line)
		if len(h) != 96 {
			t.Fatalf("key line %q", line)
		}
		for j := 0; j < 384; j++ {
			var nib byte
			c := h[j/4]
			switch {
			case c >= '0' && c <= '9':
				nib = c - '0'
			default:
				nib = c - 'a' + 10
			}
			if nib>>(3-j%4)&1 == 1 {
				ones[j]++
			}
		}
	}
	for j, c := range ones {
		if c == 0 || c == n {
			t.Fatalf("key bit %d is constant over %d keys: not drawn at random", j, n)
		}
	}
	if code, out, _ := cli(t, "keygen", "-cipher", "bitplane"); code != 0 || !strings.HasPrefix(out, "bitplane:x0=") {
		t.Errorf("keygen bitplane: %q", out)
	}
}

// TestErrorsAreOneSafeLine: errors never carry terminal escapes or line
// breaks from the input, and stay short whatever the input's length.
func TestErrorsAreOneSafeLine(t *testing.T) {
	dir, plain := plainFile(t)
	key := mustKey(t, "aes-ctr")
	long := strings.Repeat("w", 100000)
	for name, args := range map[string][]string{
		"escape in -cipher":  {"encrypt", "-cipher", "x\x1b[31mRED\nforged", "-key", key, plain, filepath.Join(dir, "o.png")},
		"long weights path":  {"encrypt", "-key", "anc-n4/x:weights=" + long + ",sha256=" + strings.Repeat("0", 64) + ",secret=00", plain, filepath.Join(dir, "o.png")},
		"escape in a file":   {"metrics", "-json", filepath.Join(dir, "a\x1b]0;title\x07.pgm"), plain},
		"escape in command":  {"frob\x1b[2J"},
		"long unknown param": {"encrypt", "-key", "aes-ctr:" + long + "=1", plain, filepath.Join(dir, "o.png")},
	} {
		code, _, e := cli(t, args...)
		if code == 0 {
			t.Errorf("%s: exit 0", name)
		}
		first, _, _ := strings.Cut(e, "\n")
		if strings.ContainsAny(first, "\x1b\x07") || strings.Contains(e, "\nforged") || len(first) > 2*maxMessage+200 {
			t.Errorf("%s: unsafe or long message (%d bytes): %.200q", name, len(first), first)
		}
	}
}

// TestKeygenTagNeedsWeights: -tag without -weights is an error, not a
// silently ignored flag.
func TestKeygenTagNeedsWeights(t *testing.T) {
	code, _, e := cli(t, "keygen", "-cipher", "perm-only", "-tag", "x")
	if code == 0 || !strings.Contains(e, "-tag") {
		t.Errorf("keygen -tag without -weights: exit %d, stderr %q: want an error about -tag", code, e)
	}
	if code, _, e := cli(t, "keygen", "-cipher", "perm-only"); code != 0 {
		t.Errorf("keygen -cipher perm-only: exit %d, %s", code, e)
	}
}
