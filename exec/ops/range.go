package ops

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Range generates `range x from A to B step S` (inclusive of B).
type Range struct {
	mem      memory.Allocator
	schema   *arrow.Schema
	kind     types.Kind
	fromI    int64
	toI      int64
	stepI    int64
	fromF    float64
	toF      float64
	stepF    float64
	i        int64 // next index
	n        int64 // number of values
	maxBatch int
}

// MaxRangeRows bounds the rows range may generate.
const MaxRangeRows = 1 << 31

// NewRange returns a range source; from/to/step are Go values of the
// column's kind (int64 for long, datetime and timespan; float64 for real).
func NewRange(mem memory.Allocator, schema *arrow.Schema, from, to, step any) (*Range, error) {
	r := &Range{mem: mem, schema: schema, kind: kernels.KindOf(schema.Field(0)), maxBatch: DefaultBatchRows}
	if from == nil || to == nil || step == nil {
		return r, nil
	}
	switch r.kind {
	case types.Real, types.Decimal:
		r.fromF, r.toF, r.stepF = toF(from), toF(to), toF(step)
		if r.stepF == 0 {
			return nil, fmt.Errorf("range step cannot be 0")
		}
		cnt := (r.toF-r.fromF)/r.stepF + 1
		if cnt < 0 {
			cnt = 0
		}
		r.n = int64(cnt + 1e-9)
	default:
		r.fromI, r.toI, r.stepI = toI(from), toI(to), toI(step)
		if r.stepI == 0 {
			return nil, fmt.Errorf("range step cannot be 0")
		}
		if (r.stepI > 0 && r.toI >= r.fromI) || (r.stepI < 0 && r.toI <= r.fromI) {
			r.n = (r.toI-r.fromI)/r.stepI + 1
		}
	}
	if r.n > MaxRangeRows {
		return nil, fmt.Errorf("range would produce %d rows (at most %d)", r.n, MaxRangeRows)
	}
	return r, nil
}

func toF(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	}
	return 0
}

func toI(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}

// Schema implements Operator.
func (r *Range) Schema() *arrow.Schema { return r.schema }

// Close implements Operator.
func (r *Range) Close() {}

// Next implements Operator.
func (r *Range) Next(ctx context.Context) (arrow.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.i >= r.n {
		return nil, nil
	}
	cnt := min(r.n-r.i, int64(r.maxBatch))
	b := array.NewBuilder(r.mem, r.schema.Field(0).Type)
	defer b.Release()
	b.Reserve(int(cnt))
	for k := int64(0); k < cnt; k++ {
		idx := r.i + k
		switch bb := b.(type) {
		case *array.Float64Builder:
			bb.UnsafeAppend(r.fromF + float64(idx)*r.stepF)
		case *array.Int64Builder:
			bb.UnsafeAppend(r.fromI + idx*r.stepI)
		case *array.Int32Builder:
			bb.UnsafeAppend(int32(r.fromI + idx*r.stepI))
		case *array.TimestampBuilder:
			bb.UnsafeAppend(arrow.Timestamp(r.fromI + idx*r.stepI))
		case *array.DurationBuilder:
			bb.UnsafeAppend(arrow.Duration(r.fromI + idx*r.stepI))
		default:
			return nil, fmt.Errorf("range over %s is not supported", r.kind)
		}
	}
	r.i += cnt
	a := b.NewArray()
	defer a.Release()
	return array.NewRecord(r.schema, []arrow.Array{a}, cnt), nil
}
