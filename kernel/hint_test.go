package main

import (
	"os"
	"strings"
	"testing"
)

// TestJupyterInstallHintsAreComplete: every printed install hint for
// Debian's Jupyter names jupyter-client (without it `jupyter kernelspec`
// is missing and `go run ./kernel install` fails).
func TestJupyterInstallHintsAreComplete(t *testing.T) {
	for _, f := range []string{"run.go", "install.go", "../scripts/setup.sh", "../README.md", "../notebooks/README.md"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "install") && strings.Contains(line, "jupyter-notebook") && !strings.Contains(line, "jupyter-client") {
				t.Errorf("%s:%d: the hint lacks jupyter-client: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
