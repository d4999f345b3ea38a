package plan

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Time-range pushdown: a table that is partitioned by time (exec/store)
// says so with a TimeColumns method; when the pipe over it starts with
// where operators that bound one of those columns by constants (`where Timestamp >
// ago(7d)`, `between (a .. b)`, comparisons joined by `and`), the scan is
// given the range in catalog.ScanOptions so it can skip partitions and
// row groups. The where operators still run: the range is a hint, always a
// superset of the rows the predicates keep.

// TimePartitioned is implemented by tables that can skip data by a time
// range on one datetime column.
type TimePartitioned interface {
	// TimeColumns lists the datetime columns the table can prune by,
	// the best first.
	TimeColumns() []string
}

// TimeBounds returns the inclusive-exclusive range [from, to) on column
// col implied by the leading where operators of opList (nil where a side
// is unbounded). eval evaluates a constant expression (Builder.EvalConst).
func TimeBounds(opList []ast.Op, col string, eval func(ast.Expr) (any, types.Kind, error)) (from, to *int64) {
	b := &bounds{col: col, eval: eval}
	for _, op := range opList {
		w, ok := op.(*ast.Where)
		if !ok {
			break
		}
		b.pred(w.Pred)
	}
	return b.from, b.to
}

type bounds struct {
	col      string
	eval     func(ast.Expr) (any, types.Kind, error)
	from, to *int64
}

func (b *bounds) lower(v int64) {
	if b.from == nil || v > *b.from {
		b.from = &v
	}
}

func (b *bounds) upper(v int64) { // exclusive
	if b.to == nil || v < *b.to {
		b.to = &v
	}
}

func (b *bounds) pred(e ast.Expr) {
	switch x := e.(type) {
	case *ast.Paren:
		b.pred(x.X)
	case *ast.Binary:
		op := strings.ToLower(x.Op)
		if op == "and" {
			b.pred(x.L)
			b.pred(x.R)
			return
		}
		if x.R == nil {
			return
		}
		if b.isCol(x.L) {
			if v, ok := b.constTime(x.R); ok {
				b.cmp(op, v)
			}
		} else if b.isCol(x.R) {
			if v, ok := b.constTime(x.L); ok {
				b.cmp(flip(op), v)
			}
		}
	case *ast.Between:
		if x.Not || !b.isCol(x.X) {
			return
		}
		lo, ok := b.constTime(x.Lo)
		if !ok {
			return
		}
		hv, hk, err := b.constValue(x.Hi)
		if err != nil {
			return
		}
		var hi int64
		switch hk {
		case types.DateTime:
			hi = hv
		case types.TimeSpan:
			hi = lo + hv
		default:
			return
		}
		b.lower(lo)
		if hi < 1<<63-1 {
			b.upper(hi + 1)
		}
	}
}

func (b *bounds) cmp(op string, v int64) {
	switch op {
	case ">", ">=":
		b.lower(v)
	case "<":
		b.upper(v)
	case "<=":
		if v < 1<<63-1 {
			b.upper(v + 1)
		}
	case "==":
		b.lower(v)
		if v < 1<<63-1 {
			b.upper(v + 1)
		}
	}
}

func flip(op string) string {
	switch op {
	case ">":
		return "<"
	case ">=":
		return "<="
	case "<":
		return ">"
	case "<=":
		return ">="
	}
	return op
}

func (b *bounds) isCol(e ast.Expr) bool {
	for {
		p, ok := e.(*ast.Paren)
		if !ok {
			break
		}
		e = p.X
	}
	id, ok := e.(*ast.Ident)
	if !ok || id.Info().Type != types.DateTime {
		return false
	}
	ref, ok := id.Info().Ref.(*check.ColumnRef)
	return ok && ref.Name == b.col
}

func (b *bounds) constTime(e ast.Expr) (int64, bool) {
	v, k, err := b.constValue(e)
	return v, err == nil && k == types.DateTime
}

// constValue evaluates e when it is built only of literals, let-bound
// names and scalar calls (ago(), now(), datetime(), arithmetic).
func (b *bounds) constValue(e ast.Expr) (int64, types.Kind, error) {
	if !constShape(e) {
		return 0, types.Unknown, errNotConst
	}
	v, k, err := b.eval(e)
	if err != nil {
		return 0, types.Unknown, err
	}
	n, ok := v.(int64)
	if !ok || (k != types.DateTime && k != types.TimeSpan) {
		return 0, types.Unknown, errNotConst
	}
	return n, k, nil
}

type constErr struct{}

func (constErr) Error() string { return "not a constant" }

var errNotConst error = constErr{}

func constShape(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Literal:
		return true
	case *ast.Paren:
		return constShape(x.X)
	case *ast.Unary:
		return constShape(x.X)
	case *ast.Binary:
		return x.R != nil && constShape(x.L) && constShape(x.R)
	case *ast.Ident:
		switch r := x.Info().Ref.(type) {
		case *check.LetRef:
			return r.Stmt.Value != nil && x.Info().Schema == nil && constShape(r.Stmt.Value)
		case *check.ParamRef:
			return r.Arg != nil && constShape(r.Arg)
		}
		return x.Info().Const != nil
	case *ast.Call:
		if x.Recv != nil || x.Name == nil {
			return false
		}
		switch strings.ToLower(x.Name.Name) {
		case "toscalar", "rand", "materialize", "table", "row_number", "prev", "next", "row_cumsum":
			return false
		}
		if x.Info().Schema != nil {
			return false
		}
		for _, a := range x.Args {
			if !constShape(a) {
				return false
			}
		}
		return true
	}
	return false
}

// scanOptions returns the options of a scan of t by the pipe opList:
// the pruned columns and, for a time-partitioned table, the time range.
func (b *Builder) scanOptions(t catalog.Table, opList []ast.Op, cols []string) catalog.ScanOptions {
	so := catalog.ScanOptions{Columns: cols}
	if tp, ok := t.(TimePartitioned); ok {
		for _, col := range tp.TimeColumns() {
			if from, to := TimeBounds(opList, col, b.EvalConst); from != nil || to != nil {
				so.TimeColumn, so.From, so.To = col, from, to
				break
			}
		}
	}
	return so
}
