package nbdisplay

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// update is one call of the sink's update function.
type update struct{ id, html string }

// captureLive fakes a notebook (or not) and records the in-place updates.
func captureLive(t *testing.T, notebook bool) (*[]update, *bytes.Buffer) {
	t.Helper()
	htmls, text := capture(t, notebook)
	ups := &[]update{}
	ids := 0
	out.update = func(id, h string) { *ups = append(*ups, update{id, h}) }
	out.newID = func() string { ids++; return "live-" + string(rune('0'+ids)) }
	t.Cleanup(func() {
		if len(*htmls) != 0 {
			t.Errorf("a live figure used a plain display: %v", *htmls)
		}
	})
	return ups, text
}

// curve is a line figure with the first k points of a curve.
func curve(k int) results.Figure {
	s := results.Series{Name: "Bob's error rate"}
	for i := 0; i < k; i++ {
		s.X = append(s.X, float64(10*i))
		s.Y = append(s.Y, 0.5/float64(i+1))
	}
	return results.Figure{Name: "live", Title: "Training", Kind: results.KindLine, XLabel: "step", YLabel: "rate",
		YMin: 0, YMax: 1, Series: []results.Series{s}}
}

// points counts the vertices of the figure's first series (a polyline, or
// a dot for a single point).
func points(t *testing.T, h string) int {
	t.Helper()
	i := strings.Index(h, `class="series"`)
	if i < 0 {
		t.Fatalf("no series drawn in %.200s", h)
	}
	g := h[i:]
	g = g[:strings.Index(g, "</g>")]
	j := strings.Index(g, `points="`)
	if j < 0 {
		return strings.Count(g, "<circle")
	}
	rest := g[j+len(`points="`):]
	return len(strings.Fields(rest[:strings.IndexByte(rest, '"')]))
}

func TestLiveFigureThrottlesAndDrawsTheLatest(t *testing.T) {
	ups, _ := captureLive(t, true)
	clock := time.Unix(0, 0)
	l := NewLiveFigure().Every(time.Second)
	l.now = func() time.Time { return clock }

	// The first update is drawn at once; the next ones within the interval
	// are only recorded.
	for k := 1; k <= 5; k++ {
		if err := l.Update(curve(k)); err != nil {
			t.Fatal(err)
		}
		if err := l.Progress(k, 10, "train"); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(300 * time.Millisecond)
	}
	// Updates at 0, 0.3, 0.6, 0.9 and 1.2 s: drawn at 0 and 1.2 s.
	if len(*ups) != 2 || l.Drawn() != 2 {
		t.Fatalf("%d draws (Drawn %d) for 10 calls over 1.2 s with a 1 s interval, want 2", len(*ups), l.Drawn())
	}
	if got := points(t, (*ups)[0].html); got != 1 {
		t.Errorf("first draw has %d points, want 1", got)
	}
	if got := points(t, (*ups)[1].html); got != 5 {
		t.Errorf("second draw has %d points, want the latest figure's 5", got)
	}
	// Within the interval: recorded, then drawn by Done.
	if err := l.Update(curve(7)); err != nil {
		t.Fatal(err)
	}
	if err := l.Progress(10, 10, "train <done>"); err != nil {
		t.Fatal(err)
	}
	if len(*ups) != 2 {
		t.Fatalf("drawn within the interval: %d draws", len(*ups))
	}
	if err := l.Done(); err != nil {
		t.Fatal(err)
	}
	if len(*ups) != 3 {
		t.Fatalf("Done did not draw the pending state: %d draws", len(*ups))
	}
	last := (*ups)[2].html
	if got := points(t, last); got != 7 {
		t.Errorf("final draw has %d points, want 7", got)
	}
	if !strings.Contains(last, `<progress value="10" max="10"`) || !strings.Contains(last, "train &lt;done&gt;") {
		t.Errorf("final progress bar missing or unescaped: %.400s", last)
	}
	// Every draw replaces the same block.
	for _, u := range *ups {
		if u.id != (*ups)[0].id || u.id == "" {
			t.Errorf("display ids %q and %q: want one id for every draw", u.id, (*ups)[0].id)
		}
	}
	// Nothing new: Done draws nothing more.
	if err := l.Done(); err != nil || len(*ups) != 3 {
		t.Errorf("second Done: %v, %d draws", err, len(*ups))
	}
	// A second live figure gets its own block.
	l2 := NewLiveFigure()
	if err := l2.Update(curve(2)); err != nil {
		t.Fatal(err)
	}
	if (*ups)[3].id == (*ups)[0].id {
		t.Errorf("two live figures share display id %q", (*ups)[0].id)
	}
}

func TestLiveFigureNoIntervalDrawsEveryCall(t *testing.T) {
	ups, _ := captureLive(t, true)
	l := NewLiveFigure().Every(0)
	for k := 1; k <= 3; k++ {
		if err := l.Update(curve(k)); err != nil {
			t.Fatal(err)
		}
	}
	if len(*ups) != 3 || points(t, (*ups)[2].html) != 3 {
		t.Errorf("%d draws, want 3 with the last of 3 points", len(*ups))
	}
}

func TestLiveFigureOutsideNotebookIsNoOp(t *testing.T) {
	ups, text := captureLive(t, false)
	l := NewLiveFigure()
	bad := curve(2)
	bad.LogY, bad.YMin = true, -1 // not drawable: not even rendered outside a notebook
	if err := l.Update(bad); err != nil {
		t.Errorf("Update outside a notebook: %v", err)
	}
	if err := l.Progress(1, 2, "x"); err != nil {
		t.Errorf("Progress outside a notebook: %v", err)
	}
	if err := l.Done(); err != nil {
		t.Errorf("Done outside a notebook: %v", err)
	}
	if len(*ups) != 0 || text.Len() != 0 || l.Drawn() != 0 {
		t.Errorf("outside a notebook: %d updates, text %q, Drawn %d; want nothing", len(*ups), text.String(), l.Drawn())
	}
}

func TestLiveFigureBadFigureIsAnError(t *testing.T) {
	captureLive(t, true)
	bad := curve(2)
	bad.Name, bad.LogY, bad.YMin = "logbad", true, -1
	if err := NewLiveFigure().Update(bad); err == nil || !strings.Contains(err.Error(), "logbad") {
		t.Errorf("undrawable figure: err = %v, want one naming it", err)
	}
}

// TestEveryDisplayWaitsForTheKernel: each display, Markdown and in-place
// redraw is followed by a sync, so that nothing shown is still in GoNB's
// pipe when the cell's program exits (where it would be lost).
func TestEveryDisplayWaitsForTheKernel(t *testing.T) {
	capture(t, true)
	var events []string
	out.html = func(string) { events = append(events, "show") }
	out.markdown = func(string) { events = append(events, "show") }
	out.update = func(string, string) { events = append(events, "show") }
	out.newID = func() string { return "live-1" }
	out.sync = func() { events = append(events, "sync") }

	if err := Result(sampleResult()); err != nil {
		t.Fatal(err)
	}
	Markdown("*done*")
	l := NewLiveFigure()
	if err := l.Update(curve(3)); err != nil {
		t.Fatal(err)
	}
	if err := l.Done(); err != nil {
		t.Fatal(err)
	}
	if len(events) < 2*6 {
		t.Fatalf("%d events, want at least 6 displays each followed by a sync: %v", len(events), events)
	}
	for i, e := range events {
		if want := []string{"show", "sync"}[i%2]; e != want {
			t.Fatalf("event %d is %q, want %q: %v", i, e, want, events)
		}
	}
}

// TestBoundedSyncGivesUp: a sync that never returns costs one timeout, and
// later syncs are not waited for; a prompt one is waited for.
func TestBoundedSyncGivesUp(t *testing.T) {
	t.Cleanup(func() { syncGaveUp.Store(false) })
	ran := false
	boundedSync(func() { ran = true }, time.Minute)
	if !ran || syncGaveUp.Load() {
		t.Fatalf("a prompt sync: ran %v, gave up %v", ran, syncGaveUp.Load())
	}
	never := make(chan struct{})
	t.Cleanup(func() { close(never) })
	var warn bytes.Buffer
	old := syncWarnings
	syncWarnings = &warn
	t.Cleanup(func() { syncWarnings = old })
	boundedSync(func() { <-never }, 10*time.Millisecond)
	if !syncGaveUp.Load() {
		t.Fatal("a sync that never returned did not make the package give up")
	}
	if strings.Count(warn.String(), "\n") != 1 || !strings.Contains(warn.String(), "did not acknowledge") {
		t.Errorf("giving up should say so in one line, got %q", warn.String())
	}
	called := false
	boundedSync(func() { called = true }, time.Minute)
	if called {
		t.Error("a sync was started after the package gave up")
	}
}
