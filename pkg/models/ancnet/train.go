package ancnet

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// Scope names of the players. Each player's variables live under its own
// sub-scope and each training step updates exactly one of them.
const (
	ScopeAliceBob = "alicebob"
	ScopeAlice    = "alice" // under ScopeAliceBob
	ScopeBob      = "bob"   // under ScopeAliceBob
	ScopeEve      = "eve"
)

// Attack is the kind of adversary Eve is.
type Attack string

// Attacks.
const (
	// Reconstruct: Eve sees C and outputs a guess of P (ANC's Eve).
	Reconstruct Attack = "reconstruct"
	// ChosenPlaintext: Eve picks P0, P1, sees C = Alice(P_t, K) and outputs
	// a 2-way softmax over t (CPA-ANC's Eve).
	ChosenPlaintext Attack = "chosen-plaintext"
)

// NaturalAttack is the adversary each variant trains against.
func NaturalAttack(v Variant) Attack {
	if v == CPA {
		return ChosenPlaintext
	}
	return Reconstruct
}

// Metrics are measured on a set of test blocks.
type Metrics struct {
	Blocks int `json:"blocks"`
	// BobBits is Bob's mean L1 error in bits per block (continuous outputs).
	BobBits float64 `json:"bob_bits"`
	// BobHardBits is Bob's mean number of wrong bits per block after
	// rounding his outputs to bits.
	BobHardBits float64 `json:"bob_hard_bits"`
	// EveBits (Reconstruct) is Eve's mean L1 error in bits per block.
	EveBits float64 `json:"eve_bits"`
	// EveAccuracy (ChosenPlaintext) is the fraction of pairs Eve gets right.
	EveAccuracy float64 `json:"eve_accuracy"`
}

// History holds the training curves: at each recorded Alice–Bob step, Bob's
// error rate (L1 bits per block / N) and Eve's error rate (Reconstruct) or
// accuracy (ChosenPlaintext), on a fixed evaluation set.
//
// With Config.Stop, Converged says whether the run met the stop rule and
// Rounds how many rounds it trained (Config.Rounds when it did not stop).
type History struct {
	Step      []int     `json:"step"`
	Bob       []float64 `json:"bob"`
	Eve       []float64 `json:"eve"`
	Rounds    int       `json:"rounds"`
	Converged bool      `json:"converged,omitempty"`
}

// Model holds Alice, Bob and Eve of one run and their optimisers.
type Model struct {
	cfg     Config
	backend compute.Backend
	store   *model.Store
	abOpt   optimizer.Interface
	eveOpt  optimizer.Interface
	abExec  *model.Exec
	eveExec *model.Exec
	// abFLOPs and eveFLOPs count the two steps' graphs (nn.GraphFLOPs).
	abFLOPs, eveFLOPs nn.FLOPCount
	evalEx            *model.Exec
	encExec           *model.Exec
	decExec           *model.Exec
	data              *bitSource
	hist              *History // the curves of the running (or last) Train
	evalSet           *batch
	ckpt              *nn.Resumer // nil: no checkpoints
}

// NewModel creates the three networks of cfg on backend be. Variables are
// initialised lazily, from cfg.Seed, on the first step.
func NewModel(be compute.Backend, cfg Config) (*Model, error) {
	if be == nil {
		return nil, errors.New("anc: nil backend")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, backend: be, store: model.NewStore(), data: newBitSource(cfg.Seed, 1)}
	if err := m.store.SetRNGStateFromSeed(int64(cfg.Seed & math.MaxInt64)); err != nil {
		return nil, fmt.Errorf("anc: seeding the model RNG: %w", err)
	}
	m.abOpt = optimizer.Adam().LearningRate(cfg.LearningRate).Done()
	m.eveOpt = optimizer.Adam().LearningRate(cfg.LearningRate).Done()
	aliceBob := nn.Player{Scope: ScopeAliceBob, Optimizer: m.abOpt, FLOPs: &m.abFLOPs}
	var err error
	if cfg.Variant == ANC {
		m.abExec, err = aliceBob.NewStep(be, m.store, m.ancABGame)
		if err == nil {
			m.evalEx, err = model.NewExec(be, m.store, m.ancEvalGraph)
		}
	} else {
		m.abExec, err = aliceBob.NewStep(be, m.store, m.cpaABGame)
		if err == nil {
			m.evalEx, err = model.NewExec(be, m.store, m.cpaEvalGraph)
		}
	}
	if err == nil {
		m.eveExec, err = newEveExec(be, m.store, cfg.Variant, NaturalAttack(cfg.Variant), m.eveOpt, &m.eveFLOPs)
	}
	if err == nil {
		m.encExec, err = model.NewExec(be, m.store, func(scope *model.Scope, p, k *Node) *Node {
			return aliceGraph(scope, cfg.Variant, p, k)
		})
	}
	if err == nil {
		m.decExec, err = model.NewExec(be, m.store, func(scope *model.Scope, c, k *Node) *Node {
			return bobGraph(scope, cfg.Variant, c, k)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("anc: building the %s graphs: %w", cfg.Variant, err)
	}
	return m, nil
}

// Close frees the model's compiled graphs (ONNX Runtime, for one, holds
// memory per compiled session until then); the model must not be used
// afterwards. Ours.
func (m *Model) Close() {
	nn.FinalizeExecs(m.abExec, m.eveExec, m.evalEx, m.encExec, m.decExec)
}

// Config returns the model's configuration.
func (m *Model) Config() Config { return m.cfg }

// aliceGraph builds Alice of variant v under scope/alicebob/alice.
func aliceGraph(scope *model.Scope, v Variant, p, k *Node) *Node {
	s := nn.XavierScope(scope).At(ScopeAliceBob).At(ScopeAlice)
	if v == ANC {
		return ANCAlice(s, p, k)
	}
	return CPAAlice(s, p, k)
}

func bobGraph(scope *model.Scope, v Variant, c, k *Node) *Node {
	s := nn.XavierScope(scope).At(ScopeAliceBob).At(ScopeBob)
	if v == ANC {
		return ANCBob(s, c, k)
	}
	return CPABob(s, c, k)
}

// toUnitBits maps Alice's output of variant v to [0, 1] for a CPA Eve.
func toUnitBits(v Variant, c *Node) *Node {
	if v == ANC {
		return MulScalar(AddScalar(c, 1), 0.5)
	}
	return c
}

// hardBitsWrong is the mean number of wrong bits per block after rounding.
func hardBitsWrong(v Variant, p, x *Node) *Node {
	var wrong *Node
	if v == ANC {
		wrong = LessOrEqual(Mul(p, x), ScalarZero(x.Graph(), x.DType()))
	} else {
		wrong = GreaterOrEqual(Abs(Sub(p, x)), Scalar(x.Graph(), x.DType(), 0.5))
	}
	return meanBlocks(ReduceSum(ConvertDType(wrong, x.DType()), lastAxis(x)))
}

// ancABGame is ANC's Alice–Bob step (inputs p, k): their loss, and Bob's
// mean L1 bits wrong.
func (m *Model) ancABGame(scope *model.Scope, in []*Node) []*Node {
	p, k := in[0], in[1]
	c := aliceGraph(scope, ANC, p, k)
	bob := bobGraph(scope, ANC, c, k)
	eve := ANCEve(nn.XavierScope(scope).At(ScopeEve), c)
	return []*Node{m.cfg.ancAliceBobLoss(p, bob, eve), ReduceAllMean(BitsWrongPM(p, bob))}
}

// cpaABGame is CPA-ANC's Alice–Bob step (inputs p0, p1, p, k, t): their
// loss (with the α-weighted L2 term), and Bob's loss.
func (m *Model) cpaABGame(scope *model.Scope, in []*Node) []*Node {
	p0, p1, p, k, t := in[0], in[1], in[2], in[3], in[4]
	c := aliceGraph(scope, CPA, p, k)
	bob := bobGraph(scope, CPA, c, k)
	logits := CPAEve(nn.XavierScope(scope).At(ScopeEve), p0, p1, c)
	bobLoss := CPABobLoss(p, bob)
	loss := CPAAliceBobLoss(bobLoss, CPAEveError(logits, t), m.cfg.Gamma)
	if m.cfg.Alpha > 0 {
		reg := MulScalar(l2(scope.At(ScopeAliceBob), p.Graph()), m.cfg.Alpha/float64(m.cfg.N))
		loss = Add(loss, reg)
	}
	return []*Node{loss, bobLoss}
}

// newEveExec builds one Eve training step of the given attack against the
// (frozen, in this step) Alice of variant v. Inputs: (p, k) for
// Reconstruct, (p0, p1, p, k, t) for ChosenPlaintext; output: Eve's loss.
// count (may be nil) receives the step graph's FLOPs.
func newEveExec(be compute.Backend, store *model.Store, v Variant, a Attack, opt optimizer.Interface, count *nn.FLOPCount) (*model.Exec, error) {
	eve := nn.Player{Scope: ScopeEve, Optimizer: opt, FLOPs: count}
	if a == Reconstruct {
		if v != ANC {
			return nil, fmt.Errorf("anc: the reconstruct attack needs an ANC Alice, not %q", v)
		}
		return eve.NewStep(be, store, func(scope *model.Scope, in []*Node) []*Node {
			p, k := in[0], in[1]
			c := StopGradient(aliceGraph(scope, v, p, k))
			return []*Node{ANCEveLoss(p, ANCEve(nn.XavierScope(scope).At(ScopeEve), c))}
		})
	}
	return eve.NewStep(be, store, func(scope *model.Scope, in []*Node) []*Node {
		p0, p1, p, k, t := in[0], in[1], in[2], in[3], in[4]
		c := StopGradient(toUnitBits(v, aliceGraph(scope, v, p, k)))
		return []*Node{CPAEveLoss(CPAEve(nn.XavierScope(scope).At(ScopeEve), p0, p1, c), t)}
	})
}

// newEveEvalExec evaluates Eve of the given attack: Reconstruct → her mean
// L1 bits wrong; ChosenPlaintext → her accuracy.
func newEveEvalExec(be compute.Backend, store *model.Store, v Variant, a Attack) (*model.Exec, error) {
	if a == Reconstruct {
		return model.NewExec(be, store, func(scope *model.Scope, p, k *Node) *Node {
			c := aliceGraph(scope, v, p, k)
			return ANCEveLoss(p, ANCEve(nn.XavierScope(scope).At(ScopeEve), c))
		})
	}
	return model.NewExec(be, store, func(scope *model.Scope, p0, p1, p, k, t *Node) *Node {
		c := toUnitBits(v, aliceGraph(scope, v, p, k))
		return CPAEveAccuracy(CPAEve(nn.XavierScope(scope).At(ScopeEve), p0, p1, c), t)
	})
}

func (m *Model) ancEvalGraph(scope *model.Scope, p, k *Node) (*Node, *Node, *Node) {
	c := aliceGraph(scope, ANC, p, k)
	bob := bobGraph(scope, ANC, c, k)
	eve := ANCEve(nn.XavierScope(scope).At(ScopeEve), c)
	return ReduceAllMean(BitsWrongPM(p, bob)), hardBitsWrong(ANC, p, bob), ANCEveLoss(p, eve)
}

func (m *Model) cpaEvalGraph(scope *model.Scope, p0, p1, p, k, t *Node) (*Node, *Node, *Node) {
	c := aliceGraph(scope, CPA, p, k)
	bob := bobGraph(scope, CPA, c, k)
	logits := CPAEve(nn.XavierScope(scope).At(ScopeEve), p0, p1, c)
	return ReduceAllMean(BitsWrong01(p, bob)), hardBitsWrong(CPA, p, bob), CPAEveAccuracy(logits, t)
}

// tensorsOf returns the graph inputs of b for attack a.
func tensorsOf(b *batch, n int, a Attack) []any {
	p := tensors.FromFlatDataAndDimensions(b.p, b.blocks, n)
	k := tensors.FromFlatDataAndDimensions(b.k, b.blocks, n)
	if a == Reconstruct {
		return []any{p, k}
	}
	return []any{tensors.FromFlatDataAndDimensions(b.p0, b.blocks, n),
		tensors.FromFlatDataAndDimensions(b.p1, b.blocks, n), p, k,
		tensors.FromFlatDataAndDimensions(b.t, b.blocks)}
}

func (m *Model) nextBatch() *batch {
	return m.data.newBatch(m.cfg.Variant, m.cfg.N, m.cfg.Batch, m.cfg.Variant == CPA)
}

// StepAliceBob makes one Alice–Bob training step and returns their loss.
func (m *Model) StepAliceBob() (float64, error) {
	return m.step(m.abExec, "Alice–Bob")
}

// StepEve makes one Eve training step and returns her loss.
func (m *Model) StepEve() (float64, error) {
	return m.step(m.eveExec, "Eve")
}

// step runs one training step of exec on a fresh minibatch and returns the
// loss; inputs and outputs are freed at once (nn.Free).
func (m *Model) step(exec *model.Exec, who string) (float64, error) {
	in := tensorsOf(m.nextBatch(), m.cfg.N, NaturalAttack(m.cfg.Variant))
	loss, err := nn.RunScalar(exec, in...)
	if err != nil {
		return 0, fmt.Errorf("anc: %s step: %w", who, err)
	}
	return loss, nil
}

// Evaluate measures Bob and Eve on blocks fresh blocks drawn from seed.
func (m *Model) Evaluate(blocks int, seed uint64) (Metrics, error) {
	b := newBitSource(seed, 3).newBatch(m.cfg.Variant, m.cfg.N, blocks, m.cfg.Variant == CPA)
	return m.evaluate(b)
}

func (m *Model) evaluate(b *batch) (Metrics, error) {
	in := tensorsOf(b, m.cfg.N, NaturalAttack(m.cfg.Variant))
	out, err := nn.Run(m.evalEx, in...)
	if err != nil {
		return Metrics{}, fmt.Errorf("anc: evaluation: %w", err)
	}
	defer nn.FreeAll(out)
	var v [3]float64
	for i := range v {
		if v[i], err = nn.ReadScalar(out[i]); err != nil {
			return Metrics{}, err
		}
	}
	mt := Metrics{Blocks: b.blocks, BobBits: v[0], BobHardBits: v[1]}
	if m.cfg.Variant == ANC {
		mt.EveBits = v[2]
	} else {
		mt.EveAccuracy = v[2]
	}
	return mt, nil
}

// record appends the current errors on the fixed evaluation set to h and
// returns them.
func (m *Model) record(h *History, step int) (Metrics, error) {
	if m.evalSet == nil {
		m.evalSet = newBitSource(m.cfg.Seed, 2).newBatch(m.cfg.Variant, m.cfg.N, m.cfg.EvalBlocks, m.cfg.Variant == CPA)
	}
	mt, err := m.evaluate(m.evalSet)
	if err != nil {
		return mt, err
	}
	h.Step = append(h.Step, step)
	h.Bob = append(h.Bob, mt.BobBits/float64(m.cfg.N))
	if m.cfg.Variant == ANC {
		h.Eve = append(h.Eve, mt.EveBits/float64(m.cfg.N))
	} else {
		h.Eve = append(h.Eve, mt.EveAccuracy)
	}
	return mt, nil
}

// Train runs cfg.Rounds rounds (each ABPerRound Alice–Bob steps, then
// EvePerRound Eve steps), recording the History every cfg.EvalEvery rounds.
// With cfg.Stop it ends at the first recorded point (after round 0) where
// the run meets the stop rule (Config.Stop), as the authors' code does.
// onRound, if not nil, is called after each round (History then returns
// the curves so far, e.g. for a live plot). It stops with ctx's error when
// ctx is cancelled.
//
// With checkpoints (SetCheckpoints), Train first resumes from the
// checkpoint in the directory, if a valid one exists, then saves one every
// CheckpointOptions.Every rounds and one after the last round; a run
// killed at any point and resumed gives bit-identical weights, History and
// metrics on the pure Go backend.
func (m *Model) Train(ctx context.Context, onRound func(round int)) (*History, error) {
	start, h := 0, &History{}
	if m.ckpt != nil {
		var err error
		if start, h, err = m.resume(); err != nil {
			return nil, err
		}
	}
	m.hist = h
	for r := start; r < m.cfg.Rounds && !h.Converged; r++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if m.cfg.EvalEvery > 0 && r%m.cfg.EvalEvery == 0 {
			mt, err := m.record(h, r*m.cfg.ABPerRound)
			if err != nil {
				return nil, err
			}
			if m.cfg.Stop && r > 0 && m.cfg.converged(mt) {
				h.Converged, h.Rounds = true, r
				if m.ckpt != nil {
					// Saved as finished: a resumed run does not train on.
					if err := m.saveCheckpoint(m.cfg.Rounds, h); err != nil {
						return nil, err
					}
				}
				break
			}
		}
		for i := 0; i < m.cfg.ABPerRound; i++ {
			loss, err := m.StepAliceBob()
			if err != nil {
				return nil, err
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return nil, fmt.Errorf("anc: Alice–Bob loss is %g at round %d (N=%d, seed %d)", loss, r, m.cfg.N, m.cfg.Seed)
			}
		}
		for i := 0; i < m.cfg.EvePerRound; i++ {
			if _, err := m.StepEve(); err != nil {
				return nil, err
			}
		}
		if m.ckpt != nil && m.ckpt.Due(r+1, m.cfg.Rounds) {
			if err := m.saveCheckpoint(r+1, h); err != nil {
				return nil, err
			}
		}
		if onRound != nil {
			onRound(r)
		}
	}
	if h.Converged {
		return h, nil
	}
	h.Rounds = m.cfg.Rounds
	if m.cfg.EvalEvery > 0 {
		if _, err := m.record(h, m.cfg.ABSteps()); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// History returns a copy of the curves recorded so far by the running
// Train (from its onRound callback) or by the last one; empty before Train.
func (m *Model) History() History {
	if m.hist == nil {
		return History{}
	}
	return History{Step: append([]int(nil), m.hist.Step...), Bob: append([]float64(nil), m.hist.Bob...),
		Eve: append([]float64(nil), m.hist.Eve...), Rounds: m.hist.Rounds, Converged: m.hist.Converged}
}

// Encrypt runs Alice on blocks blocks: p and k hold blocks·N values in the
// variant's encoding (ANC: ±1; CPA: {0, 1}); it returns C, blocks·N values.
func (m *Model) Encrypt(p, k []float32, blocks int) ([]float32, error) {
	n := m.cfg.N
	if len(p) != blocks*n || len(k) != blocks*n {
		return nil, fmt.Errorf("anc: encrypt: got %d plaintext and %d key values for %d blocks of %d bits", len(p), len(k), blocks, n)
	}
	pt, kt := tensors.FromFlatDataAndDimensions(p, blocks, n), tensors.FromFlatDataAndDimensions(k, blocks, n)
	out, err := m.encExec.Exec(pt, kt)
	nn.Free(pt, kt)
	if err != nil {
		return nil, fmt.Errorf("anc: encrypt: %w", err)
	}
	defer nn.FreeAll(out)
	return tensors.CopyFlatData[float32](out[0])
}

// AliceWeights returns Alice's variables (path → flat values), for
// inspection (e.g. whether CPA-ANC's Alice learned integer weights).
func (m *Model) AliceWeights() (map[string][]float32, error) {
	prefix := "/" + ScopeAliceBob + "/" + ScopeAlice + "/"
	return readVariables(m.store, func(path string) (string, bool) {
		return strings.TrimPrefix(path, prefix), strings.HasPrefix(path, prefix)
	}, 1, 0)
}

// readVariables copies the variables of store that keep selects (and
// renames) as flat values; with runs > 1 (a Population's stacked
// variables) it copies run r's slice of each.
func readVariables(store *model.Store, keep func(path string) (string, bool), runs, r int) (map[string][]float32, error) {
	out := map[string][]float32{}
	for v := range store.IterVariables() {
		name, ok := keep(v.Path())
		if !ok {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, err
		}
		flat, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, fmt.Errorf("anc: variable %s: %w", v.Path(), err)
		}
		per := len(flat) / runs
		out[name] = append([]float32(nil), flat[r*per:(r+1)*per]...)
	}
	return out, nil
}
