package plan

import (
	"context"
	"math"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// buildActivityCounts runs `evaluate activity_counts_metrics(Id, Time,
// Start, End, Step [, dims...])`: per step from Start to End (and per
// dimension values), the rows, the distinct ids, the ids not seen in
// earlier steps, and the distinct ids so far.
func buildActivityCounts(b *Builder, ev *ast.Evaluate, in ops.Operator) (ops.Operator, error) {
	args := ev.Call.Args
	schema := OutSchema(ev)
	colIdx := func(e ast.Expr) int { return argColumn(in.Schema(), e) }
	idc, tc := colIdx(args[0]), colIdx(args[1])
	if idc < 0 || tc < 0 {
		return nil, Errorf(ev, "activity_counts_metrics needs id and timeline columns")
	}
	var dims []int
	for _, d := range args[5:] {
		if k := colIdx(d); k >= 0 {
			dims = append(dims, k)
		}
	}
	var bounds [3]float64
	for i := range bounds {
		v, _, err := b.EvalConst(args[2+i])
		if err != nil {
			return nil, err
		}
		f, ok := toFloat(v)
		if !ok {
			return nil, Errorf(args[2+i], "activity_counts_metrics needs constant start, end and step")
		}
		bounds[i] = f
	}
	start, end, step := bounds[0], bounds[1], bounds[2]
	if step <= 0 || end < start {
		return nil, Errorf(ev, "activity_counts_metrics needs start <= end and a positive step")
	}
	nb := int(math.Floor((end-start)/step)) + 1
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
	ins := in.Schema()
	type group struct {
		dims  []any
		count []int64
		ids   []map[string]bool
	}
	groups := map[string]*group{}
	var order []string
	for _, rec := range recs {
		for r := 0; r < int(rec.NumRows()); r++ {
			tv, ok := toFloat(kernels.ValueAt(kernels.Datum{Array: rec.Column(tc), Kind: kernels.KindOf(ins.Field(tc))}, r))
			if !ok || tv < start {
				continue
			}
			bi := int(math.Floor((tv - start) / step))
			if bi >= nb {
				continue
			}
			idv := kernels.ValueAt(kernels.Datum{Array: rec.Column(idc), Kind: kernels.KindOf(ins.Field(idc))}, r)
			if idv == nil {
				continue
			}
			var key strings.Builder
			dv := make([]any, len(dims))
			for j, d := range dims {
				k := kernels.KindOf(ins.Field(d))
				dv[j] = kernels.ValueAt(kernels.Datum{Array: rec.Column(d), Kind: k}, r)
				key.WriteString(types.FormatValue(k, dv[j]))
				key.WriteByte(0)
			}
			g := groups[key.String()]
			if g == nil {
				g = &group{dims: dv, count: make([]int64, nb), ids: make([]map[string]bool, nb)}
				groups[key.String()] = g
				order = append(order, key.String())
			}
			g.count[bi]++
			if g.ids[bi] == nil {
				g.ids[bi] = map[string]bool{}
			}
			g.ids[bi][types.FormatValue(kernels.KindOf(ins.Field(idc)), idv)] = true
		}
	}
	ncol := schema.NumFields()
	cols := make([][]any, ncol)
	for _, k := range order {
		g := groups[k]
		seen := map[string]bool{}
		for bi := 0; bi < nb; bi++ {
			newc := int64(0)
			for id := range g.ids[bi] {
				if !seen[id] {
					seen[id] = true
					newc++
				}
			}
			cols[0] = append(cols[0], int64(start+float64(bi)*step))
			for j := range dims {
				cols[1+j] = append(cols[1+j], g.dims[j])
			}
			c := len(dims) + 1
			cols[c] = append(cols[c], g.count[bi])
			cols[c+1] = append(cols[c+1], int64(len(g.ids[bi])))
			cols[c+2] = append(cols[c+2], newc)
			cols[c+3] = append(cols[c+3], int64(len(seen)))
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

// buildActiveUsers runs `evaluate active_users_count(Id, Time, Start, End,
// Lookback, Period, ActivePeriods, Bin [, dims...])`: per Bin from Start
// (and per dimension values), the distinct ids that, at one of their rows
// in the bin, were seen in at least ActivePeriods distinct Periods within
// the Lookback window before it ((t-Lookback, t]); bins with none are left out.
func buildActiveUsers(b *Builder, ev *ast.Evaluate, in ops.Operator) (ops.Operator, error) {
	args := ev.Call.Args
	schema := OutSchema(ev)
	colIdx := func(e ast.Expr) int { return argColumn(in.Schema(), e) }
	idc, tc := colIdx(args[0]), colIdx(args[1])
	if idc < 0 || tc < 0 {
		return nil, Errorf(ev, "active_users_count needs id and timeline columns")
	}
	var dims []int
	for _, d := range args[8:] {
		if k := colIdx(d); k >= 0 {
			dims = append(dims, k)
		}
	}
	var p [6]float64 // start, end, lookback, period, active, bin
	for i := range p {
		v, _, err := b.EvalConst(args[2+i])
		if err != nil {
			return nil, err
		}
		f, ok := toFloat(v)
		if !ok {
			return nil, Errorf(args[2+i], "active_users_count needs constant parameters")
		}
		p[i] = f
	}
	start, end, look, period, active, bin := p[0], p[1], p[2], p[3], p[4], p[5]
	if period <= 0 || bin <= 0 {
		return nil, Errorf(ev, "active_users_count needs a positive period and bin")
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
	ins := in.Schema()
	type group struct {
		dims  []any
		times map[string][]float64 // id -> times
		ids   []string
	}
	groups := map[string]*group{}
	var order []string
	for _, rec := range recs {
		for r := 0; r < int(rec.NumRows()); r++ {
			tv, ok := toFloat(kernels.ValueAt(kernels.Datum{Array: rec.Column(tc), Kind: kernels.KindOf(ins.Field(tc))}, r))
			idv := kernels.ValueAt(kernels.Datum{Array: rec.Column(idc), Kind: kernels.KindOf(ins.Field(idc))}, r)
			if !ok || idv == nil {
				continue
			}
			var key strings.Builder
			dv := make([]any, len(dims))
			for j, d := range dims {
				k := kernels.KindOf(ins.Field(d))
				dv[j] = kernels.ValueAt(kernels.Datum{Array: rec.Column(d), Kind: k}, r)
				key.WriteString(types.FormatValue(k, dv[j]))
				key.WriteByte(0)
			}
			g := groups[key.String()]
			if g == nil {
				g = &group{dims: dv, times: map[string][]float64{}}
				groups[key.String()] = g
				order = append(order, key.String())
			}
			id := types.FormatValue(kernels.KindOf(ins.Field(idc)), idv)
			if _, seen := g.times[id]; !seen {
				g.ids = append(g.ids, id)
			}
			g.times[id] = append(g.times[id], tv)
		}
	}
	ncol := schema.NumFields()
	cols := make([][]any, ncol)
	for _, k := range order {
		g := groups[k]
		bins := map[int]map[string]bool{}
		maxBin := -1
		for _, id := range g.ids {
			ts := g.times[id]
			for _, t := range ts {
				if t < start || t > end {
					continue
				}
				periods := map[float64]bool{}
				for _, u := range ts {
					if u > t-look && u <= t {
						periods[math.Floor(u/period)] = true
					}
				}
				if float64(len(periods)) >= active {
					bi := int(math.Floor((t - start) / bin))
					if bins[bi] == nil {
						bins[bi] = map[string]bool{}
					}
					bins[bi][id] = true
					maxBin = max(maxBin, bi)
				}
			}
		}
		for bi := 0; bi <= maxBin; bi++ {
			if len(bins[bi]) == 0 {
				continue
			}
			cols[0] = append(cols[0], int64(start+float64(bi)*bin))
			for j := range dims {
				cols[1+j] = append(cols[1+j], g.dims[j])
			}
			cols[ncol-1] = append(cols[ncol-1], int64(len(bins[bi])))
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
