package nbdisplay

import (
	"fmt"
	"html"
	"strings"
	"sync"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/report"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// LiveInterval is the default shortest time between two displays of a
// LiveFigure: a training loop may call Update every step, the kernel gets
// at most one message per interval.
const LiveInterval = 500 * time.Millisecond

// LiveFigure is one output block of a notebook cell that is redrawn in
// place while a computation runs: a progress bar and a figure (inline SVG
// from pkg/plot, as Figure shows it), e.g. training curves that grow as a
// model trains. It uses GoNB's update-in-place display (gonbui.UpdateHTML
// with a transient display id), so the saved notebook keeps the last
// drawing only.
//
// Update and Progress record the latest state and redraw at most once per
// interval (Every; LiveInterval by default); Done draws the latest state if
// it has not been drawn yet. Outside a notebook a LiveFigure is a no-op: it
// renders and writes nothing (the caller reports progress its own way,
// e.g. with pkg/progress on stderr). Its methods are safe for concurrent
// use.
type LiveFigure struct {
	mu       sync.Mutex
	on       bool // in a notebook
	id       string
	every    time.Duration
	now      func() time.Time
	fig      *results.Figure
	done     int
	total    int
	line     string
	progress bool
	pending  bool // a state not drawn yet
	last     time.Time
	drawn    int
}

// NewLiveFigure creates a live output block; nothing is shown until the
// first Update or Progress.
func NewLiveFigure() *LiveFigure {
	l := &LiveFigure{on: out.notebook, every: LiveInterval, now: time.Now}
	if l.on {
		l.id = out.newID()
	}
	return l
}

// Every sets the shortest time between two redraws (0: redraw at every
// Update and Progress) and returns l.
func (l *LiveFigure) Every(d time.Duration) *LiveFigure {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.every = max(0, d)
	return l
}

// Update makes fig the figure to show, and redraws if the interval has
// passed since the last drawing. fig's slices must not change afterwards
// (build a new Figure for each update). The error is a figure pkg/plot
// cannot draw (noticed when it is drawn).
func (l *LiveFigure) Update(fig results.Figure) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.on {
		return nil
	}
	l.fig, l.pending = &fig, true
	return l.drawLocked(false)
}

// Progress sets the progress bar above the figure: done of total units and
// a line of text (e.g. a pkg/progress Bar's Line, with its ETA); it redraws
// like Update.
func (l *LiveFigure) Progress(done, total int, line string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.on {
		return nil
	}
	l.done, l.total, l.line, l.progress, l.pending = done, total, line, true, true
	return l.drawLocked(false)
}

// Done draws the latest state if it has not been drawn yet. Call it when
// the computation ends, so that the output keeps the final figure.
func (l *LiveFigure) Done() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.on {
		return nil
	}
	return l.drawLocked(true)
}

// Drawn returns the number of times the block was drawn (0 outside a
// notebook).
func (l *LiveFigure) Drawn() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.drawn
}

// drawLocked redraws when something is pending and, unless final, the
// interval has passed.
func (l *LiveFigure) drawLocked(final bool) error {
	if !l.pending {
		return nil
	}
	now := l.now()
	if !final && l.drawn > 0 && now.Sub(l.last) < l.every {
		return nil
	}
	h, err := l.renderLocked()
	if err != nil {
		return err
	}
	out.redraw(l.id, h)
	l.pending, l.last = false, now
	l.drawn++
	return nil
}

// renderLocked is the block's HTML: the progress bar, then the figure.
func (l *LiveFigure) renderLocked() (string, error) {
	var b strings.Builder
	b.WriteString(`<div class="neurocrypt-live">`)
	if l.progress {
		fmt.Fprintf(&b, `<div class="neurocrypt-progress"><progress value="%d" max="%d" style="width: 20em"></progress> <code>%s</code></div>`,
			max(0, min(l.done, l.total)), max(0, l.total), html.EscapeString(l.line))
	}
	if l.fig != nil {
		h, err := report.RenderFigureHTML(*l.fig)
		if err != nil {
			return "", fmt.Errorf("live figure %q: %w", l.fig.Name, err)
		}
		b.WriteString(h)
	}
	b.WriteString(`</div>`)
	return b.String(), nil
}
