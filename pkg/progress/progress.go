// Package progress draws progress bars with an ETA for long runs (training,
// many crops, many runs). On a terminal the bar redraws in place; on a pipe
// or a log file it prints a line every 10 %, so CI logs stay short.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Width is the number of characters of a drawn bar.
const Width = 30

// redrawEvery limits terminal redraws.
const redrawEvery = 200 * time.Millisecond

// Bar is a progress bar. Its methods are safe for concurrent use; a nil *Bar
// is valid and does nothing.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	total    int
	done     int
	start    time.Time
	last     time.Time
	lastTen  int
	tty      bool
	finished bool
	now      func() time.Time
}

// New starts a bar of total units writing to w (nil: no output).
func New(w io.Writer, label string, total int) *Bar {
	b := &Bar{w: w, label: label, total: total, now: time.Now}
	b.start = b.now()
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.tty = true
		}
	}
	return b
}

// Add records n more finished units.
func (b *Bar) Add(n int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	if b.done > b.total {
		b.total = b.done
	}
	b.draw(false)
}

// Done finishes the bar (printing its final state once).
func (b *Bar) Done() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	b.draw(true)
}

// Line returns the bar's current text, e.g.
// "train [=========>          ] 31/100  31% 12s elapsed, ETA 27s".
func (b *Bar) Line() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.line()
}

func (b *Bar) line() string {
	frac := 1.0
	if b.total > 0 {
		frac = float64(b.done) / float64(b.total)
	}
	filled := int(frac * Width)
	bar := strings.Repeat("=", filled)
	if filled < Width {
		bar += ">" + strings.Repeat(" ", Width-filled-1)
	}
	elapsed := b.now().Sub(b.start)
	eta := "?"
	if b.done > 0 && b.done < b.total {
		rem := time.Duration(float64(elapsed) * float64(b.total-b.done) / float64(b.done))
		eta = rem.Round(time.Second).String()
	} else if b.done >= b.total {
		eta = "0s"
	}
	return fmt.Sprintf("%s [%s] %d/%d %3.0f%% %s elapsed, ETA %s", b.label, bar, b.done, b.total, 100*frac, elapsed.Round(time.Second), eta)
}

func (b *Bar) draw(final bool) {
	if b.w == nil {
		return
	}
	now := b.now()
	if b.tty {
		if !final && now.Sub(b.last) < redrawEvery {
			return
		}
		b.last = now
		end := ""
		if final {
			end = "\n"
		}
		fmt.Fprintf(b.w, "\r%s%s", b.line(), end)
		return
	}
	ten := 10
	if b.total > 0 {
		ten = 10 * b.done / b.total
	}
	if (final && b.lastTen < 10) || ten > b.lastTen {
		b.lastTen = ten
		fmt.Fprintln(b.w, b.line())
	}
}
