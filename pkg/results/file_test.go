package results

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "results.json")
	if err := os.WriteFile(bad, []byte("{\n  \"provenance\": {},\n  \"experiments\": [,]\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Read(bad)
	if err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("malformed JSON: err=%v, want the file name and line 3", err)
	}
	if err := os.WriteFile(bad, []byte(`{"experiments":[{"id":"x","claims":[{"verdict":"maybe"}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(bad); err == nil || !strings.Contains(err.Error(), "maybe") {
		t.Errorf("unknown verdict: err=%v", err)
	}
	if _, err := Read(filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err=%v", err)
	}
}
