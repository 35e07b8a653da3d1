package imageio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
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

// DecodeGray reads a PGM (P2/P5) or PNG image from r, telling them apart by
// their magic bytes, and converts it to 8-bit gray (see PGM.Gray and
// DecodePNG). name is used in error messages.
func DecodeGray(r io.Reader, name string) (*Gray, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(len(pngMagic))
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	switch {
	case bytes.HasPrefix(head, []byte("P")) && len(head) >= 2:
		p, err := DecodePGM(br, name)
		if err != nil {
			return nil, err
		}
		return p.Gray(), nil
	case bytes.Equal(head, pngMagic):
		return DecodePNG(br, name)
	default:
		return nil, fmt.Errorf("%s: unknown image format: magic bytes %q are neither PGM (P2, P5) nor PNG", name, head)
	}
}

// ReadGray reads a PGM or PNG file (chosen by its magic bytes, not its
// extension) as 8-bit gray. Errors start with path.
func ReadGray(path string) (*Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	return DecodeGray(f, path)
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

// DecodePNG reads a PNG image and converts it to 8-bit gray: gray PNGs keep
// their values (16-bit ones are reduced to their high byte), colour PNGs
// go through FromImage's luminance conversion. The declared size is
// checked against MaxPixels before the pixels are decoded.
func DecodePNG(r io.Reader, name string) (*Gray, error) {
	var head bytes.Buffer
	cfg, err := png.DecodeConfig(io.TeeReader(r, &head))
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, oneLine(err.Error()))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%s: empty image: size %dx%d", name, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("%s: image %dx%d has more than the limit of %d pixels", name, cfg.Width, cfg.Height, MaxPixels)
	}
	img, err := png.Decode(io.MultiReader(&head, r))
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, oneLine(err.Error()))
	}
	return FromImage(img), nil
}

// ReadPNG reads a PNG file as 8-bit gray (see DecodePNG).
func ReadPNG(path string) (*Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	return DecodePNG(f, path)
}

// WritePNG writes g as an 8-bit grayscale PNG.
func WritePNG(w io.Writer, g *Gray) error {
	if err := checkGray(g); err != nil {
		return fmt.Errorf("imageio.WritePNG: %w", err)
	}
	return png.Encode(w, g.ToImage())
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
