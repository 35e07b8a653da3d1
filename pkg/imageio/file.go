package imageio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/atomicfile"
)

// pngMagic is the signature every PNG file starts with.
var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// ReadOptions are the choices a caller may make when reading an image.
type ReadOptions struct {
	// Luma converts colour images with this formula (BT601 or BT709);
	// NoLuma, the default, refuses them.
	Luma Luma
}

// DecodeGray reads a PGM (P2/P5) or PNG image from r, telling them apart by
// their magic bytes, sample-exact at its own depth (see the package
// documentation); colour is refused. name is used in error messages.
func DecodeGray(r io.Reader, name string) (*Gray, error) {
	return DecodeGrayWith(r, name, ReadOptions{})
}

// DecodeGrayWith is DecodeGray with options (a luma formula for colour).
func DecodeGrayWith(r io.Reader, name string, opts ReadOptions) (*Gray, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(len(pngMagic))
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	switch {
	case bytes.HasPrefix(head, []byte("P")) && len(head) >= 2:
		return decodePGMGray(br, name)
	case bytes.Equal(head, pngMagic):
		return DecodePNGWith(br, name, opts)
	default:
		return nil, fmt.Errorf("%s: unknown image format: magic bytes %q are neither PGM (P2, P5) nor PNG", name, head)
	}
}

// ReadGray reads a PGM or PNG file (chosen by its magic bytes, not its
// extension) sample-exact; colour is refused. Errors start with path.
func ReadGray(path string) (*Gray, error) { return ReadGrayWith(path, ReadOptions{}) }

// ReadGrayWith is ReadGray with options.
func ReadGrayWith(path string, opts ReadOptions) (*Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	return DecodeGrayWith(f, path, opts)
}

// Info is what an image's header says: its size, bit depth and how many
// bytes decoding it takes.
type Info struct {
	Width, Height, Depth int
	// Colour is true for a PNG stored as colour (RGB, RGBA or a palette);
	// decoding still reads it exactly when every pixel is grey.
	Colour bool
	// DecodedBytes is the memory the decoder allocates for the pixels.
	DecodedBytes int64
}

// ReadInfo reads only the header of a PGM or PNG file. It checks the
// declared size against MaxImageBytes, so that callers can check every
// input before decoding any.
func ReadInfo(path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, openError(path, err)
	}
	defer f.Close()
	return readInfo(f, path)
}

// readInfo is ReadInfo on a reader; name is used in error messages.
func readInfo(r io.Reader, name string) (Info, error) {
	br := bufio.NewReaderSize(r, 4096)
	head, err := br.Peek(len(pngMagic))
	if err != nil && err != io.EOF {
		return Info{}, fmt.Errorf("%s: %v", name, err)
	}
	switch {
	case bytes.HasPrefix(head, []byte("P")) && len(head) >= 2:
		h, err := DecodePGMHeader(br, name)
		if err != nil {
			return Info{}, err
		}
		d := Depth8
		if h.MaxVal > MaxVal8 {
			d = Depth16
		}
		return Info{Width: h.Width, Height: h.Height, Depth: d, DecodedBytes: h.RasterBytes()}, nil
	case bytes.Equal(head, pngMagic):
		_, info, err := pngConfig(br, name)
		return info, err
	}
	return Info{}, fmt.Errorf("%s: unknown image format: magic bytes %q are neither PGM (P2, P5) nor PNG", name, head)
}

// openError rewrites an os.Open error so that it starts with the path, like
// every other error here; errors.Is(err, fs.ErrNotExist) still works.
func openError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s: cannot open: %w", path, err)
}

// ReadPGM reads a PGM file at its full sample depth.
func ReadPGM(path string) (*PGM, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	return DecodePGM(f, path)
}

// pngConfig reads a PNG header and checks the size the decoder will
// allocate against MaxImageBytes (before any pixel is decoded: a 69-byte
// file may declare 32768² RGBA 16-bit pixels, 8 GiB).
func pngConfig(r io.Reader, name string) (image.Config, Info, error) {
	cfg, err := png.DecodeConfig(r)
	if err != nil {
		return cfg, Info{}, fmt.Errorf("%s: %s", name, oneLine(err.Error()))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return cfg, Info{}, fmt.Errorf("%s: empty image: size %dx%d", name, cfg.Width, cfg.Height)
	}
	info := Info{Width: cfg.Width, Height: cfg.Height, Depth: Depth8}
	bpp := int64(8) // unknown models: the largest (RGBA 16-bit)
	switch cfg.ColorModel {
	case color.GrayModel:
		bpp = 1
	case color.Gray16Model:
		bpp, info.Depth = 2, Depth16
	case color.RGBAModel, color.NRGBAModel:
		bpp, info.Colour = 4, true
	case color.RGBA64Model, color.NRGBA64Model:
		bpp, info.Depth, info.Colour = 8, Depth16, true
	default:
		if _, ok := cfg.ColorModel.(color.Palette); ok {
			bpp, info.Colour = 1, true
		}
	}
	// The decoded image, then the grey copy made from it.
	info.DecodedBytes = int64(cfg.Width) * int64(cfg.Height) * bpp
	if px := int64(cfg.Width) * int64(cfg.Height); px > MaxPixels || info.DecodedBytes > maxImageBytes {
		return cfg, info, fmt.Errorf("%s: image %dx%d would take %d bytes to decode, more than the limit of %d", name, cfg.Width, cfg.Height, info.DecodedBytes, maxImageBytes)
	}
	return cfg, info, nil
}

// DecodePNG reads a PNG image sample-exact (see the package
// documentation); colour is refused. The declared size is checked against
// MaxImageBytes before the pixels are decoded.
func DecodePNG(r io.Reader, name string) (*Gray, error) { return DecodePNGWith(r, name, ReadOptions{}) }

// DecodePNGWith is DecodePNG with options (a luma formula for colour).
func DecodePNGWith(r io.Reader, name string, opts ReadOptions) (*Gray, error) {
	var head bytes.Buffer
	if _, _, err := pngConfig(io.TeeReader(r, &head), name); err != nil {
		return nil, err
	}
	img, err := png.Decode(io.MultiReader(&head, r))
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, oneLine(err.Error()))
	}
	if g := adopt(img); g != nil {
		return g, nil
	}
	g, err := FromImage(img, opts.Luma)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return g, nil
}

// adopt returns a freshly decoded grey image as a Gray sharing its pixels
// (the layouts agree: bytes, or big-endian pairs), without a copy — the
// image's memory is held once; nil when img is not a compact grey image.
func adopt(img image.Image) *Gray {
	switch src := img.(type) {
	case *image.Gray:
		w, h := src.Rect.Dx(), src.Rect.Dy()
		if src.Rect.Min == (image.Point{}) && src.Stride == w && len(src.Pix) == w*h {
			return &Gray{Width: w, Height: h, Depth: Depth8, Pix: src.Pix}
		}
	case *image.Gray16:
		w, h := src.Rect.Dx(), src.Rect.Dy()
		if src.Rect.Min == (image.Point{}) && src.Stride == 2*w && len(src.Pix) == 2*w*h {
			return &Gray{Width: w, Height: h, Depth: Depth16, Pix: src.Pix}
		}
	}
	return nil
}

// ReadPNG reads a PNG file sample-exact (see DecodePNG).
func ReadPNG(path string) (*Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	return DecodePNG(f, path)
}

// WritePNG writes g as a grayscale PNG of its depth (8 or 16 bits).
func WritePNG(w io.Writer, g *Gray) error {
	if err := checkGray(g); err != nil {
		return fmt.Errorf("imageio.WritePNG: %w", err)
	}
	return png.Encode(w, g.view())
}

// SaveGray writes g to path atomically (via pkg/atomicfile), as a P5 PGM
// for the extension ".pgm" and as a PNG for ".png" (case-insensitive).
func SaveGray(path string, g *Gray) error {
	var write func(io.Writer, *Gray) error
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".pgm":
		write = WritePGM
	case ".png":
		write = WritePNG
	default:
		return fmt.Errorf("%s: unsupported image extension %q (want .pgm or .png)", path, ext)
	}
	if err := checkGray(g); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		if err := write(bw, g); err != nil {
			return err
		}
		return bw.Flush()
	})
}
