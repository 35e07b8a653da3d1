package ancnet

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
)

// BitsWrongPM is the per-block L1 error in bits for ±1 encodings:
// Σᵢ |pᵢ − xᵢ| / 2, shape [batch] (Abadi & Andersen's "bits wrong").
func BitsWrongPM(p, x *Node) *Node {
	return MulScalar(ReduceSum(Abs(Sub(p, x)), 1), 0.5)
}

// BitsWrong01 is the per-block L1 error in bits for {0, 1} encodings:
// Σᵢ |pᵢ − xᵢ|, shape [batch].
func BitsWrong01(p, x *Node) *Node {
	return ReduceSum(Abs(Sub(p, x)), 1)
}

// ANCEveLoss is Eve's loss in ANC: the mean number of bits she gets wrong.
func ANCEveLoss(p, eve *Node) *Node {
	return ReduceAllMean(BitsWrongPM(p, eve))
}

// ANCAliceBobLoss is Alice and Bob's loss in ANC:
// mean(Bob's bits wrong)/N + (N/2 − mean(Eve's bits wrong))² / (N/2)².
func ANCAliceBobLoss(p, bob, eve *Node) *Node {
	n := float64(p.Shape().Dimensions[1])
	bobLoss := DivScalar(ReduceAllMean(BitsWrongPM(p, bob)), n)
	eveGap := OneMinus(DivScalar(ANCEveLoss(p, eve), n/2)) // (N/2 − e)/(N/2)
	return Add(bobLoss, Square(eveGap))
}

// CPABobLoss is Bob's loss in CPA-ANC: the mean number of bits he gets
// wrong per block, mean(Σᵢ |pᵢ − p̂ᵢ|), for {0, 1} encodings (bits, as in
// ANC; a per-bit mean let γ·Err_Eve drown Bob's signal in our runs).
func CPABobLoss(p, bob *Node) *Node {
	return ReduceAllMean(BitsWrong01(p, bob))
}

// pickTarget returns, per example, the log-probability or probability of
// the target class: t·v[:,1] + (1 − t)·v[:,0], with t ∈ {0, 1} of shape [batch].
func pickTarget(v, t *Node) *Node {
	v0 := Reshape(SliceAxis(v, 1, AxisRange(0, 1)), t.Shape().Dimensions[0])
	v1 := Reshape(SliceAxis(v, 1, AxisRange(1, 2)), t.Shape().Dimensions[0])
	return Add(Mul(t, v1), Mul(OneMinus(t), v0))
}

// CPAEveLoss is Eve's loss in CPA-ANC: the cross-entropy of her 2-way
// softmax (logits [batch, 2]) against t ∈ {0, 1} ([batch]), which says
// whether C encrypts P0 (0) or P1 (1).
func CPAEveLoss(logits, t *Node) *Node {
	return Neg(ReduceAllMean(pickTarget(LogSoftmax(logits, 1), t)))
}

// CPAEveError is Eve's (differentiable) classification error: the mean
// probability she gives to the wrong plaintext.
func CPAEveError(logits, t *Node) *Node {
	return OneMinus(ReduceAllMean(pickTarget(Softmax(logits, 1), t)))
}

// CPAEveAccuracy is the fraction of examples where Eve's larger logit is
// the right one (ties count as wrong).
func CPAEveAccuracy(logits, t *Node) *Node {
	l0 := Reshape(SliceAxis(logits, 1, AxisRange(0, 1)), t.Shape().Dimensions[0])
	l1 := Reshape(SliceAxis(logits, 1, AxisRange(1, 2)), t.Shape().Dimensions[0])
	says1 := ConvertDType(GreaterThan(l1, l0), t.DType())
	says0 := ConvertDType(GreaterThan(l0, l1), t.DType())
	return ReduceAllMean(Add(Mul(t, says1), Mul(OneMinus(t), says0)))
}

// CPAAliceBobLoss is Alice and Bob's loss in CPA-ANC:
// L_Bob − γ·min(Err_Eve, 0.5).
func CPAAliceBobLoss(bobLoss, eveErr *Node, gamma float64) *Node {
	return Sub(bobLoss, MulScalar(MinScalar(eveErr, 0.5), gamma))
}
