package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/experiment"
)

// Results is the content of results.json:
//
//	{"provenance": {...},
//	 "experiments": [{"id", "title", "profile", "claims": [...],
//	                  "tables": [{"name", "columns", "rows"}],
//	                  "figures": [{"name", "file"}], "notes": [...]}]}
//
// Claims are experiment.Claim (NaN numbers as null). Table cells are
// numbers, strings, booleans or null (NaN and ±Inf floats are written as
// null); floats are always written with a decimal point or exponent ("3.0"),
// so that ReadResults gives back float64 for floats and int for integers.
type Results struct {
	Provenance  Provenance         `json:"provenance"`
	Experiments []ExperimentResult `json:"experiments"`
}

// ExperimentResult is one experiment in results.json.
type ExperimentResult struct {
	ID      string             `json:"id"`
	Title   string             `json:"title"`
	Profile string             `json:"profile"`
	Claims  []experiment.Claim `json:"claims"`
	Tables  []TableResult      `json:"tables"`
	Figures []FigureRef        `json:"figures"`
	Notes   []string           `json:"notes"`
}

// TableResult is one table in results.json. After ReadResults, cells are
// float64, int, string, bool or nil (nil where a NaN/Inf was written).
type TableResult struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	// Timing marks wall-clock tables, skipped by `reproduce -check`.
	Timing bool `json:"timing,omitempty"`
	// Tolerances are the per-column absolute tolerances of `reproduce -check`.
	Tolerances map[string]float64 `json:"tolerances,omitempty"`
}

// FigureRef names a figure and its SVG file, relative to the report folder.
type FigureRef struct {
	Name string `json:"name"`
	File string `json:"file"`
}

// figureFile is the path of a figure's SVG relative to the report folder.
func figureFile(id, name string) string { return "figures/" + id + "-" + name + ".svg" }

// buildResults converts a run to its results.json form.
func buildResults(run *Run) (*Results, error) {
	res := &Results{Provenance: run.Provenance, Experiments: make([]ExperimentResult, 0, len(run.Experiments))}
	for _, e := range run.Experiments {
		r := e.result()
		er := ExperimentResult{
			ID: e.ID, Title: e.Title, Profile: e.Profile,
			Claims:  append([]experiment.Claim{}, r.Claims...),
			Tables:  make([]TableResult, 0, len(r.Tables)),
			Figures: make([]FigureRef, 0, len(r.Figures)),
			Notes:   append([]string{}, r.Notes...),
		}
		for _, t := range r.Tables {
			tr, err := sanitizeTable(t)
			if err != nil {
				return nil, fmt.Errorf("experiment %q: %w", e.ID, err)
			}
			er.Tables = append(er.Tables, tr)
		}
		for _, f := range r.Figures {
			er.Figures = append(er.Figures, FigureRef{Name: f.Name, File: figureFile(e.ID, f.Name)})
		}
		if e.Kept {
			er.Figures = append(er.Figures, e.FigureRefs...)
		}
		res.Experiments = append(res.Experiments, er)
	}
	return res, nil
}

// sanitizeTable converts cells to JSON-ready values: NaN/Inf floats become
// nil, floats become json.Number with a decimal point, and unsupported cell
// types are an error naming the table, row and column.
func sanitizeTable(t experiment.Table) (TableResult, error) {
	tr := TableResult{Name: t.Name, Columns: append([]string{}, t.Columns...), Rows: make([][]any, 0, len(t.Rows)),
		Timing: t.Timing, Tolerances: t.Tolerances}
	for i, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return tr, fmt.Errorf("table %q row %d: %d cells for %d columns", t.Name, i, len(row), len(t.Columns))
		}
		out := make([]any, len(row))
		for j, c := range row {
			v, err := jsonCell(c)
			if err != nil {
				return tr, fmt.Errorf("table %q row %d column %q: %w", t.Name, i, t.Columns[j], err)
			}
			out[j] = v
		}
		tr.Rows = append(tr.Rows, out)
	}
	return tr, nil
}

func jsonCell(c any) (any, error) {
	switch v := c.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return v, nil
	case float64:
		return floatNumber(v), nil
	case float32:
		return floatNumber(float64(v)), nil
	default:
		return nil, fmt.Errorf("unsupported cell type %T (want float, int, string, bool or nil)", c)
	}
}

// floatNumber writes v like encoding/json does, but always with a decimal
// point or exponent so it reads back as a float; NaN/Inf give nil.
func floatNumber(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	a := math.Abs(v)
	format := byte('f')
	if a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	s := strconv.FormatFloat(v, format, -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return json.Number(s)
}

// encodeResults writes res as indented JSON (2 spaces) without HTML
// escaping, ending with a newline.
func encodeResults(res *Results) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return nil, fmt.Errorf("encoding results.json: %w", err)
	}
	return buf.Bytes(), nil
}

// ReadResults parses a results.json written by Write. Table cells come back
// as float64 (numbers written with a decimal point or exponent), int
// (integers), string, bool or nil; claim numbers written as null come back
// as NaN. Unknown fields are ignored, so later additions to the format stay
// readable. Errors name the file and, for malformed JSON, the line.
func ReadResults(path string) (*Results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err // *PathError already names the file
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var res Results
	if err := dec.Decode(&res); err != nil {
		return nil, fmt.Errorf("%s: malformed results JSON%s: %w", path, jsonErrorLine(data, err), err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: malformed results JSON: trailing data after the top-level object", path)
	}
	for i := range res.Experiments {
		e := &res.Experiments[i]
		for ti := range e.Tables {
			t := &e.Tables[ti]
			for ri, row := range t.Rows {
				if len(row) != len(t.Columns) {
					return nil, fmt.Errorf("%s: experiment %q table %q row %d: %d cells for %d columns", path, e.ID, t.Name, ri, len(row), len(t.Columns))
				}
				for ci, c := range row {
					v, err := fromJSONCell(c)
					if err != nil {
						return nil, fmt.Errorf("%s: experiment %q table %q row %d column %d: %w", path, e.ID, t.Name, ri, ci, err)
					}
					row[ci] = v
				}
			}
		}
		for ci, c := range e.Claims {
			switch c.Verdict {
			case experiment.Reproduced, experiment.NotReproduced, experiment.Inconclusive, experiment.NotApplicable:
			default:
				return nil, fmt.Errorf("%s: experiment %q claim %d: unknown verdict %q", path, e.ID, ci, c.Verdict)
			}
		}
	}
	return &res, nil
}

func fromJSONCell(c any) (any, error) {
	switch v := c.(type) {
	case nil, string, bool:
		return v, nil
	case json.Number:
		s := string(v)
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 0); err == nil {
				return int(i), nil
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("number %q: %w", s, err)
		}
		return f, nil
	default:
		return nil, fmt.Errorf("unsupported cell of JSON type %T (want number, string, bool or null)", c)
	}
}

// jsonErrorLine returns " at line N" for JSON syntax and type errors.
func jsonErrorLine(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return ""
	}
	return fmt.Sprintf(" at line %d", bytes.Count(data[:off], []byte("\n"))+1)
}
