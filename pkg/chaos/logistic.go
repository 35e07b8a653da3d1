package chaos

import (
	"fmt"
	"math"
)

// Parameter ranges of the one-dimensional maps.
const (
	// MaxR is the largest allowed control parameter r of the Logistic map and
	// of the Logistic-Sine system; r must lie in (0, MaxR].
	MaxR = 4.0
	// MapTransient is the number of iterations keystream users discard
	// before taking values from a one-dimensional map, so that the orbit has
	// forgotten the neighbourhood of its initial value.
	MapTransient = 1000
)

// invPhi is (√5−1)/2, used to re-seed an orbit that fell into the fixed point 0.
const invPhi = 0.6180339887498949

// checkMap validates the parameters shared by both maps.
func checkMap(name string, r, x0 float64) error {
	if !(r > 0 && r <= MaxR) {
		return fmt.Errorf("chaos: %s parameter r is outside (0, 4]", name)
	}
	if !(x0 > 0 && x0 < 1) {
		return fmt.Errorf("chaos: %s initial value x0 is outside (0, 1)", name)
	}
	return nil
}

// LogisticStep returns one iterate of the Logistic map, r·x·(1−x).
func LogisticStep(r, x float64) float64 {
	return float64(float64(r*x) * (1 - x))
}

// LogisticSineStep returns one iterate of the Logistic-Sine system of Zhou,
// Bao and Chen (2014),
//
//	x' = (r·x·(1−x) + (4−r)·sin(π·x)/4) mod 1.
//
// For x in [0, 1] and r in (0, 4] the sum lies in [0, 1], so "mod 1" only
// maps an exact 1 to 0.
func LogisticSineStep(r, x float64) float64 {
	a := float64(float64(r*x) * (1 - x))
	b := float64(float64((4-r)*detSin(float64(math.Pi*x))) / 4)
	v := a + b
	if v >= 1 || v < 0 {
		v -= math.Floor(v)
	}
	return v
}

// Logistic is the Logistic map x' = r·x·(1−x), iterated from x0. It is the
// textbook map without any guard: at r = 4 an orbit through 1/2 reaches 1 and
// then the fixed point 0 for ever. It is not safe for concurrent use.
type Logistic struct {
	r, x float64
}

// NewLogistic returns the Logistic map with control parameter r in (0, 4]
// started at x0 in (0, 1). It is chaotic for r above about 3.57.
func NewLogistic(r, x0 float64) (*Logistic, error) {
	if err := checkMap("Logistic map", r, x0); err != nil {
		return nil, err
	}
	return &Logistic{r: r, x: x0}, nil
}

// MustNewLogistic is NewLogistic that panics on invalid parameters.
func MustNewLogistic(r, x0 float64) *Logistic {
	m, err := NewLogistic(r, x0)
	if err != nil {
		panic(err)
	}
	return m
}

// R returns the control parameter.
func (m *Logistic) R() float64 { return m.r }

// State returns the current value without advancing.
func (m *Logistic) State() float64 { return m.x }

// Next advances one iteration and returns the new value, in [0, 1].
func (m *Logistic) Next() float64 {
	m.x = LogisticStep(m.r, m.x)
	return m.x
}

// Skip advances n iterations (n ≤ 0 does nothing).
func (m *Logistic) Skip(n int) {
	r, x := m.r, m.x
	for ; n > 0; n-- {
		x = LogisticStep(r, x)
	}
	m.x = x
}

// LogisticSine is the Logistic-Sine system (see [LogisticSineStep]) iterated
// from x0. It is chaotic over the whole range r in (0, 4] and its values lie
// in [0, 1). It is not safe for concurrent use.
//
// Degenerate-orbit guard: 0 is a fixed point, and floating-point rounding can
// reach it (when x is within about 5e-9 of 1/2 the sum rounds to exactly 1,
// and 1 mod 1 = 0), after which the orbit would stay at 0 and a keystream
// would be all zeros. Over the 10^5–10^6 iterations an image needs this is
// not negligible (about 10^-8 per iteration), so when an iterate is exactly 0
// the generator replaces it by frac(k·(√5−1)/2), k = 1, 2, … counting such
// events. The replacement is deterministic, so keystreams stay reproducible;
// on ordinary orbits it never fires.
type LogisticSine struct {
	r, x    float64
	escapes uint64
}

// NewLogisticSine returns the Logistic-Sine system with control parameter r
// in (0, 4] started at x0 in (0, 1).
func NewLogisticSine(r, x0 float64) (*LogisticSine, error) {
	if err := checkMap("Logistic-Sine system", r, x0); err != nil {
		return nil, err
	}
	return &LogisticSine{r: r, x: x0}, nil
}

// MustNewLogisticSine is NewLogisticSine that panics on invalid parameters.
func MustNewLogisticSine(r, x0 float64) *LogisticSine {
	m, err := NewLogisticSine(r, x0)
	if err != nil {
		panic(err)
	}
	return m
}

// R returns the control parameter.
func (m *LogisticSine) R() float64 { return m.r }

// State returns the current value without advancing.
func (m *LogisticSine) State() float64 { return m.x }

// Escapes returns how many times the degenerate-orbit guard has fired.
func (m *LogisticSine) Escapes() uint64 { return m.escapes }

// Next advances one iteration and returns the new value, in [0, 1).
func (m *LogisticSine) Next() float64 {
	x := LogisticSineStep(m.r, m.x)
	if x == 0 {
		x = m.escape()
	}
	m.x = x
	return x
}

// escape re-seeds an orbit that reached the fixed point 0.
func (m *LogisticSine) escape() float64 {
	m.escapes++
	v := float64(float64(m.escapes) * invPhi)
	v -= math.Floor(v)
	if v == 0 {
		v = invPhi
	}
	return v
}

// Skip advances n iterations (n ≤ 0 does nothing).
func (m *LogisticSine) Skip(n int) {
	for ; n > 0; n-- {
		m.Next()
	}
}

// FillBytes fills dst with one keystream byte per iteration,
// dst[i] = ByteOf(x_{i+1}). It allocates nothing.
func (m *LogisticSine) FillBytes(dst []byte) {
	for i := range dst {
		dst[i] = ByteOf(m.Next())
	}
}

// FillWords fills dst with 32 keystream bits per iteration,
// dst[i] = Word32Of(x_{i+1}). It allocates nothing.
func (m *LogisticSine) FillWords(dst []uint32) {
	for i := range dst {
		dst[i] = Word32Of(m.Next())
	}
}

// OrbitCheckSteps is how many iterations (after MapTransient) the orbit
// test of CheckLogisticSineOrbit follows.
const OrbitCheckSteps = 1 << 16

// CheckLogisticSineOrbit returns an error when the Logistic-Sine orbit of
// (r, x0) is periodic — stuck on a fixed point or on a short cycle in
// float64 arithmetic — within OrbitCheckSteps iterations after the
// MapTransient discarded ones: its keystream would repeat with that
// period (for r = 4, x0 = 0.75 it is constant: x = 0.75 is a fixed point).
// Brent's cycle detection on the exact float64 iterates; an orbit that
// reaches 0 is not reported (LogisticSine re-seeds it). Ours.
func CheckLogisticSineOrbit(r, x0 float64) error {
	if err := checkMap("Logistic-Sine system", r, x0); err != nil {
		return err
	}
	x := x0
	for i := 0; i < MapTransient; i++ {
		if x = LogisticSineStep(r, x); x == 0 {
			return nil
		}
	}
	power, lam := 1, 1
	tortoise, hare := x, LogisticSineStep(r, x)
	for steps := 1; tortoise != hare; steps++ {
		if hare == 0 || steps >= OrbitCheckSteps {
			return nil
		}
		if power == lam {
			tortoise, power, lam = hare, power*2, 0
		}
		hare = LogisticSineStep(r, hare)
		lam++
	}
	if hare == 0 {
		return nil
	}
	return fmt.Errorf("the Logistic-Sine orbit is periodic with period %d after %d iterations (the keystream would repeat every %d values)", lam, MapTransient, lam)
}
