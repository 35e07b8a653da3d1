package ancnet

import (
	"context"
	"math"
	"testing"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

func goBackend(t testing.TB) compute.Backend {
	be, err := backend.Fixed("go").New()
	if err != nil {
		t.Fatal(err)
	}
	return be
}

// eval builds fn on the given constant inputs and returns its scalar.
func eval(t *testing.T, fn func(g *Graph) *Node) float64 {
	t.Helper()
	be := goBackend(t)
	out := MustExecOnce(be, fn)
	v, err := nn.ReadScalar(out)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.6f, want %.6f", name, got, want)
	}
}

func TestLossesHandComputed(t *testing.T) {
	// ANC: P = [1,-1,1,-1]; Bob = [1,-1,0,-1] → 0.5 bits wrong; Eve = [-1,-1,-1,1] → 3 bits wrong.
	p := [][]float32{{1, -1, 1, -1}}
	bob := [][]float32{{1, -1, 0, -1}}
	eve := [][]float32{{-1, -1, -1, 1}}
	near(t, "ANCEveLoss", eval(t, func(g *Graph) *Node { return ANCEveLoss(Const(g, p), Const(g, eve)) }), 3, 1e-6)
	// L_AB = 0.5/4 + (2 − 3)²/2² = 0.125 + 0.25.
	near(t, "ANCAliceBobLoss", eval(t, func(g *Graph) *Node {
		return ANCAliceBobLoss(Const(g, p), Const(g, bob), Const(g, eve))
	}), 0.375, 1e-6)
	// Two blocks where Eve gets 3 and 1 bits wrong: her mean, 2 = N/2, makes
	// the batch-mean form's Eve term 0, while the reference form squares
	// per block: ((2−3)² + (2−1)²)/2 / 2² = 0.25. Bob: 0.5 and 0 bits wrong.
	p2 := [][]float32{{1, -1, 1, -1}, {1, 1, 1, 1}}
	bob2 := [][]float32{{1, -1, 0, -1}, {1, 1, 1, 1}}
	eve2 := [][]float32{{-1, -1, -1, 1}, {1, 1, 1, -1}}
	near(t, "ANCAliceBobLoss (batch-mean, 2 blocks)", eval(t, func(g *Graph) *Node {
		return ANCAliceBobLoss(Const(g, p2), Const(g, bob2), Const(g, eve2))
	}), 0.25/4, 1e-6)
	near(t, "ANCAliceBobLossReference (2 blocks)", eval(t, func(g *Graph) *Node {
		return ANCAliceBobLossReference(Const(g, p2), Const(g, bob2), Const(g, eve2))
	}), 0.25/4+0.25, 1e-6)
	// On one block the two forms agree.
	near(t, "ANCAliceBobLossReference (1 block)", eval(t, func(g *Graph) *Node {
		return ANCAliceBobLossReference(Const(g, p), Const(g, bob), Const(g, eve))
	}), 0.375, 1e-6)
	// CPA Bob: P = [1,0,1,0], P̂ = [0.5,0,1,0.25] → 0.75 bits.
	near(t, "CPABobLoss", eval(t, func(g *Graph) *Node {
		return CPABobLoss(Const(g, [][]float32{{1, 0, 1, 0}}), Const(g, [][]float32{{0.5, 0, 1, 0.25}}))
	}), 0.75, 1e-6)
	// Eve logits [0, ln 3] → p1 = 3/4. Targets t = [1, 0]: CE = −(ln 3/4 + ln 1/4)/2; Err = (1/4 + 3/4)/2.
	logits := [][]float32{{0, float32(math.Log(3))}, {0, float32(math.Log(3))}}
	tt := []float32{1, 0}
	near(t, "CPAEveLoss", eval(t, func(g *Graph) *Node { return CPAEveLoss(Const(g, logits), Const(g, tt)) }),
		-(math.Log(0.75)+math.Log(0.25))/2, 1e-5)
	near(t, "CPAEveError", eval(t, func(g *Graph) *Node { return CPAEveError(Const(g, logits), Const(g, tt)) }), 0.5, 1e-6)
	near(t, "CPAEveAccuracy", eval(t, func(g *Graph) *Node { return CPAEveAccuracy(Const(g, logits), Const(g, tt)) }), 0.5, 1e-6)
	// L_AB = 0.75 − 7·min(0.6, 0.5) = −2.75; and with Err = 0.2: 0.75 − 1.4.
	near(t, "CPAAliceBobLoss", eval(t, func(g *Graph) *Node {
		return CPAAliceBobLoss(Const(g, float32(0.75)), Const(g, float32(0.6)), Gamma)
	}), -2.75, 1e-6)
	near(t, "CPAAliceBobLoss", eval(t, func(g *Graph) *Node {
		return CPAAliceBobLoss(Const(g, float32(0.75)), Const(g, float32(0.2)), Gamma)
	}), 0.75-1.4, 1e-6)
}

func TestAngleMaps(t *testing.T) {
	// f(0) ≈ 0, f(1) ≈ π, f(1/2) = π/2; f⁻¹(π + π) = 0 (1 ⊕ 1), f⁻¹(π) = 1.
	near(t, "f(1/2)", eval(t, func(g *Graph) *Node { return Angle(Const(g, float32(0.5))) }), math.Pi/2, 1e-5)
	near(t, "f(1)", eval(t, func(g *Graph) *Node { return Angle(Const(g, float32(1))) }), math.Pi, 3e-3)
	near(t, "f(0)", eval(t, func(g *Graph) *Node { return Angle(Const(g, float32(0))) }), 0, 3e-3)
	near(t, "f⁻¹(2π)", eval(t, func(g *Graph) *Node { return InvAngle(Const(g, float32(2*math.Pi))) }), 0, 1e-6)
	near(t, "f⁻¹(π)", eval(t, func(g *Graph) *Node { return InvAngle(Const(g, float32(math.Pi))) }), 1, 1e-6)
	// d f/db at b = 1/2 is 2/√(1 − 0) = 2.
	near(t, "f'(1/2)", eval(t, func(g *Graph) *Node {
		b := Const(g, float32(0.5))
		return Gradient(Angle(b), b)[0]
	}), 2, 1e-4)
}

func TestBinomialUpperTail(t *testing.T) {
	near(t, "P(X≥0)", BinomialUpperTail(0, 10, 0.5), 1, 0)
	near(t, "P(X≥10|10)", BinomialUpperTail(10, 10, 0.5), 1.0/1024, 1e-12)
	near(t, "P(X≥9|10)", BinomialUpperTail(9, 10, 0.5), 11.0/1024, 1e-12)
	near(t, "P(X≥5|10)", BinomialUpperTail(5, 10, 0.5), 638.0/1024, 1e-12)
	// 10 000 pairs: mean 5000, sd 50; k = 5117 is z ≈ 2.33 → p ≈ 0.0099 (continuity-corrected normal).
	if p := BinomialUpperTail(5117, 10000, 0.5); p < 0.008 || p > 0.0115 {
		t.Errorf("P(X≥5117|10000) = %g, want ≈ 0.0099", p)
	}
	if p := BinomialUpperTail(5000, 10000, 0.5); math.Abs(p-0.504) > 0.002 {
		t.Errorf("P(X≥5000|10000) = %g, want ≈ 0.504", p)
	}
}

func TestXORProbeHandMadeAlices(t *testing.T) {
	xorAlice := func(v Variant) EncryptFunc {
		return func(p, k []float32, blocks int) ([]float32, error) {
			c := make([]float32, len(p))
			for i := range p {
				c[i] = Encode(v, Decode(v, p[i])^Decode(v, k[i]))
			}
			return c, nil
		}
	}
	identity := func(p, k []float32, blocks int) ([]float32, error) { return append([]float32(nil), p...), nil }
	for _, v := range []Variant{ANC, CPA} {
		pr, err := XORProbe(v, 4, xorAlice(v), 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !pr.Exhaustive || pr.Pairs != 256 || pr.XOR != 1 || pr.XORUpToMask != 1 {
			t.Errorf("%s XOR Alice: %+v, want exhaustive 256 pairs, probe 1", v, pr)
		}
		// Identity: C = P equals P ⊕ K iff K = 0: exactly 1/2^N over all pairs.
		pr, err = XORProbe(v, 4, identity, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if pr.XOR != 1.0/16 {
			t.Errorf("%s identity Alice: probe %g, want 1/16", v, pr.XOR)
		}
	}
	// A complemented one-time pad is caught by the masked probe only.
	notXOR := func(p, k []float32, blocks int) ([]float32, error) {
		c := make([]float32, len(p))
		for i := range p {
			c[i] = Encode(CPA, 1^Decode(CPA, p[i])^Decode(CPA, k[i]))
		}
		return c, nil
	}
	pr, err := XORProbe(CPA, 16, notXOR, 5000, 3)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Exhaustive || pr.Pairs != 5000 || pr.XOR != 0 || pr.XORUpToMask != 1 {
		t.Errorf("complemented pad, N = 16: %+v", pr)
	}
}

// TestTinyCPARunDecryptsUnderPaperLoss trains an N = 4 CPA-ANC run with
// the paper's loss (γ = 7, α = 0.1) against a chosen-plaintext Eve and
// checks that Bob decrypts a fresh test set, that the Eve trained alongside
// stays near chance, and that a freshly retrained Eve finds no leak. The
// quick profile's deviations are used (minibatch 512, learning rate 0.01,
// 5 Eve steps per Alice–Bob step) so that it runs in seconds; on the go
// backend the run is deterministic for this seed. Not every seed converges
// in this budget: of seeds 1–10, 5, 6, 7, 9 and 10 decrypt securely (9's
// Eve ends at 0.553); a change to the arithmetic (e.g. how arccos is
// computed) can move a seed across, so re-scan seeds if it does.
func TestTinyCPARunDecryptsUnderPaperLoss(t *testing.T) {
	const rounds = 1000
	cfg := DefaultConfig(CPA, 4, rounds)
	cfg.Batch, cfg.LearningRate, cfg.ABPerRound, cfg.EvePerRound, cfg.EvalEvery, cfg.Seed = 512, 0.01, 1, 5, rounds/4, 5
	cfg.Stop = false // the whole budget (TestStopRule stops early)
	if cfg.Gamma != 7 || cfg.Alpha != 0.1 {
		t.Fatalf("default CPA config: γ = %g, α = %g; want the paper's 7 and 0.1", cfg.Gamma, cfg.Alpha)
	}
	m, err := NewModel(goBackend(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := m.Train(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Step) != 5 || h.Step[4] != rounds {
		t.Errorf("history steps %v, want 5 points ending at %d", h.Step, rounds)
	}
	mt, err := m.Evaluate(4096, 11)
	if err != nil {
		t.Fatal(err)
	}
	if mt.BobHardBits > DecryptThreshold {
		t.Errorf("Bob's error after %d steps: %.3f bits per block, want ≤ %.2f (curve %v)", rounds, mt.BobHardBits, DecryptThreshold, h.Bob)
	}
	if mt.EveAccuracy > 0.55 {
		t.Errorf("the Eve trained alongside reaches accuracy %.3f, want ≤ 0.55 (Alice should hide)", mt.EveAccuracy)
	}
	sec, err := m.SecurityTest(context.Background(), SecurityConfig{Attack: ChosenPlaintext, Restarts: 1, Steps: 200, Batch: 512, TestBlocks: SecurityTestPairs, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !sec.Secure {
		t.Errorf("retrained Eve against the trained Alice: %+v, want secure", sec)
	}
}

// TestStopRule: the converged() rule on hand-made metrics, and the tiny
// CPA run of TestTinyCPARunDecryptsUnderPaperLoss with the stop rule on:
// it ends at a recorded point before its budget, where Bob is below
// StopBobBits, and still decrypts.
func TestStopRule(t *testing.T) {
	anc, cpa := DefaultConfig(ANC, 16, 10), DefaultConfig(CPA, 16, 10)
	for _, c := range []struct {
		cfg  Config
		mt   Metrics
		want bool
	}{
		{anc, Metrics{BobBits: 0.01, EveBits: 7.8}, true},
		{anc, Metrics{BobBits: 0.03, EveBits: 7.8}, false}, // Bob too far
		{anc, Metrics{BobBits: 0.01, EveBits: 7.6}, false}, // Eve below 7.7 of 16
		{cpa, Metrics{Blocks: 10000, BobBits: 0.01, EveAccuracy: 0.509}, true},
		{cpa, Metrics{Blocks: 10000, BobBits: 0.01, EveAccuracy: 0.511}, false}, // > 1/2 + 2·0.005
		{cpa, Metrics{Blocks: 10000, BobBits: math.NaN(), EveAccuracy: 0.5}, false},
		{cpa, Metrics{Blocks: 10000, BobBits: 0.01, EveAccuracy: 0.491}, true},
		{cpa, Metrics{Blocks: 10000, BobBits: 0.01, EveAccuracy: 0.3}, false}, // consistently wrong: she tells them apart
	} {
		if got := c.cfg.converged(c.mt); got != c.want {
			t.Errorf("%s: converged(%+v) = %v, want %v", c.cfg.Variant, c.mt, got, c.want)
		}
	}
	const rounds, every = 1000, 50
	cfg := tinyCPA(rounds, every)
	cfg.Seed = 5
	if !cfg.Stop {
		t.Fatal("DefaultConfig: want the stop rule on")
	}
	m, err := NewModel(goBackend(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := m.Train(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Converged || h.Rounds <= 0 || h.Rounds >= rounds || h.Rounds%every != 0 {
		t.Fatalf("stop rule: converged %v after %d of %d rounds; want converged at a multiple of %d before the budget (Bob %v, Eve %v)",
			h.Converged, h.Rounds, rounds, every, h.Bob, h.Eve)
	}
	last := len(h.Step) - 1
	if h.Step[last] != h.Rounds || len(h.Step) != h.Rounds/every+1 || !(h.Bob[last]*4 < StopBobBits) {
		t.Errorf("history ends at step %d with %d points and Bob %.4f bits; want step %d, %d points, Bob < %.2f",
			h.Step[last], len(h.Step), h.Bob[last]*4, h.Rounds, h.Rounds/every+1, StopBobBits)
	}
	if mt, err := m.Evaluate(4096, 11); err != nil || mt.BobHardBits > DecryptThreshold {
		t.Errorf("stopped run: Bob %.3f wrong bits per block (err %v), want ≤ %.2f", mt.BobHardBits, err, DecryptThreshold)
	}
}

// TestSecurityTestFlagsNonHidingAlice trains N = 4 CPA-ANC with γ = 0, so
// Alice and Bob only learn to communicate and Alice has no reason to hide;
// a retrained chosen-plaintext Eve must then find the leak.
func TestSecurityTestFlagsNonHidingAlice(t *testing.T) {
	cfg := DefaultConfig(CPA, 4, 300)
	cfg.Batch, cfg.LearningRate, cfg.Gamma, cfg.EvePerRound, cfg.EvalEvery = 512, 0.008, 0, 1, 0
	m, err := NewModel(goBackend(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	mt, err := m.Evaluate(4096, 11)
	if err != nil {
		t.Fatal(err)
	}
	if mt.BobHardBits > DecryptThreshold {
		t.Errorf("γ = 0: Bob's error %.3f bits per block, want ≤ %.2f", mt.BobHardBits, DecryptThreshold)
	}
	sec, err := m.SecurityTest(context.Background(), SecurityConfig{Attack: ChosenPlaintext, Restarts: 1, Steps: 200, Batch: 512, TestBlocks: SecurityTestPairs, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if sec.Secure || sec.PValue >= SecurityAlpha {
		t.Errorf("retrained Eve against a non-hiding Alice: %+v, want insecure", sec)
	}
}

func TestDeterministic(t *testing.T) {
	run := func() (float64, []float32) {
		cfg := DefaultConfig(ANC, 4, 5)
		cfg.Batch, cfg.EvalEvery, cfg.Seed = 64, 0, 42
		m, err := NewModel(goBackend(t), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Train(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		mt, err := m.Evaluate(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		w, err := m.AliceWeights()
		if err != nil {
			t.Fatal(err)
		}
		return mt.BobBits, w["dense0/weights"]
	}
	b1, w1 := run()
	b2, w2 := run()
	if b1 != b2 || len(w1) == 0 || len(w1) != len(w2) {
		t.Fatalf("runs differ: %v vs %v (%d, %d weights)", b1, b2, len(w1), len(w2))
	}
	for i := range w1 {
		if w1[i] != w2[i] {
			t.Fatalf("weight %d differs: %v vs %v", i, w1[i], w2[i])
		}
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []Config{
		{Variant: "x", N: 4, Batch: 1, ABPerRound: 1, LearningRate: 1},
		{Variant: ANC, N: 5, Batch: 1, ABPerRound: 1, LearningRate: 1},
		{Variant: CPA, N: 4, Batch: 0, ABPerRound: 1, LearningRate: 1},
	}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("%+v: want an error", c)
		}
	}
	if err := DefaultConfig(CPA, 16, 10).Validate(); err != nil {
		t.Error(err)
	}
	if _, err := NewModel(nil, DefaultConfig(CPA, 4, 1)); err == nil {
		t.Error("nil backend: want an error")
	}
}

// goBackendOrSelected uses the backend pkg/backend selects (GOMLX_BACKEND,
// else the best installed), for benchmarks.
func goBackendOrSelected(tb testing.TB) compute.Backend {
	be, err := backend.Select().New()
	if err != nil {
		tb.Fatal(err)
	}
	return be
}

func TestArccosValue(t *testing.T) {
	var xs []float32
	for i := -1000; i <= 1000; i++ {
		xs = append(xs, float32(i)/1000)
	}
	out := MustExecOnce(goBackend(t), func(g *Graph) *Node { return arccosValue(Const(g, xs)) })
	got := out.Value().([]float32)
	worst := 0.0
	for i, x := range xs {
		worst = math.Max(worst, math.Abs(float64(got[i])-math.Acos(float64(x))))
	}
	if worst > 1e-6 {
		t.Errorf("arccos: worst error %.3g over [−1, 1], want ≤ 1e-6", worst)
	}
}
