package cipher

import (
	"crypto/subtle"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Limits of the chaotic ciphers.
const (
	// MaxSampleBytes bounds the images the chaotic ciphers accept: 4 MiB
	// of samples (2048² 8-bit, 2048×1024 16-bit; the papers use 512²
	// crops). Their keystreams take 1 byte per sample byte ("bitplane-xor")
	// or 6 ("bitplane": the permutation π, 4 bytes, and two key planes),
	// plus one more while they are made, so with the image and its
	// encryption a "bitplane" run holds about 9 bytes per sample byte: the
	// limit keeps any run within twice the image's size plus 64 MB of
	// memory (tested), whatever the input. Ours.
	MaxSampleBytes = 4 << 20
	// streamChunk is how many keystream values are made at a time while
	// the streams are derived (a variable so tests can exercise chunk
	// boundaries).
	streamChunkDefault = 1 << 16
	// MaxCachedSizes is how many pixel counts a chaotic cipher keeps
	// keystreams for; beyond it the oldest entry is dropped.
	MaxCachedSizes = 4
	// mantissaBits is the number of explicit mantissa bits of a float64.
	mantissaBits = 52
)

// chaosParamNames are the key line's parameter names, in canonical order.
var chaosParamNames = []string{"x0", "r", "lx", "ly", "lz"}

// ChaosParams are the parameters of the chaotic keystreams shared by the
// "bitplane-xor" and "bitplane" schemes.
//
// Floating-point absorption of one-ulp key changes: the first operations on
// a parameter round their results (1 − x0, r·x0, y − x, …), and a change of
// the last mantissa bit can vanish in that rounding, leaving the whole orbit
// and the ciphertext unchanged. Measured over 200 generated keys (32×32
// image, "bitplane"): flipping the least significant mantissa bit left the
// ciphertext identical for 71 keys (x0), 0 (r), 117 (lx), 85 (ly), 76 (lz);
// bit 2: 22, 0, 48, 17, 14; bit 4: 6, 0, 19, 5, 2; bits 8 and above: none.
// The key space of these ciphers is therefore smaller than 5 × 52 bits, and
// key-sensitivity measurements should flip bit 8 or above (or report the
// fraction of flips that change nothing) rather than trust the LSB alone.
type ChaosParams struct {
	// X0 in (0, 1) and R in (0, 4] start the Logistic-Sine system.
	X0, R float64
	// LX, LY, LZ in [-50, 50] start the Lorenz system; see
	// [chaos.CheckLorenzStart] for the excluded neighbourhoods of the z-axis
	// and of the equilibria.
	LX, LY, LZ float64
}

// Validate returns an error naming the first parameter out of range, or
// saying why the parameters give a degenerate keystream: a Lorenz start on
// the z-axis or near an equilibrium (chaos.CheckLorenzStart), or a
// Logistic-Sine orbit that is periodic or stuck (chaos.CheckLogisticSineOrbit:
// e.g. x0 = 0.75, r = 4 is a fixed point, which would leave the four low
// bit planes in clear). Errors never repeat the values (key material).
func (p ChaosParams) Validate() error {
	if !(p.X0 > 0 && p.X0 < 1) {
		return fmt.Errorf("parameter x0 is outside (0, 1)")
	}
	if !(p.R > 0 && p.R <= chaos.MaxR) {
		return fmt.Errorf("parameter r is outside (0, 4]")
	}
	for i, v := range []float64{p.LX, p.LY, p.LZ} {
		if !(math.Abs(v) <= chaos.LorenzMaxAbs) {
			return fmt.Errorf("parameter %s is outside [-50, 50]", chaosParamNames[2+i])
		}
	}
	if err := chaos.CheckLorenzStart(p.LX, p.LY, p.LZ); err != nil {
		return fmt.Errorf("parameters (lx, ly, lz): %w", err)
	}
	if err := chaos.CheckLogisticSineOrbit(p.R, p.X0); err != nil {
		return fmt.Errorf("parameters (x0, r): %w", err)
	}
	return nil
}

func (p ChaosParams) values() [5]float64 { return [5]float64{p.X0, p.R, p.LX, p.LY, p.LZ} }

func chaosParamsOf(v [5]float64) ChaosParams {
	return ChaosParams{X0: v[0], R: v[1], LX: v[2], LY: v[3], LZ: v[4]}
}

// format prints "<scheme>:x0=…,r=…,lx=…,ly=…,lz=…" with round-trip floats.
func (p ChaosParams) format(scheme string) string {
	v := p.values()
	return formatFloatKey(scheme, chaosParamNames, v[:])
}

// numBits is the length of the canonical bit representation: the 52
// mantissa bits of each of the five parameters.
func (p ChaosParams) numBits() int { return len(chaosParamNames) * mantissaBits }

// flip flips mantissa bit (i mod 52) of parameter (i div 52), i mod 260;
// bit 0 is the least significant mantissa bit of x0.
func (p ChaosParams) flip(i int) ChaosParams {
	v := p.values()
	flipMantissaBit(v[:], i)
	return chaosParamsOf(v)
}

func parseChaosParams(scheme, line string) (ChaosParams, error) {
	vals, err := parseFloatKey(scheme, line, chaosParamNames)
	if err != nil {
		return ChaosParams{}, err
	}
	p := chaosParamsOf([5]float64(vals))
	if err := p.Validate(); err != nil {
		return ChaosParams{}, fmt.Errorf("%s key: %w", scheme, err)
	}
	return p, nil
}

// generateChaosParams draws parameters well inside the valid ranges:
// x0 ∈ [0.05, 0.95), r ∈ [3.5, 4), lx, ly ∈ [−15, 15), lz ∈ [5, 40).
// Both bit-plane schemes draw the same parameters from the same seed, so
// they can be compared key for key.
func generateChaosParams(seed uint64) ChaosParams {
	return drawChaosParams(seededRand("bitplane", seed).Float64)
}

// drawChaosParams draws the parameters of generateChaosParams from u, a
// source of uniform values in [0, 1).
func drawChaosParams(u func() float64) ChaosParams {
	p := ChaosParams{X0: 0.05 + 0.9*u(), R: 3.5 + 0.5*u()}
	for chaos.CheckLogisticSineOrbit(p.R, p.X0) != nil { // never seen; redraw rather than return a bad key
		p.X0, p.R = 0.05+0.9*u(), 3.5+0.5*u()
	}
	for {
		p.LX, p.LY, p.LZ = -15+30*u(), -15+30*u(), 5+35*u()
		if p.Validate() == nil {
			return p
		}
	}
}

// RandomKey draws a key with parameters as GenerateKey's, each with 53
// bits from rand (crypto/rand in `neurocrypt keygen`).
func (s bitplaneScheme) RandomKey(rand io.Reader) (Key, error) {
	var err error
	u := uniform53(rand, &err)
	p := drawChaosParams(u)
	if err != nil {
		return nil, fmt.Errorf("%s: drawing a key: %w", s.name, err)
	}
	return s.key(p), nil
}

// BitplaneXORKey is the key of the "bitplane-xor" scheme. Its line is
//
//	bitplane-xor:x0=0.3141592653589793,r=3.99,lx=0.1,ly=0.2,lz=0.3
//
// Its canonical bit representation is the 52 mantissa bits of x0, r, lx, ly,
// lz in that order, least significant first (260 bits).
type BitplaneXORKey struct{ ChaosParams }

// Scheme returns "bitplane-xor".
func (k BitplaneXORKey) Scheme() string { return NameBitplaneXOR }

// String returns the key line.
func (k BitplaneXORKey) String() string { return k.format(NameBitplaneXOR) }

// NumBits returns 260.
func (k BitplaneXORKey) NumBits() int { return k.numBits() }

// FlipBit flips mantissa bit i mod 52 of parameter i div 52 (after reducing
// i mod 260); FlipBit(0) flips the least significant mantissa bit of x0.
// The sign and exponent are never touched, so x0 stays in (0, 1); r = 4 and
// coordinates near ±50 can leave their range (New reports it). A flip of one
// of the lowest mantissa bits can be absorbed by floating-point rounding and
// change nothing (about a third of keys for the LSB; see [ChaosParams]).
func (k BitplaneXORKey) FlipBit(i int) Key { return BitplaneXORKey{k.flip(i)} }

// BitplaneKey is the key of the "bitplane" scheme; the same parameters and
// bit representation as [BitplaneXORKey], with the line prefix "bitplane:".
type BitplaneKey struct{ ChaosParams }

// Scheme returns "bitplane".
func (k BitplaneKey) Scheme() string { return NameBitplane }

// String returns the key line.
func (k BitplaneKey) String() string { return k.format(NameBitplane) }

// NumBits returns 260.
func (k BitplaneKey) NumBits() int { return k.numBits() }

// FlipBit flips mantissa bit i mod 52 of parameter i div 52 (after reducing
// i mod 260); FlipBit(0) flips the least significant mantissa bit of x0.
// See [BitplaneXORKey.FlipBit] for range and rounding caveats.
func (k BitplaneKey) FlipBit(i int) Key { return BitplaneKey{k.flip(i)} }

// bitplaneScheme implements both bit-plane schemes.
type bitplaneScheme struct {
	name    string
	diffuse bool
}

func (s bitplaneScheme) Name() string { return s.name }

func (s bitplaneScheme) Description() string {
	if s.diffuse {
		return "bit-plane chaotic XOR (Logistic-Sine low planes, Lorenz high planes) + chaotic permutation + two S-box diffusion passes (our completion of RITEM-CF-AN)"
	}
	return "bit-plane chaotic XOR as in RITEM-CF-AN: Logistic-Sine keystream on the 4 low planes, Lorenz on the 4 high planes; no diffusion"
}

func (s bitplaneScheme) key(p ChaosParams) Key {
	if s.diffuse {
		return BitplaneKey{p}
	}
	return BitplaneXORKey{p}
}

func (s bitplaneScheme) ParseKey(line string) (Key, error) {
	p, err := parseChaosParams(s.name, line)
	if err != nil {
		return nil, err
	}
	return s.key(p), nil
}

func (s bitplaneScheme) GenerateKey(seed uint64) Key { return s.key(generateChaosParams(seed)) }

func (s bitplaneScheme) New(k Key) (Cipher, error) {
	var p ChaosParams
	switch k := k.(type) {
	case BitplaneKey:
		if !s.diffuse {
			return nil, fmt.Errorf("%s: got a %s key", s.name, k.Scheme())
		}
		p = k.ChaosParams
	case *BitplaneKey:
		if k == nil || !s.diffuse {
			return nil, fmt.Errorf("%s: got a nil or %s key", s.name, NameBitplane)
		}
		p = k.ChaosParams
	case BitplaneXORKey:
		if s.diffuse {
			return nil, fmt.Errorf("%s: got a %s key", s.name, k.Scheme())
		}
		p = k.ChaosParams
	case *BitplaneXORKey:
		if k == nil || s.diffuse {
			return nil, fmt.Errorf("%s: got a nil or %s key", s.name, NameBitplaneXOR)
		}
		p = k.ChaosParams
	default:
		return nil, fmt.Errorf("%s: got a key of type %T, want a %s key", s.name, k, s.name)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%s key: %w", s.name, err)
	}
	return &bitplaneCipher{name: s.name, diffuse: s.diffuse, p: p}, nil
}

// bitplaneCipher implements both bit-plane schemes; the construction is
// documented in the package documentation ("The bit-plane schemes").
type bitplaneCipher struct {
	name    string
	diffuse bool
	p       ChaosParams

	cache sizeCache[streams]
}

// streams are the cached keystreams for one pixel count.
type streams struct {
	ks   []byte   // bitplane-xor: stage-1 keystream
	perm []uint32 // bitplane: π
	kk   []byte   // bitplane: ks[π[k]] ⊕ k1[k]
	k2   []byte
	sbox [256]byte
	sinv [256]byte
	iv1  byte
	iv2  byte
}

func (c *bitplaneCipher) Name() string { return c.name }

// MaxSampleBytes implements SizeLimited.
func (c *bitplaneCipher) MaxSampleBytes() int { return MaxSampleBytes }

// streamsFor returns the keystreams for n pixels, computing them once.
func (c *bitplaneCipher) streamsFor(n int) *streams {
	return c.cache.get(n, func(st *streams) { st.compute(c.p, n, c.diffuse) })
}

// streamChunk is how many keystream values compute makes at a time.
var streamChunk = streamChunkDefault

// compute generates the keystreams (see bitplaneCipher). The parameters were
// validated by New, so the generators cannot fail.
//
// Memory: besides the streams kept, only chunks of streamChunk values. The
// stage-1 keystream pairs byte b of the Logistic-Sine and Lorenz streams
// (the first ⌈n/2⌉ bytes of each) into samples 2b and 2b+1; both
// generators are chunk-invariant, so it is made chunk by chunk. The
// Fisher–Yates shuffle consumes its n words last to first: the
// Logistic-Sine state is saved at the start of every chunk (a copy of a
// few words) while the generator is run forward, and each chunk is then
// regenerated from its saved state, last chunk first — the same words, in
// the order the shuffle wants them, without holding all n.
func (st *streams) compute(p ChaosParams, n int, diffuse bool) {
	lss := chaos.MustNewLogisticSine(p.R, p.X0)
	lor := chaos.MustNewLorenz(p.LX, p.LY, p.LZ)
	lss.Skip(chaos.MapTransient)
	lor.Skip(chaos.LorenzTransient)

	chunk := max(streamChunk, 256)
	half := (n + 1) / 2
	ks := make([]byte, n)
	la, lb := make([]byte, chunk), make([]byte, chunk)
	for b0 := 0; b0 < half; b0 += chunk {
		m := min(chunk, half-b0)
		lss.FillBytes(la[:m])
		lor.FillBytes(lb[:m])
		for t := range m {
			i := 2 * (b0 + t)
			ks[i] = la[t]&0x0F | (lb[t]&0x0F)<<4
			if i+1 < n {
				ks[i+1] = la[t]>>4 | lb[t]&0xF0
			}
		}
	}
	if !diffuse {
		st.ks = ks
		return
	}

	perm := make([]uint32, n)
	for i := range perm {
		perm[i] = uint32(i)
	}
	saved := make([]chaos.LogisticSine, (n+chunk-1)/chunk)
	for c := range saved {
		saved[c] = *lss
		lss.Skip(min(chunk, n-c*chunk))
	}
	w := make([]uint32, chunk)
	for c := len(saved) - 1; c >= 0; c-- {
		i0, m := c*chunk, min(chunk, n-c*chunk)
		gen := saved[c]
		gen.FillWords(w[:m])
		for t := m - 1; t >= 0; t-- {
			i := i0 + t
			if i == 0 {
				break
			}
			j := uint32(uint64(w[t]) * uint64(i+1) >> 32)
			perm[i], perm[j] = perm[j], perm[i]
		}
	}
	lss.FillWords(w[:256])
	st.setSBox((*[256]uint32)(w[:256]))

	z := make([]byte, 2*n+2)
	lor.FillBytes(z)
	st.iv1, st.iv2 = z[0], z[n+1]
	k1, k2 := z[1:n+1], z[n+2:]
	for k, pk := range perm {
		k1[k] ^= ks[pk]
	}
	st.perm, st.kk, st.k2 = perm, k1, k2
}

// begin is the common start of Encrypt and Decrypt (op): it checks g,
// derives the streams for its size and allocates the output. Without the
// diffusion stage the cipher is a keystream XOR, its own inverse, which
// begin applies itself and reports as done.
func (c *bitplaneCipher) begin(op string, g *imageio.Gray) (n int, st *streams, out *imageio.Gray, done bool, err error) {
	if n, err = checkImage(c.name, op, g, MaxSampleBytes); err != nil {
		return 0, nil, nil, false, err
	}
	st = c.streamsFor(n)
	out = sameShape(g, make([]byte, n))
	if !c.diffuse {
		subtle.XORBytes(out.Pix, g.Pix, st.ks)
		return n, st, out, true, nil
	}
	return n, st, out, false, nil
}

// Encrypt encrypts g; see the type's documentation for the construction.
func (c *bitplaneCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) {
	_, st, out, done, err := c.begin("encrypt", g)
	if err != nil || done {
		return out, err
	}
	st.permuteDiffuse(out.Pix, g.Pix)
	return out, nil
}

// Decrypt inverts Encrypt exactly.
func (c *bitplaneCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) {
	_, st, out, done, err := c.begin("decrypt", g)
	if err != nil || done {
		return out, err
	}
	st.undoPermuteDiffuse(out.Pix, g.Pix)
	return out, nil
}

// setSBox makes the S-box σ (Fisher–Yates over 0…255 with Lemire's
// reduction, word w[i] for position i, i = 255 down to 1) and its inverse.
func (st *streams) setSBox(w *[256]uint32) {
	for i := range st.sbox {
		st.sbox[i] = byte(i)
	}
	for i := 255; i > 0; i-- {
		j := uint32(uint64(w[i]) * uint64(i+1) >> 32)
		st.sbox[i], st.sbox[j] = st.sbox[j], st.sbox[i]
	}
	for i, v := range st.sbox {
		st.sinv[v] = byte(i)
	}
}

// sizeCache keeps a cipher's key material per image size: at most
// MaxCachedSizes sizes (the oldest is dropped), each computed once, safe
// for concurrent use. Its zero value is ready.
type sizeCache[T any] struct {
	mu    sync.Mutex
	m     map[int]*sizeEntry[T]
	order []int // sizes in insertion order
}

type sizeEntry[T any] struct {
	once sync.Once
	v    T
}

// get returns the material for size n, computing it with compute once.
func (c *sizeCache[T]) get(n int, compute func(*T)) *T {
	c.mu.Lock()
	e, ok := c.m[n]
	if !ok {
		if c.m == nil {
			c.m = map[int]*sizeEntry[T]{}
		}
		if len(c.order) >= MaxCachedSizes {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
		e = &sizeEntry[T]{}
		c.m[n] = e
		c.order = append(c.order, n)
	}
	c.mu.Unlock()
	e.once.Do(func() { compute(&e.v) })
	return &e.v
}

// permuteDiffuse is stages 2–4 of "bitplane" (the package notes): dst[k]
// is the forward S-box chain over src[π[k]] ⊕ kk[k], then the backward one
// with k2. Every chaotic scheme with a key-only permutation–diffusion stage
// uses it (the cellular cipher with kk = k1). len(dst) = len(src) = len(π).
func (st *streams) permuteDiffuse(dst, src []byte) {
	n := len(st.perm)
	perm, kk, k2, sbox := st.perm, st.kk[:n], st.k2[:n], &st.sbox
	u := st.iv1
	for k, pk := range perm {
		u = sbox[(src[pk]^kk[k])+u]
		dst[k] = u
	}
	v := st.iv2
	for k := n - 1; k >= 0; k-- {
		v = sbox[(dst[k]^k2[k])+v]
		dst[k] = v
	}
}

// undoPermuteDiffuse inverts permuteDiffuse exactly.
func (st *streams) undoPermuteDiffuse(dst, src []byte) {
	// The backward pass's value u[k] = (S⁻¹[c[k]] − c[k+1]) ⊕ k2[k] (with
	// c[n] = iv2) depends on the ciphertext only, so it is computed where
	// the forward pass needs it: no n-byte buffer.
	n := len(st.perm)
	src, perm, kk, k2, sinv := src[:n], st.perm, st.kk[:n], st.k2[:n], &st.sinv
	prev := st.iv1
	for k, pk := range perm {
		next := st.iv2
		if k+1 < n {
			next = src[k+1]
		}
		uk := (sinv[src[k]] - next) ^ k2[k]
		dst[pk] = (sinv[uk] - prev) ^ kk[k]
		prev = uk
	}
}
