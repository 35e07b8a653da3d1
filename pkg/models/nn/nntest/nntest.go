// Package nntest holds the test helpers the model home's packages share:
// a backend for tests and small synthetic crop sets. Ours.
package nntest

import (
	"context"
	"os"
	"testing"

	"github.com/gomlx/compute"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
)

// Backend returns the backend named by the environment variable env
// (e.g. "GAN_TEST_BACKEND"), else the pure Go backend: tests are exact
// there.
func Backend(t testing.TB, env string) compute.Backend {
	t.Helper()
	cfg := os.Getenv(env)
	if cfg == "" {
		cfg = backend.Go
	}
	be, err := backend.Fixed(cfg).New()
	if err != nil {
		t.Fatal(err)
	}
	return be
}

// Crops is a synthetic crop plan of crop² crops (four 256² synthetic
// images, 64 crops each, a quarter of the images held out): the training
// batches of batch crops (shuffled, DropLast) and every held-out crop.
func Crops(t testing.TB, crop, batch int) (*dataset.Batches, []dataset.Sample) {
	t.Helper()
	src, err := dataset.NewSynthetic(5, 4, 256)
	if err != nil {
		t.Fatal(err)
	}
	return Split(t, src, dataset.CropConfig{Size: crop, PerImage: 64, TestFraction: 0.25, Seed: 2}, batch)
}

// Split plans src with cfg and returns the training batches of batch
// crops (shuffled, DropLast, with the source's labels and masks when it
// has them) and every held-out sample.
func Split(t testing.TB, src dataset.Source, cfg dataset.CropConfig, batch int) (*dataset.Batches, []dataset.Sample) {
	t.Helper()
	plan, err := dataset.NewPlan(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	build := func(split dataset.Split) *dataset.BatchBuilder {
		b := plan.Batches(split, batch)
		if _, ok := src.(dataset.Labelled); ok {
			l, err := plan.SourceLabels()
			if err != nil {
				t.Fatal(err)
			}
			b = b.Labels(l)
		}
		return b
	}
	bs, err := build(dataset.Train).Shuffle(3).DropLast().Done()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := build(dataset.Test).Done()
	if err != nil {
		t.Fatal(err)
	}
	var eval []dataset.Sample
	for s, err := range ev.Epoch(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		eval = append(eval, s...)
	}
	return bs, eval
}
