package chaos

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps returns the distance between a and b in units in the last place.
func ulps(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Abs(math.Nextafter(b, math.Inf(1))-b)
}

func TestDetExpTanhAgreeWithMath(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	worstE, worstT := 0.0, 0.0
	for i := range 200000 {
		x := (rng.Float64()*2 - 1) * math.Pow(10, float64(i%6)-3) * 7 // |x| from 1e-3·7 to 700
		if u := ulps(detExp(x), math.Exp(x)); u > worstE {
			worstE = u
		}
		y := x / 10
		if u := ulps(detTanh(y), math.Tanh(y)); u > worstT {
			worstT = u
		}
	}
	if worstE > 2 || worstT > 2 { // each within an ulp of the true value, so at most two apart
		t.Errorf("worst error against package math: exp %g ulp (want ≤ 2), tanh %g ulp (want ≤ 2)", worstE, worstT)
	}
	for _, c := range []struct{ got, want float64 }{
		{detExp(0), 1}, {detExp(1), math.E}, {detExp(800), math.Inf(1)}, {detExp(-800), 0},
		{detExp(math.Inf(-1)), 0}, {detTanh(0), 0}, {detTanh(50), 1}, {detTanh(-50), -1},
		{detTanh(math.Inf(1)), 1},
	} {
		if c.got != c.want {
			t.Errorf("got %v, want %v", c.got, c.want)
		}
	}
	if !math.IsNaN(detExp(math.NaN())) || !math.IsNaN(detTanh(math.NaN())) {
		t.Error("NaN not propagated")
	}
	if math.Signbit(detTanh(math.Copysign(0, -1))) != true {
		t.Error("tanh(−0) lost its sign")
	}
}

func TestDetSin(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	worst := 0.0
	for i := range 200000 {
		x := rng.Float64() * math.Pi // the Logistic-Sine map's arguments
		if i%4 == 0 {
			x = (rng.Float64()*2 - 1) * 1e6 // other octants and signs
		}
		if u := ulps(detSin(x), math.Sin(x)); u > worst {
			worst = u
		}
	}
	if worst > 1 {
		t.Errorf("detSin differs from math.Sin by %g ulp, want ≤ 1 (the same algorithm; math.Sin may be fused)", worst)
	}
	for _, c := range []struct{ x, want float64 }{{0, 0}, {math.Pi / 2, 1}, {-math.Pi / 2, -1}} {
		if got := detSin(c.x); math.Abs(got-c.want) > 1e-16 {
			t.Errorf("detSin(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if !math.IsNaN(detSin(math.Inf(1))) || !math.IsNaN(detSin(math.NaN())) || detSin(1e30) != math.Sin(1e30) {
		t.Error("special cases")
	}
}
