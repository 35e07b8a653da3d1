package performance

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/torchpeer"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/perf"
)

// The memory-copy ceilings: Go's copy between two buffers on one
// goroutine (MB/s = bytes copied per second), of CopyImageBytes (a 512²
// 8-bit image: what the ciphers' rows encrypt, in cache like their data)
// and of CopyRAMBytes (main memory). Every throughput row is given as a
// share of the image-sized copy: a cipher that reads and writes its image
// once cannot beat it by much.
const (
	CopyImageTarget = "memory/copy-256KiB"
	CopyImageBytes  = 512 * 512
	CopyRAMTarget   = "memory/copy-64MiB"
	CopyRAMBytes    = 64 << 20
)

// copyTarget times Go's copy of size bytes as the target name.
func copyTarget(name string, size int) perf.Target {
	src, dst := make([]byte, size), make([]byte, size)
	for i := range src {
		src[i] = byte(i)
	}
	return perf.Target{Name: name, Bytes: int64(size), Fn: func() error {
		copy(dst, src)
		return nil
	}}
}

// MatMul is a measured float32 matrix-product ceiling: N×N by N×N (2·N³
// FLOPs) on one GoMLX backend or in PyTorch.
type MatMul struct {
	// Implementation is "GoMLX <backend>" or "PyTorch <version>"; Config
	// the backend configuration or PyTorch's threads; Device what it ran
	// on.
	Implementation, Config, Device string
	N, Calls                       int
	// Median is the median seconds of one product; GFLOPS = 2·N³/Median/10⁹.
	Median, GFLOPS float64
	// Err says why it could not be measured ("" if it was).
	Err string
}

// matMulCeilings times the matrix product on every available backend.
func matMulCeilings(ctx context.Context, n, calls int) []MatMul {
	var out []MatMul
	for _, st := range backend.Probe() {
		if !st.Available {
			continue
		}
		sel := backend.Fixed(st.Config)
		m := MatMul{Implementation: "GoMLX " + sel.Name(), Config: st.Config, N: n, Calls: calls}
		t, device, err := timeMatMul(ctx, sel, n, calls)
		m.Device = device
		if err != nil {
			m.Err = err.Error()
		} else {
			m.Median, m.GFLOPS = t.Median, t.GFLOPS()
		}
		out = append(out, m)
	}
	return out
}

// timeMatMul times ReduceAllSum(a·b) for random n×n float32 a and b on the
// backend sel, and returns the device: the sum (n² additions, counted out
// of the FLOPs) makes the result one scalar that is read back, so an
// asynchronous backend is timed to the end of the product. Everything it
// creates on the backend, the backend too, is released before it returns.
func timeMatMul(ctx context.Context, sel *backend.Selection, n, calls int) (nn.Timing, string, error) {
	be, err := sel.New()
	if err != nil {
		return nn.Timing{}, sel.Device(), err
	}
	device := sel.Device()
	defer be.Finalize()
	exec, err := graph.NewExec(be, func(a, b *graph.Node) *graph.Node { return graph.ReduceAllSum(graph.MatMul(a, b)) })
	if err != nil {
		return nn.Timing{}, device, err
	}
	defer exec.Finalize()
	r := rand.New(rand.NewPCG(1, 2))
	data := func() *tensors.Tensor {
		v := make([]float32, n*n)
		for i := range v {
			v[i] = r.Float32()
		}
		return tensors.FromFlatDataAndDimensions(v, n, n)
	}
	a, b := data(), data()
	defer nn.Free(a, b)
	t, err := nn.TimeCallsEach(ctx, calls, func() error {
		out, err := exec.Exec(a, b)
		if err != nil {
			return err
		}
		defer nn.FreeAll(out)
		_, err = nn.ReadScalar(out[0])
		return err
	})
	t.FLOPs = 2 * int64(n) * int64(n) * int64(n)
	return t, device, err
}

//go:embed ceiling.py
var ceilingScript string

// torchMatMul times the same product in PyTorch (ceiling.py) with malloc
// tuned as in its best configuration; the error says why it could not.
func torchMatMul(ctx context.Context, python string, n, calls int) (MatMul, error) {
	out, err := perf.RunPython(ctx, python, ceilingScript, []string{torchpeer.MallocTunables}, 5*time.Minute,
		"--n", fmt.Sprint(n), "--calls", fmt.Sprint(calls), "--threads", fmt.Sprint(runtime.GOMAXPROCS(0)))
	if err != nil {
		return MatMul{}, fmt.Errorf("PyTorch matrix product: %w", err)
	}
	var r struct {
		Torch   string  `json:"torch"`
		Threads int     `json:"threads"`
		Median  float64 `json:"median_seconds"`
		GFLOPS  float64 `json:"gflops"`
	}
	if err := json.Unmarshal(out, &r); err != nil || !(r.GFLOPS > 0) {
		return MatMul{}, fmt.Errorf("PyTorch matrix product: unreadable output %.200q (%v)", out, err)
	}
	return MatMul{Implementation: "PyTorch " + r.Torch, Config: fmt.Sprintf("%d threads, malloc tuned", r.Threads), Device: "CPU",
		N: n, Calls: calls, Median: r.Median, GFLOPS: r.GFLOPS}, nil
}
