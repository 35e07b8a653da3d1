package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const paramsCell = `import "strings"

// Defaults.
var (
	greeting = "hello"
	count    = 2
	ratio    = 0.5
	neg      = -3
	fail     = false
	typed    float64 = 1
	conv     = int64(7)
	fromCall = strings.ToUpper("x")
	a, b     = 1, "two"
)

var declared bool

const limit = 10

%goflags -race
!echo shell lines are not Go

%%
fmt.Println(greeting)
local := 3
`

func TestParseParams(t *testing.T) {
	ps, err := parseParams(paramsCell)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String()+"="+p.Default)
	}
	want := []string{
		`greeting (string)="hello"`, "count (int)=2", "ratio (float64)=0.5", "neg (int)=-3", "fail (bool)=false",
		"typed (float64)=1", "conv (type unknown)=int64(7)", `fromCall (type unknown)=strings.ToUpper("x")`,
		"a (int)=1", `b (string)="two"`, "declared (bool)=", "limit (const int)=10",
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("parseParams:\n got %q\nwant %q", got, want)
	}
	if _, err := parseParams("var x = \n"); err == nil || !strings.Contains(err.Error(), "not Go declarations") {
		t.Errorf("bad Go: err = %v", err)
	}
}

func TestGoValue(t *testing.T) {
	for _, c := range []struct{ typ, in, want, err string }{
		{"int", "3", "3", ""},
		{"int", "-0x10", "-16", ""},
		{"int", "1_000", "1000", ""},
		{"int", "3.5", "", "not an int"},
		{"int", "", "", "not an int"},
		{"float64", "3", "3", ""},
		{"float64", "1e-3", "0.001", ""},
		{"float64", "NaN", "", "not a finite float64"},
		{"float64", "x", "", "not a finite float64"},
		{"string", `say "hi"`, `"say \"hi\""`, ""},
		{"string", "", `""`, ""},
		{"bool", "true", "true", ""},
		{"bool", "0", "false", ""},
		{"bool", "yes", "", "not a bool"},
		{"time.Duration", "1s", "", "-p supports int, float64, string, bool"},
	} {
		got, err := goValue(c.typ, c.in)
		if c.err == "" && (err != nil || got != c.want) {
			t.Errorf("goValue(%s, %q) = %q, %v; want %q", c.typ, c.in, got, err, c.want)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("goValue(%s, %q): err = %v; want %q", c.typ, c.in, err, c.err)
		}
	}
}

func TestOverridesFlag(t *testing.T) {
	var ovs overrides
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&ovs, "p", "")
	if err := fs.Parse([]string{"-p", "seed=3", "-p", "profile=a=b", "-p", "empty="}); err != nil {
		t.Fatal(err)
	}
	if got := ovs.String(); got != "seed=3 profile=a=b empty=" {
		t.Errorf("overrides = %q", got)
	}
	for in, want := range map[string]string{
		"seed":   "want name=value",
		"=3":     "not a Go identifier",
		"1x=3":   "not a Go identifier",
		"seed=4": "given twice",
	} {
		if err := ovs.Set(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Set(%q) = %v, want %q", in, err, want)
		}
	}
}

// nbJSON builds a notebook; a cell is "md:" + text, "params:" + source
// (tagged parameters), "injected:" + source, or a code cell's source.
func nbJSON(t *testing.T, cells ...string) []byte {
	t.Helper()
	var cs []map[string]any
	for i, c := range cells {
		m := map[string]any{"cell_type": "code", "id": "c" + string(rune('a'+i)), "metadata": map[string]any{},
			"execution_count": nil, "outputs": []any{}, "source": c}
		if s, ok := strings.CutPrefix(c, "md:"); ok {
			m = map[string]any{"cell_type": "markdown", "id": "m" + string(rune('a'+i)), "metadata": map[string]any{}, "source": s}
		} else if s, ok := strings.CutPrefix(c, "params:"); ok {
			m["source"], m["metadata"] = s, map[string]any{"tags": []string{"parameters"}, "keep": "me"}
		} else if s, ok := strings.CutPrefix(c, "injected:"); ok {
			m["source"], m["metadata"] = s, map[string]any{"tags": []string{InjectedTag}}
		}
		cs = append(cs, m)
	}
	b, err := json.Marshal(map[string]any{"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "neurocrypt"}}, "cells": cs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t *testing.T, b []byte) *notebook {
	t.Helper()
	nb, err := parseNotebook("out.ipynb", b)
	if err != nil {
		t.Fatalf("the parameterized notebook does not parse: %v\n%s", err, b)
	}
	return nb
}

func TestParameterizeInjectsAfterTheParametersCell(t *testing.T) {
	in := nbJSON(t, "md:intro", "params:var (\n\tseed = 1\n\tprofile = \"quick\"\n\tscale = 1.5\n\tverbose = false\n)\n", "%%\nfmt.Println(seed)")
	pz, err := parameterize("n.ipynb", in, overrides{{"seed", "3"}, {"profile", "smoke"}, {"scale", "2"}, {"verbose", "true"}})
	if err != nil {
		t.Fatal(err)
	}
	nb := mustParse(t, pz.JSON)
	if len(nb.Cells) != 4 {
		t.Fatalf("%d cells, want 4", len(nb.Cells))
	}
	inj := nb.Cells[2]
	if inj.CellType != "code" || !inj.hasTag(InjectedTag) || inj.hasTag(ParametersTag) {
		t.Errorf("cell 3 is not the injected cell: %+v", inj)
	}
	for _, want := range []string{"var seed int = 3\n", "var profile string = \"smoke\"\n", "var scale float64 = 2\n", "var verbose bool = true\n"} {
		if !strings.Contains(string(inj.Source), want) {
			t.Errorf("injected source lacks %q:\n%s", want, inj.Source)
		}
	}
	if _, err := parseParams(string(inj.Source)); err != nil {
		t.Errorf("the injected source is not Go: %v", err)
	}
	if !nb.Cells[1].hasTag(ParametersTag) || string(nb.Cells[3].Source) != "%%\nfmt.Println(seed)" {
		t.Errorf("the other cells moved or changed")
	}
	if got, want := pz.Orig, []int{1, 2, 0, 3}; !slices.Equal(got, want) {
		t.Errorf("Orig = %v, want %v", got, want)
	}
	// Every other field is kept; the injected cell has an id (nbformat 4.5).
	var doc struct {
		Metadata map[string]any   `json:"metadata"`
		Cells    []map[string]any `json:"cells"`
	}
	if err := json.Unmarshal(pz.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Metadata["kernelspec"] == nil || doc.Cells[1]["metadata"].(map[string]any)["keep"] != "me" {
		t.Errorf("metadata lost: %s", pz.JSON)
	}
	if doc.Cells[2]["id"] != InjectedTag || doc.Cells[3]["id"] != "cc" {
		t.Errorf("cell ids: %v, %v", doc.Cells[2]["id"], doc.Cells[3]["id"])
	}
}

func TestParameterizeReplacesAnEarlierInjection(t *testing.T) {
	in := nbJSON(t, "params:var seed = 1", "injected:var seed int = 9\n", "%%\nfmt.Println(seed)")
	pz, err := parameterize("n.ipynb", in, overrides{{"seed", "3"}})
	if err != nil {
		t.Fatal(err)
	}
	nb := mustParse(t, pz.JSON)
	if len(nb.Cells) != 3 || !strings.Contains(string(nb.Cells[1].Source), "var seed int = 3") {
		t.Errorf("want the old injected cell replaced: %s", pz.JSON)
	}
	if got, want := pz.Orig, []int{1, 0, 3}; !slices.Equal(got, want) {
		t.Errorf("Orig = %v, want %v", got, want)
	}
	// Without -p the stale injected cell is dropped: no silent overrides.
	pz, err = parameterize("n.ipynb", in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if nb := mustParse(t, pz.JSON); len(nb.Cells) != 2 || nb.Cells[1].hasTag(InjectedTag) {
		t.Errorf("stale injected cell kept: %s", pz.JSON)
	}
	// Nothing to do: the bytes are passed through.
	plain := nbJSON(t, "params:var seed = 1", "%%\nfmt.Println(seed)")
	if pz, err = parameterize("n.ipynb", plain, nil); err != nil || string(pz.JSON) != string(plain) || !slices.Equal(pz.Orig, []int{1, 2}) {
		t.Errorf("no -p: changed the notebook (%v)", err)
	}
}

func TestParameterizeErrors(t *testing.T) {
	params := "params:var (\n\tseed = 1\n\tprofile = \"quick\"\n\tstart = time.Now()\n)\nconst n = 3\n"
	for _, c := range []struct {
		name  string
		cells []string
		ovs   overrides
		want  []string
	}{
		{"unknown name", []string{"md:x", params}, overrides{{"sede", "3"}},
			[]string{"n.ipynb: -p sede: no such parameter; the parameters cell (cell 2) declares seed (int), profile (string), start (type unknown), n (const int)"}},
		{"type mismatch", []string{params}, overrides{{"seed", "three"}},
			[]string{"n.ipynb: -p seed=three: not an int; the parameters cell (cell 1) declares seed int"}},
		{"unknown type", []string{params}, overrides{{"start", "now"}},
			[]string{"n.ipynb: -p start: the type of start cannot be told"}},
		{"const", []string{params}, overrides{{"n", "4"}},
			[]string{"n.ipynb: -p n: n is a const"}},
		{"no parameters cell", []string{"md:x", "%%\nfmt.Println(1)"}, overrides{{"seed", "3"}},
			[]string{"n.ipynb: -p seed given, but no cell is tagged \"parameters\""}},
		{"two parameters cells", []string{params, params}, overrides{{"seed", "3"}},
			[]string{"n.ipynb: cells 1 and 2 are both tagged \"parameters\""}},
		{"not Go", []string{"params:var seed = = 1"}, overrides{{"seed", "3"}},
			[]string{"n.ipynb: parameters cell (cell 1): not Go declarations"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parameterize("n.ipynb", nbJSON(t, c.cells...), c.ovs)
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v\nwant %q", err, w)
				}
			}
		})
	}
}

// TestPrepareProfileSugar: -profile is also -p profile=... where the
// parameters cell declares profile, and only there.
func TestPrepareProfileSugar(t *testing.T) {
	dir := t.TempDir()
	with := filepath.Join(dir, "with.ipynb")
	without := filepath.Join(dir, "without.ipynb")
	for p, b := range map[string][]byte{
		with:    nbJSON(t, "params:var profile = \"\"", "%%\nfmt.Println(profile)"),
		without: nbJSON(t, "params:var seed = 1", "%%\nfmt.Println(seed)"),
	} {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pz, readErr, err := prepare(with, runOptions{Profile: "smoke"})
	if readErr != nil || err != nil {
		t.Fatal(readErr, err)
	}
	if nb := mustParse(t, pz.JSON); len(nb.Cells) != 3 || !strings.Contains(string(nb.Cells[1].Source), `var profile string = "smoke"`) {
		t.Errorf("-profile smoke was not injected: %s", pz.JSON)
	}
	pz, readErr, err = prepare(without, runOptions{Profile: "smoke"})
	if readErr != nil || err != nil {
		t.Fatal(readErr, err)
	}
	if nb := mustParse(t, pz.JSON); len(nb.Cells) != 2 {
		t.Errorf("a cell was injected into a notebook without a profile parameter")
	}
	if _, readErr, _ = prepare(filepath.Join(dir, "missing.ipynb"), runOptions{}); readErr == nil {
		t.Errorf("a missing notebook is no read error")
	}
}

// TestRunParameterErrorsStopEverything: a -p that fits no notebook fails
// before any notebook runs, naming the notebook (no Jupyter needed: the
// check comes first), and -profile and -p profile must agree.
func TestRunParameterErrorsStopEverything(t *testing.T) {
	var stdout, stderr strings.Builder
	code := run(context.Background(), []string{"run", "-python", "/nonexistent/python", "-p", "nosuch=1", "testdata/clean.ipynb"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), `testdata/clean.ipynb: -p nosuch given, but no cell is tagged "parameters"`) || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, stdout.String(), stderr.String())
	}
	stderr.Reset()
	code = run(context.Background(), []string{"run", "-profile", "smoke", "-p", "profile=quick", "testdata/clean.ipynb"}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "disagree") {
		t.Errorf("-profile vs -p profile: exit %d, stderr:\n%s", code, stderr.String())
	}
}

// TestBadValueErrorsAreOneLine: a -p value that does not parse is shown
// quoted and clipped, so the error stays one line.
func TestBadValueErrorsAreOneLine(t *testing.T) {
	for _, v := range []string{"1\n2", strings.Repeat("9x", 50000)} {
		got := quotedValue(v)
		if strings.ContainsAny(got, "\n\r") || len(got) > 200 {
			t.Errorf("quotedValue(%.20q…) = %.80q (len %d), want one short line", v, got, len(got))
		}
	}
	if got := quotedValue("three"); got != "three" {
		t.Errorf("quotedValue(three) = %q", got)
	}
}
