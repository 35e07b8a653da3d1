// Package imageio reads and writes the grayscale images neurocrypt works on:
// strict PGM (P2 and P5, 8- and 16-bit) and PNG, with limits that turn bad
// input into clear errors instead of panics or huge allocations.
package imageio

import (
	"fmt"
	"image"
)

// Gray is an 8-bit grayscale image stored row-major: the pixel at column x,
// row y is Pix[y*Width+x]. It is the one image type every cipher, metric and
// dataset in neurocrypt exchanges.
type Gray struct {
	Width, Height int
	Pix           []uint8
}

// NewGray returns a black image of the given size. It panics on a negative
// size; callers that take sizes from input validate them first.
func NewGray(width, height int) *Gray {
	if width < 0 || height < 0 {
		panic(fmt.Sprintf("imageio.NewGray: negative size %dx%d", width, height))
	}
	return &Gray{Width: width, Height: height, Pix: make([]uint8, width*height)}
}

// At returns the pixel at column x, row y.
func (g *Gray) At(x, y int) uint8 { return g.Pix[y*g.Width+x] }

// Set sets the pixel at column x, row y.
func (g *Gray) Set(x, y int, v uint8) { g.Pix[y*g.Width+x] = v }

// Len is the number of pixels.
func (g *Gray) Len() int { return g.Width * g.Height }

// Clone returns a deep copy.
func (g *Gray) Clone() *Gray {
	c := &Gray{Width: g.Width, Height: g.Height, Pix: make([]uint8, len(g.Pix))}
	copy(c.Pix, g.Pix)
	return c
}

// Equal reports whether a and b have the same size and pixels.
func (g *Gray) Equal(o *Gray) bool {
	if g == nil || o == nil {
		return g == o
	}
	if g.Width != o.Width || g.Height != o.Height || len(g.Pix) != len(o.Pix) {
		return false
	}
	for i := range g.Pix {
		if g.Pix[i] != o.Pix[i] {
			return false
		}
	}
	return true
}

// SameSize returns an error unless a and b have the same dimensions.
func SameSize(a, b *Gray) error {
	if a.Width != b.Width || a.Height != b.Height {
		return fmt.Errorf("image sizes differ: %dx%d vs %dx%d", a.Width, a.Height, b.Width, b.Height)
	}
	return nil
}

// SubImage copies the rectangle [x0,x0+w)×[y0,y0+h) into a new image.
func (g *Gray) SubImage(x0, y0, w, h int) (*Gray, error) {
	if x0 < 0 || y0 < 0 || w < 0 || h < 0 || x0+w > g.Width || y0+h > g.Height {
		return nil, fmt.Errorf("crop %dx%d at (%d,%d) is outside the %dx%d image", w, h, x0, y0, g.Width, g.Height)
	}
	c := NewGray(w, h)
	for y := 0; y < h; y++ {
		copy(c.Pix[y*w:(y+1)*w], g.Pix[(y0+y)*g.Width+x0:(y0+y)*g.Width+x0+w])
	}
	return c, nil
}

// ToImage converts to the standard library's *image.Gray (sharing no memory).
func (g *Gray) ToImage() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, g.Width, g.Height))
	copy(img.Pix, g.Pix)
	return img
}

// FromImage converts any image.Image to Gray using the standard library's
// luminance conversion (color.GrayModel).
func FromImage(img image.Image) *Gray {
	b := img.Bounds()
	g := NewGray(b.Dx(), b.Dy())
	if gi, ok := img.(*image.Gray); ok {
		for y := 0; y < g.Height; y++ {
			off := (b.Min.Y+y-gi.Rect.Min.Y)*gi.Stride + (b.Min.X - gi.Rect.Min.X)
			copy(g.Pix[y*g.Width:(y+1)*g.Width], gi.Pix[off:off+g.Width])
		}
		return g
	}
	for y := 0; y < g.Height; y++ {
		for x := 0; x < g.Width; x++ {
			r, gg, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			// Same weights as color.GrayModel.
			lum := (19595*r + 38470*gg + 7471*bb + 1<<15) >> 24
			g.Pix[y*g.Width+x] = uint8(lum)
		}
	}
	return g
}
