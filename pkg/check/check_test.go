package check

import (
	"math"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/results"
)

const refJSON = `{"provenance":{},"experiments":[{"id":"x","tables":[
 {"name":"t","columns":["name","v","w"],"rows":[["a",1.5,null],["b",2,"s"]],"tolerances":{"w":0}},
 {"name":"timing","columns":["MB/s"],"rows":[[100]],"timing":true},
 {"name":"trained","columns":["err"],"rows":[[0.10]],"tolerances":{"err":0.05}}],
 "claims":[{"paper":"P","statement":"S","measured":99.6,"verdict":"reproduced","tolerance":0},
  {"paper":"P","statement":"fast","measured":80,"verdict":"reproduced","timing":true}]}]}`

func parse(t *testing.T, s string) *results.File {
	t.Helper()
	r, err := results.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestIdenticalHasNoDifferences(t *testing.T) {
	if d := Compare(parse(t, refJSON), parse(t, refJSON), nil); len(d) != 0 {
		t.Fatalf("want none, got\n%s", Format(d))
	}
}

func TestTimingAndToleranceAreHonoured(t *testing.T) {
	got := strings.Replace(refJSON, "[[100]]", "[[55]]", 1) // timing: ignored
	got = strings.Replace(got, "[[0.10]]", "[[0.14]]", 1)   // within 0.05
	if d := Compare(parse(t, refJSON), parse(t, got), nil); len(d) != 0 {
		t.Fatalf("want none, got\n%s", Format(d))
	}
	got = strings.Replace(got, "[[0.14]]", "[[0.16]]", 1) // outside
	d := Compare(parse(t, refJSON), parse(t, got), nil)
	if len(d) != 1 || !strings.Contains(d[0].Where, `"trained"`) {
		t.Fatalf("want one difference in trained, got\n%s", Format(d))
	}
}

func TestChangedCellAndClaimAreReported(t *testing.T) {
	got := strings.Replace(refJSON, `["a",1.5,null]`, `["a",1.5000001,null]`, 1)
	got = strings.Replace(got, `"verdict":"reproduced"`, `"verdict":"not_reproduced"`, 1)
	d := Compare(parse(t, refJSON), parse(t, got), nil)
	if len(d) != 2 {
		t.Fatalf("want 2 differences, got\n%s", Format(d))
	}
	out := Format(d)
	if !strings.Contains(out, `column "v"`) || !strings.Contains(out, "verdict") {
		t.Fatalf("unexpected report:\n%s", out)
	}
}

func TestMissingExperimentAndOnlyFilter(t *testing.T) {
	empty := parse(t, `{"experiments":[]}`)
	if d := Compare(parse(t, refJSON), empty, nil); len(d) != 1 || d[0].Got != "missing" {
		t.Fatalf("want missing experiment, got\n%s", Format(d))
	}
	if d := Compare(parse(t, refJSON), empty, []string{"other"}); len(d) != 0 {
		t.Fatalf("-only other must ignore x, got\n%s", Format(d))
	}
}

func TestTypeMismatchIsADifference(t *testing.T) {
	got := strings.Replace(refJSON, `["b",2,"s"]`, `["b","2","s"]`, 1)
	if d := Compare(parse(t, refJSON), parse(t, got), nil); len(d) != 1 {
		t.Fatalf("want 1 difference, got\n%s", Format(d))
	}
}

func TestExtraTableClaimAndColumnAreReported(t *testing.T) {
	got := strings.Replace(refJSON, `"columns":["err"]`, `"columns":["error"]`, 1)
	got = strings.Replace(got, `"claims":[`, `"claims":[{"paper":"Q","statement":"new","measured":1,"verdict":"reproduced"},`, 1)
	got = strings.Replace(got, `"tables":[`, `"tables":[{"name":"extra","columns":["a"],"rows":[[1]]},`, 1)
	out := Format(Compare(parse(t, refJSON), parse(t, got), nil))
	for _, want := range []string{`table "extra"`, `claim "new"`, `table "trained" columns`} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %s:\n%s", want, out)
		}
	}
}

func TestDuplicateClaimIsReported(t *testing.T) {
	dup := strings.Replace(refJSON, `"claims":[`, `"claims":[{"paper":"P","statement":"S","measured":99.6,"verdict":"reproduced"},`, 1)
	if out := Format(Compare(parse(t, dup), parse(t, dup), nil)); !strings.Contains(out, "appears twice") {
		t.Fatalf("duplicate claim not reported:\n%s", out)
	}
}

func TestNonFiniteCellsInMemory(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if d, ok := cellDiff(v, v, 0); !ok {
			t.Errorf("%v vs itself: %+v", v, d)
		}
	}
	if _, ok := cellDiff(math.Inf(1), 1e308, 1e308); ok {
		t.Error("+Inf matched a finite number")
	}
	if _, ok := cellDiff(3, 3.0, 0); !ok {
		t.Error("int 3 and float 3.0 differ")
	}
}

// TestReferenceCannotLoosenTheCheck: a reference that marks every table and
// claim as timing, carries tolerances of 1e308 and alters every number
// (../shared/cases/hardening/huge_tol.json is one) must not pass: timing
// flags and tolerances come from the new results.
func TestReferenceCannotLoosenTheCheck(t *testing.T) {
	got, err := results.Read("../../reports/smoke/results.json")
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := results.Read("../../reports/smoke/results.json")
	for ei := range ref.Experiments {
		e := &ref.Experiments[ei]
		for ti := range e.Tables {
			tb := &e.Tables[ti]
			tb.Timing = true
			tb.Tolerances = map[string]float64{}
			for _, c := range tb.Columns {
				tb.Tolerances[c] = 1e308
			}
			for _, row := range tb.Rows {
				for ci, c := range row {
					switch v := c.(type) {
					case float64:
						row[ci] = v + 1
					case int:
						row[ci] = v + 1
					}
				}
			}
		}
		for ci := range e.Claims {
			e.Claims[ci].Timing = true
			e.Claims[ci].Tolerance = 1e308
			e.Claims[ci].Measured += 1
		}
	}
	diffs := Compare(ref, got, nil)
	if len(diffs) < 50 {
		t.Fatalf("a tampered reference gave %d differences; want every altered number:\n%s", len(diffs), Format(diffs))
	}
	for _, d := range diffs {
		if d.Tolerance > 1 {
			t.Fatalf("a tolerance from the reference was applied: %+v", d)
		}
	}
}

// TestFormatEscapesReferenceStrings: strings that come from the reference
// file cannot forge lines or send terminal escapes.
func TestFormatEscapesReferenceStrings(t *testing.T) {
	out := Format([]Difference{{Experiment: "x", Where: "claim \"c\" (paper\ncheck passed\x1b[32m)", Ref: "a\nb", Got: "c", Delta: 1}})
	if strings.Count(out, "\n") != 2 || strings.Contains(out, "\x1b") || strings.Contains(out, "\ncheck passed") {
		t.Errorf("raw reference strings in the diff table:\n%s", out)
	}
}

// TestInsertedColumnIsOneDifference: a column inserted before others (a
// cipher registered since the reference) is reported once; the other
// cells are compared by column name, not shifted; a changed cell in a
// moved column is still found.
func TestInsertedColumnIsOneDifference(t *testing.T) {
	got := strings.Replace(refJSON, `"columns":["name","v","w"],"rows":[["a",1.5,null],["b",2,"s"]]`,
		`"columns":["name","new","v","w"],"rows":[["a",7,1.5,null],["b",8,2,"s"]]`, 1)
	d := Compare(parse(t, refJSON), parse(t, got), nil)
	if len(d) != 1 || !strings.Contains(d[0].Where, `table "t" columns`) {
		t.Errorf("want only the column difference, got\n%s", Format(d))
	}
	got = strings.Replace(got, `["b",8,2,"s"]`, `["b",8,3,"s"]`, 1)
	out := Format(Compare(parse(t, refJSON), parse(t, got), nil))
	if !strings.Contains(out, `row 2 (b) column "v"`) {
		t.Errorf("the changed cell of the moved column v is not reported:\n%s", out)
	}
}
