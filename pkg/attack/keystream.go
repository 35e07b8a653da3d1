package attack

import (
	"context"
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// keystream is the chosen-plaintext keystream recovery ("cpa-keystream"):
// the ciphertext ks = E(0) of the all-zero image of the target's size and
// depth is taken as the keystream, and the target is recovered from its
// ciphertext C as C ⊕ ks (XOR model, byte-wise = sample-wise) and as
// C − ks mod 2^depth sample-wise (additive model); the better recovery (by
// PSNR against the true target) is reported. One query. It breaks any
// cipher c = p ⊕ k or c = p + k whose keystream k depends on the key (and
// nonce) only, not on the plaintext. Source: the textbook attack on keystream
// reuse; Alvarez & Li (2006), rule on known/chosen-plaintext resistance.
func (a *attacker) keystream(ctx context.Context) (Outcome, error) {
	out := Outcome{
		Title:   "Chosen-plaintext keystream recovery (all-zero image)",
		Queries: 1,
		NPCR:    math.NaN(), UACI: math.NaN(),
		Rule: fmt.Sprintf("broken if removing E(0) from the target's ciphertext (XOR, or subtraction mod 2^depth: the better) "+
			"recovers the target with PSNR > %g dB", SuccessPSNR),
	}
	ks, err := a.zeroCiphertext()
	if err != nil {
		return out, err
	}
	px, err := a.psnr(xorImages(a.ct, ks))
	if err != nil {
		return out, err
	}
	ps, err := a.psnr(subSamples(a.ct, ks))
	if err != nil {
		return out, err
	}
	out.PSNR, out.Detail = px, "XOR model"
	if ps > px {
		out.PSNR, out.Detail = ps, "additive model"
	}
	out.Success = out.PSNR > SuccessPSNR
	out.Detail = fmt.Sprintf("recovery %s by the %s (XOR model %s, additive model mod 2^%d %s)",
		fmtPSNR(out.PSNR), out.Detail, fmtPSNR(px), a.target.BitDepth(), fmtPSNR(ps))
	return out, nil
}

// zeroCiphertext returns E(0), the ciphertext of the all-zero image,
// encrypting it on first use (the query "cpa-keystream zero", shared with
// the chosen-plaintext permutation attack).
func (a *attacker) zeroCiphertext() (*imageio.Gray, error) {
	if a.zeroCT != nil {
		return a.zeroCT, nil
	}
	ks, err := a.o.encrypt(a.blank(), IDKeystream, "zero")
	if err != nil {
		return nil, fmt.Errorf("encrypting the all-zero image: %w", err)
	}
	a.zeroCT = ks
	return ks, nil
}

// xorImages returns x ⊕ y byte-wise, in x's shape.
func xorImages(x, y *imageio.Gray) *imageio.Gray {
	out := x.Clone()
	for i, b := range y.Pix {
		out.Pix[i] ^= b
	}
	return out
}

// subSamples returns x − y mod 2^depth sample-wise, in x's shape.
func subSamples(x, y *imageio.Gray) *imageio.Gray {
	out := x.Clone()
	for i := range x.Len() {
		out.SetSample(i, x.Sample(i)-y.Sample(i)) // SetSample reduces mod 2^depth
	}
	return out
}
