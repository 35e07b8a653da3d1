package chaos

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
)

var hopfieldDefault = HopfieldParams{W: HopfieldW, X0: [3]float64{0.1, 0.1, 0.1}}

// hopfieldScaled returns the default with W[i][j] multiplied by f.
func hopfieldScaled(i, j int, f float64) HopfieldParams {
	p := hopfieldDefault
	p.W[i][j] *= f
	return p
}

// TestHopfieldRK4MatchesReference: an independent slice RK4 with math.Tanh.
func TestHopfieldRK4MatchesReference(t *testing.T) {
	w := HopfieldW
	f := func(x []float64) []float64 {
		d := make([]float64, 3)
		for i := range d {
			d[i] = -x[i]
			for j := range x {
				d[i] += w[i][j] * math.Tanh(x[j])
			}
		}
		return d
	}
	add := func(a, b []float64, c float64) []float64 {
		return []float64{a[0] + c*b[0], a[1] + c*b[1], a[2] + c*b[2]}
	}
	ref := []float64{0.1, -0.2, 0.3}
	x := [3]float64{0.1, -0.2, 0.3}
	h := HopfieldStep
	for s := 0; s < 300; s++ {
		k1 := f(ref)
		k2 := f(add(ref, k1, h/2))
		k3 := f(add(ref, k2, h/2))
		k4 := f(add(ref, k3, h))
		for i := range ref {
			ref[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
		x = HopfieldRK4Step(&w, x, h)
		for i := range x {
			if !near(x[i], ref[i], 1e-11) {
				t.Fatalf("step %d: %v vs reference %v", s+1, x, ref)
			}
		}
	}
}

// TestHopfieldFlow: Deriv equals the generator's field, the Jacobian equals
// central differences.
func TestHopfieldFlow(t *testing.T) {
	f := hopfieldDefault.Flow()
	x := []float64{0.3, -1.2, 2.1}
	d := make([]float64, 3)
	f.Deriv(d, x)
	if want := hopfieldDeriv(&hopfieldDefault.W, [3]float64{0.3, -1.2, 2.1}); d[0] != want[0] || d[1] != want[1] || d[2] != want[2] {
		t.Fatalf("Flow.Deriv %v, generator field %v", d, want)
	}
	checkJacobian(t, f, x)
	j1, j2, d2 := make([]float64, 9), make([]float64, 9), make([]float64, 3)
	f.Jacobian(j1, x)
	f.(derivJacobianer).derivJacobian(d2, j2, x)
	for i := range j1 {
		if j1[i] != j2[i] || (i < 3 && d[i] != d2[i]) {
			t.Fatal("derivJacobian differs from Deriv and Jacobian")
		}
	}
}

// checkJacobian compares f.Jacobian at x with central differences.
func checkJacobian(t *testing.T, f Flow, x []float64) {
	t.Helper()
	n := f.Dim()
	jac := make([]float64, n*n)
	f.Jacobian(jac, x)
	xp, xm := make([]float64, n), make([]float64, n)
	dp, dm := make([]float64, n), make([]float64, n)
	const e = 1e-6
	for k := 0; k < n; k++ {
		copy(xp, x)
		copy(xm, x)
		xp[k] += e
		xm[k] -= e
		f.Deriv(dp, xp)
		f.Deriv(dm, xm)
		for j := 0; j < n; j++ {
			if fd := (dp[j] - dm[j]) / (2 * e); math.Abs(fd-jac[j*n+k]) > 1e-6*math.Max(1, math.Abs(fd)) {
				t.Errorf("∂f_%d/∂x_%d = %v, central difference %v", j, k, jac[j*n+k], fd)
			}
		}
	}
}

// TestHopfieldSpectrum: the default network is chaotic, λ ≈ (0.05, 0, −0.52);
// with all weights scaled by 0.3 it has a stable equilibrium.
func TestHopfieldSpectrum(t *testing.T) {
	l, err := HopfieldLyapunov(hopfieldDefault)
	if err != nil {
		t.Fatal(err)
	}
	if !(l[0] > 0.03) || math.Abs(l[1]) > 0.02 || math.Abs(l[2]+0.52) > 0.03 {
		t.Errorf("default spectrum %v, want ≈ (0.05, 0, −0.52)", l)
	}
	small := hopfieldDefault
	for i := range small.W {
		for j := range small.W[i] {
			small.W[i][j] *= 0.3
		}
	}
	if l, err := HopfieldLyapunov(small); err != nil || l[0] > 0.005 {
		t.Errorf("weights ×0.3: spectrum %v (%v), want the largest ≤ 0.005", l, err)
	}
}

// TestCheckHopfield: the default and other starts are accepted; periodic,
// resting and transiently chaotic parameter sets are refused as weak keys.
func TestCheckHopfield(t *testing.T) {
	for _, x0 := range [][3]float64{{0.1, 0.1, 0.1}, {-0.7, 0.2, 0.9}, {3, -5, 1}} {
		p := hopfieldDefault
		p.X0 = x0
		if err := CheckHopfield(p); err != nil {
			t.Errorf("X0 = %v refused: %v", x0, err)
		}
	}
	small := hopfieldDefault
	for i := range small.W {
		for j := range small.W[i] {
			small.W[i][j] *= 0.3
		}
	}
	// W[1][0] ×0.90 looks chaotic for its first 250 time units, then
	// settles onto a cycle: the weak-key case.
	transient := hopfieldScaled(1, 0, 0.90)
	early, err := LyapunovSpectrum(transient.Flow(), transient.X0[:], LyapunovConfig{Step: HopfieldStep, Transient: HopfieldCheckTransient, Steps: 12500, Renorm: HopfieldRenorm})
	if err != nil || !(early[0] > HopfieldMinLyapunov) {
		t.Errorf("W[1][0]×0.90: first 250 time units give %v (%v), want them to look chaotic", early, err)
	}
	for name, p := range map[string]HopfieldParams{
		"periodic (W[0][1]×1.06)":          hopfieldScaled(0, 1, 1.06),
		"periodic (W[1][2]×0.96)":          hopfieldScaled(1, 2, 0.96),
		"transient chaos (W[1][0]×0.90)":   transient,
		"stable equilibrium (all W × 0.3)": small,
	} {
		if err := CheckHopfield(p); !errors.Is(err, ErrWeakKey) {
			t.Errorf("%s: CheckHopfield = %v, want ErrWeakKey", name, err)
		}
	}
}

func TestHopfieldValidation(t *testing.T) {
	const secret = 12.3456789
	for _, c := range []struct {
		mod  func(*HopfieldParams)
		want string
	}{
		{func(p *HopfieldParams) { p.W[1][2] = math.NaN() }, "W[1][2]"},
		{func(p *HopfieldParams) { p.W[0][0] = math.Inf(1) }, "W[0][0]"},
		{func(p *HopfieldParams) { p.W[2][1] = -secret }, "W[2][1]"},
		{func(p *HopfieldParams) { p.X0[2] = secret }, "X0[2]"},
		{func(p *HopfieldParams) { p.X0[0] = math.NaN() }, "X0[0]"},
		{func(p *HopfieldParams) { p.X0[1] = math.Inf(-1) }, "X0[1]"},
		{func(p *HopfieldParams) { p.X0 = [3]float64{} }, "equilibrium"},
	} {
		p := hopfieldDefault
		c.mod(&p)
		_, err1 := NewHopfield(p)
		err2 := CheckHopfield(p)
		_, err3 := HopfieldLyapunov(p)
		for _, err := range []error{err1, err2, err3} {
			if err == nil || !strings.Contains(err.Error(), c.want) || errors.Is(err, ErrWeakKey) {
				t.Errorf("error %v, want a range error naming %q", err, c.want)
			} else if strings.Contains(err.Error(), "12.3") {
				t.Errorf("error %q prints a key value", err)
			}
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("MustNewHopfield did not panic on NaN")
			}
		}()
		p := hopfieldDefault
		p.X0[0] = math.NaN()
		MustNewHopfield(p)
	}()
}

// TestHopfieldStream: chunking, words and bytes, save/restore, determinism,
// sensitivity, uniformity, no allocations.
func TestHopfieldStream(t *testing.T) {
	const n = 1200
	g := MustNewHopfield(hopfieldDefault)
	g.Skip(100)
	saved := *g
	whole := make([]byte, n)
	g.FillBytes(whole)
	*g = saved
	chunked := make([]byte, n)
	for i, sizes := 0, []int{1, 2, 4, 5, 7, 3, 11, 12, 13, 25}; i < n; {
		k := min(sizes[i%len(sizes)], n-i)
		g.FillBytes(chunked[i : i+k])
		i += k
	}
	if string(whole) != string(chunked) {
		t.Fatal("Hopfield stream depends on how FillBytes is chunked")
	}
	// The bytes are the little-endian words of the states.
	h := saved
	x := h.Next()
	if got, want := binary.LittleEndian.Uint32(whole[4:]), Word32Of(x[1]); got != want {
		t.Errorf("bytes 4..7 = %#x, want Word32Of(x1) = %#x", got, want)
	}
	// FillWords reads the same stream, word-aligned.
	*g = saved
	words := make([]uint32, n/4)
	for i, sizes := 0, []int{1, 2, 3, 4, 5}; i < len(words); {
		k := min(sizes[i%len(sizes)], len(words)-i)
		g.FillWords(words[i : i+k])
		i += k
	}
	for i, w := range words {
		if w != binary.LittleEndian.Uint32(whole[4*i:]) {
			t.Fatalf("word %d = %#x, bytes give %#x", i, w, binary.LittleEndian.Uint32(whole[4*i:]))
		}
	}
	// Mixed: 5 bytes (word 0 and a byte of word 1), then a word: word 2.
	*g = saved
	b5 := make([]byte, 5)
	g.FillBytes(b5)
	w1 := make([]uint32, 1)
	g.FillWords(w1)
	if w1[0] != words[2] {
		t.Errorf("FillWords after 5 bytes = %#x, want word 2 = %#x", w1[0], words[2])
	}
	// Determinism and sensitivity to a small change of X0.
	a, b := make([]byte, 3000), make([]byte, 3000)
	g1, g2 := MustNewHopfield(hopfieldDefault), MustNewHopfield(hopfieldDefault)
	g1.FillBytes(a)
	g2.FillBytes(b)
	if string(a) != string(b) {
		t.Fatal("not deterministic")
	}
	// A change of 1e-15 (about 70 ulp; a single ulp of X0[0] = 0.1 is
	// absorbed by rounding in the first steps, see HopfieldTransient).
	q := hopfieldDefault
	q.X0[0] += 1e-15
	g1, g2 = MustNewHopfield(hopfieldDefault), MustNewHopfield(q)
	g1.Skip(HopfieldTransient)
	g2.Skip(HopfieldTransient)
	wa, wb := make([]uint32, 3000), make([]uint32, 3000)
	g1.FillWords(wa)
	g2.FillWords(wb)
	same := 0
	for i := range wa {
		if wa[i]>>24 == wb[i]>>24 {
			same++
		}
	}
	if same > 40 { // 3000/256 ≈ 12 expected by chance
		t.Errorf("after the transient, a 1e-15 change of X0 leaves the top byte of %d of 3000 words equal", same)
	}
	// Uniformity of the bytes (χ² with 255 degrees of freedom, p ≈ 1e-5 at 370).
	g = MustNewHopfield(hopfieldDefault)
	g.Skip(HopfieldTransient)
	buf := make([]byte, 1<<17)
	g.FillBytes(buf)
	if c := chi2(buf); c > 370 {
		t.Errorf("Hopfield bytes: χ² = %.1f, not uniform", c)
	}
	if allocs := testing.AllocsPerRun(10, func() { g.FillBytes(buf[:4001]); g.FillWords(words[:299]) }); allocs != 0 {
		t.Errorf("FillBytes/FillWords allocate %v times per run", allocs)
	}
}

// TestHopfieldBounded: the orbit stays within the box the extraction rule
// needs, and visits both signs (it is not stuck near an equilibrium).
func TestHopfieldBounded(t *testing.T) {
	g := MustNewHopfield(hopfieldDefault)
	g.Skip(HopfieldTransient)
	var lo, hi [3]float64
	for i := 0; i < 100000; i++ {
		x := g.Next()
		for j, v := range x {
			lo[j], hi[j] = math.Min(lo[j], v), math.Max(hi[j], v)
		}
	}
	for j := range lo {
		if lo[j] < -8 || hi[j] > 8 || !(lo[j] < -0.1 && hi[j] > 0.1) {
			t.Errorf("x%d ranged over [%v, %v]", j, lo[j], hi[j])
		}
	}
}
