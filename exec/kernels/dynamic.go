package kernels

// Kernels of the dynamic and property-bag family, and the member/index
// access kernels the compiler routes `x.name`, `x[i]`, `x['k']` through:
//
//	__member        (dynamic, const string)            x.name
//	__index_long    (dynamic, long)                    x[i] (negative i counts from the end)
//	__index_string  (dynamic, string)                  x['key']
//	__path          (dynamic, const string|long, ...)  a fused chain x.a[0].b
//
// Calls the compiler must shape (the checker cannot express them as plain
// overloads):
//
//	pack_all([flag])        kernel args: flag (bool, false when omitted), then a
//	                        (name: const string, value) pair per input column
//	bag_pack_columns(c...)  kernel args: a (name: const string, value) pair per column
//	array_sort_asc/desc(a1, a2, ..., [nulls_last])
//	                        one array: the sorted array; several: an array of the
//	                        sorted arrays (print/extend may expand it into the
//	                        columns a1_sorted, a2_sorted, ...)
//	extract_json(path, json, typeof(T))
//	                        the result kind is args[2].Kind (the checker types
//	                        typeof(T) as T); string when absent
//
// Dynamic values are JSON text in Arrow String columns; a null dynamic is an
// Arrow null (the text "null" is accepted on input too). Access kernels
// scan the raw text (skipping what they do not need) and never decode
// whole documents.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterScalar("__member", kMember)
	RegisterScalar("__index_long", kIndex)
	RegisterScalar("__index_string", kIndex)
	RegisterScalar("__path", kPath)
	RegisterScalar("parse_json", kParseJSON)
	RegisterScalar("bag_pack", kBagPack)
	RegisterScalar("bag_pack_columns", kBagPack)
	RegisterScalar("pack_all", kPackAll)
	RegisterScalar("pack_array", kPackArray)
	RegisterScalar("bag_keys", kBagKeys)
	RegisterScalar("bag_merge", kBagMerge)
	RegisterScalar("bag_remove_keys", kBagRemoveKeys)
	RegisterScalar("bag_set_key", kBagSetKey)
	RegisterScalar("bag_has_key", kBagHasKey)
	RegisterScalar("bag_zip", kBagZip)
	RegisterScalar("dynamic_to_json", kDynamicToJSON)
	RegisterScalar("treepath", kTreePath)
	RegisterScalar("extract_json", kExtractJSON)
}

// ---------------------------------------------------------------------------
// Member and index access on raw JSON text.

// dxStep is one access step: a property name or an array index.
type dxStep struct {
	key   string
	index int64
	isIdx bool
}

// dxGet applies one step to the JSON value text r (leading whitespace
// allowed). A missing property, an index out of range or a step on a value
// of the wrong shape yields "" (no value).
func dxGet(r string, s dxStep) string {
	i := JSONSkipSpace(r, 0)
	if i >= len(r) {
		return ""
	}
	switch r[i] {
	case '{':
		if s.isIdx {
			return ""
		}
		return dxObjGet(r, i, s.key)
	case '[':
		if !s.isIdx {
			return ""
		}
		idx := s.index
		if idx < 0 {
			idx += int64(dxArrLen(r, i))
			if idx < 0 {
				return ""
			}
		}
		return dxArrGet(r, i, idx)
	}
	return ""
}

// JSONSkipSpace returns the index of the first byte at or after i of s that
// is not JSON white space.
func JSONSkipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// JSONStringEnd returns the index after the JSON string whose opening quote
// is at s[i], or -1 when it is unterminated. The closing quote is found
// with IndexByte (vectorised); a quote preceded by an odd run of
// backslashes is escaped (as a left-to-right scan skipping the byte after
// each backslash decides).
func JSONStringEnd(s string, i int) int {
	i++
	for {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return -1
		}
		q := i + j
		bs := 0
		for k := q - 1; k >= i && s[k] == '\\'; k-- {
			bs++
		}
		if bs%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}

// dxSkipString returns the index after the string starting at s[i] == '"'
// (len(s) when unterminated).
func dxSkipString(s string, i int) int {
	if e := JSONStringEnd(s, i); e >= 0 {
		return e
	}
	return len(s)
}

// dxSkipValue returns the index after the JSON value starting at s[i].
func dxSkipValue(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '"':
		return dxSkipString(s, i)
	case '{', '[':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"':
				i = dxSkipString(s, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(s) {
		switch s[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// dxObjGet finds key in the object starting at s[i] == '{'.
func dxObjGet(s string, i int, key string) string {
	i++
	for {
		i = JSONSkipSpace(s, i)
		if i >= len(s) || s[i] != '"' {
			return ""
		}
		ke := dxSkipString(s, i)
		k := s[i+1 : max(i+1, ke-1)]
		match := k == key
		if !match && len(k) > len(key) && strings.IndexByte(k, '\\') >= 0 {
			// an escaped key: compare its decoded text
			if v, err := dxParse(s[i:ke]); err == nil {
				ks, _ := v.(string)
				match = ks == key
			}
		}
		i = JSONSkipSpace(s, ke)
		if i >= len(s) || s[i] != ':' {
			return ""
		}
		i = JSONSkipSpace(s, i+1)
		ve := dxSkipValue(s, i)
		if match {
			return s[i:ve]
		}
		i = JSONSkipSpace(s, ve)
		if i >= len(s) || s[i] != ',' {
			return ""
		}
		i++
	}
}

// dxArrGet returns element idx of the array starting at s[i] == '['.
func dxArrGet(s string, i int, idx int64) string {
	i = JSONSkipSpace(s, i+1)
	if i < len(s) && s[i] == ']' {
		return ""
	}
	for n := int64(0); i < len(s); n++ {
		ve := dxSkipValue(s, i)
		if n == idx {
			return s[i:ve]
		}
		i = JSONSkipSpace(s, ve)
		if i >= len(s) || s[i] != ',' {
			return ""
		}
		i = JSONSkipSpace(s, i+1)
	}
	return ""
}

// dxArrLen counts the elements of the array starting at s[i] == '['.
func dxArrLen(s string, i int) int {
	i = JSONSkipSpace(s, i+1)
	if i >= len(s) || s[i] == ']' {
		return 0
	}
	n := 0
	for i < len(s) {
		n++
		i = JSONSkipSpace(s, dxSkipValue(s, i))
		if i >= len(s) || s[i] != ',' {
			break
		}
		i = JSONSkipSpace(s, i+1)
	}
	return n
}

// dxTrim trims JSON whitespace around a value's text.
func dxTrim(s string) string {
	return strings.TrimRight(s[JSONSkipSpace(s, 0):], " \t\n\r")
}

// appendResult appends the JSON value text r as canonical dynamic text
// (null for no value or JSON null), copying it when already canonical.
func (o *dxOut) appendResult(r string) {
	r = dxTrim(r)
	if r == "" || r == "null" {
		o.null()
		return
	}
	switch r[0] {
	case 't', 'f':
		o.rawDyn(r)
		return
	case '"', '{', '[':
		if dxCanonical(r) {
			o.rawDyn(r)
			return
		}
	default:
		if dxCanonicalInt(r) {
			o.rawDyn(r)
			return
		}
	}
	if v, err := dxParse(r); err == nil {
		o.dyn(v)
	} else {
		o.null()
	}
}

// dxCanonicalInt reports whether s is an integer literal that fits int64
// (the form Kusto prints back unchanged).
func dxCanonicalInt(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	i := 0
	if s[0] == '-' {
		i = 1
	}
	if i == len(s) || (s[i] == '0' && len(s) > i+1) {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	if len(s) >= 19 {
		_, err := strconv.ParseInt(s, 10, 64)
		return err == nil
	}
	return true
}

// dxCanonical reports whether the JSON text of a string, object or array
// is already in the compact canonical form (no whitespace between tokens,
// only the escapes AppendJSONString writes, integral numbers only), so it
// can be copied as is.
func dxCanonical(s string) bool {
	in := false
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if in {
			switch c {
			case '"':
				in = false
			case '\\':
				// escapes AppendJSONString writes the same way
				if i+1 >= len(s) || strings.IndexByte(`"\\nrtbf`, s[i+1]) < 0 {
					return false
				}
				i++
			}
			continue
		}
		switch c {
		case '"':
			in = true
			digits = 0
		case ' ', '\t', '\n', '\r', '.', 'e', 'E':
			return false
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			// long digit runs may not fit int64: let the parser decide
			if digits++; digits > 18 {
				return false
			}
		default:
			digits = 0
		}
	}
	return !in
}

// dxNumber converts a JSON number literal to int64 when integral and in
// range, else float64.
func dxNumber(raw string) any {
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return n
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return nil
	}
	return f
}

func kMember(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxAccess(ctx, args, n)
}

func kIndex(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxAccess(ctx, args, n)
}

func kPath(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxAccess(ctx, args, n)
}

// dxAccess evaluates x followed by the access steps args[1:]. Constant
// (scalar) steps are decoded once; per-row steps (x[i] with a column i) row by row.
func dxAccess(ctx *Ctx, args []Datum, n int) (Datum, error) {
	if len(args) < 2 {
		return Datum{}, fmt.Errorf("dynamic access needs a value and at least one step")
	}
	cols := dxCols(args)
	rows, scalar := dxRows(args, n)
	o := dxNewOut(ctx, types.Dynamic, rows)
	steps := make([]dxStep, len(args)-1)
	constSteps := true
	for j, c := range cols[1:] {
		if !c.scalar {
			constSteps = false
			continue
		}
		s, ok := c.step(0)
		if !ok {
			// a null step: every row is null
			for i := 0; i < rows; i++ {
				o.null()
			}
			return o.finish(scalar), nil
		}
		steps[j] = s
	}
	x := cols[0]
	for i := 0; i < rows; i++ {
		raw, ok := x.dynRaw(i)
		if !ok {
			o.null()
			continue
		}
		if !constSteps {
			valid := true
			for j, c := range cols[1:] {
				if !c.scalar {
					s, ok := c.step(i)
					if !ok {
						valid = false
						break
					}
					steps[j] = s
				}
			}
			if !valid {
				o.null()
				continue
			}
		}
		r := raw
		for _, s := range steps {
			if r = dxGet(r, s); r == "" {
				break
			}
		}
		o.appendResult(r)
	}
	return o.finish(scalar), nil
}

// step decodes row i of an access-step argument.
func (c *dxCol) step(i int) (dxStep, bool) {
	if c.isNull(i) {
		return dxStep{}, false
	}
	switch c.kind {
	case types.Int, types.Long:
		v, ok := c.long(i)
		return dxStep{index: v, isIdx: true}, ok
	case types.Dynamic:
		v := c.value(i)
		switch t := v.(type) {
		case int64:
			return dxStep{index: t, isIdx: true}, true
		case string:
			return dxStep{key: t}, true
		}
		return dxStep{}, false
	default:
		s, ok := c.str(i)
		return dxStep{key: s}, ok
	}
}

// ---------------------------------------------------------------------------
// parse_json and the bag functions.

func kParseJSON(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		x := c[0]
		if x.isNull(i) {
			o.null()
			return
		}
		switch x.kind {
		case types.Dynamic:
			// a dynamic value is used as is (the docs), even a string
			raw, _ := x.dynRaw(i)
			r := raw
			o.appendResult(r)
		case types.String:
			s, _ := x.str(i)
			// fast path: JSON text already in canonical form is copied
			if t := dxTrim(s); len(t) > 0 && (t[0] == '{' || t[0] == '[') && dxCanonical(t) && json.Valid([]byte(t)) {
				o.rawDyn(t)
				return
			}
			o.dyn(dxParseLenient(s))
		default:
			o.dyn(x.value(i))
		}
	})
}

// dxParseLenient is parse_json of a string: the JSON value, the string
// itself when it is not valid JSON, or null for an empty string.
func dxParseLenient(s string) any {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil
	}
	if v, err := dxParse(t); err == nil {
		return v
	}
	// Kusto's JSON reader also takes single quotes and trailing commas
	if v, err := types.ParseDynamicLiteral(t); err == nil {
		return v
	}
	return s
}

func kBagPack(ctx *Ctx, args []Datum, n int) (Datum, error) {
	if len(args)%2 != 0 {
		return Datum{}, fmt.Errorf("bag_pack: odd number of arguments")
	}
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		o.dyn(dxPackRow(c, i, false))
	})
}

func dxPackRow(c []*dxCol, i int, skipEmpty bool) any {
	b := dxNewBag()
	for j := 0; j+1 < len(c); j += 2 {
		k, ok := c[j].str(i)
		if !ok {
			continue
		}
		v := c[j+1].value(i)
		if skipEmpty {
			if v == nil {
				continue
			}
			if s, ok := v.(string); ok && s == "" {
				continue
			}
		}
		dxBagSet(b, k, v)
	}
	return b
}

// kPackAll implements pack_all([ignore_null_empty]): the compiler passes
// the flag (always, false when omitted) followed by a name/value pair per column.
func kPackAll(ctx *Ctx, args []Datum, n int) (Datum, error) {
	if len(args)%2 != 1 {
		return Datum{}, fmt.Errorf("pack_all: expected the flag then name/value pairs")
	}
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		skip, _ := c[0].boolean(i)
		o.dyn(dxPackRow(c[1:], i, skip))
	})
}

func kPackArray(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		arr := make([]any, len(c))
		for j, x := range c {
			arr[j] = x.value(i)
		}
		o.dyn(arr)
	})
}

func kBagKeys(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		b, ok := c[0].value(i).(*types.Bag)
		if !ok {
			o.null()
			return
		}
		keys := dxBagKeys(b)
		arr := make([]any, len(keys))
		for j, k := range keys {
			arr[j] = k
		}
		o.dyn(arr)
	})
}

func kBagMerge(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		out := dxNewBag()
		for _, x := range c {
			b, ok := x.value(i).(*types.Bag)
			if !ok {
				continue
			}
			for _, k := range dxBagKeys(b) {
				if _, dup := dxBagGet(out, k); !dup {
					v, _ := dxBagGet(b, k)
					dxBagSet(out, k, v)
				}
			}
		}
		o.dyn(out)
	})
}

// dxKeyPath parses a bag key argument: a plain name, or a JSONPath
// (`$.a.b`, `$['a']`, `$.a[0]`).
func dxKeyPath(key string) ([]dxStep, bool) {
	if !strings.HasPrefix(key, "$") {
		return []dxStep{{key: key}}, true
	}
	return dxParseJSONPath(key)
}

// dxParseJSONPath parses the JSONPath subset Kusto supports: `$`, `.name`,
// `['name']`, `["name"]` and `[index]`.
func dxParseJSONPath(p string) ([]dxStep, bool) {
	p = strings.TrimSpace(p)
	if !strings.HasPrefix(p, "$") {
		return nil, false
	}
	var steps []dxStep
	i := 1
	for i < len(p) {
		switch p[i] {
		case '.':
			i++
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			if j == i {
				return nil, false
			}
			steps = append(steps, dxStep{key: p[i:j]})
			i = j
		case '[':
			i++
			if i < len(p) && (p[i] == '\'' || p[i] == '"') {
				q := p[i]
				j := strings.IndexByte(p[i+1:], q)
				if j < 0 {
					return nil, false
				}
				steps = append(steps, dxStep{key: p[i+1 : i+1+j]})
				i = i + 1 + j + 1
			} else {
				j := strings.IndexByte(p[i:], ']')
				if j < 0 {
					return nil, false
				}
				n, err := strconv.ParseInt(strings.TrimSpace(p[i:i+j]), 10, 64)
				if err != nil {
					return nil, false
				}
				steps = append(steps, dxStep{index: n, isIdx: true})
				i += j
			}
			if i >= len(p) || p[i] != ']' {
				return nil, false
			}
			i++
		default:
			return nil, false
		}
	}
	return steps, true
}

// dxWalk follows steps through a decoded value; ok=false when a step misses.
func dxWalk(v any, steps []dxStep) (any, bool) {
	for _, s := range steps {
		switch t := v.(type) {
		case *types.Bag:
			if s.isIdx {
				return nil, false
			}
			x, ok := dxBagGet(t, s.key)
			if !ok {
				return nil, false
			}
			v = x
		case []any:
			if !s.isIdx {
				return nil, false
			}
			idx := s.index
			if idx < 0 {
				idx += int64(len(t))
			}
			if idx < 0 || idx >= int64(len(t)) {
				return nil, false
			}
			v = t[idx]
		default:
			return nil, false
		}
	}
	return v, true
}

func kBagHasKey(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Bool, func(c []*dxCol, i int, o *dxOut) {
		b, ok := c[0].value(i).(*types.Bag)
		key, kok := c[1].str(i)
		if !ok || !kok {
			o.null()
			return
		}
		steps, ok := dxKeyPath(key)
		if !ok {
			o.null()
			return
		}
		_, found := dxWalk(b, steps)
		o.boolean(found)
	})
}

func kBagRemoveKeys(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		b, ok := c[0].value(i).(*types.Bag)
		if !ok {
			o.null()
			return
		}
		keys, ok := c[1].value(i).([]any)
		if !ok {
			o.dyn(b)
			return
		}
		b = dxClone(b).(*types.Bag)
		for _, k := range keys {
			ks, ok := k.(string)
			if !ok {
				continue
			}
			steps, ok := dxKeyPath(ks)
			if !ok || len(steps) == 0 {
				continue
			}
			parent, ok := dxWalk(b, steps[:len(steps)-1])
			if !ok {
				continue
			}
			last := steps[len(steps)-1]
			if pb, ok := parent.(*types.Bag); ok && !last.isIdx {
				dxBagDel(pb, last.key)
			}
		}
		o.dyn(b)
	})
}

func kBagSetKey(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		b, ok := c[0].value(i).(*types.Bag)
		key, kok := c[1].str(i)
		if !ok || !kok {
			o.null()
			return
		}
		steps, ok := dxKeyPath(key)
		if !ok || len(steps) == 0 {
			o.null()
			return
		}
		b = dxClone(b).(*types.Bag)
		cur := b
		for _, s := range steps[:len(steps)-1] {
			if s.isIdx {
				o.null()
				return
			}
			next, ok := dxBagGet(cur, s.key)
			nb, isBag := next.(*types.Bag)
			if !ok || !isBag {
				nb = dxNewBag()
				dxBagSet(cur, s.key, nb)
			}
			cur = nb
		}
		last := steps[len(steps)-1]
		if last.isIdx {
			o.null()
			return
		}
		dxBagSet(cur, last.key, c[2].value(i))
		o.dyn(b)
	})
}

func kBagZip(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		keys, ok := c[0].value(i).([]any)
		if !ok {
			o.null()
			return
		}
		vals, _ := c[1].value(i).([]any)
		b := dxNewBag()
		for j, k := range keys {
			ks, ok := k.(string)
			if !ok {
				continue
			}
			var v any
			if j < len(vals) {
				v = vals[j]
			}
			dxBagSet(b, ks, v)
		}
		o.dyn(b)
	})
}

func kDynamicToJSON(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.String, func(c []*dxCol, i int, o *dxOut) {
		if c[0].isNull(i) {
			o.str("null")
			return
		}
		o.str(dxFormat(dxSortKeys(c[0].value(i))))
	})
}

// dxSortKeys returns v with every bag's keys sorted (ordinal), recursively.
func dxSortKeys(v any) any {
	switch t := v.(type) {
	case *types.Bag:
		keys := append([]string(nil), dxBagKeys(t)...)
		sort.Strings(keys)
		out := dxNewBag()
		for _, k := range keys {
			x, _ := dxBagGet(t, k)
			dxBagSet(out, k, dxSortKeys(x))
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = dxSortKeys(x)
		}
		return out
	}
	return v
}

func kTreePath(ctx *Ctx, args []Datum, n int) (Datum, error) {
	return dxMap(ctx, args, n, types.Dynamic, func(c []*dxCol, i int, o *dxOut) {
		v := c[0].value(i)
		if v == nil {
			o.null()
			return
		}
		var paths []any
		seen := map[string]bool{}
		var walk func(prefix string, v any)
		walk = func(prefix string, v any) {
			switch t := v.(type) {
			case *types.Bag:
				for _, k := range dxBagKeys(t) {
					p := prefix + "['" + k + "']"
					if !seen[p] {
						seen[p] = true
						paths = append(paths, p)
					}
					x, _ := dxBagGet(t, k)
					walk(p, x)
				}
			case []any:
				p := prefix + "[0]"
				if len(t) > 0 && !seen[p] {
					seen[p] = true
					paths = append(paths, p)
				}
				for _, x := range t {
					walk(p, x)
				}
			}
		}
		walk("", v)
		if paths == nil {
			paths = []any{}
		}
		o.dyn(paths)
	})
}

// kExtractJSON implements extract_json(path, json[, typeof(T)]): the result
// kind is the third argument's kind (string when absent).
func kExtractJSON(ctx *Ctx, args []Datum, n int) (Datum, error) {
	res := types.String
	if len(args) == 3 && args[2].Kind != types.Unknown && args[2].Kind != types.Null {
		res = args[2].Kind
	}
	var pathCache string
	var steps []dxStep
	var pathOK bool
	return dxMap(ctx, args[:2], n, res, func(c []*dxCol, i int, o *dxOut) {
		p, ok := c[0].str(i)
		if !ok {
			o.null()
			return
		}
		if p != pathCache || steps == nil {
			pathCache = p
			steps, pathOK = dxParseJSONPath(p)
			if steps == nil {
				steps = []dxStep{}
			}
		}
		text, ok := c[1].str(i)
		if !ok || !pathOK {
			o.null()
			return
		}
		r := text
		for _, s := range steps {
			if r = dxGet(r, s); r == "" {
				break
			}
		}
		v, err := dxParse(r)
		if err != nil {
			o.null()
			return
		}
		o.convert(v)
	})
}

// convert appends the dynamic value v converted to the output kind as
// Kusto converts dynamic values (types.DynamicToKind); for string results a
// dynamic string is its bare text and other values their JSON text.
func (o *dxOut) convert(v any) {
	if v == nil {
		o.null()
		return
	}
	switch o.kind {
	case types.Dynamic:
		o.dyn(v)
		return
	case types.String:
		if s, ok := v.(string); ok {
			o.str(s)
		} else {
			o.str(dxFormat(v))
		}
		return
	}
	switch x := types.DynamicToKind(o.kind, v).(type) {
	case bool:
		o.boolean(x)
	case int32:
		o.long(int64(x))
	case int64:
		o.long(x)
	case float64:
		o.real(x)
	case string:
		o.str(x)
	default:
		o.null()
	}
}

// ---------------------------------------------------------------------------
// Shared helpers of the dynamic, array and IP kernels: argument access by
// row, result building, and the dynamic value model of lang/types.

func dxParse(s string) (any, error) { return types.ParseDynamic(s) }
func dxFormat(v any) string         { return types.FormatDynamic(v) }
func dxClone(v any) any             { return types.CloneDynamic(v) }
func dxNewBag() *types.Bag          { return types.NewBag(0) }

func dxBagSet(b *types.Bag, k string, v any)      { b.Set(k, v) }
func dxBagGet(b *types.Bag, k string) (any, bool) { return b.Get(k) }
func dxBagDel(b *types.Bag, k string)             { b.Delete(k) }
func dxBagKeys(b *types.Bag) []string             { return b.Keys() }

// dxCol reads one kernel argument row by row with the shared accessors of
// lift.go (created on first use), plus raw access to dynamic JSON text.
type dxCol struct {
	kind   types.Kind
	scalar bool
	d      Datum
	raw    func(int) (string, bool) // physical strings; nil when not string-like
	strG   func(int) (string, bool)
	longG  func(int) (int64, bool)
	realG  func(int) (float64, bool)
	boolG  func(int) (bool, bool)
	dynG   func(int) (any, bool)
}

func dxCols(args []Datum) []*dxCol {
	out := make([]*dxCol, len(args))
	for i, d := range args {
		c := &dxCol{kind: d.Kind, scalar: d.Scalar, d: d}
		if d.Array != nil {
			c.raw = rawStrings(d.Array)
		}
		out[i] = c
	}
	return out
}

// dxRows returns how many rows to compute: 1 when every argument is a
// scalar (the result is then a scalar), else n.
func dxRows(args []Datum, n int) (int, bool) {
	return OutLen(args, n), AllScalar(args)
}

func (c *dxCol) row(i int) int {
	if c.scalar {
		return 0
	}
	return i
}

func (c *dxCol) isNull(i int) bool {
	return c.d.Array == nil || c.d.Array.IsNull(c.row(i))
}

// dynRaw returns the JSON text at row i of a dynamic argument; ok=false
// for null (an Arrow null or the text null).
func (c *dxCol) dynRaw(i int) (string, bool) {
	if c.raw == nil {
		return "", false
	}
	s, ok := c.raw(c.row(i))
	if !ok || s == "null" || s == "" {
		return "", false
	}
	return s, true
}

// str returns row i as a string (Strings: a null string reads as "",
// dynamic strings unquoted, other values as tostring() prints them).
func (c *dxCol) str(i int) (string, bool) {
	if c.strG == nil {
		c.strG = Strings(c.d)
	}
	return c.strG(i)
}

// long returns row i as an int64 (long, int, datetime and timespan ns;
// reals truncated; dynamic numbers).
func (c *dxCol) long(i int) (int64, bool) {
	if c.longG == nil {
		c.longG = Int64s(c.d)
	}
	return c.longG(i)
}

// real returns row i as a float64.
func (c *dxCol) real(i int) (float64, bool) {
	if c.realG == nil {
		c.realG = Float64s(c.d)
	}
	return c.realG(i)
}

// boolean returns row i as a bool.
func (c *dxCol) boolean(i int) (bool, bool) {
	if c.boolG == nil {
		c.boolG = Bools(c.d)
	}
	return c.boolG(i)
}

// value returns row i as a dynamic value (nil for null): dynamic JSON
// decoded, other kinds as a dynamic holds them (datetime and timespan as
// their text, strings unparsed).
func (c *dxCol) value(i int) any {
	if c.dynG == nil {
		c.dynG = Dynamics(c.d)
	}
	v, _ := c.dynG(i)
	return v
}

// dxOut builds a kernel result of one kind.
type dxOut struct {
	kind types.Kind
	bld  array.Builder
	sb   *array.StringBuilder
	ib   *array.Int64Builder
	i32  *array.Int32Builder
	fb   *array.Float64Builder
	bb   *array.BooleanBuilder
	tb   *array.TimestampBuilder
	db   *array.DurationBuilder
	buf  []byte
}

func dxNewOut(ctx *Ctx, kind types.Kind, n int) *dxOut {
	o := &dxOut{kind: kind, bld: array.NewBuilder(Mem(ctx), ArrowType(kind))}
	switch b := o.bld.(type) {
	case *array.StringBuilder:
		o.sb = b
	case *array.Int64Builder:
		o.ib = b
	case *array.Int32Builder:
		o.i32 = b
	case *array.Float64Builder:
		o.fb = b
	case *array.BooleanBuilder:
		o.bb = b
	case *array.TimestampBuilder:
		o.tb = b
	case *array.DurationBuilder:
		o.db = b
	}
	o.bld.Reserve(n)
	return o
}

func (o *dxOut) null() { o.bld.AppendNull() }

// dyn appends a dynamic value (nil → null) as JSON text.
func (o *dxOut) dyn(v any) {
	if v == nil {
		o.bld.AppendNull()
		return
	}
	o.buf = types.AppendDynamic(o.buf[:0], v)
	o.sb.BinaryBuilder.Append(o.buf)
}

// rawDyn appends JSON text known to be canonical.
func (o *dxOut) rawDyn(s string) { o.sb.Append(s) }

func (o *dxOut) str(s string) { o.sb.Append(s) }

func (o *dxOut) boolean(b bool) { o.bb.Append(b) }

func (o *dxOut) real(f float64) { o.fb.Append(f) }

// long appends an integral value (long, int, datetime or timespan nanoseconds).
func (o *dxOut) long(v int64) {
	switch {
	case o.ib != nil:
		o.ib.Append(v)
	case o.i32 != nil:
		o.i32.Append(int32(v))
	case o.tb != nil:
		o.tb.Append(arrow.Timestamp(v))
	case o.db != nil:
		o.db.Append(arrow.Duration(v))
	case o.fb != nil:
		o.fb.Append(float64(v))
	default:
		o.bld.AppendNull()
	}
}

func (o *dxOut) finish(scalar bool) Datum {
	arr := o.bld.NewArray()
	o.bld.Release()
	return Datum{Array: arr, Scalar: scalar, Kind: o.kind}
}

// dxMap runs f once per result row; f must append exactly one value to o.
func dxMap(ctx *Ctx, args []Datum, n int, kind types.Kind, f func(c []*dxCol, i int, o *dxOut)) (Datum, error) {
	rows, scalar := dxRows(args, n)
	cols := dxCols(args)
	o := dxNewOut(ctx, kind, rows)
	for i := 0; i < rows; i++ {
		f(cols, i, o)
	}
	return o.finish(scalar), nil
}
