package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// notebook is the part of the nbformat 4 document this command reads.
// Unknown fields are ignored: the executed notebook is written by Python's
// nbformat, never re-encoded here.
type notebook struct {
	NBFormat int            `json:"nbformat"`
	Cells    []cell         `json:"cells"`
	Metadata map[string]any `json:"metadata"`
}

type cell struct {
	CellType       string   `json:"cell_type"`
	Source         multiStr `json:"source"`
	ExecutionCount *int     `json:"execution_count"`
	Outputs        []output `json:"outputs"`
	Metadata       struct {
		// Tags is kept raw: a notebook whose tags are not a list of
		// strings (hand-edited, another tool's) still loads; it simply has
		// no tags we recognise.
		Tags json.RawMessage `json:"tags"`
	} `json:"metadata"`
}

// hasTag reports whether the cell's metadata lists tag.
func (c cell) hasTag(tag string) bool {
	var tags []string
	if json.Unmarshal(c.Metadata.Tags, &tags) != nil {
		return false
	}
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}

type output struct {
	OutputType string              `json:"output_type"` // stream, display_data, execute_result, error
	Name       string              `json:"name"`        // stream: stdout or stderr
	Text       multiStr            `json:"text"`
	Data       map[string]multiStr `json:"data"`
	EName      string              `json:"ename"`
	EValue     string              `json:"evalue"`
	Traceback  []string            `json:"traceback"`
}

// multiStr is nbformat's "multiline string": a string or a list of strings
// to concatenate.
type multiStr string

func (m *multiStr) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = multiStr(s)
		return nil
	}
	var parts []string
	if err := json.Unmarshal(b, &parts); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*m = multiStr(strings.Join(parts, ""))
	return nil
}

// maxNotebookBytes bounds a notebook file (outputs included; ours are
// under 2 MB): larger ones are refused from their size, FIFOs and devices
// are refused without blocking (safefile.ReadFile). Ours.
const maxNotebookBytes = 256 << 20

// readNotebook parses an nbformat 4 notebook.
func readNotebook(path string) (*notebook, error) {
	b, err := safefile.ReadFile(path, maxNotebookBytes, "a notebook")
	if err != nil {
		return nil, err
	}
	return parseNotebook(path, b)
}

func parseNotebook(path string, b []byte) (*notebook, error) {
	var nb notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("%s: not a notebook (JSON): %w", path, err)
	}
	if nb.NBFormat != 4 {
		return nil, fmt.Errorf("%s: nbformat %d, want 4", path, nb.NBFormat)
	}
	return &nb, nil
}

// Failure kinds, in the words the report uses.
const (
	kindCompile = "compile error"
	kindPanic   = "runtime panic"
	kindFatal   = "Go runtime fatal error"
	kindExit    = "non-zero exit"
	kindSignal  = "killed by signal"
	kindKernel  = "kernel error"
	kindError   = "cell error"
)

var (
	// A Go panic as the runtime prints it: "panic: msg" (possibly with
	// " [recovered]") followed, some lines later, by a goroutine trace.
	rePanic = regexp.MustCompile(`(?m)^panic: (.*)$`)
	reTrace = regexp.MustCompile(`(?m)^goroutine \d+ \[`)
	// "fatal error: concurrent map writes", "fatal error: out of memory".
	reFatal = regexp.MustCompile(`(?m)^fatal error: (.*)$`)
	// GoNB prints the exit status of a cell's program when it is not 0.
	reExit = regexp.MustCompile(`(?m)^exit status ([0-9]+)\s*$`)
	// The go command reports a program killed by a signal this way.
	reSignal = regexp.MustCompile(`(?m)^signal: (.+)$`)
	// Compiler / go command output as GoNB relays it.
	// "./main.go:11:13: undefined: x".
	reLoc     = regexp.MustCompile(`(?m)^\S*\.go:\d+:\d+: (.*)$`)
	reCompile = regexp.MustCompile(`(?m)(^# gonb_|go build|undefined: |declared and not used|imported and not used|syntax error|cannot use |not enough arguments|too many arguments|missing go.sum entry|cannot find module|go: )`)
)

// streamFailRegexp is handed to the Python driver so that it stops executing
// a notebook after the first cell whose output shows a failure that the
// kernel did not report as an error. It must stay in sync with
// streamFailure.
const streamFailRegexp = `(?m)^(panic: |fatal error: |exit status [1-9]|signal: )`

// failure is one failed cell.
type failure struct {
	Notebook string
	Cell     int // 1-based index among all cells
	ExecN    int // execution count, 0 if none
	Kind     string
	Message  string
	Source   string // where: the failing source line, or the cell's first line
	Injected bool   // the cell `kernel run -p` injected (Cell is then 0)
}

func (f failure) String() string {
	if f.Cell == 0 && !f.Injected { // the notebook as a whole
		return fmt.Sprintf("%s: %s: %s", f.Notebook, f.Kind, f.Message)
	}
	where := fmt.Sprintf("cell %d", f.Cell)
	if f.Injected {
		where = "the " + InjectedTag + " cell"
	}
	if f.ExecN > 0 {
		where += fmt.Sprintf(" [In %d]", f.ExecN)
	}
	return fmt.Sprintf("%s: %s (%s): %s: %s", f.Notebook, where, quoteLine(f.Source), f.Kind, f.Message)
}

func quoteLine(s string) string {
	const maxLen = 60
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return strconv.Quote(s)
}

// firstLine returns the first line of a cell's source that is neither
// blank nor a GoNB magic ("%%", "%flag ...").
func firstLine(src string) string {
	for _, l := range strings.Split(src, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "%") {
			return t
		}
	}
	return ""
}

// GoNB marks cell positions in panic traces ("[[ Cell [2] Line 3 ]]") and
// in compile errors ("Cell[2]: Line 3"); the number is the execution count.
var reCellLine = regexp.MustCompile(`Cell ?\[(\d+)\]:? Line (\d+)`)

// locate finds the first cell position GoNB reported in text. If it is in
// this cell (execution count execN), it returns that source line; else a
// note naming the other cell.
func locate(text string, execN int, src string) (line, note string) {
	m := reCellLine.FindStringSubmatch(text)
	if m == nil {
		return "", ""
	}
	n, _ := strconv.Atoi(m[1])
	l, _ := strconv.Atoi(m[2])
	if n != execN {
		return "", fmt.Sprintf(" (at In [%d] line %d)", n, l)
	}
	lines := strings.Split(src, "\n")
	if l < 1 || l > len(lines) {
		return "", ""
	}
	return fmt.Sprintf("line %d: %s", l, strings.TrimSpace(lines[l-1])), ""
}

// streamFailure classifies the text a cell wrote to stdout/stderr; ok is
// false when the text shows no failure.
func streamFailure(text string) (kind, msg string, ok bool) {
	if m := rePanic.FindStringSubmatchIndex(text); m != nil && reTrace.MatchString(text[m[1]:]) {
		return kindPanic, text[m[2]:m[3]], true
	}
	if m := reFatal.FindStringSubmatch(text); m != nil {
		return kindFatal, m[1], true
	}
	if m := reSignal.FindStringSubmatch(text); m != nil {
		return kindSignal, m[1], true
	}
	if m := reExit.FindStringSubmatch(text); m != nil && m[1] != "0" {
		return kindExit, "exit status " + m[1], true
	}
	return "", "", false
}

// errorFailure classifies an "error" output, using the cell's stream text to
// name the underlying cause (GoNB reports a panic as "exit status 2").
func errorFailure(o output, streams string) (kind, msg string) {
	text := o.EValue + "\n" + strings.Join(o.Traceback, "\n")
	switch o.EName {
	case "CellTimeoutError", "DeadKernelError", "KernelError":
		return kindKernel, o.EName + ": " + oneLine(o.EValue)
	}
	if k, m, ok := streamFailure(streams); ok {
		return k, m
	}
	if k, m, ok := streamFailure(text); ok {
		return k, m
	}
	if reCompile.MatchString(text) {
		return kindCompile, compileMessage(o)
	}
	return kindError, oneLine(o.EName + ": " + o.EValue)
}

// compileMessage picks the most useful lines of a compile error: the
// "file:line:col: msg" lines, or GoNB's "Cell[n]: Line m" context.
func compileMessage(o output) string {
	var msgs []string
	for _, m := range reLoc.FindAllStringSubmatch(o.EValue, -1) {
		msgs = append(msgs, m[1])
	}
	for _, tb := range o.Traceback {
		if strings.HasPrefix(tb, "Cell[") {
			if i := strings.Index(tb, "\n"); i > 0 {
				msgs = append(msgs, "at "+tb[:i])
			}
		}
	}
	if len(msgs) == 0 {
		return oneLine(o.EValue)
	}
	return strings.Join(msgs, "; ")
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Join(strings.Fields(s), " ")
	const maxLen = 300
	if len(s) > maxLen {
		s = s[:maxLen] + "…"
	}
	return s
}

// failures returns every failed code cell of an executed notebook: an
// "error" output (compile errors, and what GoNB reports as errors) or
// stream text showing a Go panic, a runtime fatal error, a signal or a
// non-zero exit status (which some kernels print without an error output).
// name labels the failures.
func failures(name string, nb *notebook) []failure {
	var out []failure
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		var streams strings.Builder
		for _, o := range c.Outputs {
			if o.OutputType == "stream" {
				streams.WriteString(string(o.Text))
			}
		}
		f := failure{Notebook: name, Cell: i + 1, Source: firstLine(string(c.Source))}
		if c.ExecutionCount != nil {
			f.ExecN = *c.ExecutionCount
		}
		found := false
		where := streams.String()
		for _, o := range c.Outputs {
			if o.OutputType == "error" {
				f.Kind, f.Message = errorFailure(o, streams.String())
				where += "\n" + strings.Join(o.Traceback, "\n")
				found = true
				break
			}
		}
		if !found {
			f.Kind, f.Message, found = streamFailure(streams.String())
		}
		if !found {
			continue
		}
		line, note := locate(where, f.ExecN, string(c.Source))
		if line != "" {
			f.Source = line
		}
		f.Message += note
		out = append(out, f)
	}
	return out
}

// unexecuted counts the code cells with source that have no execution count.
func unexecuted(nb *notebook) int {
	n := 0
	for _, c := range nb.Cells {
		if c.CellType == "code" && strings.TrimSpace(string(c.Source)) != "" && c.ExecutionCount == nil {
			n++
		}
	}
	return n
}
