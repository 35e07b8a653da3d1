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
	"os"
	"path/filepath"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/atomicfile"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
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
	case len(head) == 0:
		return nil, fmt.Errorf("%s: empty file: no image", name)
	default:
		return nil, fmt.Errorf("%s: unknown image format: magic bytes %q are neither PGM (P2, P5) nor PNG", name, head)
	}
}

// ReadGray reads a PGM or PNG file (chosen by its magic bytes, not its
// extension) sample-exact; colour is refused. The file may be a pipe or
// FIFO (see OpenInput). Errors start with path (quoted where it holds
// characters that are not printable, see safefile.Name).
func ReadGray(path string) (*Gray, error) { return ReadGrayWith(path, ReadOptions{}) }

// ReadGrayWith is ReadGray with options.
func ReadGrayWith(path string, opts ReadOptions) (*Gray, error) {
	in, err := OpenInput(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	return in.Decode(opts)
}

// Input is an image file opened once, its header read and checked: Info
// says its size, depth and decoding cost before any pixel is decoded, so
// that a caller can check every input first — also inputs that can be
// read only once, such as pipes.
type Input struct {
	// Info is what the header says (the size limit already checked).
	Info Info
	name string
	f    *os.File
	r    io.Reader // the bytes read for the header, then the rest
}

// OpenInput opens path — a regular file, a pipe or FIFO, without blocking
// on one that nobody writes to (safefile.Stream) — and reads its header
// (see ReadInfo). Close it when done.
func OpenInput(path string) (*Input, error) {
	f, err := safefile.Stream(path)
	if err != nil {
		return nil, err
	}
	name := safefile.Name(path)
	var head headBuffer
	info, err := readInfo(io.TeeReader(f, &head), name)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Input{Info: info, name: name, f: f, r: io.MultiReader(&head, f)}, nil
}

// Name is the input's name as messages print it.
func (in *Input) Name() string { return in.name }

// Decode decodes the image (once; see DecodeGrayWith).
func (in *Input) Decode(opts ReadOptions) (*Gray, error) {
	if in.r == nil {
		return nil, fmt.Errorf("%s: already decoded", in.name)
	}
	r := in.r
	in.r = nil
	return DecodeGrayWith(r, in.name, opts)
}

// Close closes the file.
func (in *Input) Close() error { return in.f.Close() }

// Info is what an image's header says: its size, bit depth and how many
// bytes decoding it takes.
type Info struct {
	Width, Height, Depth int
	// Colour is true for a PNG stored as colour (RGB, RGBA or a palette);
	// decoding still reads it exactly when every pixel is grey.
	Colour bool
	// DecodedBytes bounds the memory the decoder allocates for the pixels
	// (for a PNG: 4 or 8 bytes per pixel, 1 for a palette, twice that when
	// interlaced; see pngConfig).
	DecodedBytes int64
}

// ReadInfo reads only the header of a PGM or PNG file. It checks the
// declared size against MaxImageBytes, so that callers can check every
// input before decoding any.
func ReadInfo(path string) (Info, error) {
	in, err := OpenInput(path)
	if err != nil {
		return Info{}, err
	}
	in.Close()
	return in.Info, nil
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
		if err := checkGrayMaxVal(h, name); err != nil {
			return Info{}, err
		}
		d := Depth8
		if h.MaxVal > MaxVal8 {
			d = Depth16
		}
		return Info{Width: h.Width, Height: h.Height, Depth: d, DecodedBytes: h.RasterBytes()}, nil
	case bytes.Equal(head, pngMagic):
		_, info, err := pngConfig(br, new(headBuffer), name)
		return info, err
	case len(head) == 0:
		return Info{}, fmt.Errorf("%s: empty file: no image", name)
	}
	return Info{}, fmt.Errorf("%s: unknown image format: magic bytes %q are neither PGM (P2, P5) nor PNG", name, head)
}

// ReadPGM reads a PGM file at its full sample depth.
func ReadPGM(path string) (*PGM, error) {
	f, err := safefile.Stream(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodePGM(f, safefile.Name(path))
}

// maxPNGHeadBytes bounds what is read of a PNG to check its header: the
// IHDR chunk, and for a paletted image everything up to its PLTE chunk
// (ancillary chunks such as an ICC profile may come first).
const maxPNGHeadBytes = 4 << 20

// errPNGHead is returned when a PNG's header chunks exceed maxPNGHeadBytes.
var errPNGHead = fmt.Errorf("header chunks before the palette take more than %d bytes", maxPNGHeadBytes)

// headBuffer keeps what was read of a PNG's header, up to maxPNGHeadBytes.
type headBuffer struct{ bytes.Buffer }

func (h *headBuffer) Write(p []byte) (int, error) {
	if h.Len()+len(p) > maxPNGHeadBytes {
		return 0, errPNGHead
	}
	return h.Buffer.Write(p)
}

// pngBytesPerPixel is what Go's PNG decoder allocates per pixel for a
// colour type and bit depth, at most: grey and RGB images that carry a
// tRNS chunk (which comes after the IHDR chunk, where the check is made)
// decode to NRGBA (4 bytes) or NRGBA64 (8 bytes).
func pngBytesPerPixel(colourType, bitDepth byte) int64 {
	if colourType == 3 { // palette indices
		return 1
	}
	if bitDepth == 16 {
		return 8
	}
	return 4
}

// pngConfig reads a PNG header and checks the size the decoder may
// allocate against the limit (MaxImageBytes) before any pixel is decoded:
// a 69-byte file may declare 32768² RGBA 16-bit pixels, 8 GiB. Grey PNGs
// below 8 bits are refused (see the package documentation). What it reads
// is kept in head, for a decoder to read again.
func pngConfig(r io.Reader, head *headBuffer, name string) (image.Config, Info, error) {
	cfg, err := png.DecodeConfig(io.TeeReader(r, head))
	if errors.Is(err, errPNGHead) {
		return cfg, Info{}, fmt.Errorf("%s: %v", name, errPNGHead)
	}
	if err != nil {
		return cfg, Info{}, fmt.Errorf("%s: %s", name, oneLine(err.Error()))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return cfg, Info{}, fmt.Errorf("%s: empty image: size %dx%d", name, cfg.Width, cfg.Height)
	}
	// The IHDR chunk follows the signature: length, "IHDR", width, height,
	// bit depth, colour type (DecodeConfig has checked it).
	h := head.Bytes()
	bitDepth, colourType := h[24], h[25]
	if colourType == 0 && bitDepth < 8 {
		return cfg, Info{}, fmt.Errorf("%s: a %d-bit grey PNG: only 8- and 16-bit samples are read, each at its own peak (255, 65535); convert it to 8 bits first", name, bitDepth)
	}
	info := Info{Width: cfg.Width, Height: cfg.Height, Depth: Depth8, Colour: colourType == 2 || colourType == 3 || colourType == 6}
	if bitDepth == 16 {
		info.Depth = Depth16
	}
	info.DecodedBytes = int64(cfg.Width) * int64(cfg.Height) * pngBytesPerPixel(colourType, bitDepth)
	// The decoder also holds the current and the previous raw row (for
	// the filters): negligible, except for a very wide image.
	channels := map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colourType]
	info.DecodedBytes += 2 * ((int64(cfg.Width)*channels*int64(bitDepth)+7)/8 + 1)
	if interlaced := h[28] == 1; interlaced {
		// Adam7: the decoder fills an image per pass, then copies them
		// into the full one: twice the memory at the end.
		info.DecodedBytes *= 2
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > MaxPixels || info.DecodedBytes > maxImageBytes {
		return cfg, info, fmt.Errorf("%s: image %dx%d may take %d bytes to decode, more than the limit of %d", name, cfg.Width, cfg.Height, info.DecodedBytes, maxImageBytes)
	}
	return cfg, info, nil
}

// DecodePNG reads a PNG image sample-exact (see the package
// documentation); colour is refused. The declared size is checked against
// MaxImageBytes before the pixels are decoded.
func DecodePNG(r io.Reader, name string) (*Gray, error) { return DecodePNGWith(r, name, ReadOptions{}) }

// DecodePNGWith is DecodePNG with options (a luma formula for colour).
func DecodePNGWith(r io.Reader, name string, opts ReadOptions) (*Gray, error) {
	var head headBuffer
	cfg, _, err := pngConfig(r, &head, name)
	if err != nil {
		return nil, err
	}
	img, err := png.Decode(io.MultiReader(&head, r))
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, oneLine(err.Error()))
	}
	// Go's decoder reads an index past the PLTE chunk's colours as opaque
	// black, lengthening the palette: a broken file, refused.
	if p, ok := img.(*image.Paletted); ok {
		if plte, ok := cfg.ColorModel.(color.Palette); ok && len(p.Palette) > len(plte) {
			return nil, fmt.Errorf("%s: palette index %d is past the palette's %d colours", name, len(p.Palette)-1, len(plte))
		}
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
	f, err := safefile.Stream(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodePNG(f, safefile.Name(path))
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
