package queries

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/schemas"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// CheckEnv is what Validate types a hunt against.
type CheckEnv struct {
	// Tables are the table schemas (nil = the built-in schemas of lang/schemas).
	Tables check.Catalog
	// Plugin types `evaluate` plugins (nil = none known).
	Plugin func(name string) check.PluginFunc
}

// Checked is what Validate learned about a hunt's query.
type Checked struct {
	Output *types.Schema // the result columns
	Reads  []string      // the tables the query reads
}

// maxQueryErrors is how many query errors Validate reports per hunt.
const maxQueryErrors = 3

// validateNow is the now() used to type-check (any fixed instant works).
var validateNow = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// Validate type-checks the hunt's query with its parameters' defaults
// against env's tables and checks what the query's output must provide:
// the entity columns, a string Severity column if any, and that every
// table the query reads is listed in requiredDataConnectors (library
// hunts). Query diagnostics are rendered against the hunt file's lines.
func (h *Hunt) Validate(env CheckEnv) (*Checked, Problems) {
	var probs Problems
	bad := func(line int, field, format string, args ...any) {
		probs = append(probs, Problem{File: h.File, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	tables := env.Tables
	if tables == nil {
		tables = check.MapCatalog(schemas.Builtin())
	}
	src, binds, err := h.Source(Bind{Now: validateNow})
	if err != nil {
		return nil, Problems{{File: h.File, Msg: err.Error()}}
	}
	letStart, letEnd := h.letSpan(src)
	report := func(diags lang.List) {
		shown := 0
		for _, d := range diags {
			if d.Severity != lang.SevError {
				continue
			}
			if shown == maxQueryErrors {
				bad(h.queryLine, "query", "... and more errors (fix the first ones: later ones often follow from them)")
				break
			}
			shown++
			if p := h.paramAt(binds, d.Span.Start, letStart, letEnd); p != nil {
				bad(p.Line, "parameters."+p.Name, "default %s: %s", p.Default, d.Msg)
				continue
			}
			line, _ := src.Position(d.Span.Start)
			probs = append(probs, Problem{File: h.File, Line: line, Field: "query", Msg: strings.TrimRight(d.Render(src), "\n")})
		}
	}
	// each default alone first: its syntax errors belong to its parameter
	for _, p := range h.Parameters {
		dsrc := lang.NewSource("default", "print "+p.Default)
		dtree, dd := syntax.Parse(dsrc)
		if dd.HasErrors() {
			for _, d := range dd {
				if d.Severity == lang.SevError {
					bad(p.Line, "parameters."+p.Name+".default", "%s: %s", p.Default, d.Msg)
					break
				}
			}
			continue
		}
		dc, dd := check.CheckWith(dtree, &check.Env{Tables: tables, Now: validateNow, Plugin: env.Plugin})
		if dd.HasErrors() || dc.Last == nil || len(dc.Last.Columns) != 1 || p.Kind == types.Unknown {
			continue // the whole query's check reports it
		}
		if got := dc.Last.Columns[0].Type; !kindFits(p.Kind, got) {
			bad(p.Line, "parameters."+p.Name, "default %s is a %s, not a %s", p.Default, got, p.Kind)
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	tree, diags := syntax.Parse(src)
	if diags.HasErrors() {
		report(diags)
		return nil, probs
	}
	c, diags := check.CheckWith(tree, &check.Env{Tables: tables, Now: validateNow, Plugin: env.Plugin})
	if diags.HasErrors() {
		report(diags)
		return nil, probs
	}
	out := &Checked{Output: c.Last, Reads: tablesRead(tree)}
	if out.Output == nil {
		bad(h.queryLine, "query", "the query returns no table")
		return out, probs
	}
	var cols []string
	for _, col := range out.Output.Columns {
		cols = append(cols, col.Name)
	}
	for _, e := range h.Entities {
		if out.Output.Index(e.Column) < 0 {
			bad(h.entityLine(e.Kind), "entities."+e.Kind, "column %s is not in the query's output (columns: %s)", e.Column, strings.Join(cols, ", "))
		}
	}
	if i := out.Output.Index("Severity"); i >= 0 && out.Output.Columns[i].Type != types.String {
		bad(h.queryLine, "query", "the Severity column must be a string (informational, low, medium, high), not %s", out.Output.Columns[i].Type)
	}
	if !h.External {
		for _, t := range out.Reads {
			if !contains(h.Tables, t) {
				bad(h.keyLines["requiredDataConnectors"], "requiredDataConnectors", "the query reads %s but no dataTypes lists it", t)
			}
		}
	}
	return out, probs
}

// AddReads adds the tables the query reads to h.Tables (for files from
// elsewhere that list none).
func (h *Hunt) AddReads(reads []string) {
	for _, t := range reads {
		if !contains(h.Tables, t) {
			h.Tables = append(h.Tables, t)
		}
	}
}

func (h *Hunt) entityLine(kind string) int {
	if l := h.entityLines[kind]; l > 0 {
		return l
	}
	if l := h.keyLines["entities"]; l > 0 {
		return l
	}
	return h.keyLines["entityMappings"]
}

// letSpan is where the let statements of the parameters are in src.
func (h *Hunt) letSpan(src *lang.Source) (int, int) {
	if h.queryIndent >= 0 && h.queryLine >= 1 {
		return src.Offset(h.queryLine, 1), src.Offset(h.queryLine+1, 1)
	}
	return 0, strings.IndexByte(src.Text+"\n", '\n')
}

// paramAt returns the parameter whose let statement holds offset off.
func (h *Hunt) paramAt(binds []Binding, off, start, end int) *Param {
	if len(binds) == 0 || off < start || off >= end {
		return nil
	}
	pos := start
	for i, bd := range binds {
		n := len(fmt.Sprintf("let %s = %s;", bd.Name, bd.Value)) + 1
		if off < pos+n {
			return &h.Parameters[i]
		}
		pos += n
	}
	return nil
}

func kindFits(want, got types.Kind) bool {
	if want == got || got == types.Unknown {
		return true
	}
	num := func(k types.Kind) bool {
		return k == types.Int || k == types.Long || k == types.Real || k == types.Decimal
	}
	return num(want) && num(got)
}

// tablesRead lists the catalog tables a checked query reads.
func tablesRead(q *ast.Query) []string {
	seen := map[string]bool{}
	// a let's statement and an inlined function's body are reached through
	// the checker's annotations, which Inspect does not follow by itself
	var ins *ast.Inspector
	ins = ast.NewInspector(func(p any) bool {
		n, ok := p.(interface{ Info() *ast.Info })
		if !ok {
			return true
		}
		if inf := n.Info(); inf != nil {
			if r, ok := inf.Ref.(*check.TableRef); ok {
				seen[r.Name] = true
			}
			if r, ok := inf.Ref.(*check.Inline); ok && r.Body != nil {
				ins.Walk(r.Body)
			}
			if r, ok := inf.Ref.(*check.LetRef); ok && r.Stmt != nil {
				ins.Walk(r.Stmt)
			}
		}
		return true
	})
	ins.Walk(q)
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
