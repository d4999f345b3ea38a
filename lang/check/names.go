package check

import (
	"fmt"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/funcs"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// firstArgNamed lists scalar functions whose result column is named after
// their first argument (Kusto: `extend tostring(d.x)` → d_x, `by bin(T, 1h)` → T).
var firstArgNamed = map[string]bool{
	"bin": true, "bin_at": true, "bin_auto": true, "floor": true,
	"tostring": true, "toint": true, "tolong": true, "toreal": true, "todouble": true,
	"todatetime": true, "totimespan": true, "todynamic": true, "toobject": true,
	"tobool": true, "toboolean": true, "toguid": true, "todecimal": true, "tolower": true, "toupper": true,
	"parse_json": false,
}

// prefixNamed lists scalar functions named `<function>_<first argument>`.
var prefixNamed = map[string]bool{"percentile_tdigest": true, "percentrank_tdigest": true, "rank_tdigest": true}

// ExprName returns the column name Kusto derives from an expression, or ""
// when it has none (the caller then numbers it Column1, print_0, ...).
func ExprName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.Paren:
		return ExprName(e.X)
	case *ast.Member:
		if id, ok := e.X.(*ast.Ident); ok && (id.Name == "$left" || id.Name == "$right") {
			return e.Name.Name
		}
		x := ExprName(e.X)
		if x == "" {
			return ""
		}
		return x + "_" + e.Name.Name
	case *ast.Index:
		x := ExprName(e.X)
		if x == "" {
			return ""
		}
		if lit, ok := e.Index.(*ast.Literal); ok {
			switch v := lit.Value.(type) {
			case string:
				return x + "_" + v
			case int64, int32, int:
				return fmt.Sprintf("%s_%d", x, v)
			}
		}
		return ""
	case *ast.Call:
		if e.Name != nil && firstArgNamed[strings.ToLower(e.Name.Name)] && len(e.Args) > 0 {
			return ExprName(e.Args[0])
		}
		if e.Name != nil && prefixNamed[strings.ToLower(e.Name.Name)] && len(e.Args) > 0 {
			if n := ExprName(e.Args[0]); n != "" {
				return strings.ToLower(e.Name.Name) + "_" + n
			}
		}
	}
	return ""
}

// aggPrefix gives the column prefix of an aggregate's default name.
var aggPrefix = map[string]string{
	"make_list": "list", "make_list_if": "list", "make_list_with_nulls": "list",
	"make_set": "set", "make_set_if": "set", "make_bag": "bag", "make_bag_if": "bag",
	"take_any": "any", "take_anyif": "any", "any": "any", "anyif": "any",
	"buildschema": "schema", "hll": "hll", "hll_merge": "hll_merge", "tdigest": "tdigest",
	"tdigest_merge": "tdigest_merge", "merge_tdigest": "merge_tdigest",
}

// AggName returns the default output column names of an aggregate call.
func AggName(call *ast.Call, in *types.Schema) []string {
	name := strings.ToLower(call.Name.Name)
	if f := funcs.Lookup(name); f != nil {
		name = f.Name
	}
	argName := ""
	if len(call.Args) > 0 {
		argName = ExprName(call.Args[0])
	}
	switch name {
	case "count", "countif":
		return []string{name + "_"}
	case "arg_max", "arg_min":
		return argMaxNames(call, in, name)
	case "percentile", "percentiles", "percentilew", "percentilesw":
		var out []string
		base := "percentile_" + argName
		first := 1
		if strings.HasSuffix(name, "w") {
			first = 2
		}
		for _, a := range call.Args[min(first, len(call.Args)):] {
			out = append(out, base+"_"+constText(a))
		}
		if name == "percentilesw" || name == "percentiles" {
			return out
		}
		if len(out) > 0 {
			return out[:1]
		}
		return []string{base}
	}
	p := aggPrefix[name]
	if p == "" {
		p = name
	}
	if argName == "" {
		// count(), sum(x * 2): the prefix alone
		return []string{p + "_"}
	}
	return []string{p + "_" + argName}
}

func constText(e ast.Expr) string {
	if lit, ok := e.(*ast.Literal); ok {
		s := lit.Raw
		if s == "" {
			s = fmt.Sprint(lit.Value)
		}
		return strings.ReplaceAll(s, ".", "_")
	}
	if n, ok := e.(*ast.NamedArg); ok {
		return constText(n.Value)
	}
	return ""
}

// ArgMaxColumns returns the output columns of arg_max/arg_min beyond the
// first: the expressions after the first argument, with `*` expanded to the
// input columns not otherwise produced (excluded holds the names to skip).
func argMaxNames(call *ast.Call, in *types.Schema, name string) []string {
	if len(call.Args) == 0 {
		return []string{name + "_"}
	}
	first := ExprName(call.Args[0])
	if first == "" {
		first = strings.TrimPrefix(name, "arg_") + "_"
	}
	out := []string{first}
	for _, a := range call.Args[1:] {
		if _, ok := a.(*ast.Star); ok {
			if in != nil {
				for _, c := range in.Columns {
					out = append(out, c.Name)
				}
			}
			continue
		}
		out = append(out, ExprName(a))
	}
	return out
}

// namer hands out unique column names within one output schema.
type namer struct {
	used map[string]bool
	next int
}

func newNamer() *namer { return &namer{used: map[string]bool{}} }

func (n *namer) take(name string) string {
	if !n.used[name] {
		n.used[name] = true
		return name
	}
	for i := 1; ; i++ {
		c := fmt.Sprintf("%s%d", name, i)
		if !n.used[c] {
			n.used[c] = true
			return c
		}
	}
}

func (n *namer) column() string {
	for {
		n.next++
		c := fmt.Sprintf("Column%d", n.next)
		if !n.used[c] {
			n.used[c] = true
			return c
		}
	}
}
