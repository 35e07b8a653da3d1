package agilenet

import (
	"context"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/models/nn/nntest"
)

// benchStep times training steps of cfg (reported, never asserted).
func benchStep(b *testing.B, cfg Config) {
	bs, ev := nntest.Crops(b, cfg.Crop, cfg.Batch)
	m, err := NewModel(testBackend(b), cfg, bs, ev)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.Step(ctx, 0); err != nil { // compiles
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Step(ctx, i+1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrainingStep times one training step of E and D at 64², batch
// 32, width 16: the setting of the agile experiment's speed table, where it
// stands beside PyTorch. Set AGILE_TEST_BACKEND to time another backend.
func BenchmarkTrainingStep(b *testing.B) {
	cfg := DefaultConfig(64, 32, 1<<20)
	cfg.Channels = 16
	benchStep(b, cfg)
}

// BenchmarkQuickStep times the quick profile's step: 32², batch 16, width 8.
func BenchmarkQuickStep(b *testing.B) {
	cfg := DefaultConfig(32, 16, 1<<20)
	cfg.Channels = 8
	benchStep(b, cfg)
}
