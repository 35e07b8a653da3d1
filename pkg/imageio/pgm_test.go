package imageio

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func decode(t *testing.T, data string) (*PGM, error) {
	t.Helper()
	return DecodePGM(strings.NewReader(data), "photo.pgm")
}

func TestDecodePGMValid(t *testing.T) {
	tests := []struct {
		name, data string
		w, h, max  int
		plain      bool
		samples    []uint16
	}{
		{"P5 8-bit", "P5\n3 2\n255\n\x00\x01\x02\xfd\xfe\xff", 3, 2, 255, false, []uint16{0, 1, 2, 253, 254, 255}},
		{"P5 16-bit", "P5 2 1 65535\n\x01\x02\xff\xff", 2, 1, 65535, false, []uint16{0x0102, 0xffff}},
		{"P5 16-bit maxval 256", "P5\n1 1\n256\n\x01\x00", 1, 1, 256, false, []uint16{256}},
		{"P5 maxval 1", "P5\n2 1\n1\n\x00\x01", 2, 1, 1, false, []uint16{0, 1}},
		{"P5 trailing data ignored", "P5\n1 1\n255\n\x07garbage", 1, 1, 255, false, []uint16{7}},
		{"P5 CRLF", "P5\r\n1 1\r\n255\r\x09", 1, 1, 255, false, []uint16{9}},
		{"P2 comments", "P2\n# made by hand\n2 2 # size\n# max next\n15\n0 5\n# mid-raster\n10 15\n", 2, 2, 15, true, []uint16{0, 5, 10, 15}},
		{"P2 comment right after magic", "P2#c\n1 1 9 9", 1, 1, 9, true, []uint16{9}},
		{"P2 no trailing newline", "P2 1 2 300 299 300", 1, 2, 300, true, []uint16{299, 300}},
		{"P5 comment ends header", "P5\n1 1\n255#c\n\x2a", 1, 1, 255, false, []uint16{42}},
		{"P2 leading zeros", "P2 1 1 0255 000255", 1, 1, 255, true, []uint16{255}},
		{"P5 empty comment", "P5 #\n1 1 255 \x05", 1, 1, 255, false, []uint16{5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := decode(t, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if p.Width != tc.w || p.Height != tc.h || p.MaxVal != tc.max || p.Plain != tc.plain {
				t.Fatalf("got %dx%d maxval %d plain %v, want %dx%d maxval %d plain %v",
					p.Width, p.Height, p.MaxVal, p.Plain, tc.w, tc.h, tc.max, tc.plain)
			}
			if !equalU16(p.Samples, tc.samples) {
				t.Fatalf("samples %v, want %v", p.Samples, tc.samples)
			}
		})
	}
}

func equalU16(a, b []uint16) bool { return slices.Equal(a, b) }

func TestDecodePGMErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"empty", "", "too short"},
		{"bad magic", "P9\n1 1\n255\n\x00", "bad magic number"},
		{"png magic", "\x89PNG\r\n\x1a\n", "bad magic number"},
		{"ppm", "P6\n1 1\n255\n\x00\x00\x00", "colour (PPM P6)"},
		{"pbm", "P4\n8 1\n\x00", "bitmap (PBM P4)"},
		{"no space after magic", "P51 1 255\n\x00", "want whitespace after magic"},
		{"width 0", "P5\n0 1\n255\n", "empty image: size 0x1"},
		{"height 0", "P5\n1 0\n255\n", "empty image: size 1x0"},
		{"maxval 0", "P5\n1 1\n0\n\x00", "maxval 0 is invalid"},
		{"maxval too large", "P5\n1 1\n65536\n\x00\x00", "maxval 65536 is too large"},
		{"width not a number", "P5\nabc 1\n255\n", "width is not a number"},
		{"negative height", "P5\n1 -1\n255\n", "height is not a number"},
		{"number then junk", "P5\n12x 1\n255\n", `unexpected 'x' after 12`},
		{"overflowing width", "P5\n99999999999999999999999 1\n255\n", "width is too large: more than 10 digits"},
		{"width over limit", "P5\n2000000000 1\n255\n", "width 2000000000 is too large"},
		{"huge size", "P5\n65536 65536\n255\n", "more than the limit of 1073741824"},
		{"missing height", "P5\n1", "missing height: unexpected end of file"},
		{"missing maxval", "P5\n1 1 # comment never ends", "missing maxval"},
		{"no whitespace after maxval", "P5\n1 1\n255", "missing whitespace after maxval"},
		{"comment after maxval runs to EOF", "P5\n1 1\n255#xx", "missing whitespace after maxval"},
		{"truncated P5", "P5\n4 4\n255\n\x00\x01\x02", "truncated pixel data: got 3 of 16 bytes"},
		{"truncated P5 16-bit", "P5\n2 1\n1000\n\x00\x01\x02", "truncated pixel data: got 3 of 4 bytes"},
		{"truncated P2", "P2\n2 2\n255\n1 2 3", "truncated pixel data: got 3 of 4 samples"},
		{"P2 sample above maxval", "P2\n2 1\n10\n3 11\n", "sample at (1,0) exceeds maxval 10"},
		{"P2 long sample", "P2\n1 1\n255\n99999999999999999999999999\n", "exceeds maxval 255"},
		{"P2 junk sample", "P2\n2 1\n255\n3 x\n", "is not a number"},
		{"P2 sample then junk", "P2\n2 1\n255\n3 4x\n", "is not a number"},
		{"P5 sample above maxval", "P5\n2 1\n100\n\x10\xc8", "sample 200 at (1,0) exceeds maxval 100"},
		{"P5 16-bit sample above maxval", "P5\n1 1\n1000\n\x03\xe9", "sample 1001 at (0,0) exceeds maxval 1000"},
		{"newline in header junk stays one line", "P5\n1\n\x01", "height is not a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decode(t, tc.data)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "photo.pgm: ") {
				t.Errorf("error %q does not start with the file name", msg)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error %q is not one line", msg)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not mention %q", msg, tc.want)
			}
		})
	}
}

func TestDecodePGMTruncatedLargeDeclaredSize(t *testing.T) {
	// 20000×20000 is legal (4e8 bytes < MaxImageBytes) but the file holds
	// 100 bytes: the decoder must fail without allocating the declared 400 MB.
	data := "P5\n20000 20000\n255\n" + strings.Repeat("\x01", 100)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := decode(t, data)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "got 100 of 400000000 bytes") {
		t.Fatalf("got %v", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 16<<20 {
		t.Errorf("decoding a 100-byte truncated file allocated %d bytes", d)
	}
}

// TestGraySampleExact: samples come in as stored, never rescaled; maxval
// up to 255 gives an 8-bit image, above it a 16-bit one.
func TestGraySampleExact(t *testing.T) {
	for _, tc := range []struct {
		max     int
		samples []uint16
		depth   int
	}{
		{255, []uint16{0, 1, 128, 255}, 8},
		{1, []uint16{0, 1}, 8},
		{15, []uint16{0, 1, 7, 8, 15}, 8},
		{65535, []uint16{0, 128, 129, 257, 32767, 65535}, 16},
		{1000, []uint16{0, 2, 500, 998, 1000}, 16},
	} {
		p := &PGM{Width: len(tc.samples), Height: 1, MaxVal: tc.max, Samples: tc.samples}
		g := p.Gray()
		if g.BitDepth() != tc.depth {
			t.Errorf("maxval %d: depth %d, want %d", tc.max, g.BitDepth(), tc.depth)
		}
		for i, v := range tc.samples {
			if g.Sample(i) != int(v) {
				t.Errorf("maxval %d: sample %d = %d, want %d", tc.max, i, g.Sample(i), v)
			}
		}
	}
}

func TestEncodePGMRoundTrip(t *testing.T) {
	for _, max := range []int{1, 200, 255, 256, 4095, 65535} {
		p := &PGM{Width: 5, Height: 3, MaxVal: max, Samples: make([]uint16, 15)}
		for i := range p.Samples {
			p.Samples[i] = uint16((i * 7919) % (max + 1))
		}
		var buf bytes.Buffer
		if err := EncodePGM(&buf, p); err != nil {
			t.Fatal(err)
		}
		q, err := DecodePGM(&buf, "rt.pgm")
		if err != nil {
			t.Fatal(err)
		}
		if q.Width != 5 || q.Height != 3 || q.MaxVal != max || !equalU16(q.Samples, p.Samples) {
			t.Errorf("maxval %d: round trip changed the image", max)
		}
	}
	bad := &PGM{Width: 1, Height: 1, MaxVal: 10, Samples: []uint16{11}}
	if err := EncodePGM(io.Discard, bad); err == nil {
		t.Error("EncodePGM accepted a sample above maxval")
	}
}

func testGray(w, h int) *Gray {
	g := NewGray(w, h)
	for i := range g.Pix {
		g.Pix[i] = uint8(i*31 + i/w)
	}
	return g
}

func TestWritePGMReadGray(t *testing.T) {
	g := testGray(7, 5)
	var buf bytes.Buffer
	if err := WritePGM(&buf, g); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("P5\n7 5\n255\n")) || buf.Len() != 11+35 {
		t.Fatalf("unexpected encoding %q", buf.Bytes()[:11])
	}
	got, err := DecodeGray(&buf, "x.pgm")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(g) {
		t.Error("PGM round trip changed the pixels")
	}
	if err := WritePGM(io.Discard, &Gray{Width: 2, Height: 2, Pix: []uint8{1}}); err == nil {
		t.Error("WritePGM accepted an inconsistent image")
	}
}

func TestSaveGrayAndReadGray(t *testing.T) {
	dir := t.TempDir()
	g := testGray(9, 4)
	for _, name := range []string{"a.pgm", "b.png", "c.PNG"} {
		path := filepath.Join(dir, "sub", name)
		if err := SaveGray(path, g); err != nil {
			t.Fatal(err)
		}
		got, err := ReadGray(path)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Equal(g) {
			t.Errorf("%s: round trip changed the pixels", name)
		}
	}
	// ReadGray goes by magic bytes, not the extension.
	png := filepath.Join(dir, "sub", "b.png")
	disguised := filepath.Join(dir, "disguised.pgm")
	data, _ := os.ReadFile(png)
	os.WriteFile(disguised, data, 0o644)
	if got, err := ReadGray(disguised); err != nil || !got.Equal(g) {
		t.Errorf("PNG named .pgm: %v", err)
	}
	if got, err := ReadPNG(png); err != nil || !got.Equal(g) {
		t.Errorf("ReadPNG: %v", err)
	}
	if err := SaveGray(filepath.Join(dir, "x.jpg"), g); err == nil || !strings.Contains(err.Error(), "x.jpg") {
		t.Errorf("SaveGray .jpg: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "sub"))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestReadGrayErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.bin")
	os.WriteFile(junk, []byte("GIF89a...."), 0o644)
	if _, err := ReadGray(junk); err == nil || !strings.HasPrefix(err.Error(), junk+": unknown image format") {
		t.Errorf("junk: %v", err)
	}
	trunc := filepath.Join(dir, "t.pgm")
	os.WriteFile(trunc, []byte("P5\n10 10\n255\n\x00"), 0o644)
	if _, err := ReadGray(trunc); err == nil || err.Error() != trunc+": truncated pixel data: got 1 of 100 bytes" {
		t.Errorf("truncated: %v", err)
	}
	badpng := filepath.Join(dir, "bad.png")
	os.WriteFile(badpng, append([]byte("\x89PNG\r\n\x1a\n"), 0, 0, 0), 0o644)
	if _, err := ReadGray(badpng); err == nil || !strings.HasPrefix(err.Error(), badpng+": ") {
		t.Errorf("bad png: %v", err)
	}
	missing := filepath.Join(dir, "missing.pgm")
	if _, err := ReadGray(missing); err == nil || !strings.HasPrefix(err.Error(), missing+": cannot open: ") || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

func TestDecodePGMHeader(t *testing.T) {
	h, err := DecodePGMHeader(strings.NewReader("P5\n# c\n512 256\n65535\n\x00"), "h.pgm")
	if err != nil {
		t.Fatal(err)
	}
	if h.Width != 512 || h.Height != 256 || h.MaxVal != 65535 || h.Plain || h.Len != 21 {
		t.Errorf("got %+v", *h)
	}
	if h.RasterBytes() != 512*256*2 {
		t.Errorf("RasterBytes = %d", h.RasterBytes())
	}
}

// TestPGMHeaderAndCommentsAreBounded: a header or a comment of gigabytes
// (a sparse file, a decompression bomb) is refused after reading at most
// about MaxHeaderBytes, not read to its end.
func TestPGMHeaderAndCommentsAreBounded(t *testing.T) {
	endless := func(prefix string, fill byte) io.Reader {
		return io.MultiReader(strings.NewReader(prefix), &repeatReader{b: fill, n: 1 << 40})
	}
	for name, r := range map[string]io.Reader{
		"one huge comment":   endless("P5\n# ", 'x'),
		"comment after maxv": endless("P5 2 2 255#", 'y'),
		"many comments":      endless("P5\n", '#'),
		"endless spaces":     endless("P5 ", ' '),
	} {
		rr := &countingReader{r: r}
		_, err := DecodePGM(rr, "bomb.pgm")
		if err == nil || !strings.Contains(err.Error(), "bomb.pgm") || !strings.Contains(err.Error(), "longer than") {
			t.Errorf("%s: %v; want an error naming the file and the bound", name, err)
		}
		if rr.n > 2*MaxHeaderBytes+4096 {
			t.Errorf("%s: read %d bytes before refusing", name, rr.n)
		}
	}
	// A long comment in a P2 raster is refused too.
	p2 := "P2 2 1 255\n1 # " + strings.Repeat("z", MaxCommentBytes+10) + "\n2\n"
	if _, err := DecodePGM(strings.NewReader(p2), "p2.pgm"); err == nil || !strings.Contains(err.Error(), "comment longer than") {
		t.Errorf("long P2 comment: %v", err)
	}
}

type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return int(k), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}
