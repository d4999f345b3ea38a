package ops

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// TopNestedFusedSpec is a top-nested (without `with others`) whose level
// aggregates merge exactly (count, sum of integers, min, max, dcount, …):
// Keys are the levels' keys, Aggs[L] the aggregate of level L, KeyFields
// and AggFields the level tables' fields, N and Desc the levels' options.
type TopNestedFusedSpec struct {
	Keys      []expr.Evaluator
	KeyKinds  []types.Kind
	KeyFields []arrow.Field
	Aggs      []AggSpec
	AggFields []arrow.Field
	N         []int64
	Desc      []bool
}

// NewTopNestedFused runs a top-nested as one parallel aggregation of the
// input grouped by all level keys, with every level's aggregate: level L's
// table (keys 1..L and its aggregate) is then derived by merging the
// states of the groups sharing keys 1..L (AggState.Merge), instead of one
// summarize per level over the materialised input. Level groups keep the
// order a summarize by keys 1..L gives (first appearance, worker by
// worker), so NewTopNested ranks ties the same way.
func NewTopNestedFused(ctx context.Context, kctx *kernels.Ctx, in Operator, spec TopNestedFusedSpec, schema *arrow.Schema) (Operator, error) {
	k := len(spec.Keys)
	if k == 0 || len(spec.Aggs) != k || len(spec.KeyFields) != k || len(spec.AggFields) != k {
		in.Close()
		return nil, fmt.Errorf("top-nested: bad fused spec")
	}
	s := &Summarize{kctx: kctx, in: in, spec: SummarizeSpec{Keys: spec.Keys, KeyKinds: spec.KeyKinds, Aggs: spec.Aggs}}
	defer s.Close()
	nw := max(Workers, 1)
	workers := make([]*aggWorker, nw)
	adders := make([]func(arrow.Record, int64) error, nw)
	for i := range workers {
		w, err := s.newWorker()
		if err != nil {
			return nil, err
		}
		workers[i], adders[i] = w, w.add
	}
	defer func() {
		for _, w := range workers {
			w.gk.release()
		}
	}()
	if err := fanOut(ctx, in, adders); err != nil {
		return nil, err
	}
	var levels []TopNestedLevel
	closeLevels := func() {
		for _, l := range levels {
			l.In.Close()
		}
	}
	err := guard(func() error {
		g, err := s.mergeWorkers(workers)
		if err != nil {
			return err
		}
		if g != workers[0] {
			defer g.gk.release()
		}
		for L := 0; L < k; L++ {
			rec, err := s.topNestedLevel(g, spec, L)
			if err != nil {
				return err
			}
			fields := append(append([]arrow.Field(nil), spec.KeyFields[:L+1]...), spec.AggFields[L])
			ls := arrow.NewSchema(fields, nil)
			levels = append(levels, TopNestedLevel{In: NewRecordsSource(ls, []arrow.Record{rec}), N: spec.N[L], Desc: spec.Desc[L]})
			rec.Release()
		}
		return nil
	})
	if err != nil {
		closeLevels()
		return nil, err
	}
	return NewTopNested(ctx, kctx.Mem, levels, schema)
}

// topNestedLevel builds level L's table from the merged worker g: one row
// per distinct keys 1..L+1 (in order of their first group), the keys and
// the level's aggregate over those groups.
func (s *Summarize) topNestedLevel(g *aggWorker, spec TopNestedFusedSpec, L int) (arrow.Record, error) {
	k := len(spec.Keys)
	ng := g.ngroup
	mapping := make([]uint32, ng)
	var reps []int // each level group's first group
	pairs := make([]pairTable, L)
	var dense []int32 // prefix id → level group (-1: none yet)
	for gi := 0; gi < ng; gi++ {
		ids := g.gk.gcols[gi*k : gi*k+k]
		id := ids[0]
		for j := 1; j <= L; j++ {
			id = pairs[j-1].intern(id, ids[j])
		}
		for int(id) >= len(dense) {
			dense = append(dense, -1)
		}
		if dense[id] < 0 {
			dense[id] = int32(len(reps))
			reps = append(reps, gi)
		}
		mapping[gi] = uint32(dense[id])
	}
	a := spec.Aggs[L]
	st, err := a.Kernel(s.kctx, a.ArgKinds, a.Consts, a.Result)
	if err != nil {
		return nil, err
	}
	nl := len(reps)
	if err := st.Merge(g.states[L], mapping, nl); err != nil {
		return nil, err
	}
	mem := s.kctx.Mem
	cols := make([]arrow.Array, 0, L+2)
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	for j := 0; j <= L; j++ {
		arr, err := s.keyColumn(g, reps, j, spec.KeyFields[j])
		if err != nil {
			release()
			return nil, err
		}
		cols = append(cols, arr)
	}
	arr, err := st.Finish(mem, nl)
	if err != nil {
		release()
		return nil, err
	}
	c, err := ConformArray(mem, arr, a.Result, kernels.KindOf(spec.AggFields[L]))
	arr.Release()
	if err != nil {
		release()
		return nil, err
	}
	cols = append(cols, c)
	fields := append(append([]arrow.Field(nil), spec.KeyFields[:L+1]...), spec.AggFields[L])
	rec := array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(nl))
	release()
	return rec, nil
}
