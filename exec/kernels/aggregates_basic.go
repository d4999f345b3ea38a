package kernels

import (
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// count, countif, sum(if), avg(if), min/max(if), binary_all_*,
// stdev/variance families: typed loops over the argument arrays.

func init() {
	RegisterAggregate("count", newCount)
	// count(predicate) is Kusto's obsolete spelling of countif(predicate);
	// count(x) of another kind counts the rows where x is not null.
	RegisterAggregate("count_expr", func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
		if kindAt(argKinds, 0) == types.Bool {
			return withIf(newCount, 0)(ctx, argKinds, consts, result)
		}
		return newCount(ctx, argKinds, consts, result)
	})
	RegisterAggregate("countif", withIf(newCount, 0))
	RegisterAggregate("sum", newSum)
	RegisterAggregate("sumif", withIf(newSum, 1))
	RegisterAggregate("avg", newAvg)
	RegisterAggregate("avgif", withIf(newAvg, 1))
	RegisterAggregate("min", newMin)
	RegisterAggregate("max", newMax)
	RegisterAggregate("minif", withIf(newMin, 1))
	RegisterAggregate("maxif", withIf(newMax, 1))
	for _, op := range []string{"and", "or", "xor"} {
		op := op
		k := func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
			return &bitState{op: op}, nil
		}
		RegisterAggregate("binary_all_"+op, k)
	}
	for _, v := range []struct {
		name       string
		sqrt, samp bool
	}{{"stdev", true, true}, {"stdevp", true, false}, {"variance", false, true}, {"variancep", false, false}} {
		v := v
		k := func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
			return &momentState{sqrt: v.sqrt, sample: v.samp}, nil
		}
		RegisterAggregate(v.name, k)
		RegisterAggregate(v.name+"if", withIf(k, 1))
	}
}

// ---------------------------------------------------------------------------
// count

type countState struct {
	n []int64
}

func newCount(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
	return &countState{}, nil
}

func (s *countState) Update(args []Datum, groups []uint32, ngroups int) error {
	s.n = grow(s.n, ngroups)
	if len(args) > 0 && args[0].Array != nil && args[0].Array.NullN() > 0 {
		r := newReader(args[0])
		for i, g := range groups {
			if g != skipGroup && r.valid(i) {
				s.n[g]++
			}
		}
		return nil
	}
	for _, g := range groups {
		if g != skipGroup {
			s.n[g]++
		}
	}
	return nil
}

func (s *countState) Merge(other AggState, mapping []uint32, ngroups int) error {
	o, ok := other.(*countState)
	if !ok {
		return mergeErr("count")
	}
	s.n = grow(s.n, ngroups)
	for i, v := range o.n {
		s.n[mapping[i]] += v
	}
	return nil
}

func (s *countState) Finish(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	s.n = grow(s.n, ngroups)
	return buildInts(mem, types.Long, s.n[:ngroups], nil), nil
}

// ---------------------------------------------------------------------------
// sum / avg

type sumState struct {
	result types.Kind
	avg    bool
	float  bool // accumulate in f (real/decimal/dynamic input, or avg)
	i      []int64
	f      []float64
	n      []int64 // rows summed (avg)
	// avg of datetime/timespan sums offsets from base to keep precision.
	base    int64
	hasBase bool
}

func newSum(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
	k := kindAt(argKinds, 0)
	return &sumState{result: result, float: k == types.Real || k == types.Decimal || k == types.Dynamic || result == types.Real || result == types.Decimal}, nil
}

func newAvg(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
	return &sumState{result: result, avg: true, float: true}, nil
}

func (s *sumState) Update(args []Datum, groups []uint32, ngroups int) error {
	if len(args) == 0 {
		return nil
	}
	r := newReader(args[0])
	if s.result == types.Unknown || s.result == types.Null {
		s.result = r.kind
	}
	s.i = grow(s.i, ngroups)
	s.f = grow(s.f, ngroups)
	s.n = grow(s.n, ngroups)
	switch {
	case !s.float && r.i64 != nil && !r.nulls && r.stride == 1:
		vals := r.i64
		for i, g := range groups {
			if g != skipGroup {
				s.i[g] += vals[i]
			}
		}
	case !s.float && r.i64 != nil && r.stride == 1:
		vals := r.i64
		for i, g := range groups {
			if g != skipGroup && r.valid(i) {
				s.i[g] += vals[i]
			}
		}
	case !s.float:
		for i, g := range groups {
			if g != skipGroup && r.valid(i) {
				s.i[g] += r.int64At(i)
			}
		}
	case s.avg && (s.result == types.DateTime || s.result == types.TimeSpan):
		for i, g := range groups {
			if g == skipGroup || !r.valid(i) {
				continue
			}
			v := r.int64At(i)
			if !s.hasBase {
				s.base, s.hasBase = v, true
			}
			s.f[g] += float64(v - s.base)
			s.n[g]++
		}
	case r.f64 != nil && !r.nulls && r.stride == 1:
		vals := r.f64
		for i, g := range groups {
			if g != skipGroup {
				s.f[g] += vals[i]
				s.n[g]++
			}
		}
	default:
		dyn := r.ph == phString
		for i, g := range groups {
			if g == skipGroup || !r.valid(i) {
				continue
			}
			if dyn {
				v, ok := dynNumber(r.stringAt(i))
				if !ok {
					continue
				}
				s.f[g] += v
			} else {
				s.f[g] += r.floatAt(i)
			}
			s.n[g]++
		}
	}
	return nil
}

func (s *sumState) Merge(other AggState, mapping []uint32, ngroups int) error {
	o, ok := other.(*sumState)
	if !ok {
		return mergeErr("sum")
	}
	s.i = grow(s.i, ngroups)
	s.f = grow(s.f, ngroups)
	s.n = grow(s.n, ngroups)
	if s.result == types.Unknown {
		s.result = o.result
	}
	shift := 0.0
	if o.hasBase {
		if !s.hasBase {
			s.base, s.hasBase = o.base, true
		}
		shift = float64(o.base - s.base)
	}
	for i := range o.n {
		g := mapping[i]
		if i < len(o.i) {
			s.i[g] += o.i[i]
		}
		s.f[g] += o.f[i] + shift*float64(o.n[i])
		s.n[g] += o.n[i]
	}
	return nil
}

func (s *sumState) Finish(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	s.i = grow(s.i, ngroups)
	s.f = grow(s.f, ngroups)
	s.n = grow(s.n, ngroups)
	switch {
	case s.avg && (s.result == types.DateTime || s.result == types.TimeSpan):
		vals := make([]int64, ngroups)
		valid := make([]bool, ngroups)
		for g := 0; g < ngroups; g++ {
			if s.n[g] > 0 {
				vals[g] = s.base + int64(math.Round(s.f[g]/float64(s.n[g])))
				valid[g] = true
			}
		}
		return buildInts(mem, s.result, vals, valid), nil
	case s.avg:
		vals := make([]float64, ngroups)
		for g := 0; g < ngroups; g++ {
			vals[g] = s.f[g] / float64(s.n[g]) // 0/0 = NaN for empty groups, as Kusto
		}
		return buildFloats(mem, vals, nil), nil
	case s.float:
		if s.result == types.Real || s.result == types.Decimal || s.result == types.Dynamic || s.result == types.Unknown {
			return buildFloats(mem, s.f[:ngroups], nil), nil
		}
		vals := make([]int64, ngroups)
		for g := range vals {
			vals[g] = int64(s.f[g])
		}
		return buildInts(mem, s.result, vals, nil), nil
	}
	return buildInts(mem, s.result, s.i[:ngroups], nil), nil
}

// ---------------------------------------------------------------------------
// min / max

type extState struct {
	max    bool
	result types.Kind
	ph     phys
	seen   []bool
	i      []int64
	f      []float64
	s      []string
}

func newMin(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
	return &extState{result: result}, nil
}

func newMax(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
	return &extState{result: result, max: true}, nil
}

func (s *extState) Update(args []Datum, groups []uint32, ngroups int) error {
	if len(args) == 0 {
		return nil
	}
	r := newReader(args[0])
	if s.ph == phNone {
		s.ph = r.ph
		if s.result == types.Unknown || s.result == types.Null {
			s.result = r.kind
		}
	}
	s.seen = grow(s.seen, ngroups)
	switch s.ph {
	case phInt, phBool:
		s.i = grow(s.i, ngroups)
		if r.i64 != nil && !r.nulls && r.stride == 1 {
			vals := r.i64
			for i, g := range groups {
				if g == skipGroup {
					continue
				}
				v := vals[i]
				if !s.seen[g] || (s.max && v > s.i[g]) || (!s.max && v < s.i[g]) {
					s.i[g], s.seen[g] = v, true
				}
			}
			return nil
		}
		for i, g := range groups {
			if g == skipGroup || !r.valid(i) {
				continue
			}
			v := r.int64At(i)
			if !s.seen[g] || (s.max && v > s.i[g]) || (!s.max && v < s.i[g]) {
				s.i[g], s.seen[g] = v, true
			}
		}
	case phFloat:
		s.f = grow(s.f, ngroups)
		for i, g := range groups {
			if g == skipGroup || !r.valid(i) {
				continue
			}
			v := r.floatAt(i)
			if math.IsNaN(v) {
				continue
			}
			if !s.seen[g] || (s.max && v > s.f[g]) || (!s.max && v < s.f[g]) {
				s.f[g], s.seen[g] = v, true
			}
		}
	case phString:
		s.s = grow(s.s, ngroups)
		dyn := s.result == types.Dynamic
		for i, g := range groups {
			if g == skipGroup || !r.valid(i) {
				continue
			}
			v := r.stringAt(i)
			if dyn && (v == "" || v == "null") {
				continue
			}
			if !s.seen[g] || (s.max && lessText(s.s[g], v, dyn)) || (!s.max && lessText(v, s.s[g], dyn)) {
				s.s[g], s.seen[g] = cloneString(v), true
			}
		}
	}
	return nil
}

func cloneString(s string) string { return string([]byte(s)) }

// lessText orders strings; dynamic values holding numbers compare as numbers.
func lessText(a, b string, dyn bool) bool {
	if dyn {
		x, okx := dynNumber(a)
		y, oky := dynNumber(b)
		if okx && oky {
			return x < y
		}
	}
	return a < b
}

func (s *extState) Merge(other AggState, mapping []uint32, ngroups int) error {
	o, ok := other.(*extState)
	if !ok {
		return mergeErr("min/max")
	}
	if s.ph == phNone {
		s.ph, s.result = o.ph, o.result
	}
	s.seen = grow(s.seen, ngroups)
	s.i = grow(s.i, ngroups)
	s.f = grow(s.f, ngroups)
	s.s = grow(s.s, ngroups)
	for j, seen := range o.seen {
		if !seen {
			continue
		}
		g := mapping[j]
		switch s.ph {
		case phInt, phBool:
			v := o.i[j]
			if !s.seen[g] || (s.max && v > s.i[g]) || (!s.max && v < s.i[g]) {
				s.i[g], s.seen[g] = v, true
			}
		case phFloat:
			v := o.f[j]
			if !s.seen[g] || (s.max && v > s.f[g]) || (!s.max && v < s.f[g]) {
				s.f[g], s.seen[g] = v, true
			}
		case phString:
			v := o.s[j]
			dyn := s.result == types.Dynamic
			if !s.seen[g] || (s.max && lessText(s.s[g], v, dyn)) || (!s.max && lessText(v, s.s[g], dyn)) {
				s.s[g], s.seen[g] = v, true
			}
		}
	}
	return nil
}

func (s *extState) Finish(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	s.seen = grow(s.seen, ngroups)
	switch s.ph {
	case phInt, phBool:
		s.i = grow(s.i, ngroups)
		return buildInts(mem, s.result, s.i[:ngroups], s.seen[:ngroups]), nil
	case phFloat:
		s.f = grow(s.f, ngroups)
		return buildFloats(mem, s.f[:ngroups], s.seen[:ngroups]), nil
	case phString:
		s.s = grow(s.s, ngroups)
		return buildStrings(mem, s.s[:ngroups], s.seen[:ngroups]), nil
	}
	return nullArray(mem, s.result, ngroups), nil
}

func nullArray(mem memory.Allocator, k types.Kind, n int) arrow.Array {
	b := array.NewBuilder(mem, ArrowType(k))
	defer b.Release()
	b.AppendNulls(n)
	return b.NewArray()
}

// ---------------------------------------------------------------------------
// binary_all_and / or / xor

type bitState struct {
	op   string
	v    []int64
	seen []bool
}

func (s *bitState) fold(g uint32, v int64) {
	if !s.seen[g] {
		s.v[g], s.seen[g] = v, true
		return
	}
	switch s.op {
	case "and":
		s.v[g] &= v
	case "or":
		s.v[g] |= v
	default:
		s.v[g] ^= v
	}
}

func (s *bitState) Update(args []Datum, groups []uint32, ngroups int) error {
	if len(args) == 0 {
		return nil
	}
	r := newReader(args[0])
	s.v = grow(s.v, ngroups)
	s.seen = grow(s.seen, ngroups)
	for i, g := range groups {
		if g != skipGroup && r.valid(i) {
			s.fold(g, r.int64At(i))
		}
	}
	return nil
}

func (s *bitState) Merge(other AggState, mapping []uint32, ngroups int) error {
	o, ok := other.(*bitState)
	if !ok {
		return mergeErr("binary_all")
	}
	s.v = grow(s.v, ngroups)
	s.seen = grow(s.seen, ngroups)
	for j, seen := range o.seen {
		if seen {
			s.fold(mapping[j], o.v[j])
		}
	}
	return nil
}

func (s *bitState) Finish(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	s.v = grow(s.v, ngroups)
	s.seen = grow(s.seen, ngroups)
	return buildInts(mem, types.Long, s.v[:ngroups], s.seen[:ngroups]), nil
}

// ---------------------------------------------------------------------------
// stdev / stdevp / variance / variancep: Welford per group, Chan et al. to merge.

type momentState struct {
	sqrt, sample bool
	n            []float64
	mean, m2     []float64
}

func (s *momentState) grow(ngroups int) {
	s.n = grow(s.n, ngroups)
	s.mean = grow(s.mean, ngroups)
	s.m2 = grow(s.m2, ngroups)
}

func (s *momentState) Update(args []Datum, groups []uint32, ngroups int) error {
	if len(args) == 0 {
		return nil
	}
	r := newReader(args[0])
	s.grow(ngroups)
	dyn := r.ph == phString
	for i, g := range groups {
		if g == skipGroup || !r.valid(i) {
			continue
		}
		var x float64
		if dyn {
			v, ok := dynNumber(r.stringAt(i))
			if !ok {
				continue
			}
			x = v
		} else {
			x = r.floatAt(i)
		}
		s.n[g]++
		d := x - s.mean[g]
		s.mean[g] += d / s.n[g]
		s.m2[g] += d * (x - s.mean[g])
	}
	return nil
}

func (s *momentState) Merge(other AggState, mapping []uint32, ngroups int) error {
	o, ok := other.(*momentState)
	if !ok {
		return mergeErr("stdev/variance")
	}
	s.grow(ngroups)
	for j, nb := range o.n {
		if nb == 0 {
			continue
		}
		g := mapping[j]
		na := s.n[g]
		n := na + nb
		d := o.mean[j] - s.mean[g]
		s.mean[g] += d * nb / n
		s.m2[g] += o.m2[j] + d*d*na*nb/n
		s.n[g] = n
	}
	return nil
}

func (s *momentState) Finish(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	s.grow(ngroups)
	vals := make([]float64, ngroups)
	for g := range vals {
		n := s.n[g]
		var v float64
		switch {
		case s.sample && n > 1:
			v = s.m2[g] / (n - 1)
		case !s.sample && n > 0:
			v = s.m2[g] / n
		}
		if v < 0 {
			v = 0
		}
		if s.sqrt {
			v = math.Sqrt(v)
		}
		vals[g] = v
	}
	return buildFloats(mem, vals, nil), nil
}
