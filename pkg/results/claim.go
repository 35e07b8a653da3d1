package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Verdict is the outcome of checking one paper claim.
type Verdict string

// Verdicts.
const (
	Reproduced    Verdict = "reproduced"
	NotReproduced Verdict = "not_reproduced"
	Inconclusive  Verdict = "inconclusive"
	NotApplicable Verdict = "not_applicable"
)

// Verdicts lists the verdicts in display order.
var Verdicts = []Verdict{Reproduced, NotReproduced, Inconclusive, NotApplicable}

// Valid reports whether v is one of Verdicts.
func (v Verdict) Valid() bool {
	for _, w := range Verdicts {
		if v == w {
			return true
		}
	}
	return false
}

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

// Comparison is how Check judges a measured value.
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
// Inconclusive. why should state any deviation; the rule is written first
// automatically.
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
