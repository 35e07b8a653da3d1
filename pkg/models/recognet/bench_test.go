package recognet

import (
	"context"
	"fmt"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
)

// BenchmarkStep times one training step of each architecture at 32²,
// batch 32, width 4 (the quick profile's size), and AlexNet+pre at the
// issue's benchmark size, 128², batch 32, width 8 (reported beside
// PyTorch by the recognition experiment's speed table). Set
// RECOGNET_TEST_BACKEND to time another backend.
func BenchmarkStep(b *testing.B) {
	type size struct {
		arch               Arch
		side, batch, width int
	}
	var sizes []size
	for _, a := range Archs {
		sizes = append(sizes, size{a, 32, 32, 4})
	}
	sizes = append(sizes, size{AlexNetPre, 128, 32, 8})
	for _, sz := range sizes {
		b.Run(fmt.Sprintf("%s/%d/b%d/w%d", sz.arch, sz.side, sz.batch, sz.width), func(b *testing.B) {
			src, err := dataset.NewSynthetic(5, 20, 256)
			if err != nil {
				b.Fatal(err)
			}
			p, err := dataset.NewPlan(src, dataset.CropConfig{Size: sz.side, PerImage: 64, TestFraction: 0.25, Seed: 2})
			if err != nil {
				b.Fatal(err)
			}
			m := newModel(b, Config{Arch: sz.arch, Side: sz.side, Classes: 2, Width: sz.width, Batch: sz.batch, Epochs: 1}, p)
			t, err := m.TimeSteps(context.Background(), max(b.N, 3))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(t.Median, "s/step")
			b.ReportMetric(t.GFLOPS(), "GFLOP/s")
		})
	}
}
