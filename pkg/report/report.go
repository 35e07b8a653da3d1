// Package report writes the reproduced results as a self-contained report
// folder: index.html, one <experiment-id>.html page per experiment,
// results.json and figures/<id>-<figure>.svg.
//
// Pages use inline CSS and inline SVG only: no script, no external
// stylesheet, font or image, so a report opens offline and can be archived
// as is. Every page carries the run's provenance (commit, versions, backend,
// device, profile, seed, dataset and its hash, host, times, command line).
//
// Write renders everything in memory first and only then writes, figures
// first and results.json and index.html last, each file atomically; a
// failed or killed run never leaves an index that points to missing pages.
//
// The HTML fragment renderers (RenderTableHTML, RenderClaimsHTML,
// RenderFigureHTML, RenderFigureSVG) carry their styles inline, so the
// notebook display helpers reuse them unchanged.
package report

import (
	"fmt"
	"html/template"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/atomicfile"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// File names inside a report folder.
const (
	IndexFile   = "index.html"
	ResultsFile = results.FileName
	FiguresDir  = "figures"
	// IndexTitle is the title of the index page.
	IndexTitle = "neurocrypt — reproduced results"
	filePerm   = 0o644
)

// ExperimentReport is one experiment's outcome as shown in the report.
type ExperimentReport struct {
	// ID names the page (<ID>.html) and prefixes figure files; it must be
	// file-name safe (letters, digits, '-', '_', '.') and not "index".
	ID      string
	Title   string
	Profile string
	Papers  []results.Citation
	// Result may be nil for an experiment that produced nothing.
	Result   *results.Result
	Duration time.Duration
	// Provenance, when set, replaces the run's provenance on this
	// experiment's page (e.g. an experiment run on another device).
	Provenance *results.Provenance
	// Kept marks an experiment carried over from an earlier run of the same
	// profile and seed (`reproduce -only` of other experiments): Write lists
	// it in index.html and results.json but leaves its page and figures as
	// they are. Its figures are named by FigureRefs.
	Kept       bool
	FigureRefs []results.FigureRef
}

// Kept returns the entry of results.json as an ExperimentReport to carry
// over into a new run's report (see ExperimentReport.Kept).
func Kept(er results.ExperimentResult) ExperimentReport {
	res := &results.Result{Summary: er.Summary, Claims: er.Claims, Notes: er.Notes, Tables: er.Tables}
	return ExperimentReport{ID: er.ID, Title: er.Title, Profile: er.Profile, Result: res, Kept: true, FigureRefs: er.Figures}
}

func (e *ExperimentReport) result() *results.Result {
	if e.Result == nil {
		return &results.Result{}
	}
	return e.Result
}

func (e *ExperimentReport) provenance(run *Run) results.Provenance {
	if e.Provenance != nil {
		return *e.Provenance
	}
	return run.Provenance
}

// Run is everything one `neurocrypt reproduce` produced.
type Run struct {
	Provenance  results.Provenance
	Experiments []ExperimentReport
	// Pending lists, in a sharded run (suite.Options.Shard), the
	// experiments with units left to other shards; they are not in
	// Experiments. Never written.
	Pending []string
}

// safeName is what experiment IDs and figure names may look like.
var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func validate(run *Run) error {
	ids := map[string]bool{}
	for i, e := range run.Experiments {
		if !safeName.MatchString(e.ID) || e.ID == "index" {
			return fmt.Errorf("experiment %d: ID %q is not a safe file name (letters, digits, '-', '_', '.'; not \"index\")", i, e.ID)
		}
		if ids[e.ID] {
			return fmt.Errorf("experiment ID %q appears twice", e.ID)
		}
		ids[e.ID] = true
		names := map[string]bool{}
		for j, f := range e.result().Figures {
			if !safeName.MatchString(f.Name) {
				return fmt.Errorf("experiment %q figure %d: name %q is not a safe file name", e.ID, j, f.Name)
			}
			if names[f.Name] {
				return fmt.Errorf("experiment %q: figure name %q appears twice", e.ID, f.Name)
			}
			names[f.Name] = true
		}
	}
	return nil
}

// output is one file to write, relative to the report folder.
type output struct {
	path string
	data []byte
}

// Write writes the report for run into dir: figures/*.svg, one page per
// experiment, results.json and index.html. Everything is rendered before
// anything is written, so invalid input (a bad figure, an unsupported table
// cell, an unsafe ID) writes nothing; then the folder is replaced as a
// whole (atomicfile.WriteDir): the new files and those of earlier runs
// this run does not produce (kept experiments' pages, notebooks/, ...) go
// into a fresh sibling folder that takes dir's place in one step. A killed
// run leaves the old report or the new one, never a mix; temporaries of
// killed runs are removed; dir may not be a symbolic link.
func Write(dir string, run *Run) error {
	if run == nil {
		return fmt.Errorf("report %s: nil run", dir)
	}
	if err := validate(run); err != nil {
		return fmt.Errorf("report %s: %w", dir, err)
	}
	var figures, pages []output
	for i := range run.Experiments {
		e := &run.Experiments[i]
		if e.Kept {
			continue
		}
		page, figs, err := renderExperiment(run, e)
		if err != nil {
			return fmt.Errorf("report %s: experiment %q: %w", dir, e.ID, err)
		}
		figures = append(figures, figs...)
		pages = append(pages, output{e.ID + ".html", page})
	}
	resJSON, err := results.Encode(buildResults(run))
	if err != nil {
		return fmt.Errorf("report %s: %w", dir, err)
	}
	index, err := renderIndex(run)
	if err != nil {
		return fmt.Errorf("report %s: index: %w", dir, err)
	}
	all := append(append(figures, pages...), output{ResultsFile, resJSON}, output{IndexFile, index})
	// The folder switches as a whole: a killed run leaves the previous
	// report or this one, never pages of both.
	err = atomicfile.WriteDir(dir, func(tmp string) error {
		for _, o := range all {
			if err := atomicfile.WriteFile(filepath.Join(tmp, filepath.FromSlash(o.path)), o.data, filePerm); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// pageData is what the page templates see.
type pageData struct {
	Title      string
	Provenance []field
	Summary    results.Provenance
	// Experiment page.
	ID, Profile, Duration string
	DataHash              string // results.Result.DataHash
	IsExperiment          bool
	// Verdicts is VerdictSummary of the claims; Outcome is
	// results.Result.Summary. Together they open the page.
	Verdicts, Outcome string
	Papers            []results.Citation
	Notes             []string
	Claims            claimsView
	Tables            []tableView
	Figures           []figureView
	// Index page.
	Experiments []experimentRow
	ByPaper     []paperRow
}

// paperRow is one line of the index's verdicts-by-paper table.
type paperRow struct {
	Key, Title  string
	Claims      int
	Counts      []verdictCount // in results.Verdicts order
	Experiments []pageLink     // the pages that cite it or judge its claims
}

type pageLink struct{ ID, Link string }

type experimentRow struct {
	ID, Title, Profile, Duration, Link string
	Counts                             []verdictCount
	Claims                             int
}

type verdictCount struct {
	Verdict results.Verdict
	N       int
}

func formatDuration(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

func renderExperiment(run *Run, e *ExperimentReport) ([]byte, []output, error) {
	r := e.result()
	prov := e.provenance(run)
	pd := pageData{
		Title: e.Title, ID: e.ID, Profile: e.Profile, Duration: formatDuration(e.Duration), IsExperiment: true,
		Provenance: provenanceFields(prov), Summary: prov, Papers: e.Papers, Notes: r.Notes, DataHash: r.DataHash,
		Verdicts: VerdictSummary(r.Claims), Outcome: r.Summary,
	}
	if pd.Title == "" {
		pd.Title = e.ID
	}
	for _, c := range r.Claims {
		pd.Claims.Claims = append(pd.Claims.Claims, newClaimView(c))
	}
	for _, t := range r.Tables {
		tv, err := newTableView(t)
		if err != nil {
			return nil, nil, err
		}
		pd.Tables = append(pd.Tables, tv)
	}
	var figs []output
	for _, f := range r.Figures {
		file := figureFile(e.ID, f.Name)
		fv, err := newFigureView(f, file)
		if err != nil {
			return nil, nil, err
		}
		pd.Figures = append(pd.Figures, fv)
		figs = append(figs, output{file, []byte(fv.SVG)})
	}
	page, err := execute(pages, "experiment", pd)
	if err != nil {
		return nil, nil, err
	}
	return []byte(page), figs, nil
}

func renderIndex(run *Run) ([]byte, error) {
	pd := pageData{Title: IndexTitle, Provenance: provenanceFields(run.Provenance), Summary: run.Provenance,
		Claims: claimsView{WithExperiment: true}}
	for _, e := range run.Experiments {
		r := e.result()
		row := experimentRow{ID: e.ID, Title: e.Title, Profile: e.Profile, Duration: formatDuration(e.Duration),
			Link: e.ID + ".html", Claims: len(r.Claims)}
		if row.Title == "" {
			row.Title = e.ID
		}
		counts := map[results.Verdict]int{}
		for _, c := range r.Claims {
			counts[c.Verdict]++
			cv := newClaimView(c)
			cv.Experiment, cv.Link = e.ID, row.Link
			pd.Claims.Claims = append(pd.Claims.Claims, cv)
		}
		for _, v := range results.Verdicts {
			row.Counts = append(row.Counts, verdictCount{v, counts[v]})
		}
		pd.Experiments = append(pd.Experiments, row)
	}
	pd.ByPaper = byPaper(run)
	page, err := execute(pages, "index", pd)
	return []byte(page), err
}

// StyleSheet is the page-level CSS of report pages (layout, headings,
// print rules). Fragments don't need it: their styles are inline.
const StyleSheet = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Helvetica, Arial, sans-serif;
       max-width: 1150px; margin: 0 auto; padding: 1em 1.5em 3em 1.5em; color: #222; line-height: 1.45; background: #fff; }
h1 { font-size: 1.6em; margin: 0.4em 0 0.2em 0; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
a { color: #0b5cad; }
nav { font-size: 0.9em; margin-bottom: 0.5em; }
.meta { color: #555; font-size: 0.92em; }
.prov-line { font-size: 0.85em; color: #555; font-family: ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
details.provenance { background: #f7f7f7; border: 1px solid #ddd; border-radius: 4px; padding: 0.4em 0.8em; margin: 0.8em 0; }
details.provenance summary { cursor: pointer; font-weight: 600; }
details.provenance td { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.9em; padding: 0.1em 0.8em 0.1em 0; vertical-align: top; word-break: break-all; }
.stance { border-left: 4px solid #D55E00; background: #fff6ef; padding: 0.6em 1em; margin: 1em 0; }
ul.papers li { margin-bottom: 0.3em; }
p.summary { font-size: 1.05em; background: #f4f8fc; border-left: 4px solid #0b5cad; padding: 0.6em 1em; margin: 1em 0; }
.meta { overflow-wrap: anywhere; }
div.table, div.claims, figure { max-width: 100%; }
figure svg, img { max-width: 100%; height: auto; }
footer { margin-top: 3em; font-size: 0.85em; color: #666; border-top: 1px solid #ddd; padding-top: 0.5em; }
@media print {
  nav { display: none; }
  body { max-width: none; padding: 0; }
  figure, table { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
`

const pageTemplates = `
{{define "head"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta name="generator" content="neurocrypt" />
<title>{{.Title}}</title>
<style>{{stylesheet}}</style>
</head>
<body>
{{end}}

{{define "provenance"}}<p class="prov-line">commit {{.Summary.Commit}}{{if .Summary.Dirty}} (dirty){{end}} · profile {{.Summary.Profile}} · seed {{.Summary.Seed}} · dataset {{.Summary.Dataset}} · backend {{.Summary.Backend}} · {{.Summary.Host}}</p>
<details class="provenance"><summary>Provenance</summary>
<table>
{{range .Provenance}}<tr><td>{{.Key}}</td><td>{{.Value}}</td></tr>
{{end}}</table>
</details>
{{end}}

{{define "foot"}}<footer>Generated by <code>{{generatedBy .Summary.Command}}</code>. Regenerate with: <code>{{.Summary.Command}}</code></footer>
</body>
</html>
{{end}}

{{define "experiment"}}{{template "head" .}}<nav><a href="index.html">← all experiments</a></nav>
<h1>{{.Title}}</h1>
<p class="meta">experiment <code>{{.ID}}</code> · profile {{.Profile}} · run time {{.Duration}}{{if .DataHash}} · data hash <code>{{.DataHash}}</code>{{end}}</p>
{{template "provenance" .}}
<p class="summary"><b>{{.Verdicts}}</b>{{if .Outcome}} {{.Outcome}}{{end}}</p>
<h2 id="claims">Claims</h2>
{{template "claims" .Claims}}
{{if .Figures}}<h2 id="figures">Figures</h2>
{{range .Figures}}{{template "figure" .}}{{end}}{{end}}
{{if .Tables}}<h2 id="tables">Tables</h2>
{{range .Tables}}{{template "table" .}}{{end}}{{end}}
{{if .Notes}}<h2 id="notes">Notes</h2>
{{range .Notes}}<p>{{linkPages .}}</p>
{{end}}{{end}}{{if .Papers}}<h2 id="papers">Papers</h2>
<ul class="papers">{{range .Papers}}<li><b>{{.Key}}</b>{{if .Title}} — {{.Title}}{{end}}{{if .Ref}} <span class="meta">({{.Ref}})</span>{{end}}</li>
{{end}}</ul>
{{end}}{{template "foot" .}}{{end}}

{{define "index"}}{{template "head" .}}<h1>{{.Title}}</h1>
{{template "provenance" .}}
<div class="stance"><b>Security stance.</b> The ciphers reproduced here are research artefacts from the papers
under study. neurocrypt implements them to test the papers' claims, not to protect data: they have not been vetted,
and some are known to be weak. The baseline in these reports is AES-CTR (Go's standard library), shown for
comparison; for real data use a standard authenticated cipher such as AES-GCM.</div>
<h2>Experiments</h2>
<div style="{{css "scroll"}}"><table style="{{css "table"}}">
<thead><tr><th style="{{css "th"}}">experiment</th><th style="{{css "th"}}">id</th><th style="{{css "th"}}">profile</th><th class="num" style="{{css "thnum"}}">run time</th><th class="num" style="{{css "thnum"}}">claims</th><th style="{{css "th"}}">verdicts</th></tr></thead>
<tbody>
{{range .Experiments}}<tr><td style="{{css "td"}}"><a href="{{.Link}}">{{.Title}}</a></td><td style="{{css "td"}}"><code>{{.ID}}</code></td><td style="{{css "td"}}">{{.Profile}}</td><td class="num" style="{{css "tdnum"}}">{{.Duration}}</td><td class="num" style="{{css "tdnum"}}">{{.Claims}}</td><td style="{{css "td"}}">{{range .Counts}}{{if .N}}{{countBadge .Verdict .N}} {{end}}{{end}}</td></tr>
{{else}}<tr><td style="{{css "td"}}" colspan="6">no experiments</td></tr>
{{end}}</tbody></table></div>
<h2>Verdicts by paper</h2>
<div style="{{css "scroll"}}"><table style="{{css "table"}}">
<thead><tr><th style="{{css "th"}}">paper</th><th class="num" style="{{css "thnum"}}">claims</th>{{range verdicts}}<th class="num" style="{{css "thnum"}}">{{verdictLabel .}}</th>{{end}}<th style="{{css "th"}}">pages</th></tr></thead>
<tbody>
{{range .ByPaper}}<tr><td style="{{css "td"}}"><b>{{.Key}}</b>{{if .Title}} — {{.Title}}{{end}}</td><td class="num" style="{{css "tdnum"}}">{{.Claims}}</td>{{range .Counts}}<td class="num" style="{{css "tdnum"}}">{{if .N}}{{countBadge .Verdict .N}}{{else}}0{{end}}</td>{{end}}<td style="{{css "td"}}">{{range $i, $e := .Experiments}}{{if $i}}, {{end}}<a href="{{$e.Link}}">{{$e.ID}}</a>{{end}}</td></tr>
{{else}}<tr><td style="{{css "td"}}" colspan="7">no papers cited</td></tr>
{{end}}</tbody></table></div>
<h2>All claims</h2>
{{template "claims" .Claims}}
{{template "foot" .}}{{end}}
`

var pages = template.Must(template.Must(fragments.Clone()).Funcs(template.FuncMap{
	"stylesheet":   func() template.CSS { return template.CSS(StyleSheet) },
	"verdicts":     func() []results.Verdict { return results.Verdicts },
	"verdictLabel": func(v results.Verdict) string { return verdictStyle[v].label },
	"generatedBy":  GeneratedBy,
}).Parse(pageTemplates))

// GeneratedBy names the neurocrypt command of a run's command line (as
// recorded in provenance, e.g. "go run ./cmd/neurocrypt bench -profile
// quick"): "neurocrypt reproduce" or "neurocrypt bench", else
// "neurocrypt". Pages say it in their footer. Ours.
func GeneratedBy(command string) string {
	for _, f := range strings.Fields(command) {
		if f == "reproduce" || f == "bench" {
			return "neurocrypt " + f
		}
	}
	return "neurocrypt"
}
