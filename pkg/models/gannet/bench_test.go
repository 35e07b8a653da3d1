package gannet

import (
	"context"
	"testing"
)

// BenchmarkTrainingStep times one training step (a D step and a G/R step)
// at 64², batch 32, width 16: the setting of the gan experiment's speed
// table, where it stands beside PyTorch (reported, never asserted). Set
// GAN_TEST_BACKEND to time another backend.
func BenchmarkTrainingStep(b *testing.B) {
	cfg := DefaultConfig(64, 32, 1<<20)
	cfg.Channels = 16
	m := tinyModel(b, cfg)
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

// BenchmarkQuickStep times the quick profile's step: 32², batch 16, width 16.
func BenchmarkQuickStep(b *testing.B) {
	cfg := DefaultConfig(32, 16, 1<<20)
	cfg.Channels = 16
	m := tinyModel(b, cfg)
	ctx := context.Background()
	if _, err := m.Step(ctx, 0); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Step(ctx, i+1); err != nil {
			b.Fatal(err)
		}
	}
}
