package recognet

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// scopeNet holds the classifier's variables.
const scopeNet = "net"

// Training hyperparameters shared by the six models (the paper gives none;
// ours).
const (
	// LearningRate is Adam's step size.
	LearningRate = 1e-3
	// Beta1 and Beta2 are Adam's moment decays.
	Beta1, Beta2 = 0.9, 0.999
	// checkpointFormat tags (and versions) this family's checkpoints.
	checkpointFormat = "recognet-ckpt-v1"
)

// Bounds on a Config (against absurd allocations from a typo): the image
// side in pixels, the number of classes, the width (channels of the first
// layer), the batch in samples and the epochs.
const (
	MaxSide    = 1024
	MaxClasses = 64
	MaxWidth   = 256
	MaxBatch   = 4096
	MaxEpochs  = 10000
	// MaxBatchPixels bounds batch·side², the pixels of one step.
	MaxBatchPixels = 1 << 24
	// MaxParams bounds the trainable parameters a Config implies
	// (Config.ParamCount): 2^26 float32 weights with Adam's two moments
	// are 768 MiB.
	MaxParams = 1 << 26
)

// Config is one classifier's training run. It is comparable (a checkpoint
// resumes only for an equal Config).
type Config struct {
	// Arch is the network.
	Arch Arch
	// Side is the images' side in pixels: a multiple of 16, at least
	// MinSide.
	Side int
	// Classes is the number of classes (2..MaxClasses).
	Classes int
	// Width scales every layer (see Arch).
	Width int
	// Batch and Epochs: the minibatch and the number of passes over the
	// training split.
	Batch, Epochs int
	// LearningRate of Adam (0: the package's LearningRate).
	LearningRate float64
	// Seed determines the initial weights.
	Seed uint64
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	switch {
	case c.Arch < AlexNetPre || c.Arch > LSTM:
		return fmt.Errorf("recognet: unknown architecture %d", int(c.Arch))
	case c.Side < MinSide || c.Side > MaxSide || c.Side%16 != 0:
		return fmt.Errorf("recognet: side %d: want a multiple of 16 in %d..%d", c.Side, MinSide, MaxSide)
	case c.Classes < 2 || c.Classes > MaxClasses:
		return fmt.Errorf("recognet: %d classes: want 2..%d", c.Classes, MaxClasses)
	case c.Width < 1 || c.Width > MaxWidth:
		return fmt.Errorf("recognet: width %d: want 1..%d", c.Width, MaxWidth)
	case c.Batch < 1 || c.Batch > MaxBatch || c.Epochs < 0 || c.Epochs > MaxEpochs:
		return fmt.Errorf("recognet: batch %d, epochs %d: want 1..%d and 0..%d", c.Batch, c.Epochs, MaxBatch, MaxEpochs)
	case c.Batch > MaxBatchPixels/(c.Side*c.Side):
		return fmt.Errorf("recognet: batch %d of %d² images: want at most %d pixels per batch", c.Batch, c.Side, MaxBatchPixels)
	case c.LearningRate < 0 || math.IsNaN(c.LearningRate) || math.IsInf(c.LearningRate, 0):
		return fmt.Errorf("recognet: learning rate %g: want a finite value ≥ 0", c.LearningRate)
	case c.ParamCount() > MaxParams:
		return fmt.Errorf("recognet: %s at side %d, width %d has %d parameters: want at most %d (a smaller width or side)", c.Arch, c.Side, c.Width, c.ParamCount(), MaxParams)
	}
	return nil
}

// ParamCount is the number of trainable parameters of c's network (as
// Model.Params counts them once built), from the layer sizes of Arch.
func (c Config) ParamCount() int {
	w, k, s := c.Width, c.Classes, c.Side
	dense := func(in, out int) int { return in*out + out }
	conv := func(kk, in, out int) int { return kk*kk*in*out + out }
	switch c.Arch {
	case AlexNetPre, AlexNet:
		in, bn := 1, 0
		if c.Arch == AlexNetPre {
			in, bn = len(HighPassFilters), 2*len(HighPassFilters)
		}
		flat := (s / 16) * (s / 16) * 2 * w
		return bn + conv(FirstKernel, in, w) + conv(5, w, 2*w) + conv(3, 2*w, 3*w) + conv(3, 3*w, 3*w) + conv(3, 3*w, 2*w) +
			dense(flat, 8*w) + dense(8*w, 8*w) + dense(8*w, k)
	case CNN:
		return conv(3, 1, w) + conv(3, w, 2*w) + conv(3, 2*w, 4*w) + dense(8*w, k)
	case MLP:
		return dense(s*s, 16*w) + dense(16*w, 8*w) + dense(8*w, k)
	case RNN:
		h := 16 * w
		return dense(s, h) + h*h + dense(h, k)
	case LSTM:
		h := 16 * w
		return 4*h*s + 4*h*h + 8*h + dense(h, k)
	}
	return 0
}

func (c Config) learningRate() float64 {
	if c.LearningRate == 0 {
		return LearningRate
	}
	return c.LearningRate
}

// EpochMetrics are one evaluation of a classifier: after each epoch (and
// before the first) on the whole test split, plus the loss on a fixed set
// of training samples.
type EpochMetrics struct {
	// TrainLoss and TestLoss are the mean cross-entropies (nats).
	TrainLoss, TestLoss float64
	// Accuracy, Precision, Recall and F1 are the test split's accuracy
	// and macro-averaged precision, recall and F1 (metrics.Confusion), in
	// [0, 1].
	Accuracy, Precision, Recall, F1 float64
	// Confusion is the test split's confusion matrix [true][predicted].
	Confusion [][]int
}

// History holds the evaluations: Step[i] is the number of training steps
// before Losses[i] (0, one epoch, two epochs, …).
type History = nn.History[EpochMetrics]

// Model is one classifier with its training data.
type Model struct {
	cfg       Config
	net       *network
	store     *model.Store
	step      *model.Exec
	stepFLOPs nn.FLOPCount // the step graph's FLOPs (nn.GraphFLOPs)
	eval      *model.Exec
	stream    *nn.Stream
	test      *dataset.Batches
	trainEval []dataset.Sample
	ckpt      *nn.Resumer
	loop      *nn.Loop[Config, EpochMetrics]
}

// NewModel builds cfg's classifier on be. train gives the training
// batches (shuffled, DropLast batches of cfg.Batch), test the evaluation
// batches (every test sample, in order), trainEval a fixed set of training
// samples whose loss is recorded (may be empty). Labels must be in
// 0..Classes−1 and images cfg.Side² (errors name the sample).
func NewModel(be compute.Backend, cfg Config, train, test *dataset.Batches, trainEval []dataset.Sample) (*Model, error) {
	if be == nil {
		return nil, errors.New("recognet: nil backend")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if test == nil {
		return nil, errors.New("recognet: no test batches")
	}
	stream, err := nn.NewStream(train, cfg.Batch, "recognet "+cfg.Arch.String())
	if err != nil {
		return nil, err
	}
	if stream.PerEpoch() < 1 && cfg.Epochs > 0 {
		return nil, stream.ErrNoBatch()
	}
	m := &Model{cfg: cfg, net: &network{cfg: cfg, form: nn.ConvFormFor(be)}, store: model.NewStore(), stream: stream, test: test, trainEval: trainEval}
	if err := m.store.SetRNGStateFromSeed(int64(cfg.Seed & math.MaxInt64)); err != nil {
		return nil, err
	}
	p := nn.Player{Scope: scopeNet, Optimizer: optimizer.Adam().LearningRate(cfg.learningRate()).Betas(Beta1, Beta2).Done(), FLOPs: &m.stepFLOPs}
	m.step, err = p.NewStep(be, m.store, func(scope *model.Scope, in []*Node) []*Node {
		return []*Node{ReduceAllMean(m.crossEntropy(scope, in[0], in[1]))}
	})
	if err == nil {
		evalNet := *m.net
		evalNet.eval = true
		m.eval, err = model.NewExec(be, m.store, func(scope *model.Scope, x, labels *Node) (*Node, *Node) {
			nn.MarkTraining(scope, x.Graph()) // variables as parameters, see alexNet
			logits := evalNet.logits(scope, x)
			return ArgMax(logits, -1, dtypes.Int32), perSampleLoss(logits, labels, cfg.Classes)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("recognet %s: building the graphs: %w", cfg.Arch, err)
	}
	return m, nil
}

// perSampleLoss is the softmax cross-entropy of each sample: [batch].
func perSampleLoss(logits, labels *Node, classes int) *Node {
	oh := OneHot(labels, classes, logits.DType())
	return Neg(ReduceSum(Mul(oh, LogSoftmax(logits, -1)), -1))
}

func (m *Model) crossEntropy(scope *model.Scope, x, labels *Node) *Node {
	return perSampleLoss(m.net.logits(scope, x), labels, m.cfg.Classes)
}

// Close frees the model's compiled graphs (nn.FinalizeExecs); the model
// must not be used afterwards. Ours.
func (m *Model) Close() { nn.FinalizeExecs(m.step, m.eval) }

// Config returns the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// Store returns the model's variables.
func (m *Model) Store() *model.Store { return m.store }

// PerEpoch is the number of training steps of an epoch.
func (m *Model) PerEpoch() int { return m.stream.PerEpoch() }

// Params is the number of trainable parameters (the scalars of every
// trainable variable under the network's scope; 0 before the first step or
// evaluation builds the graph).
func (m *Model) Params() int {
	n := 0
	for v := range m.store.IterVariables() {
		if !v.Trainable || !isNetVariable(v.Scope()) {
			continue
		}
		n += v.Shape().Size()
	}
	return n
}

// isNetVariable reports whether a variable's scope is the network's (not
// the optimiser's state).
func isNetVariable(scope string) bool {
	return scope == "/"+scopeNet || strings.HasPrefix(scope, "/"+scopeNet+"/")
}

// batchTensors turns samples into the step's inputs, checking labels.
func (m *Model) batchTensors(samples []dataset.Sample, what string) (*tensors.Tensor, *tensors.Tensor, error) {
	for i, s := range samples {
		if s.Label < 0 || s.Label >= m.cfg.Classes {
			return nil, nil, fmt.Errorf("recognet %s: %s sample %d (%s at %d,%d): label %d, want 0..%d", m.cfg.Arch, what, i, s.ImageID, s.X, s.Y, s.Label, m.cfg.Classes-1)
		}
		if s.Image != nil && (s.Image.Width != m.cfg.Side || s.Image.Height != m.cfg.Side) {
			return nil, nil, fmt.Errorf("recognet %s: %s sample %d (%s at %d,%d): %dx%d, want %d²", m.cfg.Arch, what, i, s.ImageID, s.X, s.Y, s.Image.Width, s.Image.Height, m.cfg.Side)
		}
	}
	x, labels, err := nn.ImageBatch(samples)
	if err != nil {
		return nil, nil, fmt.Errorf("recognet %s: %w", m.cfg.Arch, err)
	}
	return x, labels, nil
}

// nextBatch is the stream's next batch as the step's inputs.
func (m *Model) nextBatch(ctx context.Context, what string) (x, labels *tensors.Tensor, err error) {
	samples, _, err := m.stream.Next(ctx)
	if err != nil {
		return nil, nil, err
	}
	return m.batchTensors(samples, what)
}

// Step makes training step s (its number, for messages) on the stream's
// next batch and returns the batch's mean loss.
func (m *Model) Step(ctx context.Context, s int) (float64, error) {
	x, labels, err := m.nextBatch(ctx, "training")
	if err != nil {
		return 0, err
	}
	loss, err := nn.RunScalar(m.step, x, labels)
	if err != nil {
		return 0, fmt.Errorf("recognet %s: step %d: %w", m.cfg.Arch, s, err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, fmt.Errorf("recognet %s: loss is %g at step %d", m.cfg.Arch, loss, s)
	}
	return loss, nil
}

// run evaluates a batch: predicted classes and per-sample losses.
func (m *Model) run(samples []dataset.Sample, what string) ([]int32, []float32, error) {
	x, labels, err := m.batchTensors(samples, what)
	if err != nil {
		return nil, nil, err
	}
	out, err := nn.Run(m.eval, x, labels)
	if err != nil {
		return nil, nil, fmt.Errorf("recognet %s: %w", m.cfg.Arch, err)
	}
	defer nn.FreeAll(out)
	pred, err := tensors.CopyFlatData[int32](out[0])
	if err != nil {
		return nil, nil, err
	}
	loss, err := tensors.CopyFlatData[float32](out[1])
	return pred, loss, err
}

// Evaluate measures the model on the whole test split (streamed) and the
// loss on the training evaluation samples.
func (m *Model) Evaluate(ctx context.Context) (EpochMetrics, error) {
	conf, err := metrics.NewConfusion(m.cfg.Classes)
	if err != nil {
		return EpochMetrics{}, err
	}
	var sum float64
	var n int
	for samples, err := range m.test.Epoch(ctx, 0) {
		if err != nil {
			return EpochMetrics{}, fmt.Errorf("recognet %s: test data: %w", m.cfg.Arch, err)
		}
		pred, loss, err := m.run(samples, "test")
		if err != nil {
			return EpochMetrics{}, err
		}
		for i, s := range samples {
			if err := conf.Add(s.Label, int(pred[i])); err != nil {
				return EpochMetrics{}, err
			}
			sum += float64(loss[i])
			n++
		}
	}
	if n == 0 {
		return EpochMetrics{}, fmt.Errorf("recognet %s: the test split is empty", m.cfg.Arch)
	}
	e := EpochMetrics{TestLoss: sum / float64(n), Accuracy: conf.Accuracy(), Precision: conf.MacroPrecision(),
		Recall: conf.MacroRecall(), F1: conf.MacroF1(), Confusion: conf.Rows()}
	if len(m.trainEval) > 0 {
		sum = 0
		for from := 0; from < len(m.trainEval); from += m.cfg.Batch {
			_, loss, err := m.run(m.trainEval[from:min(from+m.cfg.Batch, len(m.trainEval))], "training evaluation")
			if err != nil {
				return EpochMetrics{}, err
			}
			for _, l := range loss {
				sum += float64(l)
			}
		}
		e.TrainLoss = sum / float64(len(m.trainEval))
	}
	return e, nil
}

// CheckpointEvery is the default number of steps between checkpoints (an
// epoch boundary is always one as well, see SetCheckpoints).
const CheckpointEvery = 200

// SetCheckpoints makes Train save a checkpoint into o.Dir every o.Every
// steps (0: CheckpointEvery) and after the last, and resume from a valid
// checkpoint there for the same Config (nn.Resumer).
func (m *Model) SetCheckpoints(o nn.CheckpointOptions) error {
	r, err := nn.NewResumer(m.store, o, checkpointFormat, "recognet", CheckpointEvery)
	if err != nil {
		return err
	}
	m.ckpt = r
	return nil
}

// Train runs cfg.Epochs epochs, evaluating before the first and after
// each (Evaluate), and returns the evaluations. onStep (may be nil) gets
// each step's number and mean loss; History then returns the evaluations
// so far. A cancelled ctx stops it with ctx's error.
func (m *Model) Train(ctx context.Context, onStep func(step int, loss float64)) (*History, error) {
	steps := m.cfg.Epochs * m.stream.PerEpoch()
	m.loop = &nn.Loop[Config, EpochMetrics]{Who: "recognet " + m.cfg.Arch.String(), Config: m.cfg, Seed: m.cfg.Seed,
		Steps: steps, EvalEvery: max(m.stream.PerEpoch(), 1), Stream: m.stream, Ckpt: m.ckpt,
		Evaluate: func() (EpochMetrics, error) { return m.Evaluate(ctx) },
		Step: func(ctx context.Context, s int) (EpochMetrics, error) {
			loss, err := m.Step(ctx, s)
			return EpochMetrics{TrainLoss: loss}, err
		}}
	var cb func(int, EpochMetrics)
	if onStep != nil {
		cb = func(s int, e EpochMetrics) { onStep(s, e.TrainLoss) }
	}
	return m.loop.Run(ctx, cb)
}

// History returns the evaluations so far (during Train, from onStep).
func (m *Model) History() History { return m.loop.Curves() }

// TimeSteps times n training steps (after one untimed warm-up step that
// compiles the graph): nn.Timing's mean and median seconds per step and
// the FLOPs of the step's graph. The n + 1
// batches are drawn and turned into tensors before timing, so only the
// steps themselves are timed. It trains the model: use a fresh one.
func (m *Model) TimeSteps(ctx context.Context, n int) (nn.Timing, error) {
	type batch struct{ x, labels *tensors.Tensor }
	batches := make([]batch, 0, n+1)
	for i := 0; i <= n; i++ {
		x, labels, err := m.nextBatch(ctx, "timing")
		if err != nil {
			return nn.Timing{}, err
		}
		batches = append(batches, batch{x, labels})
	}
	i := 0
	// TimeCallsEach makes one untimed warm-up call, then n timed ones.
	t, err := nn.TimeCallsEach(ctx, n, func() error {
		b := batches[i]
		i++
		_, err := nn.RunScalar(m.step, b.x, b.labels) // reading the loss waits for the step
		return err
	})
	t.FLOPs = m.stepFLOPs.Load()
	return t, err
}

// Predict returns the predicted class of each image (8-bit, Side²).
func (m *Model) Predict(images []*imageio.Gray) ([]int, error) {
	var out []int
	for from := 0; from < len(images); from += m.cfg.Batch {
		chunk := images[from:min(from+m.cfg.Batch, len(images))]
		samples := make([]dataset.Sample, len(chunk))
		for i, g := range chunk {
			if g == nil || g.Check() != nil || g.BitDepth() != 8 {
				return nil, fmt.Errorf("recognet %s: image %d: missing, invalid or not 8-bit", m.cfg.Arch, from+i)
			}
			samples[i] = dataset.Sample{Crop: dataset.Crop{ImageID: fmt.Sprintf("image %d", from+i), Image: g}}
		}
		pred, _, err := m.run(samples, "prediction")
		if err != nil {
			return nil, err
		}
		for _, p := range pred {
			out = append(out, int(p))
		}
	}
	return out, nil
}
