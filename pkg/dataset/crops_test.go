package dataset

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// fakeSource is a cheap Source: image i is w×h with pixels that encode the
// image and position, so crops can be traced back.
type fakeSource struct {
	n, w, h int
	reverse bool         // list the same images in reverse order
	small   map[int]bool // images that are 1×1
}

func (f *fakeSource) Name() string { return fmt.Sprintf("fake(n=%d)", f.n) }
func (f *fakeSource) Len() int     { return f.n }
func (f *fakeSource) index(i int) int {
	if f.reverse {
		return f.n - 1 - i
	}
	return i
}
func (f *fakeSource) ID(i int) string { return fmt.Sprintf("img%05d", f.index(i)) }
func (f *fakeSource) Load(i int) (*imageio.Gray, error) {
	if f.small[i] {
		return imageio.NewGray(1, 1), nil
	}
	k := f.index(i)
	g := imageio.NewGray(f.w, f.h)
	for y := 0; y < f.h; y++ {
		for x := 0; x < f.w; x++ {
			g.Set(x, y, uint8(k*13+x*3+y*7))
		}
	}
	return g, nil
}

func idSet(crops []Crop) map[string]int {
	m := map[string]int{}
	for _, c := range crops {
		m[c.ImageID]++
	}
	return m
}

// TestPaperSizeSplit: BOSSbase's 10 000 images, 4 crops each → 40 000
// crops, 32 000 train / 8 000 test (tiny fake images stand in for 512²).
func TestPaperSizeSplit(t *testing.T) {
	src := &fakeSource{n: BOSSCount, w: 8, h: 8}
	s, err := NewSet(src, CropConfig{Size: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Train) != 32000 || len(s.Test) != 8000 || len(s.TrainIDs) != 8000 || len(s.TestIDs) != 2000 {
		t.Fatalf("train %d crops / %d images, test %d crops / %d images", len(s.Train), len(s.TrainIDs), len(s.Test), len(s.TestIDs))
	}
	train, test := idSet(s.Train), idSet(s.Test)
	for id, c := range train {
		if test[id] > 0 {
			t.Fatalf("image %s has crops in train and test", id)
		}
		if c != 4 {
			t.Fatalf("image %s has %d train crops", id, c)
		}
	}
	if s.Config.PerImage != DefaultPerImage || s.Config.TestFraction != DefaultTestFraction {
		t.Errorf("defaults not recorded: %+v", s.Config)
	}
}

func TestQuadrants(t *testing.T) {
	src := &fakeSource{n: 3, w: 512, h: 512}
	s, err := NewSet(src, CropConfig{Size: 256, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]Crop{}, s.Train...), s.Test...)
	if len(all) != 12 {
		t.Fatalf("%d crops", len(all))
	}
	for k, c := range all {
		want := [4][2]int{{0, 0}, {256, 0}, {0, 256}, {256, 256}}[k%4]
		if c.X != want[0] || c.Y != want[1] || c.Image.Width != 256 || c.Image.Height != 256 {
			t.Errorf("crop %d of %s at (%d,%d) %dx%d, want (%d,%d)", k, c.ImageID, c.X, c.Y, c.Image.Width, c.Image.Height, want[0], want[1])
		}
		// The crop holds the source pixels at its position.
		var i int
		fmt.Sscanf(c.ImageID, "img%d", &i)
		full, _ := src.Load(i)
		ref, _ := full.SubImage(c.X, c.Y, 256, 256)
		if !c.Image.Equal(ref) {
			t.Errorf("crop %d pixels differ from the source", k)
		}
	}
	if len(s.TestIDs) != 1 {
		t.Errorf("3 images: %d test images, want round(0.6)=1", len(s.TestIDs))
	}
}

func TestTileChoice(t *testing.T) {
	cfg := CropConfig{Size: 8, PerImage: 3, Seed: 5}
	a := TileOrigins(32, 32, "x", cfg)
	if len(a) != 3 {
		t.Fatalf("%d tiles", len(a))
	}
	if b := TileOrigins(32, 32, "x", cfg); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("tile choice is not deterministic")
	}
	for k := 1; k < len(a); k++ {
		if a[k][1]*100+a[k][0] <= a[k-1][1]*100+a[k-1][0] {
			t.Errorf("tiles not in row-major order: %v", a)
		}
	}
	distinct := map[string]bool{}
	for i := 0; i < 20; i++ {
		distinct[fmt.Sprint(TileOrigins(32, 32, fmt.Sprint("img", i), cfg))] = true
	}
	if len(distinct) < 10 {
		t.Errorf("only %d distinct tile choices over 20 images", len(distinct))
	}
	// Remainders are unused; PerImage above the tile count takes all tiles.
	if got := TileOrigins(20, 9, "x", CropConfig{Size: 8, PerImage: 10}); fmt.Sprint(got) != "[[0 0] [8 0]]" {
		t.Errorf("20x9 at 8: %v", got)
	}
}

func TestSplitBySourceAndDeterminism(t *testing.T) {
	src := &fakeSource{n: 37, w: 16, h: 16}
	cfg := CropConfig{Size: 8, TestFraction: 0.3, Seed: 3}
	s1, err := NewSet(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(s1.TestIDs) != 11 || len(s1.TrainIDs) != 26 {
		t.Errorf("test %d train %d images, want 11/26", len(s1.TestIDs), len(s1.TrainIDs))
	}
	train, test := idSet(s1.Train), idSet(s1.Test)
	for id := range test {
		if train[id] > 0 {
			t.Errorf("image %s on both sides", id)
		}
	}
	// Same result whatever the parallelism.
	prev := runtime.GOMAXPROCS(1)
	s2, err := NewSet(src, cfg)
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	if s1.Hash() != s2.Hash() || len(s1.Hash()) != 64 {
		t.Errorf("hash differs between runs: %s vs %s", s1.Hash(), s2.Hash())
	}
	// The split depends on the image IDs, not on the source's order.
	rev, err := NewSet(&fakeSource{n: 37, w: 16, h: 16, reverse: true}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sorted := func(ids []string) string {
		c := append([]string{}, ids...)
		sort.Strings(c)
		return strings.Join(c, ",")
	}
	if sorted(rev.TestIDs) != sorted(s1.TestIDs) {
		t.Error("test images depend on the source order")
	}
	// Another seed gives another split.
	cfg.Seed = 4
	s3, _ := NewSet(src, cfg)
	if sorted(s3.TestIDs) == sorted(s1.TestIDs) {
		t.Error("seeds 3 and 4 give the same split")
	}
	if s3.Hash() == s1.Hash() {
		t.Error("different splits have the same hash")
	}
}

func TestHashCoversPixelsAndPositions(t *testing.T) {
	src := &fakeSource{n: 4, w: 16, h: 16}
	s, _ := NewSet(src, CropConfig{Size: 8, Seed: 1})
	h0 := s.Hash()
	mk := func(edit func(s *Set)) string {
		c, _ := NewSet(src, CropConfig{Size: 8, Seed: 1})
		edit(c)
		return c.Hash()
	}
	edits := map[string]func(*Set){
		"pixel":    func(c *Set) { c.Train[0].Image.Pix[5]++ },
		"position": func(c *Set) { c.Train[0].X++ },
		"id":       func(c *Set) { c.Train[0].ImageID += "x" },
		"side": func(c *Set) {
			c.Test = append(c.Test, c.Train[len(c.Train)-1])
			c.Train = c.Train[:len(c.Train)-1]
		},
	}
	for name, edit := range edits {
		if mk(edit) == h0 {
			t.Errorf("changing the %s does not change the hash", name)
		}
	}
	if !strings.Contains(s.String(), "16 crops of 8x8 from 4 images") {
		t.Errorf("String = %s", s)
	}
}

func TestMaxImages(t *testing.T) {
	cfg := CropConfig{Size: 4, MaxImages: 10, Seed: 2}
	a, err := NewSet(&fakeSource{n: 50, w: 4, h: 4}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a.Images() != 10 || len(a.Train)+len(a.Test) != 10 || len(a.TestIDs) != 2 {
		t.Errorf("%d images, %d crops, %d test", a.Images(), len(a.Train)+len(a.Test), len(a.TestIDs))
	}
	b, _ := NewSet(&fakeSource{n: 50, w: 4, h: 4, reverse: true}, cfg)
	ids := func(s *Set) string {
		all := append(append([]string{}, s.TrainIDs...), s.TestIDs...)
		sort.Strings(all)
		return strings.Join(all, ",")
	}
	if ids(a) != ids(b) {
		t.Error("the subset depends on the source order")
	}
	cfg.Seed = 3
	c, _ := NewSet(&fakeSource{n: 50, w: 4, h: 4}, cfg)
	if ids(a) == ids(c) {
		t.Error("seeds 2 and 3 pick the same subset")
	}
}

func TestTestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int
		f    float64
		want int
	}{{1, 0.2, 0}, {2, 0.2, 1}, {3, 0.2, 1}, {10, 0.2, 2}, {10000, 0.2, 2000}, {2, 0.9, 1}, {14, 0.2, 3}, {7, 0.5, 4}} {
		if got := TestCount(tc.n, tc.f); got != tc.want {
			t.Errorf("TestCount(%d, %g) = %d, want %d", tc.n, tc.f, got, tc.want)
		}
	}
}

func TestNewSetErrors(t *testing.T) {
	src := &fakeSource{n: 5, w: 16, h: 16, small: map[int]bool{3: true}}
	_, err := NewSet(src, CropConfig{Size: 8})
	if err == nil || !strings.Contains(err.Error(), `image "img00003"`) || !strings.Contains(err.Error(), "smaller than the 8x8 crop") {
		t.Errorf("small image: %v", err)
	}
	ok := &fakeSource{n: 5, w: 16, h: 16}
	for name, cfg := range map[string]CropConfig{
		"size 0":       {},
		"negative per": {Size: 4, PerImage: -1},
		"negative max": {Size: 4, MaxImages: -1},
		"fraction 1":   {Size: 4, TestFraction: 1},
		"fraction < 0": {Size: 4, TestFraction: -0.1},
	} {
		if _, err := NewSet(ok, cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewSet(&fakeSource{n: 0}, CropConfig{Size: 4}); err == nil {
		t.Error("empty source accepted")
	}
}

func TestStandInSource(t *testing.T) {
	src := StandIn()
	if src.Len() != 14 || src.Name() != "standin" {
		t.Fatalf("Len %d Name %s", src.Len(), src.Name())
	}
	for i := 1; i < src.Len(); i++ {
		if src.ID(i-1) >= src.ID(i) {
			t.Errorf("IDs not sorted: %s, %s", src.ID(i-1), src.ID(i))
		}
	}
	g, err := src.Load(0)
	if err != nil {
		t.Fatal(err)
	}
	if g.Width != 512 || g.Height != 512 || src.ID(0) != "ascent.pgm" {
		t.Errorf("%s: %dx%d", src.ID(0), g.Width, g.Height)
	}
	if r := adjCorr(g); r < 0.8 {
		t.Errorf("photo %s has adjacent correlation %.3f", src.ID(0), r)
	}
	s, err := NewSet(src, CropConfig{Size: 256, MaxImages: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Train) != 8 || len(s.Test) != 4 {
		t.Errorf("stand-in set: %s", s)
	}
}
