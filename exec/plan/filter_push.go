package plan

import (
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
)

// Filter pushdown (issue 12): the predicate of a pipe's leading where is
// handed to the table scan (catalog.ScanOptions.Filter) so that a source
// can evaluate it on its few columns first and read the other columns
// only for the rows it keeps (exec/source: late materialisation of
// Parquet). The where operator still runs on what the scan returns, so
// the predicate is evaluated twice on the kept rows: only pure predicates
// are pushed (columns, literals, operators and a list of deterministic
// functions; no now()/ago(), rand(), subqueries or user functions).

// pushableCalls are the functions a pushed predicate may call.
var pushableCalls = map[string]bool{
	"tostring": true, "tolower": true, "toupper": true, "strlen": true,
	"isempty": true, "isnotempty": true, "isnull": true, "isnotnull": true,
	"toint": true, "tolong": true, "todouble": true, "toreal": true, "tobool": true,
	"todatetime": true, "totimespan": true, "trim": true, "trim_start": true, "trim_end": true,
	"substring": true, "indexof": true, "strcat": true, "not": true,
	"parse_json": true, "todynamic": true, "array_length": true,
	"ipv4_is_private": true, "ipv4_is_in_range": true, "datetime": true, "timespan": true,
	"dynamic": true, "bin": true, "floor": true, "abs": true,
}

// pureCols reports whether e is a pushable predicate and adds the columns
// it reads to cols (in first-use order).
func pureCols(e ast.Expr, cols *[]string, seen map[string]bool) bool {
	switch x := e.(type) {
	case nil:
		return true
	case *ast.Literal:
		return true
	case *ast.Ident:
		r, ok := x.Info().Ref.(*check.ColumnRef)
		if !ok {
			return false
		}
		if !seen[r.Name] {
			seen[r.Name] = true
			*cols = append(*cols, r.Name)
		}
		return true
	case *ast.Paren:
		return pureCols(x.X, cols, seen)
	case *ast.Binary:
		return pureCols(x.L, cols, seen) && pureCols(x.R, cols, seen)
	case *ast.Unary:
		return pureCols(x.X, cols, seen)
	case *ast.Between:
		return pureCols(x.X, cols, seen) && pureCols(x.Lo, cols, seen) && pureCols(x.Hi, cols, seen)
	case *ast.InList:
		if !pureCols(x.X, cols, seen) {
			return false
		}
		for _, it := range x.List {
			if !pureCols(it, cols, seen) {
				return false
			}
		}
		return true
	case *ast.Tuple:
		for _, it := range x.Items {
			if !pureCols(it, cols, seen) {
				return false
			}
		}
		return true
	case *ast.Member:
		return pureCols(x.X, cols, seen)
	case *ast.Index:
		return pureCols(x.X, cols, seen) && pureCols(x.Index, cols, seen)
	case *ast.Call:
		if x.Recv != nil || x.Name == nil || !pushableCalls[strings.ToLower(x.Name.Name)] {
			return false
		}
		if _, user := x.Info().Ref.(*check.LetRef); user {
			return false
		}
		for _, a := range x.Args {
			if !pureCols(a, cols, seen) {
				return false
			}
		}
		return true
	}
	return false
}

// scanFilter returns the pushed-down filter of the pipe's leading where
// over a scan of schema (the projected table schema), or nil.
func (b *Builder) scanFilter(schema *arrow.Schema, opList []ast.Op) *catalog.ScanFilter {
	if len(opList) == 0 {
		return nil
	}
	w, ok := opList[0].(*ast.Where)
	if !ok {
		return nil
	}
	var cols []string
	if !pureCols(w.Pred, &cols, map[string]bool{}) || len(cols) == 0 {
		return nil
	}
	// a predicate over every scanned column is pushed only as a
	// conjunction of single-column terms: there is nothing to read late,
	// but a source can then test dictionary indices against per-entry
	// results (exec/source: dictFilter) and return only the kept rows
	var terms []catalog.ScanTerm
	if len(cols) >= schema.NumFields() || len(cols) > 1 {
		terms = b.scanTerms(schema, w.Pred)
		if terms == nil && len(cols) >= schema.NumFields() {
			return nil
		}
	}
	fs := make([]arrow.Field, len(cols))
	for i, c := range cols {
		idx := schema.FieldIndices(c)
		if len(idx) == 0 {
			return nil
		}
		fs[i] = schema.Field(idx[0])
	}
	ev, err := b.Compile(w.Pred, arrow.NewSchema(fs, nil))
	if err != nil {
		return nil
	}
	return &catalog.ScanFilter{Columns: cols, Eval: b.selEval(ev), Terms: terms}
}

// conjuncts splits e at its top-level and operators.
func conjuncts(e ast.Expr, out []ast.Expr) []ast.Expr {
	switch x := e.(type) {
	case *ast.Paren:
		return conjuncts(x.X, out)
	case *ast.Binary:
		if x.Op == "and" {
			return conjuncts(x.R, conjuncts(x.L, out))
		}
	}
	return append(out, e)
}

// scanTerms returns pred as single-column terms (each of string type
// column), or nil when some conjunct reads no column or several.
func (b *Builder) scanTerms(schema *arrow.Schema, pred ast.Expr) []catalog.ScanTerm {
	parts := conjuncts(pred, nil)
	if len(parts) < 1 {
		return nil
	}
	terms := make([]catalog.ScanTerm, len(parts))
	for i, p := range parts {
		var cols []string
		if !pureCols(p, &cols, map[string]bool{}) || len(cols) != 1 {
			return nil
		}
		idx := schema.FieldIndices(cols[0])
		if len(idx) == 0 || schema.Field(idx[0]).Type.ID() != arrow.STRING {
			return nil
		}
		ev, err := b.Compile(p, arrow.NewSchema([]arrow.Field{schema.Field(idx[0])}, nil))
		if err != nil {
			return nil
		}
		terms[i] = catalog.ScanTerm{Column: cols[0], Eval: b.selEval(ev)}
	}
	return terms
}

// selEval wraps a compiled predicate as a ScanFilter evaluator.
func (b *Builder) selEval(ev expr.Evaluator) func(rec arrow.Record) ([]int32, error) {
	kctx := b.Ctx()
	return func(rec arrow.Record) ([]int32, error) {
		d, err := ev.Eval(kctx, rec)
		if err != nil {
			return nil, err
		}
		defer d.Release()
		mask, ok := d.Array.(*array.Boolean)
		if !ok {
			return nil, &expr.Error{Msg: "where predicate is not bool"}
		}
		n := int(rec.NumRows())
		if d.Scalar {
			if mask.IsValid(0) && mask.Value(0) {
				sel := make([]int32, n)
				for i := range sel {
					sel[i] = int32(i)
				}
				return sel, nil
			}
			return nil, nil
		}
		sel := make([]int32, 0, n/8)
		if mask.NullN() == 0 {
			for i := 0; i < n; i++ {
				if mask.Value(i) {
					sel = append(sel, int32(i))
				}
			}
			return sel, nil
		}
		for i := 0; i < n; i++ {
			if mask.IsValid(i) && mask.Value(i) {
				sel = append(sel, int32(i))
			}
		}
		return sel, nil
	}
}
