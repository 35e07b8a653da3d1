package attack

import (
	"context"
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// differential is the differential probe ("differential"): one pixel of the
// target, at a position drawn from seeds.Sub(Seed, "differential",
// "position"), is changed by +1 mod 2^depth; NPCR and UACI between the
// ciphertexts of the target and of the changed image are judged by Wu,
// Noonan & Agaian's (2011) tests at α = DifferentialAlpha
// (metrics.WuTest, with the target's peak 2^depth − 1). A failed test is a
// weakness shown (Success): the change did not spread like a random image
// pair. With fresh nonces the two ciphertexts use different nonces and the
// test measures the nonce, not diffusion (Detail says so). Queries: 2.
func (a *attacker) differential(ctx context.Context) (Outcome, error) {
	out := Outcome{
		Title:   fmt.Sprintf("Differential: one-pixel change (Wu et al. 2011, α = %g)", DifferentialAlpha),
		Queries: 2,
		PSNR:    math.NaN(),
		Rule:    fmt.Sprintf("weakness shown if Wu et al.'s NPCR or UACI test fails at α = %g", DifferentialAlpha),
	}
	t := a.target
	rng := seeds.SplitMix{State: seeds.Sub(a.cfg.Seed, IDDifferential, "position")}
	pos := rng.IntN(t.Len())
	changed := t.Clone()
	changed.SetSample(pos, t.Sample(pos)+1) // mod 2^depth
	c2, err := a.o.encrypt(changed, IDDifferential, "changed")
	if err != nil {
		return out, fmt.Errorf("encrypting the changed target: %w", err)
	}
	d, err := metrics.NPCRUACI(a.ct, c2)
	if err != nil {
		return out, err
	}
	w, err := metrics.WuTest(d, t.Width, t.Height, DifferentialAlpha)
	if err != nil {
		return out, err
	}
	out.NPCR, out.UACI = d.NPCR, d.UACI
	out.Success = !w.Pass()
	out.Detail = fmt.Sprintf("pixel (%d, %d) +1 mod %d: NPCR %.4f %% (N* = %.4f %%: %s), UACI %.4f %% ([%.4f, %.4f] %%: %s)",
		pos%t.Width, pos/t.Width, t.Levels(), d.NPCR, w.Critical.NPCR, passWord(w.NPCRPass),
		d.UACI, w.Critical.UACILow, w.Critical.UACIHigh, passWord(w.UACIPass))
	if a.o.fresh {
		out.Detail += "; the two ciphertexts use different fresh nonces, so NPCR/UACI measure the nonce, not diffusion"
	}
	return out, nil
}

func passWord(ok bool) string {
	if ok {
		return "pass"
	}
	return "fail"
}
