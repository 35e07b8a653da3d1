package agilenet

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// RecLoss is the binary-reduction reconstruction loss (the agile paper's
// "target image binary reduction strategy"): the plain grey image x on
// [0, 1] is read as per-pixel probabilities of a binary image, and the
// decoder's logits l as a Bernoulli model of that image; the loss is
// their cross-entropy, mean over pixels, in nats:
//
//	−[x·log σ(l) + (1 − x)·log(1 − σ(l))] = softplus(l) − x·l.
//
// It is differentiable and minimal exactly at σ(l) = x (its minimum is
// the binary entropy of x, not 0: L1 reports the reconstruction error).
func RecLoss(x, logits *Node) *Node {
	return ReduceAllMean(Sub(nn.SoftplusStable(logits), Mul(x, logits)))
}

// L1 is the mean absolute error |a − b| per pixel.
func L1(a, b *Node) *Node { return ReduceAllMean(Abs(Sub(a, b))) }

// HistLoss pushes each cipher image's histogram towards flat: a soft
// histogram of c [batch, h, w, 1] on [0, 1] over HistBins bins
// (triangular kernels of one bin's width centred on the bins, so a pixel
// spreads over its two nearest bins; pixels beyond the outer bins'
// centres count fully in the outer bin), per image; the loss is
// HistBins/(HistBins − 1) · Σ_b (p_b − 1/HistBins)², mean over the batch:
// 0 for a flat histogram, 1 when every pixel falls in one bin.
func HistLoss(c *Node) *Node {
	g := c.Graph()
	d := c.Shape().Dimensions
	n := d[1] * d[2]
	centres := make([]float32, HistBins)
	for b := range centres {
		centres[b] = float32(b) + 0.5
	}
	// Clamped to the outer bins' centres, so that a pixel in the outer half
	// of bin 0 or of the last bin counts fully there (unclamped, its
	// triangle would lose up to half its mass off the end, and the loss
	// would push pixels away from the extreme grey levels).
	v := Reshape(ClipScalar(MulScalar(c, HistBins), 0.5, HistBins-0.5), d[0], n, 1)
	w := Max(OneMinus(Abs(Sub(v, Reshape(Const(g, centres), 1, 1, HistBins)))), ScalarZero(g, c.DType()))
	p := ReduceMean(w, 1) // [batch, bins]
	dev := AddScalar(p, -1.0/HistBins)
	return MulScalar(ReduceAllMean(ReduceSum(Mul(dev, dev), -1)), HistBins/(HistBins-1.0))
}

// CorrLoss pushes neighbouring cipher pixels towards uncorrelated: the
// squared Pearson correlation of adjacent pixel pairs of each image c
// [batch, h, w, 1] in four directions — horizontal, vertical, diagonal
// and anti-diagonal — mean over the directions and the batch (0:
// uncorrelated, 1: fully correlated). With only the first two, the
// trained cipher's diagonal correlation reached −0.35 (measured, quick
// profile): the networks moved the structure where the loss did not look.
func CorrLoss(c *Node) *Node {
	d := c.Shape().Dimensions
	h, w := d[1], d[2]
	all := AxisRange()
	// (a, b) pairs: each pixel and its neighbour to the right, below,
	// below-right and below-left.
	pairs := [][2]*Node{
		{Slice(c, all, all, AxisRange(0, w-1)), Slice(c, all, all, AxisRange(1, w))},
		{Slice(c, all, AxisRange(0, h-1)), Slice(c, all, AxisRange(1, h))},
		{Slice(c, all, AxisRange(0, h-1), AxisRange(0, w-1)), Slice(c, all, AxisRange(1, h), AxisRange(1, w))},
		{Slice(c, all, AxisRange(0, h-1), AxisRange(1, w)), Slice(c, all, AxisRange(1, h), AxisRange(0, w-1))},
	}
	r2 := func(a, b *Node) *Node {
		a = Sub(a, ReduceAndKeep(a, ReduceMean, 1, 2, 3))
		b = Sub(b, ReduceAndKeep(b, ReduceMean, 1, 2, 3))
		cov := ReduceMean(Mul(a, b), 1, 2, 3)
		va, vb := ReduceMean(Mul(a, a), 1, 2, 3), ReduceMean(Mul(b, b), 1, 2, 3)
		return Div(Mul(cov, cov), AddScalar(Mul(va, vb), corrEps))
	}
	sum := ReduceAllMean(r2(pairs[0][0], pairs[0][1]))
	for _, p := range pairs[1:] {
		sum = Add(sum, ReduceAllMean(r2(p[0], p[1])))
	}
	return DivScalar(sum, float64(len(pairs)))
}

// corrEps keeps CorrLoss finite on a flat image (variance 0).
const corrEps = 1e-8

// WrongKeyLoss is the wrong-key hinge max(0, margin − mean|x̂′ − x|) for
// the decryption x̂′ = σ(D(c, k′)) of a cipher image under another key's
// plane: it pushes that decryption at least margin per pixel away from
// the plain image.
func WrongKeyLoss(x, wrong *Node, margin float64) *Node {
	d := L1(x, wrong)
	return Max(AddScalar(Neg(d), margin), ZerosLike(d))
}
