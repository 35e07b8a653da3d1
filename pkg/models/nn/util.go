package nn

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// ReadScalar reads a float scalar tensor (float32 or float64) as a float64.
func ReadScalar(t *tensors.Tensor) (float64, error) {
	v, err := t.ValueSafe()
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return 0, fmt.Errorf("nn: expected a float scalar, got %T", v)
}

// Timing is the wall time of repeated calls (TimeCallsEach), in seconds.
type Timing struct {
	// Mean and Median are the mean and median seconds of one timed call;
	// Calls is how many were timed (after one untimed warm-up call).
	Mean, Median float64
	Calls        int
	// FLOPs is the floating-point work of one call where the caller
	// counted it (GraphFLOPs), 0 where it did not.
	FLOPs int64
}

// GFLOPS is FLOPs per second at the median time, in 10⁹/s (0 where FLOPs
// or the time is unknown).
func (t Timing) GFLOPS() float64 {
	if t.FLOPs <= 0 || t.Median <= 0 {
		return 0
	}
	return float64(t.FLOPs) / t.Median / 1e9
}

// TimeCalls calls fn once untimed (which compiles the graphs it runs), then
// n more times, and returns the mean wall time of one call in seconds. It
// stops with ctx's error when ctx is done, and with fn's first error.
func TimeCalls(ctx context.Context, n int, fn func() error) (float64, error) {
	t, err := TimeCallsEach(ctx, n, fn)
	return t.Mean, err
}

// TimeCallsEach is TimeCalls timing each of the n calls on its own, so that
// the median (robust to a stray slow call: a collection, another process)
// comes with the mean.
func TimeCallsEach(ctx context.Context, n int, fn func() error) (Timing, error) {
	if n < 1 {
		return Timing{}, fmt.Errorf("nn: timing %d calls: want ≥ 1", n)
	}
	if err := fn(); err != nil {
		return Timing{}, err
	}
	secs := make([]float64, n)
	var total float64
	for i := range secs {
		if err := ctx.Err(); err != nil {
			return Timing{}, err
		}
		start := time.Now()
		if err := fn(); err != nil {
			return Timing{}, err
		}
		secs[i] = time.Since(start).Seconds()
		total += secs[i]
	}
	return Timing{Mean: total / float64(n), Median: median(secs), Calls: n}, nil
}

// median returns the median of xs (sorted in place; 0 for none).
func median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	sort.Float64s(xs)
	if n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[n/2]
}

// Free releases the tensors among vs (others are ignored) at once, local
// and on-device storage: a backend such as ONNX Runtime keeps each input
// and output of a step in C memory that Go's garbage collector does not
// see, so a loop of many small steps that leaves them to finalizers can
// grow by gigabytes before a collection runs. Call it on a step's inputs
// and outputs once their values have been read. Ours.
func Free(vs ...any) {
	for _, v := range vs {
		if t, ok := v.(*tensors.Tensor); ok && t != nil {
			_ = t.FinalizeAll()
		}
	}
}

// FreeAll is Free for a step's output slice.
func FreeAll(ts []*tensors.Tensor) {
	for _, t := range ts {
		if t != nil {
			_ = t.FinalizeAll()
		}
	}
}

// Run executes exec on in and frees the tensors among in at once (Free),
// whether or not the call succeeded: the inputs of a step are made for
// it. The caller frees the outputs (FreeAll) once their values are read.
// Errors are exec's. Ours.
func Run(exec *model.Exec, in ...any) ([]*tensors.Tensor, error) {
	out, err := exec.Exec(in...)
	Free(in...)
	return out, err
}

// RunScalar is Run for a step whose first output is a float scalar (a
// loss, a count): it returns that value and frees every output. Errors
// are exec's, or ReadScalar's. Ours.
func RunScalar(exec *model.Exec, in ...any) (float64, error) {
	out, err := Run(exec, in...)
	if err != nil {
		return 0, err
	}
	defer FreeAll(out)
	return ReadScalar(out[0])
}

// FinalizeExecs frees the compiled graphs of execs (nil ones are
// skipped): ONNX Runtime, for one, holds memory per compiled session until
// then. None may be used afterwards. Ours.
func FinalizeExecs(execs ...*model.Exec) {
	for _, e := range execs {
		if e != nil {
			e.Finalize()
		}
	}
}
