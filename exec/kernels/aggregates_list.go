package kernels

// make_list, make_list_if, make_list_with_nulls, make_set, make_set_if,
// make_bag, make_bag_if, buildschema: results are dynamic (JSON text).
//
// Order: every group keeps its elements in chunks tagged with the morsel
// sequence (see Sequenced); Finish sorts the chunks by sequence (stable), so
// the element order is the input order however the partial states were
// merged. maxSize caps the result; each state also stops collecting a group
// once it holds maxSize elements, which is safe because a state's own
// elements arrive in increasing sequence.

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

const defaultMaxSize = 1048576

func init() {
	RegisterAggregate("make_list", newList(listPlain, 1))
	RegisterAggregate("make_list_if", withIf(newList(listPlain, 1), 1))
	RegisterAggregate("make_list_with_nulls", newList(listNulls, 1))
	RegisterAggregate("make_set", newList(listSet, 1))
	RegisterAggregate("make_set_if", withIf(newList(listSet, 1), 1))
	RegisterAggregate("make_bag", newList(listBag, 1))
	RegisterAggregate("make_bag_if", withIf(newList(listBag, 1), 1))
	RegisterAggregate("buildschema", newSchema)
}

type listMode uint8

const (
	listPlain listMode = iota
	listNulls
	listSet
	listBag
)

type listChunk struct {
	seq  int64
	buf  []byte
	ends []int32 // end offset of each element in buf
	keys []string
}

type listGroup struct {
	chunks []listChunk
	n      int
	seen   map[string]struct{} // set: element texts; bag: keys
}

type listState struct {
	mode    listMode
	max     int
	maxSet  bool
	consts  []any
	maxArg  int
	seq     int64
	groups  []listGroup
	scratch []byte
}

func newList(mode listMode, maxArg int) AggKernel {
	return func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
		return &listState{mode: mode, max: defaultMaxSize, consts: consts, maxArg: maxArg}, nil
	}
}

func (s *listState) SetSeq(seq int64) { s.seq = seq }

func (g *listGroup) chunk(seq int64) *listChunk {
	if n := len(g.chunks); n > 0 && g.chunks[n-1].seq == seq {
		return &g.chunks[n-1]
	}
	g.chunks = append(g.chunks, listChunk{seq: seq})
	return &g.chunks[len(g.chunks)-1]
}

func (s *listState) Update(args []Datum, groups []uint32, ngroups int) error {
	if len(args) == 0 {
		return nil
	}
	if !s.maxSet {
		s.maxSet = true
		if m, ok := argInt(s.consts, args, s.maxArg); ok && m > 0 {
			s.max = int(m)
		}
	}
	s.groups = grow(s.groups, ngroups)
	r := newReader(args[0])
	for i, g := range groups {
		if g == skipGroup {
			continue
		}
		grp := &s.groups[g]
		if grp.n >= s.max {
			continue
		}
		switch {
		case !r.valid(i) && r.kind == types.String:
			// Kusto strings are never null: a missing string is ""
			s.scratch = append(s.scratch[:0], '"', '"')
		case !r.valid(i):
			if s.mode == listNulls {
				s.addElem(grp, []byte("null"))
			}
			continue
		default:
			s.scratch = r.appendJSON(s.scratch[:0], i)
		}
		elem := s.scratch
		if r.kind == types.Dynamic && s.mode != listNulls && isJSONNull(elem) {
			continue
		}
		switch s.mode {
		case listPlain, listNulls:
			s.addElem(grp, elem)
		case listSet:
			if len(elem) > 0 && elem[0] == '[' {
				var items []json.RawMessage
				if json.Unmarshal(elem, &items) == nil {
					for _, it := range items {
						if grp.n >= s.max {
							break
						}
						s.addSet(grp, compactJSON(it))
					}
					continue
				}
			}
			s.addSet(grp, elem)
		case listBag:
			for _, kv := range bagEntries(elem) {
				if grp.n >= s.max {
					break
				}
				s.addKey(grp, kv.key, kv.raw)
			}
		}
	}
	return nil
}

func isJSONNull(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) == 0 || string(b) == "null"
}

func (s *listState) addElem(grp *listGroup, elem []byte) {
	c := grp.chunk(s.seq)
	c.buf = append(c.buf, elem...)
	c.ends = append(c.ends, int32(len(c.buf)))
	grp.n++
}

func (s *listState) addSet(grp *listGroup, elem []byte) {
	if grp.seen == nil {
		grp.seen = make(map[string]struct{})
	}
	if _, dup := grp.seen[string(elem)]; dup {
		return
	}
	grp.seen[string(elem)] = struct{}{}
	s.addElem(grp, elem)
}

func (s *listState) addKey(grp *listGroup, key string, raw []byte) {
	if grp.seen == nil {
		grp.seen = make(map[string]struct{})
	}
	if _, dup := grp.seen[key]; dup {
		return
	}
	grp.seen[key] = struct{}{}
	c := grp.chunk(s.seq)
	c.buf = append(c.buf, raw...)
	c.ends = append(c.ends, int32(len(c.buf)))
	c.keys = append(c.keys, key)
	grp.n++
}

func (s *listState) Merge(other AggState, mapping []uint32, ngroups int) error {
	o, ok := other.(*listState)
	if !ok {
		return mergeErr("make_list")
	}
	s.groups = grow(s.groups, ngroups)
	if !s.maxSet && o.maxSet {
		s.max, s.maxSet = o.max, true
	}
	for j := range o.groups {
		og := &o.groups[j]
		if len(og.chunks) == 0 {
			continue
		}
		grp := &s.groups[mapping[j]]
		grp.chunks = append(grp.chunks, og.chunks...)
		grp.n += og.n
		if og.seen != nil {
			if grp.seen == nil {
				grp.seen = make(map[string]struct{}, len(og.seen))
			}
			for k := range og.seen {
				grp.seen[k] = struct{}{}
			}
		}
	}
	return nil
}

func (s *listState) Finish(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	s.groups = grow(s.groups, ngroups)
	vals := make([]string, ngroups)
	for g := 0; g < ngroups; g++ {
		vals[g] = s.render(&s.groups[g])
	}
	return buildStrings(mem, vals, nil), nil
}

func (s *listState) render(grp *listGroup) string {
	sort.SliceStable(grp.chunks, func(i, j int) bool { return grp.chunks[i].seq < grp.chunks[j].seq })
	var b bytes.Buffer
	open, close := byte('['), byte(']')
	if s.mode == listBag {
		open, close = '{', '}'
	}
	b.WriteByte(open)
	n := 0
	var seen map[string]struct{}
	if s.mode == listSet || s.mode == listBag {
		seen = make(map[string]struct{})
	}
	for _, c := range grp.chunks {
		start := int32(0)
		for k, end := range c.ends {
			elem := c.buf[start:end]
			start = end
			if n >= s.max {
				break
			}
			key := ""
			if seen != nil {
				key = string(elem)
				if s.mode == listBag {
					key = c.keys[k]
				}
				if _, dup := seen[key]; dup {
					continue
				}
				seen[key] = struct{}{}
			}
			if n > 0 {
				b.WriteByte(',')
			}
			if s.mode == listBag {
				b.Write(appendJSONString(nil, key))
				b.WriteByte(':')
			}
			b.Write(elem)
			n++
		}
	}
	b.WriteByte(close)
	return b.String()
}

// ---------------------------------------------------------------------------
// JSON helpers

// appendJSON appends row i as a JSON value the way Kusto renders it inside
// dynamic: numbers, true/false, strings quoted, datetimes and timespans as
// their Kusto text, dynamic values as they are (compacted).
func (r *reader) appendJSON(dst []byte, i int) []byte {
	if !r.valid(i) {
		return append(dst, "null"...)
	}
	switch r.ph {
	case phInt:
		v := r.int64At(i)
		switch r.kind {
		case types.DateTime:
			return appendJSONString(dst, types.FormatDateTime(v))
		case types.TimeSpan:
			return appendJSONString(dst, types.FormatTimeSpan(v))
		case types.Bool:
			return strconv.AppendBool(dst, v != 0)
		}
		return strconv.AppendInt(dst, v, 10)
	case phFloat:
		return appendJSONFloat(dst, r.floatAt(i))
	case phBool:
		return strconv.AppendBool(dst, r.boolAt(i))
	case phString:
		s := r.stringAt(i)
		if r.kind == types.Dynamic {
			if s == "" {
				return append(dst, "null"...)
			}
			return append(dst, compactJSON([]byte(s))...)
		}
		return appendJSONString(dst, s)
	}
	return append(dst, "null"...)
}

// appendJSONFloat renders a real inside dynamic as types.FormatDynamic does
// (4.0, 2.5, "NaN").
func appendJSONFloat(dst []byte, f float64) []byte {
	return types.AppendDynamic(dst, f)
}

// compactJSON removes insignificant whitespace (returns b itself when there is none).
func compactJSON(b []byte) []byte {
	if bytes.IndexAny(b, " \t\r\n") < 0 {
		return b
	}
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return b
	}
	return out.Bytes()
}

func appendJSONString(dst []byte, s string) []byte { return types.AppendJSONString(dst, s) }

type bagKV struct {
	key string
	raw []byte
}

// bagEntries returns the top-level properties of a JSON object in order, or
// nil when text is not an object.
func bagEntries(text []byte) []bagKV {
	t := bytes.TrimSpace(text)
	if len(t) == 0 || t[0] != '{' {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	if _, err := dec.Token(); err != nil {
		return nil
	}
	var out []bagKV
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		key, ok := tok.(string)
		if !ok {
			return out
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return out
		}
		out = append(out, bagKV{key: key, raw: compactJSON(raw)})
	}
	return out
}

// ---------------------------------------------------------------------------
// buildschema

// schemaNode is the inferred schema of a set of dynamic values: primitive
// type names seen, the merged schema of bag properties (in first-seen
// order) and of array elements ("indexer").
type schemaNode struct {
	prims []string
	keys  []string
	props map[string]*schemaNode
	elems *schemaNode
}

func (n *schemaNode) addPrim(t string) {
	for _, p := range n.prims {
		if p == t {
			return
		}
	}
	n.prims = append(n.prims, t)
}

func (n *schemaNode) add(v any) {
	switch x := v.(type) {
	case nil:
	case bool:
		n.addPrim("bool")
	case json.Number:
		if _, err := x.Int64(); err == nil {
			n.addPrim("long")
		} else {
			n.addPrim("double")
		}
	case string:
		n.addPrim("string")
	case []any:
		if n.elems == nil {
			n.elems = &schemaNode{}
		}
		for _, e := range x {
			n.elems.add(e)
		}
	case *orderedObj:
		if n.props == nil {
			n.props = map[string]*schemaNode{}
		}
		for i, k := range x.keys {
			c := n.props[k]
			if c == nil {
				c = &schemaNode{}
				n.props[k] = c
				n.keys = append(n.keys, k)
			}
			c.add(x.vals[i])
		}
	}
}

func (n *schemaNode) empty() bool { return len(n.prims) == 0 && n.props == nil && n.elems == nil }

func (n *schemaNode) render(dst []byte) []byte {
	var parts [][]byte
	for _, p := range n.prims {
		parts = append(parts, appendJSONString(nil, p))
	}
	if n.props != nil || n.elems != nil {
		obj := []byte{'{'}
		first := true
		for _, k := range n.keys {
			if !first {
				obj = append(obj, ',')
			}
			first = false
			obj = appendJSONString(obj, k)
			obj = append(obj, ':')
			obj = n.props[k].render(obj)
		}
		if n.elems != nil {
			if !first {
				obj = append(obj, ',')
			}
			obj = append(obj, `"indexer":`...)
			obj = n.elems.render(obj)
		}
		parts = append(parts, append(obj, '}'))
	}
	switch len(parts) {
	case 0:
		return append(dst, "null"...)
	case 1:
		return append(dst, parts[0]...)
	}
	dst = append(dst, '[')
	dst = append(dst, bytes.Join(parts, []byte{','})...)
	return append(dst, ']')
}

type orderedObj struct {
	keys []string
	vals []any
}

// decodeOrdered decodes JSON keeping object key order.
func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &orderedObj{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, k)
				o.vals = append(o.vals, v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		}
	}
	return tok, nil
}

// schemaState keeps per group one schema per morsel sequence, merged in
// sequence order at Finish so property order is first-seen input order.
type schemaState struct {
	seq    int64
	groups [][]seqSchema
}

type seqSchema struct {
	seq  int64
	node *schemaNode
}

func newSchema(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
	return &schemaState{}, nil
}

func (s *schemaState) SetSeq(seq int64) { s.seq = seq }

func (s *schemaState) Update(args []Datum, groups []uint32, ngroups int) error {
	if len(args) == 0 {
		return nil
	}
	s.groups = grow(s.groups, ngroups)
	r := newReader(args[0])
	var scratch []byte
	for i, g := range groups {
		if g == skipGroup || !r.valid(i) {
			continue
		}
		scratch = r.appendJSON(scratch[:0], i)
		dec := json.NewDecoder(bytes.NewReader(scratch))
		dec.UseNumber()
		v, err := decodeOrdered(dec)
		if err != nil || v == nil {
			continue
		}
		parts := s.groups[g]
		if len(parts) == 0 || parts[len(parts)-1].seq != s.seq {
			parts = append(parts, seqSchema{seq: s.seq, node: &schemaNode{}})
			s.groups[g] = parts
		}
		parts[len(parts)-1].node.add(v)
	}
	return nil
}

func (n *schemaNode) merge(o *schemaNode) {
	for _, p := range o.prims {
		n.addPrim(p)
	}
	if o.elems != nil {
		if n.elems == nil {
			n.elems = &schemaNode{}
		}
		n.elems.merge(o.elems)
	}
	for _, k := range o.keys {
		if n.props == nil {
			n.props = map[string]*schemaNode{}
		}
		c := n.props[k]
		if c == nil {
			c = &schemaNode{}
			n.props[k] = c
			n.keys = append(n.keys, k)
		}
		c.merge(o.props[k])
	}
}

func (s *schemaState) Merge(other AggState, mapping []uint32, ngroups int) error {
	o, ok := other.(*schemaState)
	if !ok {
		return mergeErr("buildschema")
	}
	s.groups = grow(s.groups, ngroups)
	for j, parts := range o.groups {
		g := mapping[j]
		s.groups[g] = append(s.groups[g], parts...)
	}
	return nil
}

func (s *schemaState) Finish(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	s.groups = grow(s.groups, ngroups)
	vals := make([]string, ngroups)
	valid := make([]bool, ngroups)
	for g := 0; g < ngroups; g++ {
		parts := s.groups[g]
		sort.SliceStable(parts, func(i, j int) bool { return parts[i].seq < parts[j].seq })
		n := &schemaNode{}
		for _, p := range parts {
			n.merge(p.node)
		}
		if !n.empty() {
			vals[g], valid[g] = string(n.render(nil)), true
		}
	}
	return buildStrings(mem, vals, valid), nil
}
