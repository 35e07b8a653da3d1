package agilenet

import (
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// Scope names: E and D are one player (ScopeCipher) trained by one
// optimiser.
const (
	ScopeCipher = "agile"
	ScopeEnc    = "enc" // under ScopeCipher
	ScopeDec    = "dec" // under ScopeCipher
)

// Dilations are the parallel 3×3 convolutions of a multi-scale block (the
// agile paper's "multi-scale dilated convolution"; the set 1, 2, 4, 8 is
// the usual one, e.g. Yu & Koltun 2016's context module).
var Dilations = []int{1, 2, 4, 8}

// Blocks is the number of multi-scale blocks of E and of D.
const Blocks = 2

// ReceptiveField is the side, in pixels, of the square of input pixels
// one output pixel of E or D depends on: 1 + 2·Blocks·8.
const ReceptiveField = 1 + 2*Blocks*8

// Arch is the shape of the networks.
type Arch struct {
	// Channels is the width of a multi-scale block.
	Channels int
	// Form is how the convolutions are computed (nn.ConvFormFor).
	Form nn.ConvForm
}

// ArchFor is the architecture of width channels in the form fastest on
// backend be.
func ArchFor(be compute.Backend, channels int) Arch {
	return Arch{Channels: channels, Form: nn.ConvFormFor(be)}
}

// MultiScale is one multi-scale dilated block: len(Dilations) parallel
// 3×3 convolutions of x [batch, h, w, in], dilations 1, 2, 4, 8, each to
// Channels/4 channels, concatenated to [batch, h, w, Channels], then a
// leaky ReLU.
func MultiScale(scope *model.Scope, x *Node, arch Arch) *Node {
	branches := make([]*Node, len(Dilations))
	for i, d := range Dilations {
		branches[i] = arch.Form.Conv(scope.At("d%d", d), x, 3, arch.Channels/len(Dilations), d)
	}
	return nn.LeakyReLU(Concatenate(branches, -1), LeakySlope)
}

// body is E's and D's shared shape: the image and the key plane, both
// [batch, h, w, 1] on [0, 1], centred and concatenated as channels,
// Blocks multi-scale blocks, a 1×1 convolution to one channel: logits
// [batch, h, w, 1].
func body(scope *model.Scope, img, plane *Node, arch Arch) *Node {
	h := Concatenate([]*Node{AddScalar(img, -0.5), AddScalar(plane, -0.5)}, -1)
	for i := 0; i < Blocks; i++ {
		h = MultiScale(scope.At("block%d", i), h, arch)
	}
	return arch.Form.Conv(scope.At("out"), h, 1, 1, 1)
}

// Encoder is E(x, k): a plain image x and a binary key plane k, both
// [batch, h, w, 1] (x on [0, 1]), to the cipher image [batch, h, w, 1]
// on (0, 1) — a sigmoid of body's logits — before rounding to 8 bits
// (Quantize).
func Encoder(scope *model.Scope, x, k *Node, arch Arch) *Node {
	return Sigmoid(body(scope, x, k, arch))
}

// Decoder is D(c, k): a cipher image on [0, 1] and the key plane to the
// logits of the decrypted image [batch, h, w, 1]: x̂ = σ(logits) is the
// probability that the pixel of the binary image the plain image is read
// as (the binary reduction, RecLoss) is 1, i.e. the grey value on [0, 1].
func Decoder(scope *model.Scope, c, k *Node, arch Arch) *Node {
	return body(scope, c, k, arch)
}

// Quantize rounds cipher images c ∈ [0, 1] to the 256 levels of an 8-bit
// image, round(255·c)/255, with a straight-through gradient (the
// identity's), so that D and the losses see exactly the cipher images
// Encrypt writes.
func Quantize(c *Node) *Node {
	q := DivScalar(Round(MulScalar(c, 255)), 255)
	return Add(c, StopGradient(Sub(q, c)))
}

// encGraph and decGraph place E and D under the player's scope, with
// Xavier initialisation from the store's seeded RNG.
func encGraph(scope *model.Scope, x, k *Node, arch Arch) *Node {
	return Encoder(nn.XavierScope(scope).At(ScopeCipher).At(ScopeEnc), x, k, arch)
}

func decGraph(scope *model.Scope, c, k *Node, arch Arch) *Node {
	return Decoder(nn.XavierScope(scope).At(ScopeCipher).At(ScopeDec), c, k, arch)
}
