package plan

import (
	"reflect"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/lang/ast"
)

// Projection pruning: a table scan reads only the columns the query can
// use. The rule is deliberately conservative. A pipe `T | op | op ...` reads
// a subset of T's columns only when, before any operator that could need
// columns it does not name, an operator limits the columns (project,
// summarize, count, distinct of named columns). The columns kept are every
// name that occurs anywhere in the query, a superset of the real needs, so
// a pruned column can never be one the query reads. Queries that name
// columns indirectly (a `*` argument other than count(*), wildcards,
// pack_all(), column_ifexists()) are never pruned.

// queryNames collects every identifier of the query; ok is false when the
// query refers to columns in a way names cannot capture.
func queryNames(q *ast.Query) (names map[string]bool, ok bool) {
	names = map[string]bool{}
	ok = true
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value, parentCall string)
	walk = func(v reflect.Value, parentCall string) {
		if !ok || !v.IsValid() {
			return
		}
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), parentCall)
			}
			return
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			switch n := v.Interface().(type) {
			case *ast.Ident:
				names[n.Name] = true
				return
			case *ast.Wildcard:
				ok = false
				return
			case *ast.Star:
				if parentCall != "count" {
					ok = false
				}
				return
			case *ast.Call:
				if n.Name != nil {
					switch strings.ToLower(n.Name.Name) {
					case "pack_all", "column_ifexists", "bag_pack_columns", "pack_columns":
						ok = false
						return
					}
					for _, a := range n.Args {
						walk(reflect.ValueOf(a), strings.ToLower(n.Name.Name))
					}
				}
				if n.Recv != nil {
					walk(reflect.ValueOf(n.Recv), "")
				}
				return
			}
			walk(v.Elem(), "")
		case reflect.Struct:
			t := v.Type()
			for i := 0; i < v.NumField(); i++ {
				if t.Field(i).IsExported() {
					walk(v.Field(i), "")
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), "")
			}
		}
	}
	walk(reflect.ValueOf(q), "")
	return names, ok
}

// limitsColumns reports whether op's output columns are only those it names.
func limitsColumns(op ast.Op) bool {
	switch o := op.(type) {
	case *ast.Project, *ast.Summarize, *ast.Count, *ast.MakeSeries, *ast.TopNested:
		return true
	case *ast.Distinct:
		for _, c := range o.Columns {
			if _, star := c.(*ast.Star); star {
				return false
			}
		}
		return true
	}
	return false
}

// passesColumns reports whether op works on whatever columns its input has
// (its output schema is derived from its input, not from the checker).
func passesColumns(op ast.Op) bool {
	switch op.(type) {
	case *ast.Where, *ast.Extend, *ast.Take, *ast.Top, *ast.Sort, *ast.Serialize,
		*ast.MvExpand, *ast.Parse, *ast.ParseKV, *ast.Join, *ast.Lookup:
		return true
	}
	return false
}

// pruneColumns returns the columns of t a pipe over it needs, or nil for all.
func (b *Builder) pruneColumns(t catalog.Table, opList []ast.Op) []string {
	if b.names == nil {
		return nil
	}
	limited := false
	for _, op := range opList {
		if limitsColumns(op) {
			limited = true
			break
		}
		if !passesColumns(op) {
			return nil
		}
	}
	if !limited {
		return nil
	}
	fields := t.Schema().Fields()
	var cols []string
	for _, f := range fields {
		if b.names[f.Name] {
			cols = append(cols, f.Name)
		}
	}
	if len(cols) == len(fields) || len(cols) == 0 {
		return nil // nothing to gain, or a query reading no column (count): keep one path
	}
	return cols
}
