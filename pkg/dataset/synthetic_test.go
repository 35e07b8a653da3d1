package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestSyntheticDeterministic(t *testing.T) {
	a := MustNewSynthetic(7, 3, 64)
	b := MustNewSynthetic(7, 3, 64)
	c := MustNewSynthetic(8, 3, 64)
	for i := 0; i < 3; i++ {
		ga, err := a.Load(i)
		if err != nil {
			t.Fatal(err)
		}
		gb, _ := b.Load(i)
		gc, _ := c.Load(i)
		if !ga.Equal(gb) {
			t.Errorf("image %d differs between two sources with the same seed", i)
		}
		if ga.Equal(gc) {
			t.Errorf("image %d is the same for seeds 7 and 8", i)
		}
		if again, _ := a.Load(i); !again.Equal(ga) {
			t.Errorf("image %d differs between two loads", i)
		}
	}
	g0, _ := a.Load(0)
	g1, _ := a.Load(1)
	if g0.Equal(g1) {
		t.Error("images 0 and 1 are identical")
	}
}

// TestSyntheticGolden pins the generator's output: a change here means
// every synthetic dataset hash changes, on every platform.
func TestSyntheticGolden(t *testing.T) {
	golden := map[int]string{
		64:  "deda73d9dcd5a63d9f82b1d4ffb713975b1666799d13d2815dea90131241c337",
		512: "1e2cfb299a54bf8bf603ab701fc2aa7c24b913eb93c08dec92b384d9ed5f377c",
	}
	for size, want := range golden {
		g, err := MustNewSynthetic(1, 2, size).Load(1)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(g.Pix)
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("size %d: SHA-256 of synthetic image 1 (seed 1) = %s, want %s", size, got, want)
		}
	}
}

func TestSyntheticLooksLikeAPhoto(t *testing.T) {
	src := MustNewSynthetic(3, 4, 256)
	for i := 0; i < src.Len(); i++ {
		g, err := src.Load(i)
		if err != nil {
			t.Fatal(err)
		}
		if g.Width != 256 || g.Height != 256 {
			t.Fatalf("size %dx%d", g.Width, g.Height)
		}
		if r := adjCorr(g); r < 0.8 || r > 0.9995 {
			t.Errorf("image %d: adjacent-pixel correlation %.4f, want photo-like (0.8..0.9995)", i, r)
		}
		lo, hi := 255, 0
		var hist [256]int
		for _, v := range g.Pix {
			lo, hi = min(lo, int(v)), max(hi, int(v))
			hist[v]++
		}
		if lo > 20 || hi < 235 {
			t.Errorf("image %d: range %d..%d, want contrast stretched to about 0..255", i, lo, hi)
		}
		used := 0
		for _, c := range hist {
			if c > 0 {
				used++
			}
		}
		if used < 200 {
			t.Errorf("image %d uses only %d gray levels", i, used)
		}
	}
	// Control: the correlation measure does tell noise apart.
	noise := MustNewSynthetic(3, 1, 64)
	g, _ := noise.Load(0)
	rng := &splitMix{State: 1}
	for i := range g.Pix {
		g.Pix[i] = uint8(rng.IntN(256))
	}
	if r := adjCorr(g); r > 0.2 {
		t.Errorf("noise has adjacent correlation %.3f", r)
	}
}

func TestSyntheticSourceContract(t *testing.T) {
	src := MustNewSynthetic(1, 12, 32)
	if src.Len() != 12 || src.Name() != "synthetic(seed=1,n=12,size=32)" {
		t.Errorf("Len %d, Name %q", src.Len(), src.Name())
	}
	seen := map[string]bool{}
	for i := 0; i < src.Len(); i++ {
		id := src.ID(i)
		if seen[id] {
			t.Errorf("duplicate ID %q", id)
		}
		seen[id] = true
		if i > 0 && !(src.ID(i-1) < id) {
			t.Errorf("IDs not in sorted order: %q, %q", src.ID(i-1), id)
		}
	}
	if _, err := src.Load(12); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("Load(12): %v", err)
	}
	for _, bad := range [][2]int{{0, 64}, {-1, 64}, {1, 4}, {1, MaxSyntheticSize + 1}} {
		if _, err := NewSynthetic(1, bad[0], bad[1]); err == nil {
			t.Errorf("NewSynthetic(n=%d, size=%d) accepted", bad[0], bad[1])
		}
	}
}

func BenchmarkSynthetic512(b *testing.B) {
	src := MustNewSynthetic(1, 1<<20, 512)
	for i := 0; b.Loop(); i++ {
		if _, err := src.Load(i); err != nil {
			b.Fatal(err)
		}
	}
}
