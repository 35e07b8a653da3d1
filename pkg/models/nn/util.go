package nn

import (
	"context"
	"fmt"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
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

// TimeCalls calls fn once untimed (which compiles the graphs it runs), then
// n more times, and returns the mean wall time of one call in seconds. It
// stops with ctx's error when ctx is done, and with fn's first error.
func TimeCalls(ctx context.Context, n int, fn func() error) (float64, error) {
	if n < 1 {
		return 0, fmt.Errorf("nn: timing %d calls: want ≥ 1", n)
	}
	if err := fn(); err != nil {
		return 0, err
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if err := fn(); err != nil {
			return 0, err
		}
	}
	return time.Since(start).Seconds() / float64(n), nil
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
