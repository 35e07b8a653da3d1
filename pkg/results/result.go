package results

import (
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Citation identifies a paper.
type Citation struct {
	Key   string `json:"key"`   // short key used in claims, e.g. "RITEM-CF-AN"
	Title string `json:"title"` // full title
	Ref   string `json:"ref"`   // venue, year, DOI or file in shared/papers
}

// Result is what an experiment produces. It is cached with encoding/gob
// (exact for NaN and ±Inf), so every field is gob-encodable.
type Result struct {
	// Summary is the experiment's headline outcome in one or two
	// sentences, built from its measured numbers (never typed in), e.g.
	// "over 4 crops the cipher reaches NPCR 99.75 %". The report shows it
	// first on the page, after the verdict counts. Optional: "" shows the
	// counts alone. It must not quote wall-clock timings (results.json is
	// compared across runs without them).
	Summary string
	// Tables are shown in order; their cells are compared by `reproduce -check`.
	Tables []Table
	// Figures are drawn by pkg/plot (written as figures/<id>-<name>.svg).
	Figures []Figure
	// Claims are the experiment's rows of the claims table.
	Claims []Claim
	// Notes are paragraphs of prose: deviations from the paper, caveats.
	Notes []string
	// DataHash is the content hash of exactly the data used (see
	// dataset.Plan.Hash), recorded in provenance; "" for experiments that
	// use no images.
	DataHash string
}

// Table is a table of results. Cells are float64, int, string, bool or nil;
// numeric columns keep numbers (not formatted strings) so that results.json
// can be compared cell by cell. After Read, cells are float64, int, string,
// bool or nil (nil where a NaN or ±Inf was written).
type Table struct {
	// Name identifies the table within its experiment (check matches tables by it).
	Name string `json:"name"`
	// Caption says what the table measures, how, and its tolerances.
	Caption string `json:"caption,omitempty"`
	// Columns are the column headings, units included ("NPCR %").
	Columns []string `json:"columns"`
	// Rows hold len(Columns) cells each; the first cell labels the row.
	Rows [][]any `json:"rows"`
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

// FigureKind selects how a figure is drawn (pkg/plot).
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
	// Name is the legend entry.
	Name string `json:"name"`
	// X and Y are the points, of equal length (NaN/±Inf points are skipped).
	X []float64 `json:"x"`
	Y []float64 `json:"y"`
	// Lower and Upper, when set, give a band around Y (e.g. spread over runs).
	Lower []float64 `json:"lower,omitempty"`
	Upper []float64 `json:"upper,omitempty"`
}

// ImagePanel is one image of a KindImages figure.
type ImagePanel struct {
	// Title is shown above the image.
	Title string
	// Image is drawn pixel for pixel (scaled to the panel).
	Image *imageio.Gray
}

// Figure is data, not pixels: pkg/plot renders it to SVG. results.json
// names each figure and its SVG file (FigureRef), not its data.
type Figure struct {
	// Name is file-name safe and unique within the experiment.
	Name string
	// Title is drawn above the figure; Caption below it.
	Title, Caption string
	// Kind selects how Series or Images are drawn.
	Kind FigureKind
	// XLabel and YLabel label the axes (units included).
	XLabel, YLabel string
	// XCategories, when set, makes the x axis categorical: category i
	// (from 0) sits at x = i+1 and is labelled with its name instead of a
	// number (bar charts of one value per cipher).
	XCategories []string
	// Series are the data of line, bar and scatter figures.
	Series []Series
	// Images are the panels of a KindImages figure.
	Images []ImagePanel
	// LogY uses a logarithmic y axis.
	LogY bool
	// XMin/XMax/YMin/YMax fix the axis range when Min < Max.
	XMin, XMax, YMin, YMax float64
}

// FigureRef names a figure and its SVG file, relative to the report folder.
type FigureRef struct {
	// Name is the figure's Name.
	Name string `json:"name"`
	// File is the SVG's path relative to the report folder.
	File string `json:"file"`
}
