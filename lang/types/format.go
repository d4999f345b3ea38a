package types

import (
	"math"
	"strconv"
)

// FormatReal formats a real as Kusto's tostring() and strcat() do (.NET's
// shortest round-trip double format): 1, 0.1, 2.5, 0.0001, 1E-05,
// 123456789012345, 1E+15, 1.2345678901234568E+17, NaN, Infinity, -Infinity.
// Fixed notation is used when the decimal exponent is between -5 and 14.
func FormatReal(f float64) string {
	var buf [32]byte
	return string(AppendReal(buf[:0], f))
}

// AppendReal appends the FormatReal form of f to dst.
func AppendReal(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		return append(dst, '0')
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // -d.dddde±XX
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	// split mantissa digits and exponent
	var digits [24]byte
	nd := 0
	i := 0
	for ; i < len(e) && e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits[nd] = e[i]
			nd++
		}
	}
	exp, _ := strconv.Atoi(string(e[i+1:]))
	if neg {
		dst = append(dst, '-')
	}
	pos := exp + 1 // digits before the decimal point
	if pos > 15 || pos < -3 {
		dst = append(dst, digits[0])
		if nd > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:nd]...)
		}
		dst = append(dst, 'E')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	if pos <= 0 {
		dst = append(dst, '0', '.')
		for ; pos < 0; pos++ {
			dst = append(dst, '0')
		}
		return append(dst, digits[:nd]...)
	}
	if nd <= pos {
		dst = append(dst, digits[:nd]...)
		for k := nd; k < pos; k++ {
			dst = append(dst, '0')
		}
		return dst
	}
	dst = append(dst, digits[:pos]...)
	dst = append(dst, '.')
	return append(dst, digits[pos:nd]...)
}

// FormatValue returns Kusto's tostring() of a scalar value of kind k (Go
// representation as documented in values.go): null → "", bool →
// "true"/"false", numbers in decimal (reals per FormatReal), datetime per
// FormatDateTime, timespan per FormatTimeSpan, guid as stored, dynamic as
// compact JSON except that a dynamic string is its bare text.
func FormatValue(k Kind, v any) string {
	if v == nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if k == Dynamic || k == Bool || k == Unknown {
			if x {
				return "true"
			}
			return "false"
		}
	}
	return string(AppendValue(nil, k, v))
}

// AppendValue appends FormatValue(k, v) to dst.
func AppendValue(dst []byte, k Kind, v any) []byte {
	if v == nil {
		return dst
	}
	switch k {
	case DateTime:
		if n, ok := asInt64(v); ok {
			return AppendDateTime(dst, n, false)
		}
	case TimeSpan:
		if n, ok := asInt64(v); ok {
			return AppendTimeSpan(dst, n, false)
		}
	case Dynamic:
		if s, ok := v.(string); ok {
			return append(dst, s...)
		}
		return AppendDynamic(dst, v)
	}
	switch x := v.(type) {
	case bool:
		if x {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case int32:
		return strconv.AppendInt(dst, int64(x), 10)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case float64:
		return AppendReal(dst, x)
	case string:
		return append(dst, x...)
	case []any, *Bag:
		return AppendDynamic(dst, x)
	}
	return dst
}

func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case int:
		return int64(x), true
	}
	return 0, false
}
