package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testKernel registers a kernelspec for this checkout in a temporary
// Jupyter path, using the GoNB and goimports that `kernel install` put in
// the default bin dir, and returns the environment that makes Jupyter see
// it. It skips the test when Jupyter's Python side or the tools are absent.
func testKernel(t *testing.T) []string {
	t.Helper()
	if _, err := findPython(""); err != nil {
		t.Skipf("skipping: Jupyter is not installed (%v)", err)
	}
	bin, err := defaultBinDir()
	if err != nil {
		t.Skipf("skipping: %v", err)
	}
	for _, tl := range []tool{toolGoNB, toolGoimports} {
		if v := installedVersion(filepath.Join(bin, tl.Name), tl.Module); v != tl.Version {
			t.Skipf("skipping: %s %s is not installed in %s (run: go run ./kernel install)", tl.Name, tl.Version, bin)
		}
	}
	repo, err := findRepo("..")
	if err != nil {
		t.Fatal(err)
	}
	jpath := t.TempDir()
	if _, err := writeKernelspec(filepath.Join(jpath, "kernels", KernelName), filepath.Join(bin, "gonb"), bin, repo); err != nil {
		t.Fatal(err)
	}
	return []string{"JUPYTER_PATH=" + jpath}
}

// TestRunDetectsFailures executes the tiny notebooks in testdata with the
// real kernel: the clean one passes; the compile error, the planted panic
// and os.Exit(3) each fail with their cell named.
func TestRunDetectsFailures(t *testing.T) {
	env := testKernel(t)
	out := t.TempDir()
	o := runOptions{Profile: "smoke", OutDir: out, HTMLDir: filepath.Join(out, "html"), ExtraEnv: env}
	names := []string{"clean", "compile_error", "planted_panic", "exit_nonzero"}
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join("testdata", n+".ipynb"))
	}
	var stdout, stderr bytes.Buffer
	fails, err := runNotebooks(context.Background(), o, paths, &stdout, &stderr)
	if err != nil {
		t.Fatalf("runNotebooks: %v\n%s", err, stderr.String())
	}
	got := map[string]failure{}
	for _, f := range fails {
		got[strings.TrimSuffix(filepath.Base(f.Notebook), ".ipynb")] = f
	}
	want := map[string]struct {
		cell       int
		kind, text string
	}{
		"compile_error": {2, kindCompile, "undefined: undefinedVariable"},
		"planted_panic": {3, kindPanic, "assignment to entry in nil map"},
		"exit_nonzero":  {1, kindExit, "exit status 3"},
	}
	if len(fails) != len(want) {
		t.Errorf("got %d failures, want %d: %v", len(fails), len(want), fails)
	}
	for n, w := range want {
		f, ok := got[n]
		if !ok {
			t.Errorf("%s: no failure reported", n)
			continue
		}
		if f.Cell != w.cell || f.Kind != w.kind || !strings.Contains(f.Message, w.text) {
			t.Errorf("%s: got %v, want cell %d, %s, %q", n, f, w.cell, w.kind, w.text)
		}
	}
	if _, ok := got["clean"]; ok {
		t.Errorf("clean notebook failed: %v", got["clean"])
	}

	// The executed notebook is written, with the profile passed through and
	// the module's package imported from this checkout.
	nb, err := readNotebook(filepath.Join(out, "clean.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			text.WriteString(string(o.Text))
		}
	}
	for _, w := range []string{"seed: true", "profile: smoke"} {
		if !strings.Contains(text.String(), w) {
			t.Errorf("clean.ipynb outputs lack %q: %q", w, text.String())
		}
	}
	// Execution stopped after the failed cell.
	nb, err = readNotebook(filepath.Join(out, "planted_panic.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if last := nb.Cells[len(nb.Cells)-1]; last.ExecutionCount != nil {
		t.Errorf("the cell after the panic was executed")
	}
	// HTML exports are written and load nothing from the network.
	for _, n := range names {
		h, err := os.ReadFile(filepath.Join(out, "html", n+".html"))
		if err != nil {
			t.Errorf("HTML export: %v", err)
			continue
		}
		if bytes.Contains(h, []byte("<script")) || bytes.Contains(h, []byte("cdn")) {
			t.Errorf("%s.html has scripts or CDN links", n)
		}
	}
	// The input notebooks are untouched (-out was given).
	in, err := readNotebook(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range in.Cells {
		if c.ExecutionCount != nil {
			t.Errorf("%s was modified", paths[0])
		}
	}
}

// TestRunCommandExitStatus checks the command's contract: exit 1 and a FAIL
// line naming the notebook and the cell.
func TestRunCommandExitStatus(t *testing.T) {
	env := testKernel(t)
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "-out", t.TempDir(), "testdata/planted_panic.ipynb"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if want := "FAIL testdata/planted_panic.ipynb: cell 3"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
	stderr.Reset()
	code = run(context.Background(), []string{"run", "-kernel", "neurocrypt-no-such-kernel", "-out", t.TempDir(), "testdata/clean.ipynb"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "no Jupyter kernel named") {
		t.Errorf("unknown kernel: exit %d, stderr:\n%s", code, stderr.String())
	}
}

// setKernelEnv makes the test's kernelspec visible to `run`.
func setKernelEnv(t *testing.T) {
	t.Helper()
	for _, e := range testKernel(t) {
		k, v, _ := strings.Cut(e, "=")
		t.Setenv(k, v)
	}
}

// outputText concatenates a cell's stream and error outputs.
func outputText(c cell) string {
	var b strings.Builder
	for _, o := range c.Outputs {
		b.WriteString(string(o.Text))
		b.WriteString(o.EName + " " + o.EValue + " " + strings.Join(o.Traceback, "\n"))
	}
	return b.String()
}

// TestRunParameters runs testdata/parameters.ipynb with -p: the injected
// cell follows the parameters cell in the executed notebook, and the cells
// below see the overrides (typed: count+1 and ratio*2 compile only as
// numbers).
func TestRunParameters(t *testing.T) {
	setKernelEnv(t)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "-profile", "smoke", "-p", "greeting=hi there", "-p", "count=41", "-p", "ratio=1.5",
		"-out", out, "testdata/parameters.ipynb"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit status %d\n%s%s", code, stdout.String(), stderr.String())
	}
	nb, err := readNotebook(filepath.Join(out, "parameters.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells) != 6 || !nb.Cells[1].hasTag(ParametersTag) || !nb.Cells[2].hasTag(InjectedTag) || nb.Cells[2].ExecutionCount == nil {
		t.Fatalf("want the executed injected cell as cell 3 of 6: %+v", nb.Cells)
	}
	if got := outputText(nb.Cells[1]); !strings.Contains(got, "defaults: greeting=hello count=2 ratio=0.5") {
		t.Errorf("parameters cell output: %q", got)
	}
	// -profile smoke is also -p profile=smoke: the cell declares profile.
	want := "greeting=hi there count=42 ratio=3 fail=false profile=smoke"
	if got := outputText(nb.Cells[3]); !strings.Contains(got, want) {
		t.Errorf("cell after the injection: got %q, want %q", got, want)
	}
	if got := outputText(nb.Cells[5]); !strings.Contains(got, "after the failing cell") {
		t.Errorf("last cell: %q", got)
	}
}

// TestRunKeepsOutputOfFailedCell: a failed cell still leaves the executed
// notebook and its HTML export, with the error in the failed cell and no
// cell run after it; the exit status is 1 and the FAIL line names the cell
// as the input notebook numbers it (the injected cell not counted).
func TestRunKeepsOutputOfFailedCell(t *testing.T) {
	setKernelEnv(t)
	for _, c := range []struct {
		name, nb, fail, text string
		args                 []string
		lastRun              int // index of the failed cell in the executed notebook
	}{
		{"planted panic", "planted_panic", "FAIL testdata/planted_panic.ipynb: cell 3", "panic: assignment to entry in nil map", nil, 2},
		{"compile error", "compile_error", "FAIL testdata/compile_error.ipynb: cell 2", "undefined: undefinedVariable", nil, 1},
		{"panic after injection", "parameters", "FAIL testdata/parameters.ipynb: cell 4", "panic: planted failure: fail=true", []string{"-p", "fail=true"}, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			args := append([]string{"run", "-out", out, "-html", filepath.Join(out, "html")}, c.args...)
			code := run(context.Background(), append(args, "testdata/"+c.nb+".ipynb"), &stdout, &stderr)
			if code != 1 || !strings.Contains(stderr.String(), c.fail) {
				t.Errorf("exit status %d, want 1 and %q in stderr:\n%s", code, c.fail, stderr.String())
			}
			nbPath, htmlPath := filepath.Join(out, c.nb+".ipynb"), filepath.Join(out, "html", c.nb+".html")
			if !strings.Contains(stdout.String(), "wrote "+nbPath+", "+htmlPath) {
				t.Errorf("stdout does not say where the output went:\n%s", stdout.String())
			}
			nb, err := readNotebook(nbPath)
			if err != nil {
				t.Fatal(err)
			}
			if got := outputText(nb.Cells[c.lastRun]); !strings.Contains(got, c.text) {
				t.Errorf("the failed cell's output lacks %q: %q", c.text, got)
			}
			for i, cl := range nb.Cells[c.lastRun+1:] {
				if cl.ExecutionCount != nil || len(cl.Outputs) > 0 {
					t.Errorf("cell %d, after the failed cell, was run", c.lastRun+2+i)
				}
			}
			h, err := os.ReadFile(htmlPath)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(h, []byte(c.text)) {
				t.Errorf("%s lacks %q", htmlPath, c.text)
			}
		})
	}
}

// TestRunRefusesBadDestinationsAndInputs: what would lose a finished run or
// hang is refused before anything runs, without Jupyter: two notebooks
// writing the same output, an -out that is a file, a sub-second timeout,
// and a notebook path that is a FIFO (a failure of that notebook, not a
// hang).
func TestRunRefusesBadDestinationsAndInputs(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"a", "b"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
		os.WriteFile(filepath.Join(dir, d, "same.ipynb"), []byte(`{"nbformat":4,"cells":[],"metadata":{}}`), 0o644)
	}
	file := filepath.Join(dir, "afile")
	os.WriteFile(file, nil, 0o644)
	same := []string{filepath.Join(dir, "a", "same.ipynb"), filepath.Join(dir, "b", "same.ipynb")}
	for _, c := range []struct {
		name  string
		o     runOptions
		paths []string
		want  string
	}{
		{"same output", runOptions{OutDir: filepath.Join(dir, "out")}, same, "would both write"},
		{"same HTML", runOptions{HTMLDir: filepath.Join(dir, "html")}, same, "would both write"},
		{"-out is a file", runOptions{OutDir: file}, same[:1], "-out"},
		{"sub-second timeout", runOptions{Timeout: 500 * time.Millisecond}, same[:1], "want at least 1s"},
		{"negative timeout", runOptions{Timeout: -time.Second}, same[:1], "want at least 1s"},
	} {
		var stdout, stderr bytes.Buffer
		_, err := runNotebooks(context.Background(), c.o, c.paths, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
	fifo := filepath.Join(dir, "fifo.ipynb")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan error, 1)
	go func() { _, readErr, _ := prepare(fifo, runOptions{}); done <- readErr }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("FIFO notebook: %v, want \"not a regular file\"", err)
		}
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatal("reading a FIFO notebook blocked")
	}
}
