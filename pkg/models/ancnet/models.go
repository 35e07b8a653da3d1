package ancnet

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// angleClip keeps arccos away from ±1, where its derivative is infinite.
const angleClip = 1e-6

// Angle maps (continuous) bits b ∈ [0, 1] to angles f(b) = arccos(1 − 2b)
// ∈ [0, π] (Coutinho et al., eq. 12 of the seed paper): bit 0 → 0, bit 1 → π.
// The argument of arccos is clipped to ±(1 − 1e-6) so that the gradient
// stays finite.
func Angle(b *Node) *Node {
	x := OneMinus(MulScalar(b, 2.0))
	x = ClipScalar(x, -1+angleClip, 1-angleClip)
	// The value comes from arccosValue, without a gradient; the derivative
	// −1/√(1 − x²) is attached by a zero-valued term (x − sg(x))·sg(d).
	value := StopGradient(arccosValue(x))
	deriv := StopGradient(Neg(Inverse(Sqrt(OneMinus(Square(x))))))
	return Add(value, Mul(Sub(x, StopGradient(x)), deriv))
}

// arccosCoeffs are the coefficients of Abramowitz & Stegun's 4.4.46:
// arccos(x) = √(1 − x)·Σᵢ aᵢxⁱ + ε(x) for 0 ≤ x ≤ 1, |ε| ≤ 2·10⁻⁸, below
// float32's resolution.
var arccosCoeffs = []float64{1.5707963050, -0.2145988016, 0.0889789874, -0.0501743046,
	0.0308918810, -0.0170881256, 0.0066700901, -0.0012624911}

// arccosValue is arccos(x) for x ∈ [−1, 1] from elementary operations
// (A&S 4.4.46 on |x|, and arccos(x) = π − arccos(−x) for x < 0). GoMLX has
// no arccos, and the ONNX Runtime backend lacks Atan2, so this keeps CPA-ANC
// identical on every backend. It has no useful gradient (see Angle).
func arccosValue(x *Node) *Node {
	ax := Abs(x)
	poly := ScalarZero(x.Graph(), x.DType())
	for i := len(arccosCoeffs) - 1; i >= 0; i-- { // Horner
		poly = AddScalar(Mul(poly, ax), arccosCoeffs[i])
	}
	pos := Mul(Sqrt(OneMinus(ax)), poly)
	return Where(LessThan(x, ZerosLike(x)), AddScalar(Neg(pos), math.Pi), pos)
}

// InvAngle maps angles back to continuous bits f⁻¹(a) = (1 − cos a)/2 (eq. 13).
// A sum of bit angles with integer weights maps to the XOR of the bits
// whose weights are odd.
func InvAngle(a *Node) *Node {
	return MulScalar(OneMinus(Cos(a)), 0.5)
}

// ConvSpec is one 1-D convolution of the "mix & transform" architecture.
type ConvSpec struct{ Window, In, Out, Stride int }

// MixTransformConvs are Abadi & Andersen's convolutions (window, in → out
// channels, stride); a sigmoid follows each but the last, which uses tanh.
var MixTransformConvs = []ConvSpec{{4, 1, 2, 1}, {2, 2, 4, 2}, {1, 4, 4, 1}, {1, 4, 1, 1}}

// layerSet is how the networks' layers are computed: the single-run
// networks use nn.Dense and singleConv1D (nn.Conv1D, or its banded form
// off the pure Go backend) on [batch, …] tensors; a Population uses
// stacked weights with a leading run axis ([runs, batch, …] tensors,
// popDense and PopConv's convolutions). The networks below are written
// once for both: they only touch the last axes.
type layerSet struct {
	// dense maps x [..., in] to [..., out] with variables "weights" (and
	// "biases" when bias) under scope.
	dense func(scope *model.Scope, x *Node, out int, bias bool) *Node
	// conv is a "same"-padded 1-D convolution without bias of x [..., length,
	// in] to [..., ⌈length/stride⌉, out], kernel "kernel" under scope.
	conv func(scope *model.Scope, x *Node, window, out, stride int) *Node
}

// single is the single-run layer set (its convolution takes the banded
// form on backends where that is faster: singleConv1D).
var single = layerSet{dense: nn.Dense, conv: singleConv1D}

// lastAxis is the index of x's last axis.
func lastAxis(x *Node) int { return x.Rank() - 1 }

// concatLast concatenates along the last axis.
func concatLast(xs ...*Node) *Node { return Concatenate(xs, lastAxis(xs[0])) }

// withLast returns x's dimensions with the last one replaced by dims.
func withLast(x *Node, dims ...int) []int {
	d := x.Shape().Dimensions
	return append(append([]int(nil), d[:len(d)-1]...), dims...)
}

// transform applies the convolutions of MixTransformConvs to h, [..., 2N],
// returning [..., N] in (−1, 1).
func (l layerSet) transform(scope *model.Scope, h *Node) *Node {
	width := h.Shape().Dimensions[lastAxis(h)]
	x := Reshape(h, withLast(h, width, 1)...)
	for i, c := range MixTransformConvs {
		x = l.conv(scope.At("conv%d", i), x, c.Window, c.Out, c.Stride)
		if i < len(MixTransformConvs)-1 {
			x = Sigmoid(x)
		} else {
			x = Tanh(x)
		}
	}
	d := x.Shape().Dimensions
	return Reshape(x, d[:len(d)-1]...)
}

func (l layerSet) mixTransform(scope *model.Scope, x *Node) *Node {
	w := x.Shape().Dimensions[lastAxis(x)]
	h := Sigmoid(l.dense(scope.At("dense0"), x, w, true))
	return l.transform(scope, h)
}

func (l layerSet) ancEve(scope *model.Scope, c *Node) *Node {
	n := c.Shape().Dimensions[lastAxis(c)]
	h := Sigmoid(l.dense(scope.At("dense0"), c, 2*n, true))
	h = Sigmoid(l.dense(scope.At("dense1"), h, 2*n, true))
	return l.transform(scope, h)
}

func (l layerSet) cpaAlice(scope *model.Scope, p, k *Node) *Node {
	n := p.Shape().Dimensions[lastAxis(p)]
	return InvAngle(l.dense(scope.At("dense0"), BitAngle(concatLast(p, k)), n, false))
}

func (l layerSet) cpaKeyholder(scope *model.Scope, x, k *Node) *Node {
	n := x.Shape().Dimensions[lastAxis(x)]
	return InvAngle(l.dense(scope.At("dense0"), Angle(concatLast(x, k)), n, false))
}

func (l layerSet) cpaEve(scope *model.Scope, p0, p1, c *Node) *Node {
	n := c.Shape().Dimensions[lastAxis(c)]
	h := InvAngle(l.dense(scope.At("dense0"), Angle(concatLast(p0, p1, c)), CPAEveHidden*n, false))
	return l.dense(scope.At("dense1"), h, 2, true)
}

// MixTransform is the "mix & transform" network of Abadi & Andersen: a dense
// layer 2N → 2N with sigmoid, then the convolutions of MixTransformConvs.
// x is [batch, 2N]; the result is [batch, N] in (−1, 1).
func MixTransform(scope *model.Scope, x *Node) *Node { return single.mixTransform(scope, x) }

// ANCAlice encrypts: C = MixTransform(P ‖ K); P and K are [batch, N] of ±1.
func ANCAlice(scope *model.Scope, p, k *Node) *Node { return MixTransform(scope, concatLast(p, k)) }

// ANCBob decrypts: P̂ = MixTransform(C ‖ K).
func ANCBob(scope *model.Scope, c, k *Node) *Node { return MixTransform(scope, concatLast(c, k)) }

// ANCEve attacks from C alone: dense N → 2N, dense 2N → 2N (sigmoid after
// each), then the convolutions of MixTransformConvs.
func ANCEve(scope *model.Scope, c *Node) *Node { return single.ancEve(scope, c) }

// BitAngle is Angle for exact bits: f(b) = π·b for b ∈ {0, 1}.
func BitAngle(b *Node) *Node { return MulScalar(b, math.Pi) }

// CPAAlice encrypts: P and K are [batch, n] bits in {0, 1}; C ∈ [0, 1]ⁿ.
// Her inputs are exact bits, so their angles are π·b (BitAngle); one
// linear layer without bias mixes the 2n angles into n, and InvAngle turns
// those back into continuous bits. With integer weights she computes XORs
// of input bits exactly.
func CPAAlice(scope *model.Scope, p, k *Node) *Node { return single.cpaAlice(scope, p, k) }

// CPABob decrypts: P̂ = InvAngle(W·Angle(C ‖ K)) (Coutinho's keyholder
// network on continuous bits).
func CPABob(scope *model.Scope, c, k *Node) *Node { return single.cpaKeyholder(scope, c, k) }

// CPAEveHidden is the number of hidden units of CPA-ANC's Eve per key bit
// (4n, as in the seed's §4.1).
const CPAEveHidden = 4

// CPAEve is the chosen-plaintext adversary: given the two plaintexts P0, P1
// and the ciphertext C (all [batch, n] in [0, 1]) it maps them to angles, mixes
// them linearly into 4n angles, applies InvAngle, and a second dense layer
// gives the two logits [batch, 2] of "C encrypts P0" / "C encrypts P1".
func CPAEve(scope *model.Scope, p0, p1, c *Node) *Node { return single.cpaEve(scope, p0, p1, c) }

// l2 returns the sum of squares of the "weights" variables under scope that
// the graph uses.
func l2(scope *model.Scope, g *Graph) *Node {
	var total *Node
	for v := range scope.IterVariables() {
		if v.Name() != "weights" || !v.InUseByGraph(g) {
			continue
		}
		s := ReduceAllSum(Square(v.NodeValue(g)))
		if total == nil {
			total = s
		} else {
			total = Add(total, s)
		}
	}
	if total == nil {
		return ScalarZero(g, dtypes.Float32)
	}
	return total
}
