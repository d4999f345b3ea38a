package output

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Style selects how AppendCell renders datetimes, timespans and dynamics.
type Style uint8

const (
	// ToString is Kusto's tostring(): datetimes with 7 fraction digits,
	// timespans in .NET "c" form, a dynamic string as its bare text.
	ToString Style = iota
	// Golden is the typed-CSV form of conformance/*.csv: fraction trailing
	// zeros dropped, dynamics always as compact JSON ("a" quoted).
	Golden
)

// CellText returns the text of row i of a, a column of kind k ("" for null).
func CellText(a arrow.Array, k types.Kind, i int) string {
	return string(AppendCell(nil, a, k, i, ToString))
}

// AppendCell appends the text of row i of a (a column of kind k) to dst;
// null appends nothing.
func AppendCell(dst []byte, a arrow.Array, k types.Kind, i int, st Style) []byte {
	if a.IsNull(i) {
		return dst
	}
	switch arr := a.(type) {
	case *array.Boolean:
		if arr.Value(i) {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case *array.Int8:
		return strconv.AppendInt(dst, int64(arr.Value(i)), 10)
	case *array.Int16:
		return strconv.AppendInt(dst, int64(arr.Value(i)), 10)
	case *array.Int32:
		return strconv.AppendInt(dst, int64(arr.Value(i)), 10)
	case *array.Int64:
		return strconv.AppendInt(dst, arr.Value(i), 10)
	case *array.Uint8:
		return strconv.AppendUint(dst, uint64(arr.Value(i)), 10)
	case *array.Uint16:
		return strconv.AppendUint(dst, uint64(arr.Value(i)), 10)
	case *array.Uint32:
		return strconv.AppendUint(dst, uint64(arr.Value(i)), 10)
	case *array.Uint64:
		return strconv.AppendUint(dst, arr.Value(i), 10)
	case *array.Float32:
		return types.AppendReal(dst, float64(arr.Value(i)))
	case *array.Float64:
		return types.AppendReal(dst, arr.Value(i))
	case *array.Timestamp:
		return types.AppendDateTime(dst, timestampNanos(arr, i), st == Golden)
	case *array.Duration:
		return types.AppendTimeSpan(dst, durationNanos(arr, i), st == Golden)
	case *array.String:
		s := arr.Value(i)
		if k == types.Dynamic && st == ToString && len(s) > 0 && s[0] == '"' {
			var u string
			if json.Unmarshal([]byte(s), &u) == nil {
				return append(dst, u...)
			}
		}
		return append(dst, s...)
	case *array.LargeString:
		return append(dst, arr.Value(i)...)
	case *array.Dictionary:
		return AppendCell(dst, arr.Dictionary(), k, arr.GetValueIndex(i), st)
	}
	return append(dst, a.ValueStr(i)...)
}

// AppendJSONValue appends row i of a (a column of kind k) as a Kusto v1
// JSON value: bools and numbers as JSON (NaN and ±Infinity as strings),
// strings and guids as strings, datetimes as ISO 8601 UTC strings (up to 7
// fraction digits), timespans as Kusto text, dynamics as the JSON value,
// null as null.
func AppendJSONValue(dst []byte, a arrow.Array, k types.Kind, i int) []byte {
	if a.IsNull(i) {
		return append(dst, "null"...)
	}
	switch arr := a.(type) {
	case *array.Boolean, *array.Int8, *array.Int16, *array.Int32, *array.Int64,
		*array.Uint8, *array.Uint16, *array.Uint32, *array.Uint64:
		return AppendCell(dst, a, k, i, ToString)
	case *array.Float32:
		return appendJSONReal(dst, float64(arr.Value(i)))
	case *array.Float64:
		return appendJSONReal(dst, arr.Value(i))
	case *array.Timestamp:
		dst = append(dst, '"')
		dst = types.AppendDateTime(dst, timestampNanos(arr, i), true)
		return append(dst, '"')
	case *array.Duration:
		dst = append(dst, '"')
		dst = types.AppendTimeSpan(dst, durationNanos(arr, i), false)
		return append(dst, '"')
	case *array.String:
		return appendJSONText(dst, k, arr.Value(i))
	case *array.LargeString:
		return appendJSONText(dst, k, arr.Value(i))
	case *array.Dictionary:
		return AppendJSONValue(dst, arr.Dictionary(), k, arr.GetValueIndex(i))
	}
	if b, err := json.Marshal(a.GetOneForMarshal(i)); err == nil {
		return append(dst, b...)
	}
	return types.AppendJSONString(dst, a.ValueStr(i))
}

func appendJSONText(dst []byte, k types.Kind, s string) []byte {
	if k == types.Dynamic {
		if s == "" {
			return append(dst, "null"...)
		}
		if json.Valid([]byte(s)) {
			return append(dst, s...)
		}
	}
	return types.AppendJSONString(dst, s)
}

func appendJSONReal(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	}
	return types.AppendReal(dst, f)
}

func timestampNanos(a *array.Timestamp, i int) int64 {
	v := int64(a.Value(i))
	switch a.DataType().(*arrow.TimestampType).Unit {
	case arrow.Second:
		return v * 1e9
	case arrow.Millisecond:
		return v * 1e6
	case arrow.Microsecond:
		return v * 1e3
	}
	return v
}

func durationNanos(a *array.Duration, i int) int64 {
	v := int64(a.Value(i))
	switch a.DataType().(*arrow.DurationType).Unit {
	case arrow.Second:
		return v * 1e9
	case arrow.Millisecond:
		return v * 1e6
	case arrow.Microsecond:
		return v * 1e3
	}
	return v
}

// dotNetType is the Kusto v1 DataType of a KQL kind.
func dotNetType(k types.Kind) string {
	switch k {
	case types.Bool:
		return "Boolean"
	case types.Int:
		return "Int32"
	case types.Long:
		return "Int64"
	case types.Real:
		return "Double"
	case types.Decimal:
		return "Decimal"
	case types.DateTime:
		return "DateTime"
	case types.TimeSpan:
		return "TimeSpan"
	case types.Guid:
		return "Guid"
	case types.Dynamic:
		return "Object"
	}
	return "String"
}
