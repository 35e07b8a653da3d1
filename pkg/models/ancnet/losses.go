package ancnet

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
)

// Every function here takes blocks along the last axes: [batch, N] for one
// run, or [runs, batch, N] for a Population, where each reduction over the
// batch is per run ([runs] instead of a scalar).

// BitsWrongPM is the per-block L1 error in bits for ±1 encodings:
// Σᵢ |pᵢ − xᵢ| / 2, shape [batch] (Abadi & Andersen's "bits wrong").
func BitsWrongPM(p, x *Node) *Node {
	return MulScalar(ReduceSum(Abs(Sub(p, x)), lastAxis(p)), 0.5)
}

// BitsWrong01 is the per-block L1 error in bits for {0, 1} encodings:
// Σᵢ |pᵢ − xᵢ|, shape [batch].
func BitsWrong01(p, x *Node) *Node {
	return ReduceSum(Abs(Sub(p, x)), lastAxis(p))
}

// meanBlocks averages per-block values over the batch: [batch] → scalar,
// [runs, batch] → [runs].
func meanBlocks(x *Node) *Node {
	if x.Rank() == 1 {
		return ReduceAllMean(x)
	}
	return ReduceMean(x, lastAxis(x))
}

// ANCEveLoss is Eve's loss in ANC: the mean number of bits she gets wrong.
func ANCEveLoss(p, eve *Node) *Node {
	return meanBlocks(BitsWrongPM(p, eve))
}

// ANCAliceBobLoss is Alice and Bob's loss in ANC in its batch-mean form
// (LossBatchMean, as the paper's text can be read): mean(Bob's bits
// wrong)/N + (N/2 − mean(Eve's bits wrong))² / (N/2)², a scalar. p, bob
// and eve are [batch, N] in ±1.
func ANCAliceBobLoss(p, bob, eve *Node) *Node {
	n := float64(p.Shape().Dimensions[lastAxis(p)])
	bobLoss := DivScalar(meanBlocks(BitsWrongPM(p, bob)), n)
	eveGap := OneMinus(DivScalar(ANCEveLoss(p, eve), n/2)) // (N/2 − e)/(N/2)
	return Add(bobLoss, Square(eveGap))
}

// ANCAliceBobLossReference is Alice and Bob's loss in ANC in the form of
// the authors' released code (LossReference; tensorflow/models
// research/adversarial_crypto): Eve's term is squared per block, then
// averaged — mean(Bob's bits wrong)/N + mean_b((N/2 − Eve's bits wrong in
// block b)² / (N/2)²), a scalar. The released code sums over the batch
// where this takes the mean; with Adam that only rescales the loss, which
// Adam's per-weight normalisation cancels. p, bob and eve are [batch, N]
// in ±1. By Jensen's inequality it is never below the batch-mean form:
// Eve's per-block spread around N/2 is penalised, not only her mean.
func ANCAliceBobLossReference(p, bob, eve *Node) *Node {
	n := float64(p.Shape().Dimensions[lastAxis(p)])
	bobLoss := DivScalar(meanBlocks(BitsWrongPM(p, bob)), n)
	eveGap := OneMinus(DivScalar(BitsWrongPM(p, eve), n/2)) // per block
	return Add(bobLoss, meanBlocks(Square(eveGap)))
}

// ancAliceBobLoss is ANC's Alice–Bob loss in the configuration's form
// (Config.Loss; "" is the reference form).
func (c Config) ancAliceBobLoss(p, bob, eve *Node) *Node {
	if c.Loss == LossBatchMean {
		return ANCAliceBobLoss(p, bob, eve)
	}
	return ANCAliceBobLossReference(p, bob, eve)
}

// CPABobLoss is Bob's loss in CPA-ANC: the mean number of bits he gets
// wrong per block, mean(Σᵢ |pᵢ − p̂ᵢ|), for {0, 1} encodings (bits, as in
// ANC; a per-bit mean let γ·Err_Eve drown Bob's signal in our runs).
func CPABobLoss(p, bob *Node) *Node {
	return meanBlocks(BitsWrong01(p, bob))
}

// pickTarget returns, per example, the log-probability or probability of
// the target class: t·v[:,1] + (1 − t)·v[:,0], with t ∈ {0, 1} of shape [batch].
func pickTarget(v, t *Node) *Node {
	v0, v1 := classes(v, t)
	return Add(Mul(t, v1), Mul(OneMinus(t), v0))
}

// classes splits v [..., 2] into its two classes, each shaped like t.
func classes(v, t *Node) (v0, v1 *Node) {
	last := lastAxis(v)
	return Reshape(SliceAxis(v, last, AxisRange(0, 1)), t.Shape().Dimensions...),
		Reshape(SliceAxis(v, last, AxisRange(1, 2)), t.Shape().Dimensions...)
}

// CPAEveLoss is Eve's loss in CPA-ANC: the cross-entropy of her 2-way
// softmax (logits [batch, 2]) against t ∈ {0, 1} ([batch]), which says
// whether C encrypts P0 (0) or P1 (1).
func CPAEveLoss(logits, t *Node) *Node {
	return Neg(meanBlocks(pickTarget(LogSoftmax(logits, lastAxis(logits)), t)))
}

// CPAEveError is Eve's (differentiable) classification error: the mean
// probability she gives to the wrong plaintext.
func CPAEveError(logits, t *Node) *Node {
	return OneMinus(meanBlocks(pickTarget(Softmax(logits, lastAxis(logits)), t)))
}

// CPAEveAccuracy is the fraction of examples where Eve's larger logit is
// the right one (ties count as wrong).
func CPAEveAccuracy(logits, t *Node) *Node {
	l0, l1 := classes(logits, t)
	says1 := ConvertDType(GreaterThan(l1, l0), t.DType())
	says0 := ConvertDType(GreaterThan(l0, l1), t.DType())
	return meanBlocks(Add(Mul(t, says1), Mul(OneMinus(t), says0)))
}

// CPAAliceBobLoss is Alice and Bob's loss in CPA-ANC:
// L_Bob − γ·min(Err_Eve, 0.5).
func CPAAliceBobLoss(bobLoss, eveErr *Node, gamma float64) *Node {
	return Sub(bobLoss, MulScalar(MinScalar(eveErr, 0.5), gamma))
}
