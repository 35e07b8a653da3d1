package perf

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMeasureParsesEveryTarget(t *testing.T) {
	buf := make([]byte, 1<<16)
	ms, err := Measure([]Target{
		{Name: "fill", Bytes: int64(len(buf)), Fn: func() error {
			for i := range buf {
				buf[i] = byte(i)
			}
			return nil
		}},
		{Name: "nothing", Fn: func() error { return nil }},
	}, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Name != "fill" || ms[1].Name != "nothing" {
		t.Fatalf("got %+v", ms)
	}
	if ms[0].Count == 0 || ms[0].Median <= 0 || ms[0].MBps() <= 0 {
		t.Fatalf("fill: want positive count, median and MB/s, got %+v", ms[0])
	}
	if ms[1].MBps() != 0 {
		t.Fatalf("a target without bytes has no MB/s, got %v", ms[1].MBps())
	}
}

func TestBadNameIsRejected(t *testing.T) {
	if _, err := Measure([]Target{{Name: "a b", Fn: func() error { return nil }}}, time.Millisecond); err == nil || !strings.Contains(err.Error(), "without spaces") {
		t.Fatalf("want a name error, got %v", err)
	}
}

func TestFailingTargetIsAnError(t *testing.T) {
	calls := 0
	_, err := Measure([]Target{{Name: "flaky", Fn: func() error {
		calls++
		if calls > 3 {
			return errors.New("disk full")
		}
		return nil
	}}}, 20*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "flaky: disk full") {
		t.Fatalf("an error during timing: got %v, want one naming the target", err)
	}
	if _, err := Measure([]Target{{Name: "broken", Fn: func() error { return errors.New("bad key") }}}, time.Millisecond); err == nil || !strings.Contains(err.Error(), "broken: bad key") {
		t.Fatalf("an error on the first call: got %v", err)
	}
}

func TestParseMissingRow(t *testing.T) {
	if _, err := parse("x 1 2 3 4 5\n", []Target{{Name: "y"}}); err == nil {
		t.Fatal("want an error for a missing row")
	}
}
