package nbdisplay

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// capture switches the package to a fake notebook (notebook=true) or to
// text mode, and returns what was displayed.
func capture(t *testing.T, notebook bool) (htmls *[]string, text *bytes.Buffer) {
	t.Helper()
	oldOut, oldOutput := out, Output
	t.Cleanup(func() { out, Output = oldOut, oldOutput })
	htmls = &[]string{}
	text = &bytes.Buffer{}
	Output = text
	out = sink{notebook: notebook,
		html:     func(s string) { *htmls = append(*htmls, s) },
		markdown: func(s string) { *htmls = append(*htmls, "MD:"+s) }}
	return htmls, text
}

func sampleResult() *results.Result {
	tab := results.Table{Name: "entropy", Columns: []string{"cipher", "H"}}
	tab.AddRow("bitplane", 7.9993)
	return &results.Result{
		Claims: []results.Claim{results.Check("RITEM §4", "NPCR > 99.5 %", 99.6, 99.61, "%", results.AtLeast, 99.5, 0, "")},
		Tables: []results.Table{tab},
		Figures: []results.Figure{{Name: "hist", Title: "Histogram of the cipher image", Kind: results.KindBars,
			Series: []results.Series{{Name: "cipher", X: []float64{0, 1, 2}, Y: []float64{3, 4, 3}}}}},
		Notes: []string{"Stand-in data <not BOSSbase>."},
	}
}

func TestResultInNotebook(t *testing.T) {
	htmls, text := capture(t, true)
	if err := Result(sampleResult()); err != nil {
		t.Fatal(err)
	}
	if text.Len() != 0 {
		t.Errorf("text output in notebook mode: %q", text.String())
	}
	if len(*htmls) != 4 {
		t.Fatalf("got %d displays, want claims, table, figure, notes", len(*htmls))
	}
	claims, table, fig, notes := (*htmls)[0], (*htmls)[1], (*htmls)[2], (*htmls)[3]
	if !strings.Contains(claims, "NPCR &gt; 99.5 %") || !strings.Contains(claims, "reproduced") {
		t.Errorf("claims HTML: %s", claims)
	}
	if !strings.Contains(table, "<table") || !strings.Contains(table, "7.9993") {
		t.Errorf("table HTML: %s", table)
	}
	if !strings.Contains(fig, "<svg") || !strings.Contains(fig, `class="series"`) || !strings.Contains(fig, "Histogram of the cipher image") {
		t.Errorf("figure HTML lacks inline SVG with a series: %.300s", fig)
	}
	if !strings.Contains(notes, "&lt;not BOSSbase&gt;") {
		t.Errorf("notes not escaped: %s", notes)
	}
}

func TestResultAsText(t *testing.T) {
	htmls, text := capture(t, false)
	if err := Result(sampleResult()); err != nil {
		t.Fatal(err)
	}
	if len(*htmls) != 0 {
		t.Errorf("HTML displayed outside a notebook")
	}
	for _, want := range []string{"RITEM §4", "reproduced", "== entropy", "bitplane\t7.9993", "[figure hist: Histogram", "- Stand-in data"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
}

func TestErrorsNameTheItem(t *testing.T) {
	capture(t, true)
	bad := results.Table{Name: "weird", Columns: []string{"x"}, Rows: [][]any{{struct{}{}}}}
	if err := Table(bad); err == nil || !strings.Contains(err.Error(), "weird") {
		t.Errorf("unsupported cell: err = %v", err)
	}
	if err := Result(nil); err == nil {
		t.Error("nil result accepted")
	}
	badFig := results.Figure{Name: "logbad", Kind: results.KindLine, LogY: true, YMin: -1, YMax: 1,
		Series: []results.Series{{Name: "s", X: []float64{1}, Y: []float64{1}}}}
	if err := Figure(badFig); err == nil || !strings.Contains(err.Error(), "logbad") {
		t.Errorf("bad figure: err = %v", err)
	}
}

func TestImages(t *testing.T) {
	htmls, _ := capture(t, true)
	g := imageio.NewGray(4, 4)
	if err := Images("pair", "Plain and cipher", Image("plain", g), Image("cipher", g)); err != nil {
		t.Fatal(err)
	}
	if len(*htmls) != 1 || strings.Count((*htmls)[0], `class="panel"`) != 2 {
		t.Errorf("want one figure with two panels, got %v", *htmls)
	}
}

func TestReportLink(t *testing.T) {
	repo := t.TempDir()
	t.Setenv(RepoEnv, repo)
	htmls, text := capture(t, true)
	ReportLink("bitplane")
	if len(*htmls) != 1 || !strings.Contains((*htmls)[0], `href="../reports/bitplane.html"`) || !strings.Contains((*htmls)[0], "not generated yet") {
		t.Errorf("missing page: %v", *htmls)
	}
	if err := os.MkdirAll(filepath.Join(repo, "reports"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "reports", "bitplane.html"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	ReportLink("bitplane")
	if strings.Contains((*htmls)[1], "not generated") {
		t.Errorf("existing page reported missing: %s", (*htmls)[1])
	}
	out.notebook = false
	ReportLink("anc")
	if !strings.Contains(text.String(), "report: ../reports/anc.html (not generated yet: run `go run ./cmd/neurocrypt reproduce`)") {
		t.Errorf("text link: %q", text.String())
	}
}

func TestMarkdownAndHTML(t *testing.T) {
	htmls, text := capture(t, false)
	Markdown("# Title")
	HTML("<b>x</b>")
	if text.String() != "# Title\n" || len(*htmls) != 0 {
		t.Errorf("text mode: %q %v", text.String(), *htmls)
	}
	out.notebook = true
	Markdown("# Title")
	HTML("<b>x</b>")
	if len(*htmls) != 2 || (*htmls)[0] != "MD:# Title" || (*htmls)[1] != "<b>x</b>" {
		t.Errorf("notebook mode: %v", *htmls)
	}
}

func TestMust(t *testing.T) {
	if got := Must1(3, nil); got != 3 {
		t.Errorf("Must1 = %d", got)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("Must(err) did not panic")
		}
	}()
	Must(os.ErrNotExist)
}

func TestNum(t *testing.T) {
	if num(math.NaN()) != "—" || num(99.61) != "99.61" {
		t.Errorf("num: %q %q", num(math.NaN()), num(99.61))
	}
}

func TestKeepKept(t *testing.T) {
	for _, dir := range []string{"", t.TempDir()} {
		t.Setenv(gonbTmpDirEnv, dir)
		if _, err := Kept[*results.Result]("never"); err == nil {
			t.Errorf("dir %q: Kept of nothing succeeded", dir)
		}
		res := sampleResult()
		res.Claims[0].PaperValue = math.NaN()
		// Undefined values in tables and figures must survive too.
		res.Tables[0].Rows = append(res.Tables[0].Rows, append([]any{math.NaN()}, make([]any, len(res.Tables[0].Columns)-1)...))
		res.Figures[0].Series = append(res.Figures[0].Series, results.Series{Name: "inf", X: []float64{1}, Y: []float64{math.Inf(1)}})
		if err := Keep("res", res); err != nil {
			t.Fatal(err)
		}
		got, err := Kept[*results.Result]("res")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Figures) != 1 || got.Figures[0].Title != res.Figures[0].Title || got.Tables[0].Rows[0][1] != 7.9993 ||
			!math.IsNaN(got.Claims[0].PaperValue) || got.Claims[0].Verdict != results.Reproduced ||
			!math.IsNaN(got.Tables[0].Rows[len(got.Tables[0].Rows)-1][0].(float64)) {
			t.Errorf("dir %q: round trip changed the result: %+v", dir, got)
		}
	}
}
