package expr

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// memberEval is dynamic property or element access: d.key, d["key"], d[i].
// It works on the JSON text directly: the value's text is sliced out
// without decoding the rest of the document.
type memberEval struct {
	x     Evaluator
	key   string
	isKey bool
	index Evaluator
}

func (e *memberEval) Kind() types.Kind { return types.Dynamic }

func (e *memberEval) Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	x, err := e.x.Eval(ctx, rec)
	if err != nil {
		return kernels.Datum{}, err
	}
	defer x.Release()
	var ix kernels.Datum
	if !e.isKey {
		ix, err = e.index.Eval(ctx, rec)
		if err != nil {
			return kernels.Datum{}, err
		}
		defer ix.Release()
	}
	n := int(rec.NumRows())
	scalar := x.Scalar && (e.isKey || ix.Scalar)
	if scalar {
		n = 1
	}
	// Two passes: the values' texts (slices of the input) first, then one
	// exactly sized output buffer (no builder growth copies).
	vals := make([]string, n)
	var valid []bool // allocated at the first null
	total := 0
	for i := 0; i < n; i++ {
		raw, ok := e.member(x, ix, i)
		if ok {
			vals[i] = raw
			total += len(raw)
		} else if valid == nil {
			valid = make([]bool, n)
			for j := 0; j < i; j++ {
				valid[j] = true
			}
		}
		if valid != nil {
			valid[i] = ok
		}
	}
	b := array.NewStringBuilder(ctx.Mem)
	defer b.Release()
	b.Reserve(n)
	b.ReserveData(total)
	b.AppendValues(vals, valid)
	return kernels.Datum{Array: b.NewArray(), Scalar: scalar, Kind: types.Dynamic}, nil
}

// member returns the compact JSON text of the member of logical row i, or
// false for a null, a missing member or a JSON null.
func (e *memberEval) member(x, ix kernels.Datum, i int) (string, bool) {
	txt, ok := dynText(x, i)
	if !ok {
		return "", false
	}
	var raw string
	var found bool
	if e.isKey {
		raw, found = jsonGet(txt, e.key)
	} else {
		switch v := DatumValue(ix, i).(type) {
		case string:
			raw, found = jsonGet(txt, v)
		case int64:
			raw, found = jsonIndex(txt, v)
		case int32:
			raw, found = jsonIndex(txt, int64(v))
		}
	}
	if !found || raw == "null" {
		return "", false
	}
	return compactJSON(raw), true
}

// dynText returns the JSON text of logical row i of a dynamic Datum.
func dynText(d kernels.Datum, i int) (string, bool) {
	j := d.Row(i)
	if d.Array.IsNull(j) {
		return "", false
	}
	switch a := d.Array.(type) {
	case *array.String:
		// dynamic JSON text, or JSON held in a string column
		return a.Value(j), true
	case *array.Dictionary:
		if s, ok := a.Dictionary().(*array.String); ok {
			return s.Value(a.GetValueIndex(j)), true
		}
	}
	v := ValueAt(d.Array, j, d.Kind)
	if v == nil {
		return "", false
	}
	return types.FormatDynamic(v), true
}

func compactJSON(s string) string {
	if !hasSpace(s) {
		return s
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		return s
	}
	return buf.String()
}

// skipValue returns the end of the JSON value starting at i, or -1.
func skipValue(s string, i int) int {
	i = kernels.JSONSkipSpace(s, i)
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '"':
		return kernels.JSONStringEnd(s, i)
	case '{', '[':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"':
				i = kernels.JSONStringEnd(s, i)
				if i < 0 {
					return -1
				}
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
		return -1
	default:
		for i < len(s) && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r' {
			i++
		}
		return i
	}
}

// jsonGet returns the raw text of property key of the object in s.
func jsonGet(s, key string) (string, bool) {
	i := kernels.JSONSkipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return "", false
	}
	i++
	for {
		i = kernels.JSONSkipSpace(s, i)
		if i >= len(s) || s[i] == '}' {
			return "", false
		}
		if s[i] != '"' {
			return "", false
		}
		end := kernels.JSONStringEnd(s, i)
		if end < 0 {
			return "", false
		}
		k := s[i+1 : end-1]
		if strings.IndexByte(k, '\\') >= 0 {
			var dk string
			if json.Unmarshal([]byte(s[i:end]), &dk) == nil {
				k = dk
			}
		}
		i = kernels.JSONSkipSpace(s, end)
		if i >= len(s) || s[i] != ':' {
			return "", false
		}
		i = kernels.JSONSkipSpace(s, i+1)
		vend := skipValue(s, i)
		if vend < 0 {
			return "", false
		}
		if k == key {
			return s[i:vend], true
		}
		i = kernels.JSONSkipSpace(s, vend)
		if i < len(s) && s[i] == ',' {
			i++
		}
	}
}

// jsonIndex returns the raw text of element idx of the array in s
// (negative idx counts from the end).
func jsonIndex(s string, idx int64) (string, bool) {
	i := kernels.JSONSkipSpace(s, 0)
	if i >= len(s) || s[i] != '[' {
		return "", false
	}
	var elems [][2]int
	i++
	for {
		i = kernels.JSONSkipSpace(s, i)
		if i >= len(s) || s[i] == ']' {
			break
		}
		end := skipValue(s, i)
		if end < 0 {
			return "", false
		}
		elems = append(elems, [2]int{i, end})
		if idx >= 0 && int64(len(elems)) > idx {
			break
		}
		i = kernels.JSONSkipSpace(s, end)
		if i < len(s) && s[i] == ',' {
			i++
		}
	}
	if idx < 0 {
		idx += int64(len(elems))
	}
	if idx < 0 || idx >= int64(len(elems)) {
		return "", false
	}
	e := elems[idx]
	return s[e[0]:e[1]], true
}

// hasSpace reports whether s has a JSON whitespace byte (a byte loop: far
// cheaper than strings.ContainsAny on the long JSON texts of dynamic
// columns).
func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			return true
		}
	}
	return false
}
