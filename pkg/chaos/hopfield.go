package chaos

import (
	"errors"
	"fmt"
	"math"
)

// Hopfield integration, validation and weak-key constants. SOURCE: ours
// unless stated; the measurements quoted were made with this package's
// LyapunovSpectrum at the default parameters ([HopfieldW], X0 = (0.1, 0.1,
// 0.1)).
const (
	// HopfieldStep is the fixed RK4 time step h. 0.02 rather than the 0.01
	// of the issue: the attractor's fastest rates are about 6 per time unit,
	// so h·|λ| ≈ 0.1 and RK4 is accurate; the spectrum over 20 000 time
	// units is (0.0542, −0.0003, −0.5194) at h = 0.02 and (0.0546, −0.0003,
	// −0.5197) at h = 0.005 (equal within the estimator's error), and the
	// larger step halves the cost of CheckHopfield per time unit.
	HopfieldStep = 0.02
	// HopfieldTransient is the number of RK4 steps keystream users discard
	// (800 time units). The largest exponent is small (≈ 0.054), so a
	// difference of one ulp (≈ 1e-17) in the initial state needs about
	// ln(4.3e-5/1e-17)/0.054 ≈ 540 time units to grow to the scale
	// 2^32·10^-14 ≈ 4.3e-5 that the whole 32-bit word reads; 800 leaves a
	// margin for stretches of slower growth. Measured: X0[0] = 0.1 changed
	// by 1e-16 gave orbits 3e-4 apart after 400 time units and of order 1
	// apart after 700. A change of a single ulp, however, was absorbed by
	// rounding within the first 100 time units (the orbits became
	// identical: the flow contracts the perturbation below an ulp before
	// the slow expansion takes over), so key derivations must not rely on
	// initial states that differ only in their last few bits.
	HopfieldTransient = 40000
	// HopfieldMaxAbs bounds each initial coordinate: |x0_i| ≤ 10. The box
	// |x_i| ≤ max(|x0_i|, Σ_j |w_ij|) is forward-invariant (|tanh| ≤ 1), so
	// with HopfieldMaxWeight every state stays below 30 < 64, where the
	// ×10^14 extraction rule is exact.
	HopfieldMaxAbs = 10.0
	// HopfieldMinAbs: the origin is an equilibrium (tanh(0) = 0), so
	// max_i |x0_i| must be at least this.
	HopfieldMinAbs = 1e-6
	// HopfieldMaxWeight bounds each weight: |w_ij| ≤ 10.
	HopfieldMaxWeight = 10.0
	// HopfieldMinLyapunov is the weak-key threshold on the largest exponent,
	// per time unit. At the default the exponent is ≈ 0.054 and its
	// estimate over a 500-time-unit window ranged over 0.044–0.067 (20
	// windows); on the periodic orbits of perturbed weight matrices (147
	// matrices, each entry scaled by 0.90…1.10) the windows gave −0.009 …
	// +0.015 (the zero exponent plus estimation noise). 0.02 separates the
	// two with a margin on both sides.
	HopfieldMinLyapunov = 0.02
	// HopfieldCheckTime is the horizon of CheckHopfield's estimate, in time
	// units (120 000 steps). Measured transient chaos of perturbed weight
	// matrices settled onto a cycle after ≈ 550–650 time units in five
	// cases and ≈ 2500 in one (W[2][0] scaled by 0.99), out of 147; the
	// check's last quarter (600 time units) ends at time 2450, after the
	// keystream transient (800) plus 1650 time units, that is 82 500 steps
	// or 990 000 keystream bytes. Longer keystreams run past the checked
	// horizon.
	HopfieldCheckTime = 2400.0
	// HopfieldCheckTransient is the number of steps (50 time units)
	// CheckHopfield integrates before measuring, so that the estimate does
	// not start in the approach from X0 to the attractor.
	HopfieldCheckTransient = 2500
	// HopfieldRenorm is the number of steps between re-orthonormalisations
	// in CheckHopfield (0.2 time units; the tangent vectors grow by at most
	// e^{0.2·6} in that time, far from overflow or loss of orthogonality).
	HopfieldRenorm = 10
)

// HopfieldW is the default weight matrix w_ij (row i: the weights into
// neuron i) of the 3-neuron network
//
//	W = [  2     −1.2   0    ]
//	    [  2      1.71  1.15 ]
//	    [ −4.75   0     1.1  ]
//
// SOURCE: the chaotic 3-neuron Hopfield network of X.-S. Yang and Q. Yuan,
// "Chaos and transient chaos in simple Hopfield neural networks",
// Neurocomputing 69 (2005) 232–241, doi:10.1016/j.neucom.2005.06.005, as
// quoted by issue #12 with exponents ≈ (+0.060, 0, −0.52). The paper's
// title, authors, journal and subject (3-neuron networks dx/dt = −x +
// W·tanh(x), chaos versus transient chaos, Lyapunov exponents) were
// confirmed; its full text, and so the exact published entries, were not
// available here. (Danca & Kuznetsov, "Transient hidden chaotic
// attractors in a Hopfield neural system", arXiv:1604.04412, study the
// transient chaos of networks of this family.) Measured with this
// package at h = 0.02 from X0 = (0.1, 0.1, 0.1), 50 time units discarded,
// over 20 000 time units: (0.0542, −0.0003, −0.5194); HopfieldLyapunov
// (2400 time units after 50 discarded) gives (0.0489, −0.0021, −0.5180).
// So λ1 ≈ 0.054, a little below the 0.060.
var HopfieldW = [3][3]float64{
	{2, -1.2, 0},
	{2, 1.71, 1.15},
	{-4.75, 0, 1.1},
}

// HopfieldParams are the parameters of the 3-neuron network
// dx_i/dt = −x_i + Σ_j W[i][j]·tanh(x_j): the weight matrix W (|w_ij| ≤
// [HopfieldMaxWeight]) and the initial state X0 (|x0_i| ≤ [HopfieldMaxAbs],
// max_i |x0_i| ≥ [HopfieldMinAbs]). Both may be key material.
//
// The system is odd (f(−x) = −f(x)), so X0 and −X0 give mirrored orbits and,
// since the extraction rule reads |x|, the same keystream: a key derivation
// must not let X0 and −X0 be different keys.
type HopfieldParams struct {
	W  [3][3]float64
	X0 [3]float64
}

// hopfieldDeriv returns −x + W·tanh(x).
func hopfieldDeriv(w *[3][3]float64, x [3]float64) [3]float64 {
	t0, t1, t2 := detTanh(x[0]), detTanh(x[1]), detTanh(x[2])
	var d [3]float64
	for i := range d {
		d[i] = -x[i] + float64(w[i][0]*t0) + float64(w[i][1]*t1) + float64(w[i][2]*t2)
	}
	return d
}

// HopfieldRK4Step returns the state one classical RK4 step of size h (time
// units) after x for the network dx/dt = −x + W·tanh(x) with weights *w
// (row i: the weights into neuron i). tanh is this package's deterministic
// one, so the result is the same on every CPU. SOURCE: ours (standard RK4).
func HopfieldRK4Step(w *[3][3]float64, x [3]float64, h float64) [3]float64 {
	h2 := h / 2
	var s [3]float64
	k1 := hopfieldDeriv(w, x)
	for i := range s {
		s[i] = x[i] + float64(h2*k1[i])
	}
	k2 := hopfieldDeriv(w, s)
	for i := range s {
		s[i] = x[i] + float64(h2*k2[i])
	}
	k3 := hopfieldDeriv(w, s)
	for i := range s {
		s[i] = x[i] + float64(h*k3[i])
	}
	k4 := hopfieldDeriv(w, s)
	h6 := h / 6
	for i := range x {
		x[i] += float64(h6 * (k1[i] + float64(2*k2[i]) + float64(2*k3[i]) + k4[i]))
	}
	return x
}

// hopfieldFlow is the network as a Flow; its Deriv is bit for bit the
// field HopfieldRK4Step integrates.
type hopfieldFlow struct{ w [3][3]float64 }

func (hopfieldFlow) Dim() int { return 3 }

func (f hopfieldFlow) Deriv(dst, x []float64) {
	d := hopfieldDeriv(&f.w, [3]float64{x[0], x[1], x[2]})
	copy(dst, d[:])
}

func (f hopfieldFlow) Jacobian(dst []float64, x []float64) {
	t := [3]float64{detTanh(x[0]), detTanh(x[1]), detTanh(x[2])}
	hopfieldJacobian(dst, &f.w, &t)
}

// hopfieldJacobian sets dst to −I + W·diag(1 − t_j²), t = tanh(x).
func hopfieldJacobian(dst []float64, w *[3][3]float64, t *[3]float64) {
	for j := 0; j < 3; j++ {
		s := 1 - float64(t[j]*t[j])
		for i := 0; i < 3; i++ {
			dst[i*3+j] = float64(w[i][j] * s)
		}
		dst[j*3+j]--
	}
}

func (f hopfieldFlow) derivJacobian(dst, jac, x []float64) {
	t := [3]float64{detTanh(x[0]), detTanh(x[1]), detTanh(x[2])}
	for i := 0; i < 3; i++ {
		dst[i] = -x[i] + float64(f.w[i][0]*t[0]) + float64(f.w[i][1]*t[1]) + float64(f.w[i][2]*t[2])
	}
	hopfieldJacobian(jac, &f.w, &t)
}

// Flow returns the network dx/dt = −x + W·tanh(x) with p.W as a [Flow]
// (dimension 3, Jacobian −I + W·diag(1 − tanh²(x_j))) for
// [LyapunovSpectrum]. p.X0 is not used.
func (p HopfieldParams) Flow() Flow { return hopfieldFlow{w: p.W} }

// checkHopfieldRanges validates p without integrating.
func checkHopfieldRanges(p HopfieldParams) error {
	for i := range p.W {
		for j, w := range p.W[i] {
			if !(math.Abs(w) <= HopfieldMaxWeight) {
				return fmt.Errorf("chaos: Hopfield weight W[%d][%d] is not finite or outside [-%g, %g]", i, j, HopfieldMaxWeight, HopfieldMaxWeight)
			}
		}
	}
	m := 0.0
	for i, v := range p.X0 {
		if !(math.Abs(v) <= HopfieldMaxAbs) {
			return fmt.Errorf("chaos: Hopfield initial value X0[%d] is not finite or outside [-%g, %g]", i, HopfieldMaxAbs, HopfieldMaxAbs)
		}
		m = math.Max(m, math.Abs(v))
	}
	if m < HopfieldMinAbs {
		return fmt.Errorf("chaos: the Hopfield initial state is at the equilibrium 0: max_i |X0[i]| must be ≥ %g", HopfieldMinAbs)
	}
	return nil
}

// hopfieldCheckConfig is the estimate CheckHopfield makes.
var hopfieldCheckConfig = LyapunovConfig{
	Step:      HopfieldStep,
	Transient: HopfieldCheckTransient,
	Steps:     int(math.Round(HopfieldCheckTime / HopfieldStep)),
	Renorm:    HopfieldRenorm,
}

// HopfieldLyapunov returns the 3 Lyapunov exponents of p (largest first, per
// time unit) as CheckHopfield estimates them: [LyapunovSpectrum] of p.Flow()
// from p.X0 with step [HopfieldStep], [HopfieldCheckTransient] steps
// discarded, over [HopfieldCheckTime] time units, re-orthonormalised every
// [HopfieldRenorm] steps. Errors: the range errors of [NewHopfield] (they
// name the parameter, never its value). SOURCE: ours.
func HopfieldLyapunov(p HopfieldParams) ([]float64, error) {
	l, _, err := hopfieldLyapunov(p)
	return l, err
}

// hopfieldLyapunov also returns the spectrum of the last quarter.
func hopfieldLyapunov(p HopfieldParams) (all, last []float64, err error) {
	if err := checkHopfieldRanges(p); err != nil {
		return nil, nil, err
	}
	return lyapunovSpectrum(p.Flow(), p.X0[:], hopfieldCheckConfig, hopfieldCheckConfig.Steps/4, 0)
}

// ErrWeakKey is returned (wrapped) by [CheckHopfield] and [CheckCellular]
// for parameters whose orbit is not chaotic enough to be a key.
var ErrWeakKey = errors.New("chaos: weak key")

// CheckHopfield validates p as [NewHopfield] does and then applies the
// weak-key rule (issue #12: small changes of a 3-neuron network's weights
// give orbits that look chaotic for a while and then settle onto a cycle,
// so keys must be checked, not just drawn):
//
//	after HopfieldCheckTransient steps, the largest Lyapunov exponent of
//	the orbit of p other than the flow's zero exponent (the estimate
//	nearest 0), estimated over the next HopfieldCheckTime time units AND
//	over the last quarter of them alone, must both be at least
//	HopfieldMinLyapunov = 0.02 per time unit.
//
// The last-quarter estimate catches transient chaos that settles inside
// the horizon (its early chaos would otherwise lift the whole-horizon
// average above the threshold). See the constants for the measurements
// behind the numbers. A key that fails returns an error wrapping
// [ErrWeakKey]; no error prints a parameter value (they are key material).
// It is deterministic (the same decision on every CPU) and costs one
// 120 000-step tangent integration: 39 ms on one core of the development
// machine (AMD EPYC; BenchmarkCheckHopfield). All of 40 random starts X0
// uniform in [−1, 1]³ with the default weights were accepted. SOURCE: ours.
func CheckHopfield(p HopfieldParams) error {
	all, last, err := hopfieldLyapunov(p)
	if err != nil {
		return err
	}
	if a, l := withoutFlowExponent(all), withoutFlowExponent(last); !(a[0] >= HopfieldMinLyapunov) || !(l[0] >= HopfieldMinLyapunov) {
		return fmt.Errorf("%w: the Hopfield network's largest Lyapunov exponent over %g time units, or over their last quarter, is below %g per time unit (the orbit is periodic, at rest or only transiently chaotic)", ErrWeakKey, HopfieldCheckTime, HopfieldMinLyapunov)
	}
	return nil
}

// Hopfield integrates the 3-neuron network dx/dt = −x + W·tanh(x) by RK4
// with the fixed step [HopfieldStep] (see [HopfieldRK4Step]) and extracts
// keystream from its orbit. It is not safe for concurrent use. It is a
// plain value (no pointers): saved := *h and *h = saved save and restore
// the generator, keystream position included.
type Hopfield struct {
	w      [3][3]float64
	x      [3]float64
	h      float64
	stream wordStream
}

// NewHopfield returns the network with parameters p started at p.X0. It
// checks only that every weight and initial value is finite and in range
// and that X0 is not the equilibrium 0 (cheap); use [CheckHopfield] once
// per key for the weak-key rule. No transient is discarded; call
// Skip(HopfieldTransient). Errors name the parameter, never its value.
func NewHopfield(p HopfieldParams) (*Hopfield, error) {
	if err := checkHopfieldRanges(p); err != nil {
		return nil, err
	}
	return &Hopfield{w: p.W, x: p.X0, h: HopfieldStep}, nil
}

// MustNewHopfield is NewHopfield that panics on invalid parameters.
func MustNewHopfield(p HopfieldParams) *Hopfield {
	h, err := NewHopfield(p)
	if err != nil {
		panic(err)
	}
	return h
}

// State returns the current state (x_0, x_1, x_2).
func (h *Hopfield) State() [3]float64 { return h.x }

// Next advances one RK4 step and returns the new state. Pending keystream
// of FillBytes/FillWords is dropped.
func (h *Hopfield) Next() [3]float64 {
	h.x = HopfieldRK4Step(&h.w, h.x, h.h)
	h.stream.npend = 0
	return h.x
}

// Skip advances n steps (n ≤ 0 does nothing). Pending keystream of
// FillBytes/FillWords is dropped.
func (h *Hopfield) Skip(n int) {
	x := h.x
	for ; n > 0; n-- {
		x = HopfieldRK4Step(&h.w, x, h.h)
	}
	h.x = x
	h.stream.npend = 0
}

// FillBytes fills dst with keystream bytes, 12 per RK4 step: the
// little-endian bytes of Word32Of(x_0), Word32Of(x_1), Word32Of(x_2) of each
// new state. The stream is continuous across calls, and FillWords reads the
// same stream (see FillWords). It allocates nothing.
//
// Four bytes per coordinate extend the package's extraction rule safely:
// Word32Of(v) = floor(|v|·10^14) mod 2^32, and the states stay below 30 in
// magnitude (see [HopfieldMaxAbs]), well below 64, so |v|·10^14 < 2^53 is
// computed with one rounding and the spacing of float64 values times 10^14
// is below 1: every 32-bit residue is reachable and none is favoured. The
// word reads the digits of |v| between 10^-14 and 2^32·10^-14 ≈ 4.3·10^-5,
// far below the attractor's scale (≈ 1) and below the distance the state
// moves in one step (≈ 10^-2), so successive words are not visibly related.
// SOURCE: ours.
func (h *Hopfield) FillBytes(dst []byte) { h.stream.fillBytes(dst, 3, h.step) }

// FillWords fills dst with keystream words, three per RK4 step:
// Word32Of(x_0), Word32Of(x_1), Word32Of(x_2) of each new state. The stream
// is continuous across calls; it is the word stream whose bytes FillBytes
// hands out, and when FillBytes has handed out only part of a word, the
// rest of that word is skipped. It allocates nothing.
func (h *Hopfield) FillWords(dst []uint32) { h.stream.fillWords(dst, 3, h.step) }

// step advances one RK4 step and returns the new state.
func (h *Hopfield) step() []float64 {
	h.x = HopfieldRK4Step(&h.w, h.x, h.h)
	return h.x[:]
}
