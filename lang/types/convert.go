package types

import (
	"math"
	"strconv"
	"strings"
)

// Conversions between kinds, with the semantics of Kusto's to*() functions
// (toint, tolong, toreal, tobool, todatetime, totimespan, toguid, tostring,
// todynamic). Each takes the source kind and a Go value of that kind (see
// values.go) and returns ok=false when the result is null (null input or a
// failed conversion). They are the slow, boxed paths; kernels use them for
// rare kinds and dynamic values.

// TicksAtUnixEpoch is 1970-01-01 in Kusto ticks (100 ns since 0001-01-01).
const TicksAtUnixEpoch = 621355968000000000

// ParseLong parses a decimal integer ("  -12 "); a decimal or exponent
// number ("12.7", "1e3") is truncated toward zero when it fits.
func ParseLong(s string) (int64, bool) {
	t := strings.TrimSpace(s)
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		return n, true
	}
	if f, ok := ParseReal(t); ok {
		return RealToLong(f)
	}
	return 0, false
}

// ParseReal parses a decimal number, "NaN", "Infinity", "-Infinity" (also
// "inf"). Hexadecimal and underscores are rejected.
func ParseReal(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, false
	}
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case 'x', 'X', '_', 'p', 'P':
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return f, true
}

// ParseBool parses "true" / "false" in any letter case, and "1" / "0".
func ParseBool(s string) (bool, bool) {
	t := strings.TrimSpace(s)
	switch {
	case strings.EqualFold(t, "true") || t == "1":
		return true, true
	case strings.EqualFold(t, "false") || t == "0":
		return false, true
	}
	return false, false
}

// RealToLong truncates f toward zero; NaN, ±Inf and out-of-range values fail.
func RealToLong(f float64) (int64, bool) {
	if math.IsNaN(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return 0, false
	}
	return int64(f), true
}

// ToLong converts a value of kind k to long (tolong): bools are 1/0, reals
// truncate, strings parse, datetimes are Kusto ticks since 0001-01-01 and
// timespans ticks.
func ToLong(k Kind, v any) (int64, bool) {
	switch x := v.(type) {
	case nil:
		return 0, false
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int32:
		return int64(x), true
	case int:
		return int64(x), true
	case int64:
		switch k {
		case DateTime:
			return floorTicks(x) + TicksAtUnixEpoch, true
		case TimeSpan:
			return x / 100, true
		}
		return x, true
	case float64:
		return RealToLong(x)
	case string:
		if k == Guid {
			return 0, false
		}
		return ParseLong(x)
	}
	return 0, false
}

func floorTicks(ns int64) int64 {
	q, _ := FloorDiv(ns, 100)
	return q
}

// ToInt converts to int (toint): as ToLong, null when out of int32 range.
func ToInt(k Kind, v any) (int32, bool) {
	n, ok := ToLong(k, v)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int32(n), true
}

// ToReal converts to real (toreal / todouble / todecimal).
func ToReal(k Kind, v any) (float64, bool) {
	switch x := v.(type) {
	case nil:
		return 0, false
	case float64:
		return x, true
	case string:
		if k == Guid {
			return 0, false
		}
		return ParseReal(x)
	}
	n, ok := ToLong(k, v)
	return float64(n), ok
}

// ToBool converts to bool (tobool): numbers are true when not zero,
// strings "true"/"false" (any case) and "1"/"0".
func ToBool(k Kind, v any) (bool, bool) {
	switch x := v.(type) {
	case nil:
		return false, false
	case bool:
		return x, true
	case int32:
		return x != 0, true
	case int64:
		if k == DateTime || k == TimeSpan {
			return false, false
		}
		return x != 0, true
	case int:
		return x != 0, true
	case float64:
		if math.IsNaN(x) {
			return false, false
		}
		return x != 0, true
	case string:
		if k == Guid {
			return false, false
		}
		return ParseBool(x)
	}
	return false, false
}

// ToDateTime converts to datetime (todatetime): strings parse with
// ParseDateTime; other kinds than datetime, string and dynamic strings fail.
func ToDateTime(k Kind, v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		if k == DateTime {
			return x, true
		}
	case string:
		if k == String || k == Dynamic || k == Unknown {
			ns, err := ParseDateTime(x)
			return ns, err == nil
		}
	}
	return 0, false
}

// ToTimeSpan converts to timespan (totimespan): strings parse with
// ParseTimeSpan; integral numbers are ticks.
func ToTimeSpan(k Kind, v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		switch k {
		case TimeSpan:
			return x, true
		case DateTime:
			return 0, false
		}
		if x > math.MaxInt64/100 || x < math.MinInt64/100 {
			return 0, false
		}
		return x * 100, true
	case int32:
		return int64(x) * 100, true
	case float64:
		if math.IsNaN(x) || math.Abs(x*100) >= 9.2e18 {
			return 0, false
		}
		return int64(x * 100), true
	case string:
		if k == String || k == Dynamic || k == Unknown {
			ns, err := ParseTimeSpan(x)
			return ns, err == nil
		}
	}
	return 0, false
}

// ToGuid converts to guid (toguid): strings parse with ParseGuid.
func ToGuid(k Kind, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		return "", false
	}
	if k == Guid {
		return s, true
	}
	g, err := ParseGuid(s)
	return g, err == nil
}

// ToDynamic converts to dynamic (todynamic / parse_json on non-strings):
// a string is parsed as JSON (text that is not valid JSON stays a string);
// int becomes long; datetime, timespan and guid become their tostring() text.
func ToDynamic(k Kind, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case int64:
		switch k {
		case DateTime:
			return FormatDateTime(x)
		case TimeSpan:
			return FormatTimeSpan(x)
		}
		return x
	case string:
		switch k {
		case String, Unknown:
			d, err := ParseDynamic(x)
			if err != nil {
				return x
			}
			return d
		}
		return x
	}
	return v
}

// DynamicToKind converts a dynamic value to a Go value of kind k, as Kusto
// does when a dynamic value is used where a k is expected. nil on failure.
func DynamicToKind(k Kind, v any) any {
	if v == nil {
		return nil
	}
	var r any
	ok := false
	switch k {
	case Bool:
		r, ok = ToBool(Dynamic, v)
	case Int:
		r, ok = ToInt(Dynamic, v)
	case Long:
		r, ok = ToLong(Dynamic, v)
	case Real, Decimal:
		r, ok = ToReal(Dynamic, v)
	case String:
		return FormatValue(Dynamic, v)
	case DateTime:
		r, ok = ToDateTime(Dynamic, v)
	case TimeSpan:
		r, ok = ToTimeSpan(Dynamic, v)
	case Guid:
		r, ok = ToGuid(Dynamic, v)
	case Dynamic, Unknown:
		return v
	}
	if !ok {
		return nil
	}
	return r
}

// Convert converts a Go value of kind from to kind to, as the to*()
// function for `to` does. The result is nil when null.
func Convert(from, to Kind, v any) any {
	if v == nil {
		return nil
	}
	if from == Dynamic {
		return DynamicToKind(to, v)
	}
	var r any
	ok := false
	switch to {
	case Bool:
		r, ok = ToBool(from, v)
	case Int:
		r, ok = ToInt(from, v)
	case Long:
		r, ok = ToLong(from, v)
	case Real, Decimal:
		r, ok = ToReal(from, v)
	case String:
		return FormatValue(from, v)
	case DateTime:
		r, ok = ToDateTime(from, v)
	case TimeSpan:
		r, ok = ToTimeSpan(from, v)
	case Guid:
		r, ok = ToGuid(from, v)
	case Dynamic:
		return ToDynamic(from, v)
	default:
		return v
	}
	if !ok {
		return nil
	}
	return r
}
