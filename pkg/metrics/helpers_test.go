package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// noiseImage returns a uniformly random ("encrypted-like") image.
func noiseImage(w, h int, seed uint64) *imageio.Gray {
	rng := rand.New(rand.NewPCG(seed, 1))
	g := imageio.NewGray(w, h)
	for i := range g.Pix {
		g.Pix[i] = uint8(rng.UintN(256))
	}
	return g
}

// smoothImage returns a "natural" smooth image: low-frequency waves plus a
// little noise.
func smoothImage(w, h int, seed uint64) *imageio.Gray {
	rng := rand.New(rand.NewPCG(seed, 2))
	g := imageio.NewGray(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := 128 + 60*math.Sin(float64(x)/6) + 40*math.Cos(float64(y)/9+float64(x)/20) + rng.NormFloat64()*4
			g.Set(x, y, uint8(math.Max(0, math.Min(255, math.Round(v)))))
		}
	}
	return g
}

// constImage returns an image with every pixel v.
func constImage(w, h int, v uint8) *imageio.Gray {
	g := imageio.NewGray(w, h)
	for i := range g.Pix {
		g.Pix[i] = v
	}
	return g
}

func grayOf(w, h int, pix ...uint8) *imageio.Gray {
	return &imageio.Gray{Width: w, Height: h, Pix: pix}
}

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(want) {
		if !math.IsNaN(got) {
			t.Errorf("%s = %v, want NaN", name, got)
		}
		return
	}
	if math.IsInf(want, 0) {
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
		return
	}
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.12g, want %.12g (tolerance %g)", name, got, want, tol)
	}
}
