package expr

import (
	"fmt"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ScalarDatum returns a one-row scalar Datum holding v (Go value of kind k
// per lang/types/values.go; nil is null). The caller releases it.
func ScalarDatum(mem memory.Allocator, k types.Kind, v any) (kernels.Datum, error) {
	arr, err := MakeArray(mem, k, []any{v})
	if err != nil {
		return kernels.Datum{}, err
	}
	return kernels.Datum{Array: arr, Scalar: true, Kind: k}, nil
}

// MakeArray builds an Arrow array of kind k from Go values.
func MakeArray(mem memory.Allocator, k types.Kind, vals []any) (arrow.Array, error) {
	if k == types.Null || k == types.Unknown {
		k = types.String
	}
	b := NewBuilder(mem, k)
	defer b.Release()
	for _, v := range vals {
		if err := AppendValue(b, k, v); err != nil {
			return nil, err
		}
	}
	return b.NewArray(), nil
}

// NewBuilder returns an Arrow builder for KQL kind k.
func NewBuilder(mem memory.Allocator, k types.Kind) array.Builder {
	return array.NewBuilder(mem, kernels.ArrowType(k))
}

// AppendValue appends a Go value of kind k to a builder made by NewBuilder.
func AppendValue(b array.Builder, k types.Kind, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch bb := b.(type) {
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return fmt.Errorf("cannot use %T as bool", v)
		}
		bb.Append(x)
	case *array.Int32Builder:
		n, ok := asInt(v)
		if !ok {
			return fmt.Errorf("cannot use %T as int", v)
		}
		bb.Append(int32(n))
	case *array.Int64Builder:
		n, ok := asInt(v)
		if !ok {
			return fmt.Errorf("cannot use %T as long", v)
		}
		bb.Append(n)
	case *array.Float64Builder:
		switch x := v.(type) {
		case float64:
			bb.Append(x)
		case float32:
			bb.Append(float64(x))
		default:
			n, ok := asInt(v)
			if !ok {
				return fmt.Errorf("cannot use %T as real", v)
			}
			bb.Append(float64(n))
		}
	case *array.TimestampBuilder:
		switch x := v.(type) {
		case time.Time:
			bb.Append(arrow.Timestamp(x.UnixNano()))
		default:
			n, ok := asInt(v)
			if !ok {
				return fmt.Errorf("cannot use %T as datetime", v)
			}
			bb.Append(arrow.Timestamp(n))
		}
	case *array.DurationBuilder:
		switch x := v.(type) {
		case time.Duration:
			bb.Append(arrow.Duration(x))
		default:
			n, ok := asInt(v)
			if !ok {
				return fmt.Errorf("cannot use %T as timespan", v)
			}
			bb.Append(arrow.Duration(n))
		}
	case *array.StringBuilder:
		if k == types.Dynamic {
			bb.Append(types.FormatDynamic(v))
			return nil
		}
		switch x := v.(type) {
		case string:
			bb.Append(x)
		default:
			bb.Append(types.FormatValue(k, v))
		}
	default:
		return fmt.Errorf("unsupported builder %T", b)
	}
	return nil
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case int:
		return int64(x), true
	case float64:
		return int64(x), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// ValueAt returns row i of arr (of kind k) as a Go value per
// lang/types/values.go (dynamic decoded); nil for null.
func ValueAt(arr arrow.Array, i int, k types.Kind) any {
	if arr == nil || arr.IsNull(i) {
		if k == types.String && arr != nil {
			return ""
		}
		return nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int32:
		if k == types.Long {
			return int64(a.Value(i))
		}
		return a.Value(i)
	case *array.Int64:
		if k == types.Int {
			return int32(a.Value(i))
		}
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Timestamp:
		return int64(a.Value(i))
	case *array.Duration:
		return int64(a.Value(i))
	case *array.String:
		s := a.Value(i)
		if k == types.Dynamic {
			v, err := types.ParseDynamic(s)
			if err != nil {
				return s
			}
			return v
		}
		return s
	case *array.LargeString:
		return a.Value(i)
	case *array.Dictionary:
		return ValueAt(a.Dictionary(), a.GetValueIndex(i), k)
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Uint32:
		return int64(a.Value(i))
	case *array.Uint64:
		return int64(a.Value(i))
	}
	return nil
}

// DatumValue returns the value of logical row i of a Datum.
func DatumValue(d kernels.Datum, i int) any {
	return ValueAt(d.Array, d.Row(i), d.Kind)
}

// Expand returns d as a full array of n rows (a scalar is repeated). The
// caller releases the result.
func Expand(mem memory.Allocator, d kernels.Datum, n int) (arrow.Array, error) {
	if !d.Scalar {
		d.Array.Retain()
		return d.Array, nil
	}
	if d.Array.Len() == n {
		d.Array.Retain()
		return d.Array, nil
	}
	v := ValueAt(d.Array, 0, d.Kind)
	if d.Kind == types.Dynamic {
		// keep the JSON text exactly
		if s, ok := d.Array.(*array.String); ok && !s.IsNull(0) {
			b := array.NewStringBuilder(mem)
			defer b.Release()
			txt := s.Value(0)
			b.Reserve(n)
			for i := 0; i < n; i++ {
				b.Append(txt)
			}
			return b.NewArray(), nil
		}
	}
	k := d.Kind
	if k == types.Null || k == types.Unknown {
		k = kernels.KindOfArrow(d.Array.DataType())
	}
	b := array.NewBuilder(mem, d.Array.DataType())
	defer b.Release()
	b.Reserve(n)
	if v == nil {
		b.AppendNulls(n)
		return b.NewArray(), nil
	}
	for i := 0; i < n; i++ {
		if err := AppendValue(b, k, v); err != nil {
			return nil, err
		}
	}
	return b.NewArray(), nil
}
