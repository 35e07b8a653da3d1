package cipher

import (
	"fmt"
	"io"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// NameCellular is the scheme name of the cellular-neural-network cipher.
const NameCellular = "cellular"

// The "cellular" scheme: the survey's cellular-NN pipeline (§2.2, eq. (2):
// the network's state evolution, from a secret initial state and secret
// templates, drives pixel scrambling and a diffusion keystream) with the
// hyperchaotic cellular neural network of pkg/chaos (chaos.CellularParams).
//
// Key: the initial state of the four chaotic core cells and every non-zero
// entry of the published templates and bias (chaos.CellularDefault) in
// their rows, in that order — 15 values; the line is
// "cellular:x1=…,…,x4=…,a44=…,s11=…,…,s44=…" (zero template entries stay
// zero: they are the network's wiring; the two filter cells keep their
// published values, see cellularCore). Canonical bit order: the parameters in line
// order, 52 mantissa bits each, least significant first. A key is accepted
// only if its network is hyperchaotic from its initial state
// (chaos.CheckCellular) and its templates lie within
// CellularMaxTemplateDeviation of the published ones.
//
// Construction (ours; the survey gives no algorithm): for an image of n
// sample bytes the network is run from x for CellularKeyTransient RK4 steps,
// then its orbit gives, in this order, n words for the scrambling
// permutation π (Fisher–Yates, as "hopfield"), 256 words for an S-box σ and
// 2n + 2 bytes iv1, k1, iv2, k2; the image is then scrambled and diffused
// exactly as stages 2–4 of "bitplane" (the package notes) with ks = 0:
//
//	u[k] = σ[(p[π[k]] ⊕ k1[k]) + u[k−1]],  c[k] = σ[(u[k] ⊕ k2[k]) + c[k+1]].
//
// Everything depends on the key and n only, so it is cached per size (like
// the bit-plane streams) and encryption is two table-driven passes.
const (
	// CellularKeyTransient is the number of RK4 steps run from the key's
	// initial state before its orbit is used: chaos.CellularTransient, long
	// enough for a one-ulp change of the key to reach the digits the
	// keystream is read from.
	CellularKeyTransient = chaos.CellularTransient
	// CellularMaxTemplateDeviation bounds |t − T| for each key template
	// entry t and its published value T.
	CellularMaxTemplateDeviation = 0.25
	// CellularKeyTemplateSpread: GenerateKey and RandomKey draw each key
	// template entry in T ± CellularKeyTemplateSpread and each initial value
	// in [−CellularKeyStateRange, CellularKeyStateRange), redrawing until
	// chaos.CheckCellular accepts (53 of 60 draws were accepted when we
	// measured).
	CellularKeyTemplateSpread = 0.01
	// CellularKeyStateRange: see CellularKeyTemplateSpread. x1 is drawn
	// in (0, CellularKeyStateRange) only: see CellularKey.
	CellularKeyStateRange = 0.5
)

// cellularSlot is one key parameter of the "cellular" scheme: where it
// lives in chaos.CellularParams.
type cellularSlot struct {
	name string
	get  func(p *chaos.CellularParams) *float64
}

// cellularCore is the number of cells whose state and templates are key
// material: the chaotic core. In chaos.CellularDefault cells 5 and 6 are
// linear filters of cells 2 and 1 (dx5/dt = 18·x2 − 4·x5, dx6/dt = 4·x1 −
// 4·x6) that feed nothing back: their initial values decay as e^{−4t} and
// are forgotten by the end of the transient, and a one-ulp change of their
// templates moves their state by about an ulp, never amplified. Counting
// them as key would inflate the key space with parameters that change no
// ciphertext (measured: flipping mantissa bit 8 of x5 left it identical).
// They keep their published values.
const cellularCore = 4

// cellularSlots lists the key parameters, canonical order: the initial
// state of the core cells, then the non-zero entries of the published
// templates and bias in the core cells' rows.
var cellularSlots = func() []cellularSlot {
	var s []cellularSlot
	for i := range cellularCore {
		s = append(s, cellularSlot{fmt.Sprintf("x%d", i+1), func(p *chaos.CellularParams) *float64 { return &p.X0[i] }})
	}
	d := chaos.CellularDefault
	for i := range cellularCore {
		for j := range chaos.CellularDim {
			if d.A[i][j] != 0 {
				s = append(s, cellularSlot{fmt.Sprintf("a%d%d", i+1, j+1), func(p *chaos.CellularParams) *float64 { return &p.A[i][j] }})
			}
		}
	}
	for i := range cellularCore {
		for j := range chaos.CellularDim {
			if d.S[i][j] != 0 {
				s = append(s, cellularSlot{fmt.Sprintf("s%d%d", i+1, j+1), func(p *chaos.CellularParams) *float64 { return &p.S[i][j] }})
			}
		}
	}
	for i := range cellularCore {
		if d.I[i] != 0 {
			s = append(s, cellularSlot{fmt.Sprintf("i%d", i+1), func(p *chaos.CellularParams) *float64 { return &p.I[i] }})
		}
	}
	return s
}()

// cellularKeyNames are the key line's parameter names, canonical order.
var cellularKeyNames = func() []string {
	var n []string
	for _, s := range cellularSlots {
		n = append(n, s.name)
	}
	return n
}()

// CellularKey is the key of the "cellular" scheme: a network's initial
// state and templates (see NameCellular's notes). Template entries that are
// zero in chaos.CellularDefault must stay zero. With zero bias the network
// is odd (f(−x) = −f(x)) and keystreams read |x|, so x and −x would be two
// keys with one keystream: x1 must be positive.
type CellularKey struct{ chaos.CellularParams }

func (k CellularKey) values() []float64 {
	v := make([]float64, len(cellularSlots))
	for i, s := range cellularSlots {
		v[i] = *s.get(&k.CellularParams)
	}
	return v
}

func cellularKeyOf(v []float64) CellularKey {
	k := CellularKey{chaos.CellularDefault}
	for i, s := range cellularSlots {
		*s.get(&k.CellularParams) = v[i]
	}
	return k
}

// Scheme returns "cellular".
func (k CellularKey) Scheme() string { return NameCellular }

// String returns the key line.
func (k CellularKey) String() string {
	return formatFloatKey(NameCellular, cellularKeyNames, k.values())
}

// NumBits returns 52 per key parameter.
func (k CellularKey) NumBits() int { return len(cellularSlots) * mantissaBits }

// FlipBit flips mantissa bit i mod 52 of parameter i div 52 (after reducing
// i mod NumBits); FlipBit(0) flips the least significant mantissa bit of
// x1. The result may be refused by New (out of range, or not hyperchaotic).
func (k CellularKey) FlipBit(i int) Key {
	v := k.values()
	flipMantissaBit(v, i)
	return cellularKeyOf(v)
}

// Validate checks the ranges, the fixed wiring and that the network is
// hyperchaotic (chaos.CheckCellular). Errors never repeat values.
func (k CellularKey) Validate() error {
	for i, v := range k.values() {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("parameter %s is not a finite number", cellularKeyNames[i])
		}
	}
	if !(k.X0[0] > 0) {
		return fmt.Errorf("parameter x1 must be positive (x and −x give the same keystream)")
	}
	big := 0.0
	for i, v := range k.X0[:cellularCore] {
		if !(math.Abs(v) <= chaos.CellularMaxAbs) {
			return fmt.Errorf("parameter %s is outside [-%g, %g]", cellularKeyNames[i], chaos.CellularMaxAbs, chaos.CellularMaxAbs)
		}
		big = math.Max(big, math.Abs(v))
	}
	if big < chaos.CellularMinAbs {
		return fmt.Errorf("parameters x1…x%d are all within %g of 0, the network's equilibrium", cellularCore, chaos.CellularMinAbs)
	}
	d := chaos.CellularDefault
	for i, s := range cellularSlots[cellularCore:] {
		if !(math.Abs(*s.get(&k.CellularParams)-*s.get(&d)) <= CellularMaxTemplateDeviation) {
			return fmt.Errorf("parameter %s is more than %g from the published template", cellularKeyNames[cellularCore+i], CellularMaxTemplateDeviation)
		}
	}
	if cellularKeyOf(k.values()).CellularParams != k.CellularParams {
		return fmt.Errorf("a parameter that is not key material (the filter cells' state and templates, the template entries that are zero) differs from the published network")
	}
	if err := neuralChecks.check(k.String(), func() error { return chaos.CheckCellular(k.CellularParams) }); err != nil {
		return err // "chaos: weak key: …", naming the rule
	}
	return nil
}

// cellularScheme implements "cellular".
type cellularScheme struct{}

func (cellularScheme) Name() string { return NameCellular }

func (cellularScheme) Description() string {
	return "hyperchaotic state-controlled cellular neural network (Chua–Yang form + state template): state evolution drives pixel scrambling + two S-box diffusion passes (survey §2.2; ours in detail)"
}

// Class implements Classifier.
func (cellularScheme) Class() Class { return ClassCellularNN }

// KeySpace implements KeySpacer: every float64 in the ranges keys are drawn
// from, before the weak keys chaos.CheckCellular refuses are removed.
func (cellularScheme) KeySpace() KeySpace {
	var ps []floatRange
	d := chaos.CellularDefault
	for i, s := range cellularSlots {
		if i < cellularCore {
			lo := -CellularKeyStateRange
			if i == 0 {
				lo = 0
			}
			ps = append(ps, floatRange{s.name, lo, CellularKeyStateRange})
			continue
		}
		t := *s.get(&d)
		ps = append(ps, floatRange{s.name, t - CellularKeyTemplateSpread, t + CellularKeyTemplateSpread})
	}
	ks := sumKeySpace(ps...)
	ks.Basis += "; weak (not hyperchaotic) keys are refused, which removes a fraction of these"
	return ks
}

func (cellularScheme) ParseKey(line string) (Key, error) {
	v, err := parseFloatKey(NameCellular, line, cellularKeyNames)
	if err != nil {
		return nil, err
	}
	k := cellularKeyOf(v)
	if err := k.Validate(); err != nil {
		return nil, fmt.Errorf("%s key: %w", NameCellular, err)
	}
	return k, nil
}

// drawCellularKey draws keys from u (uniform in [0, 1)) until one is valid.
func drawCellularKey(u func() float64) CellularKey {
	d := chaos.CellularDefault
	for {
		v := make([]float64, len(cellularSlots))
		for i, s := range cellularSlots {
			switch {
			case i == 0:
				v[i] = CellularKeyStateRange * u()
			case i < cellularCore:
				v[i] = CellularKeyStateRange * (2*u() - 1)
			default:
				v[i] = *s.get(&d) + CellularKeyTemplateSpread*(2*u()-1)
			}
		}
		if k := cellularKeyOf(v); k.Validate() == nil {
			return k
		}
	}
}

func (cellularScheme) GenerateKey(seed uint64) Key {
	return drawCellularKey(seededRand(NameCellular, seed).Float64)
}

// RandomKey draws a key as GenerateKey does, each parameter with 53 bits
// from rand.
func (cellularScheme) RandomKey(rand io.Reader) (Key, error) {
	var err error
	k := drawCellularKey(uniform53(rand, &err))
	if err != nil {
		return nil, fmt.Errorf("%s: drawing a key: %w", NameCellular, err)
	}
	return k, nil
}

func (cellularScheme) New(k Key) (Cipher, error) {
	var key CellularKey
	switch k := k.(type) {
	case CellularKey:
		key = k
	case *CellularKey:
		if k == nil {
			return nil, fmt.Errorf("%s: nil key", NameCellular)
		}
		key = *k
	default:
		return nil, fmt.Errorf("%s: got a key of type %T, want a %s key", NameCellular, k, NameCellular)
	}
	if err := key.Validate(); err != nil {
		return nil, fmt.Errorf("%s key: %w", NameCellular, err)
	}
	return &cellularCipher{p: key.CellularParams}, nil
}

// cellularCipher implements "cellular".
type cellularCipher struct {
	p chaos.CellularParams

	cache sizeCache[streams]
}

func (c *cellularCipher) Name() string { return NameCellular }

// MaxSampleBytes implements SizeLimited.
func (c *cellularCipher) MaxSampleBytes() int { return MaxSampleBytes }

func (c *cellularCipher) streamsFor(n int) *streams {
	return c.cache.get(n, func(st *streams) {
		gen := chaos.MustNewCellular(c.p)
		gen.Skip(CellularKeyTransient)
		st.perm = chaos.Permutation(n, gen.FillWords)
		var w [256]uint32
		gen.FillWords(w[:])
		st.setSBox(&w)
		z := make([]byte, 2*n+2)
		gen.FillBytes(z)
		st.iv1, st.iv2 = z[0], z[n+1]
		st.kk, st.k2 = z[1:n+1], z[n+2:]
	})
}

func (c *cellularCipher) apply(op string, g *imageio.Gray, f func(st *streams, dst, src []byte)) (*imageio.Gray, error) {
	n, err := checkImage(NameCellular, op, g, MaxSampleBytes)
	if err != nil {
		return nil, err
	}
	out := sameShape(g, make([]byte, n))
	f(c.streamsFor(n), out.Pix, g.Pix)
	return out, nil
}

// Encrypt scrambles and diffuses g; see NameCellular's notes.
func (c *cellularCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) {
	return c.apply("encrypt", g, (*streams).permuteDiffuse)
}

// Decrypt inverts Encrypt exactly.
func (c *cellularCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) {
	return c.apply("decrypt", g, (*streams).undoPermuteDiffuse)
}
