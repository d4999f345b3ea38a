package ops

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// NewPartition runs `partition by Col (subquery)`: the input is split by
// the values of column col (groups in order of first appearance), sub is
// built over each group's rows, and the outputs are concatenated. schema
// is the subquery's output schema.
func NewPartition(ctx context.Context, mem memory.Allocator, in Operator, col int, sub func(Operator) (Operator, error), schema *arrow.Schema) (Operator, error) {
	defer in.Close()
	ins := in.Schema()
	if col < 0 || col >= ins.NumFields() {
		return nil, fmt.Errorf("partition: column out of range")
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
	groups := map[string]int{}
	var rows [][]int32
	var buf []byte
	kc := []keyCol{{arr: all.Column(col)}}
	for r := 0; r < int(all.NumRows()); r++ {
		buf = encodeKey(buf[:0], kc, r)
		g, ok := groups[string(buf)]
		if !ok {
			g = len(rows)
			groups[string(buf)] = g
			rows = append(rows, nil)
		}
		rows[g] = append(rows[g], int32(r))
	}
	out := &materialized{schema: schema}
	for _, idx := range rows {
		part := newRecord(ins, takeRecordCols(mem, ins, all, idx, nil), len(idx))
		op, err := sub(&materialized{schema: ins, recs: []arrow.Record{part}})
		if err != nil {
			out.Close()
			return nil, err
		}
		res, _, err := drainAll(ctx, op)
		op.Close()
		if err != nil {
			out.Close()
			return nil, err
		}
		for _, r := range res {
			out.recs = append(out.recs, conformRecord(mem, r, schema))
			r.Release()
		}
	}
	return out, nil
}

// conformRecord returns rec with schema s (columns matched by position;
// a column of another type becomes nulls).
func conformRecord(mem memory.Allocator, rec arrow.Record, s *arrow.Schema) arrow.Record {
	n := int(rec.NumRows())
	cols := make([]arrow.Array, s.NumFields())
	for i, f := range s.Fields() {
		if i < int(rec.NumCols()) && arrow.TypeEqual(rec.Column(i).DataType(), f.Type) {
			cols[i] = rec.Column(i)
			cols[i].Retain()
			continue
		}
		cols[i] = array.MakeArrayOfNull(mem, f.Type, n)
	}
	return newRecord(s, cols, n)
}
