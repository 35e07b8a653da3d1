package chaos

import "math"

// Deterministic elementary functions.
//
// math.Exp and math.Log are implemented in assembly on amd64 (where Exp
// even switches to FMA instructions when the CPU has them) and math.Exp on
// arm64, so their last bit may depend on the machine; math.Tanh calls
// math.Exp. The generators of this package need tanh inside the orbit, and
// the Lyapunov estimator needs log, so the functions below re-implement the
// fdlibm algorithms that Go's portable math code uses (Sun Microsystems'
// freely distributable fdlibm; tanh's small-argument rational function is
// Cephes's, as in Go's math.Tanh), with every product wrapped in an explicit
// float64 conversion so that no multiply-add is fused. Their results are
// within an ulp or two of math's and identical on every CPU. Only
// exactly-rounded operations (Frexp, Ldexp, Abs) are taken from math.

// detExp returns e^x (fdlibm e_exp.c): +Inf above 709.78, 0 below −745.13,
// NaN for NaN.
func detExp(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		log2e = 1.44269504088896338700e+00
		p1    = 1.66666666666666657415e-01
		p2    = -2.77777777770155933842e-03
		p3    = 6.61375632143793436117e-05
		p4    = -1.65339022054652515390e-06
		p5    = 4.13813679705723846039e-08
	)
	switch {
	case x != x:
		return x
	case x > 7.09782712893383973096e+02:
		return math.Inf(1)
	case x < -7.45133219101941108420e+02:
		return 0
	case -1.0/(1<<28) < x && x < 1.0/(1<<28):
		return 1 + x
	}
	var k int
	if x < 0 {
		k = int(float64(log2e*x) - 0.5)
	} else {
		k = int(float64(log2e*x) + 0.5)
	}
	hi := x - float64(float64(k)*ln2Hi)
	lo := float64(float64(k) * ln2Lo)
	r := hi - lo
	t := float64(r * r)
	c := r - float64(t*(p1+float64(t*(p2+float64(t*(p3+float64(t*(p4+float64(t*p5)))))))))
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	if k > -1022 && k < 1023 {
		// 2^k is a normal float64: multiplying by it is exact (and cheaper
		// than Ldexp, which also handles subnormal and overflowing results).
		return y * math.Float64frombits(uint64(k+1023)<<52)
	}
	return math.Ldexp(y, k)
}

// detTanh returns tanh(x). Cephes rational function for |x| < 0.625,
// 1 − 2/(e^{2|x|}+1) above, ±1 beyond 44.
func detTanh(x float64) float64 {
	const (
		p0 = -9.64399179425052238628e-1
		p1 = -9.92877231001918586564e1
		p2 = -1.61468768441708447952e3
		q0 = 1.12811678491632931402e2
		q1 = 2.23548839060100448583e3
		q2 = 4.84406305325125486048e3
	)
	z := math.Abs(x)
	switch {
	case z > 44:
		if x < 0 {
			return -1
		}
		return 1
	case z >= 0.625:
		s := detExp(2 * z)
		z = 1 - 2/(s+1)
		if x < 0 {
			z = -z
		}
		return z
	case x == 0:
		return x
	}
	s := float64(x * x)
	num := float64(float64(float64(p0*s)+p1)*s) + p2
	den := float64(float64(float64((s+q0)*s)+q1)*s) + q2
	return x + float64(float64(x*s)*num)/den
}

// detSin returns sin(x) for |x| < 2^29 (larger arguments, which no
// generator here uses, fall back to math.Sin). It is the Cephes algorithm of
// Go's pure-Go math.Sin — Cody–Waite reduction by π/4 split in three parts,
// then the degree-13 sine or degree-14 cosine polynomial of the octant —
// with every product rounded explicitly, so it returns exactly what
// math.Sin returns where the compiler does not fuse multiply-adds (amd64 at
// the default GOAMD64=v1), and the same value everywhere else (amd64 v3,
// arm64), where math.Sin's own result may differ in the last bit. Source:
// ours, after Moshier's Cephes sin.c and its published coefficients.
func detSin(x float64) float64 {
	const (
		pi4a = 7.85398125648498535156e-1 // π/4 in three parts
		pi4b = 3.77489470793079817668e-8
		pi4c = 2.69515142907905952645e-15
		s0   = 1.58962301576546568060e-10 // sine polynomial
		s1   = -2.50507477628578072866e-8
		s2   = 2.75573136213857245213e-6
		s3   = -1.98412698295895385996e-4
		s4   = 8.33333333332211858878e-3
		s5   = -1.66666666666666307295e-1
		c0   = -1.13585365213876817300e-11 // cosine polynomial
		c1   = 2.08757008419747316778e-9
		c2   = -2.75573141792967388112e-7
		c3   = 2.48015872888517045348e-5
		c4   = -1.38888888888730564116e-3
		c5   = 4.16666666666665929218e-2
	)
	switch {
	case x == 0 || x != x:
		return x
	case math.IsInf(x, 0):
		return math.NaN()
	case math.Abs(x) >= 1<<29:
		return math.Sin(x)
	}
	sign := false
	if x < 0 {
		x, sign = -x, true
	}
	j := uint64(float64(x * (4 / math.Pi)))
	y := float64(j)
	if j&1 == 1 {
		j++
		y++
	}
	j &= 7
	z := ((x - float64(y*pi4a)) - float64(y*pi4b)) - float64(y*pi4c)
	if j > 3 {
		sign = !sign
		j -= 4
	}
	zz := float64(z * z)
	if j == 1 || j == 2 {
		p := float64(float64(float64(float64(float64(float64(c0*zz)+c1)*zz)+c2)*zz) + c3)
		p = float64(float64(float64(p*zz)+c4)*zz) + c5
		y = (1.0 - float64(0.5*zz)) + float64(float64(zz*zz)*p)
	} else {
		p := float64(float64(float64(float64(float64(float64(s0*zz)+s1)*zz)+s2)*zz) + s3)
		p = float64(float64(float64(p*zz)+s4)*zz) + s5
		y = z + float64(float64(z*zz)*p)
	}
	if sign {
		y = -y
	}
	return y
}
