package types

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Dynamic values in Go are nil | bool | int64 | float64 | string | []any | *Bag.

// Bag is a property bag (a JSON object) that keeps its keys in insertion
// order, as Kusto prints them. The zero value is an empty bag ready to use.
// A Bag is not safe for concurrent mutation.
type Bag struct {
	keys []string
	vals []any
	idx  map[string]int // built lazily once the bag has more than a few keys
}

// NewBag returns an empty bag with room for n keys.
func NewBag(n int) *Bag {
	return &Bag{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

// Len returns the number of keys.
func (b *Bag) Len() int {
	if b == nil {
		return 0
	}
	return len(b.keys)
}

// Keys returns the keys in insertion order. The caller must not modify the slice.
func (b *Bag) Keys() []string {
	if b == nil {
		return nil
	}
	return b.keys
}

// Values returns the values in key order. The caller must not modify the slice.
func (b *Bag) Values() []any {
	if b == nil {
		return nil
	}
	return b.vals
}

// At returns the i-th key and value in insertion order.
func (b *Bag) At(i int) (string, any) { return b.keys[i], b.vals[i] }

func (b *Bag) find(key string) int {
	if b == nil {
		return -1
	}
	if b.idx == nil {
		if len(b.keys) <= 8 {
			for i, k := range b.keys {
				if k == key {
					return i
				}
			}
			return -1
		}
		b.idx = make(map[string]int, len(b.keys))
		for i, k := range b.keys {
			b.idx[k] = i
		}
	}
	if i, ok := b.idx[key]; ok {
		return i
	}
	return -1
}

// Get returns the value of key and whether the key is present.
func (b *Bag) Get(key string) (any, bool) {
	if i := b.find(key); i >= 0 {
		return b.vals[i], true
	}
	return nil, false
}

// Set sets key to v; a new key goes last, an existing key keeps its place.
func (b *Bag) Set(key string, v any) {
	if i := b.find(key); i >= 0 {
		b.vals[i] = v
		return
	}
	b.keys = append(b.keys, key)
	b.vals = append(b.vals, v)
	if b.idx != nil {
		b.idx[key] = len(b.keys) - 1
	}
}

// Delete removes key, keeping the order of the others. It reports whether key was present.
func (b *Bag) Delete(key string) bool {
	i := b.find(key)
	if i < 0 {
		return false
	}
	b.keys = append(b.keys[:i], b.keys[i+1:]...)
	b.vals = append(b.vals[:i], b.vals[i+1:]...)
	b.idx = nil
	return true
}

// Clone returns a deep copy of the bag.
func (b *Bag) Clone() *Bag {
	if b == nil {
		return nil
	}
	out := NewBag(len(b.keys))
	for i, k := range b.keys {
		out.keys = append(out.keys, k)
		out.vals = append(out.vals, CloneDynamic(b.vals[i]))
	}
	return out
}

// MarshalJSON renders the bag as FormatDynamic does, so encoding/json keeps the key order.
func (b *Bag) MarshalJSON() ([]byte, error) {
	return AppendDynamic(nil, b), nil
}

// String renders the bag as compact JSON.
func (b *Bag) String() string { return FormatDynamic(b) }

// CloneDynamic returns a deep copy of a dynamic value.
func CloneDynamic(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = CloneDynamic(e)
		}
		return out
	case *Bag:
		return x.Clone()
	}
	return v
}

// ParseDynamic parses JSON text into a dynamic value. Integral numbers
// written without '.' or exponent that fit int64 become int64, other
// numbers float64; objects become *Bag with the keys in text order (a
// repeated key keeps its first position and its last value). Empty or
// all-space input yields (nil, nil): Kusto's todynamic("") is null.
func ParseDynamic(s string) (any, error) {
	return parseDyn(s, false)
}

// ParseDynamicLiteral parses the text inside a KQL dynamic(...) literal:
// JSON, plus single-quoted strings and keys, the literal null, and
// (as Kusto) trailing commas in arrays and objects.
func ParseDynamicLiteral(s string) (any, error) {
	return parseDyn(s, true)
}

func parseDyn(s string, lit bool) (any, error) {
	p := &jsonParser{s: s, lit: lit}
	p.ws()
	if p.i == len(s) {
		return nil, nil
	}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(s) {
		return nil, p.fail("unexpected text after the value")
	}
	return v, nil
}

type jsonParser struct {
	s   string
	i   int
	lit bool
}

const maxDynamicDepth = 1000

func (p *jsonParser) fail(msg string) error {
	return &ParseError{Kind: "dynamic", Input: p.s, Msg: msg + " at offset " + strconv.Itoa(p.i), Off: p.i}
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth > maxDynamicDepth {
		return nil, p.fail("nesting too deep")
	}
	if p.i >= len(p.s) {
		return nil, p.fail("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"' || (c == '\'' && p.lit):
		return p.str()
	case c == '-' || isDigit(c):
		return p.number()
	case isLetter(c):
		st := p.i
		for p.i < len(p.s) && isLetter(p.s[p.i]) {
			p.i++
		}
		switch w := p.s[st:p.i]; w {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		}
		p.i = st
		return nil, p.fail("unexpected word")
	}
	return nil, p.fail("unexpected character " + strconv.QuoteRune(rune(p.s[p.i])))
}

func (p *jsonParser) object(depth int) (any, error) {
	p.i++ // {
	b := &Bag{}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return b, nil
	}
	for {
		p.ws()
		if p.i >= len(p.s) {
			return nil, p.fail("unterminated object")
		}
		if p.lit && p.s[p.i] == '}' && len(b.keys) > 0 { // trailing comma
			p.i++
			return b, nil
		}
		c := p.s[p.i]
		if c != '"' && !(c == '\'' && p.lit) {
			return nil, p.fail("expected a quoted key")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.i++
		p.ws()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		b.Set(k.(string), v)
		p.ws()
		if p.i >= len(p.s) {
			return nil, p.fail("unterminated object")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return b, nil
		default:
			return nil, p.fail("expected ',' or '}'")
		}
	}
}

func (p *jsonParser) array(depth int) (any, error) {
	p.i++ // [
	out := []any{}
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return out, nil
	}
	for {
		p.ws()
		if p.lit && p.i < len(p.s) && p.s[p.i] == ']' && len(out) > 0 {
			p.i++
			return out, nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.ws()
		if p.i >= len(p.s) {
			return nil, p.fail("unterminated array")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return out, nil
		default:
			return nil, p.fail("expected ',' or ']'")
		}
	}
}

func (p *jsonParser) str() (any, error) {
	q := p.s[p.i]
	p.i++
	st := p.i
	// fast path: no escapes
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == q {
			s := p.s[st:p.i]
			p.i++
			return s, nil
		}
		if c == '\\' {
			break
		}
		p.i++
	}
	var b strings.Builder
	b.WriteString(p.s[st:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == q {
			p.i++
			return b.String(), nil
		}
		if c != '\\' {
			b.WriteByte(c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.s) {
			break
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/', '\'':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return nil, p.fail("bad \\u escape")
			}
			if utf16.IsSurrogate(r) {
				if p.i+1 < len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					r2, ok := p.hex4()
					if ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							b.WriteRune(d)
							continue
						}
					}
					p.i = save
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default:
			return nil, p.fail("bad escape")
		}
	}
	return nil, p.fail("unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	v, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

func (p *jsonParser) number() (any, error) {
	st := p.i
	if p.s[p.i] == '-' {
		p.i++
		if p.i+8 <= len(p.s) && p.s[p.i:p.i+8] == "Infinity" {
			p.i += 8
			return math.Inf(-1), nil
		}
	}
	digits := p.i
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		p.i++
	}
	if p.i == digits {
		return nil, p.fail("bad number")
	}
	integral := true
	if p.i < len(p.s) && p.s[p.i] == '.' {
		integral = false
		p.i++
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		integral = false
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		e := p.i
		for p.i < len(p.s) && isDigit(p.s[p.i]) {
			p.i++
		}
		if p.i == e {
			return nil, p.fail("bad number")
		}
	}
	text := p.s[st:p.i]
	if integral {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !isRangeErr(err) {
		return nil, p.fail("bad number")
	}
	return f, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// FormatDynamic renders a dynamic value as Kusto prints it: compact JSON,
// bag keys in insertion order, reals as FormatReal with ".0" added to
// integral values (4.0), NaN/Infinity/-Infinity as JSON strings, null as
// "null". A top-level string is printed quoted ("a"); tostring() of a
// dynamic string is the bare text instead (see FormatValue).
func FormatDynamic(v any) string {
	return string(AppendDynamic(nil, v))
}

// AppendDynamic appends the FormatDynamic form of v to dst.
func AppendDynamic(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		if x {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case int32:
		return strconv.AppendInt(dst, int64(x), 10)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case float64:
		return appendJSONReal(dst, x)
	case string:
		return AppendJSONString(dst, x)
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendDynamic(dst, e)
		}
		return append(dst, ']')
	case *Bag:
		if x == nil {
			return append(dst, "null"...)
		}
		dst = append(dst, '{')
		for i, k := range x.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONString(dst, k)
			dst = append(dst, ':')
			dst = AppendDynamic(dst, x.vals[i])
		}
		return append(dst, '}')
	case map[string]any: // tolerated for convenience: keys sorted
		b := &Bag{}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for _, k := range keys {
			b.Set(k, x[k])
		}
		return AppendDynamic(dst, b)
	}
	return AppendJSONString(dst, "<unsupported dynamic value>")
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
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
	st := len(dst)
	dst = AppendReal(dst, f)
	for _, c := range dst[st:] {
		if c == '.' || c == 'E' {
			return dst
		}
	}
	return append(dst, ".0"...)
}

// AppendJSONString appends s as a JSON string literal: '"' and '\' and
// control characters escaped, other characters (including non-ASCII) as is.
func AppendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	st := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[st:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		}
		st = i + 1
	}
	dst = append(dst, s[st:]...)
	return append(dst, '"')
}

// EqualDynamic reports whether two dynamic values are equal: same shape,
// arrays element-wise in order, bags with the same keys and equal values in
// any order, numbers compared numerically (1 equals 1.0), NaN equal to NaN.
func EqualDynamic(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64, float64, int32, int:
		fa, ia, aInt := dynNumber(a)
		fb, ib, bInt, ok := dynNumberOK(b)
		if !ok {
			return false
		}
		if aInt && bInt {
			return ia == ib
		}
		if math.IsNaN(fa) && math.IsNaN(fb) {
			return true
		}
		return fa == fb
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !EqualDynamic(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Bag:
		y, ok := b.(*Bag)
		if !ok || x.Len() != y.Len() {
			return false
		}
		if x == nil || y == nil {
			return x == nil && y == nil
		}
		for i, k := range x.keys {
			v, ok := y.Get(k)
			if !ok || !EqualDynamic(x.vals[i], v) {
				return false
			}
		}
		return true
	}
	return false
}

func dynNumber(v any) (float64, int64, bool) {
	f, i, isInt, _ := dynNumberOK(v)
	return f, i, isInt
}

func dynNumberOK(v any) (f float64, i int64, isInt, ok bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), x, true, true
	case int32:
		return float64(x), int64(x), true, true
	case int:
		return float64(x), int64(x), true, true
	case float64:
		return x, 0, false, true
	}
	return 0, 0, false, false
}

// DynamicTypeName returns the name gettype() reports for a dynamic value:
// "null", "bool", "long", "real", "string", "array", "dictionary".
func DynamicTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64, int32, int:
		return "long"
	case float64:
		return "real"
	case string:
		return "string"
	case []any:
		return "array"
	case *Bag:
		return "dictionary"
	}
	return "unknown"
}
