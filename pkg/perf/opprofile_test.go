package perf_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/perf"
)

// TestOpProfileFindsTheMatrixProduct: a loop of float32 matrix products on
// the pure Go backend spends most of its CPU in the DotGeneral op, and the
// shares add up to 1; fn's error is returned.
func TestOpProfileFindsTheMatrixProduct(t *testing.T) {
	be, err := backend.Fixed(backend.Go).New()
	if err != nil {
		t.Fatal(err)
	}
	exec, err := graph.NewExec(be, func(a, b *graph.Node) *graph.Node { return graph.MatMul(a, b) })
	if err != nil {
		t.Fatal(err)
	}
	const n = 256
	r := rand.New(rand.NewPCG(1, 2))
	v := make([]float32, n*n)
	for i := range v {
		v[i] = r.Float32()
	}
	a := tensors.FromFlatDataAndDimensions(v, n, n)
	shares, total, err := perf.OpProfile(func() error {
		for i := 0; i < 60; i++ {
			out, err := exec.Exec(a, a)
			if err != nil {
				return err
			}
			for _, o := range out {
				_ = o.FinalizeAll()
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, s := range shares {
		sum += s.Fraction
	}
	if len(shares) == 0 || shares[0].Op != "DotGeneral" || shares[0].Fraction < 0.5 || total <= 0 || sum < 0.999 || sum > 1.001 {
		t.Errorf("profile of matrix products: %+v (total %s, shares sum to %g); want DotGeneral first with most of the time", shares, total, sum)
	}
	boom := errors.New("boom")
	if _, _, err := perf.OpProfile(func() error { return boom }); !errors.Is(err, boom) {
		t.Errorf("fn's error: %v", err)
	}
}
