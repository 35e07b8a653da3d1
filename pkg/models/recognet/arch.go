// Package recognet is the model home's folder for the classifiers of the
// RITEM-CF-AN paper's recognition experiment (shared/papers/
// ritem-cf-an-chaotic-alexnet.txt, §3.2 and Figs 5–8): "AlexNet with a
// preprocessing module" and the five models it is compared with — plain
// AlexNet, a CNN, an MLP, a vanilla RNN and an LSTM — written in GoMLX so
// that all six train on the same data with the same optimiser, epochs and
// batch size, on every backend (pure Go, ONNX Runtime, XLA).
//
// Every network maps a batch of grey images [batch, side, side, 1]
// (grey levels scaled to [0, 1], nn.ImageBatch) to class logits [batch,
// classes]. The paper gives no layer sizes; ours follow the cited
// architectures, scaled by Config.Width (documented per Arch), and are
// sized for the small crops of the quick profile as well as BOSSbase's
// 256² crops.
package recognet

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:staticcheck // GoMLX graph-building style.
	"github.com/gomlx/gomlx/ml/layers/lstm"
	"github.com/gomlx/gomlx/ml/layers/norm"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// Arch is one of the six classifiers.
type Arch int

// The architectures, in the paper's order of Figs 5–8 (the proposed model
// first).
const (
	// AlexNetPre is the paper's "AlexNet with a preprocessing module"
	// (§3.2, Fig. 4): a fixed high-pass filter bank (HighPassFilters),
	// batch normalisation, then AlexNet (AlexNet's layers and widths) with
	// overlapping max-pooling placed before local response normalisation.
	AlexNetPre Arch = iota
	// AlexNet is Krizhevsky et al. (2012)'s layout (the paper's ref. [30]):
	// five convolutions (12×12 stride 4, 5×5, 3×3 ×3), local response
	// normalisation before overlapping max-pooling, two hidden dense
	// layers. Widths Width, 2W, 3W, 3W, 2W; dense 8W, 8W.
	AlexNet
	// CNN is a plain convolutional network: three 3×3 convolutions
	// (Width, 2W, 4W) with ReLUs, 2×2 max-pooling after the first two,
	// global mean and max pooling and a dense layer.
	CNN
	// MLP is a multilayer perceptron on the flattened pixels: two hidden
	// layers of 16W and 8W units with ReLUs.
	MLP
	// RNN is a vanilla (Elman) recurrent network reading the image's rows
	// as a sequence, h_t = tanh(x_t·W + h_{t−1}·U + b), 16W hidden units;
	// the last state feeds a dense layer. Hand-written: GoMLX has no
	// vanilla RNN layer.
	RNN
	// LSTM reads the rows like RNN with GoMLX's ml/layers/lstm (16W hidden
	// units, no peepholes).
	LSTM
)

// Archs lists every architecture in report order.
var Archs = []Arch{AlexNetPre, AlexNet, CNN, MLP, RNN, LSTM}

// String is the architecture's name as the report writes it.
func (a Arch) String() string {
	switch a {
	case AlexNetPre:
		return "AlexNet+pre"
	case AlexNet:
		return "AlexNet"
	case CNN:
		return "CNN"
	case MLP:
		return "MLP"
	case RNN:
		return "RNN"
	case LSTM:
		return "LSTM"
	}
	return fmt.Sprintf("arch(%d)", int(a))
}

// ParseArch reads an architecture name (String's, case-insensitive).
func ParseArch(s string) (Arch, error) {
	var names []string
	for _, a := range Archs {
		if strings.EqualFold(s, a.String()) {
			return a, nil
		}
		names = append(names, a.String())
	}
	return 0, fmt.Errorf("recognet: unknown model %q (known: %s)", s, strings.Join(names, ", "))
}

// Hyperparameters of the layers (AlexNet's, Krizhevsky et al. 2012, §3.3–3.4).
const (
	// LRNSize, LRNBias, LRNAlpha and LRNBeta are local response
	// normalisation's n, k, α and β: b = a / (k + α/n·Σ a²)^β over n
	// adjacent channels.
	LRNSize  = 5
	LRNBias  = 2.0
	LRNAlpha = 1e-4
	LRNBeta  = 0.75
	// PoolWindow and PoolStride make AlexNet's overlapping max-pooling
	// (3×3 windows, stride 2).
	PoolWindow, PoolStride = 3, 2
	// FirstKernel and FirstStride are AlexNet's first convolution: 12×12
	// (AlexNet's 11×11 rounded up to a multiple of the stride, so that
	// the layer is exactly a 3×3 convolution after a 4×4 space-to-depth)
	// at stride 4, padding 4 on each side: side/4 outputs.
	FirstKernel, FirstStride = 12, 4
	// BatchNormEpsilon is the preprocessing batch normalisation's ε.
	BatchNormEpsilon = 1e-3
)

// MinSide is the smallest image side every architecture accepts (AlexNet's
// three stride-4 and stride-2 reductions need side/16 ≥ 1).
const MinSide = 16

// HighPassFilters are the preprocessing module's fixed 5×5 high-pass
// filters, the "SRM-style" kernels of the steganalysis literature: the
// KV kernel (Ker and Böhme 2008; Qian et al. 2015's preprocessing layer),
// the 3×3 "square" and "edge" second-order residuals of the spatial rich
// model (Fridrich and Kodovský 2012), zero-padded to 5×5. The paper (§3.2)
// says only "a high pass filter (HPF)"; these are the standard choice.
var HighPassFilters = [][5][5]float64{
	{
		{-1 / 12., 2 / 12., -2 / 12., 2 / 12., -1 / 12.},
		{2 / 12., -6 / 12., 8 / 12., -6 / 12., 2 / 12.},
		{-2 / 12., 8 / 12., -12 / 12., 8 / 12., -2 / 12.},
		{2 / 12., -6 / 12., 8 / 12., -6 / 12., 2 / 12.},
		{-1 / 12., 2 / 12., -2 / 12., 2 / 12., -1 / 12.},
	},
	{
		{0, 0, 0, 0, 0},
		{0, -1 / 4., 2 / 4., -1 / 4., 0},
		{0, 2 / 4., -4 / 4., 2 / 4., 0},
		{0, -1 / 4., 2 / 4., -1 / 4., 0},
		{0, 0, 0, 0, 0},
	},
	{
		{0, 0, 0, 0, 0},
		{0, -1 / 4., 2 / 4., -1 / 4., 0},
		{0, 2 / 4., -4 / 4., 2 / 4., 0},
		{0, 0, 0, 0, 0},
		{0, 0, 0, 0, 0},
	},
}

// highPass applies HighPassFilters to x [batch, h, w, 1] with "same"
// padding: [batch, h, w, len(HighPassFilters)]. The filters are constants
// (no gradient, no variable). Grey levels are rescaled to 0..255 first,
// the scale the filters were designed for.
func highPass(x *Node) *Node {
	n := len(HighPassFilters)
	flat := make([]float32, 0, 25*n)
	for i := 0; i < 5; i++ {
		for j := 0; j < 5; j++ {
			for _, f := range HighPassFilters {
				flat = append(flat, float32(f[i][j]))
			}
		}
	}
	kernel := Reshape(Const(x.Graph(), flat), 5, 5, 1, n)
	return nn.Im2Col(MulScalar(x, 255), kernel, 1)
}

// LocalResponseNorm is AlexNet's local response normalisation across
// channels of x [batch, h, w, ch]: x / (LRNBias + LRNAlpha/LRNSize ·
// Σ_{|j−c| ≤ LRNSize/2} x_j²)^LRNBeta (zero beyond the first and last
// channel). Same shape as x.
func LocalResponseNorm(x *Node) *Node {
	d := x.Shape().Dimensions
	ch, r := d[3], LRNSize/2
	sq := Square(x)
	z := Zeros(x.Graph(), shapes.Make(x.DType(), d[0], d[1], d[2], r))
	padded := Concatenate([]*Node{z, sq, z}, 3)
	sum := Slice(padded, AxisRange(), AxisRange(), AxisRange(), AxisRange(0, ch))
	for j := 1; j < LRNSize; j++ {
		sum = Add(sum, Slice(padded, AxisRange(), AxisRange(), AxisRange(), AxisRange(j, j+ch)))
	}
	base := AddScalar(MulScalar(sum, LRNAlpha/LRNSize), LRNBias)
	return Mul(x, Exp(MulScalar(Log(base), -LRNBeta)))
}

// maxPool is AlexNet's overlapping max-pooling (PoolWindow, PoolStride,
// "same" padding): [batch, ⌈h/2⌉, ⌈w/2⌉, ch].
func maxPool(x *Node) *Node {
	return MaxPool(x).Window(PoolWindow).Strides(PoolStride).PadSame().Done()
}

// firstKernel is the first AlexNet layer's weights variable [FirstKernel,
// FirstKernel, in, out] and biases [out] under scope.
func firstKernel(scope *model.Scope, x *Node, out int) (kernel, bias *Node) {
	in := x.Shape().Dimensions[3]
	g := x.Graph()
	kernel = scope.VariableWithShape("weights", shapes.Make(x.DType(), FirstKernel, FirstKernel, in, out)).NodeValue(g)
	bias = scope.VariableWithShape("biases", shapes.Make(x.DType(), out)).NodeValue(g)
	return kernel, bias
}

// FirstLayerStrided is AlexNet's first convolution written as GoMLX's
// strided Convolve: x [batch, h, w, in] (h, w multiples of FirstStride)
// → [batch, h/4, w/4, out]. It trains on the pure Go backend and XLA, not
// on ONNX Runtime (strided convolutions); FirstLayer is the same layer
// with the same variables that trains everywhere (tested equal).
func FirstLayerStrided(scope *model.Scope, x *Node, out int) *Node {
	kernel, bias := firstKernel(scope, x, out)
	p := (FirstKernel - FirstStride) / 2
	y := Convolve(x, kernel).Strides(FirstStride).PaddingPerDim([][2]int{{p, p}, {p, p}}).Done()
	return Add(y, Reshape(bias, 1, 1, 1, out))
}

// FirstLayer is AlexNet's first convolution of x [batch, h, w, in] (h, w
// multiples of FirstStride) → [batch, h/4, w/4, out], as a 4×4 space-to-depth
// followed by a stride-1 3×3 convolution whose kernel is the 12×12 kernel
// rearranged (ky = 4·my + dy): output (i, j) sees input rows and columns
// 4i−4 … 4i+7, exactly as the strided form with padding 4. It trains on
// every backend, and it is the form used for training everywhere: on the
// pure Go backend its matrix product is also faster than the strided
// Convolve.
func FirstLayer(scope *model.Scope, x *Node, out int) *Node {
	kernel, bias := firstKernel(scope, x, out)
	in, m := x.Shape().Dimensions[3], FirstKernel/FirstStride
	s := FirstStride
	k := Reshape(kernel, m, s, m, s, in, out)
	k = TransposeAllAxes(k, 0, 2, 1, 3, 4, 5) // [my, mx, dy, dx, in, out]: SpaceToDepth's channel order
	k = Reshape(k, m, m, s*s*in, out)
	y := nn.Im2Col(nn.SpaceToDepth(x, s), k, 1)
	return Add(y, Reshape(bias, 1, 1, 1, out))
}

// alexNet is the AlexNet trunk and head; pre selects the paper's variant
// (preprocessing module, pooling before LRN).
func (n *network) alexNet(scope *model.Scope, x *Node, pre bool) *Node {
	w := n.cfg.Width
	h := AddScalar(x, -0.5)
	if pre {
		h = highPass(x)
		// Non-fused batch normalisation (trains on every backend; it stops
		// gradients through the batch statistics). Evaluation graphs use
		// the moving averages (FrozenAverages) in a graph marked as
		// training, so that they read the averages as the variables' current
		// values: ONNX Runtime would otherwise embed these non-trainable
		// variables as constants when the graph is compiled.
		h = norm.BatchNorm(scope.At("bn"), h, -1).Epsilon(BatchNormEpsilon).UseBackendInference(false).FrozenAverages(n.eval).Done()
	}
	block := func(h *Node) *Node {
		if pre {
			return LocalResponseNorm(maxPool(h))
		}
		return maxPool(LocalResponseNorm(h))
	}
	h = block(relu(FirstLayer(scope.At("conv1"), h, w)))
	h = block(relu(n.form.Conv(scope.At("conv2"), h, 5, 2*w, 1)))
	h = relu(n.form.Conv(scope.At("conv3"), h, 3, 3*w, 1))
	h = relu(n.form.Conv(scope.At("conv4"), h, 3, 3*w, 1))
	h = maxPool(relu(n.form.Conv(scope.At("conv5"), h, 3, 2*w, 1)))
	d := h.Shape().Dimensions
	h = Reshape(h, d[0], d[1]*d[2]*d[3])
	h = relu(nn.Dense(scope.At("fc1"), h, 8*w, true))
	h = relu(nn.Dense(scope.At("fc2"), h, 8*w, true))
	return nn.Dense(scope.At("out"), h, n.cfg.Classes, true)
}

// cnn is the plain CNN.
func (n *network) cnn(scope *model.Scope, x *Node) *Node {
	w := n.cfg.Width
	h := AddScalar(x, -0.5)
	for i, c := range []int{w, 2 * w, 4 * w} {
		h = relu(n.form.Conv(scope.At("conv%d", i+1), h, 3, c, 1))
		if i < 2 {
			h = MaxPool(h).Window(2).Strides(2).Done()
		}
	}
	pooled := Concatenate([]*Node{ReduceMean(h, 1, 2), ReduceMax(h, 1, 2)}, -1)
	return nn.Dense(scope.At("out"), pooled, n.cfg.Classes, true)
}

// mlp is the multilayer perceptron.
func (n *network) mlp(scope *model.Scope, x *Node) *Node {
	d := x.Shape().Dimensions
	h := Reshape(AddScalar(x, -0.5), d[0], d[1]*d[2]*d[3])
	h = relu(nn.Dense(scope.At("fc1"), h, 16*n.cfg.Width, true))
	h = relu(nn.Dense(scope.At("fc2"), h, 8*n.cfg.Width, true))
	return nn.Dense(scope.At("out"), h, n.cfg.Classes, true)
}

// rows is x [batch, h, w, 1] as a sequence of h rows of w features,
// centred: [batch, h, w].
func rows(x *Node) *Node {
	d := x.Shape().Dimensions
	return Reshape(AddScalar(x, -0.5), d[0], d[1], d[2]*d[3])
}

// rnn is the vanilla recurrent network.
func (n *network) rnn(scope *model.Scope, x *Node) *Node {
	seq := rows(x)
	d := seq.Shape().Dimensions
	batch, steps, feat, hidden := d[0], d[1], d[2], 16*n.cfg.Width
	proj := Reshape(nn.Dense(scope.At("input"), Reshape(seq, batch*steps, feat), hidden, true), batch, steps, hidden)
	u := scope.At("recurrent").VariableWithShape("weights", shapes.Make(x.DType(), hidden, hidden)).NodeValue(x.Graph())
	h := Zeros(x.Graph(), shapes.Make(x.DType(), batch, hidden))
	for t := 0; t < steps; t++ {
		xt := Reshape(Slice(proj, AxisRange(), AxisElem(t), AxisRange()), batch, hidden)
		h = Tanh(Add(xt, MatMul(h, u)))
	}
	return nn.Dense(scope.At("out"), h, n.cfg.Classes, true)
}

// lstmNet is the LSTM classifier.
func (n *network) lstmNet(scope *model.Scope, x *Node) *Node {
	seq := rows(x)
	batch, hidden := seq.Shape().Dimensions[0], 16*n.cfg.Width
	_, last, _ := lstm.New(scope.At("lstm"), seq, hidden).UsePeephole(false).Done()
	return nn.Dense(scope.At("out"), Reshape(last, batch, hidden), n.cfg.Classes, true)
}

// network builds one Config's graph.
type network struct {
	cfg  Config
	form nn.ConvForm
	// eval builds the evaluation graph (batch normalisation with its
	// moving averages).
	eval bool
}

// logits is the network's output for x [batch, side, side, 1]: [batch,
// classes].
func (n *network) logits(scope *model.Scope, x *Node) *Node {
	scope = nn.XavierScope(scope).At(scopeNet)
	switch n.cfg.Arch {
	case AlexNetPre:
		return n.alexNet(scope, x, true)
	case AlexNet:
		return n.alexNet(scope, x, false)
	case CNN:
		return n.cnn(scope, x)
	case MLP:
		return n.mlp(scope, x)
	case RNN:
		return n.rnn(scope, x)
	default:
		return n.lstmNet(scope, x)
	}
}

// relu is max(x, 0).
func relu(x *Node) *Node { return Max(x, ZerosLike(x)) }
