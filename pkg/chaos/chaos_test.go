package chaos

import (
	"math"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestLogisticKnownOrbit(t *testing.T) {
	// r = 4, x0 = 0.2: 4·0.2·0.8 = 0.64; 4·0.64·0.36 = 0.9216;
	// 4·0.9216·0.0784 = 0.28901376; 4·0.28901376·0.71098624 = 0.8219392261226496.
	m := MustNewLogistic(4, 0.2)
	for i, want := range []float64{0.64, 0.9216, 0.28901376, 0.8219392261226496} {
		if got := m.Next(); !near(got, want, 1e-14) {
			t.Fatalf("step %d: got %.17g, want %.17g", i+1, got, want)
		}
	}
	// r = 2 has the attracting fixed point 1 − 1/r = 0.5.
	m = MustNewLogistic(2, 0.1)
	m.Skip(100)
	if !near(m.State(), 0.5, 1e-12) {
		t.Errorf("r=2 orbit ends at %v, want the fixed point 0.5", m.State())
	}
}

func TestLogisticSineKnownOrbit(t *testing.T) {
	// x1 = 3.99·0.3·0.7 + 0.01·sin(0.3π)/4 = 0.8379 + 0.0025·0.80901699437494742
	//    = 0.83992254248593687 (sin(54°) = (1+√5)/4).
	m := MustNewLogisticSine(3.99, 0.3)
	if got, want := m.Next(), 0.8379+0.0025*(1+math.Sqrt(5))/4; !near(got, want, 1e-14) {
		t.Fatalf("x1 = %.17g, want %.17g", got, want)
	}
	// Further steps against the formula written independently.
	x := m.State()
	for i := 0; i < 20; i++ {
		want := math.Mod(3.99*x*(1-x)+(4-3.99)*math.Sin(math.Pi*x)/4, 1)
		got := m.Next()
		if !near(got, want, 1e-12) {
			t.Fatalf("step %d: got %.17g, want %.17g", i+2, got, want)
		}
		x = got
	}
	// At r = 4 the sine term vanishes and LSS is the Logistic map (the sum
	// never exceeds 1 except at x = 1/2).
	a, b := MustNewLogisticSine(4, 0.37), MustNewLogistic(4, 0.37)
	for i := 0; i < 30; i++ {
		if x, y := a.Next(), b.Next(); x != y {
			t.Fatalf("r=4 step %d: LSS %v != Logistic %v", i+1, x, y)
		}
	}
	// At small r the sine term dominates: x' ≈ sin(πx) for r → 0.
	s := MustNewLogisticSine(1e-9, 0.25)
	if got, want := s.Next(), math.Sin(math.Pi*0.25); !near(got, want, 1e-8) {
		t.Errorf("r≈0: got %v, want sin(π/4) = %v", got, want)
	}
}

func TestLogisticSineDegenerateGuard(t *testing.T) {
	// x0 = 1/2, r = 4: the sum is exactly 1 and 1 mod 1 = 0, the fixed point.
	if v := LogisticSineStep(4, 0.5); v != 0 {
		t.Fatalf("LogisticSineStep(4, 0.5) = %v, want 0", v)
	}
	m := MustNewLogisticSine(4, 0.5)
	x := m.Next()
	if x == 0 || m.Escapes() != 1 {
		t.Fatalf("guard did not fire: x = %v, escapes = %d", x, m.Escapes())
	}
	if want := invPhi; x != want {
		t.Errorf("re-seeded value %v, want %v", x, want)
	}
	zeros := 0
	for i := 0; i < 1000; i++ {
		if m.Next() == 0 {
			zeros++
		}
	}
	if zeros != 0 {
		t.Errorf("%d zero iterates after the guard", zeros)
	}
}

func TestMapRanges(t *testing.T) {
	for _, r := range []float64{1e-6, 0.5, 1, 2, 3, 3.57, 3.9, 3.99, 4} {
		m := MustNewLogisticSine(r, 0.123456789)
		for i := 0; i < 20000; i++ {
			if x := m.Next(); !(x >= 0 && x < 1) {
				t.Fatalf("LSS r=%v step %d: %v outside [0,1)", r, i, x)
			}
		}
		l := MustNewLogistic(r, 0.123456789)
		for i := 0; i < 20000; i++ {
			if x := l.Next(); !(x >= 0 && x <= 1) {
				t.Fatalf("Logistic r=%v step %d: %v outside [0,1]", r, i, x)
			}
		}
	}
}

func TestMapValidation(t *testing.T) {
	for _, c := range []struct {
		r, x0 float64
		want  string
	}{
		{0, 0.5, "parameter r is outside (0, 4]"},
		{-1, 0.5, "parameter r is outside"},
		{4.000001, 0.5, "(0, 4]"},
		{math.NaN(), 0.5, "parameter r is outside"},
		{3.9, 0, "x0 is outside (0, 1)"},
		{3.9, 1, "x0 is outside"},
		{3.9, math.Inf(1), "x0 is outside"},
	} {
		_, err1 := NewLogistic(c.r, c.x0)
		_, err2 := NewLogisticSine(c.r, c.x0)
		for _, err := range []error{err1, err2} {
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("r=%v x0=%v: error %v, want it to contain %q", c.r, c.x0, err, c.want)
			}
		}
	}
	if _, err := NewLogisticSine(4, 0.999); err != nil {
		t.Errorf("valid parameters rejected: %v", err)
	}
}

// rk4Ref is an independent, slice-based RK4 for the Lorenz system.
func rk4Ref(s []float64, h float64) []float64 {
	f := func(v []float64) []float64 {
		return []float64{10 * (v[1] - v[0]), v[0]*(28-v[2]) - v[1], v[0]*v[1] - 8.0/3.0*v[2]}
	}
	add := func(a, b []float64, c float64) []float64 {
		return []float64{a[0] + c*b[0], a[1] + c*b[1], a[2] + c*b[2]}
	}
	k1 := f(s)
	k2 := f(add(s, k1, h/2))
	k3 := f(add(s, k2, h/2))
	k4 := f(add(s, k3, h))
	out := make([]float64, 3)
	for i := range out {
		out[i] = s[i] + h/6*(k1[i]+2*k2[i]+2*k3[i]+k4[i])
	}
	return out
}

func TestLorenzRK4MatchesReference(t *testing.T) {
	// First step from (1, 1, 1) by hand, second-order Taylor:
	// f = (0, 26, −5/3), J·f = (260, −24.333, 30.444), so
	// s + h·f + h²/2·J·f = (1.0130, 1.25878, 0.98486); RK4 differs from it
	// by the O(h³) terms only.
	x, y, z := LorenzRK4Step(1, 1, 1, 0.01)
	if !near(x, 1.0130, 1.5e-3) || !near(y, 1.25878, 1.5e-3) || !near(z, 0.98486, 1.5e-3) {
		t.Errorf("first step (%v, %v, %v) far from the Taylor estimate (1.0130, 1.25878, 0.98486)", x, y, z)
	}
	l := MustNewLorenz(1, 1, 1)
	ref := []float64{1, 1, 1}
	for i := 0; i < 200; i++ {
		x, y, z := l.Next()
		ref = rk4Ref(ref, LorenzStep)
		if !near(x, ref[0], 1e-9) || !near(y, ref[1], 1e-9) || !near(z, ref[2], 1e-9) {
			t.Fatalf("step %d: (%v,%v,%v) vs reference %v", i+1, x, y, z, ref)
		}
	}
}

func TestLorenzFourthOrder(t *testing.T) {
	// Integrate to t = 0.5 with h, h/2 and a fine reference; the error of a
	// fourth-order method shrinks about 16× when h halves.
	run := func(h float64, n int) [3]float64 {
		x, y, z := 1.0, 1.0, 1.0
		for i := 0; i < n; i++ {
			x, y, z = LorenzRK4Step(x, y, z, h)
		}
		return [3]float64{x, y, z}
	}
	fine := run(0.5/8000, 8000)
	dist := func(a [3]float64) float64 { return math.Hypot(math.Hypot(a[0]-fine[0], a[1]-fine[1]), a[2]-fine[2]) }
	e1, e2 := dist(run(0.02, 25)), dist(run(0.01, 50))
	if ratio := e1 / e2; ratio < 12 || ratio > 20 {
		t.Errorf("error ratio for halving h = %.2f (errors %.3g, %.3g), want ≈ 16", ratio, e1, e2)
	}
}

func TestLorenzAttractor(t *testing.T) {
	l := MustNewLorenz(0.1, 0.2, 0.3)
	l.Skip(LorenzTransient)
	const n = 100000
	seen := make(map[[3]float64]bool, n)
	var sumZ float64
	var crossings int
	prevX, _, _ := l.State()
	for i := 0; i < n; i++ {
		x, y, z := l.Next()
		if math.Abs(x) > 25 || math.Abs(y) > 35 || z < 0 || z > 55 {
			t.Fatalf("step %d: (%v, %v, %v) left the attractor's bounding box", i, x, y, z)
		}
		key := [3]float64{x, y, z}
		if seen[key] {
			t.Fatalf("step %d: state repeated, the orbit is periodic", i)
		}
		seen[key] = true
		sumZ += z
		if (x > 0) != (prevX > 0) {
			crossings++
		}
		prevX = x
	}
	// The long-run mean of z on the attractor is about 23.5; the orbit
	// switches lobes irregularly, hundreds of times in 1000 time units.
	if m := sumZ / n; m < 22 || m > 25 {
		t.Errorf("mean z = %.2f, want ≈ 23.5", m)
	}
	if crossings < 200 {
		t.Errorf("only %d lobe switches in %d steps", crossings, n)
	}
}

func TestLorenzSensitivity(t *testing.T) {
	a, b := MustNewLorenz(1, 1, 1), MustNewLorenz(1+1e-10, 1, 1)
	var maxSep float64
	for i := 0; i < 5000; i++ {
		x1, y1, z1 := a.Next()
		x2, y2, z2 := b.Next()
		maxSep = math.Max(maxSep, math.Hypot(math.Hypot(x1-x2, y1-y2), z1-z2))
	}
	if maxSep < 5 {
		t.Errorf("a 1e-10 perturbation grew only to %v in 50 time units", maxSep)
	}
}

func TestLorenzValidation(t *testing.T) {
	ex, ey, ez := LorenzEquilibrium()
	for _, c := range []struct {
		x, y, z float64
		want    string
	}{
		{51, 0, 0, "x0 is outside [-50, 50]"},
		{1, -60, 0, "y0 is outside"},
		{1, 1, math.NaN(), "z0 is outside"},
		{0, 0, 10, "z-axis"},
		{ex, ey, ez, "equilibrium"},
		{-ex + 0.1, -ey, ez, "equilibrium"},
	} {
		if _, err := NewLorenz(c.x, c.y, c.z); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("(%v,%v,%v): error %v, want it to contain %q", c.x, c.y, c.z, err, c.want)
		}
	}
	if _, err := NewLorenz(-50, 50, 0); err != nil {
		t.Errorf("valid start rejected: %v", err)
	}
}

func TestByteOf(t *testing.T) {
	const oneThird = 33333333333333 % 256 // floor(1e14/3) mod 256
	for _, c := range []struct {
		v    float64
		want byte
	}{
		{0, 0},
		{math.Ldexp(1, -40), 90}, // 2^-40·1e14 = 90.949…
		{-math.Ldexp(1, -40), 90},
		{1.0 / 3, oneThird},
		{math.NaN(), 0},
		{math.Inf(-1), 0},
		{1e6, 0}, // 10^20 ≥ 2^63 takes the slow path: 10^20 mod 2^64 is a multiple of 256
	} {
		if got := ByteOf(c.v); got != c.want {
			t.Errorf("ByteOf(%v) = %d, want %d", c.v, got, c.want)
		}
	}
	if got, want := Word32Of(1.0/3), uint32(33333333333333%(1<<32)); got != want {
		t.Errorf("Word32Of(1/3) = %d, want %d", got, want)
	}
}

// chi2 returns the χ² statistic of byte counts against the uniform law.
func chi2(b []byte) float64 {
	var n [256]float64
	for _, v := range b {
		n[v]++
	}
	e := float64(len(b)) / 256
	var s float64
	for _, c := range n {
		s += (c - e) * (c - e) / e
	}
	return s
}

func TestKeystreamUniform(t *testing.T) {
	// χ² with 255 degrees of freedom: mean 255, sd ≈ 22.6; 370 is p ≈ 1e-5.
	const n = 1 << 17
	buf := make([]byte, n)
	m := MustNewLogisticSine(3.99, 0.3141592653589793)
	m.Skip(MapTransient)
	m.FillBytes(buf)
	if c := chi2(buf); c > 370 {
		t.Errorf("LSS bytes: χ² = %.1f, not uniform", c)
	}
	l := MustNewLorenz(0.1, 0.2, 0.3)
	l.Skip(LorenzTransient)
	l.FillBytes(buf)
	if c := chi2(buf); c > 370 {
		t.Errorf("Lorenz bytes: χ² = %.1f, not uniform", c)
	}
	// Bit balance of the 32-bit words' top bit (used by permutations).
	words := make([]uint32, n)
	m.FillWords(words)
	ones := 0
	for _, w := range words {
		ones += int(w >> 31)
	}
	if f := float64(ones) / n; math.Abs(f-0.5) > 0.01 {
		t.Errorf("Word32 top bit set in %.4f of words", f)
	}
}

func TestDeterminismAndChunking(t *testing.T) {
	const n = 1000
	whole := make([]byte, n)
	l := MustNewLorenz(3, -4, 20)
	l.FillBytes(whole)
	l2 := MustNewLorenz(3, -4, 20)
	chunked := make([]byte, n)
	for i, sizes := 0, []int{1, 2, 4, 5, 7, 3}; i < n; {
		k := min(sizes[i%len(sizes)], n-i)
		l2.FillBytes(chunked[i : i+k])
		i += k
	}
	if string(whole) != string(chunked) {
		t.Error("Lorenz stream depends on how FillBytes is chunked")
	}
	a, b := make([]byte, n), make([]byte, n)
	MustNewLogisticSine(3.7, 0.6).FillBytes(a)
	MustNewLogisticSine(3.7, 0.6).FillBytes(b)
	if string(a) != string(b) {
		t.Error("LSS stream is not deterministic")
	}
	MustNewLogisticSine(3.7, math.Nextafter(0.6, 1)).FillBytes(b)
	same := 0
	for i := range a[100:] {
		if a[100+i] == b[100+i] {
			same++
		}
	}
	if same > 20 {
		t.Errorf("a one-ulp change of x0 leaves %d of 900 late bytes equal", same)
	}
}

func TestNoAllocations(t *testing.T) {
	buf := make([]byte, 4096)
	words := make([]uint32, 1024)
	m := MustNewLogisticSine(3.9, 0.4)
	l := MustNewLorenz(1, 2, 3)
	if a := testing.AllocsPerRun(10, func() { m.FillBytes(buf); m.FillWords(words); l.FillBytes(buf[:4001]) }); a != 0 {
		t.Errorf("FillBytes/FillWords allocate %v times per run", a)
	}
}

// TestLogisticSineOrbitCheck: the hardening case x0 = 0.75, r = 4 is a
// fixed point (the keystream would be constant); random keys of the
// generator's range pass.
func TestLogisticSineOrbitCheck(t *testing.T) {
	if err := CheckLogisticSineOrbit(4, 0.75); err == nil || !strings.Contains(err.Error(), "period 1") {
		t.Errorf("x0 = 0.75, r = 4: %v; want a period-1 orbit", err)
	}
	for i := 0; i < 50; i++ {
		r, x0 := 3.5+0.01*float64(i), 0.05+0.018*float64(i)
		if err := CheckLogisticSineOrbit(r, x0); err != nil {
			t.Errorf("r = %g, x0 = %g: %v", r, x0, err)
		}
	}
	if err := CheckLogisticSineOrbit(5, 0.5); err == nil {
		t.Error("out-of-range r accepted")
	}
}
