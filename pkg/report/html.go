package report

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/plot"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Inline styles of the HTML fragments. They are style attributes (not a
// stylesheet) so that a fragment looks the same in a report page, a
// notebook cell or any other HTML host.
var styles = map[string]string{
	"table":   "border-collapse:collapse;margin:0.4em 0 1.2em 0;font-size:0.92em;font-variant-numeric:tabular-nums",
	"caption": "caption-side:top;text-align:left;padding:0.3em 0;color:#333",
	"th":      "border-bottom:2px solid #888;padding:0.3em 0.6em;text-align:left;background:#f3f3f3;vertical-align:bottom",
	"thnum":   "border-bottom:2px solid #888;padding:0.3em 0.6em;text-align:right;background:#f3f3f3;vertical-align:bottom",
	"td":      "border-bottom:1px solid #ddd;padding:0.25em 0.6em;text-align:left;vertical-align:top",
	"tdnum":   "border-bottom:1px solid #ddd;padding:0.25em 0.6em;text-align:right;vertical-align:top;white-space:nowrap",
	"why":     "border-bottom:1px solid #ddd;padding:0.25em 0.6em;text-align:left;vertical-align:top;color:#444;font-size:0.92em",
	"figure":  "margin:1em 0 1.6em 0",
	"figcap":  "font-size:0.92em;color:#333;margin-top:0.3em",
	"scroll":  "overflow-x:auto",
}

// verdictStyle gives each verdict a badge with colour AND a symbol and word,
// so it reads without colour too.
var verdictStyle = map[results.Verdict]struct{ label, style string }{
	results.Reproduced:    {"✓ reproduced", "background:#d8f0de;color:#0b5a1f;border:1px solid #8cc79b"},
	results.NotReproduced: {"✗ not reproduced", "background:#fbdcdc;color:#8a1010;border:1px solid #e09a9a"},
	results.Inconclusive:  {"? inconclusive", "background:#fff1c4;color:#664b00;border:1px solid #e3c766"},
	results.NotApplicable: {"– not applicable", "background:#ebebeb;color:#444444;border:1px solid #bbbbbb"},
}

const badgeBase = "display:inline-block;padding:0.05em 0.5em;border-radius:0.8em;font-size:0.85em;white-space:nowrap;"

func badgeHTML(v results.Verdict, text string) template.HTML {
	vs, ok := verdictStyle[v]
	if !ok {
		vs = verdictStyle[results.NotApplicable]
		vs.label = string(v)
	}
	if text == "" {
		text = vs.label
	}
	return template.HTML(fmt.Sprintf(`<span class="badge verdict-%s" title="%s" style="%s%s">%s</span>`,
		template.HTMLEscapeString(string(v)), template.HTMLEscapeString(string(v)), badgeBase, vs.style, template.HTMLEscapeString(text)))
}

// pageRef matches a report page's file name in prose ("survey.html").
var pageRef = regexp.MustCompile(`\b[a-z0-9][a-z0-9-]*\.html\b`)

// linkPages escapes text and links every report page it names
// ("survey.html") to that page, a sibling in the report folder.
func linkPages(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range pageRef.FindAllStringIndex(text, -1) {
		b.WriteString(template.HTMLEscapeString(text[last:m[0]]))
		name := template.HTMLEscapeString(text[m[0]:m[1]])
		fmt.Fprintf(&b, `<a href="%s">%s</a>`, name, name)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(text[last:]))
	return template.HTML(b.String())
}

var funcs = template.FuncMap{
	"linkPages": linkPages,
	"css": func(name string) (template.CSS, error) {
		s, ok := styles[name]
		if !ok {
			return "", fmt.Errorf("unknown style %q", name)
		}
		return template.CSS(s), nil
	},
	"badge": func(v results.Verdict) template.HTML { return badgeHTML(v, "") },
	"countBadge": func(v results.Verdict, n int) template.HTML {
		symbol := string(v)
		if f := strings.Fields(verdictStyle[v].label); len(f) > 0 {
			symbol = f[0]
		}
		return badgeHTML(v, symbol+" "+strconv.Itoa(n))
	},
}

// FormatNumber formats a table cell for display: floats with 4 decimals (4
// significant digits below 1, scientific notation below 1e-4 or from 1e9),
// trailing zeros trimmed; integers as integers; NaN and nil as "—"; ±Inf as
// "∞"/"−∞". numeric reports whether the cell is a number (right-aligned).
// Unsupported types are an error.
func FormatNumber(c any) (text string, numeric bool, err error) {
	switch v := c.(type) {
	case nil:
		return "—", false, nil
	case string:
		return v, false, nil
	case bool:
		return strconv.FormatBool(v), false, nil
	case float64:
		return formatFloat(v), true, nil
	case float32:
		return formatFloat(float64(v)), true, nil
	case int:
		return strconv.Itoa(v), true, nil
	case int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(v), true, nil
	default:
		return "", false, fmt.Errorf("unsupported cell type %T (want float, int, string, bool or nil)", c)
	}
}

func formatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "−∞"
	case v == 0:
		return "0"
	}
	a := math.Abs(v)
	if a < 1e-4 || a >= 1e9 {
		return strconv.FormatFloat(v, 'e', 3, 64)
	}
	decimals := 4
	if a < 1 {
		decimals = 3 - int(math.Floor(math.Log10(a)))
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// cell is a formatted table cell.
type cell struct {
	Text    string
	Numeric bool
}

type tableView struct {
	Name, Caption string
	Columns       []cell // Numeric: the column holds only numbers (and blanks)
	Rows          [][]cell
}

func newTableView(t results.Table) (tableView, error) {
	tv := tableView{Name: t.Name, Caption: t.Caption, Columns: make([]cell, len(t.Columns))}
	numCol := make([]bool, len(t.Columns))
	for j := range numCol {
		numCol[j] = len(t.Rows) > 0
	}
	for i, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return tv, fmt.Errorf("table %q row %d: %d cells for %d columns", t.Name, i, len(row), len(t.Columns))
		}
		cells := make([]cell, len(row))
		for j, c := range row {
			text, numeric, err := FormatNumber(c)
			if err != nil {
				return tv, fmt.Errorf("table %q row %d column %q: %w", t.Name, i, t.Columns[j], err)
			}
			cells[j] = cell{text, numeric}
			if !numeric && c != nil {
				numCol[j] = false
			}
		}
		tv.Rows = append(tv.Rows, cells)
	}
	for j, name := range t.Columns {
		tv.Columns[j] = cell{name, numCol[j]}
		for i := range tv.Rows {
			if numCol[j] {
				tv.Rows[i][j].Numeric = true // blanks in a numeric column align right too
			}
		}
	}
	return tv, nil
}

type claimView struct {
	Experiment, Link       string // set in the index's aggregated table
	Paper, Statement, Unit string
	PaperValue, Measured   string
	Verdict                results.Verdict
	Why                    string
}

type claimsView struct {
	WithExperiment bool
	Claims         []claimView
}

func newClaimView(c results.Claim) claimView {
	return claimView{Paper: c.Paper, Statement: c.Statement, Unit: c.Unit,
		PaperValue: formatFloat(c.PaperValue), Measured: formatFloat(c.Measured), Verdict: c.Verdict, Why: c.Why}
}

type figureView struct {
	Name, Title, Caption string
	SVG                  template.HTML
	File                 string // link to the SVG file; "" for none
}

const fragmentTemplates = `
{{define "table"}}<div class="table" style="{{css "scroll"}}"><table style="{{css "table"}}">
{{- if or .Name .Caption}}<caption style="{{css "caption"}}">{{if .Name}}<b>{{.Name}}</b>{{end}}{{if and .Name .Caption}}. {{end}}{{.Caption}}</caption>{{end}}
<thead><tr>{{range .Columns}}<th{{if .Numeric}} class="num" style="{{css "thnum"}}"{{else}} style="{{css "th"}}"{{end}}>{{.Text}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td{{if .Numeric}} class="num" style="{{css "tdnum"}}"{{else}} style="{{css "td"}}"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody></table></div>
{{end}}

{{define "claims"}}<div class="claims" style="{{css "scroll"}}"><table style="{{css "table"}}">
<thead><tr>{{if .WithExperiment}}<th style="{{css "th"}}">experiment</th>{{end}}<th style="{{css "th"}}">paper</th><th style="{{css "th"}}">claim</th><th class="num" style="{{css "thnum"}}">paper value</th><th class="num" style="{{css "thnum"}}">measured</th><th style="{{css "th"}}">unit</th><th style="{{css "th"}}">verdict</th><th style="{{css "th"}}">why</th></tr></thead>
<tbody>
{{$with := .WithExperiment}}{{range .Claims}}<tr>{{if $with}}<td style="{{css "td"}}"><a href="{{.Link}}">{{.Experiment}}</a></td>{{end}}<td style="{{css "td"}}">{{.Paper}}</td><td style="{{css "td"}}">{{.Statement}}</td><td class="num" style="{{css "tdnum"}}">{{.PaperValue}}</td><td class="num" style="{{css "tdnum"}}">{{.Measured}}</td><td style="{{css "td"}}">{{.Unit}}</td><td style="{{css "td"}}">{{badge .Verdict}}</td><td style="{{css "why"}}">{{.Why}}</td></tr>
{{else}}<tr><td style="{{css "td"}}" colspan="{{if $with}}8{{else}}7{{end}}">no claims</td></tr>
{{end}}</tbody></table></div>
{{end}}

{{define "figure"}}<figure class="figure" id="figure-{{.Name}}" style="{{css "figure"}}">
<div style="{{css "scroll"}}">{{.SVG}}</div>
<figcaption style="{{css "figcap"}}">{{if .Title}}<b>{{.Title}}.</b> {{end}}{{.Caption}}{{if .File}} <a href="{{.File}}">SVG</a>{{end}}</figcaption>
</figure>
{{end}}
`

// fragments holds the templates shared by pages and the Render* functions.
var fragments = template.Must(template.New("fragments").Funcs(funcs).Parse(fragmentTemplates))

func execute(tmpl *template.Template, name string, data any) (string, error) {
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// RenderFigureSVG renders fig to a standalone SVG document (see pkg/plot).
func RenderFigureSVG(fig results.Figure) (string, error) { return plot.SVG(fig) }

// RenderFigureHTML renders fig as an HTML <figure> fragment: the inline SVG
// followed by its title and caption.
func RenderFigureHTML(fig results.Figure) (string, error) {
	fv, err := newFigureView(fig, "")
	if err != nil {
		return "", err
	}
	return execute(fragments, "figure", fv)
}

func newFigureView(fig results.Figure, file string) (figureView, error) {
	svg, err := plot.SVG(fig)
	if err != nil {
		return figureView{}, err
	}
	// The SVG comes from pkg/plot, which escapes every text it writes.
	return figureView{Name: fig.Name, Title: fig.Title, Caption: fig.Caption, SVG: template.HTML(svg), File: file}, nil
}

// RenderTableHTML renders t as an HTML <table> fragment with inline styles:
// numbers right-aligned and formatted by FormatNumber, the name and caption
// as the table caption. Unsupported cell types are an error.
func RenderTableHTML(t results.Table) (string, error) {
	tv, err := newTableView(t)
	if err != nil {
		return "", err
	}
	return execute(fragments, "table", tv)
}

// RenderClaimsHTML renders claims as an HTML <table> fragment with inline
// styles and a coloured badge (with symbol and word) per verdict.
func RenderClaimsHTML(claims []results.Claim) (string, error) {
	cv := claimsView{}
	for _, c := range claims {
		cv.Claims = append(cv.Claims, newClaimView(c))
	}
	return execute(fragments, "claims", cv)
}
