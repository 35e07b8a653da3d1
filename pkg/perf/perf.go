// Package perf measures throughput with github.com/janpfeifer/go-benchmarks
// (mean, median and 5/99 % quantiles per operation) and turns the numbers
// into values a report table can hold. Speed goals are reported, never
// asserted.
package perf

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	benchmarks "github.com/janpfeifer/go-benchmarks"
)

// Target is one operation to time.
type Target struct {
	// Name has no spaces (it is a column of go-benchmarks' output).
	Name string
	// Bytes processed by one call of Fn (for MB/s); 0 if not meaningful.
	Bytes int64
	// Fn is the timed operation. An error stops the measurement: Measure
	// returns the first one, naming the target.
	Fn func() error
}

// Measurement is the timing of one Target.
type Measurement struct {
	Name                  string
	Bytes                 int64
	Mean, Median, P5, P99 time.Duration
	Count                 int
}

// MBps is the throughput in MB/s (10⁶ bytes per second) at the median time.
func (m Measurement) MBps() float64 {
	if m.Median <= 0 || m.Bytes == 0 {
		return 0
	}
	return float64(m.Bytes) / 1e6 / m.Median.Seconds()
}

// Warmups is the number of untimed calls before each target is measured.
const Warmups = 2

// stdoutMu serialises Measure calls: go-benchmarks prints its table on
// os.Stdout, which Measure redirects to read the numbers back.
var stdoutMu sync.Mutex

// Measure calls each target once (an error there is returned at once,
// naming the target), then runs each for about d with go-benchmarks and
// returns the parsed measurements in order. An error during timing is
// returned too (the numbers of a failing operation mean nothing).
func Measure(targets []Target, d time.Duration) ([]Measurement, error) {
	if len(targets) == 0 {
		return nil, nil
	}
	fns := make([]benchmarks.NamedFunction, len(targets))
	errs := make([]error, len(targets))
	for i, t := range targets {
		if t.Name == "" || strings.ContainsAny(t.Name, " \t\n") {
			return nil, fmt.Errorf("perf: target name %q must be non-empty without spaces", t.Name)
		}
		if t.Fn == nil {
			return nil, fmt.Errorf("perf: target %q has no function", t.Name)
		}
		if err := t.Fn(); err != nil {
			return nil, fmt.Errorf("perf: %s: %w", t.Name, err)
		}
		fns[i] = benchmarks.NamedFunction{Name: t.Name, Func: func() {
			if err := t.Fn(); err != nil && errs[i] == nil {
				errs[i] = err
			}
		}}
	}
	out, err := captureStdout(func() {
		benchmarks.New(fns...).
			WithDuration(d).
			WithWarmUps(Warmups).
			WithQuantiles(5, 99).
			WithHeader(false).
			WithPrettyPrintFn(func(d time.Duration) string { return strconv.FormatInt(int64(d), 10) }).
			Done()
	})
	if err != nil {
		return nil, err
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("perf: %s: %w", targets[i].Name, err)
		}
	}
	return parse(out, targets)
}

// parse reads go-benchmarks' rows "name mean median p5 p99 count" (durations
// printed as integer nanoseconds).
func parse(out string, targets []Target) ([]Measurement, error) {
	byName := map[string]Measurement{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 6 {
			continue
		}
		var v [5]int64
		ok := true
		for i := range v {
			x, err := strconv.ParseInt(f[i+1], 10, 64)
			if err != nil {
				ok = false
				break
			}
			v[i] = x
		}
		if ok {
			byName[f[0]] = Measurement{Name: f[0], Mean: time.Duration(v[0]), Median: time.Duration(v[1]),
				P5: time.Duration(v[2]), P99: time.Duration(v[3]), Count: int(v[4])}
		}
	}
	ms := make([]Measurement, len(targets))
	for i, t := range targets {
		m, ok := byName[t.Name]
		if !ok {
			return nil, fmt.Errorf("perf: no measurement for %q in go-benchmarks output:\n%s", t.Name, out)
		}
		m.Bytes = t.Bytes
		ms[i] = m
	}
	return ms, nil
}

func captureStdout(f func()) (string, error) {
	stdoutMu.Lock()
	defer stdoutMu.Unlock()
	r, w, err := os.Pipe()
	if err != nil {
		return "", err
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	func() {
		defer func() { os.Stdout = old }()
		f()
	}()
	w.Close()
	out := <-done
	r.Close()
	return out, nil
}

// LoadNote describes the machine's load (Linux /proc/loadavg), to be read
// before a measurement loads the machine itself: "Load average (1 min)
// before timing: 0.42 on 2 CPUs." plus a warning when it is above half the
// CPUs, since timings on a busy machine are slow and noisy; "" where the
// load is unknown.
func LoadNote() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	load, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return ""
	}
	note := fmt.Sprintf("Load average (1 min) before timing: %.2f on %d CPUs.", load, runtime.NumCPU())
	if load > 0.5*float64(runtime.NumCPU()) {
		note += " The machine was busy: these timings are slower and noisier than on an idle one."
	}
	return note
}
