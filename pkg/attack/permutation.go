package attack

import (
	"context"
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// The permutation attacks of Li, Li, Chen & Bourbakis (2008), "A general
// quantitative cryptanalysis of permutation-only multimedia ciphers against
// plaintext attacks", Signal Processing: Image Communication 23(3), on the
// n sample bytes of the image (Cipher encrypts Pix; a permutation of 16-bit
// samples is a permutation of their bytes too). A permutation-only cipher
// writes c[k] = p[π(k)]. Each plaintext position i is given a tuple of byte
// values over the attack's images and each cipher position k the tuple of
// its ciphertext bytes; the candidates for π(k) are the plaintext positions
// whose tuple equals k's (Li et al.'s candidate sets).
//
// Tie rule (ours; Li et al. leave the choice among candidates open): cipher
// positions are taken in increasing order and each gets the smallest
// candidate not yet given to another position; cipher positions left
// without one (no candidate, or all taken) are then paired with the
// plaintext positions left over, both in increasing order. The estimate π̂
// is thus always a bijection, and it is exact when every tuple is unique.
//
// Extension (ours): a keystream that does not depend on the plaintext,
// XORed before or after the permutation (c = π(p) ⊕ k, or c = π(p ⊕ k) =
// π(p) ⊕ π(k)), cancels in differences: c₁ ⊕ c₂ = π(p₁ ⊕ p₂). The
// known-plaintext attack therefore also matches XOR differences to the first
// pair, and the chosen-plaintext attack removes E(0) first.

// kpaPermutation is the known-plaintext permutation attack
// ("kpa-permutation"): the first K known images (K = Config.KnownPairs, 0:
// DefaultKnownPairs) are encrypted and π̂ is matched twice: on the values
// themselves (Li et al.'s attack; recovery p̂[π̂(k)] = C[k]) and, for K ≥ 2,
// on XOR differences to the first pair (K − 1 tuples; keystream estimate
// c₀[k] ⊕ p₀[π̂(k)], recovery p̂[π̂(k)] = C[k] ⊕ c₀[k] ⊕ p₀[π̂(k)]). The
// attacker keeps the model under which more cipher positions found a
// candidate (the values on ties): a decision made without the target.
func (a *attacker) kpaPermutation(ctx context.Context) (Outcome, error) {
	want := a.cfg.KnownPairs
	if want == 0 {
		want = DefaultKnownPairs
	}
	k := min(want, len(a.known))
	out := Outcome{
		Title:   "Known-plaintext permutation recovery (Li et al. 2008)",
		Queries: k,
		PSNR:    math.NaN(), NPCR: math.NaN(), UACI: math.NaN(),
		Rule: fmt.Sprintf("broken if the permutation matched on the known pairs (values, or XOR differences to the first pair) "+
			"recovers the target with PSNR > %g dB", SuccessPSNR),
	}
	if k == 0 {
		out.NotRun = true
		out.Detail = "no known images were given"
		return out, nil
	}
	plain := a.known[:k]
	cts := make([]*imageio.Gray, k)
	for j, p := range plain {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		c, err := a.o.encrypt(p, IDKPAPermutation, j)
		if err != nil {
			return out, fmt.Errorf("encrypting known image %d: %w", j, err)
		}
		cts[j] = c
	}
	n := len(a.target.Pix)
	// Value model: tuples of K bytes.
	pt, ct := make([]byte, n*k), make([]byte, n*k)
	for j := range k {
		for i := range n {
			pt[i*k+j], ct[i*k+j] = plain[j].Pix[i], cts[j].Pix[i]
		}
	}
	pi, matched := matchPermutation(n, k, pt, ct)
	matchedV, matchedD, model := matched, -1, "value"
	if k >= 2 {
		m := k - 1
		pt, ct = pt[:n*m], ct[:n*m]
		for j := 1; j < k; j++ {
			for i := range n {
				pt[i*m+j-1] = plain[j].Pix[i] ^ plain[0].Pix[i]
				ct[i*m+j-1] = cts[j].Pix[i] ^ cts[0].Pix[i]
			}
		}
		piD, md := matchPermutation(n, m, pt, ct)
		matchedD = md
		if md > matched {
			pi, matched, model = piD, md, "XOR-difference"
		}
	}
	rec := a.blank()
	for c, p := range pi {
		v := a.ct.Pix[c]
		if model != "value" {
			v ^= cts[0].Pix[c] ^ plain[0].Pix[p]
		}
		rec.Pix[p] = v
	}
	var err error
	if out.PSNR, err = a.psnr(rec); err != nil {
		return out, err
	}
	out.Success = out.PSNR > SuccessPSNR
	given := ""
	if k < want {
		given = fmt.Sprintf(" (%d requested, %d given)", want, len(a.known))
	}
	diff := "n/a"
	if matchedD >= 0 {
		diff = fmt.Sprint(matchedD)
	}
	out.Detail = fmt.Sprintf("%d known pairs%s; %s model kept: cipher bytes with a candidate %d of %d (value model %d, XOR-difference model %s); recovery %s",
		k, given, model, matched, n, matchedV, diff, fmtPSNR(out.PSNR))
	return out, nil
}

// cpaPermutation is the chosen-plaintext permutation attack
// ("cpa-permutation"): with d = ⌈log₂₅₆ n⌉ chosen images, image j holding
// digit j (base 256) of each byte position's index, every cipher position
// reads the index of its plaintext position directly (Li et al. 2008: a
// permutation of n elements falls to ⌈log_L n⌉ chosen images of L levels).
// E(0) is XORed off each ciphertext first, so a plaintext-independent XOR
// keystream before or after the permutation is removed too; recovery
// p̂[π̂(k)] = C[k] ⊕ E(0)[k]. Decoded indices that are out of range or
// repeated (the sign of diffusion or a fresh nonce) fall under the tie rule.
// Queries: d + 1 (the all-zero image, shared with "cpa-keystream").
func (a *attacker) cpaPermutation(ctx context.Context) (Outcome, error) {
	n := len(a.target.Pix)
	d := digits256(n)
	out := Outcome{
		Title:   "Chosen-plaintext permutation recovery (Li et al. 2008)",
		Queries: d + 1,
		PSNR:    math.NaN(), NPCR: math.NaN(), UACI: math.NaN(),
		Rule: fmt.Sprintf("broken if the permutation read from ⌈log256 n⌉ chosen index images (E(0) XORed off) "+
			"recovers the target with PSNR > %g dB", SuccessPSNR),
	}
	zero, err := a.zeroCiphertext()
	if err != nil {
		return out, err
	}
	pt, ct := make([]byte, n*d), make([]byte, n*d)
	for j := range d {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		img := a.blank()
		for i := range n {
			img.Pix[i] = byte(i >> (8 * j))
		}
		c, err := a.o.encrypt(img, IDCPAPermutation, j)
		if err != nil {
			return out, fmt.Errorf("encrypting chosen image %d: %w", j, err)
		}
		for i := range n {
			pt[i*d+j], ct[i*d+j] = img.Pix[i], c.Pix[i]^zero.Pix[i]
		}
	}
	pi, matched := matchPermutation(n, d, pt, ct)
	rec := a.blank()
	for c, p := range pi {
		rec.Pix[p] = a.ct.Pix[c] ^ zero.Pix[c]
	}
	if out.PSNR, err = a.psnr(rec); err != nil {
		return out, err
	}
	out.Success = out.PSNR > SuccessPSNR
	out.Detail = fmt.Sprintf("%d chosen index images + E(0); cipher bytes decoded to distinct in-range positions %d of %d; recovery %s",
		d, matched, n, fmtPSNR(out.PSNR))
	return out, nil
}

// digits256 is ⌈log₂₅₆ n⌉ for n ≥ 2 (the base-256 digits of 0…n−1), at
// least 1.
func digits256(n int) int {
	d := 1
	for span := 256; span < n; span *= 256 {
		d++
	}
	return d
}

// matchPermutation estimates π from tuples of m bytes: position i's tuple
// is plain[i·m : (i+1)·m] on the plaintext side and ciph[i·m : (i+1)·m] on
// the cipher side, for n positions. It returns π̂ (π̂[k] is the plaintext
// position of cipher position k, a bijection of 0…n−1, by the tie rule of
// the package's permutation attacks) and the number of cipher positions
// that got a candidate with an equal tuple. Time O(n·m), memory O(n·m).
func matchPermutation(n, m int, plain, ciph []byte) (pi []int32, matched int) {
	type class struct {
		pos  []int32 // plaintext positions with the tuple, increasing
		next int     // the first not yet given
	}
	classes := make(map[string]*class, n)
	for i := range n {
		t := plain[i*m : (i+1)*m]
		c := classes[string(t)]
		if c == nil {
			c = &class{}
			classes[string(t)] = c
		}
		c.pos = append(c.pos, int32(i))
	}
	pi = make([]int32, n)
	used := make([]bool, n)
	for k := range n {
		pi[k] = -1
		c := classes[string(ciph[k*m:(k+1)*m])]
		if c == nil || c.next == len(c.pos) {
			continue
		}
		p := c.pos[c.next]
		c.next++
		pi[k], used[p] = p, true
		matched++
	}
	free := 0
	for k := range n {
		if pi[k] >= 0 {
			continue
		}
		for used[free] {
			free++
		}
		pi[k], used[free] = int32(free), true
	}
	return pi, matched
}
