// Package imageio reads and writes the grayscale images neurocrypt works on:
// strict PGM (P2 and P5, 8- and 16-bit) and PNG, sample-exact, with limits
// that turn bad input into clear errors instead of panics or huge
// allocations.
//
// The rules:
//
//   - Samples come in exactly or the image is refused. An image is 8-bit
//     (peak 255) or 16-bit (peak 65535), and every metric uses that peak: a
//     PGM must declare maxval 255 or 65535, a grey PNG 8 or 16 bits; other
//     peaks (a 12-bit PGM, a 4-bit PNG) are refused rather than measured
//     against the wrong peak. Samples are never rescaled. Paletted PNGs
//     (8-bit colours, any index depth) are read like colour PNGs.
//   - Alpha is ignored, never multiplied in: the grey level of a grey+alpha
//     or RGBA pixel is its colour value as stored (non-premultiplied).
//   - Colour is refused with a one-line error, unless the caller asks for a
//     conversion by naming the luma formula (ReadOptions.Luma: BT.601 or
//     BT.709). Colour images whose every pixel has R = G = B are grey and
//     read exactly.
//   - Sizes are checked, in bytes, before anything is decoded
//     (MaxImageBytes), so a small file declaring a huge image costs nothing.
//     For a PNG the bytes are what the decoder may allocate: 4 or 8 per
//     pixel for grey and colour images (a tRNS chunk turns grey into NRGBA),
//     1 for paletted ones.
package imageio

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
)

// Bit depths of Gray.
const (
	Depth8  = 8
	Depth16 = 16
)

// MaxImageBytes bounds the decoded size of an image, in bytes, as declared
// by its header (the decoder's own buffers, e.g. an RGBA 16-bit PNG's 8
// bytes per pixel, count): 512 MiB, a 16k×16k 16-bit grey image.
const MaxImageBytes = 512 << 20

// maxImageBytes is the limit the decoders apply: MaxImageBytes, lowered by
// the fuzz tests so that their inputs stay cheap.
var maxImageBytes int64 = MaxImageBytes

// Gray is a grayscale image of 8- or 16-bit samples, row-major. It is the
// one image type every cipher, metric and dataset in neurocrypt exchanges.
//
// At depth 8, sample i is Pix[i]; at depth 16 it is the big-endian pair
// Pix[2i], Pix[2i+1] (the byte order of 16-bit PGM). Ciphers encrypt Pix as
// a byte string, so they round-trip both depths exactly; metrics read
// samples at the image's depth (Sample, MaxValue).
type Gray struct {
	Width, Height int
	// Depth is the bits per sample, Depth8 or Depth16; 0 means 8, so that
	// a Gray literal without it is an 8-bit image.
	Depth int
	// Pix holds Width×Height samples of BytesPerSample bytes each.
	Pix []uint8
}

// NewGray returns a black 8-bit image of the given size. It panics on a
// negative size; callers that take sizes from input validate them first.
func NewGray(width, height int) *Gray {
	if width < 0 || height < 0 {
		panic(fmt.Sprintf("imageio.NewGray: negative size %dx%d", width, height))
	}
	return &Gray{Width: width, Height: height, Depth: Depth8, Pix: make([]uint8, width*height)}
}

// NewGrayDepth returns a black image of the given size and depth (8 or 16).
func NewGrayDepth(width, height, depth int) (*Gray, error) {
	if width < 0 || height < 0 {
		return nil, fmt.Errorf("imageio.NewGrayDepth: negative size %dx%d", width, height)
	}
	if depth != Depth8 && depth != Depth16 {
		return nil, fmt.Errorf("imageio.NewGrayDepth: depth %d: want 8 or 16", depth)
	}
	return &Gray{Width: width, Height: height, Depth: depth, Pix: make([]uint8, width*height*depth/8)}, nil
}

// MustNewGrayDepth is NewGrayDepth that panics on error.
func MustNewGrayDepth(width, height, depth int) *Gray {
	g, err := NewGrayDepth(width, height, depth)
	if err != nil {
		panic(err)
	}
	return g
}

// BitDepth is 8 or 16 (Depth, with 0 read as 8).
func (g *Gray) BitDepth() int {
	if g.Depth == Depth16 {
		return Depth16
	}
	return Depth8
}

// BytesPerSample is 1 at depth 8 and 2 at depth 16.
func (g *Gray) BytesPerSample() int { return g.BitDepth() / 8 }

// MaxValue is the largest sample, 2^depth − 1: 255 or 65535 (the peak of
// NPCR/UACI, PSNR and SSIM, as in Wu et al.'s code).
func (g *Gray) MaxValue() int { return 1<<g.BitDepth() - 1 }

// Levels is the number of grey levels, 2^depth.
func (g *Gray) Levels() int { return 1 << g.BitDepth() }

// Check reports why g is not a consistent image: a nil image, a negative
// size, a depth other than 0, 8 or 16, or a buffer whose length is not
// Width×Height×BytesPerSample.
func (g *Gray) Check() error {
	switch {
	case g == nil:
		return errors.New("nil image")
	case g.Width < 0 || g.Height < 0:
		return fmt.Errorf("negative image size %dx%d", g.Width, g.Height)
	case g.Depth != 0 && g.Depth != Depth8 && g.Depth != Depth16:
		return fmt.Errorf("bit depth %d: want 8 or 16", g.Depth)
	case g.Height > 0 && g.Width > math.MaxInt/g.Height/2:
		return fmt.Errorf("image size %dx%d overflows", g.Width, g.Height)
	case len(g.Pix) != g.Width*g.Height*g.BytesPerSample():
		return fmt.Errorf("%dx%d %d-bit image has %d sample bytes, want %d", g.Width, g.Height, g.BitDepth(), len(g.Pix), g.Width*g.Height*g.BytesPerSample())
	}
	return nil
}

// Sample returns sample i (row-major), at the image's depth.
func (g *Gray) Sample(i int) int {
	if g.Depth == Depth16 {
		return int(g.Pix[2*i])<<8 | int(g.Pix[2*i+1])
	}
	return int(g.Pix[i])
}

// SetSample sets sample i to v (taken modulo 2^depth).
func (g *Gray) SetSample(i, v int) {
	if g.Depth == Depth16 {
		g.Pix[2*i], g.Pix[2*i+1] = uint8(v>>8), uint8(v)
		return
	}
	g.Pix[i] = uint8(v)
}

// Samples16 returns the samples of a 16-bit image (a copy); nil at depth 8,
// whose samples are Pix itself.
func (g *Gray) Samples16() []uint16 {
	if g.Depth != Depth16 {
		return nil
	}
	s := make([]uint16, len(g.Pix)/2)
	for i := range s {
		s[i] = uint16(g.Pix[2*i])<<8 | uint16(g.Pix[2*i+1])
	}
	return s
}

// At returns the pixel at column x, row y of an 8-bit image (Sample reads
// any depth).
func (g *Gray) At(x, y int) uint8 { return g.Pix[y*g.Width+x] }

// Set sets the pixel at column x, row y of an 8-bit image.
func (g *Gray) Set(x, y int, v uint8) { g.Pix[y*g.Width+x] = v }

// Len is the number of pixels (samples).
func (g *Gray) Len() int { return g.Width * g.Height }

// Clone returns a deep copy.
func (g *Gray) Clone() *Gray {
	c := &Gray{Width: g.Width, Height: g.Height, Depth: g.Depth, Pix: make([]uint8, len(g.Pix))}
	copy(c.Pix, g.Pix)
	return c
}

// Equal reports whether a and b have the same size, depth and samples.
func (g *Gray) Equal(o *Gray) bool {
	if g == nil || o == nil {
		return g == o
	}
	if g.Width != o.Width || g.Height != o.Height || g.BitDepth() != o.BitDepth() || len(g.Pix) != len(o.Pix) {
		return false
	}
	for i := range g.Pix {
		if g.Pix[i] != o.Pix[i] {
			return false
		}
	}
	return true
}

// SameSize returns an error unless a and b have the same dimensions and
// bit depth.
func SameSize(a, b *Gray) error {
	if a.Width != b.Width || a.Height != b.Height {
		return fmt.Errorf("image sizes differ: %dx%d vs %dx%d", a.Width, a.Height, b.Width, b.Height)
	}
	if a.BitDepth() != b.BitDepth() {
		return fmt.Errorf("bit depths differ: %d vs %d bits", a.BitDepth(), b.BitDepth())
	}
	return nil
}

// SubImage copies the rectangle [x0,x0+w)×[y0,y0+h) into a new image of
// the same depth.
func (g *Gray) SubImage(x0, y0, w, h int) (*Gray, error) {
	if x0 < 0 || y0 < 0 || w < 0 || h < 0 || x0+w > g.Width || y0+h > g.Height {
		return nil, fmt.Errorf("crop %dx%d at (%d,%d) is outside the %dx%d image", w, h, x0, y0, g.Width, g.Height)
	}
	if err := g.Check(); err != nil {
		return nil, err
	}
	b := g.BytesPerSample()
	c := &Gray{Width: w, Height: h, Depth: g.Depth, Pix: make([]uint8, w*h*b)}
	for y := 0; y < h; y++ {
		copy(c.Pix[y*w*b:(y+1)*w*b], g.Pix[((y0+y)*g.Width+x0)*b:((y0+y)*g.Width+x0+w)*b])
	}
	return c, nil
}

// view is ToImage sharing g's pixels (no copy), for encoders that only
// read them.
func (g *Gray) view() image.Image {
	r := image.Rect(0, 0, g.Width, g.Height)
	if g.Depth == Depth16 {
		return &image.Gray16{Pix: g.Pix, Stride: 2 * g.Width, Rect: r}
	}
	return &image.Gray{Pix: g.Pix, Stride: g.Width, Rect: r}
}

// ToImage converts to the standard library's *image.Gray or *image.Gray16
// (sharing no memory).
func (g *Gray) ToImage() image.Image {
	if g.Depth == Depth16 {
		img := image.NewGray16(image.Rect(0, 0, g.Width, g.Height))
		copy(img.Pix, g.Pix) // both big-endian
		return img
	}
	img := image.NewGray(image.Rect(0, 0, g.Width, g.Height))
	copy(img.Pix, g.Pix)
	return img
}

// Luma names a colour-to-grey conversion.
type Luma string

// Luma formulas (ITU-R recommendations), Y = kR·R + kG·G + kB·B rounded
// to the nearest level at the image's depth, halves up, in exact integer
// arithmetic (the coefficients have 3 or 4 decimals).
const (
	// NoLuma refuses colour images.
	NoLuma Luma = ""
	// BT601 is ITU-R BT.601: 0.299, 0.587, 0.114 (JPEG, SD video).
	BT601 Luma = "bt601"
	// BT709 is ITU-R BT.709: 0.2126, 0.7152, 0.0722 (sRGB, HD video).
	BT709 Luma = "bt709"
)

// ParseLuma reads a luma name ("" for none).
func ParseLuma(s string) (Luma, error) {
	switch l := Luma(s); l {
	case NoLuma, BT601, BT709:
		return l, nil
	}
	return "", fmt.Errorf("unknown luma formula %q (want %s or %s)", s, BT601, BT709)
}

// weights returns the formula's coefficients as integers over d, so that
// Y = (r·R + g·G + b·B + d/2) / d rounds exactly (half up) in integers.
func (l Luma) weights() (r, g, b, d int) {
	if l == BT709 {
		return 2126, 7152, 722, 10000
	}
	return 299, 587, 114, 1000
}

// ErrColour is wrapped by the errors of FromImage for colour images
// without a luma formula.
var ErrColour = errors.New("colour image")

// FromImage converts a decoded image to Gray, sample-exact: grey images
// (8 or 16 bits) keep their samples; grey+alpha, RGBA and paletted images
// whose every pixel has R = G = B are read as that grey, alpha ignored
// (non-premultiplied values); other colour images are refused (ErrColour)
// unless luma names a conversion. 16-bit sources give 16-bit images.
func FromImage(img image.Image, luma Luma) (*Gray, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	depth := Depth8
	switch img.(type) {
	case *image.Gray16, *image.RGBA64, *image.NRGBA64:
		depth = Depth16
	}
	g := MustNewGrayDepth(w, h, depth)
	switch src := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			off := src.PixOffset(b.Min.X, b.Min.Y+y)
			copy(g.Pix[y*w:(y+1)*w], src.Pix[off:off+w])
		}
		return g, nil
	case *image.Gray16:
		for y := 0; y < h; y++ {
			off := src.PixOffset(b.Min.X, b.Min.Y+y)
			copy(g.Pix[2*y*w:2*(y+1)*w], src.Pix[off:off+2*w])
		}
		return g, nil
	}
	kr, kg, kb, kd := luma.weights()
	// The pixel at (x, y) as stored, without boxing a color.Color per
	// pixel for the types PNG decodes to (a 100-megapixel image would
	// otherwise churn gigabytes through the allocator).
	at := func(x, y int) (int, int, int, bool) { return stored(img.At(b.Min.X+x, b.Min.Y+y)) }
	switch src := img.(type) {
	case *image.NRGBA:
		at = func(x, y int) (int, int, int, bool) {
			p := src.Pix[src.PixOffset(b.Min.X+x, b.Min.Y+y):]
			return int(p[0]) * 257, int(p[1]) * 257, int(p[2]) * 257, true
		}
	case *image.NRGBA64:
		at = func(x, y int) (int, int, int, bool) {
			p := src.Pix[src.PixOffset(b.Min.X+x, b.Min.Y+y):]
			return int(p[0])<<8 | int(p[1]), int(p[2])<<8 | int(p[3]), int(p[4])<<8 | int(p[5]), true
		}
	case *image.RGBA: // PNG's RGB without alpha: opaque, premultiplied = stored
		at = func(x, y int) (int, int, int, bool) {
			p := src.Pix[src.PixOffset(b.Min.X+x, b.Min.Y+y):]
			return int(p[0]) * 257, int(p[1]) * 257, int(p[2]) * 257, p[3] == 0xff
		}
	case *image.RGBA64:
		at = func(x, y int) (int, int, int, bool) {
			p := src.Pix[src.PixOffset(b.Min.X+x, b.Min.Y+y):]
			return int(p[0])<<8 | int(p[1]), int(p[2])<<8 | int(p[3]), int(p[4])<<8 | int(p[5]), p[6] == 0xff && p[7] == 0xff
		}
	case *image.Paletted:
		type entry struct {
			r, g, b int
			ok      bool
		}
		pal := make([]entry, len(src.Palette))
		for i, c := range src.Palette {
			pal[i].r, pal[i].g, pal[i].b, pal[i].ok = stored(c)
		}
		// An index past the palette (which Go's PNG decoder reads as
		// opaque black) is a broken file, not a colour: refused.
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if i := int(src.ColorIndexAt(x, y)); i >= len(src.Palette) {
					return nil, fmt.Errorf("palette index %d at (%d,%d) is past the palette's %d colours", i, x-b.Min.X, y-b.Min.Y, len(src.Palette))
				}
			}
		}
		at = func(x, y int) (int, int, int, bool) {
			e := pal[src.Pix[src.PixOffset(b.Min.X+x, b.Min.Y+y)]]
			return e.r, e.g, e.b, e.ok
		}
	}
	colour := false
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, gg, bb, ok := at(x, y)
			if !ok {
				return nil, fmt.Errorf("%w: premultiplied alpha below 1 at (%d,%d): the grey level cannot be recovered exactly", ErrColour, x, y)
			}
			if depth == Depth8 { // 8-bit values were replicated to 16 bits: exact
				r, gg, bb = r/257, gg/257, bb/257
			}
			v := r
			if r != gg || gg != bb {
				if luma == NoLuma {
					colour = true
					break
				}
				v = (kr*r + kg*gg + kb*bb + kd/2) / kd
			}
			g.SetSample(y*w+x, v)
		}
		if colour {
			break
		}
	}
	if colour {
		return nil, fmt.Errorf("%w: give a luma formula (%s or %s) to convert it", ErrColour, BT601, BT709)
	}
	return g, nil
}

// stored returns a colour's R, G, B as stored, on 16 bits (8-bit values
// replicated), alpha ignored: the non-premultiplied fields of NRGBA and
// NRGBA64 (what PNG's grey+alpha and RGBA decode to) directly — converting
// them through a colour model would multiply alpha in, and read a
// transparent pixel as black. ok is false for premultiplied storage with
// partial alpha, whose grey level cannot be recovered exactly.
func stored(c color.Color) (r, g, b int, ok bool) {
	switch v := c.(type) {
	case color.NRGBA:
		return int(v.R) * 257, int(v.G) * 257, int(v.B) * 257, true
	case color.NRGBA64:
		return int(v.R), int(v.G), int(v.B), true
	}
	r32, g32, b32, a32 := c.RGBA() // premultiplied
	if a32 != 0xffff {
		return 0, 0, 0, false
	}
	return int(r32), int(g32), int(b32), true
}
