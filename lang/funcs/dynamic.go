package funcs

import (
	"fmt"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Declarations of the dynamic, property-bag, array and set families, plus
// the internal "__member", "__index" and "__path" functions the compiler
// routes dynamic member/index access through.

var (
	dxDyn   = types.Set(types.Dynamic)
	dxStr   = types.Set(types.String)
	dxLong  = types.Integral
	dxBool  = types.Set(types.Bool)
	dxAny   = types.AnyScalar
	dxRange = types.Set(types.Int, types.Long, types.Real, types.Decimal, types.DateTime, types.TimeSpan)
)

func dxA(name string, ks types.KindSet) Arg     { return Arg{Name: name, Types: ks} }
func dxOpt(name string, ks types.KindSet) Arg   { return Arg{Name: name, Types: ks, Optional: true} }
func dxConst(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks, Const: true} }

// ov builds an overload.
func dxOv(id string, res types.Kind, args ...Arg) *Overload {
	return &Overload{ID: id, Args: args, Result: Fixed(res)}
}

// vov builds a variadic overload (the last Arg repeats).
func dxVov(id string, res types.Kind, args ...Arg) *Overload {
	o := dxOv(id, res, args...)
	o.Variadic = true
	return o
}

func dxScalar(name string, doc string, ovs ...*Overload) *Func {
	return &Func{Name: name, Kind: Scalar, Doc: doc, Overloads: ovs}
}

func dxAlias(f *Func, aliases ...string) *Func {
	f.Aliases = aliases
	return f
}

func init() {
	// Internal access functions (not callable by name from queries: the
	// leading "__" is not a valid KQL identifier start the parser emits).
	Register(dxScalar("__member", "x.name on a dynamic value: the property, or null",
		dxOv("__member", types.Dynamic, dxA("x", dxDyn), dxConst("name", dxStr))))
	Register(dxScalar("__index", "x[i] / x['key'] on a dynamic value: the element (negative i counts from the end) or property, or null",
		dxOv("__index_long", types.Dynamic, dxA("x", dxDyn), dxA("index", dxLong)),
		dxOv("__index_string", types.Dynamic, dxA("x", dxDyn), dxA("key", dxStr))))
	Register(dxScalar("__path", "a fused access chain x.a[0]['b']: each step a constant string (member) or long (index)",
		dxVov("__path", types.Dynamic, dxA("x", dxDyn), dxConst("step", types.Set(types.String, types.Int, types.Long)))))

	Register(dxAlias(dxScalar("parse_json", "interprets a string as JSON and returns a dynamic value (invalid JSON: the string itself)",
		dxOv("parse_json", types.Dynamic, dxA("json", dxAny))), "todynamic", "toobject", "parsejson"))
	Register(dxAlias(&Func{Name: "bag_pack", Kind: Scalar, Doc: "a property bag from alternating keys and values",
		Overloads: []*Overload{dxVov("bag_pack", types.Dynamic, dxA("key", dxStr), dxA("value", dxAny))},
		Resolve:   dxResolvePairs("bag_pack")}, "pack", "pack_dictionary"))
	Register(dxScalar("pack_all", "a property bag of all the row's columns (the compiler passes name/value pairs after the flag)",
		dxOv("pack_all", types.Dynamic, Arg{Name: "ignore_null_empty", Types: dxBool, Optional: true, Const: true})))
	Register(&Func{Name: "bag_pack_columns", Kind: Scalar, Doc: "a property bag of the given columns keyed by their names (the compiler passes name/value pairs)",
		Overloads: []*Overload{dxVov("bag_pack_columns", types.Dynamic, dxA("column", dxAny))},
		Resolve: func(args []types.Kind) (*Overload, types.Kind, error) {
			o := OverloadByID("bag_pack_columns")
			if len(args) == 0 {
				return nil, types.Unknown, fmt.Errorf("bag_pack_columns() needs at least one column")
			}
			return o, types.Dynamic, nil
		}})
	Register(dxScalar("pack_array", "a dynamic array of the arguments",
		dxVov("pack_array", types.Dynamic, dxOpt("value", dxAny))))
	Register(dxScalar("bag_keys", "the keys of a property bag as an array",
		dxOv("bag_keys", types.Dynamic, dxA("bag", dxDyn))))
	Register(dxScalar("bag_merge", "merges property bags; the first bag wins on duplicate keys",
		dxVov("bag_merge", types.Dynamic, dxA("bag", dxDyn))))
	Register(dxScalar("bag_remove_keys", "removes keys (names or JSONPath like $.a.b) from a property bag",
		dxOv("bag_remove_keys", types.Dynamic, dxA("bag", dxDyn), dxA("keys", dxDyn))))
	Register(dxScalar("bag_set_key", "sets a key (name or JSONPath) in a property bag",
		dxOv("bag_set_key", types.Dynamic, dxA("bag", dxDyn), dxA("key", dxStr), dxA("value", dxAny))))
	Register(dxScalar("bag_has_key", "whether a property bag has a key (name or JSONPath)",
		dxOv("bag_has_key", types.Bool, dxA("bag", dxDyn), dxA("key", dxStr))))
	Register(dxScalar("bag_zip", "a property bag from an array of keys and an array of values",
		dxOv("bag_zip", types.Dynamic, dxA("keys", dxDyn), dxA("values", dxDyn))))
	Register(dxScalar("dynamic_to_json", "canonical JSON text of a dynamic value (keys sorted)",
		dxOv("dynamic_to_json", types.String, dxA("value", dxDyn))))
	Register(dxScalar("treepath", "the path expressions of the leaves of a dynamic object",
		dxOv("treepath", types.Dynamic, dxA("object", dxDyn))))
	Register(dxAlias(&Func{Name: "extract_json", Kind: Scalar, Doc: "extracts a value from JSON text by JSONPath; the optional typeof() sets the result type",
		Overloads: []*Overload{dxOv("extract_json", types.String, dxA("jsonPath", dxStr), dxA("json", types.Set(types.String, types.Dynamic)), dxOpt("type", dxAny))},
		Resolve: func(args []types.Kind) (*Overload, types.Kind, error) {
			o := OverloadByID("extract_json")
			if len(args) < 2 || len(args) > 3 {
				return nil, types.Unknown, fmt.Errorf("extract_json() takes (jsonPath, json [, typeof(T)])")
			}
			res := types.String
			if len(args) == 3 && args[2] != types.Unknown && args[2] != types.Null {
				res = args[2]
			}
			return o, res, nil
		}}, "extractjson"))

	// Arrays.
	Register(dxScalar("array_length", "the number of elements of an array (null if not an array)",
		dxOv("array_length", types.Long, dxA("array", dxDyn))))
	Register(dxScalar("array_concat", "concatenates arrays",
		dxVov("array_concat", types.Dynamic, dxA("array", dxDyn))))
	Register(dxScalar("array_slice", "elements start..end (inclusive; negative counts from the end)",
		dxOv("array_slice", types.Dynamic, dxA("array", dxDyn), dxA("start", dxLong), dxA("end", dxLong))))
	Register(dxScalar("array_index_of", "index of a value in an array, or -1",
		dxOv("array_index_of", types.Long, dxA("array", dxDyn), dxA("lookup", dxAny), dxOpt("start", dxLong), dxOpt("length", dxLong), dxOpt("occurrence", dxLong))))
	Register(dxScalar("array_reverse", "the array in reverse order",
		dxOv("array_reverse", types.Dynamic, dxA("array", dxDyn))))
	Register(dxScalar("array_rotate_left", "rotates the array left by n positions",
		dxOv("array_rotate_left", types.Dynamic, dxA("array", dxDyn), dxA("n", dxLong))))
	Register(dxScalar("array_rotate_right", "rotates the array right by n positions",
		dxOv("array_rotate_right", types.Dynamic, dxA("array", dxDyn), dxA("n", dxLong))))
	Register(dxScalar("array_shift_left", "shifts the array left by n positions, filling with fill (default null)",
		dxOv("array_shift_left", types.Dynamic, dxA("array", dxDyn), dxA("n", dxLong), dxOpt("fill", dxAny))))
	Register(dxScalar("array_shift_right", "shifts the array right by n positions, filling with fill (default null)",
		dxOv("array_shift_right", types.Dynamic, dxA("array", dxDyn), dxA("n", dxLong), dxOpt("fill", dxAny))))
	for _, dir := range []string{"asc", "desc"} {
		id := "array_sort_" + dir
		Register(&Func{Name: id, Kind: Scalar,
			Doc:       "sorts arrays " + dir + "ending by the first one; with several arrays the result is an array of the sorted arrays",
			Overloads: []*Overload{dxVov(id, types.Dynamic, dxA("array", dxDyn))},
			Resolve:   dxResolveSort(id)})
	}
	Register(dxScalar("array_split", "splits an array at the given index or indices",
		dxOv("array_split", types.Dynamic, dxA("array", dxDyn), dxA("indices", types.Set(types.Int, types.Long, types.Dynamic)))))
	Register(dxScalar("array_sum", "the sum of an array's numbers",
		dxOv("array_sum", types.Real, dxA("array", dxDyn))))
	Register(dxAlias(dxScalar("array_iff", "element-wise iff over a condition array",
		dxOv("array_iff", types.Dynamic, dxA("condition", dxDyn), dxA("if_true", dxAny), dxA("if_false", dxAny))), "array_iif"))
	Register(dxScalar("set_has_element", "whether the array holds the value",
		dxOv("set_has_element", types.Bool, dxA("set", dxDyn), dxA("value", dxAny))))
	Register(dxScalar("set_union", "distinct values of all the arrays",
		dxVov("set_union", types.Dynamic, dxA("set", dxDyn))))
	Register(dxScalar("set_intersect", "distinct values present in all the arrays",
		dxVov("set_intersect", types.Dynamic, dxA("set", dxDyn))))
	Register(dxScalar("set_difference", "distinct values of the first array absent from the others",
		dxVov("set_difference", types.Dynamic, dxA("set", dxDyn))))
	Register(dxScalar("jaccard_index", "|intersection| / |union| of the distinct values of two arrays",
		dxOv("jaccard_index", types.Dynamic, dxA("set1", dxDyn), dxA("set2", dxDyn))))
	Register(dxScalar("zip", "an array of tuples of the arrays' elements",
		dxVov("zip", types.Dynamic, dxA("array", dxDyn))))
	Register(dxScalar("repeat", "an array of count copies of value",
		dxOv("repeat", types.Dynamic, dxA("value", dxAny), dxA("count", dxLong))))
	Register(dxScalar("range", "an array of start, start+step, ... up to stop (at most 1,048,576 values)",
		dxOv("range", types.Dynamic, dxA("start", dxRange), dxA("stop", dxRange), dxOpt("step", dxRange))))
}

// dxResolvePairs types a key/value list call such as bag_pack("a", 1, "b", x).
func dxResolvePairs(id string) func(args []types.Kind) (*Overload, types.Kind, error) {
	return func(args []types.Kind) (*Overload, types.Kind, error) {
		if len(args)%2 != 0 {
			return nil, types.Unknown, fmt.Errorf("%s() takes an even number of arguments (key, value, ...), got %d", id, len(args))
		}
		for i := 0; i < len(args); i += 2 {
			if k := args[i]; k != types.String && k != types.Dynamic && k != types.Unknown && k != types.Null {
				return nil, types.Unknown, fmt.Errorf("%s(): key %d must be a string, got %s", id, i/2+1, k)
			}
		}
		return OverloadByID(id), types.Dynamic, nil
	}
}

// dxResolveSort types array_sort_asc/desc(a1, ..., [nulls_last:bool]).
func dxResolveSort(id string) func(args []types.Kind) (*Overload, types.Kind, error) {
	return func(args []types.Kind) (*Overload, types.Kind, error) {
		n := len(args)
		if n > 0 && args[n-1] == types.Bool {
			n--
		}
		if n == 0 {
			return nil, types.Unknown, fmt.Errorf("%s() needs at least one array", id)
		}
		for i := 0; i < n; i++ {
			if k := args[i]; k != types.Dynamic && k != types.Unknown && k != types.Null {
				return nil, types.Unknown, fmt.Errorf("%s(): argument %d must be a dynamic array, got %s", id, i+1, k)
			}
		}
		return OverloadByID(id), types.Dynamic, nil
	}
}
