package imageio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/imageio/imagetest"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func samples(g *Gray) []int {
	out := make([]int, g.Len())
	for i := range out {
		out[i] = g.Sample(i)
	}
	return out
}

func eq(a, b []int) bool { return slices.Equal(a, b) }

// TestSampleExactPerContainerAndDepth: every container and depth reads its
// samples exactly; alpha is ignored, never multiplied in; colour is
// refused unless a luma formula is named.
func TestSampleExactPerContainerAndDepth(t *testing.T) {
	want8 := []int{0, 1, 127, 200, 254, 255}
	want16 := []int{0, 1, 256, 257, 40000, 65535}
	g8 := image.NewGray(image.Rect(0, 0, 6, 1))
	g16 := image.NewGray16(image.Rect(0, 0, 6, 1))
	ga8 := image.NewNRGBA(image.Rect(0, 0, 6, 1))    // grey+alpha 8 (as png decodes it)
	ga16 := image.NewNRGBA64(image.Rect(0, 0, 6, 1)) // grey+alpha 16
	rgbGrey := image.NewRGBA(image.Rect(0, 0, 6, 1))
	rgbGrey16 := image.NewRGBA64(image.Rect(0, 0, 6, 1))
	pal := image.NewPaletted(image.Rect(0, 0, 6, 1), color.Palette{})
	for i := range want8 {
		g8.SetGray(i, 0, color.Gray{uint8(want8[i])})
		g16.SetGray16(i, 0, color.Gray16{uint16(want16[i])})
		a := uint8(i * 50) // transparent to opaque: must not change the grey
		ga8.SetNRGBA(i, 0, color.NRGBA{uint8(want8[i]), uint8(want8[i]), uint8(want8[i]), a})
		ga16.SetNRGBA64(i, 0, color.NRGBA64{uint16(want16[i]), uint16(want16[i]), uint16(want16[i]), uint16(a) * 257})
		rgbGrey.SetRGBA(i, 0, color.RGBA{uint8(want8[i]), uint8(want8[i]), uint8(want8[i]), 255})
		rgbGrey16.SetRGBA64(i, 0, color.RGBA64{uint16(want16[i]), uint16(want16[i]), uint16(want16[i]), 0xffff})
		pal.Palette = append(pal.Palette, color.RGBA{uint8(want8[i]), uint8(want8[i]), uint8(want8[i]), 255})
		pal.SetColorIndex(i, 0, uint8(i))
	}
	pgm8 := "P5\n6 1\n255\n\x00\x01\x7f\xc8\xfe\xff"
	pgm16 := "P5\n6 1\n65535\n\x00\x00\x00\x01\x01\x00\x01\x01\x9c\x40\xff\xff"
	pgm2 := "P2\n6 1\n65535\n0 1 256 257 40000 65535\n"
	for name, tc := range map[string]struct {
		data  []byte
		depth int
		want  []int
	}{
		"PGM P5 8-bit":         {[]byte(pgm8), 8, want8},
		"PGM P5 16-bit":        {[]byte(pgm16), 16, want16},
		"PGM P2 16-bit":        {[]byte(pgm2), 16, want16},
		"PNG grey 8":           {encodePNG(t, g8), 8, want8},
		"PNG grey 16":          {encodePNG(t, g16), 16, want16},
		"PNG grey+alpha 8":     {encodePNG(t, ga8), 8, want8},
		"PNG grey+alpha 16":    {encodePNG(t, ga16), 16, want16},
		"PNG RGB, grey pixels": {encodePNG(t, rgbGrey), 8, want8},
		"PNG RGB 16, grey":     {encodePNG(t, rgbGrey16), 16, want16},
		"PNG paletted grey":    {encodePNG(t, pal), 8, want8},
	} {
		g, err := DecodeGray(bytes.NewReader(tc.data), name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if g.BitDepth() != tc.depth || !eq(samples(g), tc.want) {
			t.Errorf("%s: depth %d samples %v; want depth %d samples %v", name, g.BitDepth(), samples(g), tc.depth, tc.want)
		}
		// Written back (PGM and PNG at its depth), read again: the same.
		for _, write := range []func(*bytes.Buffer, *Gray) error{
			func(b *bytes.Buffer, g *Gray) error { return WritePGM(b, g) },
			func(b *bytes.Buffer, g *Gray) error { return WritePNG(b, g) },
		} {
			var b bytes.Buffer
			if err := write(&b, g); err != nil {
				t.Fatal(err)
			}
			back, err := DecodeGray(&b, "back")
			if err != nil || !back.Equal(g) {
				t.Errorf("%s: written and read back: %v, equal %v", name, err, back.Equal(g))
			}
		}
	}

	// Premultiplied storage with partial alpha (not what PNG decodes to,
	// but an image.Image a caller may pass) cannot give the grey exactly.
	pm := image.NewRGBA(image.Rect(0, 0, 1, 1))
	pm.SetRGBA(0, 0, color.RGBA{100, 100, 100, 128})
	if _, err := FromImage(pm, NoLuma); err == nil || !strings.Contains(err.Error(), "premultiplied") {
		t.Errorf("premultiplied partial alpha: %v", err)
	}

	colour := image.NewRGBA(image.Rect(0, 0, 2, 1))
	colour.SetRGBA(0, 0, color.RGBA{255, 0, 0, 255})
	colour.SetRGBA(1, 0, color.RGBA{10, 20, 30, 255})
	data := encodePNG(t, colour)
	_, err := DecodeGray(bytes.NewReader(data), "colour.png")
	if err == nil || !errors.Is(errors.Unwrap(err), nil) && !strings.Contains(err.Error(), "colour image") || !strings.Contains(err.Error(), "colour.png") || !strings.Contains(err.Error(), "bt601") {
		t.Errorf("colour without a luma formula: %v", err)
	}
	// Exact ties round up: 0.299·38 + 0.587·174 = 113.5 exactly.
	tie := image.NewRGBA(image.Rect(0, 0, 1, 1))
	tie.SetRGBA(0, 0, color.RGBA{38, 174, 0, 255})
	if g, err := DecodeGrayWith(bytes.NewReader(encodePNG(t, tie)), "tie.png", ReadOptions{Luma: BT601}); err != nil || !eq(samples(g), []int{114}) {
		t.Errorf("BT.601 tie 113.5: %v, %v; want 114", samples(g), err)
	}
	for luma, want := range map[Luma][]int{BT601: {76, 18}, BT709: {54, 19}} {
		g, err := DecodeGrayWith(bytes.NewReader(data), "colour.png", ReadOptions{Luma: luma})
		if err != nil || !eq(samples(g), want) {
			t.Errorf("%s: %v, %v; want %v", luma, samples(g), err, want)
		}
	}
}

// TestHardeningImageCases: the hardening cases' images (copies in the
// module's testdata/hardening; see its README).
func TestHardeningImageCases(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "hardening")
	read := func(name string) *Gray {
		g, err := ReadGray(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	c1, c2 := read("c1_16.pgm"), read("c2_16.pgm")
	if c1.BitDepth() != 16 || c1.Equal(c2) || !eq(samples(c1), []int{256, 512}) || !eq(samples(c2), []int{257, 513}) {
		t.Errorf("16-bit samples: %v and %v", samples(c1), samples(c2))
	}
	la, g200 := read("la_1x3.png"), read("g200_1x3.pgm")
	if !la.Equal(g200) {
		t.Errorf("grey 200 with alpha 0/128/255 reads %v, want %v (alpha ignored)", samples(la), samples(g200))
	}
	if p := read("p5_16bit.pgm"); p.BitDepth() != 16 {
		t.Errorf("p5_16bit.pgm: depth %d", p.BitDepth())
	}
	_, err := ReadGray(filepath.Join(dir, "png_huge_ihdr_tiny_rgba16.png"))
	if err == nil || !strings.Contains(err.Error(), "png_huge_ihdr_tiny_rgba16.png") || !strings.Contains(err.Error(), "limit") {
		t.Errorf("a tiny PNG declaring 32768² RGBA16: %v", err)
	}
	if info, err := ReadInfo(filepath.Join(dir, "c1_16.pgm")); err != nil || info.Depth != 16 || info.Width != 2 || info.Height != 1 || info.DecodedBytes != 4 {
		t.Errorf("ReadInfo: %+v, %v", info, err)
	}
}

// rawPNG is imagetest.PNG with the given rows and no rows of zeros.
func rawPNG(t testing.TB, w, h int, bitDepth, colourType byte, extra [][2]string, rows [][]byte) []byte {
	t.Helper()
	return imagetest.PNG(w, h, bitDepth, colourType, extra, rows, 0)
}

// TestOnlyEightAndSixteenBitPeaks: images whose samples have another
// peak — grey PNGs below 8 bits, PGMs with a maxval other than 255 or
// 65535 — are refused by decoding and by the header check alike, so that
// the same data never gives different numbers in different containers.
func TestOnlyEightAndSixteenBitPeaks(t *testing.T) {
	for name, data := range map[string][]byte{
		"grey4.png":   rawPNG(t, 3, 1, 4, 0, nil, [][]byte{{0x12, 0x30}}),
		"grey1.png":   rawPNG(t, 8, 1, 1, 0, nil, [][]byte{{0xa5}}),
		"max15.pgm":   []byte("P5\n3 1\n15\n\x01\x02\x03"),
		"max1023.pgm": []byte("P5\n1 1\n1023\n\x03\xff"),
		"max9.pgm":    []byte("P2\n2 1\n9\n3 9\n"),
	} {
		_, err := DecodeGray(bytes.NewReader(data), name)
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "bit") {
			t.Errorf("%s: decoded, or an unclear error: %v", name, err)
		}
		path := filepath.Join(t.TempDir(), name)
		os.WriteFile(path, data, 0o644)
		if _, err := ReadInfo(path); err == nil {
			t.Errorf("%s: the header check accepts it", name)
		}
	}
	// A paletted PNG of 4-bit indices holds 8-bit colours: read exactly.
	pal := rawPNG(t, 2, 1, 4, 3, [][2]string{{"PLTE", "\x00\x00\x00\x07\x07\x07"}}, [][]byte{{0x10}})
	if g, err := DecodeGray(bytes.NewReader(pal), "pal4.png"); err != nil || !eq(samples(g), []int{7, 0}) {
		t.Errorf("4-bit paletted grey: %v, %v", g, err)
	}
	// An index past the palette is a broken file, not black.
	past := rawPNG(t, 2, 1, 8, 3, [][2]string{{"PLTE", "\x07\x07\x07"}}, [][]byte{{0, 1}})
	if _, err := DecodeGray(bytes.NewReader(past), "past.png"); err == nil || !strings.Contains(err.Error(), "palette index 1 is past the palette's 1 colours") {
		t.Errorf("index past the palette: %v", err)
	}
}

// TestTransparencyChunk: a grey PNG with a tRNS chunk decodes to NRGBA
// (4 or 8 bytes per pixel, not 1 or 2). Its samples are read exactly
// (the transparent level keeps its value), and the header check counts
// the larger buffer: a small file declaring 16384² 16-bit grey + tRNS
// (2 GiB to decode) is refused before decoding.
func TestTransparencyChunk(t *testing.T) {
	g8 := rawPNG(t, 3, 1, 8, 0, [][2]string{{"tRNS", "\x00\xc8"}}, [][]byte{{200, 100, 7}})
	if g, err := DecodeGray(bytes.NewReader(g8), "trns8.png"); err != nil || g.BitDepth() != 8 || !eq(samples(g), []int{200, 100, 7}) {
		t.Errorf("8-bit grey + tRNS: %v, %v", g, err)
	}
	g16 := rawPNG(t, 2, 1, 16, 0, [][2]string{{"tRNS", "\x9c\x40"}}, [][]byte{{0x9c, 0x40, 0x00, 0x01}})
	if g, err := DecodeGray(bytes.NewReader(g16), "trns16.png"); err != nil || g.BitDepth() != 16 || !eq(samples(g), []int{40000, 1}) {
		t.Errorf("16-bit grey + tRNS: %v, %v", g, err)
	}
	bomb := rawPNG(t, 16384, 16384, 16, 0, [][2]string{{"tRNS", "\x00\x00"}}, nil)
	_, err := DecodeGray(bytes.NewReader(bomb), "bomb.png")
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("16384² 16-bit grey + tRNS: %v", err)
	}
	path := filepath.Join(t.TempDir(), "bomb.png")
	os.WriteFile(path, bomb, 0o644)
	if _, err := ReadInfo(path); err == nil || !strings.Contains(err.Error(), "16384x16384 may take 21475") {
		t.Errorf("header check of the tRNS bomb: %v", err)
	}
}

// TestWideRowsCount: the decoder holds two raw rows besides the image, so
// an image one row high and 100 million pixels wide (RGBA: 400 MB of
// pixels, 800 MB of rows) is refused, while a square of the same pixel
// count would fit.
func TestWideRowsCount(t *testing.T) {
	wide := rawPNG(t, 100_000_000, 1, 8, 6, nil, nil)
	if _, err := readInfo(bytes.NewReader(wide), "wide.png"); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("a 100-megapixel row: %v", err)
	}
	square := rawPNG(t, 10_000, 10_000, 8, 6, nil, nil)
	if info, err := readInfo(bytes.NewReader(square), "square.png"); err != nil || info.DecodedBytes != 4*10_000*10_000+2*(4*10_000+1) {
		t.Errorf("the same pixels as a square: %+v, %v", info, err)
	}
}

// TestInterlacedCountsTwice: an Adam7 PNG costs the decoder its passes
// and the full image, so the header check counts twice the bytes.
func TestInterlacedCountsTwice(t *testing.T) {
	var b bytes.Buffer
	g := image.NewGray16(image.Rect(0, 0, 9, 5))
	for i := range 45 {
		g.SetGray16(i%9, i/9, color.Gray16{uint16(i * 1400)})
	}
	png.Encode(&b, g) // the standard encoder does not interlace
	data := b.Bytes()
	plain, err := readInfo(bytes.NewReader(data), "plain.png")
	if err != nil {
		t.Fatal(err)
	}
	// An interlaced header for the same image size, from rawPNG with the
	// interlace byte set (its pixel data is not needed for the check).
	inter := rawPNG(t, 9, 5, 16, 0, nil, nil)
	inter[8+8+12] = 1
	crc := crc32.ChecksumIEEE(inter[12 : 12+4+13])
	binary.BigEndian.PutUint32(inter[12+4+13:], crc)
	got, err := readInfo(bytes.NewReader(inter), "adam7.png")
	if err != nil || got.DecodedBytes != 2*plain.DecodedBytes {
		t.Errorf("interlaced: %+v, %v; want twice %d bytes", got, err, plain.DecodedBytes)
	}
}
