package perf

import (
	"bytes"
	"fmt"
	"regexp"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// OtherOps names the CPU time OpProfile finds outside every op handler:
// graph scheduling and buffer management, data generation, Go's runtime
// and garbage collector.
const OtherOps = "(outside the ops)"

// goBackendOp matches the op handlers of GoMLX's pure Go backend
// (github.com/gomlx/compute/internal/gobackend/...: execDotGeneral,
// execConvGeneral, execAdd, ..., and the closures they hand to the
// backend's worker pool, execConvGeneral.func1); the group is the op's
// name. goBackendDot matches the matrix-product kernels, which the pool
// runs on stacks without their op handler.
var (
	goBackendOp  = regexp.MustCompile(`gomlx/compute/internal/gobackend/[^ ]*\.exec([A-Z][A-Za-z0-9]*)`)
	goBackendDot = regexp.MustCompile(`gomlx/compute/internal/gobackend/dot[/.]`)
)

// OpShare is one op's part of a CPU profile.
type OpShare struct {
	// Op is the backend op (DotGeneral, ConvGeneral, Add, ...) or
	// OtherOps.
	Op string
	// CPU is the CPU time attributed to it (all threads).
	CPU time.Duration
	// Fraction is CPU over the profile's total.
	Fraction float64
}

// OpProfile runs fn under Go's CPU profiler (runtime/pprof, 100 samples
// per second per busy thread) and attributes every sample to the innermost
// op handler of GoMLX's pure Go backend on its stack (OtherOps where there
// is none), largest first, with the total CPU time. Only the pure Go
// backend runs its ops in Go: another backend's ops (ONNX Runtime, XLA) are
// C++ code the Go profiler sees as one cgo call, so its whole time is
// OtherOps. Errors: fn's, or a profile already running in this process.
// Ours; the profile is parsed with github.com/google/pprof/profile.
func OpProfile(fn func() error) ([]OpShare, time.Duration, error) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, 0, fmt.Errorf("perf: op profile: %w", err)
	}
	err := fn()
	pprof.StopCPUProfile()
	if err != nil {
		return nil, 0, err
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		return nil, 0, fmt.Errorf("perf: op profile: reading the CPU profile: %w", err)
	}
	cpu := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			cpu = i
		}
	}
	if cpu < 0 {
		return nil, 0, fmt.Errorf("perf: op profile: no CPU time in the profile (sample types %v)", p.SampleType)
	}
	byOp := map[string]int64{}
	var total int64
	for _, s := range p.Sample {
		v := s.Value[cpu]
		total += v
		byOp[opOf(s)] += v
	}
	out := make([]OpShare, 0, len(byOp))
	for op, v := range byOp {
		out = append(out, OpShare{Op: op, CPU: time.Duration(v), Fraction: float64(v) / float64(max(total, 1))})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CPU != out[j].CPU {
			return out[i].CPU > out[j].CPU
		}
		return out[i].Op < out[j].Op
	})
	return out, time.Duration(total), nil
}

// opOf is the innermost go-backend op handler of a sample's stack (leaf
// first; inlined frames in order), else DotGeneral for a matrix-product
// kernel the worker pool runs, else OtherOps.
func opOf(s *profile.Sample) string {
	for _, loc := range s.Location {
		for _, line := range loc.Line {
			if line.Function == nil {
				continue
			}
			if m := goBackendOp.FindStringSubmatch(line.Function.Name); m != nil {
				return opName(m[1])
			}
		}
	}
	for _, loc := range s.Location {
		for _, line := range loc.Line {
			if line.Function != nil && goBackendDot.MatchString(line.Function.Name) {
				return "DotGeneral"
			}
		}
	}
	return OtherOps
}

// opName drops the go backend's implementation suffixes from a handler's
// name: execAddNumericGeneric → Add, execLogisticGeneric → Logistic.
func opName(handler string) string {
	for _, suffix := range []string{"NumericGeneric", "Generic"} {
		if h, ok := strings.CutSuffix(handler, suffix); ok && h != "" {
			return h
		}
	}
	return handler
}
