package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/funcs"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// TupleItem describes a project/extend item whose function returns several
// values (series_fit_line, series_decompose_anomalies, array_sort_asc of
// several arrays, ...). The kernel returns them as one dynamic array; the
// engine evaluates the call once and makes column i from element Elems[i],
// converted to Columns[i].Type.
type TupleItem struct {
	Func    string         // canonical function name
	Columns []types.Column // output columns, in order
	Elems   []int          // tuple element of each column
}

// TupleItems is the Op.Out().Ref of a project, extend or serialize whose
// items include multi-value function calls.
type TupleItems map[*ast.NamedExpr]*TupleItem

// tupleCall returns the canonical name of a multi-value function called by
// e and its element names and kinds, or ok=false. Element names are the
// suffixes of Kusto's default column names.
func tupleCall(e ast.Expr) (call *ast.Call, name string, suffixes []string, kinds []types.Kind, ok bool) {
	call, isCall := e.(*ast.Call)
	if !isCall || call.Name == nil {
		return nil, "", nil, nil, false
	}
	f := funcs.Lookup(strings.ToLower(call.Name.Name))
	if f == nil {
		return nil, "", nil, nil, false
	}
	name = f.Name
	if cols, found := funcs.SeriesTupleColumns[name]; found {
		kinds = make([]types.Kind, len(cols))
		for i, s := range cols {
			kinds[i] = seriesTupleKind(name, s)
		}
		return call, name, cols, kinds, true
	}
	if name == "array_sort_asc" || name == "array_sort_desc" {
		n := 0
		for _, a := range call.Args {
			if a.Info().Type == types.Dynamic {
				n++
			}
		}
		if n < 2 {
			return nil, "", nil, nil, false
		}
		suffixes = make([]string, n)
		kinds = make([]types.Kind, n)
		for i := range suffixes {
			suffixes[i] = "sorted"
			kinds[i] = types.Dynamic
		}
		return call, name, suffixes, kinds, true
	}
	return nil, "", nil, nil, false
}

// seriesTupleKind is the KQL type of one element of a series tuple.
func seriesTupleKind(fn, suffix string) types.Kind {
	switch fn {
	case "series_stats", "series_fit_line", "series_fit_2lines":
		switch {
		case suffix == "line_fit":
			return types.Dynamic
		case strings.HasSuffix(suffix, "_idx"):
			return types.Long
		}
		return types.Real
	}
	return types.Dynamic
}

// tupleNames returns the output names of a tuple item: the names given
// (the first len(names) values; one name takes the first value), or
// Kusto's defaults `<function>_<argument>_<suffix>` (for array_sort_*:
// `<argument>_sorted`).
func (c *Checker) tupleItem(it *ast.NamedExpr, opName string) *TupleItem {
	call, fn, suffixes, kinds, ok := tupleCall(it.X)
	if !ok {
		return nil
	}
	ti := &TupleItem{Func: fn}
	if len(it.Names) > 0 {
		if len(it.Names) > len(suffixes) {
			c.Errorf(it, "bad-names", "%s returns %d values but %d names are given", fn, len(suffixes), len(it.Names))
		}
		for i, n := range it.Names {
			if i >= len(suffixes) {
				break
			}
			ti.Columns = append(ti.Columns, types.Column{Name: n.Name, Type: kinds[i]})
			ti.Elems = append(ti.Elems, i)
		}
		return ti
	}
	for i, s := range suffixes {
		var name string
		if fn == "array_sort_asc" || fn == "array_sort_desc" {
			arg := ""
			if i < len(call.Args) {
				arg = ExprName(call.Args[i])
			}
			if arg == "" {
				arg = "array" + itoa(i+1)
			}
			name = arg + "_" + s
		} else {
			arg := ""
			if len(call.Args) > 0 {
				arg = ExprName(call.Args[0])
			}
			name = fn + "_" + arg + "_" + s
		}
		ti.Columns = append(ti.Columns, types.Column{Name: name, Type: kinds[i]})
		ti.Elems = append(ti.Elems, i)
	}
	return ti
}
