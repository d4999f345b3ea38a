package funcs

import (
	"fmt"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Aggregate functions (Kind Aggregate), used by summarize, make-series and
// top-nested. Their kernels live in exec/kernels/aggregates*.go, bound by the
// overload IDs below (one ID per signature shape; the kernel specialises on
// the checked argument kinds it is given).
//
// Calling conventions the engine follows (see exec/kernels/aggregates.go):
//   - every argument is evaluated to a column and passed to Update, constant
//     arguments (accuracy, max size, percentiles) included; their folded
//     values also arrive in the kernel's consts.
//   - a `*` argument (count(*), arg_max(x, *), take_any(*)) is expanded by
//     summarize: count(*) gets no argument; for arg_max/arg_min/take_any the
//     `*` stands for the input columns, each passed as one extra argument.
//   - arg_max, arg_min, take_any (with several arguments), percentiles and
//     percentilesw yield several columns (MultiResult reports the kinds); their
//     state implements kernels.MultiAggState.

// AggregateResultPrefix gives the prefix of the default column name Kusto
// gives an unnamed aggregate: `summarize sum(x)` yields `sum_x`, so the
// prefix of sum is "sum" (make_list → "list", make_set → "set", countif(p)
// yields "countif_"). Functions not listed use their own name.
func AggregateResultPrefix(name string) string {
	if p, ok := aggPrefix[strings.ToLower(name)]; ok {
		return p
	}
	return strings.ToLower(name)
}

var aggPrefix = map[string]string{
	"make_list": "list", "make_list_if": "list", "make_list_with_nulls": "list", "makelist": "list",
	"make_set": "set", "make_set_if": "set", "makeset": "set",
	"make_bag": "bag", "make_bag_if": "bag", "make_dictionary": "dictionary",
	"buildschema": "schema", "take_any": "any", "take_anyif": "anyif",
	"tdigest_merge": "merge_tdigests", "merge_tdigest": "merge_tdigests",
	"percentiles_array": "percentiles", "percentilesw_array": "percentiles",
	"percentilew": "percentile", "percentilesw": "percentile", "percentiles": "percentile",
}

// MultiResult returns the kinds of the columns an aggregate call yields when
// it yields more than one (arg_max/arg_min: the maximized expression then
// every returned argument; take_any with several arguments: one per argument;
// percentiles/percentilesw: one column per percentile argument, of the value
// kind with int → long and decimal → real), and nil for single-column
// aggregates. args are the argument kinds with `*` already expanded.
func MultiResult(name string, args []types.Kind) []types.Kind {
	switch strings.ToLower(name) {
	case "arg_max", "arg_min":
		return append([]types.Kind(nil), args...)
	case "take_any", "any":
		if len(args) > 1 {
			return append([]types.Kind(nil), args...)
		}
	case "percentiles":
		if len(args) > 2 {
			return repeatKind(percentileKind(args[0]), len(args)-1)
		}
	case "percentilesw":
		if len(args) > 3 {
			return repeatKind(percentileKind(args[0]), len(args)-2)
		}
	}
	return nil
}

func repeatKind(k types.Kind, n int) []types.Kind {
	out := make([]types.Kind, n)
	for i := range out {
		out[i] = k
	}
	return out
}

// percentileKind is the result kind of percentile(x): x's kind with int → long, decimal → real.
func percentileKind(k types.Kind) types.Kind {
	switch k {
	case types.Int:
		return types.Long
	case types.Decimal:
		return types.Real
	case types.Null:
		return types.Unknown
	}
	return k
}

var (
	boolArg   = Arg{Name: "predicate", Types: types.Set(types.Bool)}
	accArg    = Arg{Name: "accuracy", Types: types.Integral, Optional: true, Const: true}
	maxSizArg = Arg{Name: "maxSize", Types: types.Integral, Optional: true, Const: true}
	// orderable is what min/max/arg_max accept: ordered kinds plus dynamic
	// (compared as numbers or strings at run time).
	orderable = types.Ordered | types.Set(types.Dynamic)
	summable  = types.Summable | types.Set(types.Dynamic)
	notDyn    = types.AnyScalar &^ types.Set(types.Dynamic)
)

// sumKind: int promotes to long; dynamic sums as real.
func sumKind(args []types.Kind) types.Kind {
	if len(args) == 0 {
		return types.Unknown
	}
	switch args[0] {
	case types.Int, types.Null:
		return types.Long
	case types.Dynamic:
		return types.Real
	}
	return args[0]
}

// avgKind: integers and reals average as real; decimal, timespan and datetime keep their kind.
func avgKind(args []types.Kind) types.Kind {
	if len(args) == 0 {
		return types.Unknown
	}
	switch args[0] {
	case types.Decimal, types.TimeSpan, types.DateTime:
		return args[0]
	}
	return types.Real
}

func percentileResult(args []types.Kind) types.Kind {
	if len(args) == 0 {
		return types.Unknown
	}
	return percentileKind(args[0])
}

func agg(name, doc string, ovs ...*Overload) *Func {
	return &Func{Name: name, Kind: Aggregate, Overloads: ovs, Doc: doc}
}

func ov(id string, res Result, args ...Arg) *Overload {
	return &Overload{ID: id, Args: args, Result: res}
}

func val(name string, s types.KindSet) Arg { return Arg{Name: name, Types: s} }

func init() {
	long := Fixed(types.Long)
	real := Fixed(types.Real)
	dyn := Fixed(types.Dynamic)
	scalar := types.AnyScalar

	fs := []*Func{
		agg("count", "Number of rows in the group (count(predicate) counts rows where it is true, as countif; count(x) rows where x is not null).",
			ov("count", long),
			ov("count_expr", long, val("expr", scalar))),
		agg("countif", "Number of rows for which predicate is true.",
			ov("countif", long, boolArg)),
		agg("sum", "Sum of expr over the group; nulls are ignored; 0 for an empty group.",
			ov("sum", sumKind, val("expr", summable))),
		agg("sumif", "Sum of expr over the rows where predicate is true.",
			ov("sumif", sumKind, val("expr", summable), boolArg)),
		agg("avg", "Average of expr over the group; nulls are ignored; NaN for an empty group.",
			ov("avg", avgKind, val("expr", summable|types.Set(types.DateTime)))),
		agg("avgif", "Average of expr over the rows where predicate is true.",
			ov("avgif", avgKind, val("expr", summable|types.Set(types.DateTime)), boolArg)),
		agg("min", "Minimum of expr over the group; nulls are ignored.",
			ov("min", SameAs(0), val("expr", orderable))),
		agg("max", "Maximum of expr over the group; nulls are ignored.",
			ov("max", SameAs(0), val("expr", orderable))),
		agg("minif", "Minimum of expr over the rows where predicate is true.",
			ov("minif", SameAs(0), val("expr", orderable), boolArg)),
		agg("maxif", "Maximum of expr over the rows where predicate is true.",
			ov("maxif", SameAs(0), val("expr", orderable), boolArg)),
		agg("dcount", "Estimated number of distinct values of expr (exact below 1000 values at the default accuracy 1, HyperLogLog above).",
			ov("dcount", long, val("expr", scalar), accArg)),
		agg("dcountif", "Estimated number of distinct values of expr over the rows where predicate is true.",
			ov("dcountif", long, val("expr", scalar), boolArg, accArg)),
		agg("count_distinct", "Exact number of distinct values of expr.",
			ov("count_distinct", long, val("expr", notDyn))),
		agg("count_distinctif", "Exact number of distinct values of expr over the rows where predicate is true.",
			ov("count_distinctif", long, val("expr", notDyn), boolArg)),
		{Name: "make_list", Aliases: []string{"makelist"}, Kind: Aggregate,
			Doc:       "Dynamic array of the non-null values of expr in input order (at most maxSize, default 1048576).",
			Overloads: []*Overload{ov("make_list", dyn, val("expr", scalar), maxSizArg)}},
		agg("make_list_if", "make_list over the rows where predicate is true.",
			ov("make_list_if", dyn, val("expr", scalar), boolArg, maxSizArg)),
		agg("make_list_with_nulls", "Dynamic array of the values of expr in input order, nulls included.",
			ov("make_list_with_nulls", dyn, val("expr", scalar), maxSizArg)),
		{Name: "make_set", Aliases: []string{"makeset"}, Kind: Aggregate,
			Doc:       "Dynamic array of the distinct non-null values of expr (array values contribute their elements), in first-seen order.",
			Overloads: []*Overload{ov("make_set", dyn, val("expr", scalar), maxSizArg)}},
		agg("make_set_if", "make_set over the rows where predicate is true.",
			ov("make_set_if", dyn, val("expr", scalar), boolArg, maxSizArg)),
		{Name: "make_bag", Aliases: []string{"make_dictionary"}, Kind: Aggregate,
			Doc:       "Property bag merging the property bags of expr (first value wins for a repeated key).",
			Overloads: []*Overload{ov("make_bag", dyn, val("expr", types.Set(types.Dynamic)), maxSizArg)}},
		agg("make_bag_if", "make_bag over the rows where predicate is true.",
			ov("make_bag_if", dyn, val("expr", types.Set(types.Dynamic)), boolArg, maxSizArg)),
		{Name: "arg_max", Aliases: []string{"argmax"}, Kind: Aggregate,
			Doc: "The row with the greatest expr: expr and the returned columns (`*` for all) of that row.",
			Overloads: []*Overload{{ID: "arg_max", Variadic: true, Result: SameAs(0),
				Args: []Arg{val("maximized", orderable), {Name: "returned", Types: scalar, Optional: true}}}}},
		{Name: "arg_min", Aliases: []string{"argmin"}, Kind: Aggregate,
			Doc: "The row with the smallest expr: expr and the returned columns (`*` for all) of that row.",
			Overloads: []*Overload{{ID: "arg_min", Variadic: true, Result: SameAs(0),
				Args: []Arg{val("minimized", orderable), {Name: "returned", Types: scalar, Optional: true}}}}},
		{Name: "take_any", Aliases: []string{"any"}, Kind: Aggregate,
			Doc: "An arbitrary (here: the first) non-empty value of each argument from one row of the group.",
			Overloads: []*Overload{{ID: "take_any", Variadic: true, Result: SameAs(0),
				Args: []Arg{{Name: "expr", Types: scalar}}}}},
		{Name: "take_anyif", Aliases: []string{"anyif"}, Kind: Aggregate,
			Doc:       "An arbitrary value of expr among the rows where predicate is true.",
			Overloads: []*Overload{ov("take_anyif", SameAs(0), val("expr", scalar), boolArg)}},
		agg("percentile", "Nearest-rank percentile of expr (exact).",
			ov("percentile", percentileResult, val("expr", summable|types.Set(types.DateTime)), Arg{Name: "percentile", Types: types.Numeric, Const: true})),
		{Name: "percentiles", Kind: Aggregate, Doc: "Nearest-rank percentiles of expr, one column per percentile.",
			Overloads: []*Overload{{ID: "percentiles", Variadic: true, Result: percentileResult,
				Args: []Arg{val("expr", summable|types.Set(types.DateTime)), {Name: "percentile", Types: types.Numeric, Const: true}}}}},
		agg("percentilew", "Weighted nearest-rank percentile of expr (weight: integer count of each row).",
			ov("percentilew", percentileResult, val("expr", summable|types.Set(types.DateTime)), val("weight", types.Integral), Arg{Name: "percentile", Types: types.Numeric, Const: true})),
		{Name: "percentilesw", Kind: Aggregate, Doc: "Weighted nearest-rank percentiles of expr, one column per percentile.",
			Overloads: []*Overload{{ID: "percentilesw", Variadic: true, Result: percentileResult,
				Args: []Arg{val("expr", summable|types.Set(types.DateTime)), val("weight", types.Integral), {Name: "percentile", Types: types.Numeric, Const: true}}}}},
		{Name: "percentiles_array", Kind: Aggregate, Doc: "Nearest-rank percentiles of expr as a dynamic array.",
			Overloads: []*Overload{
				{ID: "percentiles_array", Variadic: true, Result: dyn,
					Args: []Arg{val("expr", summable|types.Set(types.DateTime)), {Name: "percentile", Types: types.Numeric, Const: true}}},
				ov("percentiles_array_dynamic", dyn, val("expr", summable|types.Set(types.DateTime)), Arg{Name: "percentiles", Types: types.Set(types.Dynamic), Const: true}),
			}},
		{Name: "percentilesw_array", Kind: Aggregate, Doc: "Weighted nearest-rank percentiles of expr as a dynamic array.",
			Overloads: []*Overload{
				{ID: "percentilesw_array", Variadic: true, Result: dyn,
					Args: []Arg{val("expr", summable|types.Set(types.DateTime)), val("weight", types.Integral), {Name: "percentile", Types: types.Numeric, Const: true}}},
				ov("percentilesw_array_dynamic", dyn, val("expr", summable|types.Set(types.DateTime)), val("weight", types.Integral), Arg{Name: "percentiles", Types: types.Set(types.Dynamic), Const: true}),
			}},
		agg("stdev", "Sample standard deviation of expr.", ov("stdev", real, val("expr", summable))),
		agg("stdevif", "Sample standard deviation of expr over the rows where predicate is true.", ov("stdevif", real, val("expr", summable), boolArg)),
		agg("stdevp", "Population standard deviation of expr.", ov("stdevp", real, val("expr", summable))),
		agg("stdevpif", "Population standard deviation of expr over the rows where predicate is true.", ov("stdevpif", real, val("expr", summable), boolArg)),
		agg("variance", "Sample variance of expr.", ov("variance", real, val("expr", summable))),
		agg("varianceif", "Sample variance of expr over the rows where predicate is true.", ov("varianceif", real, val("expr", summable), boolArg)),
		agg("variancep", "Population variance of expr.", ov("variancep", real, val("expr", summable))),
		agg("variancepif", "Population variance of expr over the rows where predicate is true.", ov("variancepif", real, val("expr", summable), boolArg)),
		agg("hll", "HyperLogLog sketch of expr as dynamic (exact list of hashes while small); use with hll_merge and dcount_hll.",
			ov("hll", dyn, val("expr", scalar), accArg)),
		agg("hll_if", "hll over the rows where predicate is true.",
			ov("hll_if", dyn, val("expr", scalar), boolArg, accArg)),
		agg("hll_merge", "Merges hll sketches into one.",
			ov("hll_merge", dyn, val("hll", types.Set(types.Dynamic)))),
		agg("tdigest", "Percentile sketch of expr as dynamic; use with percentile_tdigest and tdigest_merge.",
			ov("tdigest", dyn, val("expr", summable|types.Set(types.DateTime)), Arg{Name: "weight", Types: types.Integral, Optional: true})),
		{Name: "tdigest_merge", Aliases: []string{"merge_tdigests"}, Kind: Aggregate, Doc: "Merges tdigest sketches into one.",
			Overloads: []*Overload{ov("tdigest_merge", dyn, val("tdigest", types.Set(types.Dynamic)))}},
		agg("binary_all_and", "Bitwise AND of all values of expr.", ov("binary_all_and", long, val("expr", types.Integral))),
		agg("binary_all_or", "Bitwise OR of all values of expr.", ov("binary_all_or", long, val("expr", types.Integral))),
		agg("binary_all_xor", "Bitwise XOR of all values of expr.", ov("binary_all_xor", long, val("expr", types.Integral))),
		agg("buildschema", "The minimal schema admitting all values of the dynamic expr.",
			ov("buildschema", dyn, val("expr", types.Set(types.Dynamic)))),

		// Scalar companions of the sketches.
		{Name: "dcount_hll", Kind: Scalar, Doc: "Distinct count estimated from an hll sketch.",
			Overloads: []*Overload{ov("dcount_hll_dynamic", long, val("hll", types.Set(types.Dynamic)))}},
		{Name: "merge_tdigest", Kind: Scalar, Doc: "Merges tdigest sketches (scalar form of tdigest_merge).",
			Overloads: []*Overload{{ID: "merge_tdigest_dynamic", Variadic: true, Result: dyn, Args: []Arg{val("tdigest", types.Set(types.Dynamic))}}}},
		{Name: "rank_tdigest", Kind: Scalar, Doc: "Weighted number of values in a tdigest sketch less than or equal to value.",
			Overloads: []*Overload{ov("rank_tdigest_dynamic", real, val("tdigest", types.Set(types.Dynamic)), val("value", summable|types.Set(types.DateTime)))}},
		{Name: "percentile_tdigest", Kind: Scalar, Doc: "Percentile estimated from a tdigest sketch (result type: the sketched values' type, or typeof(T)).",
			Overloads: []*Overload{{ID: "percentile_tdigest_dynamic", Args: []Arg{val("tdigest", types.Set(types.Dynamic)), {Name: "percentile", Types: types.Numeric},
				{Name: "type", Types: types.AnyScalar, Optional: true}}, Result: func(args []types.Kind) types.Kind {
				// percentile_tdigest(d, p, typeof(T)) is of type T
				if len(args) == 3 && args[2] != types.Unknown && args[2] != types.Null {
					return args[2]
				}
				return types.Dynamic
			}}}},
	}
	for _, f := range fs {
		for _, o := range f.Overloads {
			if o.Result == nil {
				panic(fmt.Sprintf("funcs: overload %s has no result", o.ID))
			}
		}
		Register(f)
	}
}
