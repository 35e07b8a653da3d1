package gannet

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
// checkpoints (a checkpoint is tens of KiB; 50 steps take seconds).
const CheckpointEvery = 50

// checkpointFormat tags (and versions) GAN training checkpoints.
const checkpointFormat = "neurocrypt/gannet training checkpoint v2"

// Losses are the loss terms and D's accuracy on one batch.
type Losses struct {
	// Disc is D's binary cross-entropy, DiscAcc its accuracy (fraction of
	// uniform and cipher images classified right, 1/2 = chance).
	Disc    float64 `json:"disc"`
	DiscAcc float64 `json:"disc_acc"`
	// Adv, Rec and Key are G/R's terms (unweighted): the non-saturating
	// adversarial loss, the L1 reconstruction error per pixel on [0, 1]
	// and the key-dependence hinge.
	Adv float64 `json:"adv"`
	Rec float64 `json:"rec"`
	Key float64 `json:"key"`
	// Wrong is the wrong-key hinge; WrongRec the mean |R(c, z′) − x| per
	// pixel it acts on (decryption with another key's plane).
	Wrong    float64 `json:"wrong"`
	WrongRec float64 `json:"wrong_rec"`
	// KeyDiff is the mean |c − c′| per pixel on [0, 1] between the cipher
	// images of one plain image under two keys (1/3 for independent
	// uniform images).
	KeyDiff float64 `json:"key_diff"`
}

// History holds the training curves: Losses on a fixed evaluation batch
// at each recorded step.
type History = nn.History[Losses]

// Model holds G, R and D of one run and their optimisers.
type Model struct {
	cfg     Config
	arch    Arch
	backend compute.Backend
	store   *model.Store
	grExec  *model.Exec // G/R step: x, z, z2, adv weight → loss and its parts
	dExec   *model.Exec // D step: x, z, u → loss, acc
	// grFLOPs and dFLOPs count the two steps' graphs (nn.GraphFLOPs).
	grFLOPs, dFLOPs nn.FLOPCount
	evalExec        *model.Exec // x, z, z2, u → Losses in order
	encExec         *model.Exec // x, z → cipher levels (cipherExecs)
	decExec         *model.Exec // c, z → 255·x̂ rounded
	stream          *nn.Stream
	eval            *batch
	loop            *nn.Loop[Config, Losses] // the running or last Train
	ckpt            *nn.Resumer
	probes          int // distinguishing tests made (DistinguishTest's scopes)
	asCipher        sync.Once
	trained         *trained // G and R as a cipher (Cipher)
}

// batch is one step's inputs as flat float32 slices of n·crop² values.
type batch struct {
	n           int
	x, z, z2, u []float32
}

// NewModel creates G, R and D of cfg on backend be, training on the
// batches of data (cfg.Batch crops of cfg.Crop² each; build it with
// DropLast and a shuffle seed) and evaluating on eval (at least one crop of
// the same size; the first cfg.Batch are used). Variables are initialised
// lazily, from cfg.Seed, on the first step.
func NewModel(be compute.Backend, cfg Config, data *dataset.Batches, eval []dataset.Sample) (*Model, error) {
	if be == nil {
		return nil, errors.New("gan: nil backend")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	stream, err := nn.NewStream(data, cfg.Batch, "gan")
	if err != nil {
		return nil, err
	}
	if stream.PerEpoch() < 1 && cfg.Steps > 0 {
		return nil, stream.ErrNoBatch()
	}
	m := &Model{cfg: cfg, arch: ArchFor(be, cfg.Channels), backend: be, store: model.NewStore(), stream: stream}
	if len(eval) == 0 {
		return nil, errors.New("gan: no evaluation crops")
	}
	if m.eval, err = m.makeBatch(eval[:min(len(eval), cfg.Batch)], seeds.Sub(cfg.Seed, "gan eval")); err != nil {
		return nil, err
	}
	if err := m.store.SetRNGStateFromSeed(int64(cfg.Seed & math.MaxInt64)); err != nil {
		return nil, fmt.Errorf("gan: seeding the model RNG: %w", err)
	}
	adam := func() optimizer.Interface {
		return optimizer.Adam().LearningRate(cfg.LearningRate).Betas(Beta1, Beta2).Done()
	}
	ch := m.arch
	gr := nn.Player{Scope: ScopeGenRec, Optimizer: adam(), FLOPs: &m.grFLOPs}
	if m.grExec, err = gr.NewStep(be, m.store, m.grGame); err == nil {
		d := nn.Player{Scope: ScopeDisc, Optimizer: adam(), FLOPs: &m.dFLOPs}
		m.dExec, err = d.NewStep(be, m.store, m.dGame)
	}
	if err == nil {
		m.evalExec, err = model.NewExec(be, m.store, m.evalGraph)
	}
	if err == nil {
		m.encExec, m.decExec, err = cipherExecs(be, m.store, ch)
	}
	if err != nil {
		return nil, fmt.Errorf("gan: building the graphs: %w", err)
	}
	return m, nil
}

// Close frees the model's compiled graphs (nn.FinalizeExecs); neither the
// model nor a cipher made from it (Cipher) may be used afterwards. Ours.
func (m *Model) Close() {
	nn.FinalizeExecs(m.grExec, m.dExec, m.evalExec, m.encExec, m.decExec)
}

// Config returns the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// Store returns the model's variable store (weights and optimiser state).
func (m *Model) Store() *model.Store { return m.store }

// terms builds G/R's loss on x, z, z2 (adversarial weight advW, a
// scalar) and its parts, in Losses order: adv, rec, key, key difference,
// wrong, wrong-key error; c is the quantised cipher image.
func (m *Model) terms(scope *model.Scope, x, z, z2, advW *Node) (loss *Node, parts []*Node, c *Node) {
	ch := m.arch
	c = Quantize(genGraph(scope, x, z, ch))
	c2 := Quantize(genGraph(scope, x, z2, ch))
	adv := AdvLoss(discGraph(scope, c, ch))
	rec := RecLoss(x, recGraph(scope, c, z, ch))
	key := KeyLoss(c, c2, KeyMargin)
	xw := recGraph(scope, c, z2, ch)
	wrong := WrongKeyLoss(x, xw, WrongMargin)
	loss = Add(Mul(adv, advW), MulScalar(rec, m.cfg.RecWeight))
	loss = Add(loss, Add(MulScalar(key, m.cfg.KeyWeight), MulScalar(wrong, m.cfg.WrongWeight)))
	return loss, []*Node{adv, rec, key, ReduceAllMean(Abs(Sub(c, c2))), wrong, RecLoss(x, xw)}, c
}

// grGame is G/R's step (inputs x, z, z2 and the adversarial weight, a
// scalar input so that its ramp needs no recompilation): only G's and R's variables
// learn (nn.Player); D's gradient reaches c but its weights stay.
func (m *Model) grGame(scope *model.Scope, in []*Node) []*Node {
	loss, parts, _ := m.terms(scope, in[0], in[1], in[2], in[3])
	return append([]*Node{loss}, parts...)
}

// dGame is D's step (inputs x, z, u): G's cipher images are constants.
func (m *Model) dGame(scope *model.Scope, in []*Node) []*Node {
	x, z, u := in[0], in[1], in[2]
	ch := m.arch
	c := StopGradient(Quantize(genGraph(scope, x, z, ch)))
	real, fake := discGraph(scope, u, ch), discGraph(scope, c, ch)
	return []*Node{DiscLoss(real, fake), DiscAccuracy(real, fake)}
}

func (m *Model) evalGraph(scope *model.Scope, in []*Node) []*Node {
	x, z, z2, u := in[0], in[1], in[2], in[3]
	_, parts, c := m.terms(scope, x, z, z2, ScalarOne(x.Graph(), x.DType()))
	ch := m.arch
	real, fake := discGraph(scope, u, ch), discGraph(scope, c, ch)
	return append([]*Node{DiscLoss(real, fake), DiscAccuracy(real, fake)}, parts...)
}

// makeBatch turns crops into a batch: the crops' pixels on [0, 1], one
// random secret's key plane per crop (z) and a second one (z2), and
// uniform 8-bit images (u), all drawn from seed.
func (m *Model) makeBatch(samples []dataset.Sample, seed uint64) (*batch, error) {
	imgs, _, err := nn.ImageBatch(samples)
	if err != nil {
		return nil, fmt.Errorf("gan: %w", err)
	}
	d := imgs.Shape().Dimensions
	if d[1] != m.cfg.Crop || d[2] != m.cfg.Crop {
		return nil, fmt.Errorf("gan: crops of %dx%d, want %d²", d[2], d[1], m.cfg.Crop)
	}
	x, err := tensors.CopyFlatData[float32](imgs)
	if err != nil {
		return nil, err
	}
	b, err := m.planes(len(samples), seed)
	if err != nil {
		return nil, err
	}
	b.x = x
	return b, nil
}

// planes draws n crops' key planes (z, z2: one random secret each) and
// uniform 8-bit images (u) from seed; x is left empty.
func (m *Model) planes(n int, seed uint64) (*batch, error) {
	px := m.cfg.Crop * m.cfg.Crop
	b := &batch{n: n, z: make([]float32, 0, n*px), z2: make([]float32, 0, n*px), u: make([]float32, n*px)}
	rng := seeds.SplitMix{State: seed}
	secret := make([]byte, SecretBits/8)
	for _, dst := range []*[]float32{&b.z, &b.z2} {
		for i := 0; i < n; i++ {
			rng.FillBytes(secret)
			plane, err := KeyPlane(secret, m.cfg.Crop, m.cfg.Crop)
			if err != nil {
				return nil, err
			}
			*dst = append(*dst, plane...)
		}
	}
	for i := range b.u {
		b.u[i] = CipherValue(uint8(rng.IntN(Levels)))
	}
	return b, nil
}

func (b *batch) tensor(v []float32, side int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(v, b.n, side, side, 1)
}

// nextBatch returns the batch of the stream's position (its crops, with
// key planes and uniform images drawn from (seed, epoch, index)) and
// advances.
func (m *Model) nextBatch(ctx context.Context) (*batch, error) {
	samples, at, err := m.stream.Next(ctx)
	if err != nil {
		return nil, err
	}
	return m.makeBatch(samples, seeds.Sub(m.cfg.Seed, "gan batch", at.Epoch, at.Index))
}

// Step makes training step s (0-based; it sets the adversarial weight,
// Config.AdvWeightAt) on the next batch — one D step, then one G/R step —
// and returns the batch's losses (D's before its update, G/R's before
// theirs).
func (m *Model) Step(ctx context.Context, s int) (Losses, error) {
	b, err := m.nextBatch(ctx)
	if err != nil {
		return Losses{}, err
	}
	return m.stepOn(b, s)
}

// stepOn makes training step s on batch b.
func (m *Model) stepOn(b *batch, s int) (Losses, error) {
	side := m.cfg.Crop
	out, err := nn.Run(m.dExec, b.tensor(b.x, side), b.tensor(b.z, side), b.tensor(b.u, side))
	if err != nil {
		return Losses{}, fmt.Errorf("gan: D step: %w", err)
	}
	var l Losses
	err = readScalars(out, &l.Disc, &l.DiscAcc)
	nn.FreeAll(out)
	if err != nil {
		return l, err
	}
	out, err = nn.Run(m.grExec, b.tensor(b.x, side), b.tensor(b.z, side), b.tensor(b.z2, side), float32(m.cfg.AdvWeightAt(s)))
	if err != nil {
		return Losses{}, fmt.Errorf("gan: G/R step: %w", err)
	}
	var loss float64
	err = readScalars(out, &loss, &l.Adv, &l.Rec, &l.Key, &l.KeyDiff, &l.Wrong, &l.WrongRec)
	nn.FreeAll(out)
	if err != nil {
		return l, err
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return l, fmt.Errorf("gan: G/R loss is %g (seed %d)", loss, m.cfg.Seed)
	}
	return l, nil
}

// TimeSteps returns the wall time of n training steps (each one D and one
// G/R step, as Step; nn.Timing: mean and median seconds, and the FLOPs of
// one step's two graphs), after one untimed step that
// compiles the graphs. The n+1 batches (crops, key planes, uniform
// images) are prepared before the clock starts, so the time is the
// networks' alone — what a PyTorch loop drawing torch.rand inputs times.
// It trains the model: use a model made for timing.
func (m *Model) TimeSteps(ctx context.Context, n int) (nn.Timing, error) {
	if n < 1 {
		return nn.Timing{}, fmt.Errorf("gan: timing %d steps: want ≥ 1", n)
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
		_, err := m.stepOn(bs[i], i)
		i++
		return err
	})
	t.FLOPs = m.dFLOPs.Load() + m.grFLOPs.Load()
	return t, err
}

// readScalars reads the scalar outputs into dst, in order.
func readScalars(out []*tensors.Tensor, dst ...*float64) error {
	for i, d := range dst {
		v, err := nn.ReadScalar(out[i])
		if err != nil {
			return fmt.Errorf("gan: output %d: %w", i, err)
		}
		*d = v
	}
	return nil
}

// Evaluate returns the losses on the fixed evaluation batch.
func (m *Model) Evaluate() (Losses, error) {
	b, s := m.eval, m.cfg.Crop
	out, err := nn.Run(m.evalExec, b.tensor(b.x, s), b.tensor(b.z, s), b.tensor(b.z2, s), b.tensor(b.u, s))
	if err != nil {
		return Losses{}, fmt.Errorf("gan: evaluation: %w", err)
	}
	defer nn.FreeAll(out)
	var l Losses
	err = readScalars(out, &l.Disc, &l.DiscAcc, &l.Adv, &l.Rec, &l.Key, &l.KeyDiff, &l.Wrong, &l.WrongRec)
	return l, err
}

// SetCheckpoints makes Train save a checkpoint every o.Every steps
// (0: CheckpointEvery) and after the last one into o.Dir, and resume from a
// valid checkpoint there for the same Config when Train starts (see
// nn.Resumer for what a checkpoint holds). A resumed run is bit-identical
// to an uninterrupted one on the pure Go backend. Train must be the first
// call after NewModel for a checkpoint to be resumed.
func (m *Model) SetCheckpoints(o nn.CheckpointOptions) error {
	r, err := nn.NewResumer(m.store, o, checkpointFormat, "gan", CheckpointEvery)
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
	m.loop = &nn.Loop[Config, Losses]{Who: "gan", Config: m.cfg, Seed: m.cfg.Seed, Steps: m.cfg.Steps, EvalEvery: m.cfg.EvalEvery,
		Stream: m.stream, Ckpt: m.ckpt, Evaluate: m.Evaluate, Step: m.Step}
	return m.loop.Run(ctx, onStep)
}

// History returns a copy of the curves recorded so far by the running
// Train (from its onStep callback) or by the last one.
func (m *Model) History() History { return m.loop.Curves() }
