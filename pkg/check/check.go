// Package check compares two results.json files cell by cell — every table
// cell and every claim — and lists what diverges. It backs
// `neurocrypt reproduce -check`.
//
// Rules: tables and claims marked "timing" are skipped (wall-clock numbers
// vary run to run); a numeric cell matches when |got − ref| ≤ the column's
// tolerance (0, i.e. exact, when absent); strings, booleans and nulls must
// be equal; a claim matches when its verdict is equal and its measured
// value is within the claim's tolerance. Timing flags and tolerances are
// taken from the new results — what the code that ran says — never from the
// reference under test, so a reference that marks everything as timing or
// carries huge tolerances cannot pass. Experiments,
// tables, rows or claims present on one side only are differences too.
// Provenance is never compared.
package check

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// Difference is one divergence between the reference and the new results.
type Difference struct {
	Experiment string  // experiment ID
	Where      string  // e.g. `table "security" row 2 column "NPCR mean"`, `claim "…"`
	Ref, Got   string  // the values, formatted
	Delta      float64 // |got − ref| for numbers, NaN otherwise
	Tolerance  float64 // the tolerance that was applied
}

// Compare lists the differences of got against ref, restricted to the
// experiments in only (all when empty).
func Compare(ref, got *results.File, only []string) []Difference {
	want := map[string]bool{}
	for _, id := range only {
		want[id] = true
	}
	sel := func(id string) bool { return len(want) == 0 || want[id] }
	var diffs []Difference
	gotByID := map[string]int{}
	for i, e := range got.Experiments {
		gotByID[e.ID] = i
	}
	refIDs := map[string]bool{}
	for _, re := range ref.Experiments {
		if !sel(re.ID) {
			continue
		}
		refIDs[re.ID] = true
		gi, ok := gotByID[re.ID]
		if !ok {
			diffs = append(diffs, Difference{Experiment: re.ID, Where: "experiment", Ref: "present", Got: "missing", Delta: math.NaN()})
			continue
		}
		ge := got.Experiments[gi]
		// Tables by name.
		gotTables := map[string]int{}
		for i, t := range ge.Tables {
			gotTables[t.Name] = i
		}
		for _, rt := range re.Tables {
			ti, ok := gotTables[rt.Name]
			if !ok {
				diffs = append(diffs, Difference{Experiment: re.ID, Where: fmt.Sprintf("table %q", rt.Name), Ref: "present", Got: "missing", Delta: math.NaN()})
				continue
			}
			// Timing flags and tolerances come from the new run — the code
			// that made it — never from the file under test.
			gt := ge.Tables[ti]
			if gt.Timing {
				continue
			}
			// Cells are compared column by column name: a column added or
			// removed (a cipher registered since the reference) is one
			// difference, not a shifted comparison of every cell after it.
			sameCols := strings.Join(gt.Columns, "\x00") == strings.Join(rt.Columns, "\x00")
			gotCol := map[string]int{}
			if !sameCols {
				diffs = append(diffs, Difference{Experiment: re.ID, Where: fmt.Sprintf("table %q columns", rt.Name),
					Ref: strings.Join(rt.Columns, ", "), Got: strings.Join(gt.Columns, ", "), Delta: math.NaN()})
				for j, name := range gt.Columns {
					if _, dup := gotCol[name]; dup {
						gotCol[name] = -1 // ambiguous
					} else {
						gotCol[name] = j
					}
				}
			}
			if len(gt.Rows) != len(rt.Rows) {
				diffs = append(diffs, Difference{Experiment: re.ID, Where: fmt.Sprintf("table %q rows", rt.Name),
					Ref: fmt.Sprint(len(rt.Rows)), Got: fmt.Sprint(len(gt.Rows)), Delta: math.NaN()})
			}
			for r := 0; r < len(rt.Rows) && r < len(gt.Rows); r++ {
				for c := 0; c < len(rt.Rows[r]); c++ {
					col := fmt.Sprint(c)
					if c < len(rt.Columns) {
						col = rt.Columns[c]
					}
					gc := c
					if !sameCols {
						j, ok := gotCol[col]
						if !ok || j < 0 || c >= len(rt.Columns) {
							continue // the column difference above says it
						}
						gc = j
					}
					var gv any = "(missing)"
					if gc < len(gt.Rows[r]) {
						gv = gt.Rows[r][gc]
					}
					tol := gt.Tolerances[col]
					if d, ok := cellDiff(rt.Rows[r][c], gv, tol); !ok {
						d.Experiment = re.ID
						d.Where = fmt.Sprintf("table %q row %d (%s) column %q", rt.Name, r+1, rowLabel(rt.Rows[r]), col)
						diffs = append(diffs, d)
					}
				}
			}
		}
		refTables := map[string]bool{}
		for _, rt := range re.Tables {
			refTables[rt.Name] = true
		}
		for _, gt := range ge.Tables {
			if !gt.Timing && !refTables[gt.Name] {
				diffs = append(diffs, Difference{Experiment: re.ID, Where: fmt.Sprintf("table %q", gt.Name), Ref: "missing", Got: "present", Delta: math.NaN()})
			}
		}
		// Claims by paper + statement; a key used twice is itself a difference
		// (the comparison would be ambiguous).
		type ck struct{ p, s string }
		gotClaims := map[ck]int{}
		for i, c := range ge.Claims {
			k := ck{c.Paper, c.Statement}
			if _, dup := gotClaims[k]; dup {
				diffs = append(diffs, Difference{Experiment: re.ID, Where: fmt.Sprintf("claim %q (%s) appears twice in the new results", c.Statement, c.Paper), Delta: math.NaN()})
			}
			gotClaims[k] = i
		}
		refClaims := map[ck]bool{}
		for _, rc := range re.Claims {
			k := ck{rc.Paper, rc.Statement}
			if refClaims[k] {
				diffs = append(diffs, Difference{Experiment: re.ID, Where: fmt.Sprintf("claim %q (%s) appears twice in the reference", rc.Statement, rc.Paper), Delta: math.NaN()})
			}
			refClaims[k] = true
		}
		for _, gc := range ge.Claims {
			if !gc.Timing && !refClaims[ck{gc.Paper, gc.Statement}] {
				diffs = append(diffs, Difference{Experiment: re.ID, Where: fmt.Sprintf("claim %q (%s)", gc.Statement, gc.Paper), Ref: "missing", Got: "present", Delta: math.NaN()})
			}
		}
		for _, rc := range re.Claims {
			where := fmt.Sprintf("claim %q (%s)", rc.Statement, rc.Paper)
			gi, ok := gotClaims[ck{rc.Paper, rc.Statement}]
			if !ok {
				diffs = append(diffs, Difference{Experiment: re.ID, Where: where, Ref: "present", Got: "missing", Delta: math.NaN()})
				continue
			}
			gc := ge.Claims[gi]
			if gc.Timing {
				continue
			}
			if gc.Verdict != rc.Verdict {
				diffs = append(diffs, Difference{Experiment: re.ID, Where: where + " verdict", Ref: string(rc.Verdict), Got: string(gc.Verdict), Delta: math.NaN()})
			}
			if d, ok := cellDiff(claimValue(rc.Measured), claimValue(gc.Measured), gc.Tolerance); !ok {
				d.Experiment = re.ID
				d.Where = where + " measured"
				diffs = append(diffs, d)
			}
		}
	}
	for _, ge := range got.Experiments {
		if sel(ge.ID) && !refIDs[ge.ID] {
			diffs = append(diffs, Difference{Experiment: ge.ID, Where: "experiment", Ref: "missing", Got: "present", Delta: math.NaN()})
		}
	}
	return diffs
}

func rowLabel(row []any) string {
	if len(row) > 0 {
		if s, ok := row[0].(string); ok {
			return s
		}
	}
	return "…"
}

// claimValue is a claim's measured value as a cell: nil when it has none
// (NaN, written as null).
func claimValue(x float64) any {
	if math.IsNaN(x) {
		return nil
	}
	return x
}

// number returns a numeric cell (float64 or int, as results.Read gives
// them) as a float64.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}

// cellDiff compares two cells; ok is true when they match. Numbers match
// when they differ by at most tol (an integer and a float of equal value
// match, as they did when every number was read as a float); anything else
// must be equal.
func cellDiff(ref, got any, tol float64) (Difference, bool) {
	d := Difference{Ref: format(ref), Got: format(got), Delta: math.NaN(), Tolerance: tol}
	rf, rok := number(ref)
	gf, gok := number(got)
	if rok && gok {
		if rf == gf || (math.IsNaN(rf) && math.IsNaN(gf)) { // equal, ±Inf and NaN included
			d.Delta = 0
			return d, true
		}
		d.Delta = math.Abs(gf - rf)
		return d, d.Delta <= tol
	}
	return d, d.Ref == d.Got && rok == gok
}

func format(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case float64:
		return fmt.Sprintf("%.10g", x)
	case int:
		return fmt.Sprintf("%d", x)
	case string:
		return fmt.Sprintf("%q", x)
	default:
		return fmt.Sprint(x)
	}
}

// Format renders differences as a plain-text table, sorted by experiment,
// one line per difference whatever the strings hold.
func Format(diffs []Difference) string {
	if len(diffs) == 0 {
		return "no differences\n"
	}
	sort.SliceStable(diffs, func(i, j int) bool { return diffs[i].Experiment < diffs[j].Experiment })
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s  %-70s  %-16s  %-16s  %-10s  %s\n", "experiment", "where", "reference", "now", "|delta|", "tolerance")
	for _, d := range diffs {
		delta := "—"
		if !math.IsNaN(d.Delta) {
			delta = fmt.Sprintf("%.3g", d.Delta)
		}
		// Strings from the reference file (claims, papers, row labels,
		// column names) are printed with unprintable characters escaped:
		// an edited reference cannot forge lines or reach the terminal.
		t := safefile.Text
		fmt.Fprintf(&b, "%-10s  %-70s  %-16s  %-16s  %-10s  %g\n", t(d.Experiment), t(d.Where), t(d.Ref), t(d.Got), delta, d.Tolerance)
	}
	return b.String()
}
