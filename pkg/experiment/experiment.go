// Package experiment defines the contract between the reproduced paper
// sections and everything that shows them: an Experiment runs in an Env and
// returns a results.Result of tables, figures, claims and notes, which
// pkg/report renders to HTML and results.json and pkg/nbdisplay shows in
// notebooks.
//
// Concrete experiments live in sub-packages (e.g. experiment/bitplane);
// pkg/suite lists them all.
package experiment

import (
	"context"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Experiment is one reproduced paper section.
type Experiment interface {
	// ID is a short, file-name-safe identifier: "bitplane", "anc", ...
	ID() string
	// Title is the human-readable title of the report page.
	Title() string
	// Papers lists the works whose claims this experiment checks.
	Papers() []results.Citation
	// Run executes the experiment. It must be deterministic given env's
	// profile, seed, data and backend, and should honour ctx cancellation.
	Run(ctx context.Context, env *Env) (*results.Result, error)
}

// ForProfile returns the settings of profile p from an experiment's
// per-profile table, or an error naming the experiment when p has none.
// Every experiment keeps its sizes in one such table (its ProfileSettings).
func ForProfile[S any](id string, table map[Profile]S, p Profile) (S, error) {
	s, ok := table[p]
	if !ok {
		var zero S
		return zero, fmt.Errorf("%s: no settings for profile %q", id, p)
	}
	return s, nil
}
