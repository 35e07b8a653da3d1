package ancnet

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
)

func TestTimeRounds(t *testing.T) {
	be := goBackend(t)
	for _, v := range []Variant{ANC, CPA} {
		rt, err := TimeRounds(context.Background(), be, v, 4, 32, 2)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if rt.EveSteps != SpeedEveSteps(v) || rt.Rounds != 2 || rt.N != 4 || rt.Batch != 32 || !(rt.Seconds > 0) || rt.Backend == "" {
			t.Errorf("%s: timing %+v", v, rt)
		}
	}
	// FLOPs: the round's matrix products and convolutions, all of them
	// per block, so twice the batch is exactly twice the count; the
	// median is a timed round's.
	for _, v := range []Variant{ANC, CPA} {
		a, errA := TimeRounds(context.Background(), be, v, 4, 32, 1)
		b, errB := TimeRounds(context.Background(), be, v, 4, 64, 1)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if a.FLOPs <= 0 || b.FLOPs != 2*a.FLOPs || !(a.Median > 0) {
			t.Errorf("%s: FLOPs %d at batch 32, %d at 64 (want positive and double); median %v", v, a.FLOPs, b.FLOPs, a.Median)
		}
	}
	if SpeedEveSteps(CPA) != 20 || SpeedEveSteps(ANC) != 2 {
		t.Errorf("Eve steps per round: CPA %d, ANC %d; want 20 and 2", SpeedEveSteps(CPA), SpeedEveSteps(ANC))
	}
	if _, err := TimeRounds(context.Background(), be, ANC, 4, 32, 0); err == nil {
		t.Error("0 rounds: no error")
	}
}

// TestTrainsOnBackendPreferringConstants trains on a backend whose
// capabilities say it prefers variables embedded as constants (ONNX
// Runtime's does). GoMLX then embeds the non-trainable variables (the
// optimisers' step counters) of graphs not marked as training, which broke
// every training step there until the steps were marked (nn.MarkTraining).
// It needs such a backend: ONNX Runtime (scripts/setup.sh --onnx); without
// one it is skipped. (A wrapper around the go backend claiming the
// capability does not work: GoMLX tensors remember the inner backend.)
func TestTrainsOnBackendPreferringConstants(t *testing.T) {
	lib := backend.FindONNXRuntime()
	if lib == "" {
		t.Skip("no ONNX Runtime library (scripts/setup.sh --onnx installs one)")
	}
	be, err := backend.Fixed(backend.ONNX + ":" + lib).New()
	if err != nil {
		t.Fatal(err)
	}
	if !be.Capabilities().PreferConstantsForVariables {
		t.Skipf("backend %s does not prefer constants for variables", be.Name())
	}
	for _, v := range []Variant{ANC, CPA} {
		cfg := DefaultConfig(v, 4, 3)
		cfg.Batch, cfg.EvalEvery, cfg.EvePerRound = 64, 1, 2
		m, err := NewModel(be, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Train(context.Background(), nil); err != nil {
			t.Fatalf("%s: training on a backend preferring constants: %v", v, err)
		}
		before, err := m.AliceWeights()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.StepAliceBob(); err != nil {
			t.Fatal(err)
		}
		after, _ := m.AliceWeights()
		changed := false
		for k, w := range before {
			for i := range w {
				changed = changed || w[i] != after[k][i]
			}
		}
		if !changed {
			t.Errorf("%s: an Alice–Bob step left Alice's weights unchanged", v)
		}
		sec := SecurityConfig{Attack: NaturalAttack(v), Restarts: 1, Steps: 3, Batch: 64, TestBlocks: 256, Seed: 9}
		if _, err := m.SecurityTest(context.Background(), sec); err != nil {
			t.Errorf("%s: security test on a backend preferring constants: %v", v, err)
		}
	}
	// ONNX Runtime ran with its telemetry off (pkg/backend sets
	// ORT_DISABLE_TELEMETRY): no debug log of this process in /tmp.
	if _, err := os.Stat(fmt.Sprintf("/tmp/mat-debug-%d.log", os.Getpid())); err == nil {
		t.Error("ONNX Runtime wrote /tmp/mat-debug-<pid>.log: its telemetry is on")
	}
}
