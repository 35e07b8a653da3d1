// Package exptest holds the test helpers the experiments of learned
// ciphers share: a smoke environment on synthetic images and table lookup.
// Ours.
package exptest

import (
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// SmokeEnv is a smoke-profile environment on five synthetic 128² images,
// the pure Go backend, seed 3 and work dir dir ("" disables the cache).
func SmokeEnv(t testing.TB, dir string) *experiment.Env {
	t.Helper()
	src, err := dataset.NewSynthetic(9, 5, 128)
	if err != nil {
		t.Fatal(err)
	}
	return &experiment.Env{Profile: experiment.Smoke, Data: src, Backend: backend.Fixed("go"), Seed: 3, WorkDir: dir}
}

// Table returns res's table named name, failing the test if there is none.
func Table(t testing.TB, res *results.Result, name string) results.Table {
	t.Helper()
	for _, tb := range res.Tables {
		if tb.Name == name {
			return tb
		}
	}
	t.Fatalf("no table %q", name)
	return results.Table{}
}
