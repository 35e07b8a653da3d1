package gannet

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

// FamilyName is the trained-cipher family of GAN cipher models.
const FamilyName = "gan"

// weightsFormat tags GAN weights files: G's and R's variables and the
// Config (D is not part of the cipher).
// v2: cipher images on 256 equal levels modulo 1 and key planes of three
// maps (a v1 file's model was trained for the older mapping).
const weightsFormat = "neurocrypt/gannet weights v2"

// weightPrefixes are the variables a weights file keeps: G's and R's (not
// their optimiser's state).
var weightPrefixes = []string{"/" + ScopeGenRec + "/" + ScopeGen + "/", "/" + ScopeGenRec + "/" + ScopeRec + "/"}

type weightsState struct{ Config Config }

func init() {
	if err := cipher.RegisterFamily(cipher.Family{Name: FamilyName, SecretBits: SecretBits, Class: cipher.ClassGAN,
		Description: "trained direct-ciphertext-generation GAN: G(x, z) encrypts, R(c, z) decrypts (lossy), z = chaotic key plane of a 128-bit secret",
		Load:        loadCipher}); err != nil {
		panic(err)
	}
}

// Weights returns the model's weights file: G's and R's variables (not
// D's, nor the optimisers' state) and the Config (nn.Checkpoint, format
// weightsFormat).
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
	return cipher.BindWeights(dir, FamilyName, tag, w)
}

// cipherExecs builds the cipher's two executables on store: G, from a
// plain image x (pixels/255) and a key plane z to the cipher image's 8-bit
// levels (cipherLevel), and R, from a cipher image (CipherValue of its
// pixels) and z to the decrypted image's pixels round(255·x̂). Both take
// and return [1, h, w, 1] float32 tensors.
func cipherExecs(be compute.Backend, store *model.Store, arch Arch) (enc, dec *model.Exec, err error) {
	enc, err = model.NewExec(be, store, func(scope *model.Scope, x, z *Node) *Node {
		return cipherLevel(genGraph(scope, x, z, arch))
	})
	if err != nil {
		return nil, nil, err
	}
	dec, err = model.NewExec(be, store, func(scope *model.Scope, c, z *Node) *Node {
		return Round(MulScalar(recGraph(scope, c, z, arch), 255))
	})
	return enc, dec, err
}

// trained is a loaded weights file: G's and R's executables (nn.ShapeExecs:
// index 0 G, 1 R).
type trained struct {
	cfg   Config
	execs *nn.ShapeExecs
}

// loaded caches trained models by the SHA-256 of their weights file.
var loaded nn.ModelCache[*trained]

func loadCipher(w cipher.Weights, secret []byte) (cipher.Cipher, error) {
	t, err := loaded.Get(w.SHA256, func() (*trained, error) { return loadTrained(w.Path, w.Data) })
	if err != nil {
		return nil, err
	}
	return &imageCipher{m: t, secret: append([]byte(nil), secret...)}, nil
}

func loadTrained(path string, b []byte) (*trained, error) {
	var st weightsState
	execs, err := nn.LoadCodec(path, b, weightsFormat, "GAN", &st, func() error { return st.Config.Validate() },
		func(be compute.Backend, store *model.Store) (*model.Exec, *model.Exec, error) {
			return cipherExecs(be, store, ArchFor(be, st.Config.Channels))
		}, [2]string{"G", "R"})
	if err != nil {
		return nil, err
	}
	return &trained{cfg: st.Config, execs: execs}, nil
}

// imageCipher is a trained G and R under one secret.
type imageCipher struct {
	m      *trained
	secret []byte
}

func (c *imageCipher) Name() string { return FamilyName }

// MaxSampleBytes implements cipher.SizeLimited: the GAN cipher takes
// 8-bit images of at most MaxKeyPlanePixels pixels, so a larger one is
// refused from its header.
func (c *imageCipher) MaxSampleBytes() int { return MaxKeyPlanePixels }

// TileSize is the side of the tiles an image is run through G or R in:
// each tile is computed with a margin of ReceptiveField/2 pixels of its
// neighbours (or the image border), which makes its pixels exactly those
// of a whole-image run (tested) while memory stays bounded by the tile,
// whatever the image size.
var TileSize = 128

// run applies G (decrypt false) or R to g — its pixels mapped by value —
// with the secret's key plane, tile by tile (TileSize), and writes the
// output levels as an 8-bit image of g's size.
func (c *imageCipher) run(decrypt bool, g *imageio.Gray, op string, value func(uint8) float32) (*imageio.Gray, error) {
	if err := g.Check(); err != nil {
		return nil, fmt.Errorf("%s: %s: %v", FamilyName, op, err)
	}
	if g.BitDepth() != 8 {
		return nil, fmt.Errorf("%s: %s: a %d-bit image: the GAN cipher works on 8-bit images", FamilyName, op, g.BitDepth())
	}
	if g.Width > MaxKeyPlanePixels/g.Height {
		return nil, fmt.Errorf("%s: %s: a %dx%d image: the GAN cipher takes at most %d pixels", FamilyName, op, g.Width, g.Height, MaxKeyPlanePixels)
	}
	z, err := KeyPlane(c.secret, g.Height, g.Width)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %v", FamilyName, op, err)
	}
	exec := 0
	if decrypt {
		exec = 1
	}
	out, err := nn.Tiled(g, z, TileSize, ReceptiveField/2, value, func(h, w int, x, z *tensors.Tensor) ([]*tensors.Tensor, error) {
		return c.m.execs.Exec(exec, h, w, x, z)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %s", FamilyName, op, nn.OneLine(err.Error()))
	}
	return out, nil
}

// Encrypt runs G: the cipher image, 8-bit, of g's size. Errors: an invalid
// or non-8-bit image, or one over MaxKeyPlanePixels pixels.
func (c *imageCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) {
	return c.run(false, g, "encrypt", plainValue)
}

// Decrypt runs R: the reconstructed plain image (lossy; see the package
// notes).
func (c *imageCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) {
	return c.run(true, g, "decrypt", CipherValue)
}

// plainValue is a plain pixel on [0, 1] (nn.ImageBatch's scale).
func plainValue(p uint8) float32 { return float32(p) / 255 }

// Cipher returns the model's G and R as a cipher under secret (at least one
// byte; SecretBits/8 for keys of the registry), for inspecting a model
// while or after it trains (the notebook's live samples). It shares the
// model's executables: do not use it concurrently with training steps.
func (m *Model) Cipher(secret []byte) (cipher.Cipher, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("gan: empty secret")
	}
	m.asCipher.Do(func() {
		m.trained = &trained{cfg: m.cfg, execs: nn.NewShapeExecs([]*model.Exec{m.encExec, m.decExec}, func() ([]*model.Exec, error) {
			enc, dec, err := cipherExecs(m.backend, m.store, m.arch)
			return []*model.Exec{enc, dec}, err
		})}
	})
	return &imageCipher{m: m.trained, secret: append([]byte(nil), secret...)}, nil
}
