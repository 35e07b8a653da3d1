package agilenet

import (
	"fmt"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// FamilyName is the trained-cipher family of agile cipher models without
// post-processing; FamilyNames lists the family of each Post form (one
// weights file binds under each: "agile/<tag>", "agile-obf/<tag>",
// "agile-diff/<tag>").
const FamilyName = "agile"

// FamilyNames maps each post-processing form to its family name.
var FamilyNames = map[Post]string{PostNone: FamilyName, PostObfuscation: FamilyName + "-obf", PostDiffusion: FamilyName + "-diff"}

// weightsFormat tags agile weights files: E's and D's variables and the
// Config.
const weightsFormat = "neurocrypt/agilenet weights v1"

// weightPrefixes are the variables a weights file keeps: E's and D's (not
// the optimiser's state).
var weightPrefixes = []string{"/" + ScopeCipher + "/" + ScopeEnc + "/", "/" + ScopeCipher + "/" + ScopeDec + "/"}

type weightsState struct{ Config Config }

func init() {
	for _, p := range Posts {
		post := p
		if err := cipher.RegisterFamily(cipher.Family{Name: FamilyNames[p], SecretBits: SecretBits, Class: cipher.ClassConvolutionalNN,
			Description: fmt.Sprintf("trained agile cipher: multi-scale dilated CNNs E(x, k) encrypt and D(c, k) decrypt (lossy), k = periodic binary chaotic key plane of a 128-bit secret; post-processing: %s", p),
			Load: func(w cipher.Weights, secret []byte) (cipher.Cipher, error) {
				return loadCipher(w, secret, post)
			}}); err != nil {
			panic(err)
		}
	}
}

// Weights returns the model's weights file: E's and D's variables and the
// Config (nn.Checkpoint, format weightsFormat).
func (m *Model) Weights() ([]byte, error) {
	ck, err := nn.Checkpoint(m.store).Format(weightsFormat).Only(weightPrefixes...).Done()
	if err != nil {
		return nil, err
	}
	return ck.Encode(weightsState{Config: m.cfg})
}

// BindCiphers stores the model's weights in the content-addressed model
// store under dir and registers the model in its three forms
// (BindWeights).
func (m *Model) BindCiphers(dir, tag string) ([]string, error) {
	w, err := m.Weights()
	if err != nil {
		return nil, err
	}
	return BindWeights(dir, tag, w)
}

// BindWeights stores a weights file in the content-addressed model store
// under dir ("" = cipher.DefaultModelDir(); see cipher.StoreWeights) and
// registers it in its three forms, "<family>/<tag>" for each family of
// FamilyNames; it returns the scheme names in Posts order.
func BindWeights(dir, tag string, weights []byte) ([]string, error) {
	var names []string
	for _, p := range Posts {
		s, err := cipher.BindWeights(dir, FamilyNames[p], tag, weights)
		if err != nil {
			return nil, err
		}
		names = append(names, s.Name())
	}
	return names, nil
}

// cipherExecs builds the cipher's executables on store: E, from a plain
// image x (pixels/255) and a key plane k to the cipher image's pixels
// round(255·E(x, k)), and D, from a cipher image (pixels/255) and k to
// the decrypted pixels round(255·σ(D(c, k))). Both take and return
// [1, h, w, 1] float32 tensors.
func cipherExecs(be compute.Backend, store *model.Store, arch Arch) (enc, dec *model.Exec, err error) {
	enc, err = model.NewExec(be, store, func(scope *model.Scope, x, k *Node) *Node {
		return Round(MulScalar(encGraph(scope, x, k, arch), 255))
	})
	if err != nil {
		return nil, nil, err
	}
	dec, err = model.NewExec(be, store, func(scope *model.Scope, c, k *Node) *Node {
		return Round(MulScalar(Sigmoid(decGraph(scope, c, k, arch)), 255))
	})
	return enc, dec, err
}

// trained is a loaded weights file: E's and D's executables (index 0 E,
// 1 D).
type trained struct {
	cfg   Config
	execs *nn.ShapeExecs
}

// loaded caches trained models by the SHA-256 of their weights file.
var loaded nn.ModelCache[*trained]

func loadCipher(w cipher.Weights, secret []byte, post Post) (cipher.Cipher, error) {
	t, err := loaded.Get(w.SHA256, func() (*trained, error) { return loadTrained(w.Path, w.Data) })
	if err != nil {
		return nil, err
	}
	return &imageCipher{m: t, secret: append([]byte(nil), secret...), post: post}, nil
}

func loadTrained(path string, b []byte) (*trained, error) {
	var st weightsState
	execs, err := nn.LoadCodec(path, b, weightsFormat, "agile", &st, func() error { return st.Config.Validate() },
		func(be compute.Backend, store *model.Store) (*model.Exec, *model.Exec, error) {
			return cipherExecs(be, store, ArchFor(be, st.Config.Channels))
		}, [2]string{"E", "D"})
	if err != nil {
		return nil, err
	}
	return &trained{cfg: st.Config, execs: execs}, nil
}

// imageCipher is a trained E and D under one secret, with a
// post-processing form.
type imageCipher struct {
	m      *trained
	secret []byte
	post   Post
}

func (c *imageCipher) Name() string { return FamilyNames[c.post] }

// MaxSampleBytes implements cipher.SizeLimited: the agile cipher takes
// 8-bit images of at most MaxPixels pixels.
func (c *imageCipher) MaxSampleBytes() int { return MaxPixels }

// TileSize is the side of the tiles an image is run through E or D in
// (nn.Tiled, with a margin of ReceptiveField/2: exact, memory bounded).
var TileSize = 128

// run applies E (decrypt false) or D to g (for D, its post-processing
// already inverted) with the secret's key plane.
func (c *imageCipher) run(decrypt bool, g *imageio.Gray, op string) (*imageio.Gray, error) {
	if err := checkImage(g); err != nil {
		return nil, fmt.Errorf("%s: %s: %v", c.Name(), op, err)
	}
	k, err := KeyPlane(c.secret, g.Height, g.Width)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %v", c.Name(), op, err)
	}
	out, err := c.m.apply(decrypt, g, k)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %s", c.Name(), op, nn.OneLine(err.Error()))
	}
	return out, nil
}

// checkImage refuses what the networks do not take: an invalid image, a
// non-8-bit one, or one over MaxPixels pixels.
func checkImage(g *imageio.Gray) error {
	if err := g.Check(); err != nil {
		return err
	}
	if g.BitDepth() != 8 {
		return fmt.Errorf("a %d-bit image: the agile cipher works on 8-bit images", g.BitDepth())
	}
	if g.Width > MaxPixels/g.Height {
		return fmt.Errorf("a %dx%d image: the agile cipher takes at most %d pixels", g.Width, g.Height, MaxPixels)
	}
	return nil
}

// apply runs E (decrypt false) or D over g with key plane k (h·w values),
// tile by tile (TileSize, margin ReceptiveField/2: exact).
func (t *trained) apply(decrypt bool, g *imageio.Gray, k []float32) (*imageio.Gray, error) {
	exec := 0
	if decrypt {
		exec = 1
	}
	return nn.Tiled(g, k, TileSize, ReceptiveField/2, pixelValue, func(h, w int, x, k *tensors.Tensor) ([]*tensors.Tensor, error) {
		return t.execs.Exec(exec, h, w, x, k)
	})
}

// pixelValue is an 8-bit pixel on [0, 1] (nn.ImageBatch's scale).
func pixelValue(p uint8) float32 { return float32(p) / 255 }

// Encrypt runs E, then the post-processing: the cipher image, 8-bit, of
// g's size. Errors: an invalid or non-8-bit image, or one over MaxPixels
// pixels.
func (c *imageCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) {
	out, err := c.run(false, g, "encrypt")
	if err != nil {
		return nil, err
	}
	if out.Pix, err = c.post.Apply(c.secret, out.Pix); err != nil {
		return nil, fmt.Errorf("%s: encrypt: %v", c.Name(), err)
	}
	return out, nil
}

// Decrypt inverts the post-processing (exactly), then runs D: the
// decrypted image (lossy; see the package notes).
func (c *imageCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) {
	if err := checkImage(g); err != nil {
		return nil, fmt.Errorf("%s: decrypt: %v", c.Name(), err)
	}
	pix, err := c.post.Invert(c.secret, g.Pix)
	if err != nil {
		return nil, fmt.Errorf("%s: decrypt: %v", c.Name(), err)
	}
	in := *g
	in.Pix = pix
	return c.run(true, &in, "decrypt")
}

// live returns the model's executables as a trained model (shared by
// Cipher and the plane-level calls).
func (m *Model) live() *trained {
	m.asCipher.Do(func() {
		m.trained = &trained{cfg: m.cfg, execs: nn.NewShapeExecs([]*model.Exec{m.encExec, m.decExec}, func() ([]*model.Exec, error) {
			enc, dec, err := cipherExecs(m.backend, m.store, m.arch)
			return []*model.Exec{enc, dec}, err
		})}
	})
	return m.trained
}

// EncryptPlane runs E on the 8-bit image g with the key plane k (g's
// h·w values in {0, 1}; any values are accepted, e.g. a plane with some
// bits flipped): the cipher image before post-processing. DecryptPlane
// runs D likewise. For the key-sensitivity curve; not concurrently with
// training steps.
func (m *Model) EncryptPlane(g *imageio.Gray, k []float32) (*imageio.Gray, error) {
	return m.plane(false, g, k)
}

// DecryptPlane runs D on the cipher image c with key plane k (see
// EncryptPlane).
func (m *Model) DecryptPlane(c *imageio.Gray, k []float32) (*imageio.Gray, error) {
	return m.plane(true, c, k)
}

func (m *Model) plane(decrypt bool, g *imageio.Gray, k []float32) (*imageio.Gray, error) {
	if err := checkImage(g); err != nil {
		return nil, fmt.Errorf("agile: %v", err)
	}
	out, err := m.live().apply(decrypt, g, k)
	if err != nil {
		return nil, fmt.Errorf("agile: %s", nn.OneLine(err.Error()))
	}
	return out, nil
}

// Cipher returns the model's E and D as a cipher under secret (at least
// one byte; SecretBits/8 for keys of the registry) with post-processing
// post, for inspecting a model while or after it trains. It shares the
// model's executables: do not use it concurrently with training steps.
func (m *Model) Cipher(secret []byte, post Post) (cipher.Cipher, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("agile: empty secret")
	}
	if _, ok := FamilyNames[post]; !ok {
		return nil, fmt.Errorf("agile: unknown post-processing %d", int(post))
	}
	return &imageCipher{m: m.live(), secret: append([]byte(nil), secret...), post: post}, nil
}
