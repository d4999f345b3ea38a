package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// Operators are declared as functions under reserved names so that the
// checker types them and the engine binds their kernels by overload ID
// exactly like calls. Arithmetic and comparison operators use "__" names;
// the string operators use their KQL spelling ("has", "!contains_cs",
// "matches regex", ...).
//
// Overload IDs are "<name>_<kinds>", e.g. "__add_long", "__sub_datetime_datetime",
// "has_string".

// Operator names shared with the checker and the planner.
const (
	OpEq         = "__eq"
	OpNeq        = "__neq"
	OpLt         = "__lt"
	OpLe         = "__le"
	OpGt         = "__gt"
	OpGe         = "__ge"
	OpAdd        = "__add"
	OpSub        = "__sub"
	OpMul        = "__mul"
	OpDiv        = "__div"
	OpMod        = "__mod"
	OpNeg        = "__neg"
	OpPos        = "__pos"
	OpAnd        = "__and"
	OpOr         = "__or"
	OpEqCI       = "__eq_ci"  // =~
	OpNeqCI      = "__neq_ci" // !~
	OpIn         = "__in"
	OpNotIn      = "__notin"
	OpInCI       = "__in_ci"
	OpNotInCI    = "__notin_ci"
	OpBetween    = "__between"
	OpNotBetween = "__notbetween"
)

// BinaryOperatorName maps a KQL binary operator spelling (as stored in
// ast.Binary.Op) to its registry name, or "" when it has none.
func BinaryOperatorName(op string) string {
	switch op {
	case "==":
		return OpEq
	case "!=", "<>":
		return OpNeq
	case "<":
		return OpLt
	case "<=":
		return OpLe
	case ">":
		return OpGt
	case ">=":
		return OpGe
	case "+":
		return OpAdd
	case "-":
		return OpSub
	case "*":
		return OpMul
	case "/":
		return OpDiv
	case "%":
		return OpMod
	case "and":
		return OpAnd
	case "or":
		return OpOr
	case "=~":
		return OpEqCI
	case "!~":
		return OpNeqCI
	}
	if _, ok := StringOperators[op]; ok {
		return op
	}
	switch op {
	case "containscs":
		return "contains_cs"
	case "notcontains":
		return "!contains"
	case "notcontains_cs", "!containscs", "notcontainscs":
		return "!contains_cs"
	case "nothas":
		return "!has"
	}
	return ""
}

// ListOperatorName maps an ast.InList.Op spelling (in, !in, in~, !in~,
// has_any, has_all, has_any_cs?) to its registry name. The list items are
// passed as extra (variadic) arguments after X; a dynamic array argument is
// flattened into its elements.
func ListOperatorName(op string) string {
	switch op {
	case "in":
		return OpIn
	case "!in":
		return OpNotIn
	case "in~":
		return OpInCI
	case "!in~":
		return OpNotInCI
	case "has_any", "has_all":
		return op
	}
	return ""
}

// UnaryOperatorName maps "-" / "+" to "__neg" / "__pos".
func UnaryOperatorName(op string) string {
	switch op {
	case "-":
		return OpNeg
	case "+":
		return OpPos
	}
	return ""
}

// StringOperators lists the binary string operators (KQL spelling) with
// their one-line documentation. All take (string, string) and return bool;
// non-string left operands are converted as by tostring().
var StringOperators = map[string]string{
	"has":            "right side is a whole term in the left side (case-insensitive)",
	"!has":           "right side is not a whole term in the left side (case-insensitive)",
	"has_cs":         "right side is a whole term in the left side (case-sensitive)",
	"!has_cs":        "right side is not a whole term in the left side (case-sensitive)",
	"hasprefix":      "right side is a term prefix in the left side (case-insensitive)",
	"!hasprefix":     "right side is not a term prefix in the left side (case-insensitive)",
	"hasprefix_cs":   "right side is a term prefix in the left side (case-sensitive)",
	"!hasprefix_cs":  "right side is not a term prefix in the left side (case-sensitive)",
	"hassuffix":      "right side is a term suffix in the left side (case-insensitive)",
	"!hassuffix":     "right side is not a term suffix in the left side (case-insensitive)",
	"hassuffix_cs":   "right side is a term suffix in the left side (case-sensitive)",
	"!hassuffix_cs":  "right side is not a term suffix in the left side (case-sensitive)",
	"contains":       "right side occurs as a substring of the left side (case-insensitive)",
	"!contains":      "right side does not occur in the left side (case-insensitive)",
	"contains_cs":    "right side occurs as a substring of the left side (case-sensitive)",
	"!contains_cs":   "right side does not occur in the left side (case-sensitive)",
	"startswith":     "right side is an initial substring of the left side (case-insensitive)",
	"!startswith":    "right side is not an initial substring of the left side (case-insensitive)",
	"startswith_cs":  "right side is an initial substring of the left side (case-sensitive)",
	"!startswith_cs": "right side is not an initial substring of the left side (case-sensitive)",
	"endswith":       "right side is a closing substring of the left side (case-insensitive)",
	"!endswith":      "right side is not a closing substring of the left side (case-insensitive)",
	"endswith_cs":    "right side is a closing substring of the left side (case-sensitive)",
	"!endswith_cs":   "right side is not a closing substring of the left side (case-sensitive)",
	"matches regex":  "left side matches the regular expression on the right side",
}

// OperatorID returns the overload ID naming scheme used here: name plus
// kinds, with the operator name's non-identifier characters replaced
// ("!has" → "nothas", "matches regex" → "matches_regex").
func operatorIDBase(name string) string {
	b := []byte{}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '!':
			b = append(b, "not"...)
		case c == ' ':
			b = append(b, '_')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func opOv(id string, res Result, args ...Arg) *Overload {
	return &Overload{ID: id, Args: args, Result: res}
}

func opArg(name string, ks ...types.Kind) Arg { return Arg{Name: name, Types: types.Set(ks...)} }

func init() {
	num := types.Numeric
	numArg := func(n string) Arg { return Arg{Name: n, Types: num} }
	dt, ts := types.DateTime, types.TimeSpan

	// Arithmetic. Integer operands of the same kind keep it (int+int is int,
	// as Kusto's semantic model types it); mixed int/long give long; any
	// real gives real; decimal dominates integers.
	arith := func(name, doc string, extra ...*Overload) {
		o := []*Overload{
			opOv(name+"_int", Fixed(types.Int), opArg("l", types.Int), opArg("r", types.Int)),
			opOv(name+"_long", Fixed(types.Long), opArg("l", types.Long), opArg("r", types.Long)),
			opOv(name+"_decimal", Fixed(types.Decimal), opArg("l", types.Decimal), opArg("r", types.Decimal)),
			opOv(name+"_real", Fixed(types.Real), opArg("l", types.Real), opArg("r", types.Real)),
		}
		Register(&Func{Name: name, Kind: Scalar, Overloads: append(o, extra...), Doc: doc})
	}
	arith(OpAdd, "addition: numbers, datetime + timespan, timespan + timespan",
		opOv(OpAdd+"_datetime_timespan", Fixed(dt), opArg("l", dt), opArg("r", ts)),
		opOv(OpAdd+"_timespan_datetime", Fixed(dt), opArg("l", ts), opArg("r", dt)),
		opOv(OpAdd+"_timespan_timespan", Fixed(ts), opArg("l", ts), opArg("r", ts)),
	)
	arith(OpSub, "subtraction: numbers, datetime - datetime, datetime - timespan, timespan - timespan",
		opOv(OpSub+"_datetime_datetime", Fixed(ts), opArg("l", dt), opArg("r", dt)),
		opOv(OpSub+"_datetime_timespan", Fixed(dt), opArg("l", dt), opArg("r", ts)),
		opOv(OpSub+"_timespan_timespan", Fixed(ts), opArg("l", ts), opArg("r", ts)),
	)
	arith(OpMul, "multiplication: numbers, timespan * number",
		opOv(OpMul+"_timespan_number", Fixed(ts), opArg("l", ts), numArg("r")),
		opOv(OpMul+"_number_timespan", Fixed(ts), numArg("l"), opArg("r", ts)),
	)
	arith(OpDiv, "division (integer division truncates): numbers, timespan / timespan, timespan / number",
		opOv(OpDiv+"_timespan_timespan", Fixed(types.Real), opArg("l", ts), opArg("r", ts)),
		opOv(OpDiv+"_timespan_number", Fixed(ts), opArg("l", ts), numArg("r")),
	)
	arith(OpMod, "modulo: always a small non-negative number, 0 <= n % d < abs(d)",
		opOv(OpMod+"_timespan_timespan", Fixed(ts), opArg("l", ts), opArg("r", ts)),
	)
	for _, name := range []string{OpNeg, OpPos} {
		Register(&Func{Name: name, Kind: Scalar, Doc: "unary sign", Overloads: []*Overload{
			opOv(name+"_int", Fixed(types.Int), opArg("x", types.Int)),
			opOv(name+"_long", Fixed(types.Long), opArg("x", types.Long)),
			opOv(name+"_decimal", Fixed(types.Decimal), opArg("x", types.Decimal)),
			opOv(name+"_real", Fixed(types.Real), opArg("x", types.Real)),
			opOv(name+"_timespan", Fixed(ts), opArg("x", ts)),
		}})
	}

	// Comparisons. Null operands give null.
	cmp := func(name, doc string, ordered bool) {
		o := []*Overload{
			opOv(name+"_number", Fixed(types.Bool), numArg("l"), numArg("r")),
			opOv(name+"_string", Fixed(types.Bool), opArg("l", types.String), opArg("r", types.String)),
			opOv(name+"_datetime", Fixed(types.Bool), opArg("l", dt), opArg("r", dt)),
			opOv(name+"_timespan", Fixed(types.Bool), opArg("l", ts), opArg("r", ts)),
			opOv(name+"_bool", Fixed(types.Bool), opArg("l", types.Bool), opArg("r", types.Bool)),
			opOv(name+"_guid", Fixed(types.Bool), opArg("l", types.Guid, types.String), opArg("r", types.Guid, types.String)),
			// Mixed comparisons the service accepts (see exec/kernels/compare_mixed.go).
			opOv(name+"_string_number", Fixed(types.Bool), opArg("l", types.String), numArg("r")),
			opOv(name+"_number_string", Fixed(types.Bool), numArg("l"), opArg("r", types.String)),
			opOv(name+"_string_bool", Fixed(types.Bool), opArg("l", types.String), opArg("r", types.Bool)),
			opOv(name+"_bool_string", Fixed(types.Bool), opArg("l", types.Bool), opArg("r", types.String)),
			opOv(name+"_bool_number", Fixed(types.Bool), opArg("l", types.Bool), numArg("r")),
			opOv(name+"_number_bool", Fixed(types.Bool), numArg("l"), opArg("r", types.Bool)),
		}
		if !ordered {
			o = append(o, opOv(name+"_dynamic", Fixed(types.Bool), opArg("l", types.Dynamic), Arg{Name: "r", Types: types.AnyScalar}))
		}
		Register(&Func{Name: name, Kind: Scalar, Overloads: o, Doc: doc})
	}
	cmp(OpEq, "equality (== is case-sensitive on strings)", false)
	cmp(OpNeq, "inequality", false)
	cmp(OpLt, "less than", true)
	cmp(OpLe, "less or equal", true)
	cmp(OpGt, "greater than", true)
	cmp(OpGe, "greater or equal", true)
	for _, name := range []string{OpEqCI, OpNeqCI} {
		Register(&Func{Name: name, Kind: Scalar, Doc: "case-insensitive string (in)equality", Overloads: []*Overload{
			opOv(name+"_string", Fixed(types.Bool), opArg("l", types.String), opArg("r", types.String)),
		}})
	}
	for _, name := range []string{OpAnd, OpOr} {
		Register(&Func{Name: name, Kind: Scalar, Doc: "logical connective with three-valued null logic", Overloads: []*Overload{
			opOv(name+"_bool", Fixed(types.Bool), opArg("l", types.Bool), opArg("r", types.Bool)),
		}})
	}

	// in / !in / in~ / !in~: X then the list items; dynamic arrays among the
	// items are flattened.
	for _, name := range []string{OpIn, OpNotIn, OpInCI, OpNotInCI} {
		args := []Arg{{Name: "x", Types: types.AnyScalar}, {Name: "items", Types: types.AnyScalar}}
		if name == OpInCI || name == OpNotInCI {
			args[0].Types = types.Set(types.String, types.Dynamic)
		}
		Register(&Func{Name: name, Kind: Scalar, Doc: "membership of x in a list of values", Overloads: []*Overload{
			{ID: name + "_any", Args: args, Variadic: true, Result: Fixed(types.Bool)},
		}})
	}
	for _, name := range []string{"has_any", "has_all"} {
		Register(&Func{Name: name, Kind: Scalar, Doc: "the left side has any/all of the terms (case-insensitive)", Overloads: []*Overload{
			{ID: name + "_any", Args: []Arg{{Name: "source", Types: types.AnyScalar}, {Name: "terms", Types: types.AnyScalar}}, Variadic: true, Result: Fixed(types.Bool)},
		}})
	}
	for _, name := range []string{OpBetween, OpNotBetween} {
		Register(&Func{Name: name, Kind: Scalar, Doc: "x between (lo .. hi), inclusive", Overloads: []*Overload{
			opOv(name+"_number", Fixed(types.Bool), numArg("x"), numArg("lo"), numArg("hi")),
			opOv(name+"_datetime", Fixed(types.Bool), opArg("x", dt), opArg("lo", dt), opArg("hi", dt)),
			opOv(name+"_datetime_timespan", Fixed(types.Bool), opArg("x", dt), opArg("lo", dt), opArg("hi", ts)),
			opOv(name+"_timespan", Fixed(types.Bool), opArg("x", ts), opArg("lo", ts), opArg("hi", ts)),
		}})
	}

	// legacy spellings Kusto still accepts
	aliases := map[string][]string{
		"contains_cs":  {"containscs"},
		"!contains":    {"notcontains"},
		"!contains_cs": {"notcontains_cs", "!containscs", "notcontainscs"},
		"!has":         {"nothas"},
	}
	for name, doc := range StringOperators {
		Register(&Func{Name: name, Aliases: aliases[name], Kind: Scalar, Doc: doc, Overloads: []*Overload{
			{ID: operatorIDBase(name) + "_string", Args: []Arg{
				{Name: "source", Types: types.AnyScalar},
				{Name: "pattern", Types: types.Set(types.String, types.Dynamic)},
			}, Result: Fixed(types.Bool)},
		}})
	}
}
