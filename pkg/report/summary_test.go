package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/results"
)

func TestVerdictSummary(t *testing.T) {
	cs := []results.Claim{{Verdict: results.Reproduced}, {Verdict: results.Reproduced}, {Verdict: results.NotApplicable}, {Verdict: "odd"}}
	if got, want := VerdictSummary(cs), "4 claims checked: 2 reproduced, 0 not reproduced, 0 inconclusive, 1 not applicable, 1 with an unknown verdict."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := VerdictSummary(cs[:1]), "1 claim checked: 1 reproduced, 0 not reproduced, 0 inconclusive, 0 not applicable."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := VerdictSummary(nil); got != "No claims checked." {
		t.Errorf("got %q", got)
	}
}

func TestPaperKey(t *testing.T) {
	cited := []results.Citation{{Key: "RITEM"}, {Key: "RITEM-CF-AN"}, {Key: "Seed"}}
	for paper, want := range map[string]string{
		"RITEM-CF-AN §4, Fig. 9": "RITEM-CF-AN", // the longest key that matches
		"RITEM §2":               "RITEM",
		"Seed":                   "Seed",
		"Seedling Table 1":       "Seedling", // "Seed" is not a whole word of it
		"Other, Table 1":         "Other",
		"":                       "",
	} {
		if got := PaperKey(paper, cited); got != want {
			t.Errorf("PaperKey(%q) = %q, want %q", paper, got, want)
		}
	}
}

// TestPagesLeadWithTheResult checks the order of an experiment page
// (summary, claims, figures, tables, notes, papers), the summary's text,
// the index's verdicts-by-paper table, and that a kept experiment keeps
// its summary through results.json.
func TestPagesLeadWithTheResult(t *testing.T) {
	dir := t.TempDir()
	run := fakeRun()
	run.Experiments[0].Result.Summary = "Alpha <measured> 99.61 %."
	if err := Write(dir, run); err != nil {
		t.Fatal(err)
	}
	page := readString(t, filepath.Join(dir, "alpha.html"))
	summary := `<p class="summary"><b>2 claims checked: 1 reproduced, 0 not reproduced, 1 inconclusive, 0 not applicable.</b> Alpha &lt;measured&gt; 99.61 %.</p>`
	order := []string{"<h1>", `class="prov-line"`, summary, `<h2 id="claims">`, `<h2 id="figures">`, `<h2 id="tables">`, `<h2 id="notes">`, `<h2 id="papers">`, "<footer>"}
	last := -1
	for _, s := range order {
		i := strings.Index(page, s)
		if i < 0 {
			t.Fatalf("alpha.html has no %q", s)
		}
		if i < last {
			t.Errorf("alpha.html: %q comes before the part listed ahead of it (want order %q)", s, order)
		}
		last = i
	}
	if beta := readString(t, filepath.Join(dir, "beta.html")); !strings.Contains(beta, `<p class="summary"><b>1 claim checked: 0 reproduced, 1 not reproduced, 0 inconclusive, 0 not applicable.</b></p>`) {
		t.Errorf("beta.html: no counts-only summary")
	}

	index := readString(t, filepath.Join(dir, IndexFile))
	i := strings.Index(index, "Verdicts by paper")
	j := strings.Index(index, "All claims")
	if i < 0 || j < i {
		t.Fatalf("index.html has no verdicts-by-paper section before the claims")
	}
	byPaper := index[i:j]
	// P1 (cited by alpha, two claims) then P2 (beta's claim, not cited).
	p1, p2 := strings.Index(byPaper, "<b>P1</b> — A paper"), strings.Index(byPaper, "<b>P2</b>")
	if p1 < 0 || p2 < p1 {
		t.Errorf("verdicts by paper: want rows P1 then P2:\n%s", byPaper)
	}
	if !strings.Contains(byPaper, `<a href="alpha.html#claims">alpha</a>`) || !strings.Contains(byPaper, `<a href="beta.html#claims">beta</a>`) {
		t.Errorf("verdicts by paper: no links to the pages' claims:\n%s", byPaper)
	}
	if rows := byPaper[p1:p2]; !strings.Contains(rows, "✓ 1") || !strings.Contains(rows, "? 1") || strings.Contains(rows, "✗ 1") {
		t.Errorf("P1's counts are wrong:\n%s", rows)
	}

	// results.json carries the summary; a kept experiment shows it again.
	f, err := results.Read(filepath.Join(dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Experiments[0].Summary; got != run.Experiments[0].Result.Summary {
		t.Fatalf("results.json summary %q", got)
	}
	if k := Kept(f.Experiments[0]); k.Result.Summary != run.Experiments[0].Result.Summary {
		t.Errorf("Kept lost the summary: %q", k.Result.Summary)
	}
}

// TestOldResultsWithoutSummaryLoad reads a results.json written before
// experiments had a summary.
func TestOldResultsWithoutSummaryLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), ResultsFile)
	old := `{"provenance": {"commit": "abc"}, "experiments": [{"id": "x", "title": "X", "profile": "smoke",
  "claims": [], "tables": [], "figures": [], "notes": ["n"]}]}`
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := results.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if e := f.Experiment("x"); e == nil || e.Summary != "" || len(e.Notes) != 1 {
		t.Fatalf("read %+v", f.Experiments)
	}
	b, err := results.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"summary"`) {
		t.Errorf("an empty summary is written:\n%s", b)
	}
}
