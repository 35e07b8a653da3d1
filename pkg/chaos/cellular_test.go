package chaos

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
)

// TestCellularDefaultEquations: the default templates give the published
// right-hand sides, written out independently.
func TestCellularDefaultEquations(t *testing.T) {
	p := CellularDefault
	for _, x := range [][CellularDim]float64{
		{0.3, -0.2, 1.7, 0.4, -2, 5},
		{-1.5, 2, -3, 2.5, 0.1, -0.1},
		{0.9, 0.9, -0.9, -3, 1, 1},
	} {
		y4 := math.Abs(x[3]+1) - math.Abs(x[3]-1)
		want := [CellularDim]float64{
			-x[2] - x[3],
			2*x[1] + x[2],
			14*x[0] - 14*x[1],
			100*x[0] - 100*x[3] + 100*y4,
			18*x[1] - 4*x[4],
			4*x[0] - 4*x[5],
		}
		got := cellularDeriv(&p, &x)
		for j := range got {
			if !near(got[j], want[j], 1e-12) {
				t.Errorf("x = %v: dx%d/dt = %v, want %v", x, j+1, got[j], want[j])
			}
		}
		f := p.Flow()
		d := make([]float64, CellularDim)
		f.Deriv(d, x[:])
		for j := range d {
			if d[j] != got[j] {
				t.Fatal("Flow.Deriv differs from the generator's field")
			}
		}
		checkJacobian(t, f, x[:])
	}
	if cnnOut(0.25) != 0.25 || cnnOut(7) != 1 || cnnOut(-1.5) != -1 {
		t.Error("cnnOut is not ½(|v+1| − |v−1|)")
	}
}

// TestCellularSpectrum: the default has two positive exponents.
func TestCellularSpectrum(t *testing.T) {
	l, err := CellularLyapunov(CellularDefault)
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != CellularDim || !(l[0] > 0.1 && l[1] > 0.04) || math.Abs(l[2]) > 0.06 || math.Abs(l[3]+4) > 0.1 || math.Abs(l[5]+93) > 2 {
		t.Errorf("default spectrum %v, want ≈ (0.2, 0.09, 0, −4, −4, −93)", l)
	}
}

func cellularWith(mod func(*CellularParams)) CellularParams {
	p := CellularDefault
	mod(&p)
	return p
}

// TestCheckCellular: the default and other starts are accepted; chaotic
// but not hyperchaotic, resting and unbounded parameter sets are refused.
func TestCheckCellular(t *testing.T) {
	for _, x0 := range [][CellularDim]float64{{0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, {-0.5, 0.3, 0.8, -0.2, 0.6, -0.9}} {
		p := CellularDefault
		p.X0 = x0
		if err := CheckCellular(p); err != nil {
			t.Errorf("X0 = %v refused: %v", x0, err)
		}
	}
	// s22 = 2.5: one positive exponent (≈ 0.11), not hyperchaotic.
	chaotic := cellularWith(func(p *CellularParams) { p.S[1][1] = 2.5 })
	if l, err := CellularLyapunov(chaotic); err != nil || !(l[0] > 0.05) || l[1] > 0.02 {
		t.Errorf("s22 = 2.5: spectrum %v (%v), want one positive exponent", l, err)
	}
	for name, p := range map[string]CellularParams{
		"chaotic, not hyperchaotic (s22 = 2.5)": chaotic,
		"at rest (s22 = 1.5)":                   cellularWith(func(p *CellularParams) { p.S[1][1] = 1.5 }),
		"unbounded (s22 = 3.5)":                 cellularWith(func(p *CellularParams) { p.S[1][1] = 3.5 }),
	} {
		if err := CheckCellular(p); !errors.Is(err, ErrWeakKey) {
			t.Errorf("%s: CheckCellular = %v, want ErrWeakKey", name, err)
		}
	}
}

func TestCellularValidation(t *testing.T) {
	const secret = 12.3456789
	for _, c := range []struct {
		mod  func(*CellularParams)
		want string
	}{
		{func(p *CellularParams) { p.A[1][2] = math.NaN() }, "A[1][2]"},
		{func(p *CellularParams) { p.S[5][0] = math.Inf(-1) }, "S[5][0]"},
		{func(p *CellularParams) { p.S[0][0] = 1000 + secret }, "S[0][0]"},
		{func(p *CellularParams) { p.I[3] = secret }, "I[3]"},
		{func(p *CellularParams) { p.X0[4] = -secret }, "X0[4]"},
		{func(p *CellularParams) { p.X0[0] = math.NaN() }, "X0[0]"},
		{func(p *CellularParams) { p.X0 = [CellularDim]float64{} }, "origin"},
	} {
		p := CellularDefault
		c.mod(&p)
		_, err1 := NewCellular(p)
		err2 := CheckCellular(p)
		_, err3 := CellularLyapunov(p)
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
				t.Error("MustNewCellular did not panic on NaN")
			}
		}()
		MustNewCellular(cellularWith(func(p *CellularParams) { p.I[0] = math.NaN() }))
	}()
}

// TestCellularStream: chunking, words and bytes, save/restore, determinism,
// uniformity, bounds, no allocations.
func TestCellularStream(t *testing.T) {
	const n = 2400
	g := MustNewCellular(CellularDefault)
	g.Skip(100)
	saved := *g
	whole := make([]byte, n)
	g.FillBytes(whole)
	*g = saved
	chunked := make([]byte, n)
	for i, sizes := 0, []int{1, 2, 4, 5, 7, 3, 23, 24, 25, 49}; i < n; {
		k := min(sizes[i%len(sizes)], n-i)
		g.FillBytes(chunked[i : i+k])
		i += k
	}
	if string(whole) != string(chunked) {
		t.Fatal("cellular stream depends on how FillBytes is chunked")
	}
	h := saved
	x := h.Next()
	if got, want := binary.LittleEndian.Uint32(whole[20:]), Word32Of(x[5]); got != want {
		t.Errorf("bytes 20..23 = %#x, want Word32Of(x5) = %#x", got, want)
	}
	*g = saved
	words := make([]uint32, n/4)
	for i, sizes := 0, []int{1, 5, 6, 7, 13}; i < len(words); {
		k := min(sizes[i%len(sizes)], len(words)-i)
		g.FillWords(words[i : i+k])
		i += k
	}
	for i, w := range words {
		if w != binary.LittleEndian.Uint32(whole[4*i:]) {
			t.Fatalf("word %d = %#x, bytes give %#x", i, w, binary.LittleEndian.Uint32(whole[4*i:]))
		}
	}
	*g = saved
	b := make([]byte, 9)
	g.FillBytes(b)
	w := make([]uint32, 2)
	g.FillWords(w)
	if w[0] != words[3] || w[1] != words[4] {
		t.Errorf("FillWords after 9 bytes = %#x, want words 3, 4 = %#x %#x", w, words[3], words[4])
	}
	a1, a2 := make([]byte, 5000), make([]byte, 5000)
	MustNewCellular(CellularDefault).FillBytes(a1)
	MustNewCellular(CellularDefault).FillBytes(a2)
	if string(a1) != string(a2) {
		t.Fatal("not deterministic")
	}
	g = MustNewCellular(CellularDefault)
	g.Skip(CellularTransient)
	buf := make([]byte, 1<<17)
	g.FillBytes(buf)
	if c := chi2(buf); c > 370 {
		t.Errorf("cellular bytes: χ² = %.1f, not uniform", c)
	}
	var mx float64
	for i := 0; i < 100000; i++ {
		for _, v := range g.Next() {
			mx = math.Max(mx, math.Abs(v))
		}
	}
	if mx > 12 {
		t.Errorf("the default attractor reaches |x| = %v, documented < 9.6", mx)
	}
	if allocs := testing.AllocsPerRun(10, func() { g.FillBytes(buf[:4001]); g.FillWords(words[:299]) }); allocs != 0 {
		t.Errorf("FillBytes/FillWords allocate %v times per run", allocs)
	}
}
