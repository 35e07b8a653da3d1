package ancnet

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

func randomFloats(rng *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(2*rng.Float64() - 1)
	}
	return out
}

// TestBandedConvEqualsConv: the banded-matrix and the taps forms of the
// population's convolution, and the single-run networks' banded form
// (PopConv.single, used on ONNX Runtime), equal nn.Conv1D applied to each
// run alone, for
// every convolution of the mix & transform network and several lengths
// (odd ones included, where "same" padding is asymmetric).
func TestBandedConvEqualsConv(t *testing.T) {
	be := goBackend(t)
	rng := rand.New(rand.NewPCG(1, 2))
	const runs, batch = 3, 5
	for _, c := range MixTransformConvs {
		for _, length := range []int{1, 7, 8, 32} {
			x := randomFloats(rng, runs*batch*length*c.In)
			k := randomFloats(rng, runs*c.Window*c.In*c.Out)
			lo := (length + c.Stride - 1) / c.Stride
			pop := func(form PopConv) []float32 {
				store := model.NewStore()
				if _, err := store.CreateVariable("/conv/kernel", tensors.FromFlatDataAndDimensions(k, runs, c.Window, c.In, c.Out)); err != nil {
					t.Fatal(err)
				}
				e, err := model.NewExec(be, store, func(scope *model.Scope, xn *Node) *Node {
					return form.conv(scope.At("conv"), xn, c.Window, c.Out, c.Stride)
				})
				if err != nil {
					t.Fatal(err)
				}
				out, err := e.Exec(tensors.FromFlatDataAndDimensions(x, runs, batch, length, c.In))
				if err != nil {
					t.Fatal(err)
				}
				if d := out[0].Shape().Dimensions; !reflect.DeepEqual(d, []int{runs, batch, lo, c.Out}) {
					t.Fatalf("%+v length %d: shape %v", c, length, d)
				}
				return tensors.MustCopyFlatData[float32](out[0])
			}
			banded, taps := pop(PopConv{Banded: true}), pop(PopConv{})
			per, perK := batch*length*c.In, c.Window*c.In*c.Out
			for r := 0; r < runs; r++ {
				store := model.NewStore()
				if _, err := store.CreateVariable("/conv/kernel", tensors.FromFlatDataAndDimensions(k[r*perK:(r+1)*perK], c.Window, c.In, c.Out)); err != nil {
					t.Fatal(err)
				}
				e, err := model.NewExec(be, store, func(scope *model.Scope, xn *Node) *Node {
					return nn.Conv1D(scope.At("conv"), xn, c.Window, c.Out, c.Stride)
				})
				if err != nil {
					t.Fatal(err)
				}
				out, err := e.Exec(tensors.FromFlatDataAndDimensions(x[r*per:(r+1)*per], batch, length, c.In))
				if err != nil {
					t.Fatal(err)
				}
				want := tensors.MustCopyFlatData[float32](out[0])
				// The single-run networks' banded form (singleConv1D on ONNX
				// Runtime), same kernel variable as nn.Conv1D's.
				e, err = model.NewExec(be, store, func(scope *model.Scope, xn *Node) *Node {
					return PopConv{Banded: true}.single(scope.At("conv"), xn, c.Window, c.Out, c.Stride)
				})
				if err != nil {
					t.Fatal(err)
				}
				out, err = e.Exec(tensors.FromFlatDataAndDimensions(x[r*per:(r+1)*per], batch, length, c.In))
				if err != nil {
					t.Fatal(err)
				}
				single := tensors.MustCopyFlatData[float32](out[0])
				if len(single) != len(want) {
					t.Fatalf("%+v length %d: single-run banded form gives %d values, want %d", c, length, len(single), len(want))
				}
				for i, w := range want {
					j := r*len(want) + i
					if math.Abs(float64(banded[j]-w)) > 1e-5 || math.Abs(float64(taps[j]-w)) > 1e-5 || math.Abs(float64(single[i]-w)) > 1e-5 {
						t.Fatalf("%+v length %d run %d value %d: banded %g, taps %g, single-run banded %g, nn.Conv1D %g", c, length, r, i, banded[j], taps[j], single[i], w)
					}
				}
			}
		}
	}
}

// tinyCPA is the N = 4 CPA-ANC run the stop-rule, checkpoint and
// population tests train: minibatch 512, learning rate 0.01, 1 Alice–Bob
// and 5 Eve steps per round, curves every `every` rounds on 4096 blocks.
func tinyCPA(rounds, every int) Config {
	cfg := DefaultConfig(CPA, 4, rounds)
	cfg.Batch, cfg.LearningRate, cfg.ABPerRound, cfg.EvePerRound, cfg.EvalEvery, cfg.EvalBlocks = 512, 0.01, 1, 5, every, 4096
	return cfg
}

func popConfig(v Variant, n, rounds int) Config {
	cfg := DefaultConfig(v, n, rounds)
	cfg.Batch, cfg.EvalEvery, cfg.EvalBlocks, cfg.LearningRate = 32, 2, 64, 0.01
	if v == CPA {
		cfg.ABPerRound, cfg.EvePerRound = 1, 2
	}
	return cfg
}

func withSeeds(cfg Config, seeds ...uint64) []Config {
	out := make([]Config, len(seeds))
	for i, s := range seeds {
		out[i] = cfg
		out[i].Seed = s
	}
	return out
}

// trainPopulation trains a population and returns its histories and each
// run's exported Alice weights and test metrics.
func trainPopulation(t *testing.T, cfgs []Config, conv PopConv) ([]History, []map[string][]float32, []Metrics) {
	t.Helper()
	p, err := NewPopulation(goBackend(t), cfgs, conv)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := p.Train(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var ws []map[string][]float32
	var mts []Metrics
	for r := range cfgs {
		m, err := p.Model(r)
		if err != nil {
			t.Fatal(err)
		}
		w, err := m.AliceWeights()
		if err != nil {
			t.Fatal(err)
		}
		mt, err := m.Evaluate(256, 3)
		if err != nil {
			t.Fatal(err)
		}
		ws, mts = append(ws, w), append(mts, mt)
	}
	return hs, ws, mts
}

// TestPopulationRunIndependent: a run trained among others and the same run
// trained alone agree bit for bit on the go backend — curves, exported
// weights and the metrics of the exported model — for both variants and
// both convolution forms.
func TestPopulationRunIndependent(t *testing.T) {
	for _, v := range []Variant{ANC, CPA} {
		for _, conv := range []PopConv{{Banded: true}, {}} {
			cfg := popConfig(v, 4, 6)
			hs, ws, mts := trainPopulation(t, withSeeds(cfg, 11, 12, 13), conv)
			h1, w1, mt1 := trainPopulation(t, withSeeds(cfg, 12), conv)
			if !reflect.DeepEqual(hs[1], h1[0]) {
				t.Errorf("%s %+v: history among others %+v, alone %+v", v, conv, hs[1], h1[0])
			}
			if len(w1[0]) == 0 || !reflect.DeepEqual(ws[1], w1[0]) {
				t.Errorf("%s %+v: Alice's weights differ between the run among others and alone", v, conv)
			}
			if mts[1] != mt1[0] {
				t.Errorf("%s %+v: metrics among others %+v, alone %+v", v, conv, mts[1], mt1[0])
			}
			if reflect.DeepEqual(ws[0], ws[1]) {
				t.Errorf("%s %+v: runs with different seeds have the same weights", v, conv)
			}
			if len(hs[1].Step) != 4 || hs[1].Rounds != 6 || hs[1].Converged {
				t.Errorf("%s %+v: history %+v: want 4 points, 6 rounds, not converged", v, conv, hs[1])
			}
		}
	}
}

// TestPopulationStopsRuns: with the stop rule, two runs stop at different
// rounds before the budget while a third keeps training; a
// stopped run's exported model is its snapshot at the stop (its slot's
// later updates are not used): evaluated on the fixed evaluation set it
// gives the History's last point, and it decrypts.
func TestPopulationStopsRuns(t *testing.T) {
	cfg := tinyCPA(500, 50)
	cfgs := withSeeds(cfg, 2, 5, 6) // seeds 2 and 5 stop at rounds 400 and 450, seed 6 trains on
	p, err := NewPopulation(goBackend(t), cfgs, PopConv{})
	if err != nil {
		t.Fatal(err)
	}
	hs, err := p.Train(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	stopped := -1
	for r, h := range hs {
		if h.Converged {
			stopped = r
			if h.Rounds%cfg.EvalEvery != 0 || h.Rounds >= cfg.Rounds || h.Step[len(h.Step)-1] != h.Rounds {
				t.Errorf("run %d: stopped at round %d with last step %d", r, h.Rounds, h.Step[len(h.Step)-1])
			}
		} else if h.Rounds != cfg.Rounds || h.Step[len(h.Step)-1] != cfg.ABSteps() {
			t.Errorf("run %d did not stop: rounds %d, last step %d; want the budget %d", r, h.Rounds, h.Step[len(h.Step)-1], cfg.Rounds)
		}
	}
	if stopped < 0 {
		t.Fatalf("no run stopped: %+v", hs)
	}
	if hs[0].Rounds == hs[1].Rounds && hs[1].Rounds == hs[2].Rounds {
		t.Fatalf("every run stopped at round %d: the test needs runs that stop at different rounds", hs[0].Rounds)
	}
	m, err := p.Model(stopped)
	if err != nil {
		t.Fatal(err)
	}
	h := hs[stopped]
	eval := newBitSource(cfgs[stopped].Seed, 2).newBatch(CPA, cfg.N, cfg.EvalBlocks, true)
	mt, err := m.evaluate(eval)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mt.BobBits/float64(cfg.N), h.Bob[len(h.Bob)-1]; math.Abs(got-want) > 1e-6 {
		t.Errorf("exported run %d: Bob's error on the evaluation set %g, the History's last point %g: not the snapshot", stopped, got, want)
	}
	if test, err := m.Evaluate(4096, 11); err != nil || test.BobHardBits > DecryptThreshold {
		t.Errorf("stopped run: Bob %.3f wrong bits per block (err %v)", test.BobHardBits, err)
	}
}

// TestPopulationCheckpointResume: a population killed mid-training and
// resumed from its checkpoint by a new Population gives the uninterrupted
// result bit for bit (with a run stopped before the kill).
func TestPopulationCheckpointResume(t *testing.T) {
	cfg := tinyCPA(500, 50)
	cfgs := withSeeds(cfg, 2, 6) // seed 2 stops at round 400, seed 6 trains on
	want, wantW, wantM := trainPopulation(t, cfgs, PopConv{})
	dir := t.TempDir()
	var log bytes.Buffer
	p, err := NewPopulation(goBackend(t), cfgs, PopConv{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetCheckpoints(CheckpointOptions{Dir: dir, Every: 20, Log: &log}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	killAt := 450
	if !want[0].Converged || want[0].Rounds > killAt || want[1].Converged {
		t.Fatalf("the test wants run 0 stopped before round %d and run 1 training to the end: %+v", killAt, want)
	}
	if _, err := p.Train(ctx, func(r, _ int) {
		if r == killAt {
			cancel()
		}
	}); !errors.Is(err, context.Canceled) {
		t.Fatalf("killed population: err %v", err)
	}
	p, err = NewPopulation(goBackend(t), cfgs, PopConv{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetCheckpoints(CheckpointOptions{Dir: dir, Every: 20, Log: &log}); err != nil {
		t.Fatal(err)
	}
	got, err := p.Train(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "at round 440 of 500") {
		t.Errorf("log %q: want a resume at round 440", log.String())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resumed histories differ:\n%+v\n%+v", got, want)
	}
	for r := range cfgs {
		m, err := p.Model(r)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := m.AliceWeights()
		mt, _ := m.Evaluate(256, 3)
		if !reflect.DeepEqual(w, wantW[r]) || mt != wantM[r] {
			t.Errorf("run %d: resumed weights or metrics differ (%+v vs %+v)", r, mt, wantM[r])
		}
	}
}

func TestNewPopulationValidates(t *testing.T) {
	be := goBackend(t)
	cfg := popConfig(ANC, 4, 2)
	other := withSeeds(cfg, 1, 2)
	other[1].Batch++
	for name, cfgs := range map[string][]Config{"no runs": nil, "differ beyond the seed": other,
		"invalid": withSeeds(Config{Variant: "x"}, 1), "too many": withSeeds(cfg, make([]uint64, MaxPopulation+1)...)} {
		if _, err := NewPopulation(be, cfgs, PopConv{}); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	nan := cfg
	nan.Alpha = math.NaN()
	if _, err := NewPopulation(be, withSeeds(nan, 1, 2), PopConv{}); err == nil || !strings.Contains(err.Error(), "alpha") {
		t.Errorf("NaN alpha: %v, want an error naming alpha", err)
	}
	blank := withSeeds(cfg, 1, 2)
	blank[1].Loss = "" // the reference form, spelled differently
	if _, err := NewPopulation(be, blank, PopConv{}); err != nil {
		t.Errorf(`Loss "" beside %q: %v`, LossReference, err)
	}
	for _, runs := range []int{-1, 0, MaxPopulation + 1, 1 << 45} {
		if _, err := TimePopulationRounds(context.Background(), be, ANC, 4, 8, runs, 1, PopConv{}); err == nil {
			t.Errorf("timing %d runs: want an error", runs)
		}
	}
	if _, err := NewPopulation(nil, withSeeds(cfg, 1), PopConv{}); err == nil {
		t.Error("nil backend: want an error")
	}
	p, err := NewPopulation(be, withSeeds(cfg, 1), PopConv{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Model(0); err == nil {
		t.Error("export before training: want an error")
	}
	if _, err := p.Model(1); err == nil {
		t.Error("export of run 1 of 1: want an error")
	}
}
