package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// verdictWords are the verdicts as the summary sentence names them.
var verdictWords = map[results.Verdict]string{
	results.Reproduced:    "reproduced",
	results.NotReproduced: "not reproduced",
	results.Inconclusive:  "inconclusive",
	results.NotApplicable: "not applicable",
}

// VerdictSummary says how many claims were checked and how they came out,
// every verdict named even when none has it, e.g. "9 claims checked: 6
// reproduced, 2 not reproduced, 0 inconclusive, 1 not applicable." (and
// ", 1 with an unknown verdict" if a claim's verdict is not one of
// results.Verdicts); "No claims checked." for none. It opens every
// experiment page, before the experiment's own results.Result.Summary.
func VerdictSummary(claims []results.Claim) string {
	if len(claims) == 0 {
		return "No claims checked."
	}
	counts := map[results.Verdict]int{}
	unknown := 0
	for _, c := range claims {
		if c.Verdict.Valid() {
			counts[c.Verdict]++
		} else {
			unknown++
		}
	}
	parts := make([]string, 0, len(results.Verdicts)+1)
	for _, v := range results.Verdicts {
		parts = append(parts, fmt.Sprintf("%d %s", counts[v], verdictWords[v]))
	}
	if unknown > 0 {
		parts = append(parts, fmt.Sprintf("%d with an unknown verdict", unknown))
	}
	noun := "claims"
	if len(claims) == 1 {
		noun = "claim"
	}
	return fmt.Sprintf("%d %s checked: %s.", len(claims), noun, strings.Join(parts, ", "))
}

// PaperKey is the citation key a claim's Paper field refers to: the
// longest of the cited keys that Paper starts with as a whole word
// ("RITEM-CF-AN §4, Fig. 9" → "RITEM-CF-AN"), else Paper's first word (up
// to a space or comma).
func PaperKey(paper string, cited []results.Citation) string {
	best := ""
	for _, c := range cited {
		k := c.Key
		if k == "" || len(k) <= len(best) || !strings.HasPrefix(paper, k) {
			continue
		}
		if rest := paper[len(k):]; rest != "" {
			if r, _ := utf8.DecodeRuneInString(rest); unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' {
				continue
			}
		}
		best = k
	}
	if best != "" {
		return best
	}
	if i := strings.IndexAny(paper, " ,"); i >= 0 {
		return paper[:i]
	}
	return paper
}

// byPaper groups the run's claims by the paper they come from (PaperKey),
// papers in order of first citation or claim over the experiments; a paper
// cited without claims gets a row of zeros.
func byPaper(run *Run) []paperRow {
	var cited []results.Citation
	for _, e := range run.Experiments {
		cited = append(cited, e.Papers...)
	}
	var rows []*paperRow
	index := map[string]*paperRow{}
	counts := map[string]map[results.Verdict]int{}
	get := func(key string) *paperRow {
		if r, ok := index[key]; ok {
			return r
		}
		r := &paperRow{Key: key}
		for _, c := range cited {
			if c.Key == key && c.Title != "" {
				r.Title = c.Title
				break
			}
		}
		rows = append(rows, r)
		index[key] = r
		counts[key] = map[results.Verdict]int{}
		return r
	}
	link := func(r *paperRow, e *ExperimentReport, anchor string) {
		for _, l := range r.Experiments {
			if l.ID == e.ID {
				return
			}
		}
		r.Experiments = append(r.Experiments, pageLink{e.ID, e.ID + ".html" + anchor})
	}
	for i := range run.Experiments {
		e := &run.Experiments[i]
		for _, c := range e.Papers { // cited papers first, in citation order
			if c.Key != "" {
				get(c.Key)
			}
		}
		for _, c := range e.result().Claims {
			r := get(PaperKey(c.Paper, cited))
			r.Claims++
			counts[r.Key][c.Verdict]++
			link(r, e, "#claims")
		}
		for _, c := range e.Papers {
			if c.Key != "" {
				link(get(c.Key), e, "#papers")
			}
		}
	}
	out := make([]paperRow, len(rows))
	for i, r := range rows {
		for _, v := range results.Verdicts {
			r.Counts = append(r.Counts, verdictCount{v, counts[r.Key][v]})
		}
		out[i] = *r
	}
	return out
}
