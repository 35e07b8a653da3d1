package ancnet

import (
	"fmt"
	"sync"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// A trained Alice and Bob as an image cipher.
//
// The image's pixels, row-major, each written most significant bit first,
// form a bit stream cut into blocks of N bits (8·pixels must be a multiple
// of N). Alice encrypts every block under the same N-bit key K — the
// secret, as in both papers, where Alice and Bob share one key — and her
// outputs, rounded to bits (Decode), are the cipher image's bits; Bob
// decrypts the rounded cipher bits with K. Decryption is exact when Bob
// learned to invert Alice on every block (a CPA-ANC model that learned the
// one-time pad C = P ⊕ K is exactly such a model). With one key for every
// block this is an electronic-codebook cipher of N-bit blocks: the
// security battery shows what that means for an image.
//
// Families are per key length, "anc-n4", "anc-n8", "anc-n16" (the
// papers' lengths; CipherFamily registers others), because a family's
// keys have a fixed number of secret bits. Models are bound with
// Model.BindCipher. Their weights files hold Alice's and Bob's variables
// and the Config (nn.Checkpoint, format weightsFormat); ciphers run on
// backend.Default().

// weightsFormat tags ANC weights files.
const weightsFormat = "neurocrypt/ancnet weights v1"

// weightsState is the caller state of a weights file.
type weightsState struct{ Config Config }

// weightPrefixes are the variables a weights file keeps: Alice's and Bob's.
var weightPrefixes = []string{"/" + ScopeAliceBob + "/" + ScopeAlice + "/", "/" + ScopeAliceBob + "/" + ScopeBob + "/"}

// PaperKeyLengths are the key lengths whose cipher families are registered
// when the package is linked.
var PaperKeyLengths = []int{4, 8, 16}

func init() {
	for _, n := range PaperKeyLengths {
		if _, err := CipherFamily(n); err != nil {
			panic(err)
		}
	}
}

// FamilyName is the trained-cipher family of ANC models with key length n:
// "anc-n<n>".
func FamilyName(n int) string { return fmt.Sprintf("anc-n%d", n) }

var familyMu sync.Mutex

// CipherFamily registers (once) and returns the name of the trained-cipher
// family of models with key length n (2 … 1024).
func CipherFamily(n int) (string, error) {
	if n < 2 || n > 1024 {
		return "", fmt.Errorf("anc cipher: key length %d: want 2..1024", n)
	}
	name := FamilyName(n)
	familyMu.Lock()
	defer familyMu.Unlock()
	for _, f := range cipher.Families() {
		if f == name {
			return name, nil
		}
	}
	return name, cipher.RegisterFamily(cipher.Family{Name: name, SecretBits: n, Class: cipher.ClassAdversarial,
		Description: fmt.Sprintf("trained ANC / CPA-ANC Alice and Bob with a %d-bit key, as a block cipher on the image's bits", n),
		Load:        func(w cipher.Weights, secret []byte) (cipher.Cipher, error) { return loadCipher(w, n, secret) }})
}

// Weights returns the model's weights file: Alice's and Bob's variables and
// the Config.
func (m *Model) Weights() ([]byte, error) {
	ck, err := nn.Checkpoint(m.store).Format(weightsFormat).Only(weightPrefixes...).Done()
	if err != nil {
		return nil, err
	}
	return ck.Encode(weightsState{Config: m.cfg})
}

// BindCipher stores the model's weights in the content-addressed model
// store under dir ("" = cipher.DefaultModelDir(); see cipher.StoreWeights)
// and registers the model as the cipher scheme "anc-n<N>/<tag>".
func (m *Model) BindCipher(dir, tag string) (cipher.Scheme, error) {
	family, err := CipherFamily(m.cfg.N)
	if err != nil {
		return nil, err
	}
	w, err := m.Weights()
	if err != nil {
		return nil, err
	}
	return cipher.BindWeights(dir, family, tag, w)
}

// trained is a loaded weights file: Alice's and Bob's executables.
type trained struct {
	cfg      Config
	mu       sync.Mutex // serialises Exec calls
	enc, dec *model.Exec
}

// loaded caches trained models by the SHA-256 of their weights file.
var loaded nn.ModelCache[*trained]

func loadCipher(w cipher.Weights, n int, secret []byte) (cipher.Cipher, error) {
	tm, err := loaded.Get(w.SHA256, func() (*trained, error) { return loadTrained(w.Path, w.Data) })
	if err != nil {
		return nil, err
	}
	if tm.cfg.N != n {
		return nil, fmt.Errorf("%s: a model with %d-bit keys, not %d", w.Path, tm.cfg.N, n)
	}
	k := make([]float32, n)
	for i := range k {
		k[i] = Encode(tm.cfg.Variant, uint64(secret[i/8]>>(i%8)))
	}
	return &imageCipher{m: tm, key: k, name: FamilyName(n)}, nil
}

func loadTrained(path string, b []byte) (*trained, error) {
	be, err := backend.Default().New()
	if err != nil {
		return nil, err
	}
	var st weightsState
	store, err := nn.RestoreWeights(path, b, weightsFormat, "ANC", &st, func() error { return st.Config.Validate() })
	if err != nil {
		return nil, err
	}
	v := st.Config.Variant
	t := &trained{cfg: st.Config}
	if t.enc, err = model.NewExec(be, store, func(scope *model.Scope, p, k *Node) *Node { return aliceGraph(scope, v, p, k) }); err != nil {
		return nil, fmt.Errorf("%s: %w", safefile.Name(path), err)
	}
	if t.dec, err = model.NewExec(be, store, func(scope *model.Scope, c, k *Node) *Node { return bobGraph(scope, v, c, k) }); err != nil {
		return nil, fmt.Errorf("%s: %w", safefile.Name(path), err)
	}
	// Alice and Bob once on one block.
	zero := make([]float32, st.Config.N)
	block := func(exec *model.Exec) func() error {
		return func() error {
			_, err := exec.Exec(tensors.FromFlatDataAndDimensions(zero, 1, st.Config.N), tensors.FromFlatDataAndDimensions(zero, 1, st.Config.N))
			return err
		}
	}
	if err := nn.CheckComplete(store, path, "ANC", map[string]func() error{"Alice": block(t.enc), "Bob": block(t.dec)}); err != nil {
		return nil, err
	}
	return t, nil
}

// imageCipher is a trained Alice and Bob under one key.
type imageCipher struct {
	m    *trained
	key  []float32 // N key bits in the variant's encoding
	name string
}

func (c *imageCipher) Name() string { return c.name }

// check validates g: a consistent image whose bit count is a multiple of
// the block.
func (c *imageCipher) check(g *imageio.Gray, op string) error {
	if err := g.Check(); err != nil {
		return fmt.Errorf("%s: %s: %v", c.name, op, err)
	}
	if bits := 8 * len(g.Pix); bits%c.m.cfg.N != 0 {
		return fmt.Errorf("%s: %s: a %dx%d %d-bit image has %d bits, not a multiple of the %d-bit block", c.name, op, g.Width, g.Height, g.BitDepth(), bits, c.m.cfg.N)
	}
	return nil
}

// chunkBits is how many image bits go through the network per call:
// memory stays bounded (a few MB of float32 tensors) whatever the image
// size.
const chunkBits = 1 << 20

// run applies exec (Alice or Bob) to every block under the key, a chunk of
// blocks at a time, and packs the rounded output bits into an image of g's
// size.
func (c *imageCipher) run(exec *model.Exec, g *imageio.Gray, op string) (*imageio.Gray, error) {
	if err := c.check(g, op); err != nil {
		return nil, err
	}
	n := c.m.cfg.N
	out := &imageio.Gray{Width: g.Width, Height: g.Height, Depth: g.Depth, Pix: make([]uint8, len(g.Pix))}
	bits := 8 * len(g.Pix)
	per := max(1, chunkBits/n) * n // bits per call, whole blocks
	x, keys := make([]float32, 0, min(per, bits)), make([]float32, 0, min(per, bits))
	for start := 0; start < bits; start += per {
		end := min(start+per, bits)
		x, keys = x[:0], keys[:0]
		for b := start; b < end; b++ {
			x = append(x, Encode(c.m.cfg.Variant, uint64(g.Pix[b/8]>>(7-b%8))))
			keys = append(keys, c.key[(b-start)%n])
		}
		blocks := (end - start) / n
		c.m.mu.Lock()
		xt, kt := tensors.FromFlatDataAndDimensions(x, blocks, n), tensors.FromFlatDataAndDimensions(keys, blocks, n)
		res, err := nn.Run(exec, xt, kt)
		c.m.mu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %s", c.name, op, nn.OneLine(err.Error()))
		}
		y, err := tensors.CopyFlatData[float32](res[0])
		nn.FreeAll(res)
		if err != nil {
			return nil, err
		}
		for b := start; b < end; b++ {
			out.Pix[b/8] |= uint8(Decode(c.m.cfg.Variant, y[b-start])) << (7 - b%8)
		}
	}
	return out, nil
}

// Encrypt runs Alice on every block.
func (c *imageCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) {
	return c.run(c.m.enc, g, "encrypt")
}

// Decrypt runs Bob on every block of the cipher image's bits.
func (c *imageCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) {
	return c.run(c.m.dec, g, "decrypt")
}
