package kernels

// percentile, percentiles, percentilew, percentilesw, percentiles_array,
// percentilesw_array, tdigest, tdigest_merge and the scalar percentile_tdigest.
//
// Percentiles are exact nearest-rank: with the group's values sorted and W
// their total weight (1 per row unless weighted), percentile p is the
// smallest value whose cumulative weight reaches ceil(p/100 · W) (at least
// 1). Every value is kept until Finish (8 bytes + weight per row).
//
// tdigest() yields ["kqlhunt.tdigest",1,"<kind>",[v1,w1,v2,w2,...]]: the
// distinct values with their weights, sorted; above 5000 distinct values it
// keeps 5000 representatives (the nearest-rank value of each equal-weight
// bucket), so percentile_tdigest is exact on small data and within one
// bucket (1/5000 of the weight) beyond.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterAggregate("percentile", newPct(false, pctColumns))
	RegisterAggregate("percentiles", newPct(false, pctColumns))
	RegisterAggregate("percentilew", newPct(true, pctColumns))
	RegisterAggregate("percentilesw", newPct(true, pctColumns))
	RegisterAggregate("percentiles_array", newPct(false, pctArray))
	RegisterAggregate("percentiles_array_dynamic", newPct(false, pctArray))
	RegisterAggregate("percentilesw_array", newPct(true, pctArray))
	RegisterAggregate("percentilesw_array_dynamic", newPct(true, pctArray))
	RegisterAggregate("tdigest", func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
		return &pctState{out: pctDigest, weighted: len(argKinds) > 1, kind: kindAt(argKinds, 0)}, nil
	})
	RegisterAggregate("tdigest_merge", func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
		return &pctState{out: pctDigest, mergeIn: true}, nil
	})
	RegisterScalar("percentile_tdigest_dynamic", percentileTdigestKernel)
	RegisterScalar("merge_tdigest_dynamic", mergeTdigestKernel)
	RegisterScalar("rank_tdigest_dynamic", rankTdigestKernel)
}

type pctOut uint8

const (
	pctColumns pctOut = iota
	pctArray
	pctDigest
)

type pctGroup struct {
	f []float64
	i []int64
	w []int64 // nil when every weight is 1
}

type pctState struct {
	out      pctOut
	weighted bool
	mergeIn  bool
	kind     types.Kind // kind of the values
	isFloat  bool
	kindSet  bool
	consts   []any
	pcts     []float64
	groups   []pctGroup
}

func newPct(weighted bool, out pctOut) AggKernel {
	return func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
		s := &pctState{out: out, weighted: weighted, consts: consts, kind: kindAt(argKinds, 0)}
		// percentiles known up front let a state that never sees a row finish
		if err := s.resolvePcts(nil); err != nil {
			s.pcts = nil
		}
		return s, nil
	}
}

func (s *pctState) setKind(k types.Kind) {
	if s.kindSet {
		return
	}
	s.kindSet = true
	if k == types.Unknown || k == types.Null {
		k = s.kind
	}
	s.kind = k
	s.isFloat = k == types.Real || k == types.Decimal || k == types.Dynamic
}

// resultKind: int → long, decimal and dynamic → real.
func (s *pctState) resultKind() types.Kind {
	switch s.kind {
	case types.Int, types.Bool:
		return types.Long
	case types.Decimal, types.Dynamic, types.Unknown, types.Null:
		return types.Real
	}
	return s.kind
}

func (s *pctState) resolvePcts(args []Datum) error {
	if s.pcts != nil || s.out == pctDigest {
		return nil
	}
	first := 1
	if s.weighted {
		first = 2
	}
	n := len(args)
	if len(s.consts) > n {
		n = len(s.consts)
	}
	for i := first; i < n; i++ {
		if i < len(s.consts) {
			switch c := s.consts[i].(type) {
			case []any:
				for _, v := range c {
					s.pcts = append(s.pcts, toFloat64(v))
				}
				continue
			case string:
				ps, err := parseNumberArray(c)
				if err != nil {
					return err
				}
				s.pcts = append(s.pcts, ps...)
				continue
			}
		}
		if v, ok := argFloat(s.consts, args, i); ok {
			s.pcts = append(s.pcts, v)
			continue
		}
		if i < len(args) && args[i].Kind == types.Dynamic {
			r := newReader(args[i])
			if r.valid(0) {
				ps, err := parseNumberArray(r.stringAt(0))
				if err != nil {
					return err
				}
				s.pcts = append(s.pcts, ps...)
				continue
			}
		}
		return fmt.Errorf("percentile: argument %d is not a constant number", i+1)
	}
	for _, p := range s.pcts {
		if p < 0 || p > 100 || math.IsNaN(p) {
			return fmt.Errorf("percentile: %v is out of the range 0..100", p)
		}
	}
	return nil
}

func parseNumberArray(text string) ([]float64, error) {
	var vals []float64
	if err := json.Unmarshal([]byte(text), &vals); err != nil {
		return nil, fmt.Errorf("percentiles: %s is not an array of numbers", text)
	}
	return vals, nil
}

func (s *pctState) Update(args []Datum, groups []uint32, ngroups int) error {
	if len(args) == 0 {
		return nil
	}
	if err := s.resolvePcts(args); err != nil {
		return err
	}
	s.groups = grow(s.groups, ngroups)
	r := newReader(args[0])
	if s.mergeIn {
		for i, g := range groups {
			if g == skipGroup || !r.valid(i) {
				continue
			}
			if err := s.mergeDigest(g, r.stringAt(i)); err != nil {
				return err
			}
		}
		return nil
	}
	s.setKind(r.kind)
	var w reader
	if s.weighted && len(args) > 1 {
		w = newReader(args[1])
	}
	dyn := r.ph == phString
	for i, g := range groups {
		if g == skipGroup || !r.valid(i) {
			continue
		}
		grp := &s.groups[g]
		if w.arr != nil {
			if !w.valid(i) {
				continue
			}
			wt := w.int64At(i)
			if wt <= 0 {
				continue
			}
			if grp.w == nil {
				grp.w = make([]int64, max(len(grp.f), len(grp.i)), max(len(grp.f), len(grp.i))+8)
				for k := range grp.w {
					grp.w[k] = 1
				}
			}
			grp.w = append(grp.w, wt)
		} else if grp.w != nil {
			grp.w = append(grp.w, 1)
		}
		if s.isFloat {
			v := 0.0
			if dyn {
				x, ok := dynNumber(r.stringAt(i))
				if !ok {
					if grp.w != nil {
						grp.w = grp.w[:len(grp.w)-1]
					}
					continue
				}
				v = x
			} else {
				v = r.floatAt(i)
			}
			grp.f = append(grp.f, v)
		} else {
			grp.i = append(grp.i, r.int64At(i))
		}
	}
	return nil
}

func (g *pctGroup) n() int { return len(g.f) + len(g.i) }

func (s *pctState) Merge(other AggState, mapping []uint32, ngroups int) error {
	o, ok := other.(*pctState)
	if !ok {
		return mergeErr("percentile")
	}
	if !s.kindSet && o.kindSet {
		s.kindSet, s.kind, s.isFloat = true, o.kind, o.isFloat
	}
	if s.pcts == nil {
		s.pcts = o.pcts
	}
	s.groups = grow(s.groups, ngroups)
	for j := range o.groups {
		og := &o.groups[j]
		if og.n() == 0 {
			continue
		}
		s.appendGroup(&s.groups[mapping[j]], og)
	}
	return nil
}

func (s *pctState) appendGroup(dst, src *pctGroup) {
	if src.w != nil && dst.w == nil {
		dst.w = make([]int64, dst.n())
		for k := range dst.w {
			dst.w[k] = 1
		}
	}
	if dst.w != nil {
		if src.w != nil {
			dst.w = append(dst.w, src.w...)
		} else {
			for k := 0; k < src.n(); k++ {
				dst.w = append(dst.w, 1)
			}
		}
	}
	dst.f = append(dst.f, src.f...)
	dst.i = append(dst.i, src.i...)
}

// sorted returns the group's values sorted, as (value index order, weights).
type pctPoint struct {
	f float64
	i int64
	w int64
}

func (s *pctState) points(g *pctGroup) []pctPoint {
	n := g.n()
	pts := make([]pctPoint, n)
	for k := 0; k < n; k++ {
		if s.isFloat {
			pts[k].f = g.f[k]
		} else {
			pts[k].i = g.i[k]
		}
		pts[k].w = 1
		if g.w != nil {
			pts[k].w = g.w[k]
		}
	}
	if s.isFloat {
		sort.Slice(pts, func(a, b int) bool { return pts[a].f < pts[b].f })
	} else {
		sort.Slice(pts, func(a, b int) bool { return pts[a].i < pts[b].i })
	}
	return pts
}

// nearestRank picks percentile p from sorted points.
func nearestRank(pts []pctPoint, p float64) pctPoint {
	var total int64
	for _, pt := range pts {
		total += pt.w
	}
	rank := int64(math.Ceil(p / 100 * float64(total)))
	if rank < 1 {
		rank = 1
	}
	var cum int64
	for _, pt := range pts {
		cum += pt.w
		if cum >= rank {
			return pt
		}
	}
	return pts[len(pts)-1]
}

func (s *pctState) Finish(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	cols, err := s.FinishColumns(mem, ngroups)
	return finishMulti(mem, cols, err)
}

func (s *pctState) FinishColumns(mem memory.Allocator, ngroups int) ([]arrow.Array, error) {
	s.groups = grow(s.groups, ngroups)
	switch s.out {
	case pctDigest, pctArray:
		vals := make([]string, ngroups)
		valid := make([]bool, ngroups)
		for g := 0; g < ngroups; g++ {
			grp := &s.groups[g]
			if grp.n() == 0 {
				continue
			}
			pts := s.points(grp)
			var b []byte
			if s.out == pctDigest {
				b = s.appendDigest(nil, pts)
			} else {
				b = append(b, '[')
				for k, p := range s.pcts {
					if k > 0 {
						b = append(b, ',')
					}
					b = s.appendPointJSON(b, nearestRank(pts, p))
				}
				b = append(b, ']')
			}
			vals[g], valid[g] = string(b), true
		}
		return []arrow.Array{buildStrings(mem, vals, valid)}, nil
	}
	if len(s.pcts) == 0 {
		return nil, fmt.Errorf("percentile: no percentile given")
	}
	rk := s.resultKind()
	out := make([]arrow.Array, 0, len(s.pcts))
	sorted := make([][]pctPoint, ngroups)
	for g := 0; g < ngroups; g++ {
		if s.groups[g].n() > 0 {
			sorted[g] = s.points(&s.groups[g])
		}
	}
	for _, p := range s.pcts {
		valid := make([]bool, ngroups)
		if s.isFloat {
			vals := make([]float64, ngroups)
			for g, pts := range sorted {
				if len(pts) > 0 {
					vals[g], valid[g] = nearestRank(pts, p).f, true
				}
			}
			out = append(out, buildFloats(mem, vals, valid))
			continue
		}
		vals := make([]int64, ngroups)
		for g, pts := range sorted {
			if len(pts) > 0 {
				vals[g], valid[g] = nearestRank(pts, p).i, true
			}
		}
		out = append(out, buildInts(mem, rk, vals, valid))
	}
	return out, nil
}

func (s *pctState) appendPointJSON(b []byte, pt pctPoint) []byte {
	if s.isFloat {
		return appendJSONFloat(b, pt.f)
	}
	switch s.kind {
	case types.DateTime:
		return appendJSONString(b, types.FormatDateTime(pt.i))
	case types.TimeSpan:
		return appendJSONString(b, types.FormatTimeSpan(pt.i))
	}
	return strconv.AppendInt(b, pt.i, 10)
}

// ---------------------------------------------------------------------------
// tdigest

const (
	digestTag = "kqlhunt.tdigest"
	digestMax = 5000
)

func (s *pctState) appendDigest(b []byte, pts []pctPoint) []byte {
	// merge equal values
	merged := pts[:0:0]
	for _, p := range pts {
		if n := len(merged); n > 0 && merged[n-1].f == p.f && merged[n-1].i == p.i {
			merged[n-1].w += p.w
			continue
		}
		merged = append(merged, p)
	}
	if len(merged) > digestMax {
		var total int64
		for _, p := range merged {
			total += p.w
		}
		var reps []pctPoint
		var cum, prevCum int64
		k := 1
		for _, p := range merged {
			cum += p.w
			for k <= digestMax && float64(cum) >= float64(total)*float64(k)/digestMax {
				bound := int64(math.Ceil(float64(total) * float64(k) / digestMax))
				rep := p
				rep.w = bound - prevCum
				if rep.w > 0 {
					if n := len(reps); n > 0 && reps[n-1].f == rep.f && reps[n-1].i == rep.i {
						reps[n-1].w += rep.w
					} else {
						reps = append(reps, rep)
					}
				}
				prevCum = bound
				k++
			}
		}
		merged = reps
	}
	b = append(b, `["`+digestTag+`",1,`...)
	b = appendJSONString(b, s.kind.String())
	b = append(b, ",["...)
	for k, p := range merged {
		if k > 0 {
			b = append(b, ',')
		}
		if s.isFloat {
			b = appendJSONFloat(b, p.f)
		} else {
			b = strconv.AppendInt(b, p.i, 10)
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, p.w, 10)
	}
	return append(b, "]]"...)
}

type digest struct {
	kind types.Kind
	pts  []pctPoint
}

func parseDigest(text string) (*digest, error) {
	text = strings.TrimSpace(text)
	if text == "" || text == "null" {
		return nil, nil
	}
	var parts []json.RawMessage
	if json.Unmarshal([]byte(text), &parts) != nil || len(parts) != 4 {
		return nil, fmt.Errorf("tdigest: value is not a tdigest")
	}
	var tag, kind string
	if json.Unmarshal(parts[0], &tag) != nil || tag != digestTag || json.Unmarshal(parts[2], &kind) != nil {
		return nil, fmt.Errorf("tdigest: value is not a tdigest")
	}
	k, ok := types.ParseKind(kind)
	if !ok {
		return nil, fmt.Errorf("tdigest: unknown kind %q", kind)
	}
	dec := json.NewDecoder(bytes.NewReader(parts[3]))
	dec.UseNumber()
	var nums []json.Number
	if err := dec.Decode(&nums); err != nil || len(nums)%2 != 0 {
		return nil, fmt.Errorf("tdigest: corrupt tdigest")
	}
	d := &digest{kind: k}
	isFloat := k == types.Real || k == types.Decimal || k == types.Dynamic
	for i := 0; i < len(nums); i += 2 {
		var p pctPoint
		if isFloat {
			p.f, _ = nums[i].Float64()
		} else {
			p.i, _ = nums[i].Int64()
		}
		p.w, _ = nums[i+1].Int64()
		d.pts = append(d.pts, p)
	}
	return d, nil
}

func (s *pctState) mergeDigest(g uint32, text string) error {
	d, err := parseDigest(text)
	if err != nil || d == nil {
		return err
	}
	s.setKind(d.kind)
	grp := &s.groups[g]
	if grp.w == nil {
		grp.w = make([]int64, grp.n())
		for k := range grp.w {
			grp.w[k] = 1
		}
	}
	for _, p := range d.pts {
		if s.isFloat {
			grp.f = append(grp.f, p.f)
		} else {
			grp.i = append(grp.i, p.i)
		}
		grp.w = append(grp.w, p.w)
	}
	return nil
}

// percentileTdigestKernel is percentile_tdigest(digest, p [, typeof(T)]):
// the nearest-rank percentile of the digest, as dynamic.
func percentileTdigestKernel(ctx *Ctx, args []Datum, n int) (Datum, error) {
	if len(args) < 2 {
		return Datum{}, fmt.Errorf("percentile_tdigest: want 2 or 3 arguments")
	}
	dr, pr := newReader(args[0]), newReader(args[1])
	scalar := args[0].Scalar && args[1].Scalar
	rows := n
	if scalar {
		rows = 1
	}
	b := array.NewStringBuilder(ctx.Mem)
	defer b.Release()
	for i := 0; i < rows; i++ {
		if !dr.valid(i) || !pr.valid(i) {
			b.AppendNull()
			continue
		}
		d, err := parseDigest(dr.stringAt(i))
		if err != nil {
			return Datum{}, err
		}
		if d == nil || len(d.pts) == 0 {
			b.AppendNull()
			continue
		}
		st := &pctState{kind: d.kind, isFloat: d.kind == types.Real || d.kind == types.Decimal || d.kind == types.Dynamic}
		pts := d.pts
		if st.isFloat {
			sort.SliceStable(pts, func(a, c int) bool { return pts[a].f < pts[c].f })
		} else {
			sort.SliceStable(pts, func(a, c int) bool { return pts[a].i < pts[c].i })
		}
		b.Append(string(st.appendPointJSON(nil, nearestRank(pts, pr.floatAt(i)))))
	}
	out := Datum{Array: b.NewArray(), Scalar: scalar, Kind: types.Dynamic}
	if len(args) == 3 && args[2].Kind != types.Dynamic && args[2].Kind != types.Unknown && args[2].Kind != types.Null {
		// typeof(T): the value converted to T
		k := args[2].Kind
		get := Dynamics(out)
		vals := make([]any, out.Array.Len())
		for i := range vals {
			if v, ok := get(i); ok {
				vals[i] = types.Convert(kindOfGo(v), k, v)
			}
		}
		out.Release()
		return Datum{Array: FromValuesMem(ctx.Mem, k, vals), Scalar: scalar, Kind: k}, nil
	}
	return out, nil
}

var _ MultiAggState = (*pctState)(nil)

// mergeTdigestKernel is merge_tdigest(d1, d2, ...): one digest per row.
func mergeTdigestKernel(ctx *Ctx, args []Datum, n int) (Datum, error) {
	scalar := true
	rs := make([]reader, len(args))
	for i, a := range args {
		rs[i] = newReader(a)
		scalar = scalar && a.Scalar
	}
	rows := n
	if scalar {
		rows = 1
	}
	b := array.NewStringBuilder(ctx.Mem)
	defer b.Release()
	for i := 0; i < rows; i++ {
		st := &pctState{out: pctDigest, mergeIn: true, groups: make([]pctGroup, 1)}
		for _, r := range rs {
			if r.valid(i) {
				if err := st.mergeDigest(0, r.stringAt(i)); err != nil {
					return Datum{}, err
				}
			}
		}
		if st.groups[0].n() == 0 {
			b.AppendNull()
			continue
		}
		b.Append(string(st.appendDigest(nil, st.points(&st.groups[0]))))
	}
	return Datum{Array: b.NewArray(), Scalar: scalar, Kind: types.Dynamic}, nil
}

// rankTdigestKernel is rank_tdigest(digest, value): the weight of the
// values less than or equal to value.
func rankTdigestKernel(ctx *Ctx, args []Datum, n int) (Datum, error) {
	if len(args) != 2 {
		return Datum{}, fmt.Errorf("rank_tdigest: want 2 arguments")
	}
	dr, vr := newReader(args[0]), newReader(args[1])
	scalar := args[0].Scalar && args[1].Scalar
	rows := n
	if scalar {
		rows = 1
	}
	b := array.NewFloat64Builder(ctx.Mem)
	defer b.Release()
	for i := 0; i < rows; i++ {
		if !dr.valid(i) || !vr.valid(i) {
			b.AppendNull()
			continue
		}
		d, err := parseDigest(dr.stringAt(i))
		if err != nil {
			return Datum{}, err
		}
		if d == nil {
			b.AppendNull()
			continue
		}
		isFloat := d.kind == types.Real || d.kind == types.Decimal || d.kind == types.Dynamic
		var rank int64
		for _, p := range d.pts {
			if (isFloat && p.f <= vr.floatAt(i)) || (!isFloat && p.i <= vr.int64At(i)) {
				rank += p.w
			}
		}
		b.Append(float64(rank))
	}
	return Datum{Array: b.NewArray(), Scalar: scalar, Kind: types.Real}, nil
}
