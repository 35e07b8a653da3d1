package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// executed builds an executed notebook with one code cell per outputs list.
func executed(t *testing.T, cells ...[]map[string]any) *notebook {
	t.Helper()
	var cs []map[string]any
	for i, outs := range cells {
		if outs == nil {
			outs = []map[string]any{}
		}
		cs = append(cs, map[string]any{"cell_type": "code", "execution_count": i + 1, "metadata": map[string]any{},
			"source": []string{"%%\n", "doSomething()"}, "outputs": outs})
	}
	b, err := json.Marshal(map[string]any{"nbformat": 4, "nbformat_minor": 5, "metadata": map[string]any{}, "cells": cs})
	if err != nil {
		t.Fatal(err)
	}
	nb, err := parseNotebook("test.ipynb", b)
	if err != nil {
		t.Fatal(err)
	}
	return nb
}

func stream(name, text string) map[string]any {
	return map[string]any{"output_type": "stream", "name": name, "text": text}
}

func errOut(ename, evalue string, tb ...string) map[string]any {
	return map[string]any{"output_type": "error", "ename": ename, "evalue": evalue, "traceback": tb}
}

const panicTrace = "panic: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/gonb_1/main.go:10 +0x1d\n"

func TestFailures(t *testing.T) {
	cases := []struct {
		name     string
		outputs  []map[string]any
		wantKind string // "" = no failure
		wantMsg  string
	}{
		{"clean", []map[string]any{stream("stdout", "hello\n"),
			{"output_type": "display_data", "data": map[string]any{"text/html": "<svg></svg>"}, "metadata": map[string]any{}}}, "", ""},
		{"compile error (raw)", []map[string]any{errOut("ERROR", "# gonb_1\n./main.go:11:13: undefined: x\n",
			"# gonb_1", "Cell[1]: Line 2\n\nfmt.Println(x)\n", "")}, kindCompile, "undefined: x"},
		{"compile error (html mode)", []map[string]any{errOut("ERROR", `failed to run "/usr/local/go/bin/go build -o /tmp/gonb_1/gonb_1": exit status 1`)},
			kindCompile, "go build"},
		{"panic reported as error", []map[string]any{stream("stderr", panicTrace+"exit status 2\n"), errOut("ERROR", "exit status 2")},
			kindPanic, "index out of range [3] with length 3"},
		{"panic not reported as error", []map[string]any{stream("stderr", panicTrace+"exit status 2\n")},
			kindPanic, "index out of range"},
		{"panic split over stream outputs", []map[string]any{stream("stderr", "panic: "), stream("stderr", "boom\n\ngoroutine "),
			stream("stderr", "1 [running]:\nmain.main()\n")}, kindPanic, "boom"},
		{"os.Exit(1) without error output", []map[string]any{stream("stderr", "exit status 1\n")}, kindExit, "exit status 1"},
		{"log.Fatal", []map[string]any{stream("stderr", "2026/11/21 12:58:07 fatal log\nexit status 1\n"), errOut("ERROR", "exit status 1")},
			kindExit, "exit status 1"},
		{"runtime fatal error", []map[string]any{stream("stderr", "fatal error: concurrent map writes\n\ngoroutine 7 [running]:\n")},
			kindFatal, "concurrent map writes"},
		{"killed", []map[string]any{stream("stderr", "signal: killed\n")}, kindSignal, "killed"},
		{"timeout", []map[string]any{errOut("CellTimeoutError", "A cell timed out while it was being executed, after 60 seconds.")},
			kindKernel, "CellTimeoutError"},
		{"other kernel error", []map[string]any{errOut("ValueError", "something odd")}, kindError, "ValueError: something odd"},
		// Printing the word panic, or exit status 0, is not a failure.
		{"panic text without a trace", []map[string]any{stream("stdout", "panic: is just a word here\n")}, "", ""},
		{"exit status 0", []map[string]any{stream("stdout", "exit status 0\n")}, "", ""},
		{"exit status mid-line", []map[string]any{stream("stdout", "the exit status 1 means failure\n")}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := failures("x.ipynb", executed(t, c.outputs))
			if c.wantKind == "" {
				if len(fs) != 0 {
					t.Fatalf("want no failure, got %v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("want 1 failure, got %v", fs)
			}
			f := fs[0]
			if f.Kind != c.wantKind || !strings.Contains(f.Message, c.wantMsg) || f.Cell != 1 || f.Notebook != "x.ipynb" {
				t.Errorf("got %+v, want kind %q with message containing %q in cell 1", f, c.wantKind, c.wantMsg)
			}
		})
	}
}

func TestFailuresNamesEveryFailedCell(t *testing.T) {
	nb := executed(t,
		[]map[string]any{stream("stdout", "ok\n")},
		[]map[string]any{stream("stderr", panicTrace)},
		nil,
		[]map[string]any{errOut("ERROR", "./main.go:3:1: syntax error: unexpected }")},
	)
	fs := failures("n.ipynb", nb)
	if len(fs) != 2 || fs[0].Cell != 2 || fs[1].Cell != 4 || fs[0].ExecN != 2 {
		t.Fatalf("got %v, want cells 2 and 4", fs)
	}
	s := fs[0].String()
	for _, want := range []string{"n.ipynb", "cell 2", "[In 2]", "runtime panic", "doSomething()"} {
		if !strings.Contains(s, want) {
			t.Errorf("%q does not mention %q", s, want)
		}
	}
}

func TestLocate(t *testing.T) {
	src := "func f() {\n\tpanic(1)\n}\n%%\nf()"
	line, note := locate("main.f(...)\n\t \x1b[7m[[ Cell [4] Line 2 ]]\x1b[0m /tmp/x/main.go:9", 4, src)
	if line != "line 2: panic(1)" || note != "" {
		t.Errorf("same cell: got %q %q", line, note)
	}
	line, note = locate("Cell[3]: Line 7\n", 4, src)
	if line != "" || note != " (at In [3] line 7)" {
		t.Errorf("other cell: got %q %q", line, note)
	}
	if line, note = locate("no position", 1, src); line != "" || note != "" {
		t.Errorf("no position: got %q %q", line, note)
	}
}

func TestParseNotebookErrors(t *testing.T) {
	if _, err := parseNotebook("a.ipynb", []byte("{not json")); err == nil || !strings.Contains(err.Error(), "a.ipynb") {
		t.Errorf("bad JSON: err = %v", err)
	}
	if _, err := parseNotebook("b.ipynb", []byte(`{"nbformat": 3, "cells": []}`)); err == nil || !strings.Contains(err.Error(), "nbformat 3") {
		t.Errorf("nbformat 3: err = %v", err)
	}
}

func TestUnexecuted(t *testing.T) {
	b := []byte(`{"nbformat": 4, "cells": [
	 {"cell_type": "code", "execution_count": 1, "source": "%%\nx()", "outputs": []},
	 {"cell_type": "code", "execution_count": null, "source": ["%%\n", "y()"], "outputs": []},
	 {"cell_type": "code", "execution_count": null, "source": "  \n", "outputs": []},
	 {"cell_type": "markdown", "source": "text"}]}`)
	nb, err := parseNotebook("u.ipynb", b)
	if err != nil {
		t.Fatal(err)
	}
	if n := unexecuted(nb); n != 1 {
		t.Errorf("unexecuted = %d, want 1", n)
	}
	if got := firstLine(string(nb.Cells[1].Source)); got != "y()" {
		t.Errorf("firstLine = %q, want y()", got)
	}
}

func TestRebaseLinks(t *testing.T) {
	in := `<a href="../reports/bitplane.html">r</a> <a href="../reports/index.html#claims">i</a> ` +
		`<a href="https://example.org/x">abs</a> <a href="#top">frag</a> <a href="/root">root</a> ` +
		`<image xlink:href="data:image/png;base64,AAAA"/> <img src="fig.svg">`
	got := string(rebaseLinks([]byte(in), "/repo/notebooks", "/repo/reports/notebooks"))
	want := `<a href="../bitplane.html">r</a> <a href="../index.html#claims">i</a> ` +
		`<a href="https://example.org/x">abs</a> <a href="#top">frag</a> <a href="/root">root</a> ` +
		`<image xlink:href="data:image/png;base64,AAAA"/> <img src="../../notebooks/fig.svg">`
	if got != want {
		t.Errorf("rebaseLinks:\n got %s\nwant %s", got, want)
	}
	if got := string(rebaseLinks([]byte(in), "/same", "/same")); got != in {
		t.Errorf("same directory changed the links")
	}
}

func TestFailureStringWholeNotebook(t *testing.T) {
	f := failure{Notebook: "a.ipynb", Kind: kindKernel, Message: "no Jupyter kernel named \"x\""}
	if got, want := f.String(), `a.ipynb: kernel error: no Jupyter kernel named "x"`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
