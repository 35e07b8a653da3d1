package metrics

import (
	"math"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// random16 is a w×h 16-bit image of pseudo-random samples below limit.
func random16(w, h int, seed uint32, limit int) *imageio.Gray {
	g := imageio.MustNewGrayDepth(w, h, imageio.Depth16)
	s := seed
	for i := range g.Len() {
		s = s*1664525 + 1013904223
		g.SetSample(i, int(s>>8)%limit)
	}
	return g
}

// widen returns g's samples times 257 at depth 16 (the exact 8→16-bit
// scaling: 255·257 = 65535).
func widen(g *imageio.Gray) *imageio.Gray {
	w := imageio.MustNewGrayDepth(g.Width, g.Height, imageio.Depth16)
	for i := range g.Len() {
		w.SetSample(i, g.Sample(i)*257)
	}
	return w
}

// TestSixteenBitMetricsFollowTheDefinitions: at depth 16 every metric is
// its definition with 65536 levels and peak 65535, computed directly here.
func TestSixteenBitMetricsFollowTheDefinitions(t *testing.T) {
	a, b := random16(37, 29, 1, 65536), random16(37, 29, 2, 65536)
	n := float64(a.Len())

	counts := map[int]int{}
	var changed, absSum, sq float64
	for i := range a.Len() {
		counts[a.Sample(i)]++
		d := math.Abs(float64(a.Sample(i) - b.Sample(i)))
		if d != 0 {
			changed++
		}
		absSum += d
		sq += d * d
	}
	var ent, chi float64
	expected := n / 65536
	for _, c := range counts {
		p := float64(c) / n
		ent -= p * math.Log2(p)
		chi += (float64(c) - expected) * (float64(c) - expected) / expected
	}
	chi += float64(65536-len(counts)) * expected // the empty levels

	close := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %.12g, want %.12g", what, got, want)
		}
	}
	e, err := Entropy(a)
	if err != nil {
		t.Fatal(err)
	}
	close("entropy", e, ent, 1e-12)
	d, err := NPCRUACI(a, b)
	if err != nil {
		t.Fatal(err)
	}
	close("NPCR", d.NPCR, 100*changed/n, 1e-12)
	close("UACI", d.UACI, 100*absSum/(65535*n), 1e-12)
	if d.Peak != 65535 {
		t.Errorf("peak %d, want 65535", d.Peak)
	}
	p, _ := PSNR(a, b)
	close("PSNR", p, 10*math.Log10(65535.0*65535/(sq/n)), 1e-12)
	cs, err := ChiSquare(a)
	if err != nil {
		t.Fatal(err)
	}
	close("chi-square", cs.Stat, chi, 1e-9)
	if cs.DF != 65535 {
		t.Errorf("chi-square df %d, want 65535", cs.DF)
	}
	c, _ := Correlations(a)
	for _, dir := range []struct {
		got    float64
		dx, dy int
	}{{c.H, 1, 0}, {c.V, 0, 1}, {c.D, 1, 1}} {
		close("correlation", dir.got, naiveCorrelation(a, dir.dx, dir.dy), 1e-9)
	}
	s, _ := SSIM(a, b)
	close("SSIM", s, naiveSSIM(a, b), 1e-9)
	r, err := NewReport(a, b, nil)
	if err != nil || r.Depth != 16 {
		t.Fatalf("report depth %v, %v", r, err)
	}
}

// TestWideningKeepsTheMetrics: an 8-bit image and the same samples scaled
// to 16 bits (×257) have the same entropy, NPCR, UACI, correlations, PSNR
// and SSIM — each metric is relative to the image's own peak.
func TestWideningKeepsTheMetrics(t *testing.T) {
	a8, b8 := smoothImage(40, 23, 3), smoothImage(40, 23, 4)
	a16, b16 := widen(a8), widen(b8)
	r8, err := NewReport(a8, b8, nil)
	if err != nil {
		t.Fatal(err)
	}
	r16, err := NewReport(a16, b16, nil)
	if err != nil {
		t.Fatal(err)
	}
	same := func(what string, x, y float64) {
		t.Helper()
		if math.Abs(x-y) > 1e-9*math.Max(1, math.Abs(x)) {
			t.Errorf("%s: 8-bit %.12g, widened %.12g", what, x, y)
		}
	}
	same("entropy", r8.Entropy, r16.Entropy)
	same("NPCR", r8.NPCR, r16.NPCR)
	same("UACI", r8.UACI, r16.UACI)
	same("corr H", r8.CorrH, r16.CorrH)
	same("corr V", r8.CorrV, r16.CorrV)
	same("corr D", r8.CorrD, r16.CorrD)
	same("PSNR", r8.PSNR, r16.PSNR)
	same("SSIM", r8.SSIM, r16.SSIM)
	if r8.Depth != 8 || r16.Depth != 16 {
		t.Errorf("depths %d, %d", r8.Depth, r16.Depth)
	}
}

// TestWuCriticalValuesAtSixteenBits: Wu et al.'s NPCR and UACI critical
// values with F = 65535, from their closed forms.
func TestWuCriticalValuesAtSixteenBits(t *testing.T) {
	const w, h = 512, 512
	got, err := WuCriticalValuesPeak(w, h, 65535, Alpha05)
	if err != nil {
		t.Fatal(err)
	}
	f, m := 65535.0, float64(w*h)
	q := upperQuantile(Alpha05)
	npcr := 100 * (f - q*math.Sqrt(f/m)) / (f + 1)
	mu := 100 * (f + 2) / (3*f + 3)
	sigma := 100 * math.Sqrt((f+2)*(f*f+2*f+3)/(18*(f+1)*(f+1)*m*f))
	qu := upperQuantile(Alpha05 / 2)
	if math.Abs(got.NPCR-npcr) > 1e-9 || math.Abs(got.UACILow-(mu-qu*sigma)) > 1e-9 || math.Abs(got.UACIHigh-(mu+qu*sigma)) > 1e-9 {
		t.Errorf("critical values %+v, want NPCR %.6f, UACI %.6f..%.6f", got, npcr, mu-qu*sigma, mu+qu*sigma)
	}
}
