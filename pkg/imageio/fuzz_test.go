package imageio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDecodePGM checks that the decoder never panics, that every error is
// one line starting with the file name, and that a decoded image survives
// re-encoding: as P5 at its own maxval (same samples) and as 8-bit gray
// (same pixels). The seed corpus is in testdata/fuzz/FuzzDecodePGM.
func FuzzDecodePGM(f *testing.F) {
	f.Add([]byte("P5\n2 2\n255\n\x00\x7f\x80\xff"))
	f.Add([]byte("P2\n# c\n2 1\n9\n3 9\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePGM(bytes.NewReader(data), "fuzz.pgm")
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.pgm: ") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("malformed error %q", msg)
			}
			return
		}
		if p.Width < 1 || p.Height < 1 || p.MaxVal < 1 || p.MaxVal > MaxVal16 || len(p.Samples) != p.Width*p.Height {
			t.Fatalf("inconsistent image %dx%d maxval %d with %d samples", p.Width, p.Height, p.MaxVal, len(p.Samples))
		}
		var buf bytes.Buffer
		if err := EncodePGM(&buf, p); err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		q, err := DecodePGM(&buf, "re.pgm")
		if err != nil {
			t.Fatalf("decoding the re-encoded image: %v", err)
		}
		if q.Width != p.Width || q.Height != p.Height || q.MaxVal != p.MaxVal || !equalU16(q.Samples, p.Samples) {
			t.Fatal("P5 re-encoding changed the image")
		}
		g := p.Gray()
		buf.Reset()
		if err := WritePGM(&buf, g); err != nil {
			t.Fatalf("WritePGM: %v", err)
		}
		g2, err := DecodeGray(&buf, "re8.pgm")
		if err != nil {
			t.Fatalf("decoding the 8-bit re-encoding: %v", err)
		}
		if !g2.Equal(g) {
			t.Fatal("8-bit P5 re-encoding changed the pixels")
		}
	})
}

// fuzzImageBytes is the decoders' limit while fuzzing: small enough that
// inputs declaring big images stay cheap, large enough for every seed.
const fuzzImageBytes = 16 << 20

// FuzzDecodePNG checks the PNG path: no panic; every error one line
// starting with the file name; what the header check (readInfo) says
// agrees with what decoding gives; a decoded image is consistent at depth
// 8 or 16 and survives writing as PNG and as PGM unchanged. Seeds: every
// container and depth, the hardening cases (testdata/hardening) and the
// corpus in testdata/fuzz/FuzzDecodePNG.
func FuzzDecodePNG(f *testing.F) {
	defer func(v int64) { maxImageBytes = v }(maxImageBytes)
	maxImageBytes = fuzzImageBytes
	grey := func(img interface{ Set(x, y int, c color.Color) }, colours ...color.Color) {
		for i, c := range colours {
			img.Set(i, 0, c)
		}
	}
	r := image.Rect(0, 0, 3, 1)
	g8, g16, ga, rgb, rgb16, pal := image.NewGray(r), image.NewGray16(r), image.NewNRGBA(r), image.NewRGBA(r), image.NewRGBA64(r), image.NewPaletted(r, color.Palette{color.Gray{0}, color.Gray{200}, color.RGBA{9, 8, 7, 255}})
	grey(g8, color.Gray{1}, color.Gray{128}, color.Gray{255})
	grey(g16, color.Gray16{1}, color.Gray16{40000}, color.Gray16{65535})
	grey(ga, color.NRGBA{5, 5, 5, 0}, color.NRGBA{6, 6, 6, 128}, color.NRGBA{7, 7, 7, 255})
	grey(rgb, color.RGBA{1, 2, 3, 255}, color.RGBA{4, 4, 4, 255}, color.RGBA{0, 0, 0, 255})
	grey(rgb16, color.RGBA64{1, 1, 1, 0xffff}, color.RGBA64{300, 300, 300, 0xffff}, color.RGBA64{1, 2, 3, 0xffff})
	grey(pal, color.Gray{0}, color.Gray{200}, color.RGBA{9, 8, 7, 255})
	for _, img := range []image.Image{g8, g16, ga, rgb, rgb16, pal} {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	// Crafted headers: tRNS on grey (decodes to NRGBA), sub-8-bit grey
	// (refused), paletted with an index past the palette, interlaced.
	f.Add(rawPNG(f, 3, 1, 8, 0, [][2]string{{"tRNS", "\x00\xc8"}}, [][]byte{{200, 100, 7}}))
	f.Add(rawPNG(f, 2, 1, 16, 0, [][2]string{{"tRNS", "\x9c\x40"}}, [][]byte{{0x9c, 0x40, 0, 1}}))
	f.Add(rawPNG(f, 3, 1, 4, 0, nil, [][]byte{{0x12, 0x30}}))
	f.Add(rawPNG(f, 2, 1, 8, 3, [][2]string{{"PLTE", "\x07\x07\x07"}}, [][]byte{{0, 1}}))
	adam7 := rawPNG(f, 1, 1, 8, 0, nil, [][]byte{{42}})
	adam7[28] = 1
	binary.BigEndian.PutUint32(adam7[29:], crc32.ChecksumIEEE(adam7[12:29]))
	f.Add(adam7)
	for _, name := range []string{"la_1x3.png", "png_huge_ihdr_tiny_rgba16.png"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "hardening", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.png"
		oneLine := func(err error) {
			if msg := err.Error(); !strings.HasPrefix(msg, name+": ") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("malformed error %q", msg)
			}
		}
		info, infoErr := readInfo(bytes.NewReader(data), name)
		g, err := DecodePNGWith(bytes.NewReader(data), name, ReadOptions{Luma: BT709})
		if err != nil {
			oneLine(err)
			return
		}
		if infoErr != nil {
			t.Fatalf("decoded, but the header check failed: %v", infoErr)
		}
		if err := g.Check(); err != nil || (g.Depth != Depth8 && g.Depth != Depth16) {
			t.Fatalf("inconsistent image: %v (depth %d)", err, g.Depth)
		}
		if info.Width != g.Width || info.Height != g.Height || info.Depth != g.BitDepth() || info.DecodedBytes < int64(len(g.Pix)) || info.DecodedBytes > maxImageBytes {
			t.Fatalf("header says %+v, decoding gave %dx%d at %d bits", info, g.Width, g.Height, g.BitDepth())
		}
		if plain, err := DecodePNG(bytes.NewReader(data), name); err == nil && !plain.Equal(g) {
			t.Fatal("a luma formula changed an image that needs none")
		} else if err != nil {
			oneLine(err)
			if !errors.Is(err, ErrColour) {
				t.Fatalf("refused without a luma formula for another reason: %v", err)
			}
		}
		for _, write := range []func(io.Writer, *Gray) error{WritePNG, WritePGM} {
			var b bytes.Buffer
			if err := write(&b, g); err != nil {
				t.Fatal(err)
			}
			back, err := DecodeGray(&b, "back")
			if err != nil || !back.Equal(g) {
				t.Fatalf("written and read back: %v, equal %v", err, err == nil && back.Equal(g))
			}
		}
	})
}
