package agilenet

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// Ciphertext-domain inference (the agile paper's third part: "authorized
// users can predict diseases and extract medical organs in the ciphertext
// environment"): small task networks — a classifier and a segmenter —
// trained on plain images and applied to what each user has. Ours.

// Task is an inference task.
type Task int

const (
	// Classify predicts an image's class (cross-entropy; accuracy).
	Classify Task = iota
	// Segment predicts a per-pixel object mask (binary cross-entropy;
	// Dice).
	Segment
)

// String is the task's name.
func (t Task) String() string {
	switch t {
	case Classify:
		return "classification"
	case Segment:
		return "segmentation"
	}
	return fmt.Sprintf("task(%d)", int(t))
}

// scopeTask holds a task network's variables.
const scopeTask = "task"

// TaskConfig is one task network's training run.
type TaskConfig struct {
	// Task is what the network predicts.
	Task Task
	// Crop is the side of the images (a multiple of 4 for Classify);
	// Classes the number of classes (Classify).
	Crop, Classes int
	// Batch, Steps and Channels: minibatch, training steps, width.
	Batch, Steps, Channels int
	// LearningRate of the Adam optimiser (Beta1, Beta2).
	LearningRate float64
	// Seed determines the initialisation.
	Seed uint64
}

// Validate reports the first invalid field.
func (c TaskConfig) Validate() error {
	switch {
	case c.Task != Classify && c.Task != Segment:
		return fmt.Errorf("agile task: unknown task %d", int(c.Task))
	case c.Crop < 4 || c.Crop > MaxCrop || (c.Task == Classify && c.Crop%4 != 0):
		return fmt.Errorf("agile task: crop %d: want 4..%d (a multiple of 4 to classify)", c.Crop, MaxCrop)
	case c.Task == Classify && (c.Classes < 2 || c.Classes > 1024):
		return fmt.Errorf("agile task: %d classes: want 2..1024", c.Classes)
	case c.Batch < 1 || c.Batch > MaxBatch || c.Steps < 0 || c.Steps > MaxSteps:
		return fmt.Errorf("agile task: batch %d, steps %d: want 1..%d and 0..%d", c.Batch, c.Steps, MaxBatch, MaxSteps)
	case c.Batch > MaxBatchPixels/(c.Crop*c.Crop):
		return fmt.Errorf("agile task: batch %d of %d² images: want at most %d pixels per batch", c.Batch, c.Crop, MaxBatchPixels)
	case c.Channels < len(Dilations) || c.Channels > MaxChannels || c.Channels%len(Dilations) != 0:
		return fmt.Errorf("agile task: channels %d: want a multiple of %d up to %d", c.Channels, len(Dilations), MaxChannels)
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return fmt.Errorf("agile task: learning rate %g: want a finite value > 0", c.LearningRate)
	}
	return nil
}

// TaskModel is one task network.
type TaskModel struct {
	cfg     TaskConfig
	arch    Arch
	store   *model.Store
	step    *model.Exec
	predict *model.Exec
	stream  *nn.Stream
}

// classifier: three 3×3 convolutions with leaky ReLUs, the second and
// third after a 2×2 space-to-depth (width Channels, 2·Channels,
// 2·Channels), the mean and the maximum over positions and a dense layer
// to Classes logits: [batch, Classes].
func (t *TaskModel) classifier(scope *model.Scope, x *Node) *Node {
	h := AddScalar(x, -0.5)
	for i, w := range []int{t.cfg.Channels, 2 * t.cfg.Channels, 2 * t.cfg.Channels} {
		if i > 0 {
			h = nn.SpaceToDepth(h, 2)
		}
		h = nn.LeakyReLU(t.arch.Form.Conv(scope.At("conv%d", i), h, 3, w, 1), LeakySlope)
	}
	pooled := Concatenate([]*Node{ReduceMean(h, 1, 2), ReduceMax(h, 1, 2)}, -1)
	return nn.Dense(scope.At("dense"), pooled, t.cfg.Classes, true)
}

// segmenter: two multi-scale blocks and a 1×1 convolution: mask logits
// [batch, h, w, 1].
func (t *TaskModel) segmenter(scope *model.Scope, x *Node) *Node {
	h := AddScalar(x, -0.5)
	for i := 0; i < Blocks; i++ {
		h = MultiScale(scope.At("block%d", i), h, t.arch)
	}
	return t.arch.Form.Conv(scope.At("out"), h, 1, 1, 1)
}

func (t *TaskModel) net(scope *model.Scope, x *Node) *Node {
	scope = nn.XavierScope(scope).At(scopeTask)
	if t.cfg.Task == Classify {
		return t.classifier(scope, x)
	}
	return t.segmenter(scope, x)
}

// NewTaskModel creates the task network of cfg on be, training on data
// (labelled samples with masks for Segment; DropLast batches of
// cfg.Batch).
func NewTaskModel(be compute.Backend, cfg TaskConfig, data *dataset.Batches) (*TaskModel, error) {
	if be == nil {
		return nil, errors.New("agile task: nil backend")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	stream, err := nn.NewStream(data, cfg.Batch, "agile task")
	if err != nil {
		return nil, err
	}
	if stream.PerEpoch() < 1 && cfg.Steps > 0 {
		return nil, stream.ErrNoBatch()
	}
	t := &TaskModel{cfg: cfg, arch: ArchFor(be, cfg.Channels), store: model.NewStore(), stream: stream}
	if err := t.store.SetRNGStateFromSeed(int64(cfg.Seed & math.MaxInt64)); err != nil {
		return nil, err
	}
	p := nn.Player{Scope: scopeTask, Optimizer: optimizer.Adam().LearningRate(cfg.LearningRate).Betas(Beta1, Beta2).Done()}
	t.step, err = p.NewStep(be, t.store, func(scope *model.Scope, in []*Node) []*Node {
		out := t.net(scope, in[0])
		if cfg.Task == Classify {
			oh := OneHot(in[1], cfg.Classes, out.DType())
			return []*Node{Neg(ReduceAllMean(ReduceSum(Mul(oh, LogSoftmax(out, -1)), -1)))}
		}
		return []*Node{RecLoss(in[1], out)} // per-pixel binary cross-entropy with the mask
	})
	if err == nil {
		t.predict, err = model.NewExec(be, t.store, func(scope *model.Scope, x *Node) *Node {
			out := t.net(scope, x)
			if cfg.Task == Classify {
				return ArgMax(out, -1, dtypes.Int32)
			}
			return ConvertDType(GreaterThan(out, ZerosLike(out)), dtypes.Float32)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("agile task: building the graphs: %w", err)
	}
	return t, nil
}

// Train runs cfg.Steps steps; onStep (may be nil) gets each step's loss.
func (t *TaskModel) Train(ctx context.Context, onStep func(step int, loss float64)) error {
	defer t.stream.Close()
	for s := 0; s < t.cfg.Steps; s++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		samples, _, err := t.stream.Next(ctx)
		if err != nil {
			return err
		}
		x, labels, err := nn.ImageBatch(samples)
		if err != nil {
			return fmt.Errorf("agile task: %w", err)
		}
		if t.cfg.Task == Classify {
			for i, smp := range samples {
				if smp.Label < 0 || smp.Label >= t.cfg.Classes {
					return fmt.Errorf("agile task: sample %d of step %d (%s): label %d, want 0..%d", i, s, smp.ImageID, smp.Label, t.cfg.Classes-1)
				}
			}
		}
		target := labels
		if t.cfg.Task == Segment {
			if target, err = nn.MaskBatch(samples); err != nil {
				return fmt.Errorf("agile task: %w", err)
			}
		}
		loss, err := nn.RunScalar(t.step, x, target)
		if err != nil {
			return fmt.Errorf("agile task: step %d: %w", s, err)
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return fmt.Errorf("agile task: loss is %g at step %d", loss, s)
		}
		if onStep != nil {
			onStep(s, loss)
		}
	}
	return nil
}

// Close frees the task model's compiled graphs (nn.FinalizeExecs); it
// must not be used afterwards. Ours.
func (t *TaskModel) Close() { nn.FinalizeExecs(t.step, t.predict) }

// Predict runs the network on images (8-bit, of the training crop's
// size; pixels/255 like training): for Classify, classes[i] is image i's
// predicted class; for Segment, masks[i] its predicted mask (255 inside).
func (t *TaskModel) Predict(images []*imageio.Gray) (classes []int, masks []*imageio.Gray, err error) {
	side := t.cfg.Crop
	for from := 0; from < len(images); from += t.cfg.Batch {
		chunk := images[from:min(from+t.cfg.Batch, len(images))]
		pix := make([]float32, 0, len(chunk)*side*side)
		for i, g := range chunk {
			if g == nil || g.Check() != nil {
				return nil, nil, fmt.Errorf("agile task: image %d: missing or invalid", from+i)
			}
			if g.Width != side || g.Height != side || g.BitDepth() != 8 {
				return nil, nil, fmt.Errorf("agile task: image %d: %dx%d, %d-bit: want %d² 8-bit", from+i, g.Width, g.Height, g.BitDepth(), side)
			}
			for _, p := range g.Pix {
				pix = append(pix, pixelValue(p))
			}
		}
		out, err := nn.Run(t.predict, tensors.FromFlatDataAndDimensions(pix, len(chunk), side, side, 1))
		if err != nil {
			return nil, nil, fmt.Errorf("agile task: %w", err)
		}
		if t.cfg.Task == Classify {
			v, err := tensors.CopyFlatData[int32](out[0])
			nn.FreeAll(out)
			if err != nil {
				return nil, nil, err
			}
			for _, c := range v {
				classes = append(classes, int(c))
			}
			continue
		}
		v, err := tensors.CopyFlatData[float32](out[0])
		nn.FreeAll(out)
		if err != nil {
			return nil, nil, err
		}
		for i := range chunk {
			m := imageio.NewGray(side, side)
			for k := range m.Pix {
				m.Pix[k] = uint8(255 * v[i*side*side+k])
			}
			masks = append(masks, m)
		}
	}
	return classes, masks, nil
}

// Dice is the Dice coefficient 2|A ∩ B| / (|A| + |B|) of two binary 8-bit
// masks (pixels > 127 are inside); 1 when both are empty. Errors: a
// missing or invalid mask, a mask that is not 8-bit, masks of different
// sizes.
func Dice(a, b *imageio.Gray) (float64, error) {
	for i, m := range []*imageio.Gray{a, b} {
		if m == nil {
			return 0, fmt.Errorf("dice: mask %d is missing", i+1)
		}
		if err := m.Check(); err != nil {
			return 0, fmt.Errorf("dice: mask %d: %v", i+1, err)
		}
		if m.BitDepth() != 8 {
			return 0, fmt.Errorf("dice: mask %d is %d-bit: want 8-bit masks", i+1, m.BitDepth())
		}
	}
	if a.Width != b.Width || a.Height != b.Height {
		return 0, fmt.Errorf("dice: masks of %dx%d and %dx%d", a.Width, a.Height, b.Width, b.Height)
	}
	var both, na, nb int
	for i := range a.Pix {
		x, y := a.Pix[i] > 127, b.Pix[i] > 127
		if x {
			na++
		}
		if y {
			nb++
		}
		if x && y {
			both++
		}
	}
	if na+nb == 0 {
		return 1, nil
	}
	return 2 * float64(both) / float64(na+nb), nil
}
