package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestNonTerminalPrintsEveryTenPercent(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "train", 100)
	clock := b.start
	b.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	for i := 0; i < 100; i++ {
		b.Add(1)
	}
	b.Done()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// 10 %, 20 %, ..., 100 % from Add; Done adds nothing once 100 % is shown.
	if len(lines) != 10 {
		t.Fatalf("got %d lines, want 10:\n%s", len(lines), buf.String())
	}
	if !strings.Contains(lines[0], "10/100") || !strings.Contains(lines[len(lines)-1], "100/100") {
		t.Fatalf("unexpected lines:\n%s", buf.String())
	}
}

func TestETA(t *testing.T) {
	b := New(nil, "x", 4)
	clock := b.start
	b.now = func() time.Time { return clock }
	b.Add(1)
	clock = clock.Add(10 * time.Second)
	if got := b.Line(); !strings.Contains(got, "ETA 30s") || !strings.Contains(got, " 25%") {
		t.Fatalf("line %q: want 25%% and ETA 30s", got)
	}
}

func TestNilBarIsNoOp(t *testing.T) {
	var b *Bar
	b.Add(3)
	b.Done()
}
