package report

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

func fakeRun() *Run {
	nan := math.NaN()
	img := imageio.NewGray(16, 16)
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	start := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	prov := results.Provenance{
		Commit: "0123456789abcdef", Dirty: true, GoVersion: "go1.26.8", GoMLXVersion: "v0.28.8", GoNBVersion: "v0.11.5",
		Backend: "go", Device: "cpu-test-device", Profile: "smoke", Seed: 42, Dataset: "synthetic(seed=1)",
		DatasetHash: "sha256:feedbeef", SkippedFiles: 2, Host: "testhost-xyz", OSArch: "linux/amd64", CPUs: 2,
		Start: start, Command: "neurocrypt reproduce -profile smoke && echo '<ok>'", Extra: map[string]string{"pjrt": "none"},
	}
	prov.Finish(start.Add(90 * time.Second))
	a := ExperimentReport{
		ID: "alpha", Title: "Alpha <bit-plane> & co", Profile: "smoke", Duration: 1500 * time.Millisecond,
		Papers: []results.Citation{{Key: "P1", Title: "A paper", Ref: "papers/p1.pdf"}},
		Result: &results.Result{
			Tables: []results.Table{{
				Name: "metrics", Caption: "per image", Columns: []string{"image", "npcr", "count", "ok", "missing"},
				Rows: [][]any{
					{"lena", 99.60937512, 3, true, nil},
					{"baboon", nan, 12, false, 3.0},
					{"tiny", 1.234567e-7, -1, true, math.Inf(1)},
				},
			}},
			Figures: []results.Figure{
				{Name: "loss", Title: "Loss", Caption: "mean ± sd", Kind: results.KindLine, XLabel: "step", YLabel: "loss",
					Series: []results.Series{{Name: "train", X: []float64{0, 1, 2}, Y: []float64{3, 2, 1}, Lower: []float64{2.5, 1.5, 0.5}, Upper: []float64{3.5, 2.5, 1.5}}}},
				{Name: "hist", Title: "Histogram", Kind: results.KindBars, Series: []results.Series{{Name: "cipher", X: []float64{0, 1, 2, 3}, Y: []float64{4, 4, 5, 3}}}},
			},
			Claims: []results.Claim{
				{Paper: "P1 §4", Statement: "NPCR > 99.5 %", PaperValue: 99.6, Measured: 99.61, Unit: "%", Verdict: results.Reproduced, Why: "rule"},
				{Paper: "P1 §5", Statement: "no number given", PaperValue: nan, Measured: 7.99, Unit: "bits", Verdict: results.Inconclusive, Why: "paper gives no value"},
			},
			Notes:    []string{"Deviation: 64 px crops instead of 256."},
			DataHash: "sha256:alphadata",
		},
	}
	b := ExperimentReport{
		ID: "beta", Title: "Beta", Profile: "smoke", Duration: 3 * time.Second,
		Result: &results.Result{
			Figures: []results.Figure{
				{Name: "scatter", Title: "Adjacent pixels", Kind: results.KindScatter, Series: []results.Series{{Name: "h", X: []float64{1, 2}, Y: []float64{2, nan}}}},
				{Name: "images", Title: "Plain and cipher", Kind: results.KindImages, Images: []results.ImagePanel{{Title: "plain", Image: img}, {Title: "cipher", Image: img}}},
			},
			Claims: []results.Claim{{Paper: "P2", Statement: "fails", PaperValue: 1, Measured: 2, Verdict: results.NotReproduced}},
		},
	}
	return &Run{Provenance: prov, Experiments: []ExperimentReport{a, b}}
}

// parseHTML parses a page strictly as XML (the pages are written to be
// well-formed) and returns the contents of its <svg> elements re-serialised
// count-wise: the number of top-level <svg> elements.
func parseHTML(t *testing.T, name string, data []byte) (svgs int) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(data)))
	d.Entity = xml.HTMLEntity
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed: %v", name, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "svg" {
				if depth == 0 {
					svgs++
				}
				depth++
			}
		case xml.EndElement:
			if tok.Name.Local == "svg" {
				depth--
			}
		}
	}
	return svgs
}

func TestWriteReport(t *testing.T) {
	dir := t.TempDir()
	run := fakeRun()
	if err := Write(dir, run); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"index.html", "alpha.html", "beta.html", "results.json",
		"figures/alpha-loss.svg", "figures/alpha-hist.svg", "figures/beta-scatter.svg", "figures/beta-images.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	badURL := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:|//)|<link|<script|@import|url\(\s*["']?https?:`)
	pages := map[string]int{"index.html": 0, "alpha.html": 2, "beta.html": 2}
	for name, wantSVG := range pages {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		page := string(data)
		if got := parseHTML(t, name, data); got != wantSVG {
			t.Errorf("%s: %d inline <svg>, want %d", name, got, wantSVG)
		}
		if m := badURL.FindString(page); m != "" {
			t.Errorf("%s references an external resource: %q", name, m)
		}
		for _, want := range []string{"0123456789abcdef", "testhost-xyz", "cpu-test-device", "sha256:feedbeef",
			"synthetic(seed=1)", "2026-11-21T10:01:30Z", "neurocrypt reproduce -profile smoke &amp;&amp; echo &#39;&lt;ok&gt;&#39;", "pjrt", "<details"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: provenance %q not shown", name, want)
			}
		}
		if name != "index.html" && !strings.Contains(page, `href="index.html"`) {
			t.Errorf("%s: no link back to the index", name)
		}
	}

	alpha := readString(t, filepath.Join(dir, "alpha.html"))
	for _, want := range []string{
		"Alpha &lt;bit-plane&gt; &amp; co", // escaped title
		">99.6094<", ">12<", ">—<", ">∞<", ">1.235e-07<", ">3<",
		"verdict-reproduced", "verdict-inconclusive", "sha256:alphadata", "Deviation: 64 px crops", "A paper",
		`href="figures/alpha-loss.svg"`, "mean ± sd",
	} {
		if !strings.Contains(alpha, want) {
			t.Errorf("alpha.html lacks %q", want)
		}
	}
	// Each figure's SVG file content appears inline in its page.
	for _, f := range []struct{ page, fig string }{{"alpha.html", "alpha-loss"}, {"alpha.html", "alpha-hist"}, {"beta.html", "beta-scatter"}, {"beta.html", "beta-images"}} {
		svg := readString(t, filepath.Join(dir, "figures", f.fig+".svg"))
		if !strings.HasPrefix(svg, "<svg") || !strings.Contains(readString(t, filepath.Join(dir, f.page)), svg) {
			t.Errorf("%s: figure %s not inlined", f.page, f.fig)
		}
	}

	index := readString(t, filepath.Join(dir, "index.html"))
	for _, want := range []string{IndexTitle, `href="alpha.html"`, `href="beta.html"`, "AES-CTR", "research artefacts",
		"✓ 1", "? 1", "✗ 1", "NPCR &gt; 99.5 %", "fails"} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestResultsJSONShapeAndRoundTrip(t *testing.T) {
	dir := t.TempDir()
	run := fakeRun()
	if err := Write(dir, run); err != nil {
		t.Fatal(err)
	}
	raw := readString(t, filepath.Join(dir, ResultsFile))
	if !strings.HasPrefix(raw, "{\n  \"provenance\": {\n    \"commit\": ") {
		t.Errorf("results.json is not 2-space indented in field order:\n%.200s", raw)
	}
	if strings.Contains(raw, `\u003c`) || strings.Contains(raw, `\u003e`) || strings.Contains(raw, `\u0026`) {
		t.Errorf("results.json HTML-escapes text")
	}

	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	if got := keys(m); !reflect.DeepEqual(got, []string{"experiments", "provenance"}) {
		t.Errorf("top-level keys %v", got)
	}
	wantProv := []string{"backend", "command", "commit", "cpus", "dataset", "dataset_hash", "device", "dirty", "duration_s", "end",
		"extra", "gomlx_version", "gonb_version", "go_version", "host", "os_arch", "profile", "seed", "skipped_files", "start"}
	sort.Strings(wantProv)
	if got := keys(m["provenance"].(map[string]any)); !reflect.DeepEqual(got, wantProv) {
		t.Errorf("provenance keys %v, want %v", got, wantProv)
	}
	exps := m["experiments"].([]any)
	e0 := exps[0].(map[string]any)
	if got := keys(e0); !reflect.DeepEqual(got, []string{"claims", "figures", "id", "notes", "profile", "tables", "title"}) {
		t.Errorf("experiment keys %v", got)
	}
	c1 := e0["claims"].([]any)[1].(map[string]any)
	if got := keys(c1); !reflect.DeepEqual(got, []string{"measured", "paper", "paper_value", "statement", "unit", "verdict", "why"}) {
		t.Errorf("claim keys %v", got)
	}
	if c1["paper_value"] != nil {
		t.Errorf("NaN paper value written as %v, want null", c1["paper_value"])
	}
	tb := e0["tables"].([]any)[0].(map[string]any)
	if got := keys(tb); !reflect.DeepEqual(got, []string{"caption", "columns", "name", "rows"}) {
		t.Errorf("table keys %v", got)
	}
	if fig := e0["figures"].([]any)[0].(map[string]any); fig["name"] != "loss" || fig["file"] != "figures/alpha-loss.svg" || len(fig) != 2 {
		t.Errorf("figure entry %v", fig)
	}
	if e1 := exps[1].(map[string]any); e1["notes"] == nil || e1["tables"] == nil {
		t.Errorf("empty notes/tables must be [] not null: %v", e1)
	}

	res, err := results.Read(filepath.Join(dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	rows := res.Experiments[0].Tables[0].Rows
	want := [][]any{
		{"lena", 99.60937512, 3, true, nil},
		{"baboon", nil, 12, false, 3.0},
		{"tiny", 1.234567e-7, -1, true, nil},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows after round trip:\n got %#v\nwant %#v", rows, want)
	}
	c := res.Experiments[0].Claims[1]
	if !math.IsNaN(c.PaperValue) || c.Measured != 7.99 || c.Verdict != results.Inconclusive {
		t.Errorf("claim after round trip: %+v", c)
	}
	p := res.Provenance
	if !p.Start.Equal(run.Provenance.Start) || !p.End.Equal(run.Provenance.End) || p.DurationS != 90 || p.Command != run.Provenance.Command || p.Seed != 42 || !p.Dirty || p.Extra["pjrt"] != "none" {
		t.Errorf("provenance after round trip: %+v", p)
	}
	if res.Experiments[1].Figures[1].File != "figures/beta-images.svg" {
		t.Errorf("figures after round trip: %+v", res.Experiments[1].Figures)
	}
}

func TestWriteFailuresLeaveNoIndex(t *testing.T) {
	// A figure that cannot be rendered: nothing at all is written.
	dir := t.TempDir()
	run := fakeRun()
	run.Experiments[1].Result.Figures = append(run.Experiments[1].Result.Figures, results.Figure{Name: "bad", Kind: "pie"})
	err := Write(dir, run)
	if err == nil || !strings.Contains(err.Error(), `"beta"`) || !strings.Contains(err.Error(), `"bad"`) {
		t.Fatalf("err=%v, want an error naming the experiment and figure", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed render wrote files: %v", entries)
	}

	// An unsupported table cell: same.
	run = fakeRun()
	run.Experiments[0].Result.Tables[0].Rows[0][0] = struct{}{}
	if err := Write(dir, run); err == nil || !strings.Contains(err.Error(), `"image"`) {
		t.Errorf("bad cell: err=%v, want an error naming the column", err)
	}

	// A junk file where the figures folder goes does not block the write:
	// the report folder is replaced as a whole.
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FiguresDir), []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, fakeRun()); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, FiguresDir)); err != nil || !st.IsDir() {
		t.Errorf("figures is not a folder after the write: %v", err)
	}
	// A symbolic link as the report folder is refused.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, fakeRun()); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("write through a symbolic link: %v", err)
	}

	// Unsafe or duplicate IDs are rejected before writing.
	for _, id := range []string{"../evil", "index", "", "a b"} {
		run := fakeRun()
		run.Experiments[0].ID = id
		if err := Write(t.TempDir(), run); err == nil {
			t.Errorf("ID %q accepted", id)
		}
	}
	run = fakeRun()
	run.Experiments[1].ID = "alpha"
	if err := Write(t.TempDir(), run); err == nil {
		t.Errorf("duplicate ID accepted")
	}
	if err := Write(t.TempDir(), nil); err == nil {
		t.Errorf("nil run accepted")
	}
}

func TestNilResultAndDeterminism(t *testing.T) {
	run := &Run{Experiments: []ExperimentReport{{ID: "empty"}}}
	d1, d2 := t.TempDir(), t.TempDir()
	if err := Write(d1, run); err != nil {
		t.Fatal(err)
	}
	if err := Write(d2, run); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{IndexFile, ResultsFile, "empty.html"} {
		if readString(t, filepath.Join(d1, f)) != readString(t, filepath.Join(d2, f)) {
			t.Errorf("%s differs between two writes of the same run", f)
		}
	}
	parseHTML(t, "empty.html", []byte(readString(t, filepath.Join(d1, "empty.html"))))
	if !strings.Contains(readString(t, filepath.Join(d1, ResultsFile)), `"extra": {}`) {
		t.Errorf("nil Extra not written as {}")
	}
}

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
		num  bool
	}{
		{99.60937512, "99.6094", true}, {3.0, "3", true}, {0.5, "0.5", true}, {0.00123456, "0.001235", true},
		{-2.5, "-2.5", true}, {1.234567e-7, "1.235e-07", true}, {2.5e12, "2.500e+12", true},
		{math.NaN(), "—", true}, {math.Inf(-1), "−∞", true}, {float32(1.5), "1.5", true},
		{42, "42", true}, {int64(-7), "-7", true}, {uint8(255), "255", true},
		{"x", "x", false}, {true, "true", false}, {nil, "—", false}, {0.0, "0", true}, {-0.00001, "-1.000e-05", true},
	} {
		got, num, err := FormatNumber(c.in)
		if err != nil || got != c.want || num != c.num {
			t.Errorf("FormatNumber(%#v) = %q, %v, %v; want %q, %v", c.in, got, num, err, c.want, c.num)
		}
	}
	if _, _, err := FormatNumber([]int{1}); err == nil {
		t.Errorf("slice cell accepted")
	}
}

func TestFragments(t *testing.T) {
	tbl := results.Table{Name: "t<1>", Columns: []string{"name", "value"}, Rows: [][]any{{"a&b", 1.5}, {"c", nil}}}
	h, err := RenderTableHTML(tbl)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"t&lt;1&gt;", "a&amp;b", `class="num" style="`, "text-align:right", ">1.5<"} {
		if !strings.Contains(h, want) {
			t.Errorf("table fragment lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "<style") || strings.Contains(h, "ZgotmplZ") {
		t.Errorf("table fragment has a stylesheet or a sanitised value:\n%s", h)
	}
	parseHTML(t, "table fragment", []byte(h))

	h, err = RenderClaimsHTML([]results.Claim{{Paper: "P", Statement: "x < y", PaperValue: math.NaN(), Measured: 1, Verdict: results.NotReproduced}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, "x &lt; y") || !strings.Contains(h, "background:#fbdcdc") || !strings.Contains(h, "✗ not reproduced") || strings.Contains(h, "ZgotmplZ") {
		t.Errorf("claims fragment:\n%s", h)
	}
	parseHTML(t, "claims fragment", []byte(h))

	h, err = RenderFigureHTML(results.Figure{Name: "f", Title: "F", Caption: "cap", Kind: results.KindLine, Series: []results.Series{{X: []float64{0, 1}, Y: []float64{1, 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := parseHTML(t, "figure fragment", []byte(h)); n != 1 || !strings.Contains(h, "cap") || strings.Contains(h, "href=") {
		t.Errorf("figure fragment (%d svg):\n%.300s", n, h)
	}
}

// TestNotesLinkPages: a note naming a report page links to it, and the
// rest of the note stays escaped.
func TestNotesLinkPages(t *testing.T) {
	got := string(linkPages(`see survey.html & <b>agile.html</b>; not x.htmlz`))
	want := `see <a href="survey.html">survey.html</a> &amp; &lt;b&gt;<a href="agile.html">agile.html</a>&lt;/b&gt;; not x.htmlz`
	if got != want {
		t.Errorf("linkPages = %s\nwant        %s", got, want)
	}
}

// TestGeneratedBy: the footer names the command that wrote the page.
func TestGeneratedBy(t *testing.T) {
	for cmd, want := range map[string]string{
		"go run ./cmd/neurocrypt bench -profile quick -seed 1": "neurocrypt bench",
		"/tmp/nc reproduce -profile smoke -out reports/smoke":  "neurocrypt reproduce",
		"neurocrypt reproduce -out bench":                      "neurocrypt reproduce",
		"/home/u/bench/neurocrypt reproduce":                   "neurocrypt reproduce",
		"":                                                     "neurocrypt",
		"/tmp/gonb_4a1/gonb_4a1 --some-notebook-flag":          "neurocrypt",
	} {
		if got := GeneratedBy(cmd); got != want {
			t.Errorf("GeneratedBy(%q) = %q, want %q", cmd, got, want)
		}
	}
}
