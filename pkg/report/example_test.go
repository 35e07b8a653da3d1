package report_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/provenance"
	"github.com/neurocrypt/neurocrypt/pkg/report"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Example writes a one-experiment report and reads its results.json back.
func Example() {
	dir, err := os.MkdirTemp("", "report-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	prov := provenance.Collect("") // commit, versions, host, start time, command line
	prov.Profile, prov.Seed, prov.Backend, prov.Dataset = "smoke", 1, "go", "synthetic(seed=1)"

	res := &results.Result{
		Claims: []results.Claim{results.Check("Demo §1", "NPCR ≥ 99.5 %", 99.6, 99.61, "%",
			results.AtLeast, 99.5, 0, "")},
		Tables: []results.Table{{Name: "npcr", Columns: []string{"image", "npcr"}, Rows: [][]any{{"a", 99.61}}}},
		Figures: []results.Figure{{Name: "curve", Title: "A curve", Kind: results.KindLine,
			Series: []results.Series{{Name: "y = x²", X: []float64{0, 1, 2}, Y: []float64{0, 1, 4}}}}},
	}
	prov.Finish(prov.Start.Add(2 * time.Second))
	run := &report.Run{Provenance: prov, Experiments: []report.ExperimentReport{
		{ID: "demo", Title: "Demo", Profile: "smoke", Result: res, Duration: 2 * time.Second},
	}}
	if err := report.Write(dir, run); err != nil {
		log.Fatal(err)
	}

	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	figs, _ := filepath.Glob(filepath.Join(dir, "figures", "*"))
	for _, f := range append(files, figs...) {
		rel, _ := filepath.Rel(dir, f)
		fmt.Println(filepath.ToSlash(rel))
	}
	back, err := results.Read(filepath.Join(dir, report.ResultsFile))
	if err != nil {
		log.Fatal(err)
	}
	c := back.Experiments[0].Claims[0]
	fmt.Println(c.Statement, "→", c.Verdict)
	// Output:
	// demo.html
	// figures
	// index.html
	// results.json
	// figures/demo-curve.svg
	// NPCR ≥ 99.5 % → reproduced
}

// ExampleRenderTableHTML renders a table fragment, e.g. for a notebook cell.
func ExampleRenderTableHTML() {
	html, err := report.RenderTableHTML(results.Table{Columns: []string{"n"}, Rows: [][]any{{7}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(html) > 0)
	// Output: true
}
