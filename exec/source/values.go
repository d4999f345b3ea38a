package source

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Cell parsing shared by the text readers. Each parseX reports ok=false
// when the text is not a value of the kind; empty text is null and handled
// by the caller.

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

func parseLong(s string) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return v, err == nil
}

func parseInt(s string) (int32, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	return int32(v), err == nil
}

func parseReal(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	switch t {
	case "NaN", "nan":
		return math.NaN(), true
	case "Infinity", "+Infinity", "inf", "+inf":
		return math.Inf(1), true
	case "-Infinity", "-inf":
		return math.Inf(-1), true
	}
	if !isDecimalNumber(t) {
		return 0, false
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		// Out of range: ParseFloat returns ±Inf with ErrRange.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, true
		}
		return 0, false
	}
	return v, true
}

// isDecimalNumber reports whether s is [-+]digits[.digits][e[-+]digits]
// (no hex, underscores, or words).
func isDecimalNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		ed := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			ed++
		}
		if ed == 0 {
			return false
		}
	}
	return i == len(s)
}

func parseDateTime(s string) (int64, bool) {
	v, err := types.ParseDateTime(s)
	if err == nil {
		return v, true
	}
	// Log Analytics exports write "4/19/2021, 12:13:19.483 PM".
	if i := strings.IndexByte(s, ','); i > 0 && i < 11 && strings.Contains(s[:i], "/") {
		if v, err := types.ParseDateTime(s[:i] + s[i+1:]); err == nil {
			return v, true
		}
	}
	return 0, false
}

func parseTimeSpan(s string) (int64, bool) {
	v, err := types.ParseTimeSpan(s)
	return v, err == nil
}

func parseGuid(s string) (string, bool) {
	v, err := types.ParseGuid(s)
	return v, err == nil
}

// parseDynamic returns the canonical JSON text of a JSON value.
func parseDynamic(s string) (string, bool) {
	v, err := types.ParseDynamic(s)
	if err != nil {
		return "", false
	}
	return types.FormatDynamic(v), true
}

// cellBuilder appends text cells to an Arrow builder of a KQL kind.
type cellBuilder struct {
	kind types.Kind
	b    array.Builder
}

func newCellBuilder(mem memory.Allocator, k types.Kind) *cellBuilder {
	return &cellBuilder{kind: k, b: array.NewBuilder(mem, kernels.ArrowType(k))}
}

// appendText appends one cell; empty text is null (the empty string for
// string columns). It returns false (and appends null) when the text is not
// a value of the kind.
func (c *cellBuilder) appendText(s string) bool {
	if s == "" {
		if c.kind == types.String {
			c.b.(*array.StringBuilder).Append("")
		} else {
			c.b.AppendNull()
		}
		return true
	}
	ok := true
	switch c.kind {
	case types.String:
		c.b.(*array.StringBuilder).Append(s)
	case types.Bool:
		v, k := parseBool(s)
		if ok = k; ok {
			c.b.(*array.BooleanBuilder).Append(v)
		}
	case types.Int:
		v, k := parseInt(s)
		if ok = k; ok {
			c.b.(*array.Int32Builder).Append(v)
		}
	case types.Long:
		v, k := parseLong(s)
		if ok = k; ok {
			c.b.(*array.Int64Builder).Append(v)
		}
	case types.Real, types.Decimal:
		v, k := parseReal(s)
		if ok = k; ok {
			c.b.(*array.Float64Builder).Append(v)
		}
	case types.DateTime:
		v, k := parseDateTime(s)
		if ok = k; ok {
			c.b.(*array.TimestampBuilder).Append(arrow.Timestamp(v))
		}
	case types.TimeSpan:
		v, k := parseTimeSpan(s)
		if ok = k; ok {
			c.b.(*array.DurationBuilder).Append(arrow.Duration(v))
		}
	case types.Guid:
		v, k := parseGuid(s)
		if ok = k; ok {
			c.b.(*array.StringBuilder).Append(v)
		}
	case types.Dynamic:
		v, k := parseDynamic(s)
		if !k {
			// Text that is not JSON is a dynamic string, as todynamic() of
			// a non-JSON string would not be; keep it rather than lose it.
			v = string(types.AppendJSONString(nil, s))
		}
		c.b.(*array.StringBuilder).Append(v)
	default:
		c.b.(*array.StringBuilder).Append(s)
	}
	if !ok {
		c.b.AppendNull()
	}
	return ok
}

func (c *cellBuilder) appendNull() {
	if c.kind == types.String {
		c.b.(*array.StringBuilder).Append("")
		return
	}
	c.b.AppendNull()
}

// checkText reports whether s parses as kind k (empty is null: fine).
func checkText(k types.Kind, s string) bool {
	if s == "" {
		return true
	}
	var ok bool
	switch k {
	case types.Bool:
		_, ok = parseBool(s)
	case types.Int:
		_, ok = parseInt(s)
	case types.Long:
		_, ok = parseLong(s)
	case types.Real, types.Decimal:
		_, ok = parseReal(s)
	case types.DateTime:
		_, ok = parseDateTime(s)
	case types.TimeSpan:
		_, ok = parseTimeSpan(s)
	case types.Guid:
		_, ok = parseGuid(s)
	default: // string; dynamic keeps non-JSON text as a string
		ok = true
	}
	return ok
}

// textInfer tracks which kinds every non-empty cell of a CSV column fits.
type textInfer struct {
	seen                                  bool
	long, real, bool, datetime, dynamicOK bool
}

func newTextInfer() textInfer {
	return textInfer{long: true, real: true, bool: true, datetime: true, dynamicOK: true}
}

func (t *textInfer) add(s string) {
	if s == "" {
		return
	}
	t.seen = true
	if t.long {
		if !isPlainInteger(s) {
			t.long = false
		}
	}
	if t.real {
		// Plain decimal numbers only: "NaN" or "inf" alone would make a
		// text column numeric.
		if !isDecimalNumber(s) || hasLeadingZero(s) {
			t.real = false
		}
	}
	if t.bool {
		l := strings.ToLower(s)
		t.bool = l == "true" || l == "false"
	}
	if t.datetime {
		t.datetime = looksDateTime(s)
	}
	if t.dynamicOK {
		c := strings.TrimSpace(s)
		if c == "" || (c[0] != '{' && c[0] != '[') || !json.Valid([]byte(c)) {
			t.dynamicOK = false
		}
	}
}

func (t *textInfer) kind() (types.Kind, bool) {
	switch {
	case !t.seen:
		return types.String, true // weak: no evidence
	case t.long:
		return types.Long, false
	case t.real:
		return types.Real, false
	case t.bool:
		return types.Bool, false
	case t.datetime:
		return types.DateTime, false
	case t.dynamicOK:
		return types.Dynamic, false
	}
	return types.String, false
}

// isPlainInteger: an optional '-' and digits that fit int64, without a
// leading zero (so "007" and zip codes stay text).
func isPlainInteger(s string) bool {
	t := s
	if strings.HasPrefix(t, "-") {
		t = t[1:]
	}
	if t == "" || len(t) > 19 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	if len(t) > 1 && t[0] == '0' {
		return false
	}
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func hasLeadingZero(s string) bool {
	t := strings.TrimLeft(s, "-+")
	return len(t) > 1 && t[0] == '0' && t[1] != '.'
}
