package perf

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunPythonBoundsOutput: an interpreter that prints megabytes is an
// error naming the limit, and its output is not kept whole; a short
// output comes back as printed.
func TestRunPythonBoundsOutput(t *testing.T) {
	dir := t.TempDir()
	loud := filepath.Join(dir, "loud")
	if err := os.WriteFile(loud, []byte("#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\0' x\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := RunPython(context.Background(), loud, "", nil, time.Minute); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("3 MB of output: %v, want the limit named", err)
	}
	quiet := filepath.Join(dir, "quiet")
	if err := os.WriteFile(quiet, []byte("#!/bin/sh\necho '{\"a\": 1}'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := RunPython(context.Background(), quiet, "", nil, time.Minute); err != nil || strings.TrimSpace(string(out)) != `{"a": 1}` {
		t.Errorf("short output: %q, %v", out, err)
	}
}
