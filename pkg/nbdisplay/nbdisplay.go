// Package nbdisplay shows neurocrypt results in GoNB notebooks: figures as
// inline SVG, tables, the claims table, notes and links to the HTML report
// pages. It is the only package of the module that imports gonbui, and it
// renders nothing itself: figures come from pkg/plot and tables from
// pkg/report, so a notebook shows exactly what the report pages show.
//
// Outside a notebook (a program, a test) every function writes a short
// plain-text rendering to Output instead, so notebook code also runs as a
// plain Go program.
//
// A typical notebook cell:
//
//	%%
//	res := nbdisplay.Must1(bitplane.New().Run(ctx, env))
//	nbdisplay.Must(nbdisplay.Result(res))
package nbdisplay

import (
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/report"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Output receives the plain-text renderings when not running in a notebook;
// nil means os.Stdout (looked up at each call).
var Output io.Writer

func textOut() io.Writer {
	if Output != nil {
		return Output
	}
	return os.Stdout
}

// RepoEnv names the environment variable with the checkout's absolute path;
// the neurocrypt kernelspec (go run ./kernel install) sets it.
const RepoEnv = "NEUROCRYPT_REPO"

// ReportsDir is the report folder, relative to the checkout; notebooks live
// in notebooks/, one level below the checkout.
const ReportsDir = "reports"

// sink is where displays go; tests replace it.
type sink struct {
	notebook bool
	html     func(string)
	markdown func(string)
	update   func(id, html string) // creates, then redraws, the block with transient display id
	newID    func() string         // a display id unique in the kernel session
	// sync returns once the kernel has published everything sent so far.
	// GoNB reads displays from a pipe and stops reading when the cell's
	// program exits, so a display still in the pipe then is lost (seen in
	// CI under load: a cell's text arrived, its figure never did);
	// gonbui.Sync after each display is GoNB's documented remedy.
	sync func()
}

var out = sink{notebook: gonbui.IsNotebook, html: gonbui.DisplayHTML, markdown: gonbui.DisplayMarkdown,
	update: gonbui.UpdateHTML, newID: func() string { return "neurocrypt-live-" + gonbui.UniqueId() },
	sync: func() { boundedSync(gonbui.Sync, syncTimeout) }}

// syncTimeout bounds each wait for the kernel after a display. GoNB
// answers within milliseconds; a kernel that never answers (another GoNB
// version) would otherwise hang the cell, so after one timeout the
// program says so and stops waiting (displays then behave as without the
// sync). A kernel that stops reading the display pipe altogether blocks
// gonbui's displays themselves, sync or not; that is GoNB's to bound.
// Ours.
const syncTimeout = 10 * time.Second

// syncGaveUp is set once a sync timed out.
var syncGaveUp atomic.Bool

// boundedSync runs sync and waits at most timeout for it (not at all once
// a sync has timed out); the waiting goroutine of a sync that never returns
// is left behind.
func boundedSync(sync func(), timeout time.Duration) {
	if syncGaveUp.Load() {
		return
	}
	done := make(chan struct{})
	go func() {
		sync()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		syncGaveUp.Store(true)
		fmt.Fprintf(syncWarnings, "nbdisplay: the GoNB kernel did not acknowledge a display within %s; not waiting for it any more in this cell (a figure shown at the very end of the cell may be lost)\n", timeout)
	}
}

// syncWarnings receives boundedSync's one-line warning when it gives up
// (in a notebook, stderr shows under the cell); tests replace it.
var syncWarnings io.Writer = os.Stderr

// showHTML displays an HTML fragment and waits until the kernel has it.
func (s sink) showHTML(h string) {
	s.html(h)
	s.flush()
}

// showMarkdown displays Markdown and waits until the kernel has it.
func (s sink) showMarkdown(md string) {
	s.markdown(md)
	s.flush()
}

// redraw creates or redraws the block id and waits until the kernel has it.
func (s sink) redraw(id, h string) {
	s.update(id, h)
	s.flush()
}

func (s sink) flush() {
	if s.sync != nil {
		s.sync()
	}
}

// InNotebook reports whether the program runs inside a GoNB kernel.
func InNotebook() bool { return out.notebook }

// HTML displays an HTML fragment (outside a notebook: nothing is written,
// as there is no faithful text form of arbitrary HTML).
func HTML(fragment string) {
	if out.notebook {
		out.showHTML(fragment)
	}
}

// Markdown displays Markdown (outside a notebook: the Markdown text).
func Markdown(md string) {
	if out.notebook {
		out.showMarkdown(md)
		return
	}
	fmt.Fprintln(textOut(), md)
}

// Figure displays fig as inline SVG with its title and caption.
func Figure(fig results.Figure) error {
	h, err := report.RenderFigureHTML(fig)
	if err != nil {
		return fmt.Errorf("figure %q: %w", fig.Name, err)
	}
	if out.notebook {
		out.showHTML(h)
		return nil
	}
	fmt.Fprintf(textOut(), "[figure %s: %s]\n", fig.Name, fig.Title)
	return nil
}

// Figures displays each figure in turn.
func Figures(figs []results.Figure) error {
	for _, f := range figs {
		if err := Figure(f); err != nil {
			return err
		}
	}
	return nil
}

// Images displays images side by side under a title (a KindImages figure
// rendered by pkg/plot).
func Images(name, title string, panels ...results.ImagePanel) error {
	return Figure(results.Figure{Name: name, Title: title, Kind: results.KindImages, Images: panels})
}

// Image is one panel of Images.
func Image(title string, g *imageio.Gray) results.ImagePanel {
	return results.ImagePanel{Title: title, Image: g}
}

// Table displays t as an HTML table (outside a notebook: tab-separated).
func Table(t results.Table) error {
	h, err := report.RenderTableHTML(t)
	if err != nil {
		return fmt.Errorf("table %q: %w", t.Name, err)
	}
	if out.notebook {
		out.showHTML(h)
		return nil
	}
	return writeTableText(textOut(), t)
}

// Tables displays each table in turn.
func Tables(ts []results.Table) error {
	for _, t := range ts {
		if err := Table(t); err != nil {
			return err
		}
	}
	return nil
}

func writeTableText(w io.Writer, t results.Table) error {
	fmt.Fprintf(w, "== %s\n", t.Name)
	fmt.Fprintln(w, strings.Join(t.Columns, "\t"))
	for _, row := range t.Rows {
		cells := make([]string, len(row))
		for i, c := range row {
			s, _, err := report.FormatNumber(c)
			if err != nil {
				return fmt.Errorf("table %q: %w", t.Name, err)
			}
			cells[i] = s
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	return nil
}

// Claims displays the claims table: each paper claim, the paper's value,
// ours, and the verdict badge.
func Claims(claims []results.Claim) error {
	h, err := report.RenderClaimsHTML(claims)
	if err != nil {
		return fmt.Errorf("claims table: %w", err)
	}
	if out.notebook {
		out.showHTML(h)
		return nil
	}
	for _, c := range claims {
		fmt.Fprintf(textOut(), "%-15s %s: paper %s, measured %s %s -> %s\n",
			c.Paper, c.Statement, num(c.PaperValue), num(c.Measured), c.Unit, c.Verdict)
	}
	return nil
}

func num(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	return fmt.Sprintf("%.4g", x)
}

// Notes displays the result's notes (deviations from the papers, caveats)
// as a list.
func Notes(notes []string) {
	if len(notes) == 0 {
		return
	}
	if !out.notebook {
		for _, n := range notes {
			fmt.Fprintln(textOut(), "- "+n)
		}
		return
	}
	var b strings.Builder
	b.WriteString(`<ul class="neurocrypt-notes">`)
	for _, n := range notes {
		b.WriteString("<li>" + html.EscapeString(n) + "</li>")
	}
	b.WriteString("</ul>")
	out.showHTML(b.String())
}

// Result displays a whole result the way its report page orders it: the
// claims table, the tables, the figures, then the notes.
func Result(res *results.Result) error {
	if res == nil {
		return fmt.Errorf("nbdisplay.Result: nil result")
	}
	if len(res.Claims) > 0 {
		if err := Claims(res.Claims); err != nil {
			return err
		}
	}
	if err := Tables(res.Tables); err != nil {
		return err
	}
	if err := Figures(res.Figures); err != nil {
		return err
	}
	Notes(res.Notes)
	return nil
}

// ReportPath returns the path of experiment id's HTML report page in the
// checkout named by $NEUROCRYPT_REPO ("" when the variable is unset).
func ReportPath(id string) string {
	repo := os.Getenv(RepoEnv)
	if repo == "" {
		return ""
	}
	return filepath.Join(repo, ReportsDir, id+".html")
}

// ReportLink displays a link to experiment id's HTML report page, relative
// to the notebook (notebooks/ → ../reports/<id>.html), and says how to
// generate the page when it is not there.
func ReportLink(id string) {
	href := "../" + ReportsDir + "/" + id + ".html"
	missing := ""
	if p := ReportPath(id); p != "" {
		if _, err := os.Stat(p); err != nil {
			missing = " (not generated yet: run <code>go run ./cmd/neurocrypt reproduce</code>)"
		}
	}
	if !out.notebook {
		fmt.Fprintf(textOut(), "report: %s%s\n", href, strings.ReplaceAll(strings.ReplaceAll(missing, "<code>", "`"), "</code>", "`"))
		return
	}
	out.showHTML(fmt.Sprintf(`<p>HTML report page: <a href="%s">%s</a>%s</p>`,
		html.EscapeString(href), html.EscapeString(ReportsDir+"/"+id+".html"), missing))
}

// Must panics with err when it is not nil. In a notebook cell a panic fails
// the cell, which `go run ./kernel run` reports.
func Must(err error) {
	if err != nil {
		panic(err)
	}
}

// Must1 returns v, or panics with err when it is not nil.
func Must1[T any](v T, err error) T {
	Must(err)
	return v
}
