package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// Cell tags of notebook parameters, as papermill names them.
const (
	// ParametersTag marks the cell that declares a notebook's parameters
	// and their defaults.
	ParametersTag = "parameters"
	// InjectedTag marks the cell `kernel run -p` inserts after it.
	InjectedTag = "injected-parameters"
)

// paramTypes are the types a parameter may have, as Go spells them.
var paramTypes = []string{"int", "float64", "string", "bool"}

// param is one parameter: a top-level var of the parameters cell.
type param struct {
	Name    string
	Type    string // Go type; "" when it cannot be told from the declaration
	Default string // the default's source text, "" when none
	Const   bool   // a const: listed, but it cannot be overridden
}

func (p param) String() string {
	t := p.Type
	if t == "" {
		t = "type unknown"
	}
	if p.Const {
		t = "const " + t
	}
	return fmt.Sprintf("%s (%s)", p.Name, t)
}

// override is one -p name=value.
type override struct{ Name, Value string }

// overrides is the repeated -p flag.
type overrides []override

func (o *overrides) String() string {
	var s []string
	for _, v := range *o {
		s = append(s, v.Name+"="+v.Value)
	}
	return strings.Join(s, " ")
}

// Set parses one name=value; the name must be a Go identifier, given once.
func (o *overrides) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("%q: want name=value", s)
	}
	if !token.IsIdentifier(name) {
		return fmt.Errorf("%q: %q is not a Go identifier", s, name)
	}
	if o.get(name) != nil {
		return fmt.Errorf("%q: parameter %s given twice", s, name)
	}
	*o = append(*o, override{name, value})
	return nil
}

func (o overrides) get(name string) *override {
	for i := range o {
		if o[i].Name == name {
			return &o[i]
		}
	}
	return nil
}

// goSource returns the Go declarations a GoNB cell makes that carry over to
// later cells: the source before the `%%` (or `%main`) line that starts the
// cell's main body, with magic (`%...`) and shell (`!...`) lines blanked.
func goSource(src string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "%%" || t == "%main" || strings.HasPrefix(t, "%main ") {
			lines = lines[:i]
			break
		}
		if strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// parseParams returns the parameters a parameters cell declares: its
// top-level var declarations (the only values GoNB carries from cell to
// cell and lets a later cell replace). The type of each is the declared
// one, or that of its literal default: 3 is an int, 3.0 a float64, "s" a
// string, true a bool. Top-level consts are listed, marked Const.
func parseParams(src string) ([]param, error) {
	fset := token.NewFileSet()
	body := goSource(src)
	f, err := parser.ParseFile(fset, "cell", "package p\n"+body, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("not Go declarations: %v", strings.TrimPrefix(err.Error(), "cell:"))
	}
	text := func(n ast.Node) string {
		// The offsets count the "package p\n" line.
		off := len("package p\n")
		return body[fset.Position(n.Pos()).Offset-off : fset.Position(n.End()).Offset-off]
	}
	var out []param
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || (g.Tok != token.VAR && g.Tok != token.CONST) {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if n.Name == "_" {
					continue
				}
				p := param{Name: n.Name, Const: g.Tok == token.CONST}
				if vs.Type != nil {
					p.Type = text(vs.Type)
				}
				if len(vs.Values) == len(vs.Names) {
					p.Default = text(vs.Values[i])
					if p.Type == "" {
						p.Type = literalType(vs.Values[i])
					}
				}
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// literalType is the type Go gives an untyped literal default (or a
// conversion to a parameter type), "" for anything else.
func literalType(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return literalType(e.X)
	case *ast.UnaryExpr:
		if e.Op == token.SUB || e.Op == token.ADD {
			if t := literalType(e.X); t == "int" || t == "float64" {
				return t
			}
		}
	case *ast.BasicLit:
		switch e.Kind {
		case token.INT:
			return "int"
		case token.FLOAT:
			return "float64"
		case token.STRING:
			return "string"
		}
	case *ast.Ident:
		if e.Name == "true" || e.Name == "false" {
			return "bool"
		}
	case *ast.CallExpr:
		if f, ok := e.Fun.(*ast.Ident); ok && len(e.Args) == 1 && slices.Contains(paramTypes, f.Name) {
			return f.Name
		}
	}
	return ""
}

// goValue parses s as a value of type typ and returns it as a Go literal.
func goValue(typ, s string) (string, error) {
	switch typ {
	case "int":
		v, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			return "", errors.New("not an int")
		}
		return strconv.FormatInt(v, 10), nil
	case "float64":
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return "", errors.New("not a finite float64")
		}
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case "string":
		return strconv.Quote(s), nil
	case "bool":
		v, err := strconv.ParseBool(s)
		if err != nil {
			return "", errors.New("not a bool (true or false)")
		}
		return strconv.FormatBool(v), nil
	}
	return "", fmt.Errorf("-p supports %s parameters", strings.Join(paramTypes, ", "))
}

// injectedSource is the source of the injected cell: one typed var
// declaration per override, in the order given.
// where names the parameters cell in errors.
func injectedSource(ps []param, ovs overrides, where string) (string, error) {
	var b strings.Builder
	b.WriteString("// Parameters injected by `go run ./kernel run -p`: they replace the defaults above.\n")
	for _, o := range ovs {
		i := slices.IndexFunc(ps, func(p param) bool { return p.Name == o.Name })
		if i < 0 {
			return "", fmt.Errorf("-p %s: no such parameter; %s declares %s", o.Name, where, listParams(ps))
		}
		p := ps[i]
		if p.Const {
			return "", fmt.Errorf("-p %s: %s is a const; declare it with var to make it a parameter", o.Name, o.Name)
		}
		if p.Type == "" {
			return "", fmt.Errorf("-p %s: the type of %s cannot be told from its declaration; give it one (var %s int = ...)", o.Name, o.Name, o.Name)
		}
		v, err := goValue(p.Type, o.Value)
		if err != nil {
			return "", fmt.Errorf("-p %s=%s: %v; %s declares %s %s", o.Name, quotedValue(o.Value), err, where, o.Name, p.Type)
		}
		fmt.Fprintf(&b, "var %s %s = %s\n", o.Name, p.Type, v)
	}
	return b.String(), nil
}

func listParams(ps []param) string {
	if len(ps) == 0 {
		return "none"
	}
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, ", ")
}

// notebookParams finds the code cell tagged "parameters" (-1 when none)
// and the parameters it declares.
func notebookParams(name string, nb *notebook) (int, []param, error) {
	idx := -1
	for i, c := range nb.Cells {
		if !c.hasTag(ParametersTag) || c.hasTag(InjectedTag) {
			continue
		}
		if idx >= 0 {
			return -1, nil, fmt.Errorf("%s: cells %d and %d are both tagged %q; tag one", name, idx+1, i+1, ParametersTag)
		}
		if c.CellType != "code" {
			return -1, nil, fmt.Errorf("%s: cell %d is tagged %q but is not a code cell", name, i+1, ParametersTag)
		}
		idx = i
	}
	if idx < 0 {
		return -1, nil, nil
	}
	ps, err := parseParams(string(nb.Cells[idx].Source))
	if err != nil {
		return -1, nil, fmt.Errorf("%s: parameters cell (cell %d): %v", name, idx+1, err)
	}
	return idx, ps, nil
}

// parameterized is a notebook prepared for execution.
type parameterized struct {
	JSON []byte // the notebook to execute
	// Orig maps a cell index of JSON to the 1-based index of that cell in
	// the input notebook; 0 marks the injected cell.
	Orig []int
}

// parameterize removes the injected-parameters cells of an earlier run and,
// when ovs is not empty, inserts after the cell tagged "parameters" a cell
// tagged "injected-parameters" that declares the overrides again. name labels
// the errors. Without overrides and without an injected cell, the notebook
// is returned unchanged.
func parameterize(name string, b []byte, ovs overrides) (*parameterized, error) {
	nb, err := parseNotebook(name, b)
	if err != nil {
		return nil, err
	}
	stale := slices.ContainsFunc(nb.Cells, func(c cell) bool { return c.hasTag(InjectedTag) })
	if len(ovs) == 0 && !stale {
		orig := make([]int, len(nb.Cells))
		for i := range orig {
			orig[i] = i + 1
		}
		return &parameterized{JSON: b, Orig: orig}, nil
	}
	paramCell, src := -1, ""
	if len(ovs) > 0 {
		var ps []param
		if paramCell, ps, err = notebookParams(name, nb); err != nil {
			return nil, err
		}
		if paramCell < 0 {
			return nil, fmt.Errorf("%s: -p %s given, but no cell is tagged %q", name, ovs[0].Name, ParametersTag)
		}
		if src, err = injectedSource(ps, ovs, fmt.Sprintf("the parameters cell (cell %d)", paramCell+1)); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
	}

	// Edit the JSON as generic values, so that every field is kept.
	var doc map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: not a notebook (JSON): %w", name, err)
	}
	cells, _ := doc["cells"].([]any)
	var out []any
	var orig []int
	for i, c := range cells {
		if nb.Cells[i].hasTag(InjectedTag) {
			continue
		}
		out = append(out, c)
		orig = append(orig, i+1)
		if i == paramCell && src != "" {
			out = append(out, injectedCell(src, doc["nbformat_minor"]))
			orig = append(orig, 0)
		}
	}
	doc["cells"] = out
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	e.SetIndent("", " ")
	if err := e.Encode(doc); err != nil {
		return nil, err
	}
	return &parameterized{JSON: buf.Bytes(), Orig: orig}, nil
}

// injectedCell is a new code cell tagged "injected-parameters". Cell ids
// exist from nbformat 4.5 on.
func injectedCell(src string, minor any) map[string]any {
	c := map[string]any{
		"cell_type":       "code",
		"execution_count": nil,
		"metadata":        map[string]any{"tags": []string{InjectedTag}},
		"outputs":         []any{},
		"source":          src,
	}
	if n, ok := minor.(json.Number); ok {
		if v, err := n.Int64(); err == nil && v >= 5 {
			c["id"] = InjectedTag
		}
	}
	return c
}

// quotedValue shows a -p value in a one-line error: as typed when it is
// short and printable, else Go-quoted and cut to maxShownValue bytes.
func quotedValue(v string) string {
	const maxShownValue = 60
	if len(v) > maxShownValue {
		return strconv.Quote(v[:maxShownValue]) + "…"
	}
	return safefile.Name(v)
}
