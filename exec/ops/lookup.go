package ops

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// LookupSchema is the output schema of lookup: the left columns, then the
// right columns except its keys, renamed on clashes as join does.
func LookupSchema(left, right *arrow.Schema, rkeys []int) (*arrow.Schema, []int) {
	isKey := map[int]bool{}
	for _, k := range rkeys {
		isKey[k] = true
	}
	var keep []int
	var fs []arrow.Field
	for i, f := range right.Fields() {
		if !isKey[i] {
			keep = append(keep, i)
			fs = append(fs, f)
		}
	}
	return JoinSchema(left, arrow.NewSchema(fs, nil), JoinLeftOuter), keep
}

// NewLookup returns the lookup operator: a join of kind leftouter (default)
// or inner that always builds on the right (dimension) side, streams the
// left side in order, and does not repeat the right key columns.
func NewLookup(mem memory.Allocator, left, right Operator, inner bool, lkeys, rkeys []int) (*HashJoin, error) {
	kind := JoinLeftOuter
	if inner {
		kind = JoinInner
	}
	j, err := NewHashJoin(mem, left, right, kind, lkeys, rkeys)
	if err != nil {
		return nil, err
	}
	j.schema, j.rightCols = LookupSchema(left.Schema(), right.Schema(), rkeys)
	j.buildRight = true
	return j, nil
}
