package agilenet

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// CheckpointEvery is the default number of training steps between two
// checkpoints.
const CheckpointEvery = 50

// checkpointFormat tags (and versions) agile training checkpoints.
const checkpointFormat = "neurocrypt/agilenet training checkpoint v1"

// Losses are the loss terms on one batch (unweighted).
type Losses struct {
	// Loss is the weighted sum the optimiser minimises.
	Loss float64 `json:"loss"`
	// Rec is the binary-reduction cross-entropy (RecLoss, nats per
	// pixel); L1 the mean |x̂ − x| per pixel on [0, 1] of the right key's
	// decryption.
	Rec float64 `json:"rec"`
	L1  float64 `json:"l1"`
	// Hist and Corr are the cipher images' histogram flatness (HistLoss)
	// and neighbour correlation (CorrLoss) terms.
	Hist float64 `json:"hist"`
	Corr float64 `json:"corr"`
	// Wrong is the wrong-key hinge (WrongKeyLoss); WrongL1 the mean
	// |x̂′ − x| of the decryption under another key's plane.
	Wrong   float64 `json:"wrong"`
	WrongL1 float64 `json:"wrong_l1"`
}

// History holds the training curves: Losses on a fixed evaluation batch
// at each recorded step.
type History = nn.History[Losses]

// Model holds E and D of one run and their optimiser.
type Model struct {
	cfg      Config
	arch     Arch
	backend  compute.Backend
	store    *model.Store
	stepExec *model.Exec // x, k, k2 → loss and its parts
	// stepFLOPs counts the step's graph (nn.GraphFLOPs).
	stepFLOPs nn.FLOPCount
	evalExec  *model.Exec
	encExec   *model.Exec // x, k → cipher pixels (cipherExecs)
	decExec   *model.Exec // c, k → decrypted pixels
	stream    *nn.Stream
	eval      *batch
	loop      *nn.Loop[Config, Losses]
	ckpt      *nn.Resumer
	asCipher  sync.Once
	trained   *trained
}

// batch is one step's inputs as flat float32 slices of n·crop² values:
// the crops (x), each crop's key plane (k) and another key's plane (k2).
type batch struct {
	n        int
	x, k, k2 []float32
}

func (b *batch) tensor(v []float32, side int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(v, b.n, side, side, 1)
}

// NewModel creates E and D of cfg on backend be, training on the batches
// of data (cfg.Batch crops of cfg.Crop² each; build it with DropLast and a
// shuffle seed) and evaluating on eval (at least one crop of the same
// size; the first cfg.Batch are used). Variables are initialised lazily,
// from cfg.Seed, on the first step.
func NewModel(be compute.Backend, cfg Config, data *dataset.Batches, eval []dataset.Sample) (*Model, error) {
	if be == nil {
		return nil, errors.New("agile: nil backend")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	stream, err := nn.NewStream(data, cfg.Batch, "agile")
	if err != nil {
		return nil, err
	}
	if stream.PerEpoch() < 1 && cfg.Steps > 0 {
		return nil, stream.ErrNoBatch()
	}
	m := &Model{cfg: cfg, arch: ArchFor(be, cfg.Channels), backend: be, store: model.NewStore(), stream: stream}
	if len(eval) == 0 {
		return nil, errors.New("agile: no evaluation crops")
	}
	if m.eval, err = m.makeBatch(eval[:min(len(eval), cfg.Batch)], seeds.Sub(cfg.Seed, "agile eval")); err != nil {
		return nil, err
	}
	if err := m.store.SetRNGStateFromSeed(int64(cfg.Seed & math.MaxInt64)); err != nil {
		return nil, fmt.Errorf("agile: seeding the model RNG: %w", err)
	}
	p := nn.Player{Scope: ScopeCipher, Optimizer: optimizer.Adam().LearningRate(cfg.LearningRate).Betas(Beta1, Beta2).Done(), FLOPs: &m.stepFLOPs}
	if m.stepExec, err = p.NewStep(be, m.store, m.game); err == nil {
		m.evalExec, err = model.NewExec(be, m.store, m.game)
	}
	if err == nil {
		m.encExec, m.decExec, err = cipherExecs(be, m.store, m.arch)
	}
	if err != nil {
		return nil, fmt.Errorf("agile: building the graphs: %w", err)
	}
	return m, nil
}

// Close frees the model's compiled graphs (nn.FinalizeExecs); neither the
// model nor a cipher made from it may be used afterwards. Ours.
func (m *Model) Close() {
	nn.FinalizeExecs(m.stepExec, m.evalExec, m.encExec, m.decExec)
}

// Config returns the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// Store returns the model's variable store (weights and optimiser state).
func (m *Model) Store() *model.Store { return m.store }

// game is the loss on x, k, k2 and its parts, in Losses order.
func (m *Model) game(scope *model.Scope, in []*Node) []*Node {
	x, k, k2 := in[0], in[1], in[2]
	c := Quantize(encGraph(scope, x, k, m.arch))
	logits := decGraph(scope, c, k, m.arch)
	wrong := Sigmoid(decGraph(scope, c, k2, m.arch))
	rec, hist, corr := RecLoss(x, logits), HistLoss(c), CorrLoss(c)
	l1 := L1(x, Sigmoid(logits))
	recTerm := rec
	if m.cfg.L1Rec {
		recTerm = l1
	}
	wk := WrongKeyLoss(x, wrong, WrongMargin)
	loss := Add(Add(MulScalar(recTerm, m.cfg.RecWeight), MulScalar(hist, m.cfg.HistWeight)),
		Add(MulScalar(corr, m.cfg.CorrWeight), MulScalar(wk, m.cfg.WrongWeight)))
	return []*Node{loss, rec, l1, hist, corr, wk, L1(x, wrong)}
}

// TrainSecret is training key i of cfg's pool (0 ≤ i < cfg.KeyPool):
// SecretBits/8 bytes drawn from (cfg.Seed, i). Keys not of this form are
// unseen in training.
func TrainSecret(cfg Config, i int) []byte {
	rng := seeds.SplitMix{State: seeds.Sub(cfg.Seed, "agile train key", i)}
	return randomSecret(&rng)
}

// randomSecret draws SecretBits/8 bytes from rng.
func randomSecret(rng *seeds.SplitMix) []byte {
	s := make([]byte, SecretBits/8)
	rng.FillBytes(s)
	return s
}

// makeBatch turns crops into a batch: the crops' pixels on [0, 1], each
// crop's key plane (a pool key, or a fresh one with KeyPool 0) and the
// plane of a fresh key (k2, for the wrong-key term), drawn from seed.
func (m *Model) makeBatch(samples []dataset.Sample, seed uint64) (*batch, error) {
	imgs, _, err := nn.ImageBatch(samples)
	if err != nil {
		return nil, fmt.Errorf("agile: %w", err)
	}
	d := imgs.Shape().Dimensions
	if d[1] != m.cfg.Crop || d[2] != m.cfg.Crop {
		return nil, fmt.Errorf("agile: crops of %dx%d, want %d²", d[2], d[1], m.cfg.Crop)
	}
	x, err := tensors.CopyFlatData[float32](imgs)
	if err != nil {
		return nil, err
	}
	n, side := len(samples), m.cfg.Crop
	b := &batch{n: n, x: x, k: make([]float32, 0, n*side*side), k2: make([]float32, 0, n*side*side)}
	rng := seeds.SplitMix{State: seed}
	for i := 0; i < n; i++ {
		var secret []byte
		if m.cfg.KeyPool > 0 {
			secret = TrainSecret(m.cfg, rng.IntN(m.cfg.KeyPool))
		} else {
			secret = randomSecret(&rng)
		}
		for _, dst := range []*[]float32{&b.k, &b.k2} {
			plane, err := KeyPlane(secret, side, side)
			if err != nil {
				return nil, err
			}
			*dst = append(*dst, plane...)
			secret = randomSecret(&rng) // k2: a fresh key
		}
	}
	return b, nil
}

// nextBatch returns the batch of the stream's position (keys drawn from
// (seed, epoch, index)) and advances.
func (m *Model) nextBatch(ctx context.Context) (*batch, error) {
	samples, at, err := m.stream.Next(ctx)
	if err != nil {
		return nil, err
	}
	return m.makeBatch(samples, seeds.Sub(m.cfg.Seed, "agile batch", at.Epoch, at.Index))
}

// Step makes one training step on the next batch and returns the batch's
// losses before the update (s, the step's number, is unused: the loss has
// no schedule).
func (m *Model) Step(ctx context.Context, s int) (Losses, error) {
	b, err := m.nextBatch(ctx)
	if err != nil {
		return Losses{}, err
	}
	return m.run(m.stepExec, b, "step")
}

// run executes the step or evaluation graph on b.
func (m *Model) run(exec *model.Exec, b *batch, what string) (Losses, error) {
	side := m.cfg.Crop
	out, err := nn.Run(exec, b.tensor(b.x, side), b.tensor(b.k, side), b.tensor(b.k2, side))
	if err != nil {
		return Losses{}, fmt.Errorf("agile: %s: %w", what, err)
	}
	defer nn.FreeAll(out)
	var l Losses
	for i, d := range []*float64{&l.Loss, &l.Rec, &l.L1, &l.Hist, &l.Corr, &l.Wrong, &l.WrongL1} {
		if *d, err = nn.ReadScalar(out[i]); err != nil {
			return l, fmt.Errorf("agile: %s: output %d: %w", what, i, err)
		}
	}
	if math.IsNaN(l.Loss) || math.IsInf(l.Loss, 0) {
		return l, fmt.Errorf("agile: loss is %g (seed %d)", l.Loss, m.cfg.Seed)
	}
	return l, nil
}

// Evaluate returns the losses on the fixed evaluation batch.
func (m *Model) Evaluate() (Losses, error) { return m.run(m.evalExec, m.eval, "evaluation") }

// TimeSteps returns the wall time of n training steps (nn.Timing: mean
// and median seconds, and the FLOPs of the step's graph), after one
// untimed step that compiles the graph; the batches are
// prepared before the clock starts, so the time is the networks' alone.
// It trains the model: use a model made for timing.
func (m *Model) TimeSteps(ctx context.Context, n int) (nn.Timing, error) {
	if n < 1 {
		return nn.Timing{}, fmt.Errorf("agile: timing %d steps: want ≥ 1", n)
	}
	bs := make([]*batch, n+1)
	for i := range bs {
		b, err := m.nextBatch(ctx)
		if err != nil {
			return nn.Timing{}, err
		}
		bs[i] = b
	}
	i := 0
	t, err := nn.TimeCallsEach(ctx, n, func() error {
		_, err := m.run(m.stepExec, bs[i], "step")
		i++
		return err
	})
	t.FLOPs = m.stepFLOPs.Load()
	return t, err
}

// SetCheckpoints makes Train save a checkpoint every o.Every steps (0:
// CheckpointEvery) and after the last one into o.Dir, and resume from a
// valid checkpoint there for the same Config (nn.Resumer). A resumed run
// is bit-identical to an uninterrupted one on the pure Go backend. Train
// must be the first call after NewModel for a checkpoint to be resumed.
func (m *Model) SetCheckpoints(o nn.CheckpointOptions) error {
	r, err := nn.NewResumer(m.store, o, checkpointFormat, "agile", CheckpointEvery)
	if err != nil {
		return err
	}
	m.ckpt = r
	return nil
}

// Train runs cfg.Steps training steps, recording the History on the
// evaluation batch every cfg.EvalEvery steps and after the last. onStep,
// if not nil, is called after each step with its number and the batch's
// losses (History then returns the curves so far). It stops with ctx's
// error when ctx is cancelled.
func (m *Model) Train(ctx context.Context, onStep func(step int, l Losses)) (*History, error) {
	m.loop = &nn.Loop[Config, Losses]{Who: "agile", Config: m.cfg, Seed: m.cfg.Seed, Steps: m.cfg.Steps, EvalEvery: m.cfg.EvalEvery,
		Stream: m.stream, Ckpt: m.ckpt, Evaluate: m.Evaluate, Step: m.Step}
	return m.loop.Run(ctx, onStep)
}

// History returns a copy of the curves recorded so far.
func (m *Model) History() History { return m.loop.Curves() }
