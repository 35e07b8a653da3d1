// Package experiment defines the contract between the reproduced paper
// sections and everything that shows them: an Experiment runs in an Env and
// returns a Result of tables, figures, claims and notes, which pkg/report
// renders to HTML and results.json and pkg/nbdisplay shows in notebooks.
//
// Concrete experiments live in sub-packages (e.g. experiment/bitplane);
// pkg/suite lists them all.
package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Experiment is one reproduced paper section.
type Experiment interface {
	// ID is a short, file-name-safe identifier: "bitplane", "anc", ...
	ID() string
	// Title is the human-readable title of the report page.
	Title() string
	// Papers lists the works whose claims this experiment checks.
	Papers() []Citation
	// Run executes the experiment. It must be deterministic given env's
	// profile, seed, data and backend, and should honour ctx cancellation.
	Run(ctx context.Context, env *Env) (*Result, error)
}

// Citation identifies a paper.
type Citation struct {
	Key   string `json:"key"`   // short key used in claims, e.g. "RITEM-CF-AN"
	Title string `json:"title"` // full title
	Ref   string `json:"ref"`   // venue, year, DOI or file in shared/papers
}

// Result is what an experiment produces.
type Result struct {
	Tables  []Table  `json:"tables"`
	Figures []Figure `json:"figures,omitempty"`
	Claims  []Claim  `json:"claims"`
	// Notes are paragraphs of prose: deviations from the paper, caveats.
	Notes []string `json:"notes,omitempty"`
	// DataHash is the content hash of exactly the data used (dataset.Set.Hash),
	// recorded in provenance; "" for experiments that use no images.
	DataHash string `json:"data_hash,omitempty"`
}

// Table is a table of results. Cells are float64, int, string, bool or nil;
// numeric columns keep numbers (not formatted strings) so that results.json
// can be compared cell by cell.
type Table struct {
	Name    string   `json:"name"`
	Caption string   `json:"caption,omitempty"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	// Timing marks tables of wall-clock measurements (benchmarks,
	// throughput): they vary run to run and are excluded from determinism
	// checks and `reproduce -check`.
	Timing bool `json:"timing,omitempty"`
	// Tolerances gives, per column name, the absolute difference that
	// `reproduce -check` accepts for that column (statistical bounds for
	// trained models). Columns not listed must match exactly.
	Tolerances map[string]float64 `json:"tolerances,omitempty"`
}

// AddRow appends a row; it panics if the number of cells does not match the
// number of columns (a programming error).
func (t *Table) AddRow(cells ...any) {
	if len(cells) != len(t.Columns) {
		panic(fmt.Sprintf("table %q: row has %d cells, want %d", t.Name, len(cells), len(t.Columns)))
	}
	t.Rows = append(t.Rows, cells)
}

// FigureKind selects how pkg/report draws a figure.
type FigureKind string

// Figure kinds.
const (
	// KindLine draws each series as a line (with an optional Lower/Upper band).
	KindLine FigureKind = "line"
	// KindBars draws each series as bars at its X positions (histograms).
	KindBars FigureKind = "bars"
	// KindScatter draws each series as points.
	KindScatter FigureKind = "scatter"
	// KindImages shows Images side by side.
	KindImages FigureKind = "images"
)

// Series is one named set of points.
type Series struct {
	Name string    `json:"name"`
	X    []float64 `json:"x"`
	Y    []float64 `json:"y"`
	// Lower and Upper, when set, give a band around Y (e.g. spread over runs).
	Lower []float64 `json:"lower,omitempty"`
	Upper []float64 `json:"upper,omitempty"`
}

// ImagePanel is one image of a KindImages figure.
type ImagePanel struct {
	Title string
	Image *imageio.Gray
}

// Figure is data, not pixels: pkg/report renders it to inline SVG.
type Figure struct {
	// Name is file-name safe and unique within the experiment.
	Name           string
	Title, Caption string
	Kind           FigureKind
	XLabel, YLabel string
	Series         []Series
	Images         []ImagePanel
	// LogY uses a logarithmic y axis.
	LogY bool
	// XMin/XMax/YMin/YMax fix the axis range when Min < Max.
	XMin, XMax, YMin, YMax float64
}

// Verdict is the outcome of checking one paper claim.
type Verdict string

// Verdicts.
const (
	Reproduced    Verdict = "reproduced"
	NotReproduced Verdict = "not_reproduced"
	Inconclusive  Verdict = "inconclusive"
	NotApplicable Verdict = "not_applicable"
)

// Claim is one row of the claims table: what a paper says, what we measured,
// and the verdict. PaperValue and Measured are NaN when there is no number;
// they are written as null in JSON.
type Claim struct {
	Paper      string  // e.g. "RITEM-CF-AN §4"
	Statement  string  // e.g. "NPCR > 99.50 %"
	PaperValue float64 // the paper's number
	Measured   float64 // ours, computed by the experiment (never typed in)
	Unit       string
	Verdict    Verdict
	Why        string // the rule used, and any deviation from the paper's setup
	// Tolerance is the absolute difference in Measured that
	// `reproduce -check` accepts (0: exact; trained models set a bound).
	Tolerance float64
	// Timing marks claims about wall-clock speed (throughput): they vary
	// run to run and machine to machine, so `reproduce -check` skips them.
	Timing bool
}

type claimJSON struct {
	Paper      string   `json:"paper"`
	Statement  string   `json:"statement"`
	PaperValue *float64 `json:"paper_value"`
	Measured   *float64 `json:"measured"`
	Unit       string   `json:"unit"`
	Verdict    Verdict  `json:"verdict"`
	Why        string   `json:"why"`
	Tolerance  float64  `json:"tolerance,omitempty"`
	Timing     bool     `json:"timing,omitempty"`
}

func numOrNil(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func nilToNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// MarshalJSON writes NaN numbers as null, and text without HTML escaping
// (claims say "NPCR > 99.50 %", not "NPCR \u003e 99.50 %").
func (c Claim) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(claimJSON{c.Paper, c.Statement, numOrNil(c.PaperValue), numOrNil(c.Measured), c.Unit, c.Verdict, c.Why, c.Tolerance, c.Timing}); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// UnmarshalJSON reads null numbers as NaN.
func (c *Claim) UnmarshalJSON(b []byte) error {
	var j claimJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Claim{j.Paper, j.Statement, nilToNaN(j.PaperValue), nilToNaN(j.Measured), j.Unit, j.Verdict, j.Why, j.Tolerance, j.Timing}
	return nil
}

// Comparison is how ClaimAtLeast and friends judge a measured value.
type Comparison int

// Comparisons.
const (
	// AtLeast: reproduced when measured ≥ threshold.
	AtLeast Comparison = iota
	// AtMost: reproduced when measured ≤ threshold.
	AtMost
	// Within: reproduced when |measured − paper| ≤ tolerance.
	Within
)

// Check builds a claim whose verdict follows from comparing measured with
// threshold by cmp (tol is used by Within only). A NaN measurement gives
// Inconclusive. why should state the rule and any deviation; the rule is
// appended automatically.
func Check(paper, statement string, paperValue, measured float64, unit string, cmp Comparison, threshold, tol float64, why string) Claim {
	c := Claim{Paper: paper, Statement: statement, PaperValue: paperValue, Measured: measured, Unit: unit}
	var ok bool
	var rule string
	switch cmp {
	case AtLeast:
		ok = measured >= threshold
		rule = fmt.Sprintf("reproduced if measured ≥ %.6g %s", threshold, unit)
	case AtMost:
		ok = measured <= threshold
		rule = fmt.Sprintf("reproduced if measured ≤ %.6g %s", threshold, unit)
	case Within:
		ok = math.Abs(measured-paperValue) <= tol
		rule = fmt.Sprintf("reproduced if |measured − paper| ≤ %.6g %s", tol, unit)
	}
	switch {
	case math.IsNaN(measured):
		c.Verdict = Inconclusive
	case ok:
		c.Verdict = Reproduced
	default:
		c.Verdict = NotReproduced
	}
	c.Why = strings.TrimSpace(rule)
	if why != "" {
		c.Why = c.Why + ". " + why
	}
	return c
}
