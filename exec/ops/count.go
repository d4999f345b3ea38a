package ops

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Count is the count operator: one row with the number of input rows.
type Count struct {
	mem    memory.Allocator
	in     Operator
	schema *arrow.Schema
	done   bool
}

// NewCount returns the count operator with the given output schema (one long column).
func NewCount(mem memory.Allocator, in Operator, schema *arrow.Schema) *Count {
	return &Count{mem: mem, in: in, schema: schema}
}

// Schema implements Operator.
func (c *Count) Schema() *arrow.Schema { return c.schema }

// Close implements Operator.
func (c *Count) Close() { c.in.Close() }

// Next implements Operator.
func (c *Count) Next(ctx context.Context) (arrow.Record, error) {
	if c.done {
		return nil, nil
	}
	c.done = true
	var n int64
	for {
		r, err := c.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if r == nil {
			break
		}
		n += r.NumRows()
		r.Release()
	}
	b := array.NewInt64Builder(c.mem)
	defer b.Release()
	b.Append(n)
	a := b.NewArray()
	defer a.Release()
	return array.NewRecord(c.schema, []arrow.Array{a}, 1), nil
}
