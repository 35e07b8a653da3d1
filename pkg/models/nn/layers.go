package nn

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
)

// Dense is x·W (+ b): x is [batch, in], the result [batch, out]. Variables
// "weights" [in, out] and, with bias, "biases" [out] live in scope. It runs
// and trains on every backend.
func Dense(scope *model.Scope, x *Node, out int, bias bool) *Node {
	in := x.Shape().Dimensions[1]
	w := scope.VariableWithShape("weights", shapes.Make(x.DType(), in, out)).NodeValue(x.Graph())
	y := MatMul(x, w)
	if bias {
		b := scope.VariableWithShape("biases", shapes.Make(x.DType(), out)).NodeValue(x.Graph())
		y = Add(y, ExpandAxes(b, 0))
	}
	return y
}

// Conv1D is a 1-D convolution without bias and with "same" padding (as
// TensorFlow pads it): x is [batch, length, in], the kernel variable
// "kernel" [window, in, out] in scope, the result [batch, ⌈length/stride⌉,
// out]. It is written as one matrix product over the window's patches
// (strided slices of the padded input), which every backend runs fast and
// differentiates — ONNX Runtime cannot train strided convolutions.
func Conv1D(scope *model.Scope, x *Node, window, out, stride int) *Node {
	batch, in := x.Shape().Dimensions[0], x.Shape().Dimensions[2]
	k := scope.VariableWithShape("kernel", shapes.Make(x.DType(), window, in, out)).NodeValue(x.Graph())
	patches := Patches1D(x, window, stride)
	lo := patches.Shape().Dimensions[1]
	y := MatMul(Reshape(patches, batch*lo, window*in), Reshape(k, window*in, out))
	return Reshape(y, batch, lo, out)
}

// SamePadding1D returns the output length and the left and right zero
// padding of a "same"-padded 1-D convolution of a length-long input with
// window taps and the given stride, as TensorFlow pads it (the odd pad
// goes right).
func SamePadding1D(length, window, stride int) (lo, left, right int) {
	lo = (length + stride - 1) / stride
	pad := max((lo-1)*stride+window-length, 0)
	return lo, pad / 2, pad - pad/2
}

// Patches1D returns the window patches of a "same"-padded 1-D convolution
// of x [..., length, in]: [..., ⌈length/stride⌉, window·in], tap-major
// (strided slices of the zero-padded input, concatenated; a reshape when
// the windows do not overlap). Conv1D multiplies them by its kernel; a
// population of networks (pkg/models/ancnet) by its stacked kernels.
func Patches1D(x *Node, window, stride int) *Node {
	g := x.Graph()
	dims := x.Shape().Dimensions
	r := len(dims)
	length, in := dims[r-2], dims[r-1]
	lo, left, right := SamePadding1D(length, window, stride)
	zeros := func(n int) *Node {
		d := append(append([]int(nil), dims[:r-2]...), n, in)
		return Zeros(g, shapes.Make(x.DType(), d...))
	}
	if left+right > 0 {
		parts := []*Node{}
		if left > 0 {
			parts = append(parts, zeros(left))
		}
		parts = append(parts, x)
		if right > 0 {
			parts = append(parts, zeros(right))
		}
		x = Concatenate(parts, r-2)
	}
	out := append(append([]int(nil), dims[:r-2]...), lo, window*in)
	if window == stride && left+right == 0 {
		// Non-overlapping windows: the patches are a reshape.
		return Reshape(x, out...)
	}
	taps := make([]*Node, window)
	for j := range taps {
		taps[j] = SliceAxis(x, r-2, AxisRange(j, j+(lo-1)*stride+1).Stride(stride))
	}
	return Concatenate(taps, r-1)
}

// XavierScope returns scope with the Xavier-uniform initialiser, drawing
// from the store's seeded RNG (so initial weights are a function of the
// seed the store was given).
func XavierScope(scope *model.Scope) *model.Scope {
	return scope.WithInitializer(initializer.XavierUniformFn(scope.Store()))
}

// MarkTraining marks g as a training graph. Backends that prefer constants
// for variables (ONNX Runtime) otherwise embed the non-trainable ones, such
// as the optimisers' step counters, as constants, which a training step
// must update. Every graph that updates variables calls it first.
func MarkTraining(scope *model.Scope, g *Graph) { scope.Store().SetTraining(g, true) }

// Conv2D is a k×k "same"-padded, stride-1 2-D convolution with the given
// dilation and a bias: x [batch, h, w, in] → [batch, h, w, out], variables
// "weights" [k, k, in, out] and "biases" [out] under scope (the layout of
// GoMLX's convolution kernels). It is computed as one matrix product of
// the k² shifted copies of the zero-padded input ("im2col"): on the pure Go
// backend that trains about 3× faster than the backend's convolution for
// the papers' small networks (measured: the GAN cipher's step at 32²,
// batch 16: 0.53 s against 1.58 s on 2 cores), and it trains on every backend. ConvolveForm computes
// the same layer with GoMLX's Convolve (tested equal).
func Conv2D(scope *model.Scope, x *Node, k, out, dilation int) *Node {
	g := x.Graph()
	in := x.Shape().Dimensions[3]
	kernel := scope.VariableWithShape("weights", shapes.Make(x.DType(), k, k, in, out)).NodeValue(g)
	bias := scope.VariableWithShape("biases", shapes.Make(x.DType(), out)).NodeValue(g)
	return Add(Im2Col(x, kernel, dilation), Reshape(bias, 1, 1, 1, out))
}

// Im2Col is the "same"-padded, stride-1 convolution of x [batch, h, w, in]
// with kernel [k, k, in, out] (k odd; any node: a variable, a constant
// filter bank, a rearranged kernel) and the given dilation, without bias:
// [batch, h, w, out]. It is one matrix product of the k² shifted copies of
// the zero-padded input, Conv2D's form.
func Im2Col(x, kernel *Node, dilation int) *Node {
	g := x.Graph()
	d := x.Shape().Dimensions
	batch, h, w, in := d[0], d[1], d[2], d[3]
	k, out := kernel.Shape().Dimensions[0], kernel.Shape().Dimensions[3]
	if k == 1 {
		return Reshape(MatMul(Reshape(x, batch*h*w, in), Reshape(kernel, in, out)), batch, h, w, out)
	}
	r := dilation * (k - 1) / 2
	zr := Zeros(g, shapes.Make(x.DType(), batch, r, w, in))
	xp := Concatenate([]*Node{zr, x, zr}, 1)
	zc := Zeros(g, shapes.Make(x.DType(), batch, h+2*r, r, in))
	xp = Concatenate([]*Node{zc, xp, zc}, 2)
	taps := make([]*Node, 0, k*k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			taps = append(taps, Slice(xp, AxisRange(), AxisRange(i*dilation, i*dilation+h),
				AxisRange(j*dilation, j*dilation+w), AxisRange()))
		}
	}
	patches := Concatenate(taps, 3) // [batch, h, w, k·k·in], tap-major as the kernel
	y := MatMul(Reshape(patches, batch*h*w, k*k*in), Reshape(kernel, k*k*in, out))
	return Reshape(y, batch, h, w, out)
}

// ConvolveForm is Conv2D computed with GoMLX's Convolve (same variables,
// same result): the form that is faster on XLA.
func ConvolveForm(scope *model.Scope, x *Node, k, out, dilation int) *Node {
	in := x.Shape().Dimensions[3]
	g := x.Graph()
	kernel := scope.VariableWithShape("weights", shapes.Make(x.DType(), k, k, in, out)).NodeValue(g)
	bias := scope.VariableWithShape("biases", shapes.Make(x.DType(), out)).NodeValue(g)
	y := Convolve(x, kernel).PadSame().Dilations(dilation).Done()
	return Add(y, Reshape(bias, 1, 1, 1, out))
}

// ConvForm chooses how the k×k "same" convolutions of a fully
// convolutional network are computed: Conv2D's matrix product, or
// GoMLX's Convolve (ConvolveForm) — the same layer with the same
// variables.
type ConvForm struct {
	// Convolve selects ConvolveForm instead of Conv2D.
	Convolve bool
}

// ConvFormFor is the form fastest on backend be: on the pure Go backend
// the matrix product (measured 3× faster there on the GAN cipher's
// networks), elsewhere Convolve (measured 1.2× faster on ONNX Runtime).
func ConvFormFor(be compute.Backend) ConvForm {
	return ConvForm{Convolve: !backend.IsGo(be)}
}

// Conv is the k×k "same" convolution of x to out channels with the given
// dilation, in form f.
func (f ConvForm) Conv(scope *model.Scope, x *Node, k, out, dilation int) *Node {
	if f.Convolve {
		return ConvolveForm(scope, x, k, out, dilation)
	}
	return Conv2D(scope, x, k, out, dilation)
}

// LeakyReLU is max(x, slope·x) (0 < slope < 1).
func LeakyReLU(x *Node, slope float64) *Node { return Max(x, MulScalar(x, slope)) }

// SpaceToDepth folds each f×f block of x [batch, h, w, ch] into channels:
// [batch, h/f, w/f, f·f·ch] (h and w multiples of f). With a stride-1
// convolution after it, it is a stride-f layer that trains on every
// backend (ONNX Runtime cannot train strided convolutions).
func SpaceToDepth(x *Node, f int) *Node {
	d := x.Shape().Dimensions
	b, h, w, ch := d[0], d[1], d[2], d[3]
	x = Reshape(x, b, h/f, f, w/f, f, ch)
	x = TransposeAllAxes(x, 0, 1, 3, 2, 4, 5)
	return Reshape(x, b, h/f, w/f, f*f*ch)
}

// SoftplusStable is log(1 + eˣ) as max(x, 0) + log1p(e^−|x|): stable, and
// the form the GAN cipher's references were computed with (GoMLX's
// graph.Softplus is the same function through LogAddExp, rounded
// differently).
func SoftplusStable(x *Node) *Node { return Add(Max(x, ZerosLike(x)), Log1P(Exp(Neg(Abs(x))))) }
