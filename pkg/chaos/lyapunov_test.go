package chaos

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// lorenzRhoFlow is the Lorenz system with a free ρ (σ, β as the package's).
type lorenzRhoFlow struct{ rho float64 }

func (lorenzRhoFlow) Dim() int { return 3 }
func (f lorenzRhoFlow) Deriv(d, x []float64) {
	d[0] = LorenzSigma * (x[1] - x[0])
	d[1] = x[0]*(f.rho-x[2]) - x[1]
	d[2] = x[0]*x[1] - LorenzBeta*x[2]
}
func (f lorenzRhoFlow) Jacobian(j, x []float64) {
	copy(j, []float64{-LorenzSigma, LorenzSigma, 0, f.rho - x[2], -1, -x[0], x[1], x[0], -LorenzBeta})
}

// blowUp is dx/dt = x², which reaches infinity at t = 1/x0.
type blowUp struct{}

func (blowUp) Dim() int                { return 1 }
func (blowUp) Deriv(d, x []float64)    { d[0] = x[0] * x[0] }
func (blowUp) Jacobian(j, x []float64) { j[0] = 2 * x[0] }

// TestLyapunovLorenz: the classical spectrum (0.906, 0, −14.57) within 5 %
// (the middle exponent, exactly 0, within the absolute tolerance 0.05), and
// the sum equal to the constant trace −(σ + 1 + β) of the Jacobian.
func TestLyapunovLorenz(t *testing.T) {
	l, err := LyapunovSpectrum(LorenzFlow{}, []float64{1, 1, 1},
		LyapunovConfig{Step: 0.01, Transient: 1000, Steps: 100000, Renorm: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 3 || !(l[0] >= l[1] && l[1] >= l[2]) {
		t.Fatalf("spectrum %v: want 3 exponents, largest first", l)
	}
	if math.Abs(l[0]-0.906) > 0.05*0.906 || math.Abs(l[1]) > 0.05 || math.Abs(l[2]+14.57) > 0.05*14.57 {
		t.Errorf("Lorenz spectrum %v, want ≈ (0.906, 0, −14.57)", l)
	}
	if sum, want := l[0]+l[1]+l[2], -(LorenzSigma + 1 + LorenzBeta); math.Abs(sum-want) > 1e-3 {
		t.Errorf("sum of exponents %v, want the trace %v", sum, want)
	}
	again, _ := LyapunovSpectrum(LorenzFlow{}, []float64{1, 1, 1},
		LyapunovConfig{Step: 0.01, Transient: 1000, Steps: 100000, Renorm: 10})
	for i := range l {
		if l[i] != again[i] {
			t.Fatalf("not deterministic: %v then %v", l, again)
		}
	}
}

// TestLyapunovNonChaotic: at ρ = 10 the Lorenz orbit spirals into C+, all
// exponents are negative.
func TestLyapunovNonChaotic(t *testing.T) {
	l, err := LyapunovSpectrum(lorenzRhoFlow{rho: 10}, []float64{1, 1, 1},
		LyapunovConfig{Step: 0.01, Transient: 1000, Steps: 20000, Renorm: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !(l[0] <= -0.1) { // measured −0.596
		t.Errorf("ρ = 10: largest exponent %v, want clearly negative (≤ −0.1: a stable equilibrium)", l[0])
	}
	// The generic flow at ρ = 28 agrees with LorenzFlow.
	a, _ := LyapunovSpectrum(lorenzRhoFlow{rho: LorenzRho}, []float64{1, 1, 1}, LyapunovConfig{Step: 0.01, Steps: 30000, Renorm: 5})
	b, _ := LyapunovSpectrum(LorenzFlow{}, []float64{1, 1, 1}, LyapunovConfig{Step: 0.01, Steps: 30000, Renorm: 5})
	if math.Abs(a[0]-b[0]) > 0.05 {
		t.Errorf("generic Lorenz flow %v vs LorenzFlow %v", a, b)
	}
}

func TestLyapunovErrors(t *testing.T) {
	ok := LyapunovConfig{Step: 0.01, Steps: 10, Renorm: 1}
	for _, c := range []struct {
		cfg  LyapunovConfig
		x0   []float64
		want string
	}{
		{LyapunovConfig{Step: 0, Steps: 10, Renorm: 1}, []float64{1, 1, 1}, "Step"},
		{LyapunovConfig{Step: math.NaN(), Steps: 10, Renorm: 1}, []float64{1, 1, 1}, "Step"},
		{LyapunovConfig{Step: math.Inf(1), Steps: 10, Renorm: 1}, []float64{1, 1, 1}, "Step"},
		{LyapunovConfig{Step: 0.01, Transient: -1, Steps: 10, Renorm: 1}, []float64{1, 1, 1}, "Transient"},
		{LyapunovConfig{Step: 0.01, Steps: 0, Renorm: 1}, []float64{1, 1, 1}, "Steps"},
		{LyapunovConfig{Step: 0.01, Steps: 10, Renorm: 0}, []float64{1, 1, 1}, "Renorm"},
		{ok, []float64{1, 1}, "2 components"},
		{ok, []float64{1, math.NaN(), 1}, "not finite"},
		{ok, []float64{1, 1, math.Inf(-1)}, "not finite"},
	} {
		if _, err := LyapunovSpectrum(LorenzFlow{}, c.x0, c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v %v: error %v, want it to mention %q", c.cfg, c.x0, err, c.want)
		}
	}
	// dx/dt = x² from 1 blows up at t = 1.
	if _, err := LyapunovSpectrum(blowUp{}, []float64{1}, LyapunovConfig{Step: 0.01, Steps: 200, Renorm: 10}); !errors.Is(err, ErrDiverged) {
		t.Errorf("blow-up: error %v, want ErrDiverged", err)
	}
	if _, err := LyapunovSpectrum(blowUp{}, []float64{1}, LyapunovConfig{Step: 0.01, Transient: 200, Steps: 1, Renorm: 1}); !errors.Is(err, ErrDiverged) {
		t.Errorf("blow-up in the transient: error %v, want ErrDiverged", err)
	}
}

// TestLyapunovLinear: for dx/dt = Mx with M = diag(0.3, −1) the exponents
// are exactly the eigenvalues; RK4's amplification factor per step gives
// log(R(h·λ))/h, within 1e-9 of λ for h = 0.01.
func TestLyapunovLinear(t *testing.T) {
	l, err := LyapunovSpectrum(diagFlow{0.3, -1}, []float64{1, 1}, LyapunovConfig{Step: 0.01, Steps: 1000, Renorm: 7})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(l[0]-0.3) > 1e-9 || math.Abs(l[1]+1) > 1e-9 {
		t.Errorf("diag(0.3, −1): %v", l)
	}
}

type diagFlow []float64

func (d diagFlow) Dim() int { return len(d) }
func (d diagFlow) Deriv(dst, x []float64) {
	for i := range d {
		dst[i] = d[i] * x[i]
	}
}
func (d diagFlow) Jacobian(j, x []float64) {
	for i := range j {
		j[i] = 0
	}
	for i := range d {
		j[i*len(d)+i] = d[i]
	}
}

func TestDetLog(t *testing.T) {
	for _, x := range []float64{1e-300, 1e-5, 0.3, 0.7071, 1, 1.5, 2, math.E, 10, 1e10, 1e300} {
		if u := ulps(detLog(x), math.Log(x)); u > 2 {
			t.Errorf("detLog(%g) = %v, math.Log %v (%g ulp)", x, detLog(x), math.Log(x), u)
		}
	}
	if detLog(1) != 0 || !math.IsInf(detLog(0), -1) || !math.IsNaN(detLog(-1)) || !math.IsInf(detLog(math.Inf(1)), 1) {
		t.Error("detLog special cases")
	}
}

func TestWithoutFlowExponent(t *testing.T) {
	for _, c := range []struct{ in, want []float64 }{
		{[]float64{0.05, -0.001, -0.5}, []float64{0.05, -0.5}},     // chaos: the zero one goes
		{[]float64{0.2, 0.09, 0.01, -4}, []float64{0.2, 0.09, -4}}, // hyperchaos
		{[]float64{0.012, -0.1, -0.5}, []float64{-0.1, -0.5}},      // a cycle: its noisy zero exponent is not chaos
		{[]float64{-0.6, -0.6, -14}, []float64{-0.6, -14}},         // an equilibrium: still nothing positive
		{nil, nil},
	} {
		if got := withoutFlowExponent(c.in); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("withoutFlowExponent(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
