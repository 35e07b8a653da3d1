package metrics

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

func TestEntropy(t *testing.T) {
	// 16×16 image holding every level once: histogram exactly uniform.
	uni := imageio.NewGray(16, 16)
	for i := range uni.Pix {
		uni.Pix[i] = uint8(i)
	}
	if e, err := Entropy(uni); err != nil || e != 8 {
		t.Errorf("Entropy(uniform) = %v, %v; want exactly 8", e, err)
	}
	// 256×256, each level 256 times, in scrambled order.
	big := imageio.NewGray(256, 256)
	for i := range big.Pix {
		big.Pix[i] = uint8(i*37 + i/256)
	}
	if e, err := Entropy(big); err != nil || e != 8 {
		t.Errorf("Entropy(uniform 256²) = %v, %v; want exactly 8", e, err)
	}
	if e, err := Entropy(constImage(7, 5, 42)); err != nil || e != 0 {
		t.Errorf("Entropy(constant) = %v, %v; want 0", e, err)
	}
	// Two equally likely levels: 1 bit. Four levels with p = 1/2,1/4,1/8,1/8: 1.75 bits.
	if e, _ := Entropy(grayOf(2, 1, 3, 200)); e != 1 {
		t.Errorf("Entropy(two levels) = %v, want 1", e)
	}
	if e, _ := Entropy(grayOf(8, 1, 1, 1, 1, 1, 2, 2, 3, 4)); math.Abs(e-1.75) > 1e-15 {
		t.Errorf("Entropy(1/2,1/4,1/8,1/8) = %v, want 1.75", e)
	}
	h, err := Histogram(grayOf(3, 1, 5, 5, 9))
	if err != nil || h[5] != 2 || h[9] != 1 || h[0] != 0 {
		t.Errorf("Histogram = %v, %v", h[:10], err)
	}
}

func TestLocalEntropy(t *testing.T) {
	g := noiseImage(512, 512, 7)
	r, err := LocalEntropy(g, 99)
	if err != nil {
		t.Fatal(err)
	}
	if r.Used != LocalEntropyBlocks || r.Requested != LocalEntropyBlocks || r.Reduced || r.Note != "" {
		t.Errorf("512² image: used %d of %d, reduced %v, note %q", r.Used, r.Requested, r.Reduced, r.Note)
	}
	// Blocks lie inside, do not overlap, and the mean is the mean of their entropies.
	var sum float64
	for i, p := range r.Blocks {
		if p.X < 0 || p.Y < 0 || p.X+LocalEntropyBlockSize > 512 || p.Y+LocalEntropyBlockSize > 512 {
			t.Fatalf("block %v outside the image", p)
		}
		for _, q := range r.Blocks[:i] {
			if abs(p.X-q.X) < LocalEntropyBlockSize && abs(p.Y-q.Y) < LocalEntropyBlockSize {
				t.Fatalf("blocks %v and %v overlap", p, q)
			}
		}
		sub, err := g.SubImage(p.X, p.Y, LocalEntropyBlockSize, LocalEntropyBlockSize)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := Entropy(sub)
		sum += e
	}
	near(t, "local entropy mean", r.Mean, sum/float64(r.Used), 1e-12)
	// Random blocks of 1936 pixels: entropy ≈ 7.9025 (Wu et al. 2013).
	if r.Mean < 7.89 || r.Mean > 7.915 {
		t.Errorf("local entropy of noise = %v, want ≈ 7.9025", r.Mean)
	}
	// Determinism and seed dependence.
	r2, _ := LocalEntropy(g, 99)
	r3, _ := LocalEntropy(g, 100)
	if !slices.Equal(r.Blocks, r2.Blocks) || r.Mean != r2.Mean {
		t.Error("same seed gave different blocks")
	}
	if slices.Equal(r.Blocks, r3.Blocks) {
		t.Error("different seeds gave the same blocks")
	}

	// 256² holds only 5×5 = 25 non-overlapping 44² blocks.
	r, err = LocalEntropy(noiseImage(256, 256, 1), 1)
	if err != nil || r.Used != 25 || !r.Reduced || !strings.Contains(r.Note, "25") {
		t.Errorf("256²: %+v, %v; want 25 blocks, reduced, with a note", r, err)
	}
	if r, _ := LocalEntropy(constImage(100, 50, 3), 1); r.Mean != 0 || r.Used != 2 {
		t.Errorf("constant 100×50: mean %v used %d; want 0 and 2", r.Mean, r.Used)
	}
	if _, err := LocalEntropy(noiseImage(43, 100, 1), 1); err == nil {
		t.Error("43×100 image: want an error (smaller than one block)")
	}
	if _, err := LocalEntropyWith(g, 0, 44, 1); err == nil {
		t.Error("0 blocks: want an error")
	}
	if _, err := LocalEntropyWith(g, 3, 0, 1); err == nil {
		t.Error("block size 0: want an error")
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestNPCRUACI(t *testing.T) {
	a := noiseImage(31, 17, 3)
	b := a.Clone()
	for i := range b.Pix {
		if a.Pix[i] < 128 {
			a.Pix[i] = 0
		} else {
			a.Pix[i] = 255
		}
		b.Pix[i] = 255 - a.Pix[i]
	}
	d, err := NPCRUACI(a, b)
	if err != nil || d.NPCR != 100 || d.UACI != 100 {
		t.Errorf("images differing by 255 everywhere: %+v, %v; want 100, 100", d, err)
	}
	if d, _ := NPCRUACI(a, a.Clone()); d.NPCR != 0 || d.UACI != 0 {
		t.Errorf("identical images: %+v; want 0, 0", d)
	}
	d, _ = NPCRUACI(grayOf(2, 2, 0, 0, 7, 255), grayOf(2, 2, 0, 10, 7, 0))
	near(t, "NPCR hand case", d.NPCR, 50, 1e-12)
	near(t, "UACI hand case", d.UACI, 100*265.0/(255*4), 1e-12)
	// Symmetric in its arguments, and KeySensitivity is the same measure.
	x, y := noiseImage(40, 30, 1), noiseImage(40, 30, 2)
	d1, _ := NPCRUACI(x, y)
	d2, _ := KeySensitivity(y, x)
	if d1 != d2 {
		t.Errorf("NPCRUACI(x,y) = %+v, KeySensitivity(y,x) = %+v", d1, d2)
	}
	// Two independent noise images: NPCR ≈ 99.61 %, UACI ≈ 33.46 %.
	x, y = noiseImage(256, 256, 11), noiseImage(256, 256, 12)
	d, _ = NPCRUACI(x, y)
	if math.Abs(d.NPCR-99.609) > 0.1 || math.Abs(d.UACI-33.46) > 0.4 {
		t.Errorf("noise pair: %+v, want ≈ 99.61, 33.46", d)
	}
	if w, _ := WuTest(d, 256, 256, Alpha001); !w.Pass() {
		t.Errorf("noise pair fails Wu's test at 0.001: %+v", w)
	}
}

func TestWuCriticalValues(t *testing.T) {
	// Wu, Noonan & Agaian (2011), Tables for 256×256 (percent).
	for _, c := range []struct{ alpha, npcr, lo, hi float64 }{
		{0.05, 99.5693, 33.2824, 33.6447},
		{0.01, 99.5527, 33.2255, 33.7016},
		{0.001, 99.5341, 33.1594, 33.7677},
	} {
		w, err := WuCriticalValues(256, 256, c.alpha)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "N* 256²", w.NPCR, c.npcr, 1e-4)
		near(t, "U*- 256²", w.UACILow, c.lo, 1e-4)
		near(t, "U*+ 256²", w.UACIHigh, c.hi, 1e-4)
		if w.L != 65536 || w.Alpha != c.alpha {
			t.Errorf("WuCritical = %+v", w)
		}
	}
	// 512×512 at 0.05 (Wu et al.): N* = 99.5893 %, [33.3730 %, 33.5541 %].
	w, _ := WuCriticalValues(512, 512, 0.05)
	near(t, "N* 512²", w.NPCR, 99.5893, 1e-4)
	near(t, "U*- 512²", w.UACILow, 33.3730, 1e-4)
	near(t, "U*+ 512²", w.UACIHigh, 33.5541, 1e-4)

	for _, bad := range []struct {
		w, h  int
		alpha float64
	}{{0, 5, 0.05}, {5, -1, 0.05}, {5, 5, 0}, {5, 5, 1}, {5, 5, math.NaN()}} {
		if _, err := WuCriticalValues(bad.w, bad.h, bad.alpha); err == nil {
			t.Errorf("WuCriticalValues(%d, %d, %v): want an error", bad.w, bad.h, bad.alpha)
		}
	}
	r, _ := WuTest(Differential{NPCR: 99.60, UACI: 33.46}, 256, 256, Alpha05)
	if !r.NPCRPass || !r.UACIPass || !r.Pass() {
		t.Errorf("ideal values fail: %+v", r)
	}
	r, _ = WuTest(Differential{NPCR: 99.55, UACI: 33.70}, 256, 256, Alpha05)
	if r.NPCRPass || r.UACIPass || r.Pass() {
		t.Errorf("99.55/33.70 at 0.05 should fail both: %+v", r)
	}
	r, _ = WuTest(Differential{NPCR: 99.55, UACI: 33.70}, 256, 256, Alpha001)
	if !r.NPCRPass || !r.UACIPass {
		t.Errorf("99.55/33.70 at 0.001 should pass both: %+v", r)
	}
	r, _ = WuTest(Differential{NPCR: math.NaN(), UACI: math.NaN()}, 256, 256, Alpha05)
	if r.NPCRPass || r.UACIPass {
		t.Errorf("NaN passes: %+v", r)
	}
}

// naiveCorrelation is a two-pass float64 Pearson reference over all pairs.
func naiveCorrelation(g *imageio.Gray, dx, dy int) float64 {
	var xs, ys []float64
	for y := 0; y+dy < g.Height; y++ {
		for x := 0; x+dx < g.Width; x++ {
			xs = append(xs, float64(g.Sample(y*g.Width+x)))
			ys = append(ys, float64(g.Sample((y+dy)*g.Width+x+dx)))
		}
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(len(xs))
	my /= float64(len(ys))
	var sxy, sxx, syy float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func TestCorrelations(t *testing.T) {
	// Horizontal ramp: every horizontal pair is (v, v+1): r = 1.
	ramp := imageio.NewGray(200, 7)
	for y := 0; y < 7; y++ {
		for x := 0; x < 200; x++ {
			ramp.Set(x, y, uint8(x+y))
		}
	}
	c, err := Correlations(ramp)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "ramp H", c.H, 1, 1e-12)
	near(t, "ramp V", c.V, 1, 1e-12)
	near(t, "ramp D", c.D, 1, 1e-12)
	// Checkerboard of 0/255: H = V = −1, D = +1.
	cb := imageio.NewGray(9, 6)
	for y := 0; y < 6; y++ {
		for x := 0; x < 9; x++ {
			cb.Set(x, y, uint8(255*((x+y)%2)))
		}
	}
	c, _ = Correlations(cb)
	near(t, "checker H", c.H, -1, 1e-12)
	near(t, "checker V", c.V, -1, 1e-12)
	near(t, "checker D", c.D, 1, 1e-12)
	// Hand case, 3×2 image [[1 2 4] [3 3 9]]: horizontal pairs (1,2),(2,4),(3,3),(3,9).
	// x̄ = 9/4, ȳ = 18/4; Σdxdy = 5.5, Σdx² = 2.75, Σdy² = 29 → r = 5.5/√(2.75·29).
	hand := grayOf(3, 2, 1, 2, 4, 3, 3, 9)
	c, _ = Correlations(hand)
	near(t, "hand H", c.H, 5.5/math.Sqrt(2.75*29), 1e-12)
	// Random and smooth images against the naive reference.
	for _, g := range []*imageio.Gray{noiseImage(37, 53, 5), smoothImage(64, 41, 5), hand} {
		c, _ := Correlations(g)
		for _, dir := range Directions {
			dx, dy, _ := dir.offset()
			near(t, dir.String(), c.Get(dir), naiveCorrelation(g, dx, dy), 1e-12)
			one, err := Correlation(g, dir)
			if err != nil || one != c.Get(dir) {
				t.Errorf("Correlation(%v) = %v, %v; want %v", dir, one, err, c.Get(dir))
			}
		}
	}
	// Undefined cases are NaN: constant image, no pairs.
	c, _ = Correlations(constImage(10, 10, 9))
	if !math.IsNaN(c.H) || !math.IsNaN(c.V) || !math.IsNaN(c.D) {
		t.Errorf("constant image: %+v, want NaN", c)
	}
	c, _ = Correlations(grayOf(1, 3, 1, 5, 2))
	if !math.IsNaN(c.H) || !math.IsNaN(c.D) || math.IsNaN(c.V) {
		t.Errorf("1×3 image: %+v, want H, D NaN and V defined", c)
	}
	if _, err := Correlation(ramp, Direction(7)); err == nil {
		t.Error("unknown direction: want an error")
	}
}

func TestAdjacentPairs(t *testing.T) {
	g := imageio.NewGray(12, 10) // pixel value = raster index: identifies the position
	for i := range g.Pix {
		g.Pix[i] = uint8(i)
	}
	all, err := AdjacentPairs(g, Diagonal, 1000, 1)
	if err != nil || len(all) != 11*9 {
		t.Fatalf("all diagonal pairs: %d, %v; want 99", len(all), err)
	}
	if all[0] != (Pair{0, 13}) || all[len(all)-1] != (Pair{106, 119}) {
		t.Errorf("diagonal pairs start %v end %v", all[0], all[len(all)-1])
	}
	s, err := AdjacentPairs(g, Horizontal, 40, 5)
	if err != nil || len(s) != 40 {
		t.Fatalf("sample: %d, %v", len(s), err)
	}
	seen := map[int]bool{}
	for _, p := range s {
		if p.Y != p.X+1 || int(p.X)%12 == 11 || seen[p.X] {
			t.Errorf("bad or repeated horizontal pair %v", p)
		}
		seen[p.X] = true
	}
	s2, _ := AdjacentPairs(g, Horizontal, 40, 5)
	s3, _ := AdjacentPairs(g, Horizontal, 40, 6)
	if !slices.Equal(s, s2) || slices.Equal(s, s3) {
		t.Error("sampling is not a deterministic function of the seed")
	}
	v, _ := AdjacentPairs(g, Vertical, 3, 5)
	for _, p := range v {
		if p.Y != p.X+12 {
			t.Errorf("bad vertical pair %v", p)
		}
	}
	if p, err := AdjacentPairs(grayOf(1, 2, 1, 2), Horizontal, 5, 1); err != nil || len(p) != 0 {
		t.Errorf("1-wide image: %v, %v; want no pairs", p, err)
	}
	if _, err := AdjacentPairs(g, Horizontal, -1, 1); err == nil {
		t.Error("negative n: want an error")
	}
	if _, err := AdjacentPairs(g, Direction(-1), 1, 1); err == nil {
		t.Error("bad direction: want an error")
	}
}

func TestChiSquare(t *testing.T) {
	uni := imageio.NewGray(64, 32) // each level 8 times
	for i := range uni.Pix {
		uni.Pix[i] = uint8(i)
	}
	r, err := ChiSquare(uni)
	if err != nil || r.Stat != 0 || r.DF != 255 || r.PValue != 1 {
		t.Errorf("uniform: %+v, %v; want 0, df 255, p 1", r, err)
	}
	// Constant image of L pixels: ((L−E)² + 255E²)/E = 255·L.
	r, _ = ChiSquare(constImage(20, 10, 77))
	near(t, "chi2 constant", r.Stat, 255*200, 1e-9)
	if r.Pass(0.05) {
		t.Error("constant image passes the chi-square test")
	}
	// Hand case: 512 pixels (E = 2), every level twice, then pixels 2, 3
	// (level 1) and 5 (level 2) set to 0: counts 5, 0, 1, 2, 2, …
	// χ² = ((5−2)² + (0−2)² + (1−2)²)/2 = 7.
	pix := make([]uint8, 512)
	for i := range pix {
		pix[i] = uint8(i / 2)
	}
	pix[2], pix[3], pix[5] = 0, 0, 0
	r, _ = ChiSquare(grayOf(512, 1, pix...))
	near(t, "chi2 hand", r.Stat, 7, 1e-12)
	wantP, _ := ChiSquarePValue(7, 255)
	if r.PValue != wantP || !r.Pass(0.05) {
		t.Errorf("hand case p-value %v, want %v and a pass", r.PValue, wantP)
	}
}

func TestUpperRegularizedGamma(t *testing.T) {
	// Reference values from scipy 1.10 (chi2.sf, gammaincc).
	for _, c := range []struct {
		stat float64
		df   int
		want float64
	}{
		{293.2478, 255, 0.05000014600551991},
		{255, 255, 0.48822252177040637},
		{1000, 255, 9.37847734365788e-89},
		{3, 1, 0.08326451666355042},
		{10, 4, 0.04042768199451279},
		{0.5, 255, 1},
	} {
		p, err := ChiSquarePValue(c.stat, c.df)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(p-c.want) > 1e-11*c.want+1e-300 {
			t.Errorf("ChiSquarePValue(%v, %d) = %.17g, want %.17g", c.stat, c.df, p, c.want)
		}
	}
	for _, c := range []struct{ a, x, want float64 }{
		{0.5, 0.01, 0.887537083981715},
		{100, 90, 0.84177901081357},
		{1, 2.5, math.Exp(-2.5)},
		{0.5, 7, math.Erfc(math.Sqrt(7))},
		{3, 0, 1},
	} {
		q, err := UpperRegularizedGamma(c.a, c.x)
		if err != nil || math.Abs(q-c.want) > 1e-12*c.want {
			t.Errorf("Q(%v, %v) = %.17g, %v; want %.17g", c.a, c.x, q, err, c.want)
		}
	}
	crit, err := ChiSquareCritical(255, 0.05)
	near(t, "chi2 critical 255, 0.05", crit, 293.2478350807012, 1e-6)
	if err != nil {
		t.Error(err)
	}
	for _, bad := range [][2]float64{{0, 1}, {-1, 1}, {1, -1}, {1, math.NaN()}, {math.Inf(1), 1}} {
		if _, err := UpperRegularizedGamma(bad[0], bad[1]); err == nil {
			t.Errorf("Q(%v, %v): want an error", bad[0], bad[1])
		}
	}
	if _, err := ChiSquarePValue(-1, 3); err == nil {
		t.Error("negative statistic: want an error")
	}
	if _, err := ChiSquarePValue(1, 0); err == nil {
		t.Error("df 0: want an error")
	}
	if _, err := ChiSquareCritical(255, 1.5); err == nil {
		t.Error("alpha 1.5: want an error")
	}
}

func TestPSNR(t *testing.T) {
	a := grayOf(2, 2, 10, 20, 30, 40)
	b := grayOf(2, 2, 10, 20, 30, 50) // one error of 10 → MSE = 100/4 = 25
	m, err := MSE(a, b)
	if err != nil || m != 25 {
		t.Errorf("MSE = %v, %v; want 25", m, err)
	}
	p, _ := PSNR(a, b)
	near(t, "PSNR(MSE 25)", p, 10*math.Log10(255*255/25.0), 1e-12)
	near(t, "PSNR(MSE 25) value", p, 34.151403521958725, 1e-9)
	if p, _ := PSNR(a, a.Clone()); !math.IsInf(p, 1) {
		t.Errorf("PSNR(identical) = %v, want +Inf", p)
	}
	// Maximal error everywhere: MSE = 255², PSNR = 0 dB.
	if p, _ := PSNR(constImage(3, 3, 0), constImage(3, 3, 255)); p != 0 {
		t.Errorf("PSNR(0 vs 255) = %v, want 0", p)
	}
}

// naiveSSIM evaluates Wang's definition directly with the 2-D window.
func naiveSSIM(a, b *imageio.Gray) float64 {
	k := ssimKernel()
	l := float64(a.MaxValue())
	c1, c2 := (0.01*l)*(0.01*l), (0.03*l)*(0.03*l)
	at := func(g *imageio.Gray, x, y int) float64 { return float64(g.Sample(y*g.Width + x)) }
	var total float64
	n := 0
	for y0 := 0; y0+11 <= a.Height; y0++ {
		for x0 := 0; x0+11 <= a.Width; x0++ {
			var mx, my float64
			for i := 0; i < 11; i++ {
				for j := 0; j < 11; j++ {
					w := k[i] * k[j]
					mx += w * at(a, x0+j, y0+i)
					my += w * at(b, x0+j, y0+i)
				}
			}
			var vx, vy, cxy float64
			for i := 0; i < 11; i++ {
				for j := 0; j < 11; j++ {
					w := k[i] * k[j]
					dx, dy := at(a, x0+j, y0+i)-mx, at(b, x0+j, y0+i)-my
					vx += w * dx * dx
					vy += w * dy * dy
					cxy += w * dx * dy
				}
			}
			total += (2*mx*my + c1) * (2*cxy + c2) / ((mx*mx + my*my + c1) * (vx + vy + c2))
			n++
		}
	}
	return total / float64(n)
}

func TestSSIM(t *testing.T) {
	x := smoothImage(40, 23, 3)
	if s, err := SSIM(x, x.Clone()); err != nil || math.Abs(s-1) > 1e-12 {
		t.Errorf("SSIM(x, x) = %v, %v; want 1", s, err)
	}
	// Constant images a, b: only the luminance term remains,
	// (2ab + C1)/(a² + b² + C1) with C1 = 2.55².
	const c1 = 2.55 * 2.55
	for _, size := range [][2]int{{11, 11}, {15, 12}} {
		s, err := SSIM(constImage(size[0], size[1], 100), constImage(size[0], size[1], 110))
		if err != nil {
			t.Fatal(err)
		}
		near(t, "SSIM constants", s, (2*100*110+c1)/(100*100+110*110+c1), 1e-12)
	}
	k := ssimKernel()
	var sum float64
	for _, v := range k {
		sum += v
	}
	near(t, "kernel sum", sum, 1, 1e-15)
	near(t, "kernel centre/edge", k[5]/k[0], math.Exp(25/(2*1.5*1.5)), 1e-9)
	for _, pair := range [][2]*imageio.Gray{
		{smoothImage(37, 29, 1), noiseImage(37, 29, 2)},
		{smoothImage(30, 11, 1), smoothImage(30, 11, 9)},
	} {
		s, err := SSIM(pair[0], pair[1])
		if err != nil {
			t.Fatal(err)
		}
		near(t, "SSIM vs naive", s, naiveSSIM(pair[0], pair[1]), 1e-12)
		r, _ := SSIM(pair[1], pair[0])
		near(t, "SSIM symmetric", r, s, 1e-12)
	}
	if _, err := SSIM(noiseImage(10, 20, 1), noiseImage(10, 20, 2)); err == nil {
		t.Error("10×20 images: want an error")
	}
}

func TestErrors(t *testing.T) {
	good := noiseImage(12, 12, 1)
	bad := map[string]*imageio.Gray{
		"nil":        nil,
		"empty":      {Width: 0, Height: 5},
		"short pix":  {Width: 12, Height: 12, Pix: make([]uint8, 100)},
		"other size": noiseImage(12, 13, 1),
	}
	for name, b := range bad {
		single := name != "other size"
		check := func(fn string, err error, wantErr bool) {
			t.Helper()
			if wantErr && err == nil {
				t.Errorf("%s(%s): want an error", fn, name)
			}
		}
		_, err := Entropy(b)
		check("Entropy", err, single)
		_, err = Histogram(b)
		check("Histogram", err, single)
		_, err = LocalEntropy(b, 1)
		check("LocalEntropy", err, single)
		_, err = Correlations(b)
		check("Correlations", err, single)
		_, err = AdjacentPairs(b, Vertical, 3, 1)
		check("AdjacentPairs", err, single)
		_, err = ChiSquare(b)
		check("ChiSquare", err, single)
		_, err = NPCRUACI(good, b)
		check("NPCRUACI", err, true)
		_, err = NPCRUACI(b, good)
		check("NPCRUACI", err, true)
		_, err = KeySensitivity(b, good)
		check("KeySensitivity", err, true)
		_, err = MSE(good, b)
		check("MSE", err, true)
		_, err = PSNR(b, good)
		check("PSNR", err, true)
		_, err = SSIM(good, b)
		check("SSIM", err, true)
		_, err = NewReport(good, b, nil)
		check("NewReport", err, true)
		_, err = NewReport(b, good, nil)
		check("NewReport", err, true)
		_, err = NewReport(good, good, b)
		check("NewReport(cipher2)", err, b != nil)
	}
	_, err := NPCRUACI(good, noiseImage(13, 12, 1))
	if err == nil || !strings.Contains(err.Error(), "12x12 vs 13x12") {
		t.Errorf("size mismatch error %q should name both sizes", err)
	}
}

func TestReport(t *testing.T) {
	plain, cipher, cipher2 := smoothImage(48, 40, 1), noiseImage(48, 40, 2), noiseImage(48, 40, 3)
	r, err := NewReport(plain, cipher, cipher2)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := Entropy(cipher)
	d, _ := NPCRUACI(cipher, cipher2)
	c, _ := Correlations(cipher)
	x, _ := ChiSquare(cipher)
	p, _ := PSNR(plain, cipher)
	s, _ := SSIM(plain, cipher)
	want := Report{e, d.NPCR, d.UACI, c.H, c.V, c.D, x.Stat, p, s, 8}
	if *r != want {
		t.Errorf("NewReport = %+v, want %+v", *r, want)
	}
	r, _ = NewReport(plain, cipher, nil)
	d, _ = NPCRUACI(plain, cipher)
	if r.NPCR != d.NPCR || r.UACI != d.UACI {
		t.Errorf("without cipher2 NPCR/UACI = %v/%v, want plain vs cipher %+v", r.NPCR, r.UACI, d)
	}

	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	keys := []string{"entropy", "npcr", "uaci", "corr_h", "corr_v", "corr_d", "chi2", "psnr", "ssim"}
	for _, k := range keys {
		if _, ok := m[k].(float64); !ok {
			t.Errorf("JSON key %q = %v, want a number", k, m[k])
		}
	}
	if len(m) != len(keys)+1 || m["depth"] != 8.0 {
		t.Errorf("JSON has %d keys, want %d and depth 8: %s", len(m), len(keys)+1, data)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil || back != *r {
		t.Errorf("round trip: %+v, %v; want %+v", back, err, *r)
	}

	// Non-finite values: PSNR +Inf (identical), correlations NaN (constant),
	// SSIM NaN (smaller than the window) → null, and still valid JSON.
	k := constImage(8, 9, 5)
	r, err = NewReport(k, k.Clone(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(r.PSNR, 1) || !math.IsNaN(r.CorrH) || !math.IsNaN(r.SSIM) {
		t.Errorf("constant report: %+v", *r)
	}
	data, err = json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) || !strings.Contains(string(data), `"psnr":null`) ||
		!strings.Contains(string(data), `"corr_h":null`) || !strings.Contains(string(data), `"ssim":null`) ||
		!strings.Contains(string(data), `"entropy":0`) {
		t.Errorf("JSON with non-finite values: %s", data)
	}
	if err := json.Unmarshal(data, &back); err != nil || !math.IsNaN(back.PSNR) || back.NPCR != 0 {
		t.Errorf("unmarshal nulls: %+v, %v", back, err)
	}
}
