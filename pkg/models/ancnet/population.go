package ancnet

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// MaxPopulation bounds the runs of one Population (a mistyped count must
// not exhaust memory: every tensor grows with it). Ours.
const MaxPopulation = 256

// Population trains the runs of one (variant, N) cell in one graph: every
// weight of Alice, Bob and Eve is stacked along a leading run axis
// ([runs, …]), each layer is a batched matrix product over that axis, the
// inputs are [runs, batch, N], and each run's loss is reduced over its own
// batch only; the step minimises the sum of the runs' losses, whose
// gradient with respect to one run's weights is that run's own gradient.
// Adam's moments are per weight, so per run; its step counter is shared,
// and all runs step together. Each run draws its initial weights and its
// data from its own seed (Config.Seed), exactly as it would alone, so a
// run's numbers do not depend on which other runs share its graph (tested
// bit for bit on the go backend).
//
// Stop rule (Config.Stop): at each recorded point a run that has converged
// is frozen — its weights are copied out (a snapshot) and its History ends
// — while its slot keeps computing with the others (masking the update
// would cost as much as computing it); results are taken from the
// snapshot. Training ends when every run has stopped or the round budget is
// spent. Ours, after the authors' per-run stop rule.
//
// The population's networks are the single-run ones (Model) with the
// stacked layers; Model(r) exports run r into a single-run Model for
// evaluation, the security tests, the XOR probe and encryption. Initial
// weights: Xavier-uniform drawn in Go from a PCG seeded by the run's seed
// (biases zero), not from GoMLX's store RNG, so that they are a function of
// the run alone; a Population's run therefore differs from a Model trained
// alone with the same seed.
type Population struct {
	cfgs    []Config
	cfg     Config // the shared configuration (Seed of run 0)
	layers  layerSet
	backend compute.Backend
	store   *model.Store
	abExec  *model.Exec
	eveExec *model.Exec
	// abFLOPs and eveFLOPs count the two steps' graphs (nn.GraphFLOPs).
	abFLOPs, eveFLOPs nn.FLOPCount
	evalEx            *model.Exec
	data              []*bitSource
	evalSet           []any // stacked evaluation inputs
	hist              []History
	// snaps holds each stopped run's weights (variable path → flat values).
	snaps []map[string][]float32
	ckpt  *nn.Resumer
	inits int // variables initialised so far (the initialiser's call index)
}

// NewPopulation creates the runs of cfgs, which must be equal but for
// their seeds, on backend be, with the convolutions in the form conv
// (PopConvFor picks the faster one for a backend).
func NewPopulation(be compute.Backend, cfgs []Config, conv PopConv) (*Population, error) {
	if be == nil {
		return nil, errors.New("anc population: nil backend")
	}
	if len(cfgs) < 1 || len(cfgs) > MaxPopulation {
		return nil, fmt.Errorf("anc population: %d runs: want 1..%d", len(cfgs), MaxPopulation)
	}
	for i, c := range cfgs {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("anc population: run %d: %w", i, err)
		}
		a, b := c, cfgs[0]
		a.Seed, b.Seed = 0, 0
		for _, x := range []*Config{&a, &b} {
			if x.Loss == "" {
				x.Loss = LossReference // the same form
			}
		}
		if a != b {
			return nil, fmt.Errorf("anc population: run %d's config %+v differs from run 0's %+v in more than the seed", i, c, cfgs[0])
		}
	}
	p := &Population{cfgs: append([]Config(nil), cfgs...), cfg: cfgs[0], backend: be, store: model.NewStore(),
		hist: make([]History, len(cfgs)), snaps: make([]map[string][]float32, len(cfgs))}
	p.layers = layerSet{dense: popDense, conv: conv.conv}
	for _, c := range cfgs {
		p.data = append(p.data, newBitSource(c.Seed, 1))
	}
	abOpt := optimizer.Adam().LearningRate(p.cfg.LearningRate).Done()
	eveOpt := optimizer.Adam().LearningRate(p.cfg.LearningRate).Done()
	var err error
	p.abExec, err = nn.Player{Scope: ScopeAliceBob, Optimizer: abOpt, FLOPs: &p.abFLOPs}.NewStep(be, p.store, p.abGame)
	if err == nil {
		p.eveExec, err = nn.Player{Scope: ScopeEve, Optimizer: eveOpt, FLOPs: &p.eveFLOPs}.NewStep(be, p.store, p.eveGame)
	}
	if err == nil {
		p.evalEx, err = model.NewExec(be, p.store, p.evalGraph)
	}
	if err != nil {
		return nil, fmt.Errorf("anc population: building the %s graphs: %w", p.cfg.Variant, err)
	}
	return p, nil
}

// Close frees the population's compiled graphs; it must not be used
// afterwards (exported Models are independent of it).
func (p *Population) Close() {
	nn.FinalizeExecs(p.abExec, p.eveExec, p.evalEx)
}

// Runs is the number of runs.
func (p *Population) Runs() int { return len(p.cfgs) }

// Histories returns a copy of every run's curves (after Train: complete).
func (p *Population) Histories() []History {
	out := make([]History, len(p.hist))
	for i, h := range p.hist {
		out[i] = History{Step: append([]int(nil), h.Step...), Bob: append([]float64(nil), h.Bob...),
			Eve: append([]float64(nil), h.Eve...), Rounds: h.Rounds, Converged: h.Converged}
	}
	return out
}

// init is the population's variable initialiser: for a stacked shape
// [runs, …] it draws each run's slice in Go from a PCG seeded by (the
// run's seed, the initialiser's call index): Xavier-uniform with the fans
// of the per-run shape (as GoMLX computes them: the leading axes of a
// kernel are its receptive field), zeros for per-run vectors (biases).
// Variables are created in the same order in every population of this
// configuration (graph building order), so the call index names the
// variable.
func (p *Population) init(g *Graph, shape shapes.Shape) *Node {
	idx := p.inits
	p.inits++
	dims := shape.Dimensions
	if shape.DType != dtypes.Float32 || len(dims) < 1 || dims[0] != len(p.cfgs) || len(dims) < 3 {
		return Zeros(g, shape)
	}
	per := shape.Size() / dims[0]
	rf := 1
	for _, d := range dims[1 : len(dims)-2] {
		rf *= d
	}
	fanIn, fanOut := rf*dims[len(dims)-2], rf*dims[len(dims)-1]
	limit := math.Sqrt(6 / float64(max(1, fanIn+fanOut)))
	vals := make([]float32, shape.Size())
	for r, c := range p.cfgs {
		rng := rand.New(rand.NewPCG(c.Seed, 0x1a17<<32|uint64(idx)))
		for i := range per {
			vals[r*per+i] = float32(limit * (2*rng.Float64() - 1))
		}
	}
	return Const(g, tensors.FromFlatDataAndDimensions(vals, dims...))
}

func (p *Population) scope(scope *model.Scope) *model.Scope { return scope.WithInitializer(p.init) }

func (p *Population) alice(scope *model.Scope, pt, k *Node) *Node {
	s := p.scope(scope).At(ScopeAliceBob).At(ScopeAlice)
	if p.cfg.Variant == ANC {
		return p.layers.mixTransform(s, concatLast(pt, k))
	}
	return p.layers.cpaAlice(s, pt, k)
}

func (p *Population) bob(scope *model.Scope, c, k *Node) *Node {
	s := p.scope(scope).At(ScopeAliceBob).At(ScopeBob)
	if p.cfg.Variant == ANC {
		return p.layers.mixTransform(s, concatLast(c, k))
	}
	return p.layers.cpaKeyholder(s, c, k)
}

// eve is the variant's own Eve: ANC's reconstructs P from C; CPA-ANC's
// tells which of P0, P1 C encrypts (logits).
func (p *Population) eve(scope *model.Scope, in []*Node, c *Node) *Node {
	s := p.scope(scope).At(ScopeEve)
	if p.cfg.Variant == ANC {
		return p.layers.ancEve(s, c)
	}
	return p.layers.cpaEve(s, in[0], in[1], c)
}

// abGame is the Alice–Bob step: inputs as the single-run model's, stacked
// ([runs, batch, N]); outputs the summed loss, then the per-run losses.
func (p *Population) abGame(scope *model.Scope, in []*Node) []*Node {
	var loss *Node
	if p.cfg.Variant == ANC {
		pt, k := in[0], in[1]
		c := p.alice(scope, pt, k)
		bob, eve := p.bob(scope, c, k), p.eve(scope, in, c)
		loss = p.cfg.ancAliceBobLoss(pt, bob, eve)
	} else {
		pt, k, t := in[2], in[3], in[4]
		c := p.alice(scope, pt, k)
		bob := p.bob(scope, c, k)
		loss = CPAAliceBobLoss(CPABobLoss(pt, bob), CPAEveError(p.eve(scope, in, c), t), p.cfg.Gamma)
		if p.cfg.Alpha > 0 {
			loss = Add(loss, MulScalar(l2PerRun(scope.At(ScopeAliceBob), pt.Graph()), p.cfg.Alpha/float64(p.cfg.N)))
		}
	}
	return []*Node{ReduceAllSum(loss), loss}
}

// eveGame is Eve's step against the frozen Alice (summed loss, per-run
// losses).
func (p *Population) eveGame(scope *model.Scope, in []*Node) []*Node {
	var loss *Node
	if p.cfg.Variant == ANC {
		pt, k := in[0], in[1]
		loss = ANCEveLoss(pt, p.eve(scope, in, StopGradient(p.alice(scope, pt, k))))
	} else {
		c := StopGradient(p.alice(scope, in[2], in[3]))
		loss = CPAEveLoss(p.eve(scope, in, c), in[4])
	}
	return []*Node{ReduceAllSum(loss), loss}
}

// evalGraph gives per-run [runs] vectors: Bob's L1 bits, his rounded bits
// wrong, and Eve's L1 bits (ANC) or accuracy (CPA-ANC).
func (p *Population) evalGraph(scope *model.Scope, in []*Node) []*Node {
	if p.cfg.Variant == ANC {
		pt, k := in[0], in[1]
		c := p.alice(scope, pt, k)
		bob := p.bob(scope, c, k)
		return []*Node{meanBlocks(BitsWrongPM(pt, bob)), hardBitsWrong(ANC, pt, bob), ANCEveLoss(pt, p.eve(scope, in, c))}
	}
	pt, k, t := in[2], in[3], in[4]
	c := p.alice(scope, pt, k)
	bob := p.bob(scope, c, k)
	return []*Node{meanBlocks(BitsWrong01(pt, bob)), hardBitsWrong(CPA, pt, bob), CPAEveAccuracy(p.eve(scope, in, c), t)}
}

// l2PerRun is, per run, the sum of squares of the "weights" variables under
// scope that the graph uses: [runs].
func l2PerRun(scope *model.Scope, g *Graph) *Node {
	var total *Node
	for v := range scope.IterVariables() {
		if v.Name() != "weights" || !v.InUseByGraph(g) {
			continue
		}
		w := v.NodeValue(g)
		axes := make([]int, w.Rank()-1)
		for i := range axes {
			axes[i] = i + 1
		}
		s := ReduceSum(Square(w), axes...)
		if total == nil {
			total = s
		} else {
			total = Add(total, s)
		}
	}
	if total == nil {
		panic("anc population: no weights to regularise (the graph uses none)") // a programming error
	}
	return total
}

// stack draws one batch per run (each from its own generator) and returns
// the stacked graph inputs.
func (p *Population) stack(blocks int, draw func(r int) *batch) []any {
	n, runs := p.cfg.N, len(p.cfgs)
	bs := make([]*batch, runs)
	for r := range bs {
		bs[r] = draw(r)
	}
	cat := func(pick func(*batch) []float32, dims ...int) *tensors.Tensor {
		flat := make([]float32, 0, runs*len(pick(bs[0])))
		for _, b := range bs {
			flat = append(flat, pick(b)...)
		}
		return tensors.FromFlatDataAndDimensions(flat, dims...)
	}
	pk := []any{cat(func(b *batch) []float32 { return b.p }, runs, blocks, n), cat(func(b *batch) []float32 { return b.k }, runs, blocks, n)}
	if p.cfg.Variant == ANC {
		return pk
	}
	return []any{cat(func(b *batch) []float32 { return b.p0 }, runs, blocks, n), cat(func(b *batch) []float32 { return b.p1 }, runs, blocks, n),
		pk[0], pk[1], cat(func(b *batch) []float32 { return b.t }, runs, blocks)}
}

func (p *Population) nextBatch() []any {
	return p.stack(p.cfg.Batch, func(r int) *batch {
		return p.data[r].newBatch(p.cfg.Variant, p.cfg.N, p.cfg.Batch, p.cfg.Variant == CPA)
	})
}

// step runs one training step of exec and checks every run's loss.
func (p *Population) step(exec *model.Exec, who string, round int) error {
	in := p.nextBatch()
	out, err := nn.Run(exec, in...)
	if err != nil {
		return fmt.Errorf("anc population: %s step: %w", who, err)
	}
	losses, err := tensors.CopyFlatData[float32](out[1])
	nn.FreeAll(out)
	if err != nil {
		return err
	}
	for r, l := range losses {
		if p.hist[r].Converged {
			continue // a frozen run's slot computes on; its values are unused
		}
		if math.IsNaN(float64(l)) || math.IsInf(float64(l), 0) {
			return fmt.Errorf("anc population: %s loss of run %d (seed %d) is %g at round %d (N=%d)", who, r, p.cfgs[r].Seed, l, round, p.cfg.N)
		}
	}
	return nil
}

// evaluate returns every run's metrics on the stacked inputs in.
func (p *Population) evaluate(in []any, blocks int) ([]Metrics, error) {
	out, err := p.evalEx.Exec(in...)
	if err != nil {
		return nil, fmt.Errorf("anc population: evaluation: %w", err)
	}
	defer nn.FreeAll(out)
	var cols [3][]float32
	for i := range cols {
		if cols[i], err = tensors.CopyFlatData[float32](out[i]); err != nil {
			return nil, err
		}
	}
	mts := make([]Metrics, len(p.cfgs))
	for r := range mts {
		mts[r] = Metrics{Blocks: blocks, BobBits: float64(cols[0][r]), BobHardBits: float64(cols[1][r])}
		if p.cfg.Variant == ANC {
			mts[r].EveBits = float64(cols[2][r])
		} else {
			mts[r].EveAccuracy = float64(cols[2][r])
		}
	}
	return mts, nil
}

// record appends every running run's errors on its fixed evaluation set
// (drawn from its seed, as Model's) to its History, and stops the runs
// that meet the stop rule.
func (p *Population) record(round int) error {
	if p.evalSet == nil {
		p.evalSet = p.stack(p.cfg.EvalBlocks, func(r int) *batch {
			return newBitSource(p.cfgs[r].Seed, 2).newBatch(p.cfg.Variant, p.cfg.N, p.cfg.EvalBlocks, p.cfg.Variant == CPA)
		})
	}
	mts, err := p.evaluate(p.evalSet, p.cfg.EvalBlocks)
	if err != nil {
		return err
	}
	for r, mt := range mts {
		h := &p.hist[r]
		if h.Converged {
			continue
		}
		h.Step = append(h.Step, round*p.cfg.ABPerRound)
		h.Bob = append(h.Bob, mt.BobBits/float64(p.cfg.N))
		if p.cfg.Variant == ANC {
			h.Eve = append(h.Eve, mt.EveBits/float64(p.cfg.N))
		} else {
			h.Eve = append(h.Eve, mt.EveAccuracy)
		}
		if p.cfg.Stop && round > 0 && round < p.cfg.Rounds && p.cfg.converged(mt) {
			if p.snaps[r], err = p.slice(r); err != nil {
				return err
			}
			h.Converged, h.Rounds = true, round
		}
	}
	return nil
}

// playerVar reports whether a store path is a weight of Alice, Bob or Eve
// (not an optimiser's state: those live under "…/AdamOptimizer/…" and
// "…/optimizers/…").
func playerVar(path string) bool {
	players := strings.HasPrefix(path, "/"+ScopeAliceBob+"/"+ScopeAlice+"/") || strings.HasPrefix(path, "/"+ScopeAliceBob+"/"+ScopeBob+"/") ||
		strings.HasPrefix(path, "/"+ScopeEve+"/")
	return players && !strings.Contains(path, "Optimizer/") && !strings.Contains(path, "/optimizers/")
}

// slice copies run r's weights out of the stacked variables.
func (p *Population) slice(r int) (map[string][]float32, error) {
	return readVariables(p.store, func(path string) (string, bool) { return path, playerVar(path) }, len(p.cfgs), r)
}

func (p *Population) running() int {
	n := 0
	for _, h := range p.hist {
		if !h.Converged {
			n++
		}
	}
	return n
}

// Train runs the rounds of the shared configuration (each ABPerRound
// Alice–Bob steps, then EvePerRound Eve steps, every run at once),
// recording each run's History every EvalEvery rounds and stopping runs by
// the stop rule; it ends early when every run has stopped. onRound, if not
// nil, is called after each round with the number of runs still training.
// With checkpoints (SetCheckpoints) it resumes from and saves checkpoints
// as Model.Train does; a resumed population is bit-identical to an
// uninterrupted one on the go backend.
func (p *Population) Train(ctx context.Context, onRound func(round, running int)) ([]History, error) {
	start := 0
	if p.ckpt != nil {
		var err error
		if start, err = p.resume(); err != nil {
			return nil, err
		}
	}
	for r := start; r < p.cfg.Rounds && p.running() > 0; r++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if p.cfg.EvalEvery > 0 && r%p.cfg.EvalEvery == 0 {
			if err := p.record(r); err != nil {
				return nil, err
			}
			if p.running() == 0 {
				if p.ckpt != nil {
					if err := p.saveCheckpoint(p.cfg.Rounds); err != nil {
						return nil, err
					}
				}
				break
			}
		}
		for i := 0; i < p.cfg.ABPerRound; i++ {
			if err := p.step(p.abExec, "Alice–Bob", r); err != nil {
				return nil, err
			}
		}
		for i := 0; i < p.cfg.EvePerRound; i++ {
			if err := p.step(p.eveExec, "Eve", r); err != nil {
				return nil, err
			}
		}
		if p.ckpt != nil && p.ckpt.Due(r+1, p.cfg.Rounds) {
			if err := p.saveCheckpoint(r + 1); err != nil {
				return nil, err
			}
		}
		if onRound != nil {
			onRound(r, p.running())
		}
	}
	if p.running() > 0 && p.cfg.EvalEvery > 0 {
		if err := p.record(p.cfg.Rounds); err != nil {
			return nil, err
		}
	}
	for r := range p.hist {
		if !p.hist[r].Converged {
			p.hist[r].Rounds = p.cfg.Rounds
		}
	}
	return p.Histories(), nil
}

// Model exports run r (its snapshot if it stopped, else its current
// weights) into a new single-run Model with its own Config, for
// evaluation, the security tests, the XOR probe and encryption. The
// model's optimisers start fresh.
func (p *Population) Model(r int) (*Model, error) {
	if r < 0 || r >= len(p.cfgs) {
		return nil, fmt.Errorf("anc population: run %d of %d", r, len(p.cfgs))
	}
	w := p.snaps[r]
	if !p.hist[r].Converged {
		var err error
		if w, err = p.slice(r); err != nil {
			return nil, err
		}
	}
	if len(w) == 0 {
		return nil, errors.New("anc population: nothing trained yet to export")
	}
	m, err := NewModel(p.backend, p.cfgs[r])
	if err != nil {
		return nil, err
	}
	for v := range p.store.IterVariables() {
		vals, ok := w[v.Path()]
		if !ok {
			continue
		}
		dims := v.Shape().Dimensions[1:]
		if _, err := m.store.CreateVariable(v.Path(), tensors.FromFlatDataAndDimensions(vals, dims...)); err != nil {
			return nil, fmt.Errorf("anc population: exporting %s: %w", v.Path(), err)
		}
	}
	h := p.Histories()[r]
	m.hist = &h
	return m, nil
}

// populationCheckpointFormat tags (and versions) population checkpoints.
const populationCheckpointFormat = "neurocrypt/ancnet population checkpoint v1"

// populationState is the caller's state of a population checkpoint.
type populationState struct {
	Configs   []Config
	Round     int // the next round to run
	Histories []History
	Data      []bitSourceState
	Snapshots []map[string][]float32 // nil for runs still training
}

// SetCheckpoints makes Train save a checkpoint every o.Every rounds (and
// once at the end) into o.Dir, and resume from a valid one for the same
// configurations found there. A checkpoint holds every stacked variable
// (weights and both Adam optimisers' state), each run's data generator
// position, History and, for stopped runs, snapshot; it is written
// atomically and checksummed (see Model.SetCheckpoints).
func (p *Population) SetCheckpoints(o CheckpointOptions) error {
	r, err := nn.NewResumer(p.store, o, populationCheckpointFormat, "anc population", CheckpointEvery)
	if err != nil {
		return err
	}
	p.ckpt = r
	return nil
}

func (p *Population) saveCheckpoint(next int) error {
	st := populationState{Configs: p.cfgs, Round: next, Histories: p.hist, Snapshots: p.snaps}
	for _, d := range p.data {
		ds, err := d.state()
		if err != nil {
			return fmt.Errorf("anc population: checkpoint: data generator: %w", err)
		}
		st.Data = append(st.Data, ds)
	}
	return p.ckpt.Save(st)
}

// resume loads the checkpoint, if any, and returns the next round (0 when
// training starts from scratch).
func (p *Population) resume() (int, error) {
	var st populationState
	ok, err := p.ckpt.Resume(&st, func() error {
		switch {
		case len(st.Configs) != len(p.cfgs) || len(st.Histories) != len(p.cfgs) || len(st.Data) != len(p.cfgs) || len(st.Snapshots) != len(p.cfgs):
			return fmt.Errorf("it is for %d runs (%d histories, %d generators, %d snapshots), not %d",
				len(st.Configs), len(st.Histories), len(st.Data), len(st.Snapshots), len(p.cfgs))
		case st.Round < 0 || st.Round > p.cfg.Rounds:
			return fmt.Errorf("next round %d: want 0..%d", st.Round, p.cfg.Rounds)
		}
		for i, c := range st.Configs {
			if c != p.cfgs[i] {
				return fmt.Errorf("run %d is for config %+v, not %+v", i, c, p.cfgs[i])
			}
		}
		data := make([]*bitSource, len(p.cfgs))
		for i, ds := range st.Data {
			data[i] = &bitSource{}
			if err := data[i].setState(ds); err != nil {
				return fmt.Errorf("run %d: %w", i, err)
			}
		}
		p.data = data
		return nil
	})
	if err != nil || !ok {
		return 0, err
	}
	p.ckpt.Logf("anc population: resuming %d %s runs, N=%d, at round %d of %d from %s", len(p.cfgs), p.cfg.Variant, p.cfg.N, st.Round, p.cfg.Rounds, p.ckpt.Path())
	p.hist, p.snaps = st.Histories, st.Snapshots
	return st.Round, nil
}
