package gannet

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn/nntest"
)

func testBackend(t testing.TB) compute.Backend { return nntest.Backend(t, "GAN_TEST_BACKEND") }

// testData is a synthetic crop plan: train batches and eval crops.
func testData(t testing.TB, crop, batch int) (*dataset.Batches, []dataset.Sample) {
	return nntest.Crops(t, crop, batch)
}

// tinyConfig trains in seconds on the go backend.
func tinyConfig(steps int) Config {
	c := DefaultConfig(16, 8, steps)
	c.Channels = 8
	c.EvalEvery = 10
	c.Seed = 7
	return c
}

func tinyModel(t testing.TB, cfg Config) *Model {
	t.Helper()
	bs, ev := testData(t, cfg.Crop, cfg.Batch)
	m, err := NewModel(testBackend(t), cfg, bs, ev)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestKeyPlaneDeterministicAndKeySensitive(t *testing.T) {
	secret := []byte("0123456789abcdef")
	a, err := KeyPlane(secret, 8, 16)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := KeyPlane(secret, 8, 16)
	long, _ := KeyPlane(secret, 16, 16)
	var sum float64
	for i := range a {
		if a[i] != b[i] || a[i] != long[i] {
			t.Fatalf("plane value %d: %v, %v, prefix of the longer plane %v", i, a[i], b[i], long[i])
		}
		if !(a[i] > 0 && a[i] < 1) {
			t.Fatalf("plane value %d = %v: want (0, 1)", i, a[i])
		}
		sum += float64(a[i])
	}
	// Golden values pin the derivation (SHA-256 → three logistic maps →
	// 23 bits): a change would make every stored key decrypt differently.
	golden := []int{13600823, 10304637, 3103663, 13708717, 11471813, 10407399, 3765683, 13772917}
	for i, g := range golden {
		if got := int(a[i] * (1 << 24)); got != g {
			t.Errorf("plane value %d: %d/2^24, golden %d/2^24", i, got, g)
		}
	}
	if mean := sum / float64(len(a)); mean < 0.35 || mean > 0.65 {
		t.Errorf("mean of 128 plane values %.3f: want near 1/2", mean)
	}
	for bit := 0; bit < 8*len(secret); bit += 37 {
		flipped := append([]byte(nil), secret...)
		flipped[bit/8] ^= 1 << (bit % 8)
		c, _ := KeyPlane(flipped, 8, 16)
		same := 0
		for i := range a {
			if a[i] == c[i] {
				same++
			}
		}
		if same > 2 {
			t.Errorf("flipping secret bit %d left %d of %d plane values unchanged", bit, same, len(a))
		}
	}
	for _, bad := range []struct {
		s    []byte
		h, w int
	}{{nil, 4, 4}, {secret, 0, 4}, {secret, 4, -1}, {secret, 2048, 2048}} {
		if _, err := KeyPlane(bad.s, bad.h, bad.w); err == nil {
			t.Errorf("KeyPlane(%d-byte secret, %d, %d): no error", len(bad.s), bad.h, bad.w)
		}
	}
}

func TestKeyPlaneIsUniform(t *testing.T) {
	z, err := KeyPlane([]byte{1, 2, 3}, 256, 256)
	if err != nil {
		t.Fatal(err)
	}
	var bins [16]int
	for _, v := range z {
		bins[int(v*16)]++
	}
	// χ² with 15 degrees of freedom; 37.7 is its 0.1 % critical value.
	var chi2 float64
	e := float64(len(z)) / 16
	for _, o := range bins {
		chi2 += (float64(o) - e) * (float64(o) - e) / e
	}
	if chi2 > 37.7 {
		t.Errorf("key plane histogram χ² = %.1f over 16 bins: not uniform (%v)", chi2, bins)
	}
}

// variables returns the flat values of every variable under prefix.
func variables(t *testing.T, m *Model, prefix string) map[string][]float32 {
	t.Helper()
	out := map[string][]float32{}
	for v := range m.Store().IterVariables() {
		if !strings.HasPrefix(v.Path(), prefix) || !(strings.HasSuffix(v.Path(), "/weights") || strings.HasSuffix(v.Path(), "/biases")) {
			continue
		}
		tt, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		f, err := tensors.CopyFlatData[float32](tt)
		if err != nil {
			continue // step counters and other non-float32 state
		}
		out[v.Path()] = f
	}
	return out
}

func changed(a, b map[string][]float32) (n int) {
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			n++
		}
	}
	return n
}

// TestOptimisersUpdateOnlyTheirPlayer: D's step leaves G and R unchanged,
// G/R's step leaves D unchanged, and each changes its own weights.
func TestOptimisersUpdateOnlyTheirPlayer(t *testing.T) {
	m := tinyModel(t, tinyConfig(4))
	ctx := context.Background()
	if _, err := m.Step(ctx, 0); err != nil { // creates every variable
		t.Fatal(err)
	}
	weights := func() (gr, d map[string][]float32) {
		return variables(t, m, "/"+ScopeGenRec+"/"+ScopeGen+"/"), variables(t, m, "/"+ScopeDisc+"/")
	}
	rec0 := variables(t, m, "/"+ScopeGenRec+"/"+ScopeRec+"/")
	g0, d0 := weights()
	if len(g0) == 0 || len(d0) == 0 || len(rec0) == 0 {
		t.Fatalf("variables: G %d, R %d, D %d", len(g0), len(rec0), len(d0))
	}
	b, err := m.nextBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := m.cfg.Crop
	if _, err := m.dExec.Exec(b.tensor(b.x, s), b.tensor(b.z, s), b.tensor(b.u, s)); err != nil {
		t.Fatal(err)
	}
	g1, d1 := weights()
	if n := changed(g0, g1); n != 0 {
		t.Errorf("D's step changed %d of G's variables", n)
	}
	if n := changed(rec0, variables(t, m, "/"+ScopeGenRec+"/"+ScopeRec+"/")); n != 0 {
		t.Errorf("D's step changed %d of R's variables", n)
	}
	if n := changed(d0, d1); n != len(d0) {
		t.Errorf("D's step changed %d of D's %d variables", n, len(d0))
	}
	if _, err := m.grExec.Exec(b.tensor(b.x, s), b.tensor(b.z, s), b.tensor(b.z2, s), float32(1)); err != nil {
		t.Fatal(err)
	}
	g2, d2 := weights()
	if n := changed(d1, d2); n != 0 {
		t.Errorf("G/R's step changed %d of D's variables", n)
	}
	if n := changed(g1, g2); n != len(g1) {
		t.Errorf("G/R's step changed %d of G's %d variables", n, len(g1))
	}
	if n := changed(rec0, variables(t, m, "/"+ScopeGenRec+"/"+ScopeRec+"/")); n != len(rec0) {
		t.Errorf("G/R's step changed %d of R's %d variables", n, len(rec0))
	}
}

// trainedTiny is one tiny model trained once for the tests below.
var trainedTiny struct {
	once sync.Once
	m    *Model
	h    *History
	err  error
}

// TrainSteps of the shared tiny model.
const tinySteps = 240

func tiny(t *testing.T) (*Model, *History) {
	t.Helper()
	trainedTiny.once.Do(func() {
		bs, ev := testData(t, 16, 8)
		trainedTiny.m, trainedTiny.err = NewModel(testBackend(t), tinyConfig(tinySteps), bs, ev)
		if trainedTiny.err == nil {
			trainedTiny.h, trainedTiny.err = trainedTiny.m.Train(context.Background(), nil)
		}
	})
	if trainedTiny.err != nil {
		t.Fatal(trainedTiny.err)
	}
	return trainedTiny.m, trainedTiny.h
}

// TestTrainingLowersReconstructionAndMovesD: over a tiny run the
// reconstruction error falls by at least a fifth and D's accuracy moves
// away from its initial value.
func TestTrainingLowersReconstructionAndMovesD(t *testing.T) {
	_, h := tiny(t)
	// The GAN's curves are noisy: judge the mean of the last 5 records.
	first, tail := h.Losses[0], h.Losses[len(h.Losses)-5:]
	var last float64
	for _, l := range tail {
		last += l.Rec / float64(len(tail))
	}
	if last > first.Rec*0.8 {
		t.Errorf("reconstruction error %.4f → %.4f (mean of the last 5 records): want a drop of a fifth", first.Rec, last)
	}
	moved := false
	for _, l := range h.Losses[1:] {
		if math.Abs(l.DiscAcc-first.DiscAcc) >= 0.1 {
			moved = true
		}
	}
	if !moved {
		t.Errorf("D's accuracy never moved by 0.1 from %.3f: %+v", first.DiscAcc, h.Losses)
	}
	for i, l := range h.Losses {
		t.Logf("%d %+v", h.Step[i], l)
	}
	if h.Step[len(h.Step)-1] != tinySteps || len(h.Step) != len(h.Losses) {
		t.Errorf("history steps %v", h.Step)
	}
}

// RightKeyMarginDB is the margin by which right-key reconstruction must
// beat wrong-key reconstruction in PSNR.
const RightKeyMarginDB = 3

// TestRightKeyBeatsWrongKey: through the registry, the trained tiny
// model's right-key decryption of test crops beats a one-bit-wrong key by
// RightKeyMarginDB dB; a 16-bit image is refused with a clear error.
func TestRightKeyBeatsWrongKey(t *testing.T) {
	m, _ := tiny(t)
	scheme, err := m.BindCipher(t.TempDir(), "unit-test")
	if err != nil {
		t.Fatal(err)
	}
	defer cipher.Unregister(scheme.Name())
	key := scheme.GenerateKey(11)
	enc, err := scheme.New(key)
	if err != nil {
		t.Fatal(err)
	}
	wrong, err := scheme.New(key.FlipBit(5))
	if err != nil {
		t.Fatal(err)
	}
	_, ev := testData(t, 16, 8)
	var right, bad float64
	for _, s := range ev[:4] {
		c, err := enc.Encrypt(s.Image)
		if err != nil {
			t.Fatal(err)
		}
		d1, err := enc.Decrypt(c)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := wrong.Decrypt(c)
		if err != nil {
			t.Fatal(err)
		}
		p1, _ := metrics.PSNR(s.Image, d1)
		p2, _ := metrics.PSNR(s.Image, d2)
		right, bad = right+p1/4, bad+p2/4
	}
	if right < bad+RightKeyMarginDB {
		t.Errorf("right-key PSNR %.2f dB, wrong-key %.2f dB: want a margin of %d dB", right, bad, RightKeyMarginDB)
	}
	g16 := &imageio.Gray{Width: 4, Height: 4, Depth: 16, Pix: make([]uint8, 32)}
	if _, err := enc.Encrypt(g16); err == nil || !strings.Contains(err.Error(), "16-bit") {
		t.Errorf("16-bit image: %v", err)
	}
}

// TestCheckpointResumeIsExact: a run cancelled after a checkpoint and
// resumed ends with the same weights and curves as an uninterrupted one.
func TestCheckpointResumeIsExact(t *testing.T) {
	cfg := tinyConfig(20)
	cfg.EvalEvery = 5
	full := tinyModel(t, cfg)
	hFull, err := full.Train(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	first := tinyModel(t, cfg)
	if err := first.SetCheckpoints(nn.CheckpointOptions{Dir: dir, Every: 6}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := first.Train(ctx, func(step int, _ Losses) {
		if step == 13 {
			cancel()
		}
	}); err == nil {
		t.Fatal("cancelled training returned no error")
	}
	var log strings.Builder
	second := tinyModel(t, cfg)
	if err := second.SetCheckpoints(nn.CheckpointOptions{Dir: dir, Every: 6, Log: &log}); err != nil {
		t.Fatal(err)
	}
	hRes, err := second.Train(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "at step 12 of 20") {
		t.Errorf("log %q: want a resume at step 12", log.String())
	}
	if !slices.Equal(hFull.Step, hRes.Step) || !slices.Equal(hFull.Losses, hRes.Losses) {
		t.Errorf("curves differ:\n%+v\n%+v", hFull, hRes)
	}
	a, b := variables(t, full, "/"), variables(t, second, "/")
	if len(a) == 0 || changed(a, b) != 0 {
		t.Errorf("%d of %d variables differ after resuming", changed(a, b), len(a))
	}
}

// TestBadWeightsFiles: garbage, a truncated file and a file with G's
// variables only are refused with errors naming the file.
func TestBadWeightsFiles(t *testing.T) {
	m, _ := tiny(t)
	w, err := m.Weights()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadTrained("good.weights", w); err != nil {
		t.Fatalf("the model's own weights: %v", err)
	}
	gOnly, err := nn.Checkpoint(m.Store()).Format(weightsFormat).Only("/" + ScopeGenRec + "/" + ScopeGen + "/").Done()
	if err != nil {
		t.Fatal(err)
	}
	partial, err := gOnly.Encode(weightsState{Config: m.Config()})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		data []byte
		want string
	}{
		"garbage.weights":   {[]byte("not weights at all"), "not a GAN weights file"},
		"truncated.weights": {w[:len(w)/2], "not a GAN weights file"},
		"g-only.weights":    {partial, "not a complete GAN weights file"},
	} {
		_, err := loadTrained(name, c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v; want one line naming the file and %q", name, err, c.want)
		}
	}
}

// TestCipherImagesAreUniform: the pooled histogram of a trained model's
// cipher image of a 256² synthetic image passes the χ² test on 256 levels
// (the levels of equal width modulo 1; rounding 255·c would fail it).
func TestCipherImagesAreUniform(t *testing.T) {
	m, _ := tiny(t)
	c, err := m.Cipher([]byte("uniformity"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := dataset.NewSynthetic(8, 1, 256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := src.Load(0)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := c.Encrypt(img)
	if err != nil {
		t.Fatal(err)
	}
	var bins [256]float64
	for _, p := range enc.Pix {
		bins[p]++
	}
	e := float64(len(enc.Pix)) / 256
	var chi2 float64
	for _, o := range bins {
		chi2 += (o - e) * (o - e) / e
	}
	// 330.5 is the χ² critical value at α = 0.001 with 255 degrees of freedom.
	if chi2 > 330.5 {
		t.Errorf("cipher image histogram χ² = %.1f (levels 0: %v, 255: %v, mean %v)", chi2, bins[0], bins[255], e)
	}
}

// TestDistinguishTestIsFreshAndLeavesTrainingAlone: two tests with one
// seed give the same result (a fresh probe each time), and training
// around a test ends with the weights of training without one.
func TestDistinguishTestIsFreshAndLeavesTrainingAlone(t *testing.T) {
	ctx := context.Background()
	cfg := tinyConfig(12)
	with, without := tinyModel(t, cfg), tinyModel(t, cfg)
	for s := 0; s < 6; s++ {
		for _, m := range []*Model{with, without} {
			if _, err := m.Step(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	dc := DistinguishConfig{Steps: 3, Rounds: 2, Seed: 5}
	a, err := with.DistinguishTest(ctx, dc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := with.DistinguishTest(ctx, dc)
	if err != nil {
		t.Fatal(err)
	}
	if a != b || a.Samples != 2*2*with.eval.n || a.Crops != with.eval.n {
		t.Errorf("two tests with one seed: %+v and %+v", a, b)
	}
	if lo, hi := Wilson(a.Correct, a.Samples, WilsonZ99); lo != a.Lower || hi != a.Upper || !(lo <= a.Accuracy && a.Accuracy <= hi) {
		t.Errorf("interval %v–%v around %v", a.Lower, a.Upper, a.Accuracy)
	}
	for s := 6; s < 12; s++ {
		for _, m := range []*Model{with, without} {
			if _, err := m.Step(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	w1, w2 := variables(t, with, "/"+ScopeGenRec+"/"), variables(t, without, "/"+ScopeGenRec+"/")
	if n := changed(w1, w2); n != 0 || len(w1) == 0 {
		t.Errorf("%d of %d G/R variables differ after a distinguishing test mid-training", n, len(w1))
	}
}

func TestWilson(t *testing.T) {
	// Wilson (1927): 8 of 10 at z = 1.96 gives 0.4902–0.9433.
	lo, hi := Wilson(8, 10, 1.959964)
	if math.Abs(lo-0.4902) > 1e-4 || math.Abs(hi-0.9433) > 1e-4 {
		t.Errorf("Wilson(8, 10, 1.96) = %.4f–%.4f, want 0.4902–0.9433", lo, hi)
	}
	if lo, _ := Wilson(0, 0, 2); !math.IsNaN(lo) {
		t.Error("n = 0: want NaN")
	}
}

// TestTilesGiveTheWholeImageResult: encrypting and decrypting tile by
// tile (small tiles: many tiles, clipped margins at every border) gives
// exactly the pixels of one whole-image run; an image over the size limit
// is refused before anything is computed.
func TestTilesGiveTheWholeImageResult(t *testing.T) {
	m, _ := tiny(t)
	c, err := m.Cipher([]byte("tiles"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := dataset.NewSynthetic(4, 1, 256)
	if err != nil {
		t.Fatal(err)
	}
	full, err := src.Load(0)
	if err != nil {
		t.Fatal(err)
	}
	img := &imageio.Gray{Width: 70, Height: 45, Pix: make([]uint8, 70*45)}
	for y := 0; y < 45; y++ {
		copy(img.Pix[y*70:(y+1)*70], full.Pix[y*256:y*256+70])
	}
	saved := TileSize
	defer func() { TileSize = saved }()
	run := func(tile int) (*imageio.Gray, *imageio.Gray) {
		TileSize = tile
		enc, err := c.Encrypt(img)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := c.Decrypt(enc)
		if err != nil {
			t.Fatal(err)
		}
		return enc, dec
	}
	encWhole, decWhole := run(1 << 20)
	encTiled, decTiled := run(16)
	if !encTiled.Equal(encWhole) || !decTiled.Equal(decWhole) {
		t.Error("tiled encryption or decryption differs from the whole-image run")
	}
	big := &imageio.Gray{Width: 2048, Height: 1024, Pix: make([]uint8, 2048*1024)}
	if _, err := c.Encrypt(big); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("a 2048x1024 image: %v", err)
	}
	if sl, ok := c.(cipher.SizeLimited); !ok || sl.MaxSampleBytes() != MaxKeyPlanePixels {
		t.Error("the GAN cipher does not state its size limit (cipher.SizeLimited)")
	}
}

// TestCheckpointFolderInItsPlace: a folder where the checkpoint belongs is
// reported, training starts from scratch and the checkpoint is written.
func TestCheckpointFolderInItsPlace(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, nn.CheckpointFile, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := tinyModel(t, tinyConfig(4))
	var log strings.Builder
	if err := m.SetCheckpoints(nn.CheckpointOptions{Dir: dir, Every: 2, Log: &log}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Train(context.Background(), nil); err != nil {
		t.Fatalf("training over a folder in the checkpoint's place: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, nn.CheckpointFile)); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("checkpoint: %v, %v", fi, err)
	}
	if !strings.Contains(log.String(), "ignoring checkpoint") {
		t.Errorf("log %q: want the unreadable checkpoint reported", log.String())
	}
}
