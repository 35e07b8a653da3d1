package imagetest

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

// The files are valid PNGs that decode to the rows given, then the zeros.
func TestPNGDecodes(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(PNG(2, 3, 8, 0, nil, [][]byte{{1, 2}}, 2)))
	if err != nil {
		t.Fatal(err)
	}
	g, ok := img.(*image.Gray)
	if !ok || g.Bounds().Dx() != 2 || g.Bounds().Dy() != 3 || !bytes.Equal(g.Pix, []byte{1, 2, 0, 0, 0, 0}) {
		t.Errorf("decoded %T %v", img, img.Bounds())
	}
	// Extra chunks come before the pixels: a tRNS chunk makes grey NRGBA.
	img, err = png.Decode(bytes.NewReader(PNG(1, 1, 8, 0, [][2]string{{"tRNS", "\x00\x07"}}, [][]byte{{7}}, 0)))
	if _, ok := img.(*image.NRGBA); err != nil || !ok {
		t.Errorf("grey with tRNS: %T, %v", img, err)
	}
}
