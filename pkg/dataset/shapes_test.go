package dataset

import (
	"bytes"
	"testing"
)

// TestShapes: labels cycle through the classes; images and masks are
// deterministic; every mask covers a whole object (between 4 % and 40 % of
// the image, away from the border's corners) whose pixels differ from the
// background's on average by the object's contrast. (The synthetic
// source's golden tests pin that drawShape's refactoring moved nothing.)
func TestShapes(t *testing.T) {
	src, err := NewShapes(11, 9, 32)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := NewShapes(11, 9, 32)
	for i := 0; i < src.Len(); i++ {
		if src.Label(i) != i%ShapeClasses {
			t.Errorf("image %d: label %d, want %d", i, src.Label(i), i%ShapeClasses)
		}
		g, err := src.Load(i)
		if err != nil {
			t.Fatal(err)
		}
		m, err := src.LoadMask(i)
		if err != nil {
			t.Fatal(err)
		}
		g2, _ := again.Load(i)
		m2, _ := again.LoadMask(i)
		if !bytes.Equal(g.Pix, g2.Pix) || !bytes.Equal(m.Pix, m2.Pix) {
			t.Errorf("image %d differs between two sources of one seed", i)
		}
		var in, inSum, outSum float64
		for k, v := range m.Pix {
			if v != 0 && v != 255 {
				t.Fatalf("image %d: mask value %d", i, v)
			}
			if v == 255 {
				in++
				inSum += float64(g.Pix[k])
			} else {
				outSum += float64(g.Pix[k])
			}
		}
		frac := in / float64(len(m.Pix))
		if frac < 0.04 || frac > 0.4 {
			t.Errorf("image %d (%s): the object covers %.3f of the image", i, ShapeClassNames[src.Label(i)], frac)
		}
		if m.Pix[0] != 0 || m.Pix[len(m.Pix)-1] != 0 {
			t.Errorf("image %d: the object reaches a corner", i)
		}
		if d := inSum/in - outSum/(float64(len(m.Pix))-in); d > -20 && d < 20 {
			t.Errorf("image %d: object and background differ by %.1f grey levels on average", i, d)
		}
	}
	if src.Label(-1) != NoLabel || src.Label(9) != NoLabel {
		t.Error("labels out of range are not NoLabel")
	}
	if _, err := src.Load(9); err == nil {
		t.Error("image out of range: no error")
	}
	if _, err := NewShapes(1, 0, 32); err == nil {
		t.Error("0 images: no error")
	}
}
