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
	// the rest of Kusto's FirstArgument-named functions
	"split": true, "tohex": true, "totime": true, "parse_csv": true, "parse_xml": true,
	"format_datetime": true, "format_timespan": true, "format_bytes": true, "startofday": true,
	"binary_and": true, "binary_or": true, "binary_xor": true, "binary_not": true,
	"binary_shift_left": true, "binary_shift_right": true, "bitset_count_ones": true,
	"round": true, "ceiling": true, "pow": true, "sqrt": true, "log": true, "log2": true, "log10": true,
	"exp": true, "exp2": true, "exp10": true, "cos": true, "sin": true, "tan": true, "acos": true,
	"asin": true, "atan": true, "atan2": true, "abs": true, "gamma": true, "loggamma": true,
	"erf": true, "erfc": true,
	"series_fir": true, "series_iir": true, "series_outliers": true, "series_fill_backward": true,
	"series_fill_forward": true, "series_fill_const": true, "series_fill_linear": true,
}

// prefixNamed lists scalar functions named `<function>_<first argument>`.
var prefixNamed = map[string]bool{"percentile_tdigest": true, "percentrank_tdigest": true, "rank_tdigest": true,
	"strlen": true, "string_size": true, "dcount_hll": true}

// ExprName returns the column name Kusto derives from an expression, or ""
// when it has none (the caller then numbers it Column1, print_0, ...).
func ExprName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.Paren:
		return ExprName(e.X)
	case *ast.NamedArg:
		// `toint(N = dcountif(...))`, `arg_max(N = T, ...)`: the column
		// takes the name given inside the call (Kusto's SimpleNamedExpression)
		if e.Name != nil {
			return e.Name.Name
		}
		return ""
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
		if e.Name != nil && e.Recv == nil {
			// an aggregate inside an expression is named as on its own
			// (`summarize tostring(make_set(x))` → set_x); Kusto names
			// arg_max, take_any and the percentiles only when direct
			if f := funcs.Lookup(e.Name.Name); f != nil && f.Kind == funcs.Aggregate {
				switch f.Name {
				case "arg_max", "arg_min", "take_any", "percentile", "percentiles", "percentilew", "percentilesw":
					return ""
				}
				if n := AggName(e, nil); len(n) == 1 {
					return n[0]
				}
				return ""
			}
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
	"any": "any", "anyif": "anyif",
	"buildschema": "schema", "hll": "hll", "hll_merge": "hll_merge", "tdigest": "tdigest",
	"tdigest_merge": "tdigest_merge", "merge_tdigest": "merge_tdigest",
}

// AggName returns the default output column names of an aggregate call.
func AggName(call *ast.Call, in *types.Schema) []string {
	name := strings.ToLower(call.Name.Name)
	if f := funcs.Lookup(name); f != nil && name != "any" && name != "anyif" {
		// (the deprecated any()/anyif() keep their own any_/anyif_ names)
		name = f.Name
	}
	argName := ""
	if len(call.Args) > 0 {
		argName = ExprName(call.Args[0])
	}
	switch name {
	case "arg_max", "arg_min":
		return argMaxNames(call, in, name)
	case "take_any":
		// the docs: `summarize take_any(State)` gives column State (only
		// the deprecated any() adds the any_ prefix); an expression
		// without a name is any_arg0 (Kusto.Language)
		if argName == "" {
			return []string{"any_arg0"}
		}
		return []string{argName}
	case "take_anyif":
		// named after its first argument (Kusto.Language FirstArgument)
		return []string{argName}
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
