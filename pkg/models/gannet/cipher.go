package gannet

import (
	"fmt"
	"strings"
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

// FamilyName is the trained-cipher family of GAN cipher models.
const FamilyName = "gan"

// weightsFormat tags GAN weights files: G's and R's variables and the
// Config (D is not part of the cipher).
const weightsFormat = "neurocrypt/gannet weights v1"

var weightPrefixes = []string{"/" + ScopeGenRec + "/"}

type weightsState struct{ Config Config }

func init() {
	if err := cipher.RegisterFamily(cipher.Family{Name: FamilyName, SecretBits: SecretBits, Class: cipher.ClassGAN,
		Description: "trained direct-ciphertext-generation GAN: G(x, z) encrypts, R(c, z) decrypts (lossy), z = chaotic key plane of a 128-bit secret",
		Load:        loadCipher}); err != nil {
		panic(err)
	}
}

// Weights returns the model's weights file: G's and R's variables and the
// Config (nn.Checkpoint, format weightsFormat).
func (m *Model) Weights() ([]byte, error) {
	ck, err := nn.Checkpoint(m.store).Format(weightsFormat).Only(weightPrefixes...).Done()
	if err != nil {
		return nil, err
	}
	return ck.Encode(weightsState{Config: m.cfg})
}

// BindCipher stores the model's weights in the content-addressed model
// store under dir ("" = cipher.DefaultModelDir(); see cipher.StoreWeights)
// and registers the model as the cipher scheme "gan/<tag>".
func (m *Model) BindCipher(dir, tag string) (cipher.Scheme, error) {
	w, err := m.Weights()
	if err != nil {
		return nil, err
	}
	path, err := cipher.StoreWeights(dir, FamilyName, w)
	if err != nil {
		return nil, err
	}
	return cipher.BindTrained(FamilyName, tag, path)
}

// trained is a loaded weights file: G's and R's executables.
type trained struct {
	cfg      Config
	mu       sync.Mutex // serialises Exec calls
	enc, dec *model.Exec
}

// loaded caches trained models by the SHA-256 of their weights file (a
// key-sensitivity test makes hundreds of ciphers of one model).
var loaded sync.Map

func loadCipher(w cipher.Weights, secret []byte) (cipher.Cipher, error) {
	t, ok := loaded.Load(w.SHA256)
	if !ok {
		tm, err := loadTrained(w.Path, w.Data)
		if err != nil {
			return nil, err
		}
		t, _ = loaded.LoadOrStore(w.SHA256, tm)
	}
	return &imageCipher{m: t.(*trained), secret: append([]byte(nil), secret...)}, nil
}

func loadTrained(path string, b []byte) (*trained, error) {
	name := safefile.Name(path)
	be, err := backend.Default().New()
	if err != nil {
		return nil, err
	}
	store := model.NewStore()
	ck, err := nn.Checkpoint(store).Format(weightsFormat).Done()
	if err != nil {
		return nil, err
	}
	var st weightsState
	snap, err := ck.Decode(b, &st)
	if err != nil {
		return nil, fmt.Errorf("%s: not a GAN weights file: %w", name, err)
	}
	if err := st.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := snap.Restore(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	arch := ArchFor(be, st.Config.Channels)
	t := &trained{cfg: st.Config}
	if t.enc, err = model.NewExec(be, store, func(scope *model.Scope, x, z *Node) *Node {
		return Round(MulScalar(genGraph(scope, x, z, arch), 255))
	}); err == nil {
		t.dec, err = model.NewExec(be, store, func(scope *model.Scope, c, z *Node) *Node {
			return Round(MulScalar(recGraph(scope, c, z, arch), 255))
		})
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// Run G and R once on a 4×4 image: the file must hold exactly their
	// variables, with their shapes (a missing variable would be created
	// freshly initialised, a different network on every run).
	before := countVariables(store)
	zero := tensors.FromFlatDataAndDimensions(make([]float32, 16), 1, 4, 4, 1)
	for who, exec := range map[string]*model.Exec{"G": t.enc, "R": t.dec} {
		if _, err := exec.Exec(zero, zero); err != nil {
			first, _, _ := strings.Cut(err.Error(), "\n")
			return nil, fmt.Errorf("%s: not a usable GAN weights file (%s): %s", name, who, first)
		}
	}
	if after := countVariables(store); after != before {
		return nil, fmt.Errorf("%s: not a complete GAN weights file: G and R need %d variables it lacks", name, after-before)
	}
	return t, nil
}

func countVariables(store *model.Store) int {
	n := 0
	for range store.IterVariables() {
		n++
	}
	return n
}

// imageCipher is a trained G and R under one secret.
type imageCipher struct {
	m      *trained
	secret []byte
}

func (c *imageCipher) Name() string { return FamilyName }

// run applies exec (G or R) to g with the secret's key plane and writes
// the rounded output as an 8-bit image of g's size.
func (c *imageCipher) run(exec *model.Exec, g *imageio.Gray, op string) (*imageio.Gray, error) {
	if err := g.Check(); err != nil {
		return nil, fmt.Errorf("%s: %s: %v", FamilyName, op, err)
	}
	if g.BitDepth() != 8 {
		return nil, fmt.Errorf("%s: %s: a %d-bit image: the GAN cipher works on 8-bit images", FamilyName, op, g.BitDepth())
	}
	z, err := KeyPlane(c.secret, g.Height, g.Width)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %dx%d image: %v", FamilyName, op, g.Width, g.Height, err)
	}
	x := make([]float32, len(g.Pix))
	for i, p := range g.Pix {
		x[i] = float32(p) / 255
	}
	dims := []int{1, g.Height, g.Width, 1}
	c.m.mu.Lock()
	res, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, dims...), tensors.FromFlatDataAndDimensions(z, dims...))
	c.m.mu.Unlock()
	if err != nil {
		first, _, _ := strings.Cut(err.Error(), "\n")
		return nil, fmt.Errorf("%s: %s: %s", FamilyName, op, first)
	}
	y, err := tensors.CopyFlatData[float32](res[0])
	if err != nil {
		return nil, err
	}
	out := &imageio.Gray{Width: g.Width, Height: g.Height, Depth: g.Depth, Pix: make([]uint8, len(g.Pix))}
	for i, v := range y {
		out.Pix[i] = uint8(min(max(v, 0), 255))
	}
	return out, nil
}

// Encrypt runs G: the cipher image, 8-bit, of g's size. Errors: an invalid
// or non-8-bit image, or one over MaxKeyPlanePixels pixels.
func (c *imageCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) {
	return c.run(c.m.enc, g, "encrypt")
}

// Decrypt runs R: the reconstructed plain image (lossy; see the package
// notes).
func (c *imageCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) {
	return c.run(c.m.dec, g, "decrypt")
}

// Cipher returns the model's G and R as a cipher under secret (at least one
// byte; SecretBits/8 for keys of the registry), for inspecting a model
// while or after it trains (the notebook's live samples). It shares the
// model's executables: do not use it concurrently with training steps.
func (m *Model) Cipher(secret []byte) (cipher.Cipher, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("gan: empty secret")
	}
	m.asCipher.Do(func() { m.trained = &trained{cfg: m.cfg, enc: m.encExec, dec: m.decExec} })
	return &imageCipher{m: m.trained, secret: append([]byte(nil), secret...)}, nil
}
