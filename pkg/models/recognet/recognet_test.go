package recognet

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn/nntest"
)

const testBackendEnv = "RECOGNET_TEST_BACKEND"

// halves labels a crop 0 or 1 by a transform any model can learn: the
// crop's grey levels halved (class 0, dark) and halved then raised by 128
// (class 1, bright), both built from the same crop like the experiment's
// tasks.
func halves(c dataset.Crop) ([]dataset.Sample, error) {
	dark, bright := c, c
	dark.Image, bright.Image = c.Image.Clone(), c.Image.Clone()
	for i, p := range c.Image.Pix {
		dark.Image.Pix[i], bright.Image.Pix[i] = p/2, 128+p/2
	}
	return []dataset.Sample{{Crop: dark, Label: 0}, {Crop: bright, Label: 1}}, nil
}

// plan is a small synthetic plan of side² crops.
func plan(t *testing.T, side int) *dataset.Plan {
	t.Helper()
	src, err := dataset.NewSynthetic(5, 4, 128)
	if err != nil {
		t.Fatal(err)
	}
	p, err := dataset.NewPlan(src, dataset.CropConfig{Size: side, PerImage: 16, TestFraction: 0.25, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newModel builds cfg's model on the negatives task of p.
func newModel(t testing.TB, cfg Config, p *dataset.Plan) *Model {
	t.Helper()
	train, err := p.Batches(dataset.Train, cfg.Batch).Labels(halves).PerCrop(2).Shuffle(1).DropLast().Done()
	if err != nil {
		t.Fatal(err)
	}
	test, err := p.Batches(dataset.Test, cfg.Batch).Labels(halves).PerCrop(2).Done()
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(backendFor(t), cfg, train, test, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEveryModelTrainsAStep builds each architecture at smoke size on the
// pure Go backend, runs one epoch and checks the evaluation's bookkeeping.
func TestEveryModelTrainsAStep(t *testing.T) {
	p := plan(t, 16)
	for _, a := range Archs {
		t.Run(a.String(), func(t *testing.T) {
			m := newModel(t, Config{Arch: a, Side: 16, Classes: 2, Width: 2, Batch: 8, Epochs: 1, Seed: 1}, p)
			steps := 0
			h, err := m.Train(context.Background(), func(int, float64) { steps++ })
			if err != nil {
				t.Fatal(err)
			}
			// An epoch is every sample: two per training crop.
			if want := 2 * p.Len(dataset.Train) / 8; steps != want || m.PerEpoch() != want {
				t.Errorf("%d steps (PerEpoch %d), want one epoch of %d batches (2 samples per crop)", steps, m.PerEpoch(), want)
			}
			if len(h.Losses) != 2 || h.Step[1] != steps {
				t.Fatalf("history %v: want evaluations before and after the epoch", h.Step)
			}
			e := h.Losses[1]
			total := 0
			for _, row := range e.Confusion {
				for _, c := range row {
					total += c
				}
			}
			if want := 2 * p.Len(dataset.Test); total != want {
				t.Errorf("confusion matrix counts %d samples, want %d (two per test crop)", total, want)
			}
			if !(e.TestLoss > 0) || math.IsInf(e.TestLoss, 0) || e.Accuracy < 0 || e.Accuracy > 1 {
				t.Errorf("evaluation %+v out of range", e)
			}
			if m.Params() == 0 {
				t.Error("no trainable parameters counted")
			}
			if a == AlexNetPre {
				// Training updated batch normalisation's moving mean, which
				// the evaluation graph reads.
				moved := false
				for v := range m.Store().IterVariables() {
					if strings.HasSuffix(v.Name(), "mean") && strings.Contains(v.Scope(), "/bn") {
						vals, _ := tensors.CopyFlatData[float32](v.MustValue())
						for _, x := range vals {
							moved = moved || x != 0
						}
					}
				}
				if !moved {
					t.Error("batch normalisation's moving mean is still 0 after an epoch")
				}
			}
		})
	}
}

// TestModelsLearnAnEasyTask trains the CNN and the MLP to tell dark from
// bright crops: both must beat 90 % (chance is 50 %).
func TestModelsLearnAnEasyTask(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two models")
	}
	p := plan(t, 16)
	for _, a := range []Arch{CNN, MLP} {
		m := newModel(t, Config{Arch: a, Side: 16, Classes: 2, Width: 4, Batch: 8, Epochs: 4, Seed: 3}, p)
		h, err := m.Train(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		first, last := h.Losses[0], h.Losses[len(h.Losses)-1]
		if last.Accuracy < 0.9 || !(last.TestLoss < first.TestLoss) {
			t.Errorf("%s: accuracy %.3f (loss %.3f → %.3f) after training: want ≥ 0.9 and a lower loss", a, last.Accuracy, first.TestLoss, last.TestLoss)
		}
	}
}

// TestFirstLayerFormsAgree checks that the space-to-depth form of AlexNet's
// first layer equals the stride-4 convolution with the same variables.
func TestFirstLayerFormsAgree(t *testing.T) {
	be := nntest.Backend(t, testBackendEnv)
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(7); err != nil {
		t.Fatal(err)
	}
	const side, in, out = 32, 2, 5
	exec := model.MustNewExec(be, store, func(scope *model.Scope, x *Node) (*Node, *Node) {
		scope = nn.XavierScope(scope)
		return FirstLayer(scope.At("first"), x, out), FirstLayerStrided(scope.At("first"), x, out)
	})
	x := make([]float32, 2*side*side*in)
	for i := range x {
		x[i] = float32(math.Sin(float64(i) * 0.37))
	}
	res, err := exec.Exec(tensors.FromFlatDataAndDimensions(x, 2, side, side, in))
	if err != nil {
		t.Fatal(err)
	}
	if got := res[0].Shape().Dimensions; got[1] != side/4 || got[3] != out {
		t.Fatalf("output shape %v, want [2 %d %d %d]", got, side/4, side/4, out)
	}
	a, _ := tensors.CopyFlatData[float32](res[0])
	b, _ := tensors.CopyFlatData[float32](res[1])
	var worst, norm float64
	for i := range a {
		worst = math.Max(worst, math.Abs(float64(a[i]-b[i])))
		norm = math.Max(norm, math.Abs(float64(b[i])))
	}
	if norm == 0 || worst > 1e-4*norm {
		t.Errorf("space-to-depth form differs from the strided form by %g (outputs up to %g)", worst, norm)
	}
}

// TestLocalResponseNorm checks LRN on one pixel with 7 channels against
// the definition, written out: each channel's window is itself and two
// neighbours each side (fewer at the ends).
func TestLocalResponseNorm(t *testing.T) {
	be := nntest.Backend(t, testBackendEnv)
	exec := model.MustNewExec(be, model.NewStore(), func(scope *model.Scope, x *Node) *Node { return LocalResponseNorm(x) })
	in := []float32{10, 20, 30, 40, 50, 60, 70}
	res, err := exec.Exec(tensors.FromFlatDataAndDimensions(in, 1, 1, 1, len(in)))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := tensors.CopyFlatData[float32](res[0])
	for c, a := range in {
		var sum float64
		for j := max(c-2, 0); j <= min(c+2, len(in)-1); j++ {
			sum += float64(in[j]) * float64(in[j])
		}
		want := float64(a) / math.Pow(LRNBias+LRNAlpha/LRNSize*sum, LRNBeta)
		if math.Abs(float64(got[c])-want) > 1e-5*want {
			t.Errorf("channel %d: %g, want %g", c, got[c], want)
		}
	}
}

// TestHighPassFiltersSumToZero: a high-pass filter removes a constant.
func TestHighPassFiltersSumToZero(t *testing.T) {
	for k, f := range HighPassFilters {
		var s float64
		for _, row := range f {
			for _, v := range row {
				s += v
			}
		}
		if math.Abs(s) > 1e-12 {
			t.Errorf("filter %d sums to %g", k, s)
		}
	}
	be := nntest.Backend(t, testBackendEnv)
	exec := model.MustNewExec(be, model.NewStore(), func(scope *model.Scope, x *Node) *Node { return highPass(x) })
	flat := make([]float32, 8*8)
	for i := range flat {
		flat[i] = 0.5
	}
	res, err := exec.Exec(tensors.FromFlatDataAndDimensions(flat, 1, 8, 8, 1))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := tensors.CopyFlatData[float32](res[0])
	// An impulse of grey level 1 (255 on the filters' scale) gives the KV
	// kernel's centre and neighbour taps.
	impulse := make([]float32, 8*8)
	impulse[4*8+4] = 1
	res2, err := exec.Exec(tensors.FromFlatDataAndDimensions(impulse, 1, 8, 8, 1))
	if err != nil {
		t.Fatal(err)
	}
	imp, _ := tensors.CopyFlatData[float32](res2[0])
	n0 := len(HighPassFilters)
	if c, r := imp[(4*8+4)*n0], imp[(4*8+5)*n0]; math.Abs(float64(c)+255) > 1e-3 || math.Abs(float64(r)-170) > 1e-3 {
		t.Errorf("KV response to an impulse: centre %g, right %g, want −255 and 170", c, r)
	}
	// Away from the zero-padded border a flat image has no residual.
	n := len(HighPassFilters)
	for y := 2; y < 6; y++ {
		for x := 2; x < 6; x++ {
			for c := 0; c < n; c++ {
				if v := got[(y*8+x)*n+c]; math.Abs(float64(v)) > 1e-4 {
					t.Errorf("residual %g at (%d,%d) filter %d", v, x, y, c)
				}
			}
		}
	}
}

func TestConfigValidate(t *testing.T) {
	good := Config{Arch: CNN, Side: 32, Classes: 2, Width: 4, Batch: 8, Epochs: 1}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]Config{
		"arch":    {Arch: Arch(9), Side: 32, Classes: 2, Width: 4, Batch: 8},
		"side":    {Arch: CNN, Side: 24, Classes: 2, Width: 4, Batch: 8},
		"classes": {Arch: CNN, Side: 32, Classes: 1, Width: 4, Batch: 8},
		"width":   {Arch: CNN, Side: 32, Classes: 2, Width: 0, Batch: 8},
		"batch":   {Arch: CNN, Side: 32, Classes: 2, Width: 4, Batch: 0},
		"pixels":  {Arch: CNN, Side: 1024, Classes: 2, Width: 4, Batch: 4096},
		"lr":      {Arch: CNN, Side: 32, Classes: 2, Width: 4, Batch: 8, LearningRate: math.NaN()},
	} {
		if err := c.Validate(); err == nil || !strings.HasPrefix(err.Error(), "recognet: ") {
			t.Errorf("%s: Validate() = %v, want a recognet error", name, err)
		}
	}
	if a, err := ParseArch("alexnet+PRE"); err != nil || a != AlexNetPre {
		t.Errorf("ParseArch = %v, %v", a, err)
	}
	if _, err := ParseArch("vgg"); err == nil || !strings.Contains(err.Error(), "LSTM") {
		t.Errorf("ParseArch(vgg) = %v, want an error listing the models", err)
	}
}

// TestBadLabelIsAnError: a label out of range names the sample.
func TestBadLabelIsAnError(t *testing.T) {
	p := plan(t, 16)
	m := newModel(t, Config{Arch: MLP, Side: 16, Classes: 2, Width: 1, Batch: 8, Epochs: 1}, p)
	bad := []dataset.Sample{{Crop: dataset.Crop{ImageID: "x", Image: imageio.NewGray(16, 16)}, Label: 5}}
	if _, _, err := m.run(bad, "test"); err == nil || !strings.Contains(err.Error(), "label 5") {
		t.Errorf("err = %v, want the label named", err)
	}
}

func backendFor(t testing.TB) compute.Backend { return nntest.Backend(t, testBackendEnv) }

// TestEvaluationLeavesBatchNormAlone: evaluating reads batch
// normalisation's moving averages and never updates them, and a sample's
// prediction does not depend on the rest of its batch.
func TestEvaluationLeavesBatchNormAlone(t *testing.T) {
	p := plan(t, 16)
	m := newModel(t, Config{Arch: AlexNetPre, Side: 16, Classes: 2, Width: 2, Batch: 8, Epochs: 1, Seed: 4}, p)
	if _, err := m.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	snapshot := func() map[string][]float32 {
		out := map[string][]float32{}
		for v := range m.Store().IterVariables() {
			if strings.Contains(v.Scope(), "/bn") {
				out[v.Scope()+"/"+v.Name()], _ = tensors.CopyFlatData[float32](v.MustValue())
			}
		}
		return out
	}
	before := snapshot()
	if len(before) == 0 {
		t.Fatal("no batch normalisation variables")
	}
	if _, err := m.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for k, v := range snapshot() {
		if !slices.Equal(v, before[k]) {
			t.Errorf("evaluation changed %s", k)
		}
	}
	imgs := make([]*imageio.Gray, 8)
	for i := range imgs {
		imgs[i] = imageio.NewGray(16, 16)
		for j := range imgs[i].Pix {
			imgs[i].Pix[j] = uint8((i*37 + j*(i+1)) % 256)
		}
	}
	var batch []dataset.Sample
	for _, g := range imgs {
		batch = append(batch, dataset.Sample{Crop: dataset.Crop{Image: g}, Label: 0})
	}
	_, lossAlone, err := m.run(batch[:1], "test")
	if err != nil {
		t.Fatal(err)
	}
	_, lossBatch, err := m.run(batch, "test")
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(lossAlone[0]-lossBatch[0])) > 1e-5 {
		t.Errorf("sample 0's loss is %g alone and %g in a batch of 8: evaluation depends on the batch", lossAlone[0], lossBatch[0])
	}
}

// TestParamCount: the count a Config implies is the built model's, for
// every architecture, and an absurd Config is refused before building.
func TestParamCount(t *testing.T) {
	p := plan(t, 16)
	for _, a := range Archs {
		cfg := Config{Arch: a, Side: 16, Classes: 2, Width: 2, Batch: 8, Epochs: 1}
		m := newModel(t, cfg, p)
		if _, err := m.Step(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		if got, want := m.Params(), cfg.ParamCount(); got != want {
			t.Errorf("%s: built model has %d parameters, ParamCount says %d", a, got, want)
		}
	}
	huge := Config{Arch: MLP, Side: 1024, Classes: 2, Width: 256, Batch: 2, Epochs: 1}
	if err := huge.Validate(); err == nil || !strings.Contains(err.Error(), "parameters") {
		t.Errorf("Validate(%+v) = %v, want the parameter bound", huge, err)
	}
}
