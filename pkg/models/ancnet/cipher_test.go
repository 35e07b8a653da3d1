package ancnet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// TestWeightsBindAndImageCipher: a model's weights, bound as a cipher
// scheme, encrypt an image exactly as the model's own Alice does, block by
// block under the key's bits; a key line alone finds the weights in the
// store.
func TestWeightsBindAndImageCipher(t *testing.T) {
	for _, v := range []Variant{ANC, CPA} {
		cfg := DefaultConfig(v, 8, 1)
		cfg.Batch, cfg.EvalEvery, cfg.Seed = 16, 0, 3
		m, err := NewModel(goBackend(t), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.StepAliceBob(); err != nil { // creates (and moves) the variables
			t.Fatal(err)
		}
		dir := t.TempDir()
		scheme, err := m.BindCipher(dir, "test-"+string(v))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cipher.Unregister(scheme.Name()) })
		if scheme.Name() != "anc-n8/test-"+string(v) {
			t.Fatalf("scheme %q", scheme.Name())
		}
		files, _ := filepath.Glob(filepath.Join(dir, "anc-n8", "*"+cipher.WeightsExt))
		if len(files) != 1 {
			t.Fatalf("weights store holds %v", files)
		}
		key := scheme.GenerateKey(11)
		c, err := cipher.New(key)
		if err != nil {
			t.Fatal(err)
		}
		img := imageio.NewGray(6, 5)
		for i := range img.Pix {
			img.Pix[i] = uint8(37*i + 5)
		}
		enc, err := c.Encrypt(img)
		if err != nil {
			t.Fatal(err)
		}
		// The same blocks through the model's own Alice.
		secret := key.(cipher.TrainedKey).Secret
		var p, k []float32
		for _, px := range img.Pix {
			for j := 0; j < 8; j++ {
				p = append(p, Encode(v, uint64(px>>(7-j))))
				k = append(k, Encode(v, uint64(secret[0]>>j)))
			}
		}
		out, err := m.Encrypt(p, k, len(img.Pix))
		if err != nil {
			t.Fatal(err)
		}
		for i, px := range enc.Pix {
			var want uint8
			for j := 0; j < 8; j++ {
				want = want<<1 | uint8(Decode(v, out[8*i+j]))
			}
			if px != want {
				t.Fatalf("%s: pixel %d encrypted to %d, the model's Alice gives %d", v, i, px, want)
			}
		}
		if _, err := c.Decrypt(enc); err != nil {
			t.Fatal(err)
		}
		// In a process that did not bind it: the key line and the store.
		cipher.Unregister(scheme.Name())
		t.Setenv(cipher.ModelDirEnv, dir)
		moved := key.(cipher.TrainedKey)
		moved.Weights = filepath.Join(t.TempDir(), "gone.weights")
		k2, err := cipher.ParseKey(moved.String())
		if err != nil {
			t.Fatal(err)
		}
		c2, err := cipher.New(k2)
		if err != nil {
			t.Fatalf("weights by hash from the store: %v", err)
		}
		if enc2, _ := c2.Encrypt(img); !enc2.Equal(enc) {
			t.Errorf("%s: the cipher from the key line differs", v)
		}
	}
}

// boundCipher trains a CPA-ANC model with n-bit keys for one Alice–Bob
// step, binds it as the cipher anc-n<n>/<tag> (unregistered when the test
// ends) and returns the model, the scheme and a cipher under the key of
// seed.
func boundCipher(t *testing.T, n int, tag string, seed uint64) (*Model, cipher.Scheme, cipher.Cipher) {
	t.Helper()
	cfg := DefaultConfig(CPA, n, 1)
	cfg.Batch, cfg.EvalEvery = 8, 0
	m, err := NewModel(goBackend(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.StepAliceBob(); err != nil {
		t.Fatal(err)
	}
	scheme, err := m.BindCipher(t.TempDir(), tag)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cipher.Unregister(scheme.Name()) })
	c, err := scheme.New(scheme.GenerateKey(seed))
	if err != nil {
		t.Fatal(err)
	}
	return m, scheme, c
}

func TestImageCipherErrors(t *testing.T) {
	m, _, c := boundCipher(t, 16, "errors", 1)
	if _, err := c.Encrypt(imageio.NewGray(3, 3)); err == nil || !strings.Contains(err.Error(), "not a multiple of the 16-bit block") {
		t.Errorf("odd pixel count with 16-bit blocks: %v", err)
	}
	if g, err := c.Encrypt(imageio.NewGray(0, 0)); err != nil || g.Len() != 0 {
		t.Errorf("empty image: %v, %v", g, err)
	}
	// A 16-bit image stays 16-bit: its bytes are the bit string (a learned
	// cipher's decryption is as exact as its Bob, tested above).
	g16 := imageio.MustNewGrayDepth(3, 3, imageio.Depth16)
	g16.SetSample(4, 40000)
	if g, err := c.Encrypt(g16); err != nil || g.BitDepth() != 16 || len(g.Pix) != 18 {
		t.Errorf("16-bit image: %v, %v", g, err)
	} else if d, err := c.Decrypt(g); err != nil || d.BitDepth() != 16 {
		t.Errorf("16-bit decryption: %v, %v", d, err)
	}
	// A weights file of another key length is refused by the family.
	w, _ := m.Weights()
	path := filepath.Join(t.TempDir(), "n16.weights")
	if err := os.WriteFile(path, w, 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := cipher.BindTrained(FamilyName(8), "wrong-length", path)
	if err != nil {
		t.Fatal(err)
	}
	defer cipher.Unregister(other.Name())
	if _, err := other.New(other.GenerateKey(1)); err == nil || !strings.Contains(err.Error(), "16-bit keys, not 8") {
		t.Errorf("16-bit model bound as 8-bit: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.weights")
	os.WriteFile(junk, []byte("not a model, but long enough to have a checksum at its end...."), 0o644)
	bad, err := cipher.BindTrained(FamilyName(16), "junk", junk)
	if err != nil {
		t.Fatal(err)
	}
	defer cipher.Unregister(bad.Name())
	if _, err := bad.New(bad.GenerateKey(1)); err == nil || !strings.Contains(err.Error(), "not an ANC weights file") {
		t.Errorf("junk weights: %v", err)
	}
}

// TestImageCipherChunksAndIncompleteWeights: a large image goes through
// the network a chunk at a time with the same result as a small one (the
// cipher is block-wise), and a weights file lacking Bob is refused.
func TestImageCipherChunksAndIncompleteWeights(t *testing.T) {
	m, _, c := boundCipher(t, 8, "chunks", 2)
	big := imageio.NewGray(512, 300) // 1.2 M bits: two chunks
	for i := range big.Pix {
		big.Pix[i] = uint8(i*7 + i/512)
	}
	encBig, err := c.Encrypt(big)
	if err != nil {
		t.Fatal(err)
	}
	for _, y0 := range []int{0, 255, 290} {
		part, _ := big.SubImage(0, y0, 512, 10)
		encPart, err := c.Encrypt(part)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := encBig.SubImage(0, y0, 512, 10)
		if !encPart.Equal(want) {
			t.Fatalf("rows %d..%d: chunked encryption differs from the rows' own", y0, y0+10)
		}
	}
	// Alice only: Bob would be made up fresh on every load.
	ck, err := nn.Checkpoint(m.store).Format(weightsFormat).Only(weightPrefixes[0]).Done()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "alice-only.weights")
	if err := ck.Save(path, weightsState{Config: m.Config()}); err != nil {
		t.Fatal(err)
	}
	bad, err := cipher.BindTrained(FamilyName(8), "alice-only", path)
	if err != nil {
		t.Fatal(err)
	}
	defer cipher.Unregister(bad.Name())
	if _, err := bad.New(bad.GenerateKey(1)); err == nil || !strings.Contains(err.Error(), "not a complete ANC weights file") || !strings.Contains(err.Error(), "alice-only.weights") {
		t.Errorf("weights without Bob: %v", err)
	}
}
