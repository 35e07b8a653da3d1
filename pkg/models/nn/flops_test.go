package nn

import (
	"context"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// TestGraphFLOPs counts a matrix product, a batched Einsum and a
// convolution whose multiply–adds are known by hand.
func TestGraphFLOPs(t *testing.T) {
	g := NewGraph(goBackend(t), "flops")
	f32 := dtypes.Float32
	x := Parameter(g, "x", shapes.Make(f32, 4, 8))
	w := Parameter(g, "w", shapes.Make(f32, 8, 3))
	a := Parameter(g, "a", shapes.Make(f32, 2, 3, 4))
	b := Parameter(g, "b", shapes.Make(f32, 2, 4, 5))
	img := Parameter(g, "img", shapes.Make(f32, 1, 5, 5, 2))
	kernel := Parameter(g, "kernel", shapes.Make(f32, 3, 3, 2, 4))
	_ = MatMul(x, w)                               // 4·3 outputs × 8 = 96 multiply–adds
	_ = Einsum("bij,bjk->bik", a, b)               // 2·3·5 × 4 = 120
	conv := Convolve(img, kernel).PadSame().Done() // 5·5·4 outputs × 3·3·2 = 1800
	if got := conv.Shape().Dimensions; len(got) != 4 || got[1] != 5 || got[3] != 4 {
		t.Fatalf("convolution shape %v", got)
	}
	got, err := GraphFLOPs(g)
	if want := int64(2 * (96 + 120 + 1800)); err != nil || got != want {
		t.Errorf("GraphFLOPs = %d, %v; want %d", got, err, want)
	}
}

// TestPlayerCountsFLOPs: a player with a FLOPCount stores its step's count
// when the graph is built — the forward products and the gradients its
// update uses, not the unused ones (the input's, the other player's).
func TestPlayerCountsFLOPs(t *testing.T) {
	be := goBackend(t)
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(3); err != nil {
		t.Fatal(err)
	}
	game := func(scope *model.Scope, in []*Node) []*Node {
		h := Dense(XavierScope(scope).At("a"), in[0], 2, true)
		return []*Node{ReduceAllMean(Square(Dense(XavierScope(scope).At("b"), h, 2, false)))}
	}
	var count FLOPCount
	step, err := Player{Scope: "a", Optimizer: optimizer.Adam().Done(), FLOPs: &count}.NewStep(be, store, game)
	if err != nil {
		t.Fatal(err)
	}
	if count.Load() != 0 {
		t.Fatalf("counted %d before the graph was built", count.Load())
	}
	if _, err := step.Exec(tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, 5, 6}, 2, 3)); err != nil {
		t.Fatal(err)
	}
	// Forward x[2,3]·W1[3,2] (12 multiply–adds) and h[2,2]·W2[2,2] (8);
	// backward dh = g·W2ᵀ (8) and dW1 = xᵀ·dh (12). Built but unused, so
	// not counted: the gradient with respect to x (12), and dW2 = hᵀ·g
	// (8) — player "a" updates only layer a.
	if got, want := count.Load(), int64(2*(12+8+8+12)); got != want {
		t.Errorf("step FLOPs %d, want %d (the forward products and the gradients the update uses)", got, want)
	}
	if (*FLOPCount)(nil).Load() != 0 {
		t.Error("a nil count is not 0")
	}
}

func TestTimeCallsEach(t *testing.T) {
	n := 0
	tm, err := TimeCallsEach(context.Background(), 5, func() error { n++; return nil })
	if err != nil || n != 6 || tm.Calls != 5 || tm.Median < 0 || tm.Mean < 0 {
		t.Errorf("TimeCallsEach: %+v, %v, %d calls (want 1 untimed + 5)", tm, err, n)
	}
	for _, c := range []struct {
		xs   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{9, 1, 1, 100}, 5}} {
		if got := median(c.xs); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
	if g := (Timing{FLOPs: 2e9, Median: 0.5}).GFLOPS(); g != 4 {
		t.Errorf("GFLOPS = %v, want 4", g)
	}
	if g := (Timing{Median: 0.5}).GFLOPS(); g != 0 {
		t.Errorf("GFLOPS without a count = %v, want 0", g)
	}
}
