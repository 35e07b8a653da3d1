package chaos

import (
	"fmt"
	"math"
)

// CellularDim is the number of cells (state variables) of the hyperchaotic
// cellular neural network [Cellular].
const CellularDim = 6

// Cellular integration, validation and weak-key constants. SOURCE: ours;
// the measurements quoted were made with this package's LyapunovSpectrum
// at [CellularDefault].
const (
	// CellularStep is the fixed RK4 time step h. The default's fastest rate
	// is the self-feedback of cell 4 in its linear region (−1 + 200 − 99 =
	// 100 per time unit), so h·|λ| = 0.5, inside RK4's stability interval
	// (2.78) with a local error of order 0.5^5/120 ≈ 3e-4 of that
	// component. The spectrum over 2000 time units was (0.194, 0.094,
	// −0.016, −4.00, −4.00, −93.3) at h = 0.005 and (0.189, 0.076, −0.017,
	// −4.00, −4.00, −93.3) at h = 0.001: the same hyperchaos, the second
	// exponent within its estimation error.
	CellularStep = 0.005
	// CellularTransient is the number of RK4 steps keystream users discard
	// (200 time units): with λ1 ≈ 0.19, a one-ulp (≈ 1e-17) difference of
	// the initial state needs ln(4.3e-5/1e-17)/0.19 ≈ 150 time units to
	// reach the scale 2^32·10^-14 ≈ 4.3e-5 that a 32-bit word reads.
	CellularTransient = 40000
	// CellularMaxAbs bounds each initial value: |x0_j| ≤ 10.
	CellularMaxAbs = 10.0
	// CellularMinAbs: the origin is an equilibrium when the bias I is 0, so
	// max_j |x0_j| must be at least this.
	CellularMinAbs = 1e-6
	// CellularMaxTemplate bounds each template entry: |a_jk|, |s_jk| ≤ 250.
	CellularMaxTemplate = 250.0
	// CellularMaxBias bounds each bias: |i_j| ≤ 10.
	CellularMaxBias = 10.0
	// CellularMaxState is the largest |x_j| CheckCellular lets the orbit
	// reach (sampled every CellularRenorm steps): below 64, where the
	// ×10^14 extraction rule is exact, with a margin for the excursions
	// between samples. The default attractor stays within |x_j| < 9.6
	// (max |x_j| over 5000 time units: 2.45, 2.40, 9.51, 4.45, 9.09, 2.09),
	// so no scaling was needed.
	CellularMaxState = 48.0
	// CellularMinLyapunov is the weak-key threshold per time unit on the
	// second exponent: the default's is ≈ 0.09 (0.060–0.115 over ten
	// 200-time-unit windows, 0.021–0.150 over twenty 100-unit windows),
	// while a chaotic but not hyperchaotic setting (s22 = 2.5) gives 0.016
	// and a resting one (s22 = 1.5) −0.16.
	CellularMinLyapunov = 0.02
	// CellularCheckTime is the horizon of CheckCellular, in time units
	// (80 000 steps); its last half (200 time units) is also checked alone.
	// With it, 60 of 60 random starts X0 uniform in [−1, 1]^6 with the
	// default templates were accepted (a last quarter of 100 time units
	// refused one of 20, its estimate being too noisy). Transient
	// hyperchaos of this network was not studied: a key whose hyperchaos
	// ends after the horizon is not caught.
	CellularCheckTime = 400.0
	// CellularCheckTransient is the number of steps (50 time units)
	// CheckCellular integrates before measuring.
	CellularCheckTransient = 10000
	// CellularRenorm is the number of steps between re-orthonormalisations
	// in CheckCellular (0.05 time units; the fastest direction contracts by
	// e^{−93·0.05} ≈ 0.01 in that time, far from underflow).
	CellularRenorm = 10
)

// CellularParams are the parameters of the cellular neural network in
// Chua–Yang form (Chua & Yang 1988: dx/dt = −x + A·y + B·u + I, output
// y = ½(|x+1| − |x−1|)) with a state template S in place of the input
// template B — the "state-controlled" CNN of Arena, Caponetto, Fortuna &
// Porto (Int. J. Circuit Theory Appl. 24, 1996), the form of the
// hyperchaotic CNNs of image-encryption papers such as the survey's ref.
// [8] (Peng, Zhang & Liao, Fundamenta Informaticae 90(3), 2009), with
// constant templates,
//
//	dx_j/dt = −x_j + Σ_k A[j][k]·y_k + Σ_k S[j][k]·x_k + I[j],
//	y_k = ½(|x_k + 1| − |x_k − 1|),   j, k = 0…CellularDim−1:
//
// the feedback template A (on the outputs y), the state template S (on
// the states x), the bias I and the initial state X0. All may be key
// material. Ranges: |A|, |S| entries ≤ [CellularMaxTemplate], |I| entries ≤
// [CellularMaxBias], |X0| entries ≤ [CellularMaxAbs] and max_j |x0_j| ≥
// [CellularMinAbs].
//
// With I = 0 the system is odd (f(−x) = −f(x)), so X0 and −X0 give the same
// keystream (the extraction reads |x|): a key derivation must not let them
// be different keys.
type CellularParams struct {
	A  [CellularDim][CellularDim]float64
	S  [CellularDim][CellularDim]float64
	I  [CellularDim]float64
	X0 [CellularDim]float64
}

// CellularDefault is the published hyperchaotic 6-cell CNN (cells numbered
// 1…6 in the papers, 0…5 here):
//
//	dx1/dt = −x3 − x4
//	dx2/dt = 2·x2 + x3
//	dx3/dt = 14·x1 − 14·x2
//	dx4/dt = 100·x1 − 100·x4 + 100·(|x4 + 1| − |x4 − 1|)
//	dx5/dt = 18·x2 − 4·x5
//	dx6/dt = 4·x1 − 4·x6
//
// that is a44 = 200, s11 = 1, s13 = s14 = −1, s22 = 3, s23 = 1, s31 = 14,
// s32 = −14, s33 = 1, s41 = 100, s44 = −99, s52 = 18, s55 = −3, s61 = 4,
// s66 = −3 and every other entry and the bias 0, started at x_j = 0.1.
//
// SOURCE: the 6-dimensional CNN hyperchaotic system used by CNN
// image-encryption papers, for instance "A Novel Plaintext-Related Color
// Image Encryption Scheme Based on Cellular Neural Network and Chen's
// Chaotic System", Symmetry 13(3) (2021) 393, doi:10.3390/sym13030393,
// Section 2.1. That this paper builds on a 6-D CNN hyperchaotic system was
// confirmed; its text, and so the exact published coefficients and any
// exponents it states, were not available here: the coefficients above are
// the commonly re-used set as recalled, and their hyperchaos was verified
// here rather than taken from the paper. The initial state 0.1 is ours.
// Measured (h = 0.005, 50 time units discarded, 2000 measured): exponents
// (0.194, 0.094, −0.016, −4.00, −4.00, −93.3): two positive, so hyperchaotic;
// the 5th and 6th cells are linear filters of cells 2 and 1 and contribute
// the two exponents −4 (s55 − 1 = s66 − 1 = −4).
var CellularDefault = CellularParams{
	A: [CellularDim][CellularDim]float64{3: {3: 200}},
	S: [CellularDim][CellularDim]float64{
		{1, 0, -1, -1, 0, 0},
		{0, 3, 1, 0, 0, 0},
		{14, -14, 1, 0, 0, 0},
		{100, 0, 0, -99, 0, 0},
		{0, 18, 0, 0, -3, 0},
		{4, 0, 0, 0, 0, -3},
	},
	X0: [CellularDim]float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1},
}

// cnnOut is the Chua–Yang output ½(|v+1| − |v−1|), computed exactly as the
// equal clamp of v to [−1, 1].
func cnnOut(v float64) float64 {
	if v > 1 {
		return 1
	}
	if v < -1 {
		return -1
	}
	return v
}

// cellularDeriv returns the CNN vector field at x.
func cellularDeriv(p *CellularParams, x *[CellularDim]float64) [CellularDim]float64 {
	var y, d [CellularDim]float64
	for k, v := range x {
		y[k] = cnnOut(v)
	}
	for j := range d {
		s := -x[j]
		a, t := &p.A[j], &p.S[j]
		for k := range y {
			s += float64(a[k] * y[k])
		}
		for k := range x {
			s += float64(t[k] * x[k])
		}
		d[j] = s + p.I[j]
	}
	return d
}

// CellularRK4Step returns the state one classical RK4 step of size h after
// x for the CNN with templates and bias p.A, p.S, p.I (p.X0 is not used).
// SOURCE: ours (standard RK4).
func CellularRK4Step(p *CellularParams, x [CellularDim]float64, h float64) [CellularDim]float64 {
	h2 := h / 2
	var s [CellularDim]float64
	k1 := cellularDeriv(p, &x)
	for i := range s {
		s[i] = x[i] + float64(h2*k1[i])
	}
	k2 := cellularDeriv(p, &s)
	for i := range s {
		s[i] = x[i] + float64(h2*k2[i])
	}
	k3 := cellularDeriv(p, &s)
	for i := range s {
		s[i] = x[i] + float64(h*k3[i])
	}
	k4 := cellularDeriv(p, &s)
	h6 := h / 6
	for i := range x {
		x[i] += float64(h6 * (k1[i] + float64(2*k2[i]) + float64(2*k3[i]) + k4[i]))
	}
	return x
}

// cellularFlow is the CNN as a Flow; its Deriv is bit for bit the field
// CellularRK4Step integrates.
type cellularFlow struct{ p CellularParams }

func (cellularFlow) Dim() int { return CellularDim }

func (f *cellularFlow) Deriv(dst, x []float64) {
	d := cellularDeriv(&f.p, (*[CellularDim]float64)(x))
	copy(dst, d[:])
}

// Jacobian: −δ_jk + A[j][k]·y'(x_k) + S[j][k], y' = 1 on (−1, 1), else 0.
func (f *cellularFlow) Jacobian(dst []float64, x []float64) {
	const n = CellularDim
	for k := 0; k < n; k++ {
		inside := x[k] > -1 && x[k] < 1
		for j := 0; j < n; j++ {
			v := f.p.S[j][k]
			if inside {
				v += f.p.A[j][k]
			}
			dst[j*n+k] = v
		}
		dst[k*n+k]--
	}
}

// Flow returns the network with p's templates and bias as a [Flow]
// (dimension [CellularDim]; the Jacobian uses y' = 1 inside (−1, 1) and 0
// outside) for [LyapunovSpectrum]. p.X0 is not used.
func (p CellularParams) Flow() Flow { return &cellularFlow{p: p} }

// checkCellularRanges validates p without integrating.
func checkCellularRanges(p CellularParams) error {
	for j := range p.A {
		for k := range p.A[j] {
			if !(math.Abs(p.A[j][k]) <= CellularMaxTemplate) {
				return fmt.Errorf("chaos: cellular template A[%d][%d] is not finite or outside [-%g, %g]", j, k, CellularMaxTemplate, CellularMaxTemplate)
			}
			if !(math.Abs(p.S[j][k]) <= CellularMaxTemplate) {
				return fmt.Errorf("chaos: cellular template S[%d][%d] is not finite or outside [-%g, %g]", j, k, CellularMaxTemplate, CellularMaxTemplate)
			}
		}
	}
	for j, v := range p.I {
		if !(math.Abs(v) <= CellularMaxBias) {
			return fmt.Errorf("chaos: cellular bias I[%d] is not finite or outside [-%g, %g]", j, CellularMaxBias, CellularMaxBias)
		}
	}
	m := 0.0
	for j, v := range p.X0 {
		if !(math.Abs(v) <= CellularMaxAbs) {
			return fmt.Errorf("chaos: cellular initial value X0[%d] is not finite or outside [-%g, %g]", j, CellularMaxAbs, CellularMaxAbs)
		}
		m = math.Max(m, math.Abs(v))
	}
	if m < CellularMinAbs {
		return fmt.Errorf("chaos: the cellular initial state is at the origin: max_j |X0[j]| must be ≥ %g", CellularMinAbs)
	}
	return nil
}

// cellularCheckConfig is the estimate CheckCellular makes.
var cellularCheckConfig = LyapunovConfig{
	Step:      CellularStep,
	Transient: CellularCheckTransient,
	Steps:     int(math.Round(CellularCheckTime / CellularStep)),
	Renorm:    CellularRenorm,
}

// CellularLyapunov returns the [CellularDim] Lyapunov exponents of p
// (largest first, per time unit) as CheckCellular estimates them:
// [LyapunovSpectrum] of p.Flow() from p.X0 with step [CellularStep],
// [CellularCheckTransient] steps discarded, over [CellularCheckTime] time
// units, re-orthonormalised every [CellularRenorm] steps. Errors: the range
// errors of [NewCellular], [ErrDiverged], and an error when the orbit
// leaves |x_j| ≤ [CellularMaxState]; none prints a value. SOURCE: ours.
func CellularLyapunov(p CellularParams) ([]float64, error) {
	l, _, err := cellularLyapunov(p)
	return l, err
}

func cellularLyapunov(p CellularParams) (all, last []float64, err error) {
	if err := checkCellularRanges(p); err != nil {
		return nil, nil, err
	}
	return lyapunovSpectrum(p.Flow(), p.X0[:], cellularCheckConfig, cellularCheckConfig.Steps/2, CellularMaxState)
}

// CheckCellular validates p as [NewCellular] does and then applies the
// weak-key rule for hyperchaos:
//
//	after CellularCheckTransient steps, the orbit of p must stay within
//	|x_j| ≤ CellularMaxState, and at least two of its Lyapunov exponents
//	other than the flow's zero exponent (taken to be the estimate nearest
//	0: an autonomous flow always has one, and over this horizon its
//	estimate scatters by a few hundredths), estimated over the next
//	CellularCheckTime time units AND over the last half of them alone,
//	must be at least CellularMinLyapunov = 0.02 per time unit.
//
// A key that fails the exponent rule returns an error wrapping
// [ErrWeakKey] (an orbit leaving the bound, too); no error prints a
// parameter value. It is deterministic and costs one 80 000-step 6-D
// tangent integration: 72 ms on one core of the development machine (AMD
// EPYC; BenchmarkCheckCellular). SOURCE: ours.
func CheckCellular(p CellularParams) error {
	all, last, err := cellularLyapunov(p)
	if err != nil {
		return err
	}
	if a, l := withoutFlowExponent(all), withoutFlowExponent(last); !(a[1] >= CellularMinLyapunov) || !(l[1] >= CellularMinLyapunov) {
		return fmt.Errorf("%w: fewer than two of the cellular network's Lyapunov exponents over %g time units, or over their last half, reach %g per time unit (the orbit is not hyperchaotic)", ErrWeakKey, CellularCheckTime, CellularMinLyapunov)
	}
	return nil
}

// Cellular integrates the cellular neural network of [CellularParams] by
// RK4 with the fixed step [CellularStep] (see [CellularRK4Step]) and
// extracts keystream from its orbit. It is not safe for concurrent use. It
// is a plain value (no pointers): saved := *c and *c = saved save and
// restore the generator, keystream position included.
type Cellular struct {
	p      CellularParams // templates and bias; p.X0 is the initial state
	x      [CellularDim]float64
	h      float64
	stream wordStream
}

// NewCellular returns the network with parameters p started at p.X0. It
// checks only that every parameter is finite and in range and that X0 is
// not the origin (cheap); use [CheckCellular] once per key for the weak-key
// rule (which also checks that the orbit stays bounded: templates can make
// it diverge). No transient is discarded; call Skip(CellularTransient).
// Errors name the parameter, never its value.
func NewCellular(p CellularParams) (*Cellular, error) {
	if err := checkCellularRanges(p); err != nil {
		return nil, err
	}
	return &Cellular{p: p, x: p.X0, h: CellularStep}, nil
}

// MustNewCellular is NewCellular that panics on invalid parameters.
func MustNewCellular(p CellularParams) *Cellular {
	c, err := NewCellular(p)
	if err != nil {
		panic(err)
	}
	return c
}

// State returns the current state.
func (c *Cellular) State() [CellularDim]float64 { return c.x }

// Next advances one RK4 step and returns the new state. Pending keystream
// of FillBytes/FillWords is dropped.
func (c *Cellular) Next() [CellularDim]float64 {
	c.x = CellularRK4Step(&c.p, c.x, c.h)
	c.stream.npend = 0
	return c.x
}

// Skip advances n steps (n ≤ 0 does nothing). Pending keystream of
// FillBytes/FillWords is dropped.
func (c *Cellular) Skip(n int) {
	x := c.x
	for ; n > 0; n-- {
		x = CellularRK4Step(&c.p, x, c.h)
	}
	c.x = x
	c.stream.npend = 0
}

// FillBytes fills dst with keystream bytes, 4·CellularDim = 24 per RK4
// step: the little-endian bytes of Word32Of(x_0), …, Word32Of(x_5) of each
// new state. The stream is continuous across calls, and FillWords reads the
// same stream. It allocates nothing. The 32-bit extension of the
// extraction rule is safe for the reasons given at [Hopfield.FillBytes]:
// the states stay below 64 in magnitude (CheckCellular enforces
// [CellularMaxState]; the default stays below 9.6). SOURCE: ours.
func (c *Cellular) FillBytes(dst []byte) { c.stream.fillBytes(dst, CellularDim, c.step) }

// FillWords fills dst with keystream words, CellularDim per RK4 step:
// Word32Of(x_0), …, Word32Of(x_5) of each new state. The stream is
// continuous across calls; it is the word stream whose bytes FillBytes
// hands out, and when FillBytes has handed out only part of a word, the
// rest of that word is skipped. It allocates nothing.
func (c *Cellular) FillWords(dst []uint32) { c.stream.fillWords(dst, CellularDim, c.step) }

// step advances one RK4 step and returns the new state.
func (c *Cellular) step() []float64 {
	c.x = CellularRK4Step(&c.p, c.x, c.h)
	return c.x[:]
}
