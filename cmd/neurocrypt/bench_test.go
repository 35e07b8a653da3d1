package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchUsage: bench's flag errors are usage errors (exit 2), -h lists
// its flags, and a report folder holding another profile's run is refused
// before anything is timed (exit 1, naming the file).
func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{{"bench", "-profile", "huge"}, {"bench", "extra"}, {"bench", "-only", "anc"}} {
		if code, _, e := cli(t, args...); code != 2 || !strings.Contains(e, "usage: neurocrypt bench") {
			t.Errorf("%q: exit %d, stderr %q; want a usage error", args, code, e)
		}
	}
	if code, _, e := cli(t, "bench", "-h"); code != 0 || !strings.Contains(e, "-profile") {
		t.Errorf("bench -h: exit %d, %q", code, e)
	}
	dir := t.TempDir()
	reproduce(t, "-profile", "smoke", "-only", "bitplane", "-out", dir, "-workdir", filepath.Join(dir, "w"))
	code, _, e := cli(t, "bench", "-profile", "quick", "-out", dir)
	if code != 1 || !strings.Contains(e, filepath.Join(dir, "results.json")) || !strings.Contains(e, "profile smoke") {
		t.Errorf("bench into a smoke report: exit %d, %q; want exit 1 naming the file and its profile", code, e)
	}
	if _, err := os.Stat(filepath.Join(dir, "performance.html")); err == nil {
		t.Error("the refused bench wrote performance.html")
	}
}

// TestOutMustBeAFolder: a regular file as -out, or a report folder of
// other data, is refused before anything runs.
func TestOutMustBeAFolder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "afile")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"bench", "-profile", "smoke", "-out", file}, {"reproduce", "-profile", "smoke", "-out", file, "-workdir", filepath.Join(dir, "w")}} {
		if code, _, e := cli(t, args...); code != 1 || !strings.Contains(e, "not a folder") || strings.Contains(e, "==") {
			t.Errorf("%q: exit %d, %q; want exit 1 before any experiment runs", args, code, e)
		}
	}
}

// TestOutSymlinkAndEmptyOnly: a symbolic link as -out is refused before
// the run, as the report writer would at its end, and an -only naming no
// experiment is a usage error rather than "all of them".
func TestOutSymlinkAndEmptyOnly(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(dir, "missing"), link); err != nil {
		t.Fatal(err)
	}
	if code, _, e := cli(t, "bench", "-profile", "smoke", "-out", link); code != 1 || !strings.Contains(e, "symbolic link") || strings.Contains(e, "==") {
		t.Errorf("bench -out symlink: exit %d, %q; want exit 1 before any run", code, e)
	}
	if code, _, e := cli(t, "reproduce", "-only", " , ,", "-profile", "smoke", "-out", filepath.Join(dir, "r")); code != 2 || !strings.Contains(e, "names no experiment") {
		t.Errorf("-only ' , ,': exit %d, %q; want a usage error", code, e)
	}
	// An empty -from or -check REF (an unset variable) is a usage error, not
	// a run of the defaults or a check of <out>/results.json.
	for _, args := range [][]string{{"-from", ""}, {"-check", ""}} {
		if code, _, e := cli(t, append([]string{"reproduce", "-profile", "smoke", "-out", filepath.Join(dir, "r")}, args...)...); code != 2 || !strings.Contains(e, "empty path") {
			t.Errorf("%q: exit %d, %q; want a usage error", args, code, e)
		}
	}
}
