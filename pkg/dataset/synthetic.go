package dataset

import (
	"fmt"
	"math"
	"sort"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Limits and look of the synthetic generator.
const (
	// MinSyntheticSize and MaxSyntheticSize bound the side of a synthetic image.
	MinSyntheticSize = 8
	MaxSyntheticSize = 4096
	// MaxSyntheticImages bounds the number of synthetic images.
	MaxSyntheticImages = 1 << 20

	synthNoiseWeight    = 0.6        // weight of the 1/f texture relative to the 0..1 scene
	synthMinCell        = 1          // finest octave of the value noise, in pixels
	synthPersistence    = 0.9        // amplitude ratio of successive octaves (0.5 would be exactly 1/f; more keeps fine detail)
	synthMinShapes      = 3          // shapes per image: MinShapes..MaxShapes
	synthMaxShapes      = 8          //
	synthSensorSigma    = 1.5        // std. dev. of the sensor noise, in 8-bit levels
	synthClipFraction   = 0.005      // fraction of pixels clipped at each end by the contrast stretch
	synthLow, synthHigh = 4.0, 251.0 // the stretch maps the clip points to these levels
)

// synthetic is the Source returned by NewSynthetic.
type synthetic struct {
	seed    uint64
	n, size int
}

// NewSynthetic returns n seeded synthetic size×size grayscale images that
// look like photographs in the statistics that matter here: a 1/f ("pink")
// texture made of octave value noise, a few filled shapes (ellipses,
// rectangles, polygons) with shading gradients, a binomial (≈ Gaussian,
// σ ≈ 0.7) blur, mild sensor noise and a contrast stretch to about 0..255.
// Neighbouring pixels are strongly correlated (≈ 0.98–0.99 at 512²;
// the stand-in photos range from 0.75 to 0.99), as in real photos and
// unlike noise. A 512² image takes a few tens of milliseconds.
//
// Images are generated on Load, deterministically: the same (seed, i, size)
// gives the same pixels on every run and platform. The generator uses its
// own SplitMix64 stream, only +, −, ×, ÷ and √ in float64 (correctly rounded
// by IEEE 754), and explicit conversions that keep the compiler from fusing
// multiply-adds.
func NewSynthetic(seed uint64, n, size int) (Source, error) {
	if n < 1 || n > MaxSyntheticImages {
		return nil, fmt.Errorf("dataset.NewSynthetic: n=%d images is outside 1..%d", n, MaxSyntheticImages)
	}
	if size < MinSyntheticSize || size > MaxSyntheticSize {
		return nil, fmt.Errorf("dataset.NewSynthetic: size=%d is outside %d..%d", size, MinSyntheticSize, MaxSyntheticSize)
	}
	return &synthetic{seed: seed, n: n, size: size}, nil
}

// MustNewSynthetic is NewSynthetic that panics on bad arguments.
func MustNewSynthetic(seed uint64, n, size int) Source {
	s, err := NewSynthetic(seed, n, size)
	if err != nil {
		panic(err)
	}
	return s
}

func (s *synthetic) Name() string {
	return fmt.Sprintf("synthetic(seed=%d,n=%d,size=%d)", s.seed, s.n, s.size)
}

func (s *synthetic) Len() int { return s.n }

// Size is size×size for every image (Sizer).
func (s *synthetic) Size(i int) (int, int, error) {
	if i < 0 || i >= s.n {
		return 0, 0, fmt.Errorf("%s: image %d is out of range 0..%d", s.Name(), i, s.n-1)
	}
	return s.size, s.size, nil
}

func (s *synthetic) ID(i int) string { return fmt.Sprintf("synthetic-%06d", i) }

func (s *synthetic) Load(i int) (*imageio.Gray, error) {
	if i < 0 || i >= s.n {
		return nil, fmt.Errorf("%s: image %d is out of range 0..%d", s.Name(), i, s.n-1)
	}
	return generate(keyOf(s.seed, "synthetic", s.ID(i)), s.size), nil
}

// generate draws one image. All float arithmetic below writes products that
// are added as float64(a*b) so that no platform fuses them (Go spec,
// "Floating-point operators").
func generate(key uint64, size int) *imageio.Gray {
	rng := &splitMix{State: key}
	n := size * size
	texture := valueNoise(rng, size)

	// Scene: a base level with a gentle illumination gradient.
	img := make([]float64, n)
	base := rng.Range(0.3, 0.7)
	gx, gy := rng.Range(-0.3, 0.3), rng.Range(-0.3, 0.3)
	inv := 1 / float64(size)
	for y := 0; y < size; y++ {
		fy := float64(gy * (float64(float64(y)*inv) - 0.5))
		for x := 0; x < size; x++ {
			fx := float64(gx * (float64(float64(x)*inv) - 0.5))
			img[y*size+x] = base + fx + fy
		}
	}
	for k, count := 0, synthMinShapes+rng.IntN(synthMaxShapes-synthMinShapes+1); k < count; k++ {
		drawShape(rng, img, texture, size)
	}
	for i := range img {
		img[i] += float64(synthNoiseWeight * texture[i])
	}
	img = binomialBlur(img, size)
	return stretch(rng, img, size)
}

// valueNoise returns a 1/f-like texture in roughly [-1, 1]: octaves of
// smoothly interpolated random lattice values, from a cell of size/2 down
// to synthMinCell pixels, the amplitude falling by synthPersistence per
// octave (0.5 would be amplitude ∝ 1/frequency; more keeps the fine
// detail that value noise's interpolation and the blur take away, bringing
// the adjacent-pixel correlation down from ≈ 0.998 to photo-like values).
func valueNoise(rng *splitMix, size int) []float64 {
	out := make([]float64, size*size)
	total := 0.0
	cellX := make([]int, size)
	fracX := make([]float64, size)
	amp := 1.0
	for cell := max(size/2, synthMinCell); cell >= synthMinCell; cell, amp = cell/2, amp*synthPersistence {
		total += amp
		lw := size/cell + 2 // lattice side, with a random sub-cell offset
		lattice := make([]float64, lw*lw)
		for i := range lattice {
			lattice[i] = rng.Range(-1, 1)
		}
		offX, offY := rng.IntN(cell), rng.IntN(cell)
		invCell := 1 / float64(cell)
		for x := 0; x < size; x++ {
			cellX[x] = (x + offX) / cell
			fracX[x] = smooth(float64((x+offX)%cell) * invCell)
		}
		for y := 0; y < size; y++ {
			cy := (y + offY) / cell
			ty := smooth(float64((y+offY)%cell) * invCell)
			row0, row1 := lattice[cy*lw:], lattice[(cy+1)*lw:]
			o := out[y*size : (y+1)*size]
			for x := range o {
				cx, tx := cellX[x], fracX[x]
				top := row0[cx] + float64(tx*(row0[cx+1]-row0[cx]))
				bot := row1[cx] + float64(tx*(row1[cx+1]-row1[cx]))
				v := top + float64(ty*(bot-top))
				o[x] += float64(amp * v)
			}
		}
	}
	inv := 2 / total // octave sums rarely exceed half their bound
	for i := range out {
		out[i] *= inv
	}
	return out
}

// smooth is the smoothstep 3t² − 2t³.
func smooth(t float64) float64 { return float64(t*t) * (3 - float64(2*t)) }

// Shape kinds drawn by drawShape.
const (
	shapeEllipse = iota
	shapeRect
	shapePolygon
	numShapes
)

// shape is one filled shape of drawShape: its kind, centre, half-axes,
// rotation (c, sn), level, shading and opacity.
type shape struct {
	kind                 int
	cx, cy, a, b, c, sn  float64
	level, dx, dy, shade float64
	alpha, keep          float64
	poly                 [][2]float64
}

// randomShape draws a random shape for an image of side size. kind ≥ 0
// forces the shape's kind (the random one is drawn all the same, so the
// other draws do not move).
func randomShape(rng *splitMix, size, kind int) shape {
	s := float64(size)
	var sh shape
	sh.cx, sh.cy = rng.Range(0, s), rng.Range(0, s)
	sh.a, sh.b = rng.Range(0.05, 0.3)*s, rng.Range(0.05, 0.3)*s
	sh.c, sh.sn = randomDirection(rng)
	sh.level = rng.Range(0, 1)
	sh.dx, sh.dy = randomDirection(rng)
	sh.shade = rng.Range(-0.5, 0.5) / s // level change per pixel along (dx, dy)
	sh.alpha = rng.Range(0.6, 1)
	sh.keep = rng.Range(0.2, 0.8) // how much of the texture shows through
	sh.kind = rng.IntN(numShapes)
	if kind >= 0 {
		sh.kind = kind
	}
	if sh.kind == shapePolygon {
		sh.poly = randomPolygon(rng, sh.cx, sh.cy, math.Max(sh.a, sh.b))
	}
	return sh
}

// drawShape composites one random filled shape over img: a shaded (linear
// gradient) surface that keeps some of the texture, with random opacity.
func drawShape(rng *splitMix, img, texture []float64, size int) {
	paintShape(randomShape(rng, size, -1), img, texture, size, nil)
}

// paintShape composites sh over img; mask, if not nil, gets 255 at every
// pixel the shape covers.
func paintShape(sh shape, img, texture []float64, size int, mask []uint8) {
	cx, cy, a, b, c, sn := sh.cx, sh.cy, sh.a, sh.b, sh.c, sh.sn
	r := math.Max(a, b) * 1.5 // bounding box half-side (covers rotations)
	x0, x1 := max(0, int(cx-r)), min(size-1, int(cx+r)+1)
	y0, y1 := max(0, int(cy-r)), min(size-1, int(cy+r)+1)
	for y := y0; y <= y1; y++ {
		py := float64(y) + 0.5 - cy
		for x := x0; x <= x1; x++ {
			px := float64(x) + 0.5 - cx
			u := float64(px*c) + float64(py*sn) // rotated coordinates
			w := float64(py*c) - float64(px*sn)
			inside := false
			switch sh.kind {
			case shapeEllipse:
				ua, wb := u/a, w/b
				inside = float64(ua*ua)+float64(wb*wb) <= 1
			case shapeRect:
				inside = math.Abs(u) <= a && math.Abs(w) <= b
			case shapePolygon:
				inside = insidePolygon(sh.poly, float64(x)+0.5, float64(y)+0.5)
			}
			if !inside {
				continue
			}
			i := y*size + x
			if mask != nil {
				mask[i] = 255
			}
			fill := sh.level + float64(sh.shade*(float64(px*sh.dx)+float64(py*sh.dy))) - float64((1-sh.keep)*synthNoiseWeight*texture[i])
			img[i] = float64((1-sh.alpha)*img[i]) + float64(sh.alpha*fill)
		}
	}
}

// randomDirection returns a uniformly random unit vector without
// trigonometry (rejection sampling in the unit disc, then normalisation).
func randomDirection(rng *splitMix) (float64, float64) {
	for {
		x, y := rng.Range(-1, 1), rng.Range(-1, 1)
		if r2 := float64(x*x) + float64(y*y); r2 > 1e-4 && r2 <= 1 {
			r := math.Sqrt(r2)
			return x / r, y / r
		}
	}
}

// randomPolygon returns a simple (star-shaped) polygon of 3..7 vertices
// around (cx, cy): random directions sorted by angle, random radii.
func randomPolygon(rng *splitMix, cx, cy, radius float64) [][2]float64 {
	type vertex struct{ angle, x, y float64 }
	vs := make([]vertex, 3+rng.IntN(5))
	for i := range vs {
		dx, dy := randomDirection(rng)
		r := rng.Range(0.4, 1) * radius
		vs[i] = vertex{pseudoAngle(dx, dy), cx + float64(r*dx), cy + float64(r*dy)}
	}
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].angle < vs[j].angle })
	poly := make([][2]float64, len(vs))
	for i, v := range vs {
		poly[i] = [2]float64{v.x, v.y}
	}
	return poly
}

// pseudoAngle maps a direction to [0, 4) monotonically in its angle,
// without trigonometry.
func pseudoAngle(dx, dy float64) float64 {
	p := dy / (math.Abs(dx) + math.Abs(dy))
	if dx < 0 {
		return 2 - p
	}
	if dy < 0 {
		return 4 + p
	}
	return p
}

// insidePolygon is the even–odd rule.
func insidePolygon(poly [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		xi, yi, xj, yj := poly[i][0], poly[i][1], poly[j][0], poly[j][1]
		if (yi > y) != (yj > y) {
			xc := xi + float64((y-yi)*(xj-xi))/(yj-yi)
			if x < xc {
				in = !in
			}
		}
	}
	return in
}

// binomialBlur applies the separable 1-2-1 kernel (/4), the smallest
// binomial approximation of a Gaussian (σ ≈ 0.7), with clamped edges.
func binomialBlur(src []float64, size int) []float64 {
	weights := [3]float64{1, 2, 1}
	tmp := make([]float64, len(src))
	clamp := func(v int) int { return min(max(v, 0), size-1) }
	for y := 0; y < size; y++ {
		row := src[y*size : (y+1)*size]
		for x := 0; x < size; x++ {
			sum := 0.0
			for k, w := range weights {
				sum += float64(w * row[clamp(x+k-1)])
			}
			tmp[y*size+x] = sum / 4
		}
	}
	out := make([]float64, len(src))
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			sum := 0.0
			for k, w := range weights {
				sum += float64(w * tmp[clamp(y+k-1)*size+x])
			}
			out[y*size+x] = sum / 4
		}
	}
	return out
}

// stretch maps the synthClipFraction and 1−synthClipFraction quantiles of
// img to synthLow and synthHigh, adds sensor noise (Irwin–Hall: a sum of
// four uniforms, close to Gaussian) and rounds to 8 bits.
func stretch(rng *splitMix, img []float64, size int) *imageio.Gray {
	sorted := append([]float64(nil), img...)
	sort.Float64s(sorted)
	clip := int(float64(len(sorted)) * synthClipFraction)
	lo, hi := sorted[clip], sorted[len(sorted)-1-clip]
	if hi-lo < 1e-9 {
		hi = lo + 1
	}
	scale := (synthHigh - synthLow) / (hi - lo)
	// Irwin–Hall with 4 uniforms: mean 2, variance 4/12.
	noiseScale := synthSensorSigma * math.Sqrt(3)
	g := imageio.NewGray(size, size)
	for i, v := range img {
		u := rng.Float64() + rng.Float64() + rng.Float64() + rng.Float64() - 2
		level := synthLow + float64((v-lo)*scale) + float64(noiseScale*u)
		g.Pix[i] = uint8(math.Floor(min(max(level, 0), 255) + 0.5))
	}
	return g
}
