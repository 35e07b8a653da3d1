package gannet

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// DiscLoss is D's binary cross-entropy: uniform images (logits real) are
// label 1, G's cipher images (logits fake) label 0; the mean over both.
func DiscLoss(real, fake *Node) *Node {
	return MulScalar(Add(ReduceAllMean(nn.SoftplusStable(Neg(real))), ReduceAllMean(nn.SoftplusStable(fake))), 0.5)
}

// DiscAccuracy is the fraction of uniform and cipher images D classifies
// right (logit > 0 for uniform, ≤ 0 for cipher), averaged over both.
func DiscAccuracy(real, fake *Node) *Node {
	zero := ScalarZero(real.Graph(), real.DType())
	r := ReduceAllMean(ConvertDType(GreaterThan(real, zero), real.DType()))
	f := ReduceAllMean(ConvertDType(LessOrEqual(fake, zero), fake.DType()))
	return MulScalar(Add(r, f), 0.5)
}

// AdvLoss is the generator's non-saturating GAN loss −log σ(D(c)), mean
// over the batch (logits fake of G's cipher images).
func AdvLoss(fake *Node) *Node { return ReduceAllMean(nn.SoftplusStable(Neg(fake))) }

// RecLoss is the mean absolute reconstruction error |x̂ − x| per pixel, on
// the [0, 1] scale.
func RecLoss(x, xhat *Node) *Node { return ReduceAllMean(Abs(Sub(xhat, x))) }

// KeyLoss is the key-dependence hinge max(0, margin − mean|c − c′|) for
// the cipher images c, c′ of one plain image under two keys.
func KeyLoss(c, c2 *Node, margin float64) *Node {
	d := ReduceAllMean(Abs(Sub(c, c2)))
	return Max(AddScalar(Neg(d), margin), ZerosLike(d))
}

// WrongKeyLoss is the wrong-key hinge max(0, margin − mean|x̂′ − x|) for
// the reconstruction x̂′ = R(c, z′) of a cipher image under another key's
// plane: it pushes that reconstruction at least margin per pixel away.
func WrongKeyLoss(x, wrong *Node, margin float64) *Node {
	d := RecLoss(x, wrong)
	return Max(AddScalar(Neg(d), margin), ZerosLike(d))
}
