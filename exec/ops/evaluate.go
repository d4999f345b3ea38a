package ops

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// BagUnpackSpec configures the bag_unpack plugin.
type BagUnpackSpec struct {
	Col      int    // the dynamic column to unpack
	Prefix   string // OutputColumnPrefix
	Conflict string // columnsConflict: error (default), replace_source, keep_source
	Ignored  []string
	// Schema, when set, is the declared output schema `: (cols)`: columns
	// are taken from it (by name from the bags or the input) instead of
	// being inferred.
	Schema *arrow.Schema
}

// materialized is an operator over records already in memory.
type materialized struct {
	schema *arrow.Schema
	recs   []arrow.Record
}

func (m *materialized) Schema() *arrow.Schema { return m.schema }
func (m *materialized) Next(context.Context) (arrow.Record, error) {
	if len(m.recs) == 0 {
		return nil, nil
	}
	r := m.recs[0]
	m.recs = m.recs[1:]
	return r, nil
}
func (m *materialized) Close() {
	releaseAll(m.recs)
	m.recs = nil
}

// NewBagUnpack runs bag_unpack over in (which it drains and closes): the
// output has the input columns except the unpacked one, then one column
// per top-level property (sorted by name, typed from the values: long,
// real, bool or string when all values agree, else dynamic).
func NewBagUnpack(ctx context.Context, mem memory.Allocator, in Operator, spec BagUnpackSpec) (Operator, error) {
	defer in.Close()
	ins := in.Schema()
	if spec.Col < 0 || spec.Col >= ins.NumFields() {
		return nil, fmt.Errorf("bag_unpack: column out of range")
	}
	recs, _, err := drainAll(ctx, in)
	if err != nil {
		return nil, err
	}
	defer releaseAll(recs)
	ignored := map[string]bool{}
	for _, k := range spec.Ignored {
		ignored[k] = true
	}
	// parse every bag once
	var bags [][]*types.Bag
	keyKind := map[string]types.Kind{}
	var keys []string
	for _, r := range recs {
		a := r.Column(spec.Col)
		s, _ := a.(*array.String)
		bs := make([]*types.Bag, r.NumRows())
		for i := range bs {
			if s == nil || s.IsNull(i) {
				continue
			}
			v, err := types.ParseDynamic(s.Value(i))
			if err != nil {
				continue
			}
			b, ok := v.(*types.Bag)
			if !ok {
				continue
			}
			bs[i] = b
			for j := 0; j < b.Len(); j++ {
				k, val := b.At(j)
				if ignored[k] {
					continue
				}
				old, seen := keyKind[k]
				if !seen {
					keys = append(keys, k)
					old = types.Null
				}
				keyKind[k] = mergeValueKind(old, val)
			}
		}
		bags = append(bags, bs)
	}
	sort.Strings(keys)

	// output layout
	type outCol struct {
		field arrow.Field
		in    int    // input column, or -1
		key   string // bag key when in < 0
		kind  types.Kind
	}
	var cols []outCol
	used := map[string]int{}
	if spec.Schema != nil {
		for _, f := range spec.Schema.Fields() {
			k := kernels.KindOf(f)
			oc := outCol{field: kernels.Field(f.Name, k), in: -1, kind: k}
			if idx := ins.FieldIndices(f.Name); len(idx) > 0 && idx[0] != spec.Col {
				oc.in = idx[0]
			} else {
				oc.key = strings.TrimPrefix(f.Name, spec.Prefix)
			}
			cols = append(cols, oc)
		}
	} else {
		for i, f := range ins.Fields() {
			if i == spec.Col {
				continue
			}
			used[f.Name] = len(cols)
			cols = append(cols, outCol{field: f, in: i, kind: kernels.KindOf(f)})
		}
		for _, k := range keys {
			name := spec.Prefix + k
			kind := keyKind[k]
			if kind == types.Null {
				kind = types.Dynamic
			}
			oc := outCol{field: kernels.Field(name, kind), in: -1, key: k, kind: kind}
			if at, clash := used[name]; clash {
				switch strings.ToLower(spec.Conflict) {
				case "replace_source":
					cols[at] = oc
				case "keep_source":
				default:
					return nil, fmt.Errorf("bag_unpack: column %s already exists (use columnsConflict='replace_source' or 'keep_source')", name)
				}
				continue
			}
			used[name] = len(cols)
			cols = append(cols, oc)
		}
	}
	fs := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fs[i] = c.field
	}
	schema := arrow.NewSchema(fs, nil)
	out := &materialized{schema: schema}
	for ri, r := range recs {
		n := int(r.NumRows())
		arrs := make([]arrow.Array, len(cols))
		for ci, c := range cols {
			if c.in >= 0 {
				a := r.Column(c.in)
				if !arrow.TypeEqual(a.DataType(), c.field.Type) {
					arrs[ci] = array.MakeArrayOfNull(mem, c.field.Type, n)
					continue
				}
				a.Retain()
				arrs[ci] = a
				continue
			}
			b := array.NewBuilder(mem, c.field.Type)
			for i := 0; i < n; i++ {
				bag := bags[ri][i]
				var v any
				found := false
				if bag != nil {
					v, found = bag.Get(c.key)
				}
				appendDynValue(b, c.kind, v, found)
			}
			arrs[ci] = b.NewArray()
			b.Release()
		}
		out.recs = append(out.recs, newRecord(schema, arrs, n))
	}
	return out, nil
}

// mergeValueKind folds the kind of a dynamic value into the column kind
// seen so far (Null: nothing yet).
func mergeValueKind(k types.Kind, v any) types.Kind {
	var vk types.Kind
	switch x := v.(type) {
	case nil:
		return k
	case bool:
		vk = types.Bool
	case int64:
		vk = types.Long
	case float64:
		vk = types.Real
	case string:
		vk = types.String
		_ = x
	default:
		vk = types.Dynamic
	}
	switch {
	case k == types.Null || k == vk:
		return vk
	case (k == types.Long && vk == types.Real) || (k == types.Real && vk == types.Long):
		return types.Real
	}
	return types.Dynamic
}

// appendDynValue appends a dynamic value to a builder of kind k.
func appendDynValue(b array.Builder, k types.Kind, v any, found bool) {
	if !found || v == nil {
		if k == types.String {
			b.(*array.StringBuilder).Append("")
			return
		}
		b.AppendNull()
		return
	}
	switch k {
	case types.Dynamic:
		b.(*array.StringBuilder).Append(types.FormatDynamic(v))
		return
	case types.String, types.Guid:
		if s, ok := v.(string); ok {
			b.(*array.StringBuilder).Append(s)
		} else {
			b.(*array.StringBuilder).Append(types.FormatDynamic(v))
		}
		return
	case types.DateTime, types.TimeSpan:
		if s, ok := v.(string); ok {
			appendText(b, k, s)
			return
		}
	case types.Int, types.Long, types.Real, types.Decimal, types.Bool:
		if s, ok := v.(string); ok {
			appendText(b, k, s)
			return
		}
		appendValue(b, v)
		return
	}
	b.AppendNull()
}

// NewPivot turns the output of a summarize by (keys..., pivot) into one row
// per key tuple and one column per distinct pivot value (named by its
// text, in ascending order). in's columns are the nkeys keys, the pivot
// value and the aggregate value. Missing cells are null, or 0 when fillZero.
func NewPivot(ctx context.Context, mem memory.Allocator, in Operator, nkeys int, fillZero bool) (Operator, error) {
	defer in.Close()
	ins := in.Schema()
	if ins.NumFields() != nkeys+2 {
		return nil, fmt.Errorf("pivot: unexpected input schema")
	}
	recs, _, err := drainAll(ctx, in)
	if err != nil {
		return nil, err
	}
	defer releaseAll(recs)
	all, err := concatRecords(mem, ins, recs)
	if err != nil {
		return nil, err
	}
	defer all.Release()
	n := int(all.NumRows())
	pk := kernels.KindOf(ins.Field(nkeys))
	pivotArr := all.Column(nkeys)
	names := map[string]int{}
	var order []string
	rowName := make([]string, n)
	for i := 0; i < n; i++ {
		var s string
		if !pivotArr.IsNull(i) {
			s = sourceText(pivotArr, pk, i)
		}
		rowName[i] = s
		if _, ok := names[s]; !ok {
			names[s] = 0
			order = append(order, s)
		}
	}
	sort.Strings(order)
	for i, s := range order {
		names[s] = i
	}
	// groups of key tuples, in first-appearance order
	keyCols := make([]keyCol, nkeys)
	for i := range keyCols {
		keyCols[i] = keyCol{arr: all.Column(i)}
	}
	groups := map[string]int{}
	var firstRow []int32
	cell := make([][]int32, len(order)) // [pivot][group] → row (-1 none)
	var buf []byte
	gOf := make([]int, n)
	for i := 0; i < n; i++ {
		buf = encodeKey(buf[:0], keyCols, i)
		g, ok := groups[string(buf)]
		if !ok {
			g = len(firstRow)
			groups[string(buf)] = g
			firstRow = append(firstRow, int32(i))
		}
		gOf[i] = g
	}
	for p := range cell {
		cell[p] = make([]int32, len(firstRow))
		for g := range cell[p] {
			cell[p][g] = -1
		}
	}
	for i := 0; i < n; i++ {
		cell[names[rowName[i]]][gOf[i]] = int32(i)
	}
	vf := ins.Field(nkeys + 1)
	fs := append([]arrow.Field(nil), ins.Fields()[:nkeys]...)
	used := map[string]bool{}
	for _, f := range fs {
		used[f.Name] = true
	}
	for _, s := range order {
		name := uniqueName(s, used)
		used[name] = true
		fs = append(fs, renamed(vf, name))
	}
	schema := arrow.NewSchema(fs, nil)
	cols := make([]arrow.Array, 0, len(fs))
	for c := 0; c < nkeys; c++ {
		cols = append(cols, takeArray(mem, all.Column(c), firstRow))
	}
	vk := kernels.KindOf(vf)
	for p := range order {
		a := takeArray(mem, all.Column(nkeys+1), cell[p])
		if fillZero && a.NullN() > 0 && vk.IsNumeric() {
			b := array.NewBuilder(mem, a.DataType())
			for g := 0; g < a.Len(); g++ {
				if a.IsNull(g) {
					appendValue(b, int64(0))
				} else {
					appendValue(b, valueOf(a, g))
				}
			}
			a.Release()
			a = b.NewArray()
			b.Release()
		}
		cols = append(cols, a)
	}
	out := &materialized{schema: schema}
	out.recs = append(out.recs, newRecord(schema, cols, len(firstRow)))
	return out, nil
}

// valueOf returns row i of a numeric array as int64 or float64.
func valueOf(a arrow.Array, i int) any {
	switch x := a.(type) {
	case *array.Int64:
		return x.Value(i)
	case *array.Int32:
		return int64(x.Value(i))
	case *array.Float64:
		return x.Value(i)
	}
	return nil
}

// NewIPv4Lookup runs the ipv4_lookup plugin: each input row's IPv4 address
// (column srcCol) is matched against the CIDR ranges (or single addresses)
// in column keyCol of the lookup table; the most specific range wins. The
// output is the input columns then the lookup columns (renamed on clashes);
// rows without a match are dropped unless returnUnmatched.
func NewIPv4Lookup(ctx context.Context, mem memory.Allocator, in, lookup Operator, srcCol, keyCol int, returnUnmatched bool) (Operator, error) {
	ls := lookup.Schema()
	recs, _, err := drainAll(ctx, lookup)
	lookup.Close()
	if err != nil {
		return nil, err
	}
	table, err := concatRecords(mem, ls, recs)
	releaseAll(recs)
	if err != nil {
		return nil, err
	}
	byLen := map[int]map[uint32]int32{}
	keys := table.Column(keyCol)
	for r := 0; r < int(table.NumRows()); r++ {
		if keys.IsNull(r) {
			continue
		}
		ip, bits, ok := parseCIDR4(sourceText(keys, types.String, r))
		if !ok {
			continue
		}
		m := byLen[bits]
		if m == nil {
			m = map[uint32]int32{}
			byLen[bits] = m
		}
		if _, dup := m[ip]; !dup {
			m[ip] = int32(r)
		}
	}
	var lens []int
	for l := range byLen {
		lens = append(lens, l)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(lens)))
	return &ipv4Lookup{mem: mem, in: in, table: table, byLen: byLen, lens: lens, src: srcCol,
		unmatched: returnUnmatched, schema: JoinSchema(in.Schema(), ls, JoinLeftOuter)}, nil
}

type ipv4Lookup struct {
	mem       memory.Allocator
	in        Operator
	table     arrow.Record
	byLen     map[int]map[uint32]int32
	lens      []int
	src       int
	unmatched bool
	schema    *arrow.Schema
}

func (l *ipv4Lookup) Schema() *arrow.Schema { return l.schema }
func (l *ipv4Lookup) Close() {
	if l.table != nil {
		l.table.Release()
		l.table = nil
	}
	l.in.Close()
}

func (l *ipv4Lookup) Next(ctx context.Context) (arrow.Record, error) {
	for {
		rec, err := l.in.Next(ctx)
		if err != nil || rec == nil {
			return nil, err
		}
		n := int(rec.NumRows())
		a := rec.Column(l.src)
		var lidx, ridx []int32
		for r := 0; r < n; r++ {
			match := int32(-1)
			if !a.IsNull(r) {
				if ip, _, ok := parseCIDR4(sourceText(a, types.String, r)); ok {
					for _, bits := range l.lens {
						if row, ok := l.byLen[bits][ip&mask4(bits)]; ok {
							match = row
							break
						}
					}
				}
			}
			if match < 0 && !l.unmatched {
				continue
			}
			lidx = append(lidx, int32(r))
			ridx = append(ridx, match)
		}
		if len(lidx) == 0 {
			rec.Release()
			continue
		}
		cols := takeRecordCols(l.mem, rec.Schema(), rec, lidx, nil)
		cols = takeRecordCols(l.mem, l.table.Schema(), l.table, ridx, cols)
		rec.Release()
		return newRecord(l.schema, cols, len(lidx)), nil
	}
}

func mask4(bits int) uint32 {
	if bits <= 0 {
		return 0
	}
	return ^uint32(0) << (32 - bits)
}

// parseCIDR4 parses "a.b.c.d" or "a.b.c.d/n" (the address masked to n bits).
func parseCIDR4(s string) (uint32, int, bool) {
	s = strings.TrimSpace(s)
	bits := 32
	if i := strings.IndexByte(s, '/'); i >= 0 {
		n, err := strconv.Atoi(s[i+1:])
		if err != nil || n < 0 || n > 32 {
			return 0, 0, false
		}
		bits, s = n, s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return 0, 0, false
	}
	var ip uint32
	for _, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > 255 {
			return 0, 0, false
		}
		ip = ip<<8 | uint32(v)
	}
	return ip & mask4(bits), bits, true
}
