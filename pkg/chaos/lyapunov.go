package chaos

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Flow is an autonomous ordinary differential equation dx/dt = f(x) of
// dimension Dim, with its Jacobian, as [LyapunovSpectrum] needs it.
// Implementations must be deterministic and must not retain the slices.
type Flow interface {
	// Dim returns the dimension n of the state.
	Dim() int
	// Deriv sets dst = f(x); len(dst) = len(x) = n.
	Deriv(dst, x []float64)
	// Jacobian sets dst to ∂f/∂x at x, row-major n×n:
	// dst[i*n+j] = ∂f_i/∂x_j.
	Jacobian(dst []float64, x []float64)
}

// LyapunovConfig sets up a Lyapunov-spectrum estimate. All counts are RK4
// steps of size Step.
type LyapunovConfig struct {
	Step      float64 // RK4 step h in time units, finite and > 0
	Transient int     // steps integrated (state only) and discarded before measuring, ≥ 0
	Steps     int     // steps measured, ≥ 1; the horizon is Steps·Step time units
	Renorm    int     // steps between QR re-orthonormalisations, ≥ 1
}

// Validate reports the first field of c that is out of range.
func (c LyapunovConfig) Validate() error {
	switch {
	case !(c.Step > 0) || math.IsInf(c.Step, 1):
		return errors.New("chaos: LyapunovConfig.Step must be finite and > 0")
	case c.Transient < 0:
		return errors.New("chaos: LyapunovConfig.Transient must be ≥ 0")
	case c.Steps < 1:
		return errors.New("chaos: LyapunovConfig.Steps must be ≥ 1")
	case c.Renorm < 1:
		return errors.New("chaos: LyapunovConfig.Renorm must be ≥ 1")
	}
	return nil
}

// ErrDiverged is returned (wrapped) by [LyapunovSpectrum] when the orbit or
// its tangent vectors stop being finite.
var ErrDiverged = errors.New("chaos: the orbit diverged (non-finite state)")

// LyapunovSpectrum estimates the n = f.Dim() Lyapunov exponents of the flow
// f along the orbit from x0, largest first, in 1/time units (natural log).
//
// Method (Shimada & Nagashima, Prog. Theor. Phys. 61 (1979) 1605;
// Benettin, Galgani, Giorgilli & Strelcyn, Meccanica 15 (1980) 9–30): the
// state and n tangent vectors δ_1..δ_n, started as the unit vectors, are
// integrated together by the classical RK4 method with the fixed step
// cfg.Step — the state by dx/dt = f(x), each tangent vector by the
// variational equation dδ/dt = J(x)·δ, with the same stage points. Every
// cfg.Renorm steps (and after the last step) the tangent vectors are
// re-orthonormalised by modified Gram–Schmidt, which is a QR factorisation;
// λ_i = (Σ log R_ii) / (cfg.Steps·cfg.Step). The first cfg.Transient steps
// move the state only. The estimate has a bias of order 1/horizon and a
// statistical error that shrinks like 1/√horizon; an exponent that is
// exactly 0 (the flow direction) comes out as a small number of either sign.
//
// It allocates its workspace (about 6n² floats) once and calls Deriv and
// Jacobian four times per step each. With the logarithm of this package
// (not math.Log, which is assembly on amd64) the result is identical on
// every CPU for a deterministic flow.
//
// Errors: an invalid cfg, n < 1, len(x0) ≠ n, a non-finite x0 (the messages
// name the problem, never a value: initial states are key material), and
// [ErrDiverged] when the state or a tangent vector stops being finite or a
// tangent vector collapses to zero.
func LyapunovSpectrum(f Flow, x0 []float64, cfg LyapunovConfig) ([]float64, error) {
	l, _, err := lyapunovSpectrum(f, x0, cfg, 0, 0)
	return l, err
}

// lyapunovSpectrum is LyapunovSpectrum that also returns, when tail > 0,
// the spectrum over the last tail measured steps alone (tail is rounded
// down to a multiple of cfg.Renorm and must not exceed cfg.Steps), and
// that, when maxAbs > 0, fails with errTooLarge if a coordinate of the
// state exceeds maxAbs in magnitude at the end of the transient or at a
// re-orthonormalisation.
func lyapunovSpectrum(f Flow, x0 []float64, cfg LyapunovConfig, tail int, maxAbs float64) (all, last []float64, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	n := f.Dim()
	if n < 1 {
		return nil, nil, errors.New("chaos: the flow's dimension must be ≥ 1")
	}
	if len(x0) != n {
		return nil, nil, fmt.Errorf("chaos: the initial state has %d components, the flow has dimension %d", len(x0), n)
	}
	if !allFinite(x0) {
		return nil, nil, errors.New("chaos: the initial state is not finite")
	}
	tail -= tail % cfg.Renorm
	w := newTangentRK4(f)
	copy(w.x, x0)
	for i := 0; i < n; i++ {
		w.v[i*n+i] = 1
	}
	for s := 0; s < cfg.Transient; s++ {
		w.stateStep(cfg.Step)
	}
	if !allFinite(w.x) {
		return nil, nil, ErrDiverged
	}
	if maxAbs > 0 && !allBelow(w.x, maxAbs) {
		return nil, nil, errTooLarge
	}
	sums := make([]float64, 2*n)
	sums, tailSums := sums[:n:n], sums[n:]
	for s := 1; s <= cfg.Steps; s++ {
		w.step(cfg.Step)
		if s%cfg.Renorm == 0 || s == cfg.Steps {
			inTail := tail > 0 && s > cfg.Steps-tail
			if !allFinite(w.x) || !mgsLog(w.v, n, sums, tailSums, inTail) {
				return nil, nil, ErrDiverged
			}
			if maxAbs > 0 && !allBelow(w.x, maxAbs) {
				return nil, nil, errTooLarge
			}
		}
	}
	all = finishSpectrum(sums, float64(float64(cfg.Steps)*cfg.Step))
	if tail > 0 {
		last = finishSpectrum(tailSums, float64(float64(tail)*cfg.Step))
	}
	return all, last, nil
}

// finishSpectrum divides the log sums by the horizon T and sorts them,
// largest first.
func finishSpectrum(sums []float64, T float64) []float64 {
	for i := range sums {
		sums[i] /= T
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(sums)))
	return sums
}

// derivJacobianer is implemented by flows that compute f and its Jacobian
// at the same point more cheaply together (sharing tanh evaluations). The
// results must equal those of Deriv and Jacobian.
type derivJacobianer interface {
	derivJacobian(dst, jac, x []float64)
}

// tangentRK4 is the workspace of the combined state + tangent RK4 step.
// Tangent vectors are stored as rows: δ_j = v[j*n : j*n+n].
type tangentRK4 struct {
	f                  Flow
	n                  int
	x, xs              []float64 // state, stage state
	v, vs              []float64 // tangent vectors, stage tangent vectors
	kx1, kx2, kx3, kx4 []float64
	kv1, kv2, kv3, kv4 []float64
	jac                []float64
}

func newTangentRK4(f Flow) *tangentRK4 {
	n := f.Dim()
	buf := make([]float64, 6*n+7*n*n)
	take := func(k int) []float64 { s := buf[:k:k]; buf = buf[k:]; return s }
	return &tangentRK4{
		f: f, n: n,
		x: take(n), xs: take(n), kx1: take(n), kx2: take(n), kx3: take(n), kx4: take(n),
		v: take(n * n), vs: take(n * n), kv1: take(n * n), kv2: take(n * n), kv3: take(n * n), kv4: take(n * n),
		jac: take(n * n),
	}
}

// stage evaluates kx = f(xs) and kv_j = J(xs)·vs_j.
func (w *tangentRK4) stage(kx, kv []float64) {
	n := w.n
	if dj, ok := w.f.(derivJacobianer); ok {
		dj.derivJacobian(kx, w.jac, w.xs)
	} else {
		w.f.Deriv(kx, w.xs)
		w.f.Jacobian(w.jac, w.xs)
	}
	for j := 0; j < n; j++ {
		d, out := w.vs[j*n:j*n+n], kv[j*n:j*n+n]
		for r := 0; r < n; r++ {
			row := w.jac[r*n : r*n+n]
			var s float64
			for c, a := range row {
				if a != 0 { // sparse Jacobians (cellular templates) skip most terms
					s += float64(a * d[c])
				}
			}
			out[r] = s
		}
	}
}

// axpy sets dst = x + a·y.
func axpy(dst, x []float64, a float64, y []float64) {
	for i := range dst {
		dst[i] = x[i] + float64(a*y[i])
	}
}

// rk4Combine sets x += h/6·(k1 + 2k2 + 2k3 + k4).
func rk4Combine(x []float64, h float64, k1, k2, k3, k4 []float64) {
	h6 := h / 6
	for i := range x {
		x[i] += float64(h6 * (k1[i] + float64(2*k2[i]) + float64(2*k3[i]) + k4[i]))
	}
}

// step advances the state and the tangent vectors by one RK4 step.
func (w *tangentRK4) step(h float64) {
	h2 := h / 2
	copy(w.xs, w.x)
	copy(w.vs, w.v)
	w.stage(w.kx1, w.kv1)
	axpy(w.xs, w.x, h2, w.kx1)
	axpy(w.vs, w.v, h2, w.kv1)
	w.stage(w.kx2, w.kv2)
	axpy(w.xs, w.x, h2, w.kx2)
	axpy(w.vs, w.v, h2, w.kv2)
	w.stage(w.kx3, w.kv3)
	axpy(w.xs, w.x, h, w.kx3)
	axpy(w.vs, w.v, h, w.kv3)
	w.stage(w.kx4, w.kv4)
	rk4Combine(w.x, h, w.kx1, w.kx2, w.kx3, w.kx4)
	rk4Combine(w.v, h, w.kv1, w.kv2, w.kv3, w.kv4)
}

// stateStep advances the state alone by one RK4 step.
func (w *tangentRK4) stateStep(h float64) {
	h2 := h / 2
	w.f.Deriv(w.kx1, w.x)
	axpy(w.xs, w.x, h2, w.kx1)
	w.f.Deriv(w.kx2, w.xs)
	axpy(w.xs, w.x, h2, w.kx2)
	w.f.Deriv(w.kx3, w.xs)
	axpy(w.xs, w.x, h, w.kx3)
	w.f.Deriv(w.kx4, w.xs)
	rk4Combine(w.x, h, w.kx1, w.kx2, w.kx3, w.kx4)
}

// mgsLog orthonormalises the rows of v (n vectors of length n) by modified
// Gram–Schmidt and adds log R_jj to sums[j], and to tail[j] too when inTail.
// It reports false when a norm is zero or not finite.
func mgsLog(v []float64, n int, sums, tail []float64, inTail bool) bool {
	for j := 0; j < n; j++ {
		vj := v[j*n : j*n+n]
		for i := 0; i < j; i++ {
			vi := v[i*n : i*n+n]
			var r float64
			for k := range vi {
				r += float64(vi[k] * vj[k])
			}
			for k := range vj {
				vj[k] -= float64(r * vi[k])
			}
		}
		var ss float64
		for _, a := range vj {
			ss += float64(a * a)
		}
		norm := math.Sqrt(ss)
		if !(norm > 0) || math.IsInf(norm, 0) {
			return false
		}
		l := detLog(norm)
		sums[j] += l
		if inTail {
			tail[j] += l
		}
		inv := 1 / norm
		for k := range vj {
			vj[k] = float64(vj[k] * inv)
		}
	}
	return true
}

// errTooLarge: the orbit left the box where the extraction rule is exact.
// It wraps ErrWeakKey: such parameters cannot be keys.
var errTooLarge = fmt.Errorf("%w: the orbit leaves the range where the keystream extraction is exact (|x_i| < 64)", ErrWeakKey)

// allBelow reports whether every |x_i| ≤ m.
func allBelow(x []float64, m float64) bool {
	for _, v := range x {
		if !(math.Abs(v) <= m) {
			return false
		}
	}
	return true
}

func allFinite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// LorenzFlow is the Lorenz system with the package constants
// [LorenzSigma], [LorenzRho], [LorenzBeta] as a [Flow] (dimension 3, state
// (x, y, z)), for [LyapunovSpectrum]. Its exponents are about
// (0.906, 0, −14.57), the standard values (e.g. J. C. Sprott, Chaos and
// Time-Series Analysis, Oxford 2003); this package's estimator gives
// (0.904, −0.001, −14.569) over 1000 time units from (1, 1, 1). Its Deriv
// agrees bit for bit with the field that [LorenzRK4Step] integrates.
type LorenzFlow struct{}

// Dim returns 3.
func (LorenzFlow) Dim() int { return 3 }

// Deriv sets dst to the Lorenz vector field at x.
func (LorenzFlow) Deriv(dst, x []float64) {
	dst[0], dst[1], dst[2] = lorenzDeriv(x[0], x[1], x[2])
}

// Jacobian sets dst to
//
//	[ −σ     σ   0 ]
//	[ ρ−z   −1  −x ]
//	[  y     x  −β ].
func (LorenzFlow) Jacobian(dst []float64, x []float64) {
	dst[0], dst[1], dst[2] = -LorenzSigma, LorenzSigma, 0
	dst[3], dst[4], dst[5] = LorenzRho-x[2], -1, -x[0]
	dst[6], dst[7], dst[8] = x[1], x[0], -LorenzBeta
}

// detLog returns the natural logarithm of x > 0 (fdlibm e_log.c); NaN for
// x < 0 or NaN, −Inf for 0, +Inf for +Inf.
func detLog(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		l1    = 6.666666666666735130e-01
		l2    = 3.999999999940941908e-01
		l3    = 2.857142874366239149e-01
		l4    = 2.222219843214978396e-01
		l5    = 1.818357216161805012e-01
		l6    = 1.531383769920937332e-01
		l7    = 1.479819860511658591e-01
	)
	switch {
	case x != x || math.IsInf(x, 1):
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(s2 * (l1 + float64(s4*(l3+float64(s4*(l5+float64(s4*l7)))))))
	t2 := float64(s4 * (l2 + float64(s4*(l4+float64(s4*l6)))))
	r := t1 + t2
	hfsq := float64(float64(0.5*f) * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+r)) + float64(k*ln2Lo))) - f)
}

// withoutFlowExponent returns the exponents (sorted, largest first) less
// the one nearest 0. Every bounded orbit of an autonomous flow that is not
// an equilibrium has an exponent exactly 0 (along the flow); its estimate
// scatters around 0 by the estimation noise, so a weak-key rule that looks
// for positive exponents must not count it (ours).
func withoutFlowExponent(l []float64) []float64 {
	if len(l) == 0 {
		return l
	}
	k := 0
	for i, v := range l {
		if math.Abs(v) < math.Abs(l[k]) {
			k = i
		}
	}
	out := make([]float64, 0, len(l)-1)
	out = append(out, l[:k]...)
	return append(out, l[k+1:]...)
}
