package kernels

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/compute"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Dictionary-encoded strings (issue 12). Parquet string columns may arrive
// as Arrow Dictionary<int32, String> arrays (exec/source with
// catalog.ScanOptions.Dict). Every reader in this package (Strings,
// ValueAt, sxStr, …) reads them row by row through the dictionary; the
// helpers below let kernels and operators work per dictionary entry.

// StringDict returns the dictionary array and its string values when a is
// a dictionary of strings, else nil, nil.
func StringDict(a arrow.Array) (*array.Dictionary, *array.String) {
	d, ok := a.(*array.Dictionary)
	if !ok {
		return nil, nil
	}
	s, ok := d.Dictionary().(*array.String)
	if !ok {
		return nil, nil
	}
	return d, s
}

// DictIndices returns, per row of d, its dictionary index, with null rows
// given the index null (the caller's extra entry, e.g. len(dictionary)).
func DictIndices(d *array.Dictionary, null int) []int32 {
	n := d.Len()
	out := make([]int32, n)
	switch ix := d.Indices().(type) {
	case *array.Int32:
		copy(out, ix.Int32Values())
	default:
		for i := 0; i < n; i++ {
			out[i] = int32(d.GetValueIndex(i))
		}
	}
	if d.NullN() > 0 {
		for i := 0; i < n; i++ {
			if d.IsNull(i) {
				out[i] = int32(null)
			}
		}
	}
	return out
}

// DecodeDict expands a dictionary of strings into a plain String array
// (nulls stay null) in one pass with buffers sized once; other arrays are
// returned retained as they are. For operators that need plain strings.
func DecodeDict(mem memory.Allocator, a arrow.Array) arrow.Array {
	d, vals := StringDict(a)
	if d == nil {
		a.Retain()
		return a
	}
	n := d.Len()
	size := 0
	for i := 0; i < n; i++ {
		if d.IsValid(i) {
			size += vals.ValueLen(d.GetValueIndex(i))
		}
	}
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(n)
	b.ReserveData(size)
	for i := 0; i < n; i++ {
		if d.IsNull(i) {
			b.AppendNull()
			continue
		}
		b.Append(vals.Value(d.GetValueIndex(i)))
	}
	return b.NewArray()
}

// dictEntries returns the dictionary's strings plus one extra entry "" at
// index len (the value a null row of kind string reads as).
func dictEntries(mem memory.Allocator, vals *array.String) *array.String {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(vals.Len() + 1)
	b.ReserveData(len(vals.ValueBytes()))
	for i := 0; i < vals.Len(); i++ {
		if vals.IsNull(i) {
			b.Append("")
		} else {
			b.Append(vals.Value(i))
		}
	}
	b.Append("")
	return b.NewStringArray()
}

// dictKernels are the row-wise pure string kernels evaluated once per
// dictionary entry when their only column argument is a dictionary of
// strings (the other arguments constant): comparisons with constants,
// the string operators, in/!in, and unary string functions.
var dictKernels = map[string]bool{
	"__eq_string": true, "__neq_string": true, "__eq_ci_string": true, "__neq_ci_string": true,
	"__lt_string": true, "__gt_string": true, "__le_string": true, "__ge_string": true,
	"__in_any": true, "__notin_any": true, "__in_ci_any": true, "__notin_ci_any": true,
	"has_any_any": true, "has_all_any": true,
	"extract_string": true, "replace_regex_string": true, "replace_string_string": true,
	"tolower_string": true, "toupper_string": true, "strlen_string": true,
	"trim_string": true, "trim_start_string": true, "trim_end_string": true,
	"substring_any": true, "indexof_any": true, "countof_string": true,
}

func init() {
	for _, op := range []string{"==", "!=", "=~", "!~", "has", "!has", "has_cs", "!has_cs",
		"hasprefix", "!hasprefix", "hasprefix_cs", "!hasprefix_cs", "hassuffix", "!hassuffix",
		"hassuffix_cs", "!hassuffix_cs", "contains", "!contains", "contains_cs", "!contains_cs",
		"startswith", "!startswith", "startswith_cs", "!startswith_cs", "endswith", "!endswith",
		"endswith_cs", "!endswith_cs", "matches regex", "like", "notlike", "like_cs", "notlike_cs"} {
		b := make([]byte, 0, len(op)+8)
		for i := 0; i < len(op); i++ {
			switch op[i] {
			case '!':
				b = append(b, "not"...)
			case ' ':
				b = append(b, '_')
			default:
				b = append(b, op[i])
			}
		}
		dictKernels[string(b)+"_string"] = true
	}
}

// dictWrap returns k evaluated per dictionary entry when it applies (see
// dictKernels), else k itself.
func dictWrap(id string, k ScalarKernel) ScalarKernel {
	if !dictKernels[id] {
		return k
	}
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		col := -1
		for i, a := range args {
			if a.Scalar || a.Array == nil {
				continue
			}
			if col >= 0 {
				return k(ctx, args, n)
			}
			col = i
		}
		if col < 0 || args[col].Kind != types.String {
			return k(ctx, args, n)
		}
		d, vals := StringDict(args[col].Array)
		if d == nil || d.Len() != n || 2*(vals.Len()+1) > n {
			return k(ctx, args, n)
		}
		ents := dictEntries(ctx.Mem, vals)
		defer ents.Release()
		dargs := append([]Datum(nil), args...)
		dargs[col] = Datum{Array: ents, Kind: types.String}
		m := ents.Len()
		res, err := k(ctx, dargs, m)
		if err != nil || res.Scalar || res.Array == nil || res.Array.Len() != m {
			return res, err
		}
		defer res.Release()
		idx := DictIndices(d, m-1)
		if s, ok := res.Array.(*array.String); ok && res.Kind == types.String {
			ib := array.NewInt32Builder(ctx.Mem)
			defer ib.Release()
			ib.AppendValues(idx, nil)
			ia := ib.NewArray()
			defer ia.Release()
			dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
			return Datum{Array: array.NewDictionaryArray(dt, ia, s), Kind: res.Kind}, nil
		}
		out, err := gatherEntries(ctx.Mem, res.Array, idx)
		if err != nil {
			return Datum{}, err
		}
		return Datum{Array: out, Kind: res.Kind}, nil
	}
}

// gatherEntries returns vals[idx[i]] for every i.
func gatherEntries(mem memory.Allocator, vals arrow.Array, idx []int32) (arrow.Array, error) {
	switch v := vals.(type) {
	case *array.Boolean:
		return gatherBools(mem, v, idx), nil
	case *array.Int64:
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.Reserve(len(idx))
		for _, j := range idx {
			if v.IsNull(int(j)) {
				b.AppendNull()
			} else {
				b.UnsafeAppend(v.Value(int(j)))
			}
		}
		return b.NewArray(), nil
	}
	ib := array.NewInt32Builder(mem)
	defer ib.Release()
	ib.AppendValues(idx, nil)
	ia := ib.NewArray()
	defer ia.Release()
	return compute.TakeArray(compute.WithAllocator(context.Background(), mem), vals, ia)
}

// gatherBools is gatherEntries for a bool result per entry (the
// predicates of a where): one state byte per entry, bits written
// directly.
func gatherBools(mem memory.Allocator, v *array.Boolean, idx []int32) arrow.Array {
	state := make([]byte, v.Len()) // 0 false, 1 true, 2 null
	anyNull := false
	for j := range state {
		switch {
		case v.IsNull(j):
			state[j] = 2
			anyNull = true
		case v.Value(j):
			state[j] = 1
		}
	}
	n := len(idx)
	nb := int(bitutil.BytesForBits(int64(n)))
	vals := memory.NewResizableBuffer(mem)
	vals.Resize(nb)
	vb := vals.Bytes()
	for i := range vb {
		vb[i] = 0
	}
	var valid *memory.Buffer
	var lb []byte
	if anyNull {
		valid = memory.NewResizableBuffer(mem)
		valid.Resize(nb)
		lb = valid.Bytes()
		for i := range lb {
			lb[i] = 0xff
		}
	}
	nulls := 0
	for i, j := range idx {
		switch state[j] {
		case 1:
			vb[i>>3] |= 1 << (i & 7)
		case 2:
			lb[i>>3] &^= 1 << (i & 7)
			nulls++
		}
	}
	d := array.NewData(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{valid, vals}, nil, nulls, 0)
	vals.Release()
	if valid != nil {
		valid.Release()
	}
	defer d.Release()
	return array.MakeFromData(d)
}
