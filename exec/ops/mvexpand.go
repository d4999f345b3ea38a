package ops

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// MvExpandItem is one expanded column: an existing column (Col ≥ 0) or an
// expression (Eval) named Name. To is the `to typeof()` kind (Unknown:
// dynamic).
type MvExpandItem struct {
	Name string
	Col  int
	Eval ValueEval
	To   types.Kind
}

// MvExpandSpec configures mv-expand.
type MvExpandSpec struct {
	Items     []MvExpandItem
	BagArray  bool   // bagexpansion=array
	IndexName string // with_itemindex=Name ("" none)
	Limit     int64  // max rows per input row (≤0: no limit)
	// Drop are input columns not carried to the output (nothing after the
	// mv-expand reads them: exec/plan neededAfterOwn); items are never
	// dropped.
	Drop map[string]bool
}

// MvExpand is the mv-expand operator.
type MvExpand struct {
	mem    memory.Allocator
	in     Operator
	spec   MvExpandSpec
	schema *arrow.Schema
	outPos []int // output column of each item
	srcCol []int // for each output column: input column copied (-1 for items / index)
	kctx   *kernels.Ctx

	pending []arrow.Record
	done    bool

	parts, keys []string // scratch for splitJSONInto
}

// MvExpandSchema computes mv-expand's output schema and, per item, its
// output column position.
func MvExpandSchema(in *arrow.Schema, spec MvExpandSpec) (*arrow.Schema, []int, []int) {
	fs := append([]arrow.Field(nil), in.Fields()...)
	src := make([]int, len(fs))
	for i := range src {
		src[i] = i
	}
	pos := make([]int, len(spec.Items))
	for i, it := range spec.Items {
		k := it.To
		if k == types.Unknown {
			k = types.Dynamic
		}
		f := kernels.Field(it.Name, k)
		idx := -1
		if it.Col >= 0 {
			idx = it.Col
			f.Name = in.Field(it.Col).Name
		} else {
			for j, g := range fs {
				if g.Name == it.Name {
					idx = j
				}
			}
		}
		if idx >= 0 {
			fs[idx] = f
			src[idx] = -1
			pos[i] = idx
		} else {
			fs = append(fs, f)
			src = append(src, -1)
			pos[i] = len(fs) - 1
		}
	}
	if len(spec.Drop) > 0 {
		at := make([]int, len(fs))
		k := 0
		for j, f := range fs {
			at[j] = k
			if src[j] >= 0 && spec.Drop[f.Name] {
				continue
			}
			fs[k], src[k] = f, src[j]
			k++
		}
		fs, src = fs[:k], src[:k]
		for i := range pos {
			pos[i] = at[pos[i]]
		}
	}
	if spec.IndexName != "" {
		fs = append(fs, kernels.Field(spec.IndexName, types.Long))
		src = append(src, -1)
	}
	return arrow.NewSchema(fs, nil), pos, src
}

// NewMvExpand returns the mv-expand operator over in.
func NewMvExpand(kctx *kernels.Ctx, in Operator, spec MvExpandSpec) (*MvExpand, error) {
	if len(spec.Items) == 0 {
		return nil, fmt.Errorf("mv-expand: no columns to expand")
	}
	for _, it := range spec.Items {
		if it.Col < 0 && it.Eval == nil {
			return nil, fmt.Errorf("mv-expand: item %s has neither a column nor an expression", it.Name)
		}
	}
	s, pos, src := MvExpandSchema(in.Schema(), spec)
	return &MvExpand{mem: kctx.Mem, in: in, spec: spec, schema: s, outPos: pos, srcCol: src, kctx: kctx}, nil
}

// Schema implements Operator.
func (m *MvExpand) Schema() *arrow.Schema { return m.schema }

// Close implements Operator.
func (m *MvExpand) Close() {
	releaseAll(m.pending)
	m.pending = nil
	m.in.Close()
}

// Next implements Operator.
func (m *MvExpand) Next(ctx context.Context) (arrow.Record, error) {
	for len(m.pending) == 0 {
		if m.done {
			return nil, nil
		}
		rec, err := m.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			m.done = true
			return nil, nil
		}
		err = m.expand(rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
	}
	r := m.pending[0]
	m.pending = m.pending[1:]
	return r, nil
}

// expandedValues is one item's values for the current batch.
type mvItemVals struct {
	arr  arrow.Array // the values (any arrow type)
	str  *array.String
	kind types.Kind
}

func (m *MvExpand) expand(rec arrow.Record) error {
	n := int(rec.NumRows())
	items := make([]mvItemVals, len(m.spec.Items))
	for i, it := range m.spec.Items {
		var a arrow.Array
		var k types.Kind
		if it.Col >= 0 {
			a = rec.Column(it.Col)
			a.Retain()
			k = fieldKind(rec.Schema(), it.Col)
		} else {
			kc := *m.kctx
			d, err := it.Eval.Eval(&kc, rec)
			if err != nil {
				for _, x := range items[:i] {
					x.arr.Release()
				}
				return err
			}
			a = datumArray(m.mem, d, n)
			k = d.Kind
			d.Release()
		}
		s, _ := a.(*array.String)
		items[i] = mvItemVals{arr: a, str: s, kind: k}
	}
	defer func() {
		for _, x := range items {
			x.arr.Release()
		}
	}()

	limit := m.spec.Limit
	if limit <= 0 {
		limit = math.MaxInt64
	}
	b := newMvBatch(m, rec)
	elems := make([][]string, len(items)) // JSON text of each element (null: "")
	isNull := make([][]bool, len(items))
	for r := 0; r < n; r++ {
		cnt := 0
		for i := range items {
			elems[i], isNull[i] = m.elements(items[i], r, elems[i][:0], isNull[i][:0])
			if len(elems[i]) > cnt {
				cnt = len(elems[i])
			}
		}
		if int64(cnt) > limit {
			cnt = int(limit)
		}
		for e := 0; e < cnt; e++ {
			b.idx = append(b.idx, int32(r))
			for i, it := range m.spec.Items {
				bl := b.builders[i]
				if e >= len(elems[i]) || isNull[i][e] {
					bl.AppendNull()
					continue
				}
				appendElem(bl, it.To, elems[i][e])
			}
			if b.index != nil {
				b.index.Append(int64(e))
			}
			if len(b.idx) >= DefaultBatchRows {
				m.pending = append(m.pending, b.flush())
			}
		}
	}
	if len(b.idx) > 0 {
		m.pending = append(m.pending, b.flush())
	}
	b.release()
	return nil
}

// elements returns the JSON texts of the top-level elements of row r of an
// item: an array's elements, a bag's entries as {"k":v} or ["k",v], a null
// as one null, a scalar as itself.
func (m *MvExpand) elements(it mvItemVals, r int, out []string, nulls []bool) ([]string, []bool) {
	if it.arr.IsNull(r) {
		return append(out, ""), append(nulls, true)
	}
	if it.str == nil || (it.kind != types.Dynamic && it.kind != types.Unknown) {
		// a non-dynamic scalar: one element, itself as JSON
		return append(out, scalarJSON(it.arr, it.kind, r)), append(nulls, false)
	}
	s := it.str.Value(r)
	kind, parts, keys, ok := splitJSONInto(s, m.parts, m.keys)
	m.parts, m.keys = parts, keys
	if !ok {
		// not JSON: a string scalar
		return append(out, types.FormatDynamic(s)), append(nulls, false)
	}
	switch kind {
	case '[':
		for _, p := range parts {
			out = append(out, p)
			nulls = append(nulls, p == "null")
		}
	case '{':
		for i, p := range parts {
			if m.spec.BagArray {
				out = append(out, "["+keys[i]+","+p+"]")
			} else {
				out = append(out, "{"+keys[i]+":"+p+"}")
			}
			nulls = append(nulls, false)
		}
	default:
		if s == "null" || s == "" {
			return append(out, ""), append(nulls, true)
		}
		out = append(out, s)
		nulls = append(nulls, false)
	}
	return out, nulls
}

// scalarJSON renders row r of a non-dynamic array as dynamic JSON text.
func scalarJSON(a arrow.Array, k types.Kind, r int) string {
	switch x := a.(type) {
	case *array.String:
		return types.FormatDynamic(x.Value(r))
	case *array.Int64:
		return strconv.FormatInt(x.Value(r), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(x.Value(r)), 10)
	case *array.Float64:
		return types.FormatDynamic(x.Value(r))
	case *array.Boolean:
		return strconv.FormatBool(x.Value(r))
	case *array.Timestamp:
		return types.FormatDynamic(types.FormatDateTime(int64(x.Value(r))))
	case *array.Duration:
		return types.FormatDynamic(types.FormatTimeSpan(int64(x.Value(r))))
	}
	return types.FormatDynamic(a.ValueStr(r))
}

// appendElem appends one element's JSON text to a builder of kind to
// (Unknown/dynamic: the text itself). `to typeof()` casts: elements that
// do not fit become null.
func appendElem(b array.Builder, to types.Kind, text string) {
	switch to {
	case types.Unknown, types.Dynamic:
		b.(*array.StringBuilder).Append(text)
		return
	}
	v, err := types.ParseDynamic(text)
	if err != nil || v == nil {
		b.AppendNull()
		return
	}
	switch to {
	case types.String, types.Guid:
		switch x := v.(type) {
		case string:
			b.(*array.StringBuilder).Append(x)
		default:
			b.(*array.StringBuilder).Append(text)
		}
		return
	case types.Long, types.Int, types.Real, types.Decimal:
		switch x := v.(type) {
		case int64, float64:
			if to == types.Int {
				if f, ok := x.(float64); ok && f != math.Trunc(f) {
					b.AppendNull()
					return
				}
			}
			appendValue(b, x)
			return
		}
	case types.Bool:
		if x, ok := v.(bool); ok {
			appendValue(b, x)
			return
		}
	case types.DateTime, types.TimeSpan:
		if x, ok := v.(string); ok {
			appendText(b, to, x)
			return
		}
	}
	b.AppendNull()
}

// mvBatch accumulates one output batch.
type mvBatch struct {
	m        *MvExpand
	rec      arrow.Record
	idx      []int32
	builders []array.Builder
	index    *array.Int64Builder
}

func newMvBatch(m *MvExpand, rec arrow.Record) *mvBatch {
	b := &mvBatch{m: m, rec: rec}
	b.reset()
	return b
}

func (b *mvBatch) reset() {
	b.idx = b.idx[:0]
	b.builders = make([]array.Builder, len(b.m.spec.Items))
	for i, p := range b.m.outPos {
		b.builders[i] = array.NewBuilder(b.m.mem, b.m.schema.Field(p).Type)
	}
	if b.m.spec.IndexName != "" {
		b.index = array.NewInt64Builder(b.m.mem)
	}
}

func (b *mvBatch) release() {
	for _, x := range b.builders {
		x.Release()
	}
	if b.index != nil {
		b.index.Release()
	}
}

func (b *mvBatch) flush() arrow.Record {
	s := b.m.schema
	cols := make([]arrow.Array, s.NumFields())
	for c, src := range b.m.srcCol {
		if src >= 0 {
			cols[c] = takeArray(b.m.mem, b.rec.Column(src), b.idx)
		}
	}
	for i, p := range b.m.outPos {
		cols[p] = b.builders[i].NewArray()
	}
	if b.index != nil {
		cols[len(cols)-1] = b.index.NewArray()
	}
	n := len(b.idx)
	b.release()
	b.reset()
	return newRecord(s, cols, n)
}

// ---------------------------------------------------------------------------
// JSON scanning without decoding: top-level elements as raw text.

// splitJSON splits a JSON array or object into its elements' raw texts
// (keys as raw quoted strings). kind is '[' or '{', or 0 for a scalar.
// Element texts with insignificant whitespace are compacted.
func splitJSON(s string) (kind byte, parts, keys []string, ok bool) {
	return splitJSONInto(s, nil, nil)
}

// splitJSONInto is splitJSON appending to parts[:0] and keys[:0].
func splitJSONInto(s string, parts, keys []string) (kind byte, _, _ []string, ok bool) {
	parts, keys = parts[:0], keys[:0]
	i := kernels.JSONSkipSpace(s, 0)
	if i >= len(s) {
		return 0, nil, nil, true
	}
	switch s[i] {
	case '[':
		i = kernels.JSONSkipSpace(s, i+1)
		if i < len(s) && s[i] == ']' {
			return '[', nil, nil, kernels.JSONSkipSpace(s, i+1) == len(s)
		}
		for {
			e, okv := skipJSONValue(s, i)
			if !okv {
				return 0, nil, nil, false
			}
			parts = append(parts, compactJSON(s[i:e]))
			i = kernels.JSONSkipSpace(s, e)
			if i >= len(s) {
				return 0, nil, nil, false
			}
			if s[i] == ']' {
				return '[', parts, nil, kernels.JSONSkipSpace(s, i+1) == len(s)
			}
			if s[i] != ',' {
				return 0, nil, nil, false
			}
			i = kernels.JSONSkipSpace(s, i+1)
		}
	case '{':
		i = kernels.JSONSkipSpace(s, i+1)
		if i < len(s) && s[i] == '}' {
			return '{', nil, nil, kernels.JSONSkipSpace(s, i+1) == len(s)
		}
		for {
			if i >= len(s) || s[i] != '"' {
				return 0, nil, nil, false
			}
			ke, okk := skipJSONValue(s, i)
			if !okk {
				return 0, nil, nil, false
			}
			key := s[i:ke]
			i = kernels.JSONSkipSpace(s, ke)
			if i >= len(s) || s[i] != ':' {
				return 0, nil, nil, false
			}
			i = kernels.JSONSkipSpace(s, i+1)
			e, okv := skipJSONValue(s, i)
			if !okv {
				return 0, nil, nil, false
			}
			keys = append(keys, key)
			parts = append(parts, compactJSON(s[i:e]))
			i = kernels.JSONSkipSpace(s, e)
			if i >= len(s) {
				return 0, nil, nil, false
			}
			if s[i] == '}' {
				return '{', parts, keys, kernels.JSONSkipSpace(s, i+1) == len(s)
			}
			if s[i] != ',' {
				return 0, nil, nil, false
			}
			i = kernels.JSONSkipSpace(s, i+1)
		}
	}
	e, okv := skipJSONValue(s, i)
	if !okv || kernels.JSONSkipSpace(s, e) != len(s) {
		return 0, nil, nil, false
	}
	return 0, nil, nil, true
}

// skipJSONValue returns the end of the JSON value starting at i.
func skipJSONValue(s string, i int) (int, bool) {
	if i >= len(s) {
		return i, false
	}
	switch s[i] {
	case '"':
		if e := kernels.JSONStringEnd(s, i); e >= 0 {
			return e, true
		}
		return len(s), false
	case '[', '{':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				e, ok := skipJSONValue(s, j)
				if !ok {
					return e, false
				}
				j = e - 1
			case '[', '{':
				depth++
			case ']', '}':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return len(s), false
	}
	j := i
	for j < len(s) && !strings.ContainsRune(",]} \t\r\n:", rune(s[j])) {
		j++
	}
	return j, j > i
}

// compactJSON removes whitespace outside strings (the common case has none).
func compactJSON(s string) string {
	if !hasSpace(s) {
		return s
	}
	var sb strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if in {
			sb.WriteByte(c)
			if c == '\\' && i+1 < len(s) {
				i++
				sb.WriteByte(s[i])
			} else if c == '"' {
				in = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '"':
			in = true
		}
		sb.WriteByte(c)
	}
	return sb.String()
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
