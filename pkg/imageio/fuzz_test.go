package imageio

import (
	"bytes"
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
