package kernels

import (
	"strconv"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Comparisons between a string and a number or a bool, and between a bool
// and a number. Published hunting queries rely on them (`ResultType == 0`
// on Sentinel's string ResultType, `EventID == "4624"`, `IsCompliant == 1`),
// and the service evaluates them by converting the string side: a string
// that does not read as the other side's type compares as null (so `==` is
// false and `!=` is true, as for any null operand).

func init() {
	cmps := map[string]sxCmp{"__eq": sxEq, "__neq": sxNe, "__lt": sxLt, "__le": sxLe, "__gt": sxGt, "__ge": sxGe}
	for name, c := range cmps {
		sxRegister(name+"_string_number", mixedCompare(sxNumCompare(c), 0, stringsToNumbers))
		sxRegister(name+"_number_string", mixedCompare(sxNumCompare(c), 1, stringsToNumbers))
		sxRegister(name+"_string_bool", mixedCompare(sxBoolCompare(c), 0, stringsToBools))
		sxRegister(name+"_bool_string", mixedCompare(sxBoolCompare(c), 1, stringsToBools))
		sxRegister(name+"_bool_number", sxBoolCompare(c))
		sxRegister(name+"_number_bool", sxBoolCompare(c))
	}
}

// mixedCompare converts argument i (a string datum) with conv and runs k.
func mixedCompare(k ScalarKernel, i int, conv func(ctx *Ctx, d Datum) Datum) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		c := conv(ctx, args[i])
		defer c.Release()
		converted := make([]Datum, len(args))
		copy(converted, args)
		converted[i] = c
		return k(ctx, converted, n)
	}
}

// stringValues reads the string rows of d (physical string arrays, as
// rawStrings does) and their count.
func stringValues(d Datum) (func(j int) (string, bool), int) {
	if d.Array == nil {
		return func(int) (string, bool) { return "", false }, 0
	}
	get := rawStrings(d.Array)
	if get == nil {
		get = func(int) (string, bool) { return "", false }
	}
	return get, d.Array.Len()
}

// stringsToNumbers reads every string as a long when all parse as integers,
// else as a real; unreadable strings become null.
func stringsToNumbers(ctx *Ctx, d Datum) Datum {
	get, n := stringValues(d)
	ints := make([]int64, n)
	floats := make([]float64, n)
	valid := make([]bool, n)
	allInt := true
	for j := 0; j < n; j++ {
		s, ok := get(j)
		if !ok {
			continue
		}
		s = strings.TrimSpace(s)
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			ints[j], floats[j], valid[j] = v, float64(v), true
			continue
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			floats[j], valid[j] = v, true
			allInt = false
		}
	}
	mem := sxMem(ctx)
	if allInt {
		return Datum{Array: MakeArray(mem, types.Long, ints, valid), Scalar: d.Scalar, Kind: types.Long}
	}
	return Datum{Array: MakeArray(mem, types.Real, floats, valid), Scalar: d.Scalar, Kind: types.Real}
}

// stringsToBools reads "true"/"false" (any case) and integers (non-zero is
// true); anything else is null.
func stringsToBools(ctx *Ctx, d Datum) Datum {
	get, n := stringValues(d)
	vals := make([]bool, n)
	valid := make([]bool, n)
	for j := 0; j < n; j++ {
		s, ok := get(j)
		if !ok {
			continue
		}
		s = strings.TrimSpace(s)
		switch {
		case strings.EqualFold(s, "true"):
			vals[j], valid[j] = true, true
		case strings.EqualFold(s, "false"):
			valid[j] = true
		default:
			if v, err := strconv.ParseInt(s, 10, 64); err == nil {
				vals[j], valid[j] = v != 0, true
			}
		}
	}
	return Datum{Array: sxBoolArr(sxMem(ctx), vals, valid), Scalar: d.Scalar, Kind: types.Bool}
}
