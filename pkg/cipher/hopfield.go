package cipher

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// NameHopfield is the scheme name of the chaotic-neural-network cipher.
const NameHopfield = "hopfield"

// The "hopfield" scheme: the survey's Fig. 1 pipeline (a chaotic neural
// network generates the key stream, "combined with image features to
// generate dynamic keys", then the pixels are scrambled and diffused) with
// the 3-neuron Hopfield-type network of pkg/chaos as the chaotic system.
//
// Key: the network's weights W (9 values) and initial state x (3 values);
// the line is
//
//	hopfield:x1=…,x2=…,x3=…,w11=…,w12=…,…,w33=…
//
// with canonical bit order x1, x2, x3, w11, …, w33 (52 mantissa bits each,
// least significant first). A key is accepted only if the network it
// defines is chaotic from its initial state (chaos.CheckHopfield: largest
// Lyapunov exponent clearly positive over a long horizon) and its weights
// lie within HopfieldMaxWeightDeviation of the published W: nearby weights
// can make a 3-neuron network settle onto a cycle after a chaotic-looking
// transient, which would leave a periodic keystream.
//
// Construction (ours, after the survey's Fig. 1; the survey gives no
// algorithm). For an image of n sample bytes, with m = min(HopfieldHeadBytes,
// ⌊n/2⌋), head A = P[0…m) and body B = P[m…n):
//
//  1. key material, per key and size, cached: the MAC key
//     k = SHA-256("neurocrypt/hopfield/k" ‖ canonical key bits), so any key
//     bit changes it; the network is run from x for
//     HopfieldKeyTransient RK4 steps, then n words of its orbit make the
//     permutation π (Fisher–Yates with Lemire's reduction, word t drawn for
//     position n−1−t), and its state after that is the anchor x*;
//  2. image features: A′ = A ⊕ SHA-256("…/d1" ‖ k ‖ B)[0…m) — the head
//     carries a keyed digest of the body;
//  3. dynamic key: s = SHA-256("…/s" ‖ k ‖ A′) nudges the anchor,
//     x*_i + HopfieldNudge·(2u_i − 1) with u_i ∈ [0, 1) from 53 bits of s,
//     and the network's orbit from there is the keystream K (12 bytes per
//     RK4 step, chaos.Hopfield.FillBytes); C_B = B ⊕ K;
//  4. A″ = A′ ⊕ SHA-256("…/d2" ‖ k ‖ C_B)[0…m);
//  5. scrambling: c[j] = y[π[j]] for y = A″ ‖ C_B.
//
// Steps 2–4 are a three-round unbalanced Feistel network, so the receiver
// gets the image-dependent dynamic key from the ciphertext itself: it
// undoes π, computes A′ = A″ ⊕ SHA-256(…‖ k ‖ C_B), then s and K, then B and
// finally A. Nothing travels beside the ciphertext and its size is the
// image's. Every digest is keyed with k: with unkeyed digests the dynamic
// key A′ would be a public function of the ciphertext's samples, hidden
// only by the key-only permutation π, and a chosen plaintext whose A′
// equals a target's (choose the body, then the head that yields it) would
// give the target's keystream. Keyed, an attacker can neither compute nor
// force another image's A′. TestHopfieldUnkeyedDigestIsBroken runs that
// adaptive attack (fix A′, read π off chosen bodies, find the target's A′,
// ask for its keystream): with the digest key known it decrypts the target
// exactly from 5 chosen plaintexts; with it secret, as here, it recovers
// nothing. A one-sample change anywhere changes
// A′, hence the whole keystream: the ciphertexts of two images that differ
// in one pixel differ almost everywhere (NPCR ≈ 99.6 %).
//
// Key sensitivity: a one-ulp key change changes k, hence every digest and
// the keystream. The orbit itself separates slowly (the default network's
// largest Lyapunov exponent is about 0.05 per time unit); after the
// 800-time-unit transient orbits 10^-16 apart have separated, so π differs
// too, unless rounding absorbed the change. The network is odd, so x and −x
// give mirrored orbits and the same π (the keystream reads |x|); they are
// still different keys, because k differs.
//
// Cost: the keystream is made per image (it depends on the image), n/12 RK4
// steps of the network; π is cached per size like the bit-plane streams.
//
// What the weak-key check covers: chaos.CheckHopfield follows the key's
// orbit for its first 2450 time units. The cipher runs 800 time units of
// transient, then n/3 steps (0.02 time units each) for π, then n/12 steps
// from the nudged anchor; for images of more than 247 500 sample bytes
// (800 + n/150 > 2450; a 512² 8-bit image has 262 144) the end of π's
// orbit lies beyond the checked horizon, and the nudged orbits are not
// checked at all (they start within 10^-3 of the
// checked one, on the same attractor). A helper's scan of 500 accepted
// keys up to 28 000 time units found none that settled onto a cycle.

// Parameters of the "hopfield" scheme.
const (
	// HopfieldHeadBytes is the size m of the head that carries the image's
	// keyed digest (128 bits).
	HopfieldHeadBytes = 16
	// HopfieldKeyTransient is the number of RK4 steps run from the key's
	// initial state before the orbit is used: chaos.HopfieldTransient (800
	// time units), long enough for orbits 10^-16 apart to separate.
	HopfieldKeyTransient = chaos.HopfieldTransient
	// HopfieldNudge is the largest displacement of the anchor state by the
	// dynamic key: small against the attractor (|x| of order 1), so the
	// nudged state stays in its basin, large against the 10^-14 digits the
	// keystream is read from.
	HopfieldNudge = 1e-3
	// HopfieldMaxWeightDeviation bounds |w_ij − W_ij| for the published
	// weights W = chaos.HopfieldW: beyond it the network is another one.
	HopfieldMaxWeightDeviation = 0.25
	// HopfieldKeyWeightSpread: GenerateKey and RandomKey draw each weight in
	// W_ij ± HopfieldKeyWeightSpread and each initial value in
	// [−HopfieldKeyStateRange, HopfieldKeyStateRange), redrawing until
	// chaos.CheckHopfield accepts. Periodic windows are dense near the
	// published weights: 32 of 60 draws were accepted when we measured, so
	// the weak-key rule removes about one bit of key space.
	HopfieldKeyWeightSpread = 0.02
	// HopfieldKeyStateRange: see HopfieldKeyWeightSpread.
	HopfieldKeyStateRange = 1.0
)

// hopfieldParamNames are the key line's parameter names, canonical order.
var hopfieldParamNames = []string{"x1", "x2", "x3",
	"w11", "w12", "w13", "w21", "w22", "w23", "w31", "w32", "w33"}

// HopfieldKey is the key of the "hopfield" scheme: a network's weights and
// initial state (see NameHopfield's notes for the line and bit order).
type HopfieldKey struct{ chaos.HopfieldParams }

func (k HopfieldKey) values() []float64 {
	v := []float64{k.X0[0], k.X0[1], k.X0[2]}
	for _, row := range k.W {
		v = append(v, row[:]...)
	}
	return v
}

func hopfieldKeyOf(v []float64) HopfieldKey {
	var k HopfieldKey
	copy(k.X0[:], v[:3])
	for i := range k.W {
		copy(k.W[i][:], v[3+3*i:6+3*i])
	}
	return k
}

// Scheme returns "hopfield".
func (k HopfieldKey) Scheme() string { return NameHopfield }

// String returns the key line.
func (k HopfieldKey) String() string {
	return formatFloatKey(NameHopfield, hopfieldParamNames, k.values())
}

// NumBits returns 12 × 52 = 624.
func (k HopfieldKey) NumBits() int { return len(hopfieldParamNames) * mantissaBits }

// FlipBit flips mantissa bit i mod 52 of parameter i div 52 (after reducing
// i mod 624); FlipBit(0) flips the least significant mantissa bit of x1.
// The result may be refused by New (out of range, or not chaotic).
func (k HopfieldKey) FlipBit(i int) Key {
	v := k.values()
	flipMantissaBit(v, i)
	return hopfieldKeyOf(v)
}

// Validate checks the ranges and that the network is chaotic from the
// initial state (chaos.CheckHopfield). Errors never repeat values.
func (k HopfieldKey) Validate() error {
	for i, v := range k.values() {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("parameter %s is not a finite number", hopfieldParamNames[i])
		}
	}
	big := 0.0
	for i, v := range k.X0 {
		if !(math.Abs(v) <= chaos.HopfieldMaxAbs) {
			return fmt.Errorf("parameter %s is outside [-%g, %g]", hopfieldParamNames[i], chaos.HopfieldMaxAbs, chaos.HopfieldMaxAbs)
		}
		big = math.Max(big, math.Abs(v))
	}
	if big < chaos.HopfieldMinAbs {
		return fmt.Errorf("parameters x1, x2, x3 are all within %g of 0, the network's equilibrium", chaos.HopfieldMinAbs)
	}
	for i := range k.W {
		for j := range k.W[i] {
			if !(math.Abs(k.W[i][j]-chaos.HopfieldW[i][j]) <= HopfieldMaxWeightDeviation) {
				return fmt.Errorf("parameter w%d%d is more than %g from the published weight", i+1, j+1, HopfieldMaxWeightDeviation)
			}
		}
	}
	if err := neuralChecks.check(k.String(), func() error { return chaos.CheckHopfield(k.HopfieldParams) }); err != nil {
		return err // "chaos: weak key: …", naming the rule
	}
	return nil
}

// hopfieldScheme implements "hopfield".
type hopfieldScheme struct{}

func (hopfieldScheme) Name() string { return NameHopfield }

func (hopfieldScheme) Description() string {
	return "3-neuron Hopfield chaotic neural network: keyed image digest → dynamic keystream (3-round Feistel, the receiver recovers it from the ciphertext) + chaotic scrambling (survey Fig. 1; ours in detail)"
}

// Class implements Classifier.
func (hopfieldScheme) Class() Class { return ClassChaoticNN }

// KeySpace implements KeySpacer: every float64 in the ranges keys are drawn
// from, before the weak keys chaos.CheckHopfield refuses are removed.
func (hopfieldScheme) KeySpace() KeySpace {
	var ps []floatRange
	for i := range 3 {
		ps = append(ps, floatRange{hopfieldParamNames[i], -HopfieldKeyStateRange, HopfieldKeyStateRange})
	}
	for i := range 3 {
		for j := range 3 {
			w := chaos.HopfieldW[i][j]
			ps = append(ps, floatRange{hopfieldParamNames[3+3*i+j], w - HopfieldKeyWeightSpread, w + HopfieldKeyWeightSpread})
		}
	}
	ks := sumKeySpace(ps...)
	ks.Basis += "; weak (non-chaotic) keys are refused, which removes a fraction of these"
	return ks
}

func (s hopfieldScheme) ParseKey(line string) (Key, error) {
	v, err := parseFloatKey(NameHopfield, line, hopfieldParamNames)
	if err != nil {
		return nil, err
	}
	k := hopfieldKeyOf(v)
	if err := k.Validate(); err != nil {
		return nil, fmt.Errorf("%s key: %w", NameHopfield, err)
	}
	return k, nil
}

// drawHopfieldKey draws keys from u (uniform in [0, 1)) until one is valid.
func drawHopfieldKey(u func() float64) HopfieldKey {
	for {
		var k HopfieldKey
		for i := range k.X0 {
			k.X0[i] = HopfieldKeyStateRange * (2*u() - 1)
		}
		for i := range k.W {
			for j := range k.W[i] {
				k.W[i][j] = chaos.HopfieldW[i][j] + HopfieldKeyWeightSpread*(2*u()-1)
			}
		}
		if k.Validate() == nil {
			return k
		}
	}
}

func (hopfieldScheme) GenerateKey(seed uint64) Key {
	return drawHopfieldKey(seededRand(NameHopfield, seed).Float64)
}

// RandomKey draws a key as GenerateKey does, each parameter with 53 bits
// from rand.
func (hopfieldScheme) RandomKey(rand io.Reader) (Key, error) {
	var err error
	k := drawHopfieldKey(uniform53(rand, &err))
	if err != nil {
		return nil, fmt.Errorf("%s: drawing a key: %w", NameHopfield, err)
	}
	return k, nil
}

func (hopfieldScheme) New(k Key) (Cipher, error) {
	var key HopfieldKey
	switch k := k.(type) {
	case HopfieldKey:
		key = k
	case *HopfieldKey:
		if k == nil {
			return nil, fmt.Errorf("%s: nil key", NameHopfield)
		}
		key = *k
	default:
		return nil, fmt.Errorf("%s: got a key of type %T, want a %s key", NameHopfield, k, NameHopfield)
	}
	if err := key.Validate(); err != nil {
		return nil, fmt.Errorf("%s key: %w", NameHopfield, err)
	}
	c := &hopfieldCipher{p: key.HopfieldParams}
	c.mac = sha256.Sum256([]byte("neurocrypt/hopfield/k\x00" + key.String()))
	return c, nil
}

// hopfieldCipher implements "hopfield".
type hopfieldCipher struct {
	p   chaos.HopfieldParams
	mac [32]byte

	cache sizeCache[hopfieldStreams]
}

// hopfieldStreams is the key material for one size.
type hopfieldStreams struct {
	perm   []uint32
	anchor chaos.Hopfield // the orbit's state after π's words; never advanced
}

func (c *hopfieldCipher) Name() string { return NameHopfield }

// MaxSampleBytes implements SizeLimited.
func (c *hopfieldCipher) MaxSampleBytes() int { return MaxSampleBytes }

func (c *hopfieldCipher) streamsFor(n int) *hopfieldStreams {
	return c.cache.get(n, func(st *hopfieldStreams) {
		gen := chaos.MustNewHopfield(c.p)
		gen.Skip(HopfieldKeyTransient)
		st.perm = chaos.Permutation(n, gen.FillWords)
		st.anchor = *gen
	})
}

// digest returns SHA-256(label ‖ k ‖ data).
func (c *hopfieldCipher) digest(label string, data []byte) [32]byte {
	return hopfieldDigest(&c.mac, label, data)
}

// hopfieldDigest returns SHA-256("neurocrypt/hopfield/" ‖ label ‖ 0 ‖ mac ‖ data).
func hopfieldDigest(mac *[32]byte, label string, data []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte("neurocrypt/hopfield/" + label + "\x00"))
	h.Write(mac[:])
	h.Write(data)
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// keystream XORs the dynamic keystream of head a′ over body (in place).
func (c *hopfieldCipher) keystream(st *hopfieldStreams, head, body []byte) {
	s := c.digest("s", head)
	x := st.anchor.State()
	for i := range x {
		u := float64(binary.LittleEndian.Uint64(s[8*i:])>>11) * 0x1p-53
		x[i] += HopfieldNudge * (2*u - 1)
	}
	gen := chaos.MustNewHopfield(chaos.HopfieldParams{W: c.p.W, X0: x})
	var buf [4096]byte
	for len(body) > 0 {
		m := min(len(body), len(buf))
		gen.FillBytes(buf[:m])
		subtle.XORBytes(body[:m], body[:m], buf[:m])
		body = body[m:]
	}
}

// Encrypt encrypts g; see NameHopfield's notes for the construction.
func (c *hopfieldCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) {
	n, err := checkImage(NameHopfield, "encrypt", g, MaxSampleBytes)
	if err != nil {
		return nil, err
	}
	st := c.streamsFor(n)
	m := min(HopfieldHeadBytes, n/2)
	y := make([]byte, n)
	copy(y, g.Pix)
	head, body := y[:m], y[m:]
	d1 := c.digest("d1", body)
	xorInto(head, d1[:m])
	c.keystream(st, head, body)
	d2 := c.digest("d2", body)
	xorInto(head, d2[:m])
	out := sameShape(g, make([]byte, n))
	for j, pj := range st.perm {
		out.Pix[j] = y[pj]
	}
	return out, nil
}

// Decrypt inverts Encrypt exactly.
func (c *hopfieldCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) {
	n, err := checkImage(NameHopfield, "decrypt", g, MaxSampleBytes)
	if err != nil {
		return nil, err
	}
	st := c.streamsFor(n)
	m := min(HopfieldHeadBytes, n/2)
	out := sameShape(g, make([]byte, n))
	y := out.Pix
	for j, pj := range st.perm {
		y[pj] = g.Pix[j]
	}
	head, body := y[:m], y[m:]
	d2 := c.digest("d2", body)
	xorInto(head, d2[:m])
	c.keystream(st, head, body)
	d1 := c.digest("d1", body)
	xorInto(head, d1[:m])
	return out, nil
}

// xorInto sets dst[i] ^= src[i] for i < len(dst).
func xorInto(dst, src []byte) { subtle.XORBytes(dst, dst, src[:len(dst)]) }
