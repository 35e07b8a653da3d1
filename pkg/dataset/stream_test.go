package dataset

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

func streamAll(t *testing.T, p *Plan, split Split) []Crop {
	t.Helper()
	var out []Crop
	for c, err := range p.Stream(context.Background(), split) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// TestStreamMatchesSetAndHash: streaming gives the crops NewSet loads, in
// the same order, and the same content hash three ways.
func TestStreamMatchesSetAndHash(t *testing.T) {
	src := &fakeSource{n: 23, w: 24, h: 16}
	cfg := CropConfig{Size: 8, PerImage: 3, Seed: 5}
	set, err := NewSet(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	all := streamAll(t, p, All)
	want := append(append([]Crop{}, set.Train...), set.Test...)
	if len(all) != len(want) || len(all) != 69 {
		t.Fatalf("streamed %d crops, set has %d (want 69)", len(all), len(want))
	}
	h := p.NewHasher()
	for i := range all {
		if all[i].ImageID != want[i].ImageID || all[i].X != want[i].X || all[i].Y != want[i].Y || !all[i].Image.Equal(want[i].Image) {
			t.Fatalf("crop %d: streamed %s(%d,%d), set %s(%d,%d)", i, all[i].ImageID, all[i].X, all[i].Y, want[i].ImageID, want[i].X, want[i].Y)
		}
		if err := h.Add(all[i]); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := h.Sum()
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := p.Hash(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sum != set.Hash() || streamed != set.Hash() {
		t.Fatalf("hashes differ: hasher %s, Plan.Hash %s, Set.Hash %s", sum, streamed, set.Hash())
	}
	if train := streamAll(t, p, Train); len(train) != len(set.Train) || train[0].ImageID != set.Train[0].ImageID {
		t.Errorf("train split: %d crops, want %d", len(train), len(set.Train))
	}
	if test := streamAll(t, p, Test); len(test) != len(set.Test) || test[len(test)-1].ImageID != set.Test[len(set.Test)-1].ImageID {
		t.Errorf("test split: %d crops, want %d", len(test), len(set.Test))
	}
}

func TestHasherRejectsWrongOrderAndIncomplete(t *testing.T) {
	p, err := NewPlan(&fakeSource{n: 4, w: 16, h: 16}, CropConfig{Size: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	all := streamAll(t, p, All)
	h := p.NewHasher()
	if err := h.Add(all[1]); err == nil || !strings.Contains(err.Error(), "crop 0") {
		t.Errorf("out-of-order crop: %v", err)
	}
	if err := h.Add(all[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Sum(); err == nil || !strings.Contains(err.Error(), "1 of 16") {
		t.Errorf("incomplete: %v", err)
	}
}

// failingSource fails to load one image; its sizes come from a Sizer, so
// planning succeeds and the stream meets the failure.
type failingSource struct {
	fakeSource
	bad int
}

func (f *failingSource) Size(i int) (int, int, error) { return f.w, f.h, nil }

func (f *failingSource) Load(i int) (*imageio.Gray, error) {
	if i == f.bad {
		return nil, fmt.Errorf("/data/%s.pgm: truncated", f.ID(i))
	}
	return f.fakeSource.Load(i)
}

func TestStreamErrorsEndTheStream(t *testing.T) {
	src := &failingSource{fakeSource: fakeSource{n: 30, w: 8, h: 8}, bad: 17}
	p, err := NewPlan(src, CropConfig{Size: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	n, errs := 0, 0
	for _, err := range p.Stream(context.Background(), All) {
		if err != nil {
			errs++
			if !strings.Contains(err.Error(), "img00017.pgm: truncated") {
				t.Errorf("error %v does not name the file", err)
			}
			continue
		}
		n++
	}
	if errs != 1 || n >= 30 {
		t.Errorf("%d crops then %d errors; want fewer than 30 crops and one error", n, errs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range p.Stream(ctx, All) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled stream yielded %v", err)
		}
		break
	}
}

func TestStreamStopsWhenConsumerStops(t *testing.T) {
	p, err := NewPlan(&fakeSource{n: 200, w: 16, h: 16}, CropConfig{Size: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		for range p.Stream(context.Background(), All) {
			break
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before+2 {
		t.Errorf("%d goroutines left after 20 abandoned streams (was %d)", g, before)
	}
}

// twoClasses labels each crop twice: as is (0) and inverted (1), with the
// plain crop as the mask.
func twoClasses(c Crop) ([]Sample, error) {
	inv := c.Image.Clone()
	for i := range inv.Pix {
		inv.Pix[i] = 255 - inv.Pix[i]
	}
	return []Sample{{Crop: c, Label: 0, Mask: c.Image}, {Crop: Crop{ImageID: c.ImageID, X: c.X, Y: c.Y, Image: inv}, Label: 1, Mask: c.Image}}, nil
}

func collect(t *testing.T, bs *Batches, epoch int) [][]Sample {
	t.Helper()
	var out [][]Sample
	for b, err := range bs.Epoch(context.Background(), epoch) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func key(s Sample) string { return fmt.Sprintf("%s@%d,%d#%d", s.ImageID, s.X, s.Y, s.Label) }

func TestBatchesLabelsOrderAndShuffle(t *testing.T) {
	p, err := NewPlan(&fakeSource{n: 10, w: 16, h: 16}, CropConfig{Size: 8, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	// In order, labelled, last batch short: 40 crops × 2 samples = 80 = 7·11 + 3.
	bs, err := p.Batches(All, 11).Labels(twoClasses).PerCrop(2).Done()
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, bs, 0)
	if len(got) != 8 || len(got[7]) != 3 {
		t.Fatalf("%d batches, last of %d; want 8, last of 3", len(got), len(got[len(got)-1]))
	}
	crops := streamAll(t, p, All)
	var flat []Sample
	for _, b := range got {
		flat = append(flat, b...)
	}
	for i, s := range flat {
		c := crops[i/2]
		if s.ImageID != c.ImageID || s.X != c.X || s.Label != i%2 || !s.Mask.Equal(c.Image) {
			t.Fatalf("sample %d: %s label %d; want crop %s label %d", i, key(s), s.Label, c.ImageID, i%2)
		}
	}
	if d, _ := p.Batches(All, 11).Labels(twoClasses).PerCrop(2).DropLast().Done(); len(collect(t, d, 0)) != 7 {
		t.Error("DropLast kept the short batch")
	}

	// Shuffled: a permutation of the same samples, fixed by (seed, epoch).
	sh, err := p.Batches(Train, 8).Labels(twoClasses).PerCrop(2).Shuffle(9).ShuffleWindow(2).Done()
	if err != nil {
		t.Fatal(err)
	}
	order := func(bs [][]Sample) []string {
		var ks []string
		for _, b := range bs {
			for _, s := range b {
				ks = append(ks, key(s))
			}
		}
		return ks
	}
	e0, e0again, e1 := order(collect(t, sh, 0)), order(collect(t, sh, 0)), order(collect(t, sh, 1))
	if strings.Join(e0, " ") != strings.Join(e0again, " ") {
		t.Error("the same seed and epoch gave different batches")
	}
	if strings.Join(e0, " ") == strings.Join(e1, " ") {
		t.Error("epochs 0 and 1 have the same order")
	}
	plain, _ := p.Batches(Train, 8).Labels(twoClasses).PerCrop(2).Done()
	want := order(collect(t, plain, 0))
	if strings.Join(e0, " ") == strings.Join(want, " ") {
		t.Error("the shuffled epoch is in the plan's order")
	}
	sort.Strings(e0)
	sort.Strings(want)
	if strings.Join(e0, " ") != strings.Join(want, " ") {
		t.Error("the shuffled epoch does not hold the same samples")
	}
}

func TestBatchesErrors(t *testing.T) {
	p, _ := NewPlan(&fakeSource{n: 4, w: 8, h: 8}, CropConfig{Size: 8, Seed: 1})
	for name, b := range map[string]*BatchBuilder{
		"size 0":   p.Batches(All, 0),
		"split":    p.Batches("validation", 4),
		"labeler":  p.Batches(All, 4).Labels(nil),
		"window":   p.Batches(All, 4).ShuffleWindow(0),
		"workers":  p.Batches(All, 4).Workers(0),
		"nil plan": (*Plan)(nil).Batches(All, 4),
	} {
		if _, err := b.Done(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	bad, _ := p.Batches(All, 4).Labels(func(c Crop) ([]Sample, error) { return nil, errors.New("no label for it") }).Done()
	for _, err := range bad.Epoch(context.Background(), 0) {
		if err == nil || !strings.Contains(err.Error(), "no label for it") || !strings.Contains(err.Error(), "img0000") {
			t.Errorf("labeller error: %v", err)
		}
	}
}

// rssHelperEnv makes the test binary run streamBOSSbase instead of the
// tests (TestPaperScaleStreamingMemory measures its peak RSS).
const rssHelperEnv = "NEUROCRYPT_TEST_STREAM_DIR"

// TestPaperScaleStreamingMemory streams a BOSSbase-shaped folder (2 000
// images of 512², 8-bit P5 PGM named 1.pgm … 2000.pgm) through a labelled
// batch iterator at the paper's crop size (256², 4 per image, 8 000 crops,
// 2 samples each) in a child process, and checks its peak resident memory
// stays under 1 GB: the stream holds a few images and batches, not the
// 2 GB of crops it visits.
func TestPaperScaleStreamingMemory(t *testing.T) {
	if dir := os.Getenv(rssHelperEnv); dir != "" {
		t.Skip("helper mode")
	}
	if testing.Short() {
		t.Skip("-short: writes 2 000 images (524 MB)")
	}
	const images = 2000
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	g := imageio.NewGray(BOSSSize, BOSSSize)
	for n := 1; n <= images; n++ {
		for i := 0; i < len(g.Pix); i += 8 {
			v := rng.Uint64()
			for k := 0; k < 8; k++ {
				g.Pix[i+k] = uint8(v >> (8 * k))
			}
		}
		f, err := os.Create(filepath.Join(dir, strconv.Itoa(n)+".pgm"))
		if err != nil {
			t.Fatal(err)
		}
		if err := imageio.WritePGM(f, g); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStreamHelper$", "-test.v")
	cmd.Env = append(os.Environ(), rssHelperEnv+"="+dir, "GOGC=100")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("streaming helper failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "streamed 16000 samples in 250 batches") {
		t.Fatalf("helper did not stream everything:\n%s", out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no rusage on this platform")
	}
	peak := ru.Maxrss * 1024 // kilobytes on Linux
	t.Logf("peak RSS streaming %d images: %.0f MB", images, float64(peak)/1e6)
	if peak >= 1e9 {
		t.Errorf("peak RSS %.0f MB, want < 1000 MB", float64(peak)/1e6)
	}
}

// TestStreamHelper is the child process of TestPaperScaleStreamingMemory.
func TestStreamHelper(t *testing.T) {
	dir := os.Getenv(rssHelperEnv)
	if dir == "" {
		t.Skip("run by TestPaperScaleStreamingMemory")
	}
	b, err := OpenBOSSbase(dir, BOSSOptions{Strict: true, Expected: 2000})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, err := NewPlan(b, CropConfig{Size: 256, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	bs, err := p.Batches(All, 64).Labels(twoClasses).PerCrop(2).Shuffle(1).Done()
	if err != nil {
		t.Fatal(err)
	}
	samples, batches := 0, 0
	for batch, err := range bs.Epoch(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		samples += len(batch)
		batches++
	}
	fmt.Printf("streamed %d samples in %d batches\n", samples, batches)
}

// maskedSource labels image i with i mod 3 and gives odd images a mask (the
// image's negative).
type maskedSource struct{ fakeSource }

func (m *maskedSource) Label(i int) int { return i % 3 }
func (m *maskedSource) LoadMask(i int) (*imageio.Gray, error) {
	if i%2 == 0 {
		return nil, nil
	}
	g, err := m.Load(i)
	if err != nil {
		return nil, err
	}
	for k := range g.Pix {
		g.Pix[k] = 255 - g.Pix[k]
	}
	return g, nil
}

func TestLabelledSources(t *testing.T) {
	src := &maskedSource{fakeSource{n: 6, w: 16, h: 16}}
	p, err := NewPlan(src, CropConfig{Size: 8, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	lab, err := p.SourceLabels()
	if err != nil {
		t.Fatal(err)
	}
	bs, err := p.Batches(All, 5).Labels(lab).Shuffle(1).Done()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for b, err := range bs.Epoch(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range b {
			n++
			var i int
			fmt.Sscanf(s.ImageID, "img%d", &i)
			if s.Label != i%3 {
				t.Errorf("%s: label %d, want %d", s.ImageID, s.Label, i%3)
			}
			if (i%2 == 1) != (s.Mask != nil) {
				t.Fatalf("%s: mask %v", s.ImageID, s.Mask != nil)
			}
			if s.Mask != nil && s.Mask.Pix[3] != 255-s.Image.Pix[3] {
				t.Errorf("%s at (%d,%d): the mask is not the crop's negative", s.ImageID, s.X, s.Y)
			}
		}
	}
	if n != 24 {
		t.Errorf("%d samples, want 24", n)
	}
	ws := WithLabels(&fakeSource{n: 3, w: 8, h: 8}, func(id string) int { return len(id) })
	wp, _ := NewPlan(ws, CropConfig{Size: 8, Seed: 1})
	wl, err := wp.SourceLabels()
	if err != nil {
		t.Fatal(err)
	}
	c := streamAll(t, wp, All)[0]
	if ss, err := wl(c); err != nil || ss[0].Label != len(c.ImageID) || ss[0].Mask != nil {
		t.Errorf("WithLabels: %+v, %v", ss, err)
	}
	plain, _ := NewPlan(&fakeSource{n: 3, w: 8, h: 8}, CropConfig{Size: 8, Seed: 1})
	if _, err := plain.SourceLabels(); err == nil {
		t.Error("SourceLabels of an unlabelled source: no error")
	}
	for _, err := range plain.Stream(context.Background(), "validation") {
		if err == nil || !strings.Contains(err.Error(), "unknown split") {
			t.Errorf("unknown split: %v", err)
		}
	}
}

// badSource breaks the Source contract in one of several ways on image 2.
type badSource struct {
	fakeSource
	how string
}

func (b *badSource) Size(i int) (int, int, error) { return b.w, b.h, nil }
func (b *badSource) Load(i int) (*imageio.Gray, error) {
	if i != 2 {
		return b.fakeSource.Load(i)
	}
	switch b.how {
	case "nil":
		return nil, nil
	case "short":
		return &imageio.Gray{Width: b.w, Height: b.h, Pix: make([]uint8, 3)}, nil
	case "larger":
		return imageio.NewGray(b.w+8, b.h), nil
	}
	panic("source bug")
}

// TestStreamSurvivesBrokenSources: a source returning a nil or
// inconsistent image, another size than it said, or panicking gives an
// error naming the image; the process does not crash.
func TestStreamSurvivesBrokenSources(t *testing.T) {
	for _, how := range []string{"nil", "short", "larger", "panic"} {
		p, err := NewPlan(&badSource{fakeSource{n: 5, w: 16, h: 16}, how}, CropConfig{Size: 8, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		var got error
		for _, err := range p.Stream(context.Background(), All) {
			if err != nil {
				got = err
			}
		}
		if got == nil || !strings.Contains(got.Error(), "img00002") {
			t.Errorf("%s: %v; want an error naming img00002", how, got)
		}
	}
	p, _ := NewPlan(&fakeSource{n: 2, w: 8, h: 8}, CropConfig{Size: 8, Seed: 1})
	for name, b := range map[string]*BatchBuilder{
		"huge batch":  p.Batches(All, math.MaxInt).Shuffle(1),
		"huge window": p.Batches(All, 4).Shuffle(1).ShuffleWindow(math.MaxInt / 2),
	} {
		if _, err := b.Done(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestPerCrop: Samples counts PerCrop samples per crop, and a Labeler that
// returns another number fails the epoch naming the crop.
func TestPerCrop(t *testing.T) {
	p, err := NewPlan(&fakeSource{n: 10, w: 16, h: 16}, CropConfig{Size: 8, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	bs, err := p.Batches(Train, 4).Labels(twoClasses).PerCrop(2).Done()
	if err != nil {
		t.Fatal(err)
	}
	if bs.Samples() != 2*bs.Crops() || bs.Crops() == 0 {
		t.Errorf("Samples() = %d for %d crops, want twice as many", bs.Samples(), bs.Crops())
	}
	wrong, err := p.Batches(Train, 4).Labels(twoClasses).PerCrop(3).Done()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range wrong.Epoch(context.Background(), 0) {
		if err == nil || !strings.Contains(err.Error(), "2 samples, want 3") {
			t.Errorf("err = %v, want the count mismatch named", err)
		}
		break
	}
	if _, err := p.Batches(Train, 4).PerCrop(-1).Done(); err == nil {
		t.Error("PerCrop(-1) accepted")
	}
	anyN, err := p.Batches(Train, 4).Labels(twoClasses).PerCrop(0).Done()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(collectAll(t, anyN)); anyN.Samples() != -1 || n != 2*anyN.Crops() {
		t.Errorf("PerCrop(0): Samples() = %d and %d samples read, want -1 and all %d", anyN.Samples(), n, 2*anyN.Crops())
	}
}

func collectAll(t *testing.T, bs *Batches) []Sample {
	t.Helper()
	var out []Sample
	for _, b := range collect(t, bs, 0) {
		out = append(out, b...)
	}
	return out
}
