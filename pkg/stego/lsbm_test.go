package stego

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// natural returns a 128×128 synthetic photograph-like 8-bit cover.
func natural(t *testing.T) *imageio.Gray {
	t.Helper()
	src, err := dataset.NewSynthetic(1, 1, 128)
	if err != nil {
		t.Fatal(err)
	}
	g, err := src.Load(0)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// constant returns a w×h 8-bit image with every pixel v.
func constant(w, h int, v uint8) *imageio.Gray {
	g := imageio.NewGray(w, h)
	for i := range g.Pix {
		g.Pix[i] = v
	}
	return g
}

// diffs checks that every pixel of stego differs from cover by 0 or ±1
// (compared as integers, so a wrap 0 ↔ 255 shows as ±255) and returns the
// number of +1 and −1 changes.
func diffs(t *testing.T, cover, stego *imageio.Gray) (plus, minus int) {
	t.Helper()
	if stego.Width != cover.Width || stego.Height != cover.Height || stego.BitDepth() != 8 || len(stego.Pix) != len(cover.Pix) {
		t.Fatalf("stego image is %dx%d %d-bit with %d bytes, cover %dx%d", stego.Width, stego.Height, stego.BitDepth(), len(stego.Pix), cover.Width, cover.Height)
	}
	for i := range cover.Pix {
		switch d := int(stego.Pix[i]) - int(cover.Pix[i]); d {
		case 0:
		case 1:
			plus++
		case -1:
			minus++
		default:
			t.Fatalf("pixel %d changed by %d (%d → %d), want 0 or ±1", i, d, cover.Pix[i], stego.Pix[i])
		}
	}
	return plus, minus
}

// TestEmbedChangesAndExtracts: on a natural-like 128×128 cover at the
// default rate, every pixel moves by 0 or ±1, only pixels on the path
// move, the number of changes is within 5σ of its binomial mean, +1 and
// −1 are balanced, the message reads back, and the cover is untouched.
func TestEmbedChangesAndExtracts(t *testing.T) {
	cover := natural(t)
	orig := cover.Clone()
	for _, seed := range []uint64{1, 2, 3, 42} {
		e, err := Embed(cover, DefaultRate, seed)
		if err != nil {
			t.Fatal(err)
		}
		if !cover.Equal(orig) {
			t.Fatal("Embed modified its cover")
		}
		// 128² = 16384 pixels at 0.4 bpp: round(6553.6) = 6554 bits.
		if e.Payload != 6554 {
			t.Fatalf("seed %d: payload %d bits, want 6554", seed, e.Payload)
		}
		plus, minus := diffs(t, cover, e.Stego)
		if plus+minus != e.Changed {
			t.Errorf("seed %d: Changed = %d, but %d pixels differ", seed, e.Changed, plus+minus)
		}
		// Each message bit is uniform, so it differs from the pixel's LSB
		// with probability ½ whatever the cover: Changed ~ Binomial(6554,
		// ½), mean 3277, σ = √6554/2 ≈ 40.5, 5σ ≈ 202.
		mean, sigma := float64(e.Payload)/2, math.Sqrt(float64(e.Payload))/2
		if d := math.Abs(float64(e.Changed) - mean); d > 5*sigma {
			t.Errorf("seed %d: %d changed pixels, %.1f from the mean %.0f (5σ = %.1f)", seed, e.Changed, d, mean, 5*sigma)
		}
		// The synthetic cover is stretched to about 4..251, so (nearly)
		// every change picks its sign at random: plus ~ Binomial(Changed,
		// ½) within 5σ.
		if d := math.Abs(float64(plus) - float64(e.Changed)/2); d > 5*math.Sqrt(float64(e.Changed))/2 {
			t.Errorf("seed %d: %d of %d changes are +1: the signs are not balanced", seed, plus, e.Changed)
		}
		// Only path pixels move.
		onPath := make([]bool, cover.Len())
		p := path(cover.Len(), e.Payload, seed)
		for _, i := range p {
			onPath[i] = true
		}
		for i := range cover.Pix {
			if !onPath[i] && cover.Pix[i] != e.Stego.Pix[i] {
				t.Fatalf("seed %d: pixel %d is off the path but changed", seed, i)
			}
		}
		got, err := Extract(e.Stego, DefaultRate, seed)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Message(e.Payload, seed)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d: extracted message differs from the embedded one", seed)
		}
		img, err := LSBMatching(cover, DefaultRate, seed)
		if err != nil {
			t.Fatal(err)
		}
		if !img.Equal(e.Stego) {
			t.Fatalf("seed %d: LSBMatching differs from Embed's stego image", seed)
		}
	}
}

// TestMessageBits: message bits are 0 or 1, about half of each, and a
// shorter message is a prefix of a longer one.
func TestMessageBits(t *testing.T) {
	long, err := Message(10000, 7)
	if err != nil {
		t.Fatal(err)
	}
	ones := 0
	for i, b := range long {
		if b > 1 {
			t.Fatalf("bit %d is %d", i, b)
		}
		ones += int(b)
	}
	// Binomial(10000, ½): σ = 50.
	if ones < 5000-250 || ones > 5000+250 {
		t.Errorf("%d ones in 10000 bits", ones)
	}
	short, _ := Message(100, 7)
	if !slices.Equal(short, long[:100]) {
		t.Error("Message(100) is not a prefix of Message(10000)")
	}
	other, _ := Message(100, 8)
	if slices.Equal(short, other) {
		t.Error("seeds 7 and 8 give the same message")
	}
	if m, err := Message(0, 7); err != nil || len(m) != 0 {
		t.Errorf("Message(0) = %v, %v", m, err)
	}
	if _, err := Message(MaxMessageBits+1, 7); err == nil {
		t.Error("Message(MaxMessageBits+1) gave no error")
	}
	if _, err := Message(-1, 7); err == nil {
		t.Error("Message(-1) gave no error")
	}
}

// TestPathDistinct: the path visits distinct in-range pixels, the whole
// image at rate 1, and a smaller payload's path is a prefix.
func TestPathDistinct(t *testing.T) {
	full := path(1000, 1000, 5)
	seen := make([]bool, 1000)
	for _, i := range full {
		if i < 0 || i >= 1000 || seen[i] {
			t.Fatalf("pixel %d is out of range or visited twice", i)
		}
		seen[i] = true
	}
	if !slices.Equal(path(1000, 400, 5), full[:400]) {
		t.Error("the path at 400 bits is not a prefix of the full path")
	}
	if slices.Equal(path(1000, 400, 6), full[:400]) {
		t.Error("seeds 5 and 6 give the same path")
	}
}

// TestSaturatedNeverWraps: at rate 1 every pixel carries a bit; in an
// all-0 image each changed pixel becomes 1, in an all-255 image 254.
func TestSaturatedNeverWraps(t *testing.T) {
	for _, c := range []struct {
		v, to uint8
	}{{0, 1}, {255, 254}} {
		cover := constant(64, 64, c.v)
		e, err := Embed(cover, 1, 9)
		if err != nil {
			t.Fatal(err)
		}
		diffs(t, cover, e.Stego)
		n := 0
		for i, v := range e.Stego.Pix {
			if v != c.v && v != c.to {
				t.Fatalf("all-%d cover: pixel %d became %d, want %d or %d", c.v, i, v, c.v, c.to)
			}
			if v == c.to {
				n++
			}
		}
		if n != e.Changed || n == 0 {
			t.Errorf("all-%d cover: %d pixels became %d, Changed = %d", c.v, n, c.to, e.Changed)
		}
		msg, err := Extract(e.Stego, 1, 9)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Message(64*64, 9)
		if !slices.Equal(msg, want) {
			t.Errorf("all-%d cover: extracted message differs", c.v)
		}
	}
}

// TestDeterministic: the same seed gives the same stego image, another
// seed another one.
func TestDeterministic(t *testing.T) {
	cover := natural(t)
	a, err := LSBMatching(cover, DefaultRate, 11)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LSBMatching(cover, DefaultRate, 11)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Equal(b) {
		t.Error("the same seed gave different stego images")
	}
	c, err := LSBMatching(cover, DefaultRate, 12)
	if err != nil {
		t.Fatal(err)
	}
	if a.Equal(c) {
		t.Error("seeds 11 and 12 gave the same stego image")
	}
}

// TestKnownValue pins the embedding (message, path and sign streams and
// their derivation from the seed): a change to any of them changes every
// stego image of the steganalysis data set. The values are this
// implementation's own output, recorded when it was written.
func TestKnownValue(t *testing.T) {
	cover := &imageio.Gray{Width: 4, Height: 2, Pix: []uint8{0, 10, 100, 101, 128, 200, 254, 255}}
	e, err := Embed(cover, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []uint8{0, 9, 100, 101, 129, 199, 253, 254}
	if !slices.Equal(e.Stego.Pix, want) || e.Changed != 5 || e.Payload != 8 {
		t.Errorf("stego pixels %v (%d of %d bits changed a pixel), want %v (5 of 8)", e.Stego.Pix, e.Changed, e.Payload, want)
	}
}

// TestErrors: bad rates, nil, inconsistent, empty and 16-bit images are
// refused with one-line errors, and the cover is left alone.
func TestErrors(t *testing.T) {
	cover := natural(t)
	for _, rate := range []float64{0, -0.1, 1.0000001, 2, math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := Embed(cover, rate, 1); err == nil || !strings.Contains(err.Error(), "rate") {
			t.Errorf("rate %v: error %v, want one about the rate", rate, err)
		}
		if _, err := Extract(cover, rate, 1); err == nil {
			t.Errorf("Extract at rate %v gave no error", rate)
		}
	}
	// 0.4 bpp of a 1-pixel image rounds to no bits.
	if _, err := Embed(constant(1, 1, 7), 0.4, 1); err == nil || !strings.Contains(err.Error(), "no bits") {
		t.Errorf("1-pixel image at 0.4 bpp: error %v", err)
	}
	deep := imageio.MustNewGrayDepth(8, 8, imageio.Depth16)
	bad := []struct {
		name string
		g    *imageio.Gray
		want string
	}{
		{"nil", nil, "nil"},
		{"16-bit", deep, "16-bit"},
		{"short buffer", &imageio.Gray{Width: 4, Height: 4, Pix: make([]uint8, 3)}, "sample bytes"},
		{"bad depth", &imageio.Gray{Width: 1, Height: 1, Depth: 12, Pix: []uint8{1}}, "depth"},
		{"empty", imageio.NewGray(0, 5), "empty"},
	}
	for _, c := range bad {
		for fn, call := range map[string]func() error{
			"Embed":       func() error { _, err := Embed(c.g, DefaultRate, 1); return err },
			"LSBMatching": func() error { _, err := LSBMatching(c.g, DefaultRate, 1); return err },
			"Extract":     func() error { _, err := Extract(c.g, DefaultRate, 1); return err },
		} {
			err := call()
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s(%s image): error %v, want one line mentioning %q", fn, c.name, err, c.want)
			}
		}
	}
	if !deep.Equal(imageio.MustNewGrayDepth(8, 8, imageio.Depth16)) {
		t.Error("the refused 16-bit image was modified")
	}
}

// TestPayload: round(rate·N), halves away from zero.
func TestPayload(t *testing.T) {
	for _, c := range []struct {
		pixels int
		rate   float64
		want   int
	}{
		{512 * 512, DefaultRate, 104858}, // 104857.6
		{10, 0.25, 3},                    // 2.5 rounds up
		{10, 1, 10},
		{3, 0.2, 1}, // 0.6
	} {
		if got, err := Payload(c.pixels, c.rate); err != nil || got != c.want {
			t.Errorf("Payload(%d, %v) = %d, %v; want %d", c.pixels, c.rate, got, err, c.want)
		}
	}
	if _, err := Payload(0, 0.5); err == nil {
		t.Error("Payload of 0 pixels gave no error")
	}
}
