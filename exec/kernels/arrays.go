package kernels

// Kernels of the array and set families and the scalar range() function.

import (
	"math"
	"sort"
	"strconv"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterScalar("array_length", kArrayLength)
	RegisterScalar("array_concat", kArrayConcat)
	RegisterScalar("array_slice", kArraySlice)
	RegisterScalar("array_index_of", kArrayIndexOf)
	RegisterScalar("array_reverse", kArrayReverse)
	RegisterScalar("array_rotate_left", kArrayRotate(1))
	RegisterScalar("array_rotate_right", kArrayRotate(-1))
	RegisterScalar("array_shift_left", kArrayShift(1))
	RegisterScalar("array_shift_right", kArrayShift(-1))
	RegisterScalar("array_sort_asc", kArraySort(false))
	RegisterScalar("array_sort_desc", kArraySort(true))
	RegisterScalar("array_split", kArraySplit)
	RegisterScalar("array_sum", kArraySum)
	RegisterScalar("array_iff", kArrayIff)
	RegisterScalar("set_has_element", kSetHasElement)
	RegisterScalar("set_union", kSetOp(setUnion))
	RegisterScalar("set_intersect", kSetOp(setIntersect))
	RegisterScalar("set_difference", kSetOp(setDifference))
	RegisterScalar("jaccard_index", kJaccard)
	RegisterScalar("zip", kZip)
	RegisterScalar("repeat", kRepeat)
	RegisterScalar("range", kRange)
}

// maxRangeValues is the most values range() returns (Kusto's limit, 2^20).
const maxRangeValues = 1 << 20

// arr returns row i of a dynamic argument as an array.
func (c *dxCol) asArray(i int) ([]any, bool) {
	a, ok := c.value(i).([]any)
	return a, ok
}

func kArrayLength(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Long, func(c []*dxCol, i int, o *dxOut) {
		raw, ok := c[0].dynRaw(i)
		if !ok {
			o.null()
			return
		}
		j := JSONSkipSpace(raw, 0)
		if j >= len(raw) || raw[j] != '[' {
			o.null()
			return
		}
		o.long(int64(dxArrLen(raw, j)))
	})
}

func kArrayConcat(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		out := []any{}
		for _, x := range c {
			a, ok := x.asArray(i)
			if !ok {
				o.null()
				return
			}
			out = append(out, a...)
		}
		o.dyn(out)
	})
}

func kArraySlice(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		a, ok := c[0].asArray(i)
		s, sok := c[1].long(i)
		e, eok := c[2].long(i)
		if !ok || !sok || !eok {
			o.null()
			return
		}
		l := int64(len(a))
		if s < 0 {
			s += l
		}
		if e < 0 {
			e += l
		}
		if s < 0 {
			s = 0
		}
		if e >= l {
			e = l - 1
		}
		if s > e || s >= l {
			o.dyn([]any{})
			return
		}
		o.dyn(a[s : e+1])
	})
}

func kArrayIndexOf(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Long, func(c []*dxCol, i int, o *dxOut) {
		a, ok := c[0].asArray(i)
		if !ok {
			o.null()
			return
		}
		look := c[1].value(i)
		l := int64(len(a))
		start, length, occ := int64(0), int64(-1), int64(1)
		if len(c) > 2 {
			if v, ok := c[2].long(i); ok {
				start = v
			}
		}
		if len(c) > 3 {
			if v, ok := c[3].long(i); ok {
				length = v
			}
		}
		if len(c) > 4 {
			if v, ok := c[4].long(i); ok {
				occ = v
			}
		}
		if start < 0 {
			start += l
			if start < 0 {
				start = 0
			}
		}
		end := l
		if length >= 0 && start+length < end {
			end = start + length
		}
		if occ < 1 {
			o.null()
			return
		}
		for j := start; j < end; j++ {
			if types.EqualDynamic(a[j], look) {
				occ--
				if occ == 0 {
					o.long(j)
					return
				}
			}
		}
		o.long(-1)
	})
}

func kArrayReverse(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		a, ok := c[0].asArray(i)
		if !ok {
			o.null()
			return
		}
		out := make([]any, len(a))
		for j, v := range a {
			out[len(a)-1-j] = v
		}
		o.dyn(out)
	})
}

// kArrayRotate rotates left (dir 1) or right (dir -1); a negative count
// rotates the other way.
func kArrayRotate(dir int64) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
			a, ok := c[0].asArray(i)
			k, kok := c[1].long(i)
			if !ok || !kok {
				o.null()
				return
			}
			l := int64(len(a))
			out := make([]any, l)
			if l == 0 {
				o.dyn(out)
				return
			}
			k = ((dir*k)%l + l) % l
			for j := int64(0); j < l; j++ {
				out[j] = a[(j+k)%l]
			}
			o.dyn(out)
		})
	}
}

// kArrayShift shifts left (dir 1) or right (dir -1), filling with the
// optional third argument.
func kArrayShift(dir int64) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
			a, ok := c[0].asArray(i)
			k, kok := c[1].long(i)
			if !ok || !kok {
				o.null()
				return
			}
			var fill any
			if len(c) > 2 {
				fill = c[2].value(i)
			}
			l := int64(len(a))
			k *= dir
			out := make([]any, l)
			for j := int64(0); j < l; j++ {
				src := j + k
				if src >= 0 && src < l {
					out[j] = a[src]
				} else {
					out[j] = fill
				}
			}
			o.dyn(out)
		})
	}
}

// dxTypeRank orders values of different types in a sort: bools, numbers,
// strings, arrays, bags.
func dxTypeRank(v any) int {
	switch v.(type) {
	case bool:
		return 0
	case int64, float64, int32, int:
		return 1
	case string:
		return 2
	case []any:
		return 3
	}
	return 4
}

// dxCompare orders two non-null dynamic values.
func dxCompare(x, y any) int {
	rx, ry := dxTypeRank(x), dxTypeRank(y)
	if rx != ry {
		if rx < ry {
			return -1
		}
		return 1
	}
	switch a := x.(type) {
	case bool:
		b := y.(bool)
		switch {
		case a == b:
			return 0
		case !a:
			return -1
		}
		return 1
	case string:
		b := y.(string)
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	if rx == 1 {
		if ai, ok := x.(int64); ok {
			if bi, ok := y.(int64); ok {
				switch {
				case ai < bi:
					return -1
				case ai > bi:
					return 1
				}
				return 0
			}
		}
		fa, fb := dxFloat(x), dxFloat(y)
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	sa, sb := dxFormat(x), dxFormat(y)
	switch {
	case sa < sb:
		return -1
	case sa > sb:
		return 1
	}
	return 0
}

func dxFloat(v any) float64 {
	switch t := v.(type) {
	case int64:
		return float64(t)
	case float64:
		return t
	case int32:
		return float64(t)
	case int:
		return float64(t)
	}
	return math.NaN()
}

// kArraySort sorts one or more arrays by the first: array_sort_asc(a1, ...,
// [nulls_last]). With one array the result is the sorted array; with
// several it is an array holding each sorted array (the compiler may
// expand it into columns named <arg>_sorted). Arrays of another length
// than the first come out null.
func kArraySort(desc bool) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		nArr := len(args)
		hasFlag := nArr > 1 && args[nArr-1].Kind == types.Bool
		if hasFlag {
			nArr--
		}
		return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
			nullsLast := true
			if hasFlag {
				if b, ok := c[nArr].boolean(i); ok {
					nullsLast = b
				}
			}
			first, ok := c[0].asArray(i)
			if !ok {
				o.null()
				return
			}
			perm := make([]int, len(first))
			for j := range perm {
				perm[j] = j
			}
			sort.SliceStable(perm, func(p, q int) bool {
				x, y := first[perm[p]], first[perm[q]]
				if x == nil || y == nil {
					if x == nil && y == nil {
						return false
					}
					// x < y when x is the null and nulls go first
					return (x == nil) != nullsLast
				}
				cmp := dxCompare(x, y)
				if desc {
					return cmp > 0
				}
				return cmp < 0
			})
			apply := func(a []any) any {
				if len(a) != len(perm) {
					return nil
				}
				out := make([]any, len(a))
				for j, p := range perm {
					out[j] = a[p]
				}
				return out
			}
			if nArr == 1 {
				o.dyn(apply(first))
				return
			}
			res := make([]any, nArr)
			for k := 0; k < nArr; k++ {
				a, ok := c[k].asArray(i)
				if ok {
					res[k] = apply(a)
				}
			}
			o.dyn(res)
		})
	}
}

func kArraySplit(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		a, ok := c[0].asArray(i)
		if !ok || c[1].isNull(i) {
			o.null()
			return
		}
		l := int64(len(a))
		var idx []int64
		if c[1].kind == types.Dynamic {
			switch t := c[1].value(i).(type) {
			case []any:
				for _, v := range t {
					if x, ok := v.(int64); ok {
						idx = append(idx, x)
					} else if f, ok := v.(float64); ok {
						idx = append(idx, int64(f))
					}
				}
			case int64:
				idx = []int64{t}
			}
		} else if v, ok := c[1].long(i); ok {
			idx = []int64{v}
		}
		out := []any{}
		prev := int64(0)
		for _, x := range idx {
			if x < 0 {
				x += l
			}
			if x < 0 {
				x = 0
			}
			if x > l {
				x = l
			}
			if x < prev {
				x = prev
			}
			out = append(out, append([]any{}, a[prev:x]...))
			prev = x
		}
		out = append(out, append([]any{}, a[prev:]...))
		o.dyn(out)
	})
}

func kArraySum(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Real, func(c []*dxCol, i int, o *dxOut) {
		a, ok := c[0].asArray(i)
		if !ok {
			o.null()
			return
		}
		sum := 0.0
		for _, v := range a {
			f := dxFloat(v)
			if math.IsNaN(f) && v != nil {
				if _, isF := v.(float64); !isF {
					o.null()
					return
				}
			}
			if v == nil {
				continue
			}
			sum += f
		}
		o.real(sum)
	})
}

func kArrayIff(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		cond, ok := c[0].asArray(i)
		if !ok {
			o.null()
			return
		}
		pick := func(x *dxCol, j int) any {
			v := x.value(i)
			if a, ok := v.([]any); ok {
				if j < len(a) {
					return a[j]
				}
				return nil
			}
			return v
		}
		out := make([]any, len(cond))
		for j, cv := range cond {
			var t, known bool
			switch b := cv.(type) {
			case bool:
				t, known = b, true
			case int64:
				t, known = b != 0, true
			case float64:
				t, known = b != 0, true
			}
			switch {
			case !known:
				out[j] = nil
			case t:
				out[j] = pick(c[1], j)
			default:
				out[j] = pick(c[2], j)
			}
		}
		o.dyn(out)
	})
}

func kSetHasElement(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Bool, func(c []*dxCol, i int, o *dxOut) {
		a, ok := c[0].asArray(i)
		if !ok {
			o.null()
			return
		}
		v := c[1].value(i)
		for _, x := range a {
			if types.EqualDynamic(x, v) {
				o.boolean(true)
				return
			}
		}
		o.boolean(false)
	})
}

// dxHashKey is a map key identifying a dynamic value for set operations
// (1 and 1.0 share a key, as they compare equal).
func dxHashKey(v any) string {
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<62 {
		return strconv.FormatInt(int64(f), 10)
	}
	return dxFormat(v)
}

type setFn func(sets [][]any) []any

func setUnion(sets [][]any) []any {
	seen := map[string]bool{}
	out := []any{}
	for _, s := range sets {
		for _, v := range s {
			k := dxHashKey(v)
			if !seen[k] {
				seen[k] = true
				out = append(out, v)
			}
		}
	}
	return out
}

func setIntersect(sets [][]any) []any {
	out := []any{}
	others := make([]map[string]bool, len(sets)-1)
	for j, s := range sets[1:] {
		m := map[string]bool{}
		for _, v := range s {
			m[dxHashKey(v)] = true
		}
		others[j] = m
	}
	seen := map[string]bool{}
	for _, v := range sets[0] {
		k := dxHashKey(v)
		if seen[k] {
			continue
		}
		seen[k] = true
		in := true
		for _, m := range others {
			if !m[k] {
				in = false
				break
			}
		}
		if in {
			out = append(out, v)
		}
	}
	return out
}

func setDifference(sets [][]any) []any {
	out := []any{}
	excl := map[string]bool{}
	for _, s := range sets[1:] {
		for _, v := range s {
			excl[dxHashKey(v)] = true
		}
	}
	seen := map[string]bool{}
	for _, v := range sets[0] {
		k := dxHashKey(v)
		if seen[k] || excl[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

func kSetOp(f setFn) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
			sets := make([][]any, len(c))
			for j, x := range c {
				a, ok := x.asArray(i)
				if !ok {
					o.null()
					return
				}
				sets[j] = a
			}
			o.dyn(f(sets))
		})
	}
}

func kJaccard(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		a, aok := c[0].asArray(i)
		b, bok := c[1].asArray(i)
		if !aok || !bok {
			o.null()
			return
		}
		u := len(setUnion([][]any{a, b}))
		in := len(setIntersect([][]any{a, b}))
		if u == 0 {
			o.dyn(math.NaN())
			return
		}
		o.dyn(float64(in) / float64(u))
	})
}

func kZip(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		arrs := make([][]any, len(c))
		longest := 0
		for j, x := range c {
			a, ok := x.asArray(i)
			if !ok {
				o.null()
				return
			}
			arrs[j] = a
			if len(a) > longest {
				longest = len(a)
			}
		}
		out := make([]any, longest)
		for k := range out {
			t := make([]any, len(arrs))
			for j, a := range arrs {
				if k < len(a) {
					t[j] = a[k]
				}
			}
			out[k] = t
		}
		o.dyn(out)
	})
}

func kRepeat(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		cnt, ok := c[1].long(i)
		if !ok {
			o.null()
			return
		}
		if cnt < 0 {
			cnt = 0
		}
		if cnt > maxRangeValues {
			cnt = maxRangeValues
		}
		v := c[0].value(i)
		out := make([]any, cnt)
		for j := range out {
			out[j] = v
		}
		o.dyn(out)
	})
}

// kRange implements the scalar range(start, stop[, step]): numbers (long
// when start and step are integral, else real), datetimes or timespans
// (as their text; the default step is then 1h).
func kRange(ctx *Ctx, args []Datum, n int) (Datum, error) {
	sk := args[0].Kind
	temporal := sk == types.DateTime || sk == types.TimeSpan
	integral := sk == types.Int || sk == types.Long || temporal
	if len(args) > 2 && !(args[2].Kind == types.Int || args[2].Kind == types.Long || args[2].Kind == types.TimeSpan) {
		integral = false
	}
	if args[1].Kind == types.Real || args[1].Kind == types.Decimal {
		if !temporal {
			integral = false
		}
	}
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		if integral {
			start, ok1 := c[0].long(i)
			stop, ok2 := c[1].long(i)
			step := int64(1)
			if temporal {
				step = types.Hour
			}
			ok3 := true
			if len(c) > 2 {
				step, ok3 = c[2].long(i)
			}
			if !ok1 || !ok2 || !ok3 || step == 0 {
				o.null()
				return
			}
			// written straight to JSON: range() arrays can hold 2^20 values
			buf := append(o.buf[:0], '[')
			cnt := 0
			for v := start; (step > 0 && v <= stop) || (step < 0 && v >= stop); v += step {
				if cnt == maxRangeValues {
					break
				}
				if cnt > 0 {
					buf = append(buf, ',')
				}
				cnt++
				switch sk {
				case types.DateTime:
					buf = append(buf, '"')
					buf = types.AppendDateTime(buf, v, false)
					buf = append(buf, '"')
				case types.TimeSpan:
					buf = append(buf, '"')
					buf = types.AppendTimeSpan(buf, v, false)
					buf = append(buf, '"')
				default:
					buf = strconv.AppendInt(buf, v, 10)
				}
				if (step > 0 && v > math.MaxInt64-step) || (step < 0 && v < math.MinInt64-step) {
					break
				}
			}
			buf = append(buf, ']')
			o.buf = buf
			o.sb.BinaryBuilder.Append(buf)
			return
		}
		start, ok1 := dxNum(c[0], i)
		stop, ok2 := dxNum(c[1], i)
		step, ok3 := 1.0, true
		if len(c) > 2 {
			step, ok3 = dxNum(c[2], i)
		}
		if !ok1 || !ok2 || !ok3 || step == 0 || math.IsNaN(step) {
			o.null()
			return
		}
		out := []any{}
		for k := 0; k < maxRangeValues; k++ {
			v := start + float64(k)*step
			if (step > 0 && v > stop) || (step < 0 && v < stop) {
				break
			}
			out = append(out, v)
		}
		o.dyn(out)
	})
}

// dxNum returns row i of a numeric argument as float64.
func dxNum(c *dxCol, i int) (float64, bool) {
	return c.real(i)
}
