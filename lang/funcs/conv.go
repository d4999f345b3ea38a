package funcs

import (
	"fmt"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Conversion and conditional functions. Kernels: exec/kernels/conv.go.

// ValueKinds are the kinds conditional functions (iif, case, coalesce) have
// one overload each for; their IDs are "<name>_<kind>".
var ValueKinds = []types.Kind{types.Bool, types.Int, types.Long, types.Decimal, types.Real, types.String,
	types.DateTime, types.TimeSpan, types.Guid, types.Dynamic}

func init() {
	anyS := types.AnyScalar
	a := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks} }
	reg := func(name, doc, example string, aliases []string, ovs ...*Overload) {
		Register(&Func{Name: name, Aliases: aliases, Kind: Scalar, Doc: doc, Example: example, Overloads: ovs})
	}
	conv := func(name string, aliases []string, to types.Kind, doc, example string) {
		reg(name, doc, example, aliases, &Overload{ID: name + "_any", Args: []Arg{a("value", anyS)}, Result: Fixed(to)})
	}
	conv("tostring", nil, types.String, "the value as a string (null gives \"\")", `tostring(123) == "123"`)
	conv("toint", nil, types.Int, "the value as an int (reals truncate; null when not convertible)", `toint("123") == 123`)
	conv("tolong", nil, types.Long, "the value as a long (reals truncate; null when not convertible)", `tolong("123") == 123`)
	conv("toreal", []string{"todouble"}, types.Real, "the value as a real (null when not convertible)", `toreal("1.5") == 1.5`)
	conv("todecimal", nil, types.Decimal, "the value as a decimal (null when not convertible)", `todecimal("1.5")`)
	conv("tobool", []string{"toboolean"}, types.Bool, "the value as a bool: numbers are true unless 0, strings \"true\"/\"false\"", `tobool("true") == true`)
	conv("toguid", nil, types.Guid, "the value as a guid (null when not a guid)", `toguid("74be27de-1e4e-49d9-b579-fe0b331d3642")`)
	conv("todatetime", nil, types.DateTime, "the value as a datetime (strings in any datetime() literal form; null otherwise)", `todatetime("2015-12-24")`)
	conv("totimespan", nil, types.TimeSpan, "the value as a timespan (strings like \"0.00:03:00\" or \"2h\"; numbers are ticks)", `totimespan("0.00:03:00")`)

	reg("isnull", "whether the value is null (never for strings)", "isnull(x)", nil, &Overload{ID: "isnull_any", Args: []Arg{a("value", anyS)}, Result: Fixed(types.Bool)})
	reg("isnotnull", "whether the value is not null", "isnotnull(x)", []string{"notnull"}, &Overload{ID: "isnotnull_any", Args: []Arg{a("value", anyS)}, Result: Fixed(types.Bool)})
	reg("isempty", "whether the value is null or an empty string", `isempty("") == true`, nil, &Overload{ID: "isempty_any", Args: []Arg{a("value", anyS)}, Result: Fixed(types.Bool)})
	reg("isnotempty", "whether the value is neither null nor an empty string", `isnotempty("a") == true`, []string{"notempty"}, &Overload{ID: "isnotempty_any", Args: []Arg{a("value", anyS)}, Result: Fixed(types.Bool)})
	reg("gettype", "the runtime type of the value: int, long, real, string, bool, datetime, timespan, guid, decimal, array, dictionary, null", `gettype(1) == "long"`, nil,
		&Overload{ID: "gettype_any", Args: []Arg{a("value", anyS)}, Result: Fixed(types.String)})

	var iif, coalesce, cases []*Overload
	caseByKind := map[types.Kind]*Overload{}
	for _, k := range ValueKinds {
		ks := types.Set(k)
		iif = append(iif, &Overload{ID: "iif_" + k.String(), Args: []Arg{a("condition", types.Set(types.Bool)), a("ifTrue", ks), a("ifFalse", ks)}, Result: Fixed(k)})
		coalesce = append(coalesce, &Overload{ID: "coalesce_" + k.String(), Args: []Arg{a("arg", ks)}, Variadic: true, Result: Fixed(k)})
		o := &Overload{ID: "case_" + k.String(), Args: []Arg{a("predicate", types.Set(types.Bool)), a("then", ks)}, Variadic: true, Result: Fixed(k)}
		cases = append(cases, o)
		caseByKind[k] = o
	}
	reg("iif", "ifTrue when the condition is true, else ifFalse (also when the condition is null)", `iif(x > 0, "pos", "neg")`, []string{"iff"}, iif...)
	reg("coalesce", "the first argument that is not null (for strings: not empty)", "coalesce(a, b, 0)", nil, coalesce...)
	Register(&Func{Name: "case", Kind: Scalar, Doc: "the value of the first true predicate, else the last argument: case(p1, v1, p2, v2, ..., else)",
		Example: `case(x <= 3, "small", x <= 10, "medium", "large")`, Overloads: cases,
		Resolve: func(args []types.Kind) (*Overload, types.Kind, error) {
			if len(args) < 3 || len(args)%2 == 0 {
				return nil, types.Unknown, fmt.Errorf("case() takes predicate/value pairs and an else value: case(p1, v1, [p2, v2, ...,] else)")
			}
			var vals []types.Kind
			for i, k := range args {
				if i%2 == 0 && i != len(args)-1 {
					if k != types.Bool && k != types.Null && k != types.Unknown && k != types.Dynamic {
						return nil, types.Unknown, fmt.Errorf("case() predicate %d is %s, not bool", i/2+1, k)
					}
					continue
				}
				vals = append(vals, k)
			}
			rk, err := CommonKind(NonDynamic(vals))
			if err != nil {
				return nil, types.Unknown, fmt.Errorf("case(): %v", err)
			}
			if rk == types.Unknown || rk == types.Null {
				return caseByKind[types.String], rk, nil
			}
			return caseByKind[rk], rk, nil
		}})
}

// NonDynamic drops the dynamic kinds from the values of a conditional when
// some other kind is present: Kusto types iff() and case() as the common
// type of their non-dynamic values (Kusto.Language ReturnTypeKind
// CommonNonDynamic), converting a dynamic branch to it at run time, e.g.
// case(p, split(s, ":")[1], tostring(x)) is a string. All dynamic stays
// dynamic.
func NonDynamic(ks []types.Kind) []types.Kind {
	var out []types.Kind
	for _, k := range ks {
		if k != types.Dynamic {
			out = append(out, k)
		}
	}
	for _, k := range out {
		if k != types.Null && k != types.Unknown {
			return out
		}
	}
	return ks
}

// CommonKind is the kind values of the given kinds share as the result of a
// conditional: all the same, or numbers promoted (int < long < decimal <
// real); nulls and unknowns adopt the others' kind.
func CommonKind(ks []types.Kind) (types.Kind, error) {
	r := types.Null
	for _, k := range ks {
		if k == types.Null || k == types.Unknown {
			continue
		}
		if r == types.Null {
			r = k
			continue
		}
		if r == k {
			continue
		}
		if r.IsNumeric() && k.IsNumeric() {
			r = types.Promote(r, k)
			continue
		}
		return types.Unknown, fmt.Errorf("values of different types (%s and %s)", r, k)
	}
	return r, nil
}
