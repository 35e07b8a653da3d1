package nn

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/neurocrypt/neurocrypt/pkg/atomicfile"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

func goBackend(t testing.TB) compute.Backend {
	t.Helper()
	be, err := backend.Fixed(backend.Go).New()
	if err != nil {
		t.Fatal(err)
	}
	return be
}

// TestConv1DMatchesNaive compares Conv1D ("same" padding, stride 1 and 2)
// with a direct sum over the window.
func TestConv1DMatchesNaive(t *testing.T) {
	be := goBackend(t)
	const batch, length, in, out, window = 2, 7, 3, 2, 4
	x := make([]float32, batch*length*in)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)))
	}
	for _, stride := range []int{1, 2} {
		store := model.NewStore()
		if err := store.SetRNGStateFromSeed(1); err != nil {
			t.Fatal(err)
		}
		exec, err := model.NewExec(be, store, func(scope *model.Scope, xs *Node) *Node {
			return Conv1D(XavierScope(scope).At("c"), xs, window, out, stride)
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, batch, length, in))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := tensors.CopyFlatData[float32](res[0])
		kv := store.GetVariable("/c/kernel")
		kt, _ := kv.Value()
		k, _ := tensors.CopyFlatData[float32](kt)
		lo := (length + stride - 1) / stride
		pad := max((lo-1)*stride+window-length, 0)
		if want := batch * lo * out; len(got) != want || res[0].Shape().Dimensions[1] != lo {
			t.Fatalf("stride %d: output shape %v", stride, res[0].Shape())
		}
		for b := 0; b < batch; b++ {
			for o := 0; o < lo; o++ {
				for c := 0; c < out; c++ {
					var sum float64
					for w := 0; w < window; w++ {
						pos := o*stride + w - pad/2
						if pos < 0 || pos >= length {
							continue
						}
						for i := 0; i < in; i++ {
							sum += float64(x[(b*length+pos)*in+i]) * float64(k[(w*in+i)*out+c])
						}
					}
					if g := float64(got[(b*lo+o)*out+c]); math.Abs(g-sum) > 1e-5 {
						t.Fatalf("stride %d: y[%d,%d,%d] = %g, naive %g", stride, b, o, c, g, sum)
					}
				}
			}
		}
	}
}

// TestPlayerUpdatesOnlyItsScope: a step of one player leaves the other
// player's variables as they are.
func TestPlayerUpdatesOnlyItsScope(t *testing.T) {
	be := goBackend(t)
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(3); err != nil {
		t.Fatal(err)
	}
	game := func(scope *model.Scope, in []*Node) []*Node {
		a := Dense(XavierScope(scope).At("a"), in[0], 2, true)
		b := Dense(XavierScope(scope).At("b"), a, 1, false)
		return []*Node{ReduceAllMean(Square(b))}
	}
	stepA, err := Player{Scope: "a", Optimizer: optimizer.Adam().LearningRate(0.1).Done()}.NewStep(be, store, game)
	if err != nil {
		t.Fatal(err)
	}
	x := tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if _, err := stepA.Exec(x); err != nil {
		t.Fatal(err)
	}
	value := func(path string) []float32 {
		v := store.GetVariable(path)
		if v == nil {
			t.Fatalf("no variable %s", path)
		}
		tt, _ := v.Value()
		f, _ := tensors.CopyFlatData[float32](tt)
		return f
	}
	a0, b0 := value("/a/weights"), value("/b/weights")
	for i := 0; i < 3; i++ {
		if _, err := stepA.Exec(x); err != nil {
			t.Fatal(err)
		}
	}
	a1, b1 := value("/a/weights"), value("/b/weights")
	if a0[0] == a1[0] && a0[1] == a1[1] {
		t.Error("player a's step did not change a's weights")
	}
	for i := range b0 {
		if b0[i] != b1[i] {
			t.Fatalf("player a's step changed b's weights: %v → %v", b0, b1)
		}
	}
	if _, err := (Player{}).NewStep(be, store, game); err == nil {
		t.Error("a player without scope and optimiser was accepted")
	}
}

// TestCheckpointRoundTripOnlyAndCorruption: a snapshot restores exact bits
// into a new store (Only keeps the chosen scopes), carries the caller's
// state, and a corrupt or foreign file is refused.
func TestCheckpointRoundTripOnlyAndCorruption(t *testing.T) {
	store := model.NewStore()
	for _, p := range []struct {
		path string
		vals []float32
	}{{"/net/w", []float32{1.5, float32(math.Pi), -0, float32(math.Inf(1))}}, {"/opt/m", []float32{7}}} {
		scope := store.RootScope()
		for _, part := range strings.Split(strings.Trim(p.path, "/"), "/")[:1] {
			scope = scope.At("%s", part)
		}
		v := scope.VariableWithValue(filepath.Base(p.path), tensors.FromFlatDataAndDimensions(p.vals, len(p.vals)))
		v.Trainable = p.path == "/net/w"
	}
	type state struct {
		Round int
		Note  string
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ck")
	ck, err := Checkpoint(store).Format("test v1").Only("/net/").Done()
	if err != nil {
		t.Fatal(err)
	}
	if err := ck.Save(path, state{Round: 4, Note: "hello"}); err != nil {
		t.Fatal(err)
	}
	fresh := model.NewStore()
	ck2, _ := Checkpoint(fresh).Format("test v1").Done()
	var st state
	snap, err := ck2.Read(path, &st)
	if err != nil || snap == nil {
		t.Fatalf("read: %v, %v", snap, err)
	}
	if st != (state{4, "hello"}) || strings.Join(snap.Paths(), ",") != "/net/w" {
		t.Fatalf("state %+v, paths %v", st, snap.Paths())
	}
	if err := snap.Restore(); err != nil {
		t.Fatal(err)
	}
	v := fresh.GetVariable("/net/w")
	got, _ := v.Value()
	vals, _ := tensors.CopyFlatData[float32](got)
	if math.Float32bits(vals[1]) != math.Float32bits(float32(math.Pi)) || !math.IsInf(float64(vals[3]), 1) || !v.Trainable {
		t.Errorf("restored %v (trainable %v)", vals, v.Trainable)
	}
	if fresh.GetVariable("/opt/m") != nil {
		t.Error("Only(/net/) saved /opt/m too")
	}
	if s, err := ck2.Read(filepath.Join(dir, "none"), &st); s != nil || err != nil {
		t.Errorf("missing file: %v, %v; want nil, nil", s, err)
	}
	b, _ := os.ReadFile(path)
	b[len(b)/2] ^= 1
	os.WriteFile(path, b, 0o644)
	if _, err := ck2.Read(path, &st); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("corrupt file: %v", err)
	}
	// Refused without reading or blocking: a FIFO, a file over
	// MaxCheckpointBytes (sparse).
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err == nil {
		if _, err := ck2.Read(fifo, &st); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("FIFO checkpoint: %v", err)
		}
	}
	big := filepath.Join(dir, "big")
	if f, err := os.Create(big); err == nil {
		f.Truncate(MaxCheckpointBytes + 1)
		f.Close()
	}
	if _, err := ck2.Read(big, &st); err == nil || !strings.Contains(err.Error(), "more than a checkpoint may have") {
		t.Errorf("oversized checkpoint: %v", err)
	}
	other, _ := Checkpoint(store).Format("test v2").Done()
	if err := ck.Save(path, state{}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Read(path, &st); err == nil || !strings.Contains(err.Error(), "format") {
		t.Errorf("another format: %v", err)
	}
	if _, err := Checkpoint(store).Done(); err == nil {
		t.Error("a checkpoint without format tag was accepted")
	}
	none, _ := Checkpoint(store).Format("x").Only("/nothing/").Done()
	if err := none.Save(path, state{}); err == nil {
		t.Error("a snapshot of no variables was written")
	}
}

func TestTimeCallsAndReadScalar(t *testing.T) {
	n := 0
	secs, err := TimeCalls(context.Background(), 3, func() error { n++; return nil })
	if err != nil || n != 4 || secs < 0 {
		t.Errorf("TimeCalls: %v, %d calls (want 1 untimed + 3), %v s", err, n, secs)
	}
	if _, err := TimeCalls(context.Background(), 2, func() error { return errors.New("boom") }); err == nil {
		t.Error("an error was swallowed")
	}
	if _, err := TimeCalls(context.Background(), 0, func() error { return nil }); err == nil {
		t.Error("0 calls accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := TimeCalls(ctx, 2, func() error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if v, err := ReadScalar(tensors.FromValue(float32(2.5))); err != nil || v != 2.5 {
		t.Errorf("ReadScalar: %v, %v", v, err)
	}
	if _, err := ReadScalar(tensors.FromValue(int32(2))); err == nil {
		t.Error("ReadScalar of an int accepted")
	}
}

func TestImageBatch(t *testing.T) {
	a, b := imageio.NewGray(3, 2), imageio.NewGray(3, 2)
	a.Pix[5], b.Pix[0] = 255, 51
	imgs, labels, err := ImageBatch([]dataset.Sample{{Crop: dataset.Crop{Image: a}, Label: 1}, {Crop: dataset.Crop{Image: b}, Label: dataset.NoLabel}})
	if err != nil {
		t.Fatal(err)
	}
	if !imgs.Shape().Equal(shapes.Make(imgs.DType(), 2, 2, 3, 1)) {
		t.Errorf("images shape %v", imgs.Shape())
	}
	px, _ := tensors.CopyFlatData[float32](imgs)
	lb, _ := tensors.CopyFlatData[int32](labels)
	if px[5] != 1 || px[6] != 0.2 || lb[0] != 1 || lb[1] != -1 {
		t.Errorf("pixels %v labels %v", px, lb)
	}
	if _, _, err := ImageBatch(nil); err == nil {
		t.Error("empty batch accepted")
	}
	if _, _, err := ImageBatch([]dataset.Sample{{Crop: dataset.Crop{ImageID: "none"}}}); err == nil || !strings.Contains(err.Error(), "none") {
		t.Errorf("a sample without image: %v", err)
	}
	masks, err := MaskBatch([]dataset.Sample{{Crop: dataset.Crop{Image: a}, Mask: b}, {Crop: dataset.Crop{Image: b}, Mask: a}})
	if err != nil {
		t.Fatal(err)
	}
	if mp, _ := tensors.CopyFlatData[float32](masks); mp[0] != 0.2 || mp[11] != 1 {
		t.Errorf("masks %v", mp)
	}
	if _, err := MaskBatch([]dataset.Sample{{Crop: dataset.Crop{ImageID: "nomask", Image: a}}}); err == nil || !strings.Contains(err.Error(), "mask") {
		t.Errorf("a sample without mask: %v", err)
	}
	if _, _, err := ImageBatch([]dataset.Sample{{Crop: dataset.Crop{Image: a}}, {Crop: dataset.Crop{ImageID: "odd", Image: imageio.NewGray(2, 2)}}}); err == nil || !strings.Contains(err.Error(), "odd") {
		t.Errorf("mixed sizes: %v", err)
	}
}

// TestConv2DFormsAgree: the matrix-product form of a dilated 3×3 and a 1×1
// convolution equals GoMLX's Convolve with the same variables.
func TestConv2DFormsAgree(t *testing.T) {
	be := goBackend(t)
	x := make([]float32, 2*6*5*3)
	for i := range x {
		x[i] = float32(math.Cos(float64(i) * 0.7))
	}
	for _, c := range []struct{ k, dil int }{{3, 1}, {3, 2}, {1, 1}} {
		store := model.NewStore()
		if err := store.SetRNGStateFromSeed(4); err != nil {
			t.Fatal(err)
		}
		exec, err := model.NewExec(be, store, func(scope *model.Scope, xs *Node) (*Node, *Node) {
			s := XavierScope(scope).At("c")
			return Conv2D(s, xs, c.k, 4, c.dil), ConvolveForm(s, xs, c.k, 4, c.dil)
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, 2, 6, 5, 3))
		if err != nil {
			t.Fatal(err)
		}
		a, _ := tensors.CopyFlatData[float32](res[0])
		b, _ := tensors.CopyFlatData[float32](res[1])
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > 1e-5 {
				t.Fatalf("k=%d dilation %d: value %d: im2col %g, Convolve %g", c.k, c.dil, i, a[i], b[i])
			}
		}
	}
}

// TestCheckpointRefusesShortOrNonFiniteData: a variable whose values do
// not fill its declared shape is refused when decoding; NaN weights are
// refused when a weights file is restored (RestoreWeights).
func TestCheckpointRefusesShortOrNonFiniteData(t *testing.T) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(&checkpointHeader{Format: "t", Vars: []checkpointVar{{Path: "/w", Trainable: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := enc.Encode(struct{ A int }{1}); err != nil {
		t.Fatal(err)
	}
	if err := shapes.Make(dtypes.Float32, 4).GobSerialize(enc); err != nil {
		t.Fatal(err)
	}
	if err := enc.Encode([]float32{1, 2}); err != nil {
		t.Fatal(err)
	}
	ck, _ := Checkpoint(model.NewStore()).Format("t").Done()
	var st struct{ A int }
	if _, err := ck.Decode(atomicfile.Seal(buf.Bytes()), &st); err == nil || !strings.Contains(err.Error(), "needs 4 values, the file has 2") {
		t.Errorf("short data: %v", err)
	}

	store := model.NewStore()
	store.RootScope().VariableWithValue("w", tensors.FromFlatDataAndDimensions([]float32{1, float32(math.NaN())}, 2))
	good, _ := Checkpoint(store).Format("t").Done()
	b, err := good.Encode(struct{ A int }{2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RestoreWeights("nan.weights", b, "t", "GAN", &st, nil); err == nil || !strings.Contains(err.Error(), "nan.weights: not a GAN weights file: /w: value 1 is NaN") {
		t.Errorf("NaN weights: %v", err)
	}
}

// TestRunFreesInputsAndShapeExecsRebuild: Run frees its input tensors and
// not other arguments; ShapeExecs rebuilds after MaxImageShapes sizes, keeps
// computing the same values, and never finalizes the caller's executables.
func TestRunFreesInputsAndShapeExecsRebuild(t *testing.T) {
	be := goBackend(t)
	store := model.NewStore()
	double := func(scope *model.Scope, x *Node) *Node { return MulScalar(x, 2) }
	own, err := model.NewExec(be, store, double)
	if err != nil {
		t.Fatal(err)
	}
	in := tensors.FromFlatDataAndDimensions([]float32{1, 2, 3}, 1, 1, 3)
	out, err := Run(own, in)
	if err != nil {
		t.Fatal(err)
	}
	if in.Ok() {
		t.Error("Run left its input tensor allocated")
	}
	if got, _ := tensors.CopyFlatData[float32](out[0]); len(got) != 3 || got[2] != 6 {
		t.Errorf("Run: got %v, want [2 4 6]", got)
	}
	FreeAll(out)
	if out[0].Ok() {
		t.Error("FreeAll left an output allocated")
	}

	builds := 0
	se := NewShapeExecs([]*model.Exec{own}, func() ([]*model.Exec, error) {
		builds++
		e, err := model.NewExec(be, store, double)
		return []*model.Exec{e}, err
	})
	const sizes = 2*MaxImageShapes + 1 // two rebuilds: the second drops built executables
	for w := 1; w <= sizes; w++ {
		x := make([]float32, w)
		for i := range x {
			x[i] = float32(w + i)
		}
		res, err := se.Exec(0, 1, w, tensors.FromFlatDataAndDimensions(x, 1, 1, w))
		if err != nil {
			t.Fatalf("width %d: %v", w, err)
		}
		got, _ := tensors.CopyFlatData[float32](res[0])
		if len(got) != w || got[w-1] != 2*x[w-1] {
			t.Fatalf("width %d: got %v", w, got)
		}
	}
	if builds != 2 {
		t.Errorf("%d sizes: %d rebuilds, want 2", sizes, builds)
	}
	// The caller's executable was replaced but must still run.
	res, err := own.Exec(tensors.FromFlatDataAndDimensions([]float32{5}, 1, 1, 1))
	if err != nil {
		t.Fatalf("the caller's executable after the rebuilds: %v", err)
	}
	if v, _ := tensors.CopyFlatData[float32](res[0]); v[0] != 10 {
		t.Errorf("the caller's executable: got %v, want 10", v)
	}
}
