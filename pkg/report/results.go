package report

import (
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// figureFile is the path of a figure's SVG relative to the report folder.
func figureFile(id, name string) string { return FiguresDir + "/" + id + "-" + name + ".svg" }

// buildResults converts a run to its results.json form.
func buildResults(run *Run) *results.File {
	f := &results.File{Provenance: run.Provenance, Experiments: make([]results.ExperimentResult, 0, len(run.Experiments))}
	for _, e := range run.Experiments {
		r := e.result()
		er := results.ExperimentResult{
			ID: e.ID, Title: e.Title, Profile: e.Profile, Summary: r.Summary,
			Claims: r.Claims, Tables: r.Tables, Notes: r.Notes,
			Figures: make([]results.FigureRef, 0, len(r.Figures)),
		}
		for _, fig := range r.Figures {
			er.Figures = append(er.Figures, results.FigureRef{Name: fig.Name, File: figureFile(e.ID, fig.Name)})
		}
		if e.Kept {
			er.Figures = append(er.Figures, e.FigureRefs...)
		}
		f.Experiments = append(f.Experiments, er)
	}
	return f
}
