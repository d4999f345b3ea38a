package ops

// Helpers shared by the complex operators (join, lookup, mv-expand, parse,
// make-series, ...): typed row gathering, key encoding, record buffering.

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ValueEval is the part of expr.Evaluator the complex operators use.
type ValueEval interface {
	Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error)
}

// takeArray returns arr[idx[0]], arr[idx[1]], ...; a negative index gives null.
func takeArray(mem memory.Allocator, arr arrow.Array, idx []int32) arrow.Array {
	n := len(idx)
	switch a := arr.(type) {
	case *array.Int64:
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.Reserve(n)
		vals := a.Int64Values()
		for _, i := range idx {
			if i < 0 || a.IsNull(int(i)) {
				b.UnsafeAppendBoolToBitmap(false)
			} else {
				b.UnsafeAppend(vals[i])
			}
		}
		return b.NewArray()
	case *array.Int32:
		b := array.NewInt32Builder(mem)
		defer b.Release()
		b.Reserve(n)
		vals := a.Int32Values()
		for _, i := range idx {
			if i < 0 || a.IsNull(int(i)) {
				b.UnsafeAppendBoolToBitmap(false)
			} else {
				b.UnsafeAppend(vals[i])
			}
		}
		return b.NewArray()
	case *array.Float64:
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		b.Reserve(n)
		vals := a.Float64Values()
		for _, i := range idx {
			if i < 0 || a.IsNull(int(i)) {
				b.UnsafeAppendBoolToBitmap(false)
			} else {
				b.UnsafeAppend(vals[i])
			}
		}
		return b.NewArray()
	case *array.Timestamp:
		b := array.NewTimestampBuilder(mem, a.DataType().(*arrow.TimestampType))
		defer b.Release()
		b.Reserve(n)
		vals := a.TimestampValues()
		for _, i := range idx {
			if i < 0 || a.IsNull(int(i)) {
				b.UnsafeAppendBoolToBitmap(false)
			} else {
				b.UnsafeAppend(vals[i])
			}
		}
		return b.NewArray()
	case *array.Duration:
		b := array.NewDurationBuilder(mem, a.DataType().(*arrow.DurationType))
		defer b.Release()
		b.Reserve(n)
		vals := a.DurationValues()
		for _, i := range idx {
			if i < 0 || a.IsNull(int(i)) {
				b.UnsafeAppendBoolToBitmap(false)
			} else {
				b.UnsafeAppend(vals[i])
			}
		}
		return b.NewArray()
	case *array.Boolean:
		b := array.NewBooleanBuilder(mem)
		defer b.Release()
		b.Reserve(n)
		for _, i := range idx {
			if i < 0 || a.IsNull(int(i)) {
				b.UnsafeAppendBoolToBitmap(false)
			} else {
				b.UnsafeAppend(a.Value(int(i)))
			}
		}
		return b.NewArray()
	case *array.String:
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.Reserve(n)
		total := 0
		for _, i := range idx {
			if i >= 0 {
				total += a.ValueLen(int(i))
			}
		}
		b.ReserveData(total)
		for _, i := range idx {
			if i < 0 || a.IsNull(int(i)) {
				b.AppendNull()
			} else {
				b.Append(a.Value(int(i)))
			}
		}
		return b.NewArray()
	}
	b := array.NewBuilder(mem, arr.DataType())
	defer b.Release()
	for _, i := range idx {
		if i < 0 || arr.IsNull(int(i)) {
			b.AppendNull()
		} else if err := b.AppendValueFromString(arr.ValueStr(int(i))); err != nil {
			b.AppendNull()
		}
	}
	return b.NewArray()
}

// takeRecordCols gathers every column of rec (or nulls when rec is nil)
// into out, appending.
func takeRecordCols(mem memory.Allocator, schema *arrow.Schema, rec arrow.Record, idx []int32, out []arrow.Array) []arrow.Array {
	for c := 0; c < schema.NumFields(); c++ {
		if rec == nil {
			out = append(out, array.MakeArrayOfNull(mem, schema.Field(c).Type, len(idx)))
			continue
		}
		out = append(out, takeArray(mem, rec.Column(c), idx))
	}
	return out
}

// drainAll reads every record of op.
func drainAll(ctx context.Context, op Operator) ([]arrow.Record, int, error) {
	var recs []arrow.Record
	n := 0
	for {
		r, err := op.Next(ctx)
		if err != nil {
			releaseAll(recs)
			return nil, 0, err
		}
		if r == nil {
			return recs, n, nil
		}
		if r.NumRows() == 0 {
			r.Release()
			continue
		}
		n += int(r.NumRows())
		recs = append(recs, r)
	}
}

func releaseAll(recs []arrow.Record) {
	for _, r := range recs {
		if r != nil {
			r.Release()
		}
	}
}

// concatRecords concatenates recs (schema s) into one record.
func concatRecords(mem memory.Allocator, s *arrow.Schema, recs []arrow.Record) (arrow.Record, error) {
	if len(recs) == 1 {
		recs[0].Retain()
		return recs[0], nil
	}
	cols := make([]arrow.Array, s.NumFields())
	n := int64(0)
	for _, r := range recs {
		n += r.NumRows()
	}
	for c := range cols {
		if len(recs) == 0 {
			cols[c] = array.MakeArrayOfNull(mem, s.Field(c).Type, 0)
			continue
		}
		parts := make([]arrow.Array, len(recs))
		for i, r := range recs {
			parts[i] = r.Column(c)
		}
		a, err := array.Concatenate(parts, mem)
		if err != nil {
			for _, x := range cols[:c] {
				x.Release()
			}
			return nil, err
		}
		cols[c] = a
	}
	rec := array.NewRecord(s, cols, n)
	for _, a := range cols {
		a.Release()
	}
	return rec, nil
}

// newRecord builds a record and releases the given arrays (the record keeps
// its own references).
func newRecord(s *arrow.Schema, cols []arrow.Array, n int) arrow.Record {
	rec := array.NewRecord(s, cols, int64(n))
	for _, a := range cols {
		a.Release()
	}
	return rec
}

// ---------------------------------------------------------------------------
// Key encoding: typed, no boxing. Ints of any width and timestamps/durations
// encode as 8 bytes; when one side of a comparison is real, ints encode as
// float64 so that 1 and 1.0 meet.

type keyCol struct {
	arr     arrow.Array
	asFloat bool
}

// encodeKey appends the key of row i to buf.
func encodeKey(buf []byte, cols []keyCol, i int) []byte {
	for _, kc := range cols {
		if kc.arr.IsNull(i) {
			buf = append(buf, 0)
			continue
		}
		switch a := kc.arr.(type) {
		case *array.String:
			s := a.Value(i)
			buf = append(buf, 1)
			buf = binary.AppendUvarint(buf, uint64(len(s)))
			buf = append(buf, s...)
		case *array.Int64:
			buf = appendNum(buf, a.Value(i), kc.asFloat)
		case *array.Int32:
			buf = appendNum(buf, int64(a.Value(i)), kc.asFloat)
		case *array.Timestamp:
			buf = appendNum(buf, int64(a.Value(i)), false)
		case *array.Duration:
			buf = appendNum(buf, int64(a.Value(i)), false)
		case *array.Float64:
			buf = appendFloat(buf, a.Value(i))
		case *array.Boolean:
			if a.Value(i) {
				buf = append(buf, 2, 1)
			} else {
				buf = append(buf, 2, 0)
			}
		default:
			s := kc.arr.ValueStr(i)
			buf = append(buf, 1)
			buf = binary.AppendUvarint(buf, uint64(len(s)))
			buf = append(buf, s...)
		}
	}
	return buf
}

func appendNum(buf []byte, v int64, asFloat bool) []byte {
	if asFloat {
		return appendFloat(buf, float64(v))
	}
	buf = append(buf, 3)
	return binary.LittleEndian.AppendUint64(buf, uint64(v))
}

func appendFloat(buf []byte, f float64) []byte {
	if f == 0 {
		f = 0 // -0 == 0
	}
	buf = append(buf, 4)
	return binary.LittleEndian.AppendUint64(buf, math.Float64bits(f))
}

// keyKindsFloat decides, per key pair, whether ints must encode as floats.
func keyKindsFloat(l, r []arrow.DataType) []bool {
	out := make([]bool, len(l))
	for i := range l {
		lf := l[i].ID() == arrow.FLOAT64 || l[i].ID() == arrow.FLOAT32
		rf := r[i].ID() == arrow.FLOAT64 || r[i].ID() == arrow.FLOAT32
		out[i] = lf || rf
	}
	return out
}

// ---------------------------------------------------------------------------
// Value appending from Go values (used by operators producing typed values
// from text: parse, parse-kv, bag_unpack, mv-expand `to typeof`).

// appendText appends text converted to kind k to builder b (kind-specific
// builders created by kernels.ArrowType). Unconvertible text gives null.
func appendText(b array.Builder, k types.Kind, s string) {
	switch k {
	case types.String, types.Guid, types.Dynamic, types.Unknown:
		b.(*array.StringBuilder).Append(s)
		return
	}
	v, ok := convertText(k, s)
	if !ok {
		b.AppendNull()
		return
	}
	appendValue(b, v)
}

// convertText converts text to a Go value of kind k: int32, int64, float64,
// bool, int64 nanoseconds (datetime, timespan).
func convertText(k types.Kind, s string) (any, bool) {
	switch k {
	case types.Int:
		v, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			f, err2 := strconv.ParseFloat(s, 64)
			if err2 != nil || f != math.Trunc(f) {
				return nil, false
			}
			return int32(f), true
		}
		return int32(v), true
	case types.Long:
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f, err2 := strconv.ParseFloat(s, 64)
			if err2 != nil || f != math.Trunc(f) {
				return nil, false
			}
			return int64(f), true
		}
		return v, true
	case types.Real, types.Decimal:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, false
		}
		return f, true
	case types.Bool:
		switch s {
		case "true", "True", "TRUE", "1":
			return true, true
		case "false", "False", "FALSE", "0":
			return false, true
		}
		return nil, false
	case types.DateTime:
		t, ok := parseDateTimeText(s)
		if !ok {
			return nil, false
		}
		return dtVal(t), true
	case types.TimeSpan:
		d, ok := parseTimespanText(s)
		if !ok {
			return nil, false
		}
		return tsVal(d), true
	}
	return s, true
}

type dtVal int64
type tsVal int64

// appendValue appends a Go value to the builder; nil appends null.
func appendValue(b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		if x, ok := toInt64(v); ok {
			b.Append(x)
			return
		}
	case *array.Int32Builder:
		if x, ok := toInt64(v); ok {
			b.Append(int32(x))
			return
		}
	case *array.Float64Builder:
		switch x := v.(type) {
		case float64:
			b.Append(x)
			return
		case int64:
			b.Append(float64(x))
			return
		case int32:
			b.Append(float64(x))
			return
		}
	case *array.BooleanBuilder:
		if x, ok := v.(bool); ok {
			b.Append(x)
			return
		}
	case *array.TimestampBuilder:
		switch x := v.(type) {
		case dtVal:
			b.Append(arrow.Timestamp(x))
			return
		case int64:
			b.Append(arrow.Timestamp(x))
			return
		}
	case *array.DurationBuilder:
		switch x := v.(type) {
		case tsVal:
			b.Append(arrow.Duration(x))
			return
		case int64:
			b.Append(arrow.Duration(x))
			return
		}
	case *array.StringBuilder:
		switch x := v.(type) {
		case string:
			b.Append(x)
		default:
			b.Append(fmt.Sprint(x))
		}
		return
	}
	b.AppendNull()
}

func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case float64:
		return int64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// fieldKind is the KQL kind of field i of s.
func fieldKind(s *arrow.Schema, i int) types.Kind { return kernels.KindOf(s.Field(i)) }

// uniqueName returns name, or name1, name2, ... the first not in used.
func uniqueName(name string, used map[string]bool) string {
	if !used[name] {
		return name
	}
	for i := 1; ; i++ {
		n := name + strconv.Itoa(i)
		if !used[n] {
			return n
		}
	}
}

func renamed(f arrow.Field, name string) arrow.Field {
	f.Name = name
	return f
}

// datumArray returns a full-length array for d over n rows (expanding
// scalars); the caller releases it.
func datumArray(mem memory.Allocator, d kernels.Datum, n int) arrow.Array {
	if !d.Scalar {
		d.Array.Retain()
		return d.Array
	}
	idx := make([]int32, n)
	return takeArray(mem, d.Array, idx)
}

// parseDateTimeText parses datetime text as Kusto does, to Unix nanoseconds UTC.
func parseDateTimeText(s string) (int64, bool) {
	v, err := types.ParseDateTime(s)
	return v, err == nil
}

// parseTimespanText parses timespan text as Kusto does, to nanoseconds.
func parseTimespanText(s string) (int64, bool) {
	v, err := types.ParseTimeSpan(s)
	return v, err == nil
}
