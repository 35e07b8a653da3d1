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

// TestDecodeBoundsValues: a results file of many small values (each costs
// tens of bytes decoded) is refused before it is decoded.
func TestDecodeBoundsValues(t *testing.T) {
	cells := strings.Repeat("0,", MaxValues) + "0"
	data := []byte(`{"experiments":[{"id":"x","tables":[{"name":"t","columns":["a"],"rows":[[` + cells + `]]}]}]}`)
	if _, err := Decode(data); err == nil || !strings.Contains(err.Error(), "values") {
		t.Errorf("%d values: %v", MaxValues+1, err)
	}
}

// TestEncodeRefusesWhatReadRefuses: Encode never produces a file Read would
// refuse, by size or by number of values.
func TestEncodeRefusesWhatReadRefuses(t *testing.T) {
	big := &File{Provenance: Provenance{Profile: "smoke", Extra: map[string]string{"note": strings.Repeat("x", MaxFileBytes)}}}
	if _, err := Encode(big); err == nil || !strings.Contains(err.Error(), "bytes, more than") {
		t.Errorf("an oversized file: %v", err)
	}
	rows := make([][]any, MaxValues)
	for i := range rows {
		rows[i] = []any{0}
	}
	many := &File{Experiments: []ExperimentResult{{ID: "x", Tables: []Table{{Name: "t", Columns: []string{"a"}, Rows: rows}}}}}
	if _, err := Encode(many); err == nil || !strings.Contains(err.Error(), "more than a results.json may have") {
		t.Errorf("too many values: %v", err)
	}
	if _, err := Encode(&File{Provenance: Provenance{Profile: "smoke"}}); err != nil {
		t.Errorf("a small file: %v", err)
	}
}
