package chaos

import (
	"fmt"
	"math"
)

// Lorenz system parameters: the classical values for which the system is
// chaotic (Lorenz 1963).
const (
	LorenzSigma = 10.0
	LorenzRho   = 28.0
	LorenzBeta  = 8.0 / 3.0
)

// Lorenz integration and validation constants.
const (
	// LorenzStep is the fixed RK4 time step h.
	LorenzStep = 0.01
	// LorenzTransient is the number of RK4 steps keystream users discard
	// (30 time units) so that the orbit has settled on the attractor.
	LorenzTransient = 3000
	// LorenzMaxAbs bounds each initial coordinate: |x0|, |y0|, |z0| ≤ 50.
	LorenzMaxAbs = 50.0
	// LorenzMinAxisDistance: the z-axis (x = y = 0) is invariant and flows
	// into the origin, so max(|x0|, |y0|) must be at least this.
	LorenzMinAxisDistance = 1e-6
	// LorenzMinEquilibriumDistance: the equilibria C± are only weakly
	// unstable (growth rate ≈ 0.09 per time unit), so an orbit started very
	// close to one would still be spiralling near it after the transient.
	// Initial points must be at least this far (Euclidean) from C±.
	LorenzMinEquilibriumDistance = 0.5
)

// LorenzEquilibrium returns C+ = (√(β(ρ−1)), √(β(ρ−1)), ρ−1); C− is (−x, −y, z).
func LorenzEquilibrium() (x, y, z float64) {
	c := math.Sqrt(LorenzBeta * (LorenzRho - 1))
	return c, c, LorenzRho - 1
}

// CheckLorenzStart validates an initial point and returns an error naming
// the coordinate and the allowed range (never its value: initial points are
// key material).
func CheckLorenzStart(x0, y0, z0 float64) error {
	for _, c := range []struct {
		name string
		v    float64
	}{{"x0", x0}, {"y0", y0}, {"z0", z0}} {
		if !(math.Abs(c.v) <= LorenzMaxAbs) {
			return fmt.Errorf("chaos: Lorenz initial value %s is outside [-50, 50]", c.name)
		}
	}
	if math.Max(math.Abs(x0), math.Abs(y0)) < LorenzMinAxisDistance {
		return fmt.Errorf("chaos: the Lorenz initial point is on the z-axis: max(|x0|, |y0|) must be ≥ %g", LorenzMinAxisDistance)
	}
	ex, ey, ez := LorenzEquilibrium()
	for _, s := range []float64{1, -1} {
		if d := math.Hypot(math.Hypot(x0-s*ex, y0-s*ey), z0-ez); d < LorenzMinEquilibriumDistance {
			// Neither the distance nor which equilibrium: both are derived
			// from the key.
			return fmt.Errorf("chaos: the Lorenz initial point is within %g of an equilibrium of the system, where the orbit is not chaotic", LorenzMinEquilibriumDistance)
		}
	}
	return nil
}

// Lorenz integrates the Lorenz system
//
//	dx/dt = σ(y − x),  dy/dt = x(ρ − z) − y,  dz/dt = xy − βz
//
// with σ, ρ, β = [LorenzSigma], [LorenzRho], [LorenzBeta] by the classical
// fourth-order Runge–Kutta method with the fixed step [LorenzStep]. It is not
// safe for concurrent use.
type Lorenz struct {
	x, y, z float64
	h       float64
	// pending holds extracted bytes of the last step not yet handed out, so
	// that FillBytes is one continuous stream however it is chunked.
	pending [3]byte
	npend   int
}

// NewLorenz returns the Lorenz system started at (x0, y0, z0), validated by
// [CheckLorenzStart]. No transient is discarded; call Skip(LorenzTransient).
func NewLorenz(x0, y0, z0 float64) (*Lorenz, error) {
	if err := CheckLorenzStart(x0, y0, z0); err != nil {
		return nil, err
	}
	return &Lorenz{x: x0, y: y0, z: z0, h: LorenzStep}, nil
}

// MustNewLorenz is NewLorenz that panics on invalid parameters.
func MustNewLorenz(x0, y0, z0 float64) *Lorenz {
	l, err := NewLorenz(x0, y0, z0)
	if err != nil {
		panic(err)
	}
	return l
}

// State returns the current point.
func (l *Lorenz) State() (x, y, z float64) { return l.x, l.y, l.z }

// lorenzDeriv is the Lorenz vector field.
func lorenzDeriv(x, y, z float64) (dx, dy, dz float64) {
	dx = float64(LorenzSigma * (y - x))
	dy = float64(x*(LorenzRho-z)) - y
	dz = float64(x*y) - float64(LorenzBeta*z)
	return
}

// LorenzRK4Step returns the point one RK4 step of size h after (x, y, z).
func LorenzRK4Step(x, y, z, h float64) (float64, float64, float64) {
	h2 := h / 2
	k1x, k1y, k1z := lorenzDeriv(x, y, z)
	k2x, k2y, k2z := lorenzDeriv(x+float64(h2*k1x), y+float64(h2*k1y), z+float64(h2*k1z))
	k3x, k3y, k3z := lorenzDeriv(x+float64(h2*k2x), y+float64(h2*k2y), z+float64(h2*k2z))
	k4x, k4y, k4z := lorenzDeriv(x+float64(h*k3x), y+float64(h*k3y), z+float64(h*k3z))
	h6 := h / 6
	x += float64(h6 * (k1x + float64(2*k2x) + float64(2*k3x) + k4x))
	y += float64(h6 * (k1y + float64(2*k2y) + float64(2*k3y) + k4y))
	z += float64(h6 * (k1z + float64(2*k2z) + float64(2*k3z) + k4z))
	return x, y, z
}

// Next advances one RK4 step and returns the new point.
func (l *Lorenz) Next() (x, y, z float64) {
	l.x, l.y, l.z = LorenzRK4Step(l.x, l.y, l.z, l.h)
	return l.x, l.y, l.z
}

// Skip advances n steps (n ≤ 0 does nothing). Pending bytes of FillBytes are
// dropped.
func (l *Lorenz) Skip(n int) {
	x, y, z, h := l.x, l.y, l.z, l.h
	for ; n > 0; n-- {
		x, y, z = LorenzRK4Step(x, y, z, h)
	}
	l.x, l.y, l.z = x, y, z
	l.npend = 0
}

// FillBytes fills dst with keystream bytes, three per RK4 step in the order
// ByteOf(x), ByteOf(y), ByteOf(z) of each new point. The stream is continuous
// across calls (a step's unused bytes are kept for the next call). It
// allocates nothing.
func (l *Lorenz) FillBytes(dst []byte) {
	i := 0
	for ; l.npend > 0 && i < len(dst); i++ {
		dst[i] = l.pending[3-l.npend]
		l.npend--
	}
	x, y, z, h := l.x, l.y, l.z, l.h
	for ; i+3 <= len(dst); i += 3 {
		x, y, z = LorenzRK4Step(x, y, z, h)
		dst[i], dst[i+1], dst[i+2] = ByteOf(x), ByteOf(y), ByteOf(z)
	}
	if i < len(dst) {
		x, y, z = LorenzRK4Step(x, y, z, h)
		l.pending = [3]byte{ByteOf(x), ByteOf(y), ByteOf(z)}
		l.npend = 3
		for ; i < len(dst); i++ {
			dst[i] = l.pending[3-l.npend]
			l.npend--
		}
	}
	l.x, l.y, l.z = x, y, z
}
