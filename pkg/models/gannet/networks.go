package gannet

import (
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// Scope names. G and R are one player (ScopeGenRec), D the other.
const (
	ScopeGenRec = "genrec"
	ScopeGen    = "gen" // under ScopeGenRec
	ScopeRec    = "rec" // under ScopeGenRec
	ScopeDisc   = "disc"
	// ScopeProbe holds the freshly initialised discriminator of the
	// distinguishing test (DistinguishTest).
	ScopeProbe = "probe"
)

// dilations of the three 3×3 convolutions of G and R. Ours.
var dilations = [...]int{1, 2, 4}

// ReceptiveField is the side, in pixels, of the square of plain-image (and
// key-plane) pixels one output pixel of G or R depends on:
// 1 + 2·(1 + 2 + 4), the three dilated 3×3 convolutions of mixer.
const ReceptiveField = 15

// MixerDilations returns the dilations of G's and R's 3×3 convolutions.
func MixerDilations() []int { return dilations[:] }

// Arch is the shape of the networks.
type Arch struct {
	// Channels is the width of every hidden convolution.
	Channels int
	// Convolve selects GoMLX's Convolve for the convolutions instead of
	// nn.Conv2D's matrix product: the same layer, fastest elsewhere than
	// on the pure Go backend (see ArchFor).
	Convolve bool
}

// ArchFor is the architecture of width channels in the form fastest on
// backend be (nn.ConvFormFor).
func ArchFor(be compute.Backend, channels int) Arch {
	return Arch{Channels: channels, Convolve: nn.ConvFormFor(be).Convolve}
}

// conv is the k×k "same" convolution of the networks.
func (a Arch) conv(scope *model.Scope, x *Node, k, out, dilation int) *Node {
	return nn.ConvForm{Convolve: a.Convolve}.Conv(scope, x, k, out, dilation)
}

// leaky is the leaky ReLU with slope LeakySlope for x < 0.
func leaky(x *Node) *Node { return nn.LeakyReLU(x, LeakySlope) }

// mixer is the body shared by G and R: the two [batch, h, w, 1] inputs
// concatenated as channels, three dilated 3×3 convolutions (dilations) of
// width arch.Channels with leaky ReLUs, a 1×1 convolution to one channel and a
// sigmoid: an image in (0, 1) of the inputs' size.
func mixer(scope *model.Scope, a, b *Node, arch Arch) *Node {
	h := Concatenate([]*Node{a, b}, -1)
	for i, d := range dilations {
		h = leaky(arch.conv(scope.At("conv%d", i), h, 3, arch.Channels, d))
	}
	h = arch.conv(scope.At("out"), h, 1, 1, 1)
	return Sigmoid(h)
}

// Generator is G(x, z): plain image x and key plane z, both
// [batch, h, w, 1] in [0, 1], to a cipher image [batch, h, w, 1] in
// [0, 1) (before rounding to 8 bits; see Quantize): the learned code
// a = mixer(x, z) ∈ (0, 1), masked by the key plane modulo 1,
// c = (a + z) mod 1 (the gradient flows through a). Ours: without the
// masking layer, measured on the tests' tiny model, either R learned to
// decrypt without the key (wrong-key PSNR equal to right-key PSNR) or,
// with a wrong-key term strong enough to stop that, nothing was learned
// (reconstruction error at its no-information level). With it, c is as
// uniform as z whatever a is, and only the key holder can unmask a.
func Generator(scope *model.Scope, x, z *Node, arch Arch) *Node {
	return wrap(Add(mixer(scope, x, z, arch), z))
}

// Reconstructor is R(c, z): cipher image and key plane, [batch, h, w, 1],
// to the reconstructed plain image [batch, h, w, 1] in (0, 1): the
// unmasked code (c − z) mod 1 through mixer, with z beside it.
func Reconstructor(scope *model.Scope, c, z *Node, arch Arch) *Node {
	return mixer(scope, wrap(Sub(c, z)), z, arch)
}

// wrap is x mod 1 in [0, 1), with the identity's gradient.
func wrap(x *Node) *Node { return Sub(x, StopGradient(Floor(x))) }

// Discriminator is D(c): images [batch, h, w, 1] in [0, 1] (h and w
// multiples of 4, which Config.Validate requires of the crops; other sizes
// fail to build) to logits [batch] (> 0: "uniformly random image"). Three
// 3×3 convolutions of width arch.Channels with leaky ReLUs, the second and third
// after a 2×2 space-to-depth, then the mean over positions and a dense
// layer. The input is centred (c − 1/2) first.
func Discriminator(scope *model.Scope, c *Node, arch Arch) *Node {
	h := AddScalar(c, -0.5)
	for i := 0; i < 3; i++ {
		if i > 0 {
			h = nn.SpaceToDepth(h, 2)
		}
		h = leaky(arch.conv(scope.At("conv%d", i), h, 3, arch.Channels, 1))
	}
	h = ReduceMean(h, 1, 2) // [batch, channels]
	return Reshape(nn.Dense(scope.At("dense"), h, 1, true), -1)
}

// Levels is the number of grey levels of a cipher image (8 bits).
const Levels = 256

// Quantize maps cipher images c ∈ [0, 1) (values modulo 1) to the 256
// levels of an 8-bit image — level ⌊256·c⌋ (at most 255), represented by
// its centre (level + 1/2)/256 — with a straight-through gradient (the
// identity's), so that training sees exactly the cipher images Encrypt
// writes. Levels of equal width on the circle [0, 1) keep a uniform c
// uniform over all 256 levels (rounding 255·c would give 0 and 255 half
// the mass of the others: measured χ² of 750 on a 512² image).
func Quantize(c *Node) *Node {
	q := DivScalar(AddScalar(cipherLevel(c), 0.5), Levels)
	return Add(c, StopGradient(Sub(q, c)))
}

// cipherLevel is the 8-bit level ⌊256·c⌋ of c ∈ [0, 1), clamped to 255
// (c − ⌊c⌋ can round up to 1 in float32).
func cipherLevel(c *Node) *Node {
	return Min(Floor(MulScalar(c, Levels)), Scalar(c.Graph(), c.DType(), Levels-1))
}

// CipherValue is the value on [0, 1) that R reads for an 8-bit cipher
// pixel p: the centre of its level, (p + 1/2)/256.
func CipherValue(p uint8) float32 { return (float32(p) + 0.5) / Levels }

// genGraph and recGraph place G and R under the G/R player's scope, with
// Xavier initialisation from the store's seeded RNG.
func genGraph(scope *model.Scope, x, z *Node, arch Arch) *Node {
	return Generator(nn.XavierScope(scope).At(ScopeGenRec).At(ScopeGen), x, z, arch)
}

func recGraph(scope *model.Scope, c, z *Node, arch Arch) *Node {
	return Reconstructor(nn.XavierScope(scope).At(ScopeGenRec).At(ScopeRec), c, z, arch)
}

func discGraph(scope *model.Scope, c *Node, arch Arch) *Node {
	return Discriminator(nn.XavierScope(scope).At(ScopeDisc), c, arch)
}
