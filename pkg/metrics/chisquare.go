package metrics

import (
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// ChiSquareDF is the number of degrees of freedom of the 256-bin histogram
// test of 8-bit images (16-bit images have 65535).
const ChiSquareDF = 255

// ChiSquareResult is the outcome of the χ² uniformity test of a histogram.
type ChiSquareResult struct {
	// Stat is χ² = Σ_i (O_i − E)² / E over the 2^depth grey levels, with
	// O_i the observed count and E = L/2^depth the expected count of a
	// uniform histogram.
	Stat float64
	// DF is the degrees of freedom, 2^depth − 1 (ChiSquareDF for 8 bits).
	DF int
	// PValue is P(χ²_DF ≥ Stat) = Q(DF/2, Stat/2), the regularized upper
	// incomplete gamma function.
	PValue float64
}

// Pass reports whether uniformity is not rejected at level alpha
// (PValue > alpha), i.e. Stat is below ChiSquareCritical(DF, alpha).
func (r ChiSquareResult) Pass(alpha float64) bool { return r.PValue > alpha }

// ChiSquare runs the χ² test of the grey-level histogram of g against the
// uniform distribution over its 2^depth levels (df = 2^depth − 1). A
// perfectly uniform histogram gives 0. (For 16-bit images the test needs
// many more pixels than levels to be meaningful: a 256² image expects one
// pixel per level.)
func ChiSquare(g *imageio.Gray) (ChiSquareResult, error) {
	if err := checkImage("chi-square", g); err != nil {
		return ChiSquareResult{}, err
	}
	stat := chiSquareOfHistogram(histogramOf(g), g.Len())
	df := g.Levels() - 1
	p, err := ChiSquarePValue(stat, df)
	if err != nil {
		return ChiSquareResult{}, err
	}
	return ChiSquareResult{Stat: stat, DF: df, PValue: p}, nil
}

func chiSquareOfHistogram(h []int, n int) float64 {
	e := float64(n) / float64(len(h))
	var s float64
	for _, o := range h {
		d := float64(o) - e
		s += d * d
	}
	return s / e
}

// ChiSquarePValue returns P(X ≥ stat) for X ~ χ² with df degrees of freedom.
func ChiSquarePValue(stat float64, df int) (float64, error) {
	if df <= 0 {
		return 0, fmt.Errorf("metrics: chi-square p-value needs df > 0, got %d", df)
	}
	if math.IsNaN(stat) || stat < 0 {
		return 0, fmt.Errorf("metrics: chi-square p-value needs a statistic ≥ 0, got %g", stat)
	}
	return UpperRegularizedGamma(float64(df)/2, stat/2)
}

// ChiSquareCritical returns the statistic c with P(χ²_df ≥ c) = alpha (the
// upper-tail critical value; 293.2478 for df = 255 and alpha = 0.05), found
// by bisection on ChiSquarePValue to a relative precision of about 1e-12.
func ChiSquareCritical(df int, alpha float64) (float64, error) {
	if df <= 0 {
		return 0, fmt.Errorf("metrics: chi-square critical value needs df > 0, got %d", df)
	}
	if !(alpha > 0 && alpha < 1) {
		return 0, fmt.Errorf("metrics: chi-square critical value needs 0 < alpha < 1, got %g", alpha)
	}
	lo, hi := 0.0, float64(df)+10*math.Sqrt(2*float64(df))+10
	for {
		p, _ := ChiSquarePValue(hi, df)
		if p < alpha {
			break
		}
		lo, hi = hi, 2*hi
	}
	for i := 0; i < 200 && hi-lo > 1e-12*hi; i++ {
		mid := (lo + hi) / 2
		p, _ := ChiSquarePValue(mid, df)
		if p > alpha {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2, nil
}

// Incomplete-gamma evaluation parameters.
const (
	gammaEps     = 1e-15 // relative precision of series and continued fraction
	gammaMaxIter = 10000 // more than enough for a, x up to ~1e7
	gammaTiny    = 1e-300
)

// UpperRegularizedGamma returns Q(a, x) = Γ(a, x)/Γ(a) for a > 0, x ≥ 0.
// It sums the power series of P(a, x) = 1 − Q when x < a + 1 and evaluates
// the continued fraction of Q (modified Lentz) otherwise, so that the
// returned value is the better-conditioned of the two; tiny tail
// probabilities keep their relative precision.
func UpperRegularizedGamma(a, x float64) (float64, error) {
	if !(a > 0) || math.IsInf(a, 0) {
		return 0, fmt.Errorf("metrics: incomplete gamma needs a > 0, got %g", a)
	}
	if !(x >= 0) {
		return 0, fmt.Errorf("metrics: incomplete gamma needs x ≥ 0, got %g", x)
	}
	if x == 0 {
		return 1, nil
	}
	if math.IsInf(x, 1) {
		return 0, nil
	}
	lg, _ := math.Lgamma(a)
	// logPrefix = log(x^a e^{−x} / Γ(a)).
	logPrefix := a*math.Log(x) - x - lg
	if x < a+1 {
		// P(a,x) = x^a e^{−x}/Γ(a+1) · Σ_n x^n / ((a+1)…(a+n)).
		term := 1 / a
		sum := term
		for n := 1; n < gammaMaxIter; n++ {
			term *= x / (a + float64(n))
			sum += term
			if math.Abs(term) < math.Abs(sum)*gammaEps {
				break
			}
		}
		p := sum * math.Exp(logPrefix)
		return math.Max(0, 1-p), nil
	}
	// Q(a,x) = x^a e^{−x}/Γ(a) · 1/(x+1−a− 1·(1−a)/(x+3−a− 2·(2−a)/(x+5−a− …))).
	b := x + 1 - a
	c := 1 / gammaTiny
	d := 1 / b
	f := d
	for i := 1; i < gammaMaxIter; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < gammaTiny {
			d = gammaTiny
		}
		c = b + an/c
		if math.Abs(c) < gammaTiny {
			c = gammaTiny
		}
		d = 1 / d
		delta := d * c
		f *= delta
		if math.Abs(delta-1) < gammaEps {
			break
		}
	}
	return math.Min(1, math.Exp(logPrefix)*f), nil
}
