package dataset

import (
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// ShapeClasses is the number of classes of NewShapes: the kind of the
// foreground object.
const ShapeClasses = int(numShapes)

// ShapeClassNames names the classes of NewShapes, by label.
var ShapeClassNames = [ShapeClasses]string{"ellipse", "rectangle", "triangle"}

// shapesTextureScale scales the 1/f texture of NewShapes' backgrounds:
// half the synthetic images', so that the object stays the clearest thing
// in the image.
const shapesTextureScale = 0.5

// sqrt3Half is √3/2.
const sqrt3Half = 0.8660254037844386

// shapes is the Labelled source returned by NewShapes.
type shapes struct {
	seed    uint64
	n, size int
}

// NewShapes returns n seeded, labelled size×size grayscale images for
// classification and segmentation tasks (ours): each is a synthetic
// background as NewSynthetic draws it (1/f texture, illumination
// gradient, blur, sensor noise, contrast stretch; half the texture) with one foreground
// object — an ellipse, a rectangle or a triangle (label 0, 1, 2:
// ShapeClassNames; image i has label i mod ShapeClasses, so classes are
// balanced) — whole, in the middle half of the image, with half-axes of
// 20–35 % of the side, random rotation and shading, opaque, untextured, at least
// 0.3 (of the 0–1 scene scale) away from the background level, and a mask
// (LoadMask) that is 255 where the object is, 0 elsewhere. Deterministic
// like NewSynthetic. Errors: as NewSynthetic's.
func NewShapes(seed uint64, n, size int) (Labelled, error) {
	if _, err := NewSynthetic(seed, n, size); err != nil {
		return nil, fmt.Errorf("dataset.NewShapes: %w", err)
	}
	return &shapes{seed: seed, n: n, size: size}, nil
}

func (s *shapes) Name() string {
	return fmt.Sprintf("shapes(seed=%d,n=%d,size=%d)", s.seed, s.n, s.size)
}

func (s *shapes) Len() int { return s.n }

// Size is size×size for every image (Sizer).
func (s *shapes) Size(i int) (int, int, error) {
	if i < 0 || i >= s.n {
		return 0, 0, fmt.Errorf("%s: image %d is out of range 0..%d", s.Name(), i, s.n-1)
	}
	return s.size, s.size, nil
}

func (s *shapes) ID(i int) string { return fmt.Sprintf("shapes-%06d", i) }

// Label is image i's class: i mod ShapeClasses (NoLabel out of range).
func (s *shapes) Label(i int) int {
	if i < 0 || i >= s.n {
		return NoLabel
	}
	return i % ShapeClasses
}

func (s *shapes) Load(i int) (*imageio.Gray, error) {
	g, _, err := s.draw(i)
	return g, err
}

// LoadMask is image i's object mask (255 inside, 0 outside).
func (s *shapes) LoadMask(i int) (*imageio.Gray, error) {
	_, m, err := s.draw(i)
	return m, err
}

// draw generates image i and its mask: the background as generate draws
// it with no shapes of its own, the object drawn over it before the blur
// (the mask is the object's pixels before blurring).
func (s *shapes) draw(i int) (*imageio.Gray, *imageio.Gray, error) {
	if i < 0 || i >= s.n {
		return nil, nil, fmt.Errorf("%s: image %d is out of range 0..%d", s.Name(), i, s.n-1)
	}
	size := s.size
	rng := &splitMix{State: keyOf(s.seed, "shapes", s.ID(i))}
	texture := valueNoise(rng, size)
	for j := range texture { // half the synthetic images' texture
		texture[j] *= shapesTextureScale
	}
	img := make([]float64, size*size)
	base := rng.Range(0.3, 0.7)
	for j := range img {
		img[j] = base
	}
	// The object: as the synthetic images' shapes, but whole and clear —
	// centred in the middle half, half-axes 20–35 % of the side, opaque,
	// at least 0.3 away from the background's level.
	sh := randomShape(rng, size, s.Label(i))
	f := float64(size)
	sh.cx, sh.cy = f*(0.25+0.5*sh.cx/f), f*(0.25+0.5*sh.cy/f)
	sh.a, sh.b = f*(0.2+0.6*(sh.a/f-0.05)), f*(0.2+0.6*(sh.b/f-0.05))
	sh.alpha, sh.keep = 1, 0
	if sh.level < base {
		sh.level = base - 0.3 - 0.3*sh.level
	} else {
		sh.level = base + 0.3 + 0.3*(1-sh.level)
	}
	if sh.kind == shapePolygon { // a triangle: three vertices 120° apart on the circle of radius max(a, b)
		r := math.Max(sh.a, sh.b)
		sh.poly = nil
		for k := 0; k < 3; k++ {
			// The direction (c, sn) rotated by k·120° (cos = −1/2, sin = ±√3/2).
			c, sn := sh.c, sh.sn
			for j := 0; j < k; j++ {
				c, sn = float64(-0.5*c)-float64(sqrt3Half*sn), float64(sqrt3Half*c)-float64(0.5*sn)
			}
			sh.poly = append(sh.poly, [2]float64{sh.cx + float64(r*c), sh.cy + float64(r*sn)})
		}
	}
	mask := imageio.NewGray(size, size)
	paintShape(sh, img, texture, size, mask.Pix)
	for j := range img {
		img[j] += float64(synthNoiseWeight * texture[j])
	}
	return stretch(rng, binomialBlur(img, size), size), mask, nil
}
