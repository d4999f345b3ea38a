package plan

import (
	"context"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// buildRollingPercentile runs `evaluate rolling_percentile(Value, P,
// Index, BinSize, Window [, dims...])`: for each bin of Index (and each
// combination of dims) the nearest-rank P-th percentile of the values in
// that bin and the Window-1 bins before it.
func buildRollingPercentile(b *Builder, ev *ast.Evaluate, in ops.Operator) (ops.Operator, error) {
	args := ev.Call.Args
	schema := OutSchema(ev)
	colIdx := func(e ast.Expr) int { return argColumn(in.Schema(), e) }
	vi, ii := colIdx(args[0]), colIdx(args[2])
	if vi < 0 || ii < 0 {
		return nil, Errorf(ev, "rolling_percentile needs value and index columns")
	}
	var dims []int
	for _, d := range args[5:] {
		if k := colIdx(d); k >= 0 {
			dims = append(dims, k)
		}
	}
	p, _, err := b.EvalConst(args[1])
	if err != nil {
		return nil, err
	}
	size, _, err := b.EvalConst(args[3])
	if err != nil {
		return nil, err
	}
	win, _, err := b.EvalConst(args[4])
	if err != nil {
		return nil, err
	}
	pf, _ := toFloat(p)
	sf, _ := toFloat(size)
	wf, _ := toFloat(win)
	if sf <= 0 || wf < 1 {
		return nil, Errorf(ev, "rolling_percentile needs a positive bin size and window")
	}
	var ctx context.Context = b.Ctx().Context
	if ctx == nil {
		ctx = context.Background()
	}
	recs, err := ops.Drain(ctx, in)
	in.Close()
	if err != nil {
		return nil, err
	}
	defer ops.ReleaseRecords(recs)
	inSchema := in.Schema()
	vk, ik := kernels.KindOf(inSchema.Field(vi)), kernels.KindOf(inSchema.Field(ii))
	type group struct {
		dims []any
		bins map[float64][]any // bin start -> values
	}
	groups := map[string]*group{}
	var order []string
	for _, rec := range recs {
		vd := kernels.Datum{Array: rec.Column(vi), Kind: vk}
		id := kernels.Datum{Array: rec.Column(ii), Kind: ik}
		for r := 0; r < int(rec.NumRows()); r++ {
			iv, ok := toFloat(kernels.ValueAt(id, r))
			if !ok {
				continue
			}
			v := kernels.ValueAt(vd, r)
			if v == nil {
				continue
			}
			var key strings.Builder
			dv := make([]any, len(dims))
			for j, d := range dims {
				dv[j] = kernels.ValueAt(kernels.Datum{Array: rec.Column(d), Kind: kernels.KindOf(inSchema.Field(d))}, r)
				key.WriteString(types.FormatValue(kernels.KindOf(inSchema.Field(d)), dv[j]))
				key.WriteByte(0)
			}
			g := groups[key.String()]
			if g == nil {
				g = &group{dims: dv, bins: map[float64][]any{}}
				groups[key.String()] = g
				order = append(order, key.String())
			}
			bin := math.Floor(iv/sf) * sf
			g.bins[bin] = append(g.bins[bin], v)
		}
	}
	ncol := schema.NumFields()
	cols := make([][]any, ncol)
	for _, k := range order {
		g := groups[k]
		starts := make([]float64, 0, len(g.bins))
		for s := range g.bins {
			starts = append(starts, s)
		}
		sort.Float64s(starts)
		for _, s := range starts {
			var window []any
			for w := 0; w < int(wf); w++ {
				window = append(window, g.bins[s-float64(w)*sf]...)
			}
			sort.Slice(window, func(a, c int) bool {
				x, _ := toFloat(window[a])
				y, _ := toFloat(window[c])
				return x < y
			})
			rank := int(math.Ceil(pf / 100 * float64(len(window))))
			rank = min(max(rank, 1), len(window))
			var idxVal any = int64(s)
			if ik == types.Real || ik == types.Decimal {
				idxVal = s
			}
			cols[0] = append(cols[0], idxVal)
			for j := range dims {
				cols[1+j] = append(cols[1+j], g.dims[j])
			}
			cols[ncol-1] = append(cols[ncol-1], window[rank-1])
		}
	}
	arrs := make([]arrow.Array, ncol)
	n := 0
	for i := range arrs {
		arrs[i] = kernels.FromValuesMem(b.Mem(), kernels.KindOf(schema.Field(i)), cols[i])
		n = arrs[i].Len()
	}
	out := array.NewRecord(schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	defer out.Release()
	return ops.NewRecordsSource(schema, []arrow.Record{out}), nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// buildDcountIntersect appends s0..sN-1 to each row: the distinct counts
// of the intersections of the row's hll arguments (kernels.HllIntersections).
func buildDcountIntersect(b *Builder, ev *ast.Evaluate, in ops.Operator) (ops.Operator, error) {
	schema := OutSchema(ev)
	evs := make([]ops.ColSpec, 0, schema.NumFields())
	nin := in.Schema().NumFields()
	for i := 0; i < nin; i++ {
		evs = append(evs, ops.ColSpec{Input: i})
	}
	var args []expr.Evaluator
	for _, a := range ev.Call.Args {
		e, err := b.Compile(a, in.Schema())
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	sh := &intersectShared{args: args, cache: map[arrow.Record][][]int64{}}
	for i := range args {
		evs = append(evs, ops.ColSpec{Input: -1, Eval: &intersectCol{sh: sh, i: i}, Kind: types.Long})
	}
	return ops.NewProject(b.Ctx(), in, schema, evs), nil
}

type intersectShared struct {
	args  []expr.Evaluator
	mu    sync.Mutex
	cache map[arrow.Record][][]int64
	reads map[arrow.Record]int
}

// counts computes the intersections of every row of rec once for all the
// s<i> columns.
func (s *intersectShared) counts(ctx *kernels.Ctx, rec arrow.Record) ([][]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reads == nil {
		s.reads = map[arrow.Record]int{}
	}
	if c, ok := s.cache[rec]; ok {
		s.reads[rec]++
		if s.reads[rec] >= len(s.args) {
			delete(s.cache, rec)
			delete(s.reads, rec)
		}
		return c, nil
	}
	n := int(rec.NumRows())
	texts := make([][]string, len(s.args))
	for i, a := range s.args {
		d, err := a.Eval(ctx, rec)
		if err != nil {
			return nil, err
		}
		get := kernels.Strings(d)
		texts[i] = make([]string, n)
		for r := 0; r < n; r++ {
			texts[i][r], _ = get(r)
		}
		d.Release()
	}
	out := make([][]int64, n)
	row := make([]string, len(s.args))
	for r := 0; r < n; r++ {
		for i := range s.args {
			row[i] = texts[i][r]
		}
		c, err := kernels.HllIntersections(row)
		if err != nil {
			return nil, err
		}
		out[r] = c
	}
	s.cache[rec] = out
	s.reads[rec] = 1
	if len(s.args) == 1 {
		delete(s.cache, rec)
		delete(s.reads, rec)
	}
	return out, nil
}

type intersectCol struct {
	sh *intersectShared
	i  int
}

func (c *intersectCol) Kind() types.Kind { return types.Long }

func (c *intersectCol) Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	counts, err := c.sh.counts(ctx, rec)
	if err != nil {
		return kernels.Datum{}, err
	}
	vals := make([]int64, len(counts))
	for r, cs := range counts {
		vals[r] = cs[c.i]
	}
	return kernels.Datum{Array: kernels.MakeArray(kernels.Mem(ctx), types.Long, vals, nil), Kind: types.Long}, nil
}

// argColumn is the index in schema of a plugin argument that names a
// column, or -1 when the argument is not a column name of schema.
func argColumn(schema *arrow.Schema, e ast.Expr) int {
	if id, ok := e.(*ast.Ident); ok {
		if idx := schema.FieldIndices(id.Name); len(idx) > 0 {
			return idx[0]
		}
	}
	return -1
}
