package kernels

// Operator kernels: arithmetic, comparison, logic, in-lists, between and
// the string operators (has, contains, startswith, ... matches regex). The
// private sx* helpers at the top give typed, allocation-free access to
// argument Datums and build result arrays; strings.go, regex.go and
// encoding.go use them too.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ---------------------------------------------------------------------------
// Access helpers

// sxRows returns the number of rows to compute and whether the result is a
// scalar (every argument scalar).
func sxRows(args []Datum, n int) (int, bool) {
	for _, a := range args {
		if !a.Scalar {
			return n, false
		}
	}
	return 1, true
}

// sxStr reads a Datum as strings, converting non-string kinds as tostring()
// does. Nulls read as "" (Kusto strings are never null); isNull tells them apart.
type sxStr struct {
	scalar bool
	sv     string
	svNull bool
	str    *array.String
	dict   *array.Dictionary
	dstr   *array.String
	gen    arrow.Array
	dyn    *array.String // dynamic JSON text
	kind   types.Kind
}

func sxStrOf(d Datum) *sxStr {
	s := &sxStr{kind: d.Kind}
	if d.Array == nil {
		s.scalar, s.svNull = true, true
		return s
	}
	switch a := d.Array.(type) {
	case *array.String:
		if d.Kind != types.Dynamic {
			s.str = a
		} else {
			s.dyn = a
		}
	case *array.Dictionary:
		if ds, ok := a.Dictionary().(*array.String); ok && d.Kind != types.Dynamic {
			s.dict, s.dstr = a, ds
		}
	}
	if s.str == nil && s.dict == nil && s.dyn == nil {
		s.gen = d.Array
	}
	if d.Scalar {
		s.sv, s.svNull = s.raw(0)
		s.scalar = true
	}
	return s
}

func (s *sxStr) raw(i int) (string, bool) {
	switch {
	case s.str != nil:
		if s.str.IsNull(i) {
			return "", true
		}
		return s.str.Value(i), false
	case s.dict != nil:
		if s.dict.IsNull(i) {
			return "", true
		}
		return s.dstr.Value(s.dict.GetValueIndex(i)), false
	case s.dyn != nil:
		if s.dyn.IsNull(i) {
			return "", true
		}
		return sxDynText(s.dyn.Value(i))
	}
	v := sxValue(s.gen, i, s.kind)
	if v == nil {
		return "", true
	}
	return sxToString(v, s.kind), false
}

// at returns row i as a string ("" for null).
func (s *sxStr) at(i int) string {
	if s.scalar {
		return s.sv
	}
	if s.str != nil {
		return s.str.Value(i)
	}
	v, _ := s.raw(i)
	return v
}

func (s *sxStr) isNull(i int) bool {
	if s.scalar {
		return s.svNull
	}
	_, null := s.raw(i)
	return null
}

// sxDynText is tostring() of dynamic JSON text: objects, arrays and
// numbers as written (the stored text is compact JSON), strings unquoted,
// null as null.
func sxDynText(j string) (string, bool) {
	if j == "" || j == "null" {
		return "", true
	}
	if len(j) >= 2 && j[0] == '"' && j[len(j)-1] == '"' {
		if strings.IndexByte(j[1:len(j)-1], '\\') < 0 {
			return j[1 : len(j)-1], false
		}
		v, err := types.ParseDynamic(j)
		if str, ok := v.(string); ok && err == nil {
			return str, false
		}
	}
	return j, false
}

// sxValue returns row i of a as a Go value of the dynamic model: nil, bool,
// int64 (int, long, datetime and timespan too), float64, string; dynamic
// values are decoded from their JSON text (objects and arrays as decoded by
// sxParseJSON).
func sxValue(a arrow.Array, i int, kind types.Kind) any {
	if a == nil || a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Boolean:
		return x.Value(i)
	case *array.Int32:
		return int64(x.Value(i))
	case *array.Int64:
		return x.Value(i)
	case *array.Int16:
		return int64(x.Value(i))
	case *array.Int8:
		return int64(x.Value(i))
	case *array.Uint32:
		return int64(x.Value(i))
	case *array.Uint64:
		return int64(x.Value(i))
	case *array.Float64:
		return x.Value(i)
	case *array.Float32:
		return float64(x.Value(i))
	case *array.Timestamp:
		return int64(x.Value(i))
	case *array.Duration:
		return int64(x.Value(i))
	case *array.String:
		if kind == types.Dynamic {
			v, err := sxParseJSON(x.Value(i))
			if err != nil {
				return x.Value(i)
			}
			return v
		}
		return x.Value(i)
	case *array.Dictionary:
		return sxValue(x.Dictionary(), x.GetValueIndex(i), kind)
	}
	return nil
}

// sxParseJSON decodes JSON text into the shared dynamic model:
// nil | bool | int64 | float64 | string | []any | *types.Bag.
func sxParseJSON(s string) (any, error) { return types.ParseDynamic(s) }

// sxFormatJSON appends v (a dynamic-model value, or []string) as compact JSON.
func sxFormatJSON(b []byte, v any) []byte {
	if ss, ok := v.([]string); ok {
		b = append(b, '[')
		for i, e := range ss {
			if i > 0 {
				b = append(b, ',')
			}
			b = types.AppendJSONString(b, e)
		}
		return append(b, ']')
	}
	return types.AppendDynamic(b, v)
}

// sxBag builds a property bag from parallel keys and values.
func sxBag(keys []string, vals []any) *types.Bag {
	b := types.NewBag(len(keys))
	for i, k := range keys {
		b.Set(k, vals[i])
	}
	return b
}

// sxToString converts a value of kind k as tostring() does.
func sxToString(v any, k types.Kind) string { return types.FormatValue(k, v) }

// sxFormatTimespan formats nanoseconds as Kusto prints a timespan.
func sxFormatTimespan(ns int64) string { return types.FormatTimeSpan(ns) }

// sxNum reads a numeric (or datetime/timespan) Datum.
type sxNum struct {
	scalar bool
	isInt  bool // values are integral (int, long, datetime, timespan)
	i64    []int64
	i32    []int32
	f64    []float64
	ts     []arrow.Timestamp
	du     []arrow.Duration
	a      arrow.Array
	// dynamic/string values decoded up front
	dv    []float64
	di    []int64
	dnull []bool
}

func sxNumOf(d Datum) *sxNum {
	s := &sxNum{scalar: d.Scalar, a: d.Array}
	switch a := d.Array.(type) {
	case *array.Int64:
		s.i64, s.isInt = a.Int64Values(), true
	case *array.Int32:
		s.i32, s.isInt = a.Int32Values(), true
	case *array.Float64:
		s.f64 = a.Float64Values()
	case *array.Timestamp:
		s.ts, s.isInt = a.TimestampValues(), true
	case *array.Duration:
		s.du, s.isInt = a.DurationValues(), true
	default:
		n := 0
		if a != nil {
			n = a.Len()
		}
		s.dv, s.di, s.dnull = make([]float64, n), make([]int64, n), make([]bool, n)
		s.isInt = d.Kind == types.Int || d.Kind == types.Long || d.Kind == types.DateTime || d.Kind == types.TimeSpan || d.Kind == types.Bool
		for i := 0; i < n; i++ {
			switch v := sxValue(a, i, d.Kind).(type) {
			case int64:
				s.di[i], s.dv[i] = v, float64(v)
			case float64:
				s.di[i], s.dv[i] = int64(v), v
			case bool:
				if v {
					s.di[i], s.dv[i] = 1, 1
				}
			case string:
				if iv, err := strconv.ParseInt(v, 10, 64); err == nil {
					s.di[i], s.dv[i] = iv, float64(iv)
				} else if fv, err := strconv.ParseFloat(v, 64); err == nil {
					s.di[i], s.dv[i] = int64(fv), fv
				} else {
					s.dnull[i] = true
				}
			default:
				s.dnull[i] = true
			}
		}
	}
	return s
}

func (s *sxNum) row(i int) int {
	if s.scalar {
		return 0
	}
	return i
}

func (s *sxNum) null(i int) bool {
	i = s.row(i)
	if s.dnull != nil {
		return i >= len(s.dnull) || s.dnull[i]
	}
	return s.a == nil || s.a.IsNull(i)
}

func (s *sxNum) int(i int) int64 {
	i = s.row(i)
	switch {
	case s.i64 != nil:
		return s.i64[i]
	case s.i32 != nil:
		return int64(s.i32[i])
	case s.f64 != nil:
		return int64(s.f64[i])
	case s.ts != nil:
		return int64(s.ts[i])
	case s.du != nil:
		return int64(s.du[i])
	case i < len(s.di):
		return s.di[i]
	}
	return 0
}

func (s *sxNum) float(i int) float64 {
	i = s.row(i)
	switch {
	case s.f64 != nil:
		return s.f64[i]
	case s.i64 != nil:
		return float64(s.i64[i])
	case s.i32 != nil:
		return float64(s.i32[i])
	case s.ts != nil:
		return float64(s.ts[i])
	case s.du != nil:
		return float64(s.du[i])
	case i < len(s.dv):
		return s.dv[i]
	}
	return 0
}

// sxRegister binds a kernel, turning any panic inside it into an error so
// that no panic escapes the package.
func sxRegister(id string, k ScalarKernel) {
	RegisterScalar(id, func(ctx *Ctx, args []Datum, n int) (d Datum, err error) {
		defer func() {
			if r := recover(); r != nil {
				d, err = Datum{}, fmt.Errorf("%s: internal error: %v", id, r)
			}
		}()
		return k(ctx, args, n)
	})
}

// ---------------------------------------------------------------------------
// Result builders

func sxBoolArr(mem memory.Allocator, vals, valid []bool) arrow.Array {
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

// sxIntArr builds an array of kind k (int, long, datetime, timespan) from int64s.
func sxIntArr(mem memory.Allocator, k types.Kind, vals []int64, valid []bool) arrow.Array {
	switch k {
	case types.Int:
		b := array.NewInt32Builder(mem)
		defer b.Release()
		v32 := make([]int32, len(vals))
		for i, v := range vals {
			v32[i] = int32(v)
		}
		b.AppendValues(v32, valid)
		return b.NewArray()
	case types.DateTime:
		b := array.NewTimestampBuilder(mem, ArrowType(k).(*arrow.TimestampType))
		defer b.Release()
		b.Reserve(len(vals))
		for i, v := range vals {
			if valid != nil && !valid[i] {
				b.AppendNull()
			} else {
				b.Append(arrow.Timestamp(v))
			}
		}
		return b.NewArray()
	case types.TimeSpan:
		b := array.NewDurationBuilder(mem, ArrowType(k).(*arrow.DurationType))
		defer b.Release()
		b.Reserve(len(vals))
		for i, v := range vals {
			if valid != nil && !valid[i] {
				b.AppendNull()
			} else {
				b.Append(arrow.Duration(v))
			}
		}
		return b.NewArray()
	}
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

func sxFloatArr(mem memory.Allocator, vals []float64, valid []bool) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

func sxStrArr(mem memory.Allocator, vals []string, valid []bool) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

func sxMem(ctx *Ctx) memory.Allocator {
	if ctx == nil || ctx.Mem == nil {
		return memory.DefaultAllocator
	}
	return ctx.Mem
}

// ---------------------------------------------------------------------------
// Arithmetic

type sxArithOp int

const (
	sxAdd sxArithOp = iota
	sxSub
	sxMul
	sxDiv
	sxMod
)

func sxIntOp(op sxArithOp, a, b int64) (int64, bool) {
	switch op {
	case sxAdd:
		return a + b, true
	case sxSub:
		return a - b, true
	case sxMul:
		return a * b, true
	case sxDiv:
		if b == 0 {
			return 0, false
		}
		if b == -1 {
			return -a, true
		}
		return a / b, true
	case sxMod:
		if b == 0 {
			return 0, false
		}
		if b == -1 {
			return 0, true
		}
		r := a % b
		if r < 0 {
			if b < 0 {
				r -= b
			} else {
				r += b
			}
		}
		return r, true
	}
	return 0, false
}

func sxFloatOp(op sxArithOp, a, b float64) float64 {
	switch op {
	case sxAdd:
		return a + b
	case sxSub:
		return a - b
	case sxMul:
		return a * b
	case sxDiv:
		return a / b
	case sxMod:
		r := math.Mod(a, b)
		if r < 0 {
			r += math.Abs(b)
		}
		return r
	}
	return math.NaN()
}

// sxIntKernel computes an integral binary operator producing kind out.
func sxIntKernel(op sxArithOp, out types.Kind) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		l, r := sxNumOf(args[0]), sxNumOf(args[1])
		vals := make([]int64, m)
		valid := make([]bool, m)
		for i := 0; i < m; i++ {
			if l.null(i) || r.null(i) {
				continue
			}
			a, b := l.int(i), r.int(i)
			if out == types.Int {
				a, b = int64(int32(a)), int64(int32(b))
			}
			v, ok := sxIntOp(op, a, b)
			if out == types.Int {
				v = int64(int32(v))
			}
			vals[i], valid[i] = v, ok
		}
		return Datum{Array: sxIntArr(sxMem(ctx), out, vals, valid), Scalar: sc, Kind: out}, nil
	}
}

func sxFloatKernel(op sxArithOp, out types.Kind) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		l, r := sxNumOf(args[0]), sxNumOf(args[1])
		vals := make([]float64, m)
		valid := make([]bool, m)
		for i := 0; i < m; i++ {
			if l.null(i) || r.null(i) {
				continue
			}
			vals[i], valid[i] = sxFloatOp(op, l.float(i), r.float(i)), true
		}
		return Datum{Array: sxFloatArr(sxMem(ctx), vals, valid), Scalar: sc, Kind: out}, nil
	}
}

// sxTimespanScale computes timespan * number, number * timespan and
// timespan / number (tsArg is the timespan's position).
func sxTimespanScale(div bool, tsArg int) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		t, x := sxNumOf(args[tsArg]), sxNumOf(args[1-tsArg])
		vals := make([]int64, m)
		valid := make([]bool, m)
		for i := 0; i < m; i++ {
			if t.null(i) || x.null(i) {
				continue
			}
			if x.isInt {
				if div {
					vals[i], valid[i] = sxIntOp(sxDiv, t.int(i), x.int(i))
				} else {
					vals[i], valid[i] = t.int(i)*x.int(i), true
				}
				continue
			}
			f := x.float(i)
			var r float64
			if div {
				r = float64(t.int(i)) / f
			} else {
				r = float64(t.int(i)) * f
			}
			if math.IsNaN(r) || math.IsInf(r, 0) || math.Abs(r) > math.MaxInt64 {
				continue
			}
			vals[i], valid[i] = int64(math.Round(r)), true
		}
		return Datum{Array: sxIntArr(sxMem(ctx), types.TimeSpan, vals, valid), Scalar: sc, Kind: types.TimeSpan}, nil
	}
}

func sxUnary(neg bool, out types.Kind) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		x := sxNumOf(args[0])
		if out == types.Real || out == types.Decimal {
			vals := make([]float64, m)
			valid := make([]bool, m)
			for i := 0; i < m; i++ {
				if !x.null(i) {
					v := x.float(i)
					if neg {
						v = -v
					}
					vals[i], valid[i] = v, true
				}
			}
			return Datum{Array: sxFloatArr(sxMem(ctx), vals, valid), Scalar: sc, Kind: out}, nil
		}
		vals := make([]int64, m)
		valid := make([]bool, m)
		for i := 0; i < m; i++ {
			if !x.null(i) {
				v := x.int(i)
				if neg {
					v = -v
				}
				vals[i], valid[i] = v, true
			}
		}
		return Datum{Array: sxIntArr(sxMem(ctx), out, vals, valid), Scalar: sc, Kind: out}, nil
	}
}

// ---------------------------------------------------------------------------
// Comparison

type sxCmp int

const (
	sxEq sxCmp = iota
	sxNe
	sxLt
	sxLe
	sxGt
	sxGe
)

func (c sxCmp) test(r int) bool {
	switch c {
	case sxEq:
		return r == 0
	case sxNe:
		return r != 0
	case sxLt:
		return r < 0
	case sxLe:
		return r <= 0
	case sxGt:
		return r > 0
	}
	return r >= 0
}

// sxNullEquality is the result of comparing when an operand is null: a
// value is not equal to null (== false, != true), null compared with null
// and the ordering comparisons are null.
func sxNullEquality(c sxCmp, lnull, rnull bool) (val, valid bool) {
	if lnull && rnull {
		return false, false
	}
	switch c {
	case sxEq:
		return false, true
	case sxNe:
		return true, true
	}
	return false, false
}

func sxCmpFloat(c sxCmp, a, b float64) bool {
	switch c {
	case sxEq:
		return a == b
	case sxNe:
		return a != b
	case sxLt:
		return a < b
	case sxLe:
		return a <= b
	case sxGt:
		return a > b
	}
	return a >= b
}

func sxCmpInt(a, b int64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func sxNumCompare(c sxCmp) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		l, r := sxNumOf(args[0]), sxNumOf(args[1])
		vals := make([]bool, m)
		valid := make([]bool, m)
		ints := l.isInt && r.isInt
		// fast path: int64 column vs scalar
		if ints && l.i64 != nil && r.scalar && !l.scalar && l.a.NullN() == 0 && !r.null(0) {
			rv := r.int(0)
			for i, v := range l.i64[:m] {
				vals[i] = c.test(sxCmpInt(v, rv))
			}
			return Datum{Array: sxBoolArr(sxMem(ctx), vals, nil), Kind: types.Bool}, nil
		}
		for i := 0; i < m; i++ {
			if ln, rn := l.null(i), r.null(i); ln || rn {
				vals[i], valid[i] = sxNullEquality(c, ln, rn)
				continue
			}
			valid[i] = true
			if ints {
				vals[i] = c.test(sxCmpInt(l.int(i), r.int(i)))
			} else {
				vals[i] = sxCmpFloat(c, l.float(i), r.float(i))
			}
		}
		return Datum{Array: sxBoolArr(sxMem(ctx), vals, valid), Scalar: sc, Kind: types.Bool}, nil
	}
}

// sxStrCompare compares strings; ci folds case (=~, !~); guid compares case-insensitively.
func sxStrCompare(c sxCmp, ci bool) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if c == sxEq || c == sxNe {
			neg := c == sxNe
			if ci {
				return sxStrPredicate(ctx, args, n, neg, func(p string) func(string) bool {
					if sxIsASCII(p) {
						lp := strings.ToLower(p)
						return func(s string) bool { return len(s) == len(lp) && sxEqualFoldASCII(s, lp) }
					}
					lp := strings.ToLower(p)
					return func(s string) bool { return strings.ToLower(s) == lp }
				})
			}
			if !args[1].Scalar {
				// column == column: compare row by row without building matchers
				m, sc := sxRows(args, n)
				l, r := sxStrOf(args[0]), sxStrOf(args[1])
				vals := make([]bool, m)
				for i := 0; i < m; i++ {
					vals[i] = (l.at(i) == r.at(i)) != neg
				}
				return Datum{Array: sxBoolArr(sxMem(ctx), vals, nil), Scalar: sc, Kind: types.Bool}, nil
			}
			return sxStrPredicate(ctx, args, n, neg, func(p string) func(string) bool {
				return func(s string) bool { return s == p }
			})
		}
		m, sc := sxRows(args, n)
		l, r := sxStrOf(args[0]), sxStrOf(args[1])
		vals := make([]bool, m)
		for i := 0; i < m; i++ {
			a, b := l.at(i), r.at(i)
			if ci {
				a, b = strings.ToLower(a), strings.ToLower(b)
			}
			vals[i] = c.test(strings.Compare(a, b))
		}
		return Datum{Array: sxBoolArr(sxMem(ctx), vals, nil), Scalar: sc, Kind: types.Bool}, nil
	}
}

func sxBoolCompare(c sxCmp) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		l, r := sxNumOf(args[0]), sxNumOf(args[1])
		vals := make([]bool, m)
		valid := make([]bool, m)
		for i := 0; i < m; i++ {
			lv, lnull := sxBoolAt(args[0], l, i)
			rv, rnull := sxBoolAt(args[1], r, i)
			if lnull || rnull {
				vals[i], valid[i] = sxNullEquality(c, lnull, rnull)
				continue
			}
			valid[i] = true
			vals[i] = c.test(sxCmpInt(sxB2i(lv), sxB2i(rv)))
		}
		return Datum{Array: sxBoolArr(sxMem(ctx), vals, valid), Scalar: sc, Kind: types.Bool}, nil
	}
}

func sxB2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func sxBoolAt(d Datum, num *sxNum, i int) (bool, bool) {
	j := d.Row(i)
	if ba, ok := d.Array.(*array.Boolean); ok {
		if ba.IsNull(j) {
			return false, true
		}
		return ba.Value(j), false
	}
	if num.null(i) {
		return false, true
	}
	return num.int(i) != 0, false
}

// sxDynCompare compares a dynamic value with a value of any kind (== / !=).
func sxDynCompare(neg bool) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		vals := make([]bool, m)
		valid := make([]bool, m)
		for i := 0; i < m; i++ {
			a := sxValue(args[0].Array, args[0].Row(i), args[0].Kind)
			b := sxValue(args[1].Array, args[1].Row(i), args[1].Kind)
			if a == nil || b == nil {
				c := sxEq
				if neg {
					c = sxNe
				}
				vals[i], valid[i] = sxNullEquality(c, a == nil, b == nil)
				continue
			}
			valid[i] = true
			vals[i] = sxValuesEqual(a, b) != neg
		}
		return Datum{Array: sxBoolArr(sxMem(ctx), vals, valid), Scalar: sc, Kind: types.Bool}, nil
	}
}

func sxValuesEqual(a, b any) bool {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case float64:
			return float64(x) == y
		}
		return false
	case float64:
		switch y := b.(type) {
		case int64:
			return x == float64(y)
		case float64:
			return x == y
		}
		return false
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return types.EqualDynamic(a, b)
}

// ---------------------------------------------------------------------------
// Logic

func sxLogic(and bool) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if d, ok := logicBitmaps(ctx, args, n, and); ok {
			return d, nil
		}
		m, sc := sxRows(args, n)
		l, r := sxNumOf(args[0]), sxNumOf(args[1])
		vals := make([]bool, m)
		valid := make([]bool, m)
		for i := 0; i < m; i++ {
			a, an := sxBoolAt(args[0], l, i)
			b, bn := sxBoolAt(args[1], r, i)
			if and {
				switch {
				case (!an && !a) || (!bn && !b):
					vals[i], valid[i] = false, true
				case !an && !bn:
					vals[i], valid[i] = true, true
				}
			} else {
				switch {
				case (!an && a) || (!bn && b):
					vals[i], valid[i] = true, true
				case !an && !bn:
					vals[i], valid[i] = false, true
				}
			}
		}
		return Datum{Array: sxBoolArr(sxMem(ctx), vals, valid), Scalar: sc, Kind: types.Bool}, nil
	}
}

// logicBitmaps is and/or of two bool arrays (the common case of a where
// with several conditions) computed a byte of rows at a time on the
// bitmaps, with Kusto's three-valued logic: false and null is false, true
// or null is true, otherwise null propagates.
func logicBitmaps(ctx *Ctx, args []Datum, n int, and bool) (Datum, bool) {
	if len(args) != 2 || args[0].Scalar || args[1].Scalar {
		return Datum{}, false
	}
	a, ok1 := args[0].Array.(*array.Boolean)
	b, ok2 := args[1].Array.(*array.Boolean)
	if !ok1 || !ok2 || a.Len() != n || b.Len() != n || a.Data().Offset() != 0 || b.Data().Offset() != 0 {
		return Datum{}, false
	}
	nb := int(bitutil.BytesForBits(int64(n)))
	bits := func(x *array.Boolean, i int) []byte {
		buf := x.Data().Buffers()[i]
		if buf == nil || buf.Len() < nb {
			return nil
		}
		return buf.Bytes()[:nb]
	}
	av, bv := bits(a, 1), bits(b, 1)
	if av == nil || bv == nil {
		return Datum{}, false
	}
	ava, bva := bits(a, 0), bits(b, 0)
	if (ava == nil && a.NullN() > 0) || (bva == nil && b.NullN() > 0) {
		return Datum{}, false
	}
	mem := sxMem(ctx)
	vals := memory.NewResizableBuffer(mem)
	vals.Resize(nb)
	out := vals.Bytes()
	var valid *memory.Buffer
	if ava == nil && bva == nil {
		for i := range out {
			if and {
				out[i] = av[i] & bv[i]
			} else {
				out[i] = av[i] | bv[i]
			}
		}
	} else {
		valid = memory.NewResizableBuffer(mem)
		valid.Resize(nb)
		vout := valid.Bytes()
		for i := range out {
			va, vb := byte(0xff), byte(0xff)
			if ava != nil {
				va = ava[i]
			}
			if bva != nil {
				vb = bva[i]
			}
			at, af := av[i]&va, ^av[i]&va
			bt, bf := bv[i]&vb, ^bv[i]&vb
			if and {
				out[i] = at & bt
				vout[i] = (at & bt) | af | bf
			} else {
				out[i] = at | bt
				vout[i] = at | bt | (af & bf)
			}
		}
	}
	nulls := 0
	if valid != nil {
		nulls = n - bitutil.CountSetBits(valid.Bytes(), 0, n)
	}
	d := array.NewData(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{valid, vals}, nil, nulls, 0)
	vals.Release()
	if valid != nil {
		valid.Release()
	}
	arr := array.MakeFromData(d)
	d.Release()
	return Datum{Array: arr, Kind: types.Bool}, true
}

// ---------------------------------------------------------------------------
// Between

func sxBetween(not bool, hiIsSpan bool) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		x, lo, hi := sxNumOf(args[0]), sxNumOf(args[1]), sxNumOf(args[2])
		ints := x.isInt && lo.isInt && hi.isInt
		vals := make([]bool, m)
		valid := make([]bool, m)
		for i := 0; i < m; i++ {
			if x.null(i) || lo.null(i) || hi.null(i) {
				continue
			}
			var in bool
			if ints {
				v, l, h := x.int(i), lo.int(i), hi.int(i)
				if hiIsSpan {
					h += l
				}
				in = v >= l && v <= h
			} else {
				v, l, h := x.float(i), lo.float(i), hi.float(i)
				in = v >= l && v <= h
			}
			vals[i], valid[i] = in != not, true
		}
		return Datum{Array: sxBoolArr(sxMem(ctx), vals, valid), Scalar: sc, Kind: types.Bool}, nil
	}
}

// ---------------------------------------------------------------------------
// In lists

// sxSet is the set of items of an in-list.
type sxSet struct {
	strs  map[string]struct{}
	ints  map[int64]struct{}
	flts  map[float64]struct{}
	bools [2]bool
	other map[string]struct{} // arrays/objects by JSON text
	ci    bool
}

func newSxSet(ci bool) *sxSet {
	return &sxSet{strs: map[string]struct{}{}, ints: map[int64]struct{}{}, flts: map[float64]struct{}{}, other: map[string]struct{}{}, ci: ci}
}

// add adds v, flattening arrays when flatten is set.
func (s *sxSet) add(v any, k types.Kind, flatten bool) {
	switch x := v.(type) {
	case nil:
	case string:
		if s.ci {
			x = strings.ToLower(x)
		}
		s.strs[x] = struct{}{}
	case int64:
		s.ints[x] = struct{}{}
		s.flts[float64(x)] = struct{}{}
		if k != types.DateTime && k != types.TimeSpan {
			s.strs[strconv.FormatInt(x, 10)] = struct{}{}
		}
	case float64:
		s.flts[x] = struct{}{}
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			s.ints[int64(x)] = struct{}{}
		}
	case bool:
		s.bools[sxB2i(x)] = true
	case []any:
		if flatten {
			for _, e := range x {
				s.add(e, types.Dynamic, false)
			}
			return
		}
		s.other[string(sxFormatJSON(nil, x))] = struct{}{}
	default:
		s.other[string(sxFormatJSON(nil, x))] = struct{}{}
	}
}

func (s *sxSet) has(v any, k types.Kind) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		if s.ci {
			x = strings.ToLower(x)
		}
		_, ok := s.strs[x]
		return ok
	case int64:
		if _, ok := s.ints[x]; ok {
			return true
		}
		_, ok := s.flts[float64(x)]
		return ok
	case float64:
		_, ok := s.flts[x]
		return ok
	case bool:
		return s.bools[sxB2i(x)]
	}
	_, ok := s.other[string(sxFormatJSON(nil, v))]
	return ok
}

func sxIn(not, ci bool) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		xk := args[0].Kind
		stringy := xk == types.String || xk == types.Guid
		allConst := true
		for _, a := range args[1:] {
			if !a.Scalar {
				allConst = false
			}
		}
		build := func(row int) *sxSet {
			set := newSxSet(ci || xk == types.Guid)
			for _, a := range args[1:] {
				v := sxValue(a.Array, a.Row(row), a.Kind)
				if stringy {
					if arr, ok := v.([]any); ok && a.Kind == types.Dynamic {
						for _, e := range arr {
							set.add(sxToString(e, types.Dynamic), types.String, false)
						}
						continue
					}
					if v != nil {
						v = sxToString(v, a.Kind)
					}
				}
				set.add(v, a.Kind, a.Kind == types.Dynamic)
			}
			return set
		}
		var set *sxSet
		if allConst {
			set = build(0)
		}
		vals := make([]bool, m)
		// fast path: string column against constant strings
		if stringy && allConst && !ci && xk == types.String {
			x := sxStrOf(args[0])
			if x.str != nil && !x.scalar {
				for i := 0; i < m; i++ {
					_, ok := set.strs[x.str.Value(i)]
					vals[i] = ok != not
				}
				return Datum{Array: sxBoolArr(sxMem(ctx), vals, nil), Kind: types.Bool}, nil
			}
		}
		xs := sxStrOf(Datum{Array: args[0].Array, Kind: xk})
		for i := 0; i < m; i++ {
			s := set
			if s == nil {
				s = build(i)
			}
			var v any
			if stringy {
				v = xs.at(args[0].Row(i))
			} else {
				v = sxValue(args[0].Array, args[0].Row(i), xk)
				if xk == types.Dynamic {
					if str, ok := v.(string); ok {
						v = str
					}
				}
			}
			vals[i] = s.has(v, xk) != not
		}
		return Datum{Array: sxBoolArr(sxMem(ctx), vals, nil), Scalar: sc, Kind: types.Bool}, nil
	}
}

// ---------------------------------------------------------------------------
// String predicates

// sxStrPredicate applies a per-pattern matcher built by mk to the left
// argument. With a constant pattern the matcher is built once per batch, and
// a dictionary-encoded column is matched once per distinct value.
func sxStrPredicate(ctx *Ctx, args []Datum, n int, neg bool, mk func(p string) func(string) bool) (Datum, error) {
	m, sc := sxRows(args, n)
	l, r := sxStrOf(args[0]), sxStrOf(args[1])
	vals := make([]bool, m)
	if r.scalar {
		f := mk(r.sv)
		switch {
		case l.scalar:
			vals[0] = f(l.sv) != neg
		case l.str != nil:
			for i := 0; i < m; i++ {
				vals[i] = f(l.str.Value(i)) != neg
			}
		case l.dict != nil:
			dv := make([]bool, l.dstr.Len())
			for j := range dv {
				dv[j] = f(l.dstr.Value(j)) != neg
			}
			for i := 0; i < m; i++ {
				if l.dict.IsNull(i) {
					vals[i] = f("") != neg
				} else {
					vals[i] = dv[l.dict.GetValueIndex(i)]
				}
			}
		default:
			for i := 0; i < m; i++ {
				vals[i] = f(l.at(i)) != neg
			}
		}
	} else {
		for i := 0; i < m; i++ {
			vals[i] = mk(r.at(i))(l.at(i)) != neg
		}
	}
	return Datum{Array: sxBoolArr(sxMem(ctx), vals, nil), Scalar: sc, Kind: types.Bool}, nil
}

func sxIsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func sxLowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 32
	}
	return c
}

// sxEqualFoldASCII compares s with lower-case ASCII p (same length), folding s.
func sxEqualFoldASCII(s, p string) bool {
	for k := 0; k < len(p); k++ {
		c := s[k]
		if 'A' <= c && c <= 'Z' {
			c += 32
		}
		if c != p[k] {
			return false
		}
	}
	return true
}

// sxIndexFoldASCII returns the first index >= from of lower-case ASCII lp
// in s, folding ASCII case, or -1.
func sxIndexFoldASCII(s, lp string, from int) int {
	n := len(lp)
	if n == 0 {
		return from
	}
	c0 := lp[0]
	last := len(s) - n
	if c0 < 'a' || c0 > 'z' {
		for i := from; i <= last; {
			j := strings.IndexByte(s[i:last+1], c0)
			if j < 0 {
				return -1
			}
			i += j
			if sxEqualFoldASCII(s[i+1:i+n], lp[1:]) {
				return i
			}
			i++
		}
		return -1
	}
	// a letter: track the next lower-case and upper-case candidates with
	// (vectorised) IndexByte searches
	if from > last {
		return -1
	}
	win := s[:last+1]
	next := func(c byte, at int) int {
		if at > last {
			return -1
		}
		j := strings.IndexByte(win[at:], c)
		if j < 0 {
			return -1
		}
		return at + j
	}
	nl, nu := next(c0, from), next(c0-32, from)
	for {
		i := nl
		if i < 0 || (nu >= 0 && nu < i) {
			i = nu
		}
		if i < 0 {
			return -1
		}
		if sxEqualFoldASCII(s[i+1:i+n], lp[1:]) {
			return i
		}
		if i == nl {
			nl = next(c0, i+1)
		} else {
			nu = next(c0-32, i+1)
		}
	}
}

// sxFolder prepares a pattern for case-(in)sensitive searching.
type sxFolder struct {
	p     string // lower-cased when fold
	fold  bool
	ascii bool
}

func newSxFolder(p string, fold bool) sxFolder {
	f := sxFolder{p: p, fold: fold, ascii: sxIsASCII(p)}
	if fold {
		if f.ascii {
			f.p = strings.ToLower(p)
		} else {
			f.p = strings.ToLower(p)
		}
	}
	return f
}

// prep returns s as searched (lower-cased when the pattern is not ASCII and case folds).
func (f sxFolder) prep(s string) string {
	if f.fold && !f.ascii {
		return strings.ToLower(s)
	}
	return s
}

// index finds the pattern in prepared s from offset from.
func (f sxFolder) index(s string, from int) int {
	if f.fold && f.ascii {
		return sxIndexFoldASCII(s, f.p, from)
	}
	if from > len(s) {
		return -1
	}
	j := strings.Index(s[from:], f.p)
	if j < 0 {
		return -1
	}
	return from + j
}

func (f sxFolder) contains(s string) bool { return f.index(f.prep(s), 0) >= 0 }

func (f sxFolder) hasPrefix(s string) bool {
	s = f.prep(s)
	if len(s) < len(f.p) {
		return false
	}
	if f.fold && f.ascii {
		return sxEqualFoldASCII(s[:len(f.p)], f.p)
	}
	return s[:len(f.p)] == f.p
}

func (f sxFolder) hasSuffix(s string) bool {
	s = f.prep(s)
	if len(s) < len(f.p) {
		return false
	}
	if f.fold && f.ascii {
		return sxEqualFoldASCII(s[len(s)-len(f.p):], f.p)
	}
	return s[len(s)-len(f.p):] == f.p
}

// sxIsAlnumAt reports whether the character starting at byte i of s is alphanumeric.
func sxIsAlnumAt(s string, i int) bool {
	c := s[i]
	if c < utf8.RuneSelf {
		return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// sxIsAlnumBefore reports whether the character ending just before byte i is alphanumeric.
func sxIsAlnumBefore(s string, i int) bool {
	c := s[i-1]
	if c < utf8.RuneSelf {
		return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// sxTermMatcher implements has / hasprefix / hassuffix: the pattern must
// start a term (unless suffixOnly) and end a term (unless prefixOnly). A
// boundary is required only where the pattern itself starts/ends with an
// alphanumeric character.
type sxTermMatcher struct {
	f                      sxFolder
	needStart, needEnd     bool
	empty                  bool
	prefixOnly, suffixOnly bool
}

func newSxTermMatcher(p string, fold, prefix, suffix bool) *sxTermMatcher {
	t := &sxTermMatcher{f: newSxFolder(p, fold), empty: p == ""}
	if p != "" {
		t.needStart = !suffix && sxIsAlnumAt(t.f.p, 0)
		t.needEnd = !prefix && sxIsAlnumBefore(t.f.p, len(t.f.p))
	}
	return t
}

func (t *sxTermMatcher) match(s string) bool {
	if t.empty {
		return true
	}
	s = t.f.prep(s)
	for from := 0; ; {
		i := t.f.index(s, from)
		if i < 0 {
			return false
		}
		j := i + len(t.f.p)
		if (!t.needStart || i == 0 || !sxIsAlnumBefore(s, i)) && (!t.needEnd || j == len(s) || !sxIsAlnumAt(s, j)) {
			return true
		}
		from = i + 1
	}
}

// sxHas reports whether s has the term p (case-insensitive unless cs).
func sxHas(s, p string, cs bool) bool { return newSxTermMatcher(p, !cs, false, false).match(s) }

func sxStringOp(name string) ScalarKernel {
	neg := strings.HasPrefix(name, "!")
	base := strings.TrimPrefix(name, "!")
	cs := strings.HasSuffix(base, "_cs")
	base = strings.TrimSuffix(base, "_cs")
	var mk func(p string) func(string) bool
	switch base {
	case "has":
		mk = func(p string) func(string) bool { return newSxTermMatcher(p, !cs, false, false).match }
	case "hasprefix":
		mk = func(p string) func(string) bool { return newSxTermMatcher(p, !cs, true, false).match }
	case "hassuffix":
		mk = func(p string) func(string) bool { return newSxTermMatcher(p, !cs, false, true).match }
	case "contains":
		mk = func(p string) func(string) bool {
			if cs {
				return func(s string) bool { return strings.Contains(s, p) }
			}
			return newSxFolder(p, true).contains
		}
	case "startswith":
		mk = func(p string) func(string) bool { return newSxFolder(p, !cs).hasPrefix }
	case "endswith":
		mk = func(p string) func(string) bool { return newSxFolder(p, !cs).hasSuffix }
	case "matches regex":
		return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
			var rerr error
			d, err := sxStrPredicate(ctx, args, n, false, func(p string) func(string) bool {
				re, err := sxRegex(p)
				if err != nil {
					rerr = err
					return func(string) bool { return false }
				}
				return re.MatchString
			})
			if rerr != nil {
				d.Release()
				return Datum{}, rerr
			}
			return d, err
		}
	}
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		return sxStrPredicate(ctx, args, n, neg, mk)
	}
}

// ---------------------------------------------------------------------------
// has_any / has_all

// sxTermSet matches many terms at once: alphanumeric-only terms by
// tokenising the input once, the others one by one.
type sxTermSet struct {
	words  map[string]int // lower-cased alphanumeric term → index
	others []*sxTermMatcher
	nwords int
}

func newSxTermSet(terms []string) *sxTermSet {
	t := &sxTermSet{words: map[string]int{}}
	for _, p := range terms {
		if p != "" && sxAllAlnum(p) {
			lp := strings.ToLower(p)
			if _, dup := t.words[lp]; !dup {
				t.words[lp] = t.nwords
				t.nwords++
			}
			continue
		}
		t.others = append(t.others, newSxTermMatcher(p, true, false, false))
	}
	return t
}

func sxAllAlnum(s string) bool {
	for i := 0; i < len(s); {
		if !sxIsAlnumAt(s, i) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return true
}

// scan calls found(idx) for each word term present in s; stops when found returns true.
func (t *sxTermSet) scan(s string, buf []byte, found func(int) bool) []byte {
	if t.nwords == 0 {
		return buf
	}
	buf = buf[:0]
	flush := func() bool {
		if len(buf) > 0 {
			if idx, ok := t.words[string(buf)]; ok && found(idx) {
				return true
			}
			buf = buf[:0]
		}
		return false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') {
				buf = append(buf, c)
			} else if 'A' <= c && c <= 'Z' {
				buf = append(buf, c+32)
			} else if flush() {
				return buf
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		} else if flush() {
			return buf
		}
		i += w
	}
	flush()
	return buf
}

func (t *sxTermSet) any(s string, buf []byte) (bool, []byte) {
	hit := false
	buf = t.scan(s, buf, func(int) bool { hit = true; return true })
	if hit {
		return true, buf
	}
	for _, o := range t.others {
		if o.match(s) {
			return true, buf
		}
	}
	return false, buf
}

func (t *sxTermSet) all(s string, buf []byte, seen []bool) (bool, []byte) {
	for _, o := range t.others {
		if !o.match(s) {
			return false, buf
		}
	}
	if t.nwords == 0 {
		return true, buf
	}
	for i := range seen {
		seen[i] = false
	}
	cnt := 0
	buf = t.scan(s, buf, func(idx int) bool {
		if !seen[idx] {
			seen[idx] = true
			cnt++
		}
		return cnt == t.nwords
	})
	return cnt == t.nwords, buf
}

// sxFlattenStrings collects the string forms of the list arguments of row
// i, flattening dynamic arrays.
func sxFlattenStrings(args []Datum, i int) []string {
	var out []string
	for _, a := range args {
		v := sxValue(a.Array, a.Row(i), a.Kind)
		if arr, ok := v.([]any); ok && a.Kind == types.Dynamic {
			for _, e := range arr {
				if e != nil {
					out = append(out, sxToString(e, types.Dynamic))
				}
			}
			continue
		}
		if v != nil {
			out = append(out, sxToString(v, a.Kind))
		}
	}
	return out
}

func sxHasAnyAll(all bool) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		m, sc := sxRows(args, n)
		allConst := true
		for _, a := range args[1:] {
			if !a.Scalar {
				allConst = false
			}
		}
		var ts *sxTermSet
		if allConst {
			ts = newSxTermSet(sxFlattenStrings(args[1:], 0))
		}
		src := sxStrOf(args[0])
		vals := make([]bool, m)
		var buf []byte
		var seen []bool
		for i := 0; i < m; i++ {
			t := ts
			if t == nil {
				t = newSxTermSet(sxFlattenStrings(args[1:], i))
			}
			if len(seen) < t.nwords {
				seen = make([]bool, t.nwords)
			}
			if all {
				vals[i], buf = t.all(src.at(i), buf, seen[:t.nwords])
			} else {
				vals[i], buf = t.any(src.at(i), buf)
			}
		}
		return Datum{Array: sxBoolArr(sxMem(ctx), vals, nil), Scalar: sc, Kind: types.Bool}, nil
	}
}

// ---------------------------------------------------------------------------
// Registration

func init() {
	type arith struct {
		name string
		op   sxArithOp
	}
	for _, a := range []arith{{"__add", sxAdd}, {"__sub", sxSub}, {"__mul", sxMul}, {"__div", sxDiv}, {"__mod", sxMod}} {
		sxRegister(a.name+"_int", sxIntKernel(a.op, types.Int))
		sxRegister(a.name+"_long", sxIntKernel(a.op, types.Long))
		sxRegister(a.name+"_real", sxFloatKernel(a.op, types.Real))
		sxRegister(a.name+"_decimal", sxFloatKernel(a.op, types.Decimal))
	}
	sxRegister("__add_datetime_timespan", sxIntKernel(sxAdd, types.DateTime))
	sxRegister("__add_timespan_datetime", sxIntKernel(sxAdd, types.DateTime))
	sxRegister("__add_timespan_timespan", sxIntKernel(sxAdd, types.TimeSpan))
	sxRegister("__sub_datetime_datetime", sxIntKernel(sxSub, types.TimeSpan))
	sxRegister("__sub_datetime_timespan", sxIntKernel(sxSub, types.DateTime))
	sxRegister("__sub_timespan_timespan", sxIntKernel(sxSub, types.TimeSpan))
	sxRegister("__mul_timespan_number", sxTimespanScale(false, 0))
	sxRegister("__mul_number_timespan", sxTimespanScale(false, 1))
	sxRegister("__div_timespan_timespan", sxFloatKernel(sxDiv, types.Real))
	sxRegister("__div_timespan_number", sxTimespanScale(true, 0))
	sxRegister("__mod_timespan_timespan", sxIntKernel(sxMod, types.TimeSpan))
	for _, k := range []types.Kind{types.Int, types.Long, types.Real, types.Decimal, types.TimeSpan} {
		sxRegister("__neg_"+k.String(), sxUnary(true, k))
		sxRegister("__pos_"+k.String(), sxUnary(false, k))
	}

	cmps := map[string]sxCmp{"__eq": sxEq, "__neq": sxNe, "__lt": sxLt, "__le": sxLe, "__gt": sxGt, "__ge": sxGe}
	for name, c := range cmps {
		sxRegister(name+"_number", sxNumCompare(c))
		sxRegister(name+"_datetime", sxNumCompare(c))
		sxRegister(name+"_timespan", sxNumCompare(c))
		sxRegister(name+"_string", sxStrCompare(c, false))
		sxRegister(name+"_guid", sxStrCompare(c, true))
		sxRegister(name+"_bool", sxBoolCompare(c))
		if c == sxEq || c == sxNe {
			sxRegister(name+"_dynamic", sxDynCompare(c == sxNe))
		}
	}
	sxRegister("__eq_ci_string", sxStrCompare(sxEq, true))
	sxRegister("__neq_ci_string", sxStrCompare(sxNe, true))
	sxRegister("__and_bool", sxLogic(true))
	sxRegister("__or_bool", sxLogic(false))

	sxRegister("__in_any", sxIn(false, false))
	sxRegister("__notin_any", sxIn(true, false))
	sxRegister("__in_ci_any", sxIn(false, true))
	sxRegister("__notin_ci_any", sxIn(true, true))
	sxRegister("has_any_any", sxHasAnyAll(false))
	sxRegister("has_all_any", sxHasAnyAll(true))

	for _, name := range []string{"__between", "__notbetween"} {
		not := name == "__notbetween"
		sxRegister(name+"_number", sxBetween(not, false))
		sxRegister(name+"_datetime", sxBetween(not, false))
		sxRegister(name+"_datetime_timespan", sxBetween(not, true))
		sxRegister(name+"_timespan", sxBetween(not, false))
	}

	for _, name := range sxStringOperatorNames {
		id := strings.ReplaceAll(strings.ReplaceAll(name, "!", "not"), " ", "_") + "_string"
		sxRegister(id, sxStringOp(name))
	}
}

var sxStringOperatorNames = []string{
	"has", "!has", "has_cs", "!has_cs",
	"hasprefix", "!hasprefix", "hasprefix_cs", "!hasprefix_cs",
	"hassuffix", "!hassuffix", "hassuffix_cs", "!hassuffix_cs",
	"contains", "!contains", "contains_cs", "!contains_cs",
	"startswith", "!startswith", "startswith_cs", "!startswith_cs",
	"endswith", "!endswith", "endswith_cs", "!endswith_cs",
	"matches regex",
}
