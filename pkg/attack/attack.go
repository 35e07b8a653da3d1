// Package attack is neurocrypt's attack suite: plaintext attacks and
// key-sensitivity probes that treat any registered cipher as a black box
// (they call only Scheme, Key and Cipher methods) and report whether the
// cipher broke, as [Outcome] values and a results.Table ([Table]).
//
// The attacker knows the scheme, may ask for encryptions of images of its
// choice under the secret key (chosen plaintext) or holds pairs of natural
// images and their encryptions (known plaintext), and sees the target's
// ciphertext; it never sees the key. A recovery of the target counts as a
// break when its PSNR against the true target exceeds [SuccessPSNR].
//
// The attacks, by Outcome.Attack ID:
//
//   - "cpa-keystream": one chosen image, all zeros; its ciphertext is taken
//     as the keystream and removed from the target's, by XOR and by
//     subtraction mod 2^depth. Breaks any cipher whose keystream does not
//     depend on the plaintext (the textbook attack on keystream reuse; see
//     Alvarez & Li 2006, "Some basic cryptographic requirements for
//     chaos-based cryptosystems", Int. J. Bifurcation and Chaos 16(8)).
//   - "kpa-permutation" and "cpa-permutation": recovery of a secret
//     permutation of the sample bytes from known or chosen images (Li, Li,
//     Chen & Bourbakis 2008, "A general quantitative cryptanalysis of
//     permutation-only multimedia ciphers against plaintext attacks",
//     Signal Processing: Image Communication 23(3)), extended (ours) to a
//     permutation combined with a plaintext-independent XOR keystream.
//   - "differential": a one-pixel change of the target, NPCR and UACI of
//     the two ciphertexts judged by Wu, Noonan & Agaian's (2011) tests at
//     α = [DifferentialAlpha].
//   - "wrong-key": decryption of the target's ciphertext with keys one bit
//     away from the true one (ours, as pkg/battery's key sensitivity).
//
// All attacks work on the cipher's byte string (Cipher encrypts Pix, 16-bit
// samples big-endian), so they cover byte- and sample-oriented ciphers at
// both depths. Every random choice (nonces, the changed pixel) derives from
// Config.Seed through pkg/seeds: Run is deterministic given its inputs.
//
// Nonces: for a key implementing cipher.NonceKey (AES-CTR), Config.FreshNonce
// models a protocol that draws a fresh nonce for every message and sends it
// in the clear: every query and the target get their own nonce, which the
// attacker sees but does not choose. Without it the key's nonce is reused
// for everything, as the registered AES-CTR key does by default.
package attack

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// SuccessPSNR is the PSNR in dB above which a recovery of the target
// counts as a break (issue #12): at 40 dB an 8-bit image differs from the
// target by about 2.5 grey levels RMS, visually the same image.
const SuccessPSNR = 40.0

// DefaultKnownPairs is the number of known (plain, cipher) pairs the
// known-plaintext permutation attack uses when Config.KnownPairs is 0.
// Li et al. (2008) show that the number of known images needed grows only
// logarithmically with the number n of permuted elements; with 8 synthetic
// natural-looking 64² crops (this package's tests) the permutation of the
// sample bytes is recovered exactly, at 8 and 16 bits.
const DefaultKnownPairs = 8

// DifferentialAlpha is the significance level of Wu et al.'s NPCR/UACI tests
// in the differential attack.
const DifferentialAlpha = 0.05

// MinSide is the smallest width and height of a target, in pixels.
const MinSide = 2

// Attack IDs (Outcome.Attack), in the order Run reports them.
const (
	IDKeystream      = "cpa-keystream"
	IDKPAPermutation = "kpa-permutation"
	IDCPAPermutation = "cpa-permutation"
	IDDifferential   = "differential"
	IDWrongKey       = "wrong-key"
)

// IDs lists the attack IDs in the order Run reports them.
var IDs = []string{IDKeystream, IDKPAPermutation, IDCPAPermutation, IDDifferential, IDWrongKey}

// WrongKeyBits returns the key bits the wrong-key attack flips for a key of
// numBits canonical bits: 0, 8 and numBits/2, without repeats, in that
// order (bits ≥ numBits are left out; Key.FlipBit would reduce them). It
// is empty for numBits ≤ 0.
func WrongKeyBits(numBits int) []int {
	var bits []int
	for _, b := range []int{0, 8, numBits / 2} {
		if b >= numBits {
			continue
		}
		dup := false
		for _, x := range bits {
			dup = dup || x == b
		}
		if !dup {
			bits = append(bits, b)
		}
	}
	return bits
}

// Config sets up Run.
type Config struct {
	// Seed: all randomness derives from it (through seeds.Sub): the fresh
	// nonces and the differential's changed pixel. The chosen images and
	// the flipped key bits are fixed (see the attacks).
	Seed uint64
	// FreshNonce: for keys implementing cipher.NonceKey, every encryption
	// query and the target use a fresh nonce (a protocol that sends a fresh
	// IV in the clear); false = the key's nonce is reused. Ignored (and
	// said so in each Outcome's Detail) for other keys.
	FreshNonce bool
	// KnownPairs is the number of known (plain, cipher) natural-image pairs
	// for the known-plaintext permutation attack (0: DefaultKnownPairs; at
	// most the number of known images given is used). Negative is an error.
	KnownPairs int
}

// Outcome is the result of one attack on one cipher.
type Outcome struct {
	// Attack is the stable ID: "cpa-keystream", "kpa-permutation",
	// "cpa-permutation", "differential" or "wrong-key".
	Attack string
	// Title is a human label.
	Title string
	// Queries is the number of chosen or known plaintexts used.
	Queries int
	// PSNR is the dB of the recovered target against the true target
	// (+Inf if exact); NaN where not applicable (differential, or an attack
	// that did not run).
	PSNR float64
	// NPCR and UACI are percentages (differential only; NaN otherwise).
	NPCR, UACI float64
	// Success: the attack broke the cipher (for "differential": the Wu
	// test failed, a weakness shown rather than a recovery).
	Success bool
	// NotRun: the attack could not be carried out (no known images, or no
	// usable flipped key); Success is then false. Table shows "not run".
	NotRun bool
	// Rule is the success rule, one line.
	Rule string
	// Detail is what was observed, one line.
	Detail string
}

// Verdict is "broken" when o.Success, "not run" when o.NotRun, else "resists".
func (o Outcome) Verdict() string {
	switch {
	case o.Success:
		return "broken"
	case o.NotRun:
		return "not run"
	}
	return "resists"
}

// Run runs every attack (in the order of IDs) on the cipher of key (scheme
// s) against target, using known as the known-plaintext images (natural
// crops of target's size and depth, not including target).
//
// The target must be a consistent image (imageio.Gray.Check) of at least
// MinSide×MinSide pixels; known images must have its size and depth; key
// must belong to s. Errors name the image or the problem, never key
// material. An error of the cipher (e.g. an image over its size limit) or a
// cancelled ctx stops Run with an error. Run does not modify its inputs.
// Cost: O(n·(K + log n)) cipher work and time for n sample bytes and K
// known pairs; memory O(n·K).
func Run(ctx context.Context, s cipher.Scheme, key cipher.Key, target *imageio.Gray, known []*imageio.Gray, cfg Config) ([]Outcome, error) {
	if err := checkInputs(s, key, target, known, cfg); err != nil {
		return nil, err
	}
	o, err := newOracle(s, key, cfg)
	if err != nil {
		return nil, err
	}
	a := &attacker{o: o, target: target, known: known, cfg: cfg}
	if a.ct, err = o.encrypt(target, "target"); err != nil {
		return nil, fmt.Errorf("attack: encrypting the target: %w", err)
	}
	steps := []func(context.Context) (Outcome, error){a.keystream, a.kpaPermutation, a.cpaPermutation, a.differential, a.wrongKey}
	outs := make([]Outcome, 0, len(steps))
	for i, step := range steps {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("attack: %w", err)
		}
		out, err := step(ctx)
		if err != nil {
			return nil, fmt.Errorf("attack: %s: %w", IDs[i], err)
		}
		out.Attack = IDs[i]
		out.Detail += o.nonceNote()
		outs = append(outs, out)
	}
	return outs, nil
}

// checkInputs validates Run's arguments.
func checkInputs(s cipher.Scheme, key cipher.Key, target *imageio.Gray, known []*imageio.Gray, cfg Config) error {
	switch {
	case s == nil:
		return errors.New("attack: nil scheme")
	case key == nil:
		return errors.New("attack: nil key")
	case key.Scheme() != s.Name():
		return fmt.Errorf("attack: the key belongs to scheme %q, not %q", key.Scheme(), s.Name())
	case cfg.KnownPairs < 0:
		return fmt.Errorf("attack: KnownPairs is %d, want ≥ 0", cfg.KnownPairs)
	}
	if err := target.Check(); err != nil {
		return fmt.Errorf("attack: target: %v", err)
	}
	if target.Width < MinSide || target.Height < MinSide {
		return fmt.Errorf("attack: target is %dx%d, want at least %dx%d", target.Width, target.Height, MinSide, MinSide)
	}
	for i, g := range known {
		if err := g.Check(); err != nil {
			return fmt.Errorf("attack: known image %d: %v", i, err)
		}
		if err := imageio.SameSize(g, target); err != nil {
			return fmt.Errorf("attack: known image %d and the target: %v", i, err)
		}
	}
	return nil
}

// oracle encrypts chosen images under the secret key: the key's own cipher,
// or, for a nonce key with FreshNonce, a cipher under a fresh nonce per
// query.
type oracle struct {
	s     cipher.Scheme
	key   cipher.Key
	nk    cipher.NonceKey // nil when key has no nonce
	fresh bool            // a fresh nonce per query (nk != nil)
	asked bool            // FreshNonce was set
	seed  uint64
	fixed cipher.Cipher
}

func newOracle(s cipher.Scheme, key cipher.Key, cfg Config) (*oracle, error) {
	o := &oracle{s: s, key: key, asked: cfg.FreshNonce, seed: cfg.Seed}
	o.nk, _ = key.(cipher.NonceKey)
	o.fresh = cfg.FreshNonce && o.nk != nil
	if !o.fresh {
		c, err := s.New(key)
		if err != nil {
			return nil, fmt.Errorf("attack: the key is not usable: %w", err)
		}
		o.fixed = c
	}
	return o, nil
}

// keyFor returns the key that encrypts the query named by unit: the key
// itself, or the key under the query's fresh nonce, drawn from
// seeds.Sub(seed, "attack nonce", unit...).
func (o *oracle) keyFor(unit ...any) (cipher.Key, error) {
	if !o.fresh {
		return o.key, nil
	}
	rng := seeds.SplitMix{State: seeds.Sub(o.seed, append([]any{"attack nonce"}, unit...)...)}
	nonce := make([]byte, o.nk.NonceSize())
	for i := 0; i < len(nonce); i += 8 {
		v := rng.Uint64()
		for j := 0; j < 8 && i+j < len(nonce); j++ {
			nonce[i+j] = byte(v >> (8 * j))
		}
	}
	k, err := o.nk.WithNonce(nonce)
	if err != nil {
		return nil, fmt.Errorf("setting a fresh nonce: %w", err)
	}
	return k, nil
}

// cipherFor returns the cipher that encrypts the query named by unit.
func (o *oracle) cipherFor(unit ...any) (cipher.Cipher, error) {
	if !o.fresh {
		return o.fixed, nil
	}
	k, err := o.keyFor(unit...)
	if err != nil {
		return nil, err
	}
	c, err := o.s.New(k)
	if err != nil {
		return nil, fmt.Errorf("the key under a fresh nonce is not usable: %w", err)
	}
	return c, nil
}

// encrypt encrypts g as the query named by unit; a result of another shape
// than g is an error.
func (o *oracle) encrypt(g *imageio.Gray, unit ...any) (*imageio.Gray, error) {
	c, err := o.cipherFor(unit...)
	if err != nil {
		return nil, err
	}
	out, err := c.Encrypt(g)
	if err != nil {
		return nil, err
	}
	if err := sameShape("encrypted", out, g); err != nil {
		return nil, err
	}
	return out, nil
}

// sameShape reports an error unless out (a cipher's result, described by
// what) is a consistent image of in's size, depth and byte length.
func sameShape(what string, out, in *imageio.Gray) error {
	if err := out.Check(); err != nil {
		return fmt.Errorf("the cipher returned an inconsistent %s image: %v", what, err)
	}
	if err := imageio.SameSize(out, in); err != nil {
		return fmt.Errorf("the cipher returned a %s image of another shape: %v", what, err)
	}
	return nil
}

// nonceNote is the suffix of every Detail saying how nonces were used.
func (o *oracle) nonceNote() string {
	switch {
	case o.fresh:
		return "; fresh seeded nonce per query and for the target"
	case o.nk != nil:
		return "; the key's nonce reused for every query"
	case o.asked:
		return "; FreshNonce ignored: the key has no nonce"
	}
	return ""
}

// attacker holds the state shared by the attacks of one Run.
type attacker struct {
	o      *oracle
	target *imageio.Gray
	known  []*imageio.Gray
	cfg    Config
	ct     *imageio.Gray // the target's ciphertext
	zeroCT *imageio.Gray // E(0), set by keystream
}

// blank returns an all-zero image of the target's size and depth.
func (a *attacker) blank() *imageio.Gray {
	t := a.target
	return &imageio.Gray{Width: t.Width, Height: t.Height, Depth: t.Depth, Pix: make([]byte, len(t.Pix))}
}

// psnr is the PSNR in dB of rec (of the target's shape) against the
// target, +Inf when exact.
func (a *attacker) psnr(rec *imageio.Gray) (float64, error) {
	p, err := metrics.PSNR(rec, a.target)
	if err != nil {
		return 0, fmt.Errorf("scoring the recovery: %w", err)
	}
	return p, nil
}

// fmtPSNR formats a PSNR for Detail.
func fmtPSNR(p float64) string {
	if math.IsInf(p, 1) {
		return "∞ dB (exact)"
	}
	return fmt.Sprintf("%.2f dB", p)
}
