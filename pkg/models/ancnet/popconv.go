package ancnet

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// PopConv selects how a Population computes its 1-D convolutions (ANC's
// have 1–4 channels and windows of 1–4 taps).
type PopConv struct {
	// Banded computes each convolution as the banded matrix it is: the
	// kernel [runs, window, in, out] is spread into a [runs, length·in,
	// ⌈length/stride⌉·out] matrix (one product with a constant 0/1 tensor),
	// and the layer is one batched matrix product. Otherwise the window's
	// taps are strided slices of the padded input, concatenated, times the
	// kernel (nn.Conv1D's form, batched over runs).
	Banded bool
}

// PopConvFor returns the faster form on backend be, as measured by
// BenchmarkPopulationANCBanded / …Taps (ANC, N = 16, 10 runs × 512
// blocks, 2 cores; ms per run-round): on ONNX Runtime banded 3.2, taps 4.6
// (a run trained alone, its convolutions then all taps: 5.3); on the pure
// Go backend banded 29, taps 18 (alone: 20). The Go backend's matrix
// products do not gain from the band's extra multiply-adds (up to 16× the
// taps' at N = 16); MLAS's do. Every backend but the pure Go one gets the
// band (XLA's choice is not measured here).
func PopConvFor(be compute.Backend) PopConv {
	return PopConv{Banded: !backend.IsGo(be)}
}

func (c PopConv) conv(scope *model.Scope, x *Node, window, out, stride int) *Node {
	if c.Banded {
		return bandedConv1D(scope, x, window, out, stride)
	}
	return tapsConv1D(scope, x, window, out, stride)
}

// popDense is the population's dense layer: x [runs, batch, in] times
// "weights" [runs, in, out] (+ "biases" [runs, out]) → [runs, batch, out].
func popDense(scope *model.Scope, x *Node, out int, bias bool) *Node {
	runs, in := x.Shape().Dimensions[0], x.Shape().Dimensions[2]
	w := scope.VariableWithShape("weights", shapes.Make(x.DType(), runs, in, out)).NodeValue(x.Graph())
	y := Einsum("rbi,rio->rbo", x, w)
	if bias {
		b := scope.VariableWithShape("biases", shapes.Make(x.DType(), runs, out)).NodeValue(x.Graph())
		y = Add(y, ExpandAxes(b, 1))
	}
	return y
}

// bandSpread is the constant S [window, length, lo] with S[j, l, o] = 1
// where input position l feeds tap j of output o (l = o·stride + j − left).
func bandSpread(g *Graph, dt shapes.Shape, window, length, stride int) *Node {
	lo, left, _ := nn.SamePadding1D(length, window, stride)
	vals := make([]float32, window*length*lo)
	for j := 0; j < window; j++ {
		for o := 0; o < lo; o++ {
			if l := o*stride + j - left; l >= 0 && l < length {
				vals[(j*length+l)*lo+o] = 1
			}
		}
	}
	return ConvertDType(Const(g, tensors.FromFlatDataAndDimensions(vals, window, length, lo)), dt.DType)
}

// bandedConv1D: x [runs, batch, length, in] → [runs, batch, lo, out] as
// one batched product with the banded matrix of "kernel" [runs, window,
// in, out].
func bandedConv1D(scope *model.Scope, x *Node, window, out, stride int) *Node {
	g := x.Graph()
	d := x.Shape().Dimensions
	runs, batch, length, in := d[0], d[1], d[2], d[3]
	k := scope.VariableWithShape("kernel", shapes.Make(x.DType(), runs, window, in, out)).NodeValue(g)
	lo, _, _ := nn.SamePadding1D(length, window, stride)
	s := bandSpread(g, x.Shape(), window, length, stride)
	m := Einsum("rjic,jlo->rlioc", k, s) // [runs, length, in, lo, out]
	m = Reshape(m, runs, length*in, lo*out)
	y := Einsum("rbx,rxy->rby", Reshape(x, runs, batch, length*in), m)
	return Reshape(y, runs, batch, lo, out)
}

// maxSingleBand bounds the banded matrix of a single-run convolution (its
// [length·in, lo·out] entries; 2 048 for ANC's first convolution at
// N = 16, 32 768 at N = 64): the band's multiply-adds grow as length²
// where the taps' grow as length, so long inputs (N up to 1024 is
// allowed) keep the taps. Ours.
const maxSingleBand = 1 << 16

// singleConv1D is the single-run networks' convolution (x [batch, length,
// in] → [batch, lo, out], "kernel" [window, in, out] as nn.Conv1D's): the
// banded product where PopConvFor prefers it for the graph's backend (all
// but the pure Go one), the taps would be strided slices (a window other
// than the stride, or padding: ANC's first convolution, whose band is a
// 32×64 matrix at N = 16) and the band has at most maxSingleBand entries;
// else nn.Conv1D. Measured with ONNX Runtime's profiler on the exported
// step graphs (N = 16, batch 4096, one Alice–Bob and one Eve step; a
// one-off probe, 2026-11-30, see the README): the taps' 41 Slice nodes
// (gradients included) took 6.9 of 22.7 ms of kernel time, and the ANC
// round (BenchmarkTrainStepN16) went from 31–33 ms to 21–24 ms. The pure
// Go backend keeps nn.Conv1D, so its numbers do not change. Ours.
func singleConv1D(scope *model.Scope, x *Node, window, out, stride int) *Node {
	return PopConvFor(x.Graph().Backend()).single(scope, x, window, out, stride)
}

// single is singleConv1D in form c.
func (c PopConv) single(scope *model.Scope, x *Node, window, out, stride int) *Node {
	length, in := x.Shape().Dimensions[1], x.Shape().Dimensions[2]
	lo, left, right := nn.SamePadding1D(length, window, stride)
	if !c.Banded || (window == stride && left+right == 0) || length*in*lo*out > maxSingleBand {
		return nn.Conv1D(scope, x, window, out, stride)
	}
	g := x.Graph()
	batch := x.Shape().Dimensions[0]
	k := scope.VariableWithShape("kernel", shapes.Make(x.DType(), window, in, out)).NodeValue(g)
	// A plain matrix product, not bandedConv1D's batched one over a run
	// axis of 1: ONNX Runtime computes the latter's weight gradient as an
	// Einsum about 6× slower than the product's (its profiler, batch 4096:
	// about 600 µs against 100).
	m := Reshape(Einsum("jic,jlo->lioc", k, bandSpread(g, x.Shape(), window, length, stride)), length*in, lo*out)
	return Reshape(MatMul(Reshape(x, batch, length*in), m), batch, lo, out)
}

// tapsConv1D: the same convolution as nn.Conv1D's window patches
// (nn.Patches1D) times each run's kernel.
func tapsConv1D(scope *model.Scope, x *Node, window, out, stride int) *Node {
	d := x.Shape().Dimensions
	runs, batch, in := d[0], d[1], d[3]
	k := scope.VariableWithShape("kernel", shapes.Make(x.DType(), runs, window, in, out)).NodeValue(x.Graph())
	patches := nn.Patches1D(x, window, stride) // [runs, batch, lo, window·in]
	lo := patches.Shape().Dimensions[2]
	y := Einsum("rbx,rxc->rbc", Reshape(patches, runs, batch*lo, window*in), Reshape(k, runs, window*in, out))
	return Reshape(y, runs, batch, lo, out)
}
