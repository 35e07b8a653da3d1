package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// FileName is the name of the results file in a report folder.
const FileName = "results.json"

// Bounds on a results.json that Read and Decode accept: its size, and its
// number of JSON values (decoded into Go values, each costs tens of bytes:
// a 64 MiB file of small numbers would take 1.8 GB). The committed quick
// reference is about 50 KB and 10 000 values.
const (
	MaxFileBytes = 8 << 20
	MaxValues    = 500_000
)

// File is the content of results.json (see the package documentation).
type File struct {
	// Provenance is how and where the run was made.
	Provenance Provenance `json:"provenance"`
	// Experiments are in report order.
	Experiments []ExperimentResult `json:"experiments"`
}

// ExperimentResult is one experiment in results.json: its Result without
// the figures' data (Figures name their SVG files instead) and DataHash
// (which provenance records).
type ExperimentResult struct {
	// ID is the experiment's ID (its page is <ID>.html).
	ID string `json:"id"`
	// Title is the page title.
	Title string `json:"title"`
	// Profile is the profile it ran in (smoke, quick, paper).
	Profile string `json:"profile"`
	// Summary is the Result's (absent in files written before it existed).
	Summary string `json:"summary,omitempty"`
	// Claims and Tables are the Result's.
	Claims []Claim `json:"claims"`
	Tables []Table `json:"tables"`
	// Figures name the figures and their SVG files.
	Figures []FigureRef `json:"figures"`
	// Notes are the Result's.
	Notes []string `json:"notes"`
}

// Experiment returns the experiment with the given ID, or nil.
func (f *File) Experiment(id string) *ExperimentResult {
	for i := range f.Experiments {
		if f.Experiments[i].ID == id {
			return &f.Experiments[i]
		}
	}
	return nil
}

// Encode writes f as indented JSON (2 spaces) without HTML escaping, ending
// with a newline. Table cells must be float, int, string, bool or nil; an
// unsupported cell or a row of the wrong length is an error naming the
// experiment, table, row and column.
func Encode(f *File) ([]byte, error) {
	out := *f
	out.Experiments = make([]ExperimentResult, len(f.Experiments))
	for i, e := range f.Experiments {
		e.Tables = make([]Table, len(f.Experiments[i].Tables))
		for ti, t := range f.Experiments[i].Tables {
			st, err := sanitizeTable(t)
			if err != nil {
				return nil, fmt.Errorf("experiment %q: %w", e.ID, err)
			}
			e.Tables[ti] = st
		}
		e.Claims = nonNil(e.Claims)
		e.Figures = nonNil(e.Figures)
		e.Notes = nonNil(e.Notes)
		out.Experiments[i] = e
	}
	out.Experiments = nonNil(out.Experiments)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", FileName, err)
	}
	// Never write what Read would refuse (e.g. a kept experiment that a
	// hand-edited earlier file padded out).
	if buf.Len() > MaxFileBytes {
		return nil, fmt.Errorf("%s would be %d bytes, more than a results.json may have (%d)", FileName, buf.Len(), MaxFileBytes)
	}
	if err := checkValues(buf.Bytes()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// nonNil turns a nil slice into an empty one, so that JSON says [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// sanitizeTable converts cells to JSON-ready values: NaN/Inf floats become
// nil, floats become json.Number with a decimal point.
func sanitizeTable(t Table) (Table, error) {
	out := t
	out.Columns = nonNil(t.Columns)
	out.Rows = make([][]any, 0, len(t.Rows))
	for i, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return out, fmt.Errorf("table %q row %d: %d cells for %d columns", t.Name, i, len(row), len(t.Columns))
		}
		cells := make([]any, len(row))
		for j, c := range row {
			v, err := jsonCell(c)
			if err != nil {
				return out, fmt.Errorf("table %q row %d column %q: %w", t.Name, i, t.Columns[j], err)
			}
			cells[j] = v
		}
		out.Rows = append(out.Rows, cells)
	}
	return out, nil
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

// Read parses a results.json written by Encode. Table cells come back as
// float64 (numbers written with a decimal point or exponent), int
// (integers), string, bool or nil; claim numbers written as null come back
// as NaN. Unknown fields are ignored, so later additions to the format stay
// readable. Errors name the file and, for malformed JSON, the line.
func Read(path string) (*File, error) {
	// A regular file only, checked on the opened file without blocking,
	// and bounded.
	data, err := safefile.ReadFile(path, MaxFileBytes, "a results.json")
	if err != nil {
		return nil, err
	}
	f, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", safefile.Name(path), err)
	}
	return f, nil
}

// Decode parses the bytes of a results.json (see Read).
func Decode(data []byte) (*File, error) {
	if err := checkValues(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("malformed results JSON%s: %w", jsonErrorLine(data, err), err)
	}
	if dec.More() {
		return nil, errors.New("malformed results JSON: trailing data after the top-level object")
	}
	for i := range f.Experiments {
		e := &f.Experiments[i]
		for ti := range e.Tables {
			t := &e.Tables[ti]
			for ri, row := range t.Rows {
				if len(row) != len(t.Columns) {
					return nil, fmt.Errorf("experiment %q table %q row %d: %d cells for %d columns", e.ID, t.Name, ri, len(row), len(t.Columns))
				}
				for ci, c := range row {
					v, err := fromJSONCell(c)
					if err != nil {
						return nil, fmt.Errorf("experiment %q table %q row %d column %d: %w", e.ID, t.Name, ri, ci, err)
					}
					row[ci] = v
				}
			}
		}
		for ci, c := range e.Claims {
			if !c.Verdict.Valid() {
				return nil, fmt.Errorf("experiment %q claim %d: unknown verdict %q", e.ID, ci, c.Verdict)
			}
		}
	}
	return &f, nil
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

// checkValues counts data's JSON values, in constant memory, and fails
// beyond MaxValues; malformed JSON is left to the decoder to report.
func checkValues(data []byte) error {
	tok := json.NewDecoder(bytes.NewReader(data))
	for n := 0; ; n++ {
		if _, err := tok.Token(); err != nil {
			return nil // io.EOF, or malformed JSON, which the decoder reports
		}
		if n > MaxValues {
			return fmt.Errorf("results JSON with more than %d values, more than a results.json may have", MaxValues)
		}
	}
}
