package kernels

// arg_max, arg_min, take_any (any), take_anyif (anyif).
//
// arg_max(x, c1, c2, ...) keeps per group the row with the greatest x: its x
// (typed) and the values of c1, c2, ... (boxed, captured only when the best
// row changes). A row with a null x is kept only while the group has no
// non-null x (Kusto returns that row's other columns with a null x). Ties
// keep the earliest row in input order (morsel sequence, see Sequenced).
// take_any(x) keeps the first non-null, non-empty x; take_any(x, y, ...)
// (several arguments, or an expanded `*`) keeps the first row.
// FinishColumns returns x then c1, c2, ...; Finish returns them as a struct
// array (or x alone when there are no other columns).

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterAggregate("arg_max", newArg(argMax))
	RegisterAggregate("arg_min", newArg(argMin))
	RegisterAggregate("take_any", newArg(argAny))
	RegisterAggregate("take_anyif", withIf(newArg(argAny), 1))
}

type argMode uint8

const (
	argMax argMode = iota
	argMin
	argAny
)

const (
	stNone  = 0
	stNull  = 1 // a row kept whose x is null (or empty, for take_any)
	stValue = 2
)

type argState struct {
	mode   argMode
	kinds  []types.Kind
	ph     phys
	seq    int64
	st     []uint8
	bseq   []int64
	bi     []int64
	bf     []float64
	bs     []string
	extras [][]any
	first  []any // take_any with several arguments: the first argument, boxed
	multi  bool
	// per Update: the batch row that last replaced a group's kept row
	rowOf   []int32
	touched []uint32
}

func newArg(mode argMode) AggKernel {
	return func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
		kinds := append([]types.Kind(nil), argKinds...)
		if len(kinds) == 0 {
			kinds = []types.Kind{result}
		} else if result != types.Unknown && result != types.Null {
			kinds[0] = result
		}
		return &argState{mode: mode, kinds: kinds}, nil
	}
}

func (s *argState) SetSeq(seq int64) { s.seq = seq }

func (s *argState) grow(ngroups int, nextra int) {
	s.st = grow(s.st, ngroups)
	s.bseq = grow(s.bseq, ngroups)
	s.bi = grow(s.bi, ngroups)
	s.bf = grow(s.bf, ngroups)
	s.bs = grow(s.bs, ngroups)
	for len(s.extras) < nextra {
		s.extras = append(s.extras, nil)
	}
	for c := range s.extras {
		s.extras[c] = grow(s.extras[c], ngroups)
	}
	s.first = grow(s.first, ngroups)
}

// better reports whether (state st, value at row i) should replace group g's kept row.
func (s *argState) better(r *reader, i int, g uint32) (bool, uint8) {
	if !r.valid(i) {
		return s.st[g] == stNone, stNull
	}
	if s.mode == argAny {
		if r.ph == phString && r.stringAt(i) == "" {
			return s.st[g] == stNone, stNull
		}
		return s.st[g] < stValue, stValue
	}
	if s.st[g] < stValue {
		return true, stValue
	}
	var less, greater bool
	switch s.ph {
	case phInt, phBool:
		v := r.int64At(i)
		less, greater = v < s.bi[g], v > s.bi[g]
	case phFloat:
		v := r.floatAt(i)
		less, greater = v < s.bf[g], v > s.bf[g]
	case phString:
		v := r.stringAt(i)
		dyn := s.kinds[0] == types.Dynamic
		less, greater = lessText(v, s.bs[g], dyn), lessText(s.bs[g], v, dyn)
	}
	if s.mode == argMax {
		return greater, stValue
	}
	return less, stValue
}

func (s *argState) Update(args []Datum, groups []uint32, ngroups int) error {
	if len(args) == 0 {
		return fmt.Errorf("arg_max/arg_min/take_any: no argument")
	}
	r := newReader(args[0])
	if s.ph == phNone {
		s.ph = r.ph
	}
	multiAny := s.mode == argAny && len(args) > 1
	s.multi = s.multi || multiAny
	extra := make([]reader, len(args)-1)
	for c := range extra {
		extra[c] = newReader(args[c+1])
	}
	s.grow(ngroups, len(extra))
	// The values of the other columns (and string copies) are taken once per
	// batch for the groups whose kept row changed, from their final row.
	s.rowOf = growFill(s.rowOf, ngroups, -1)
	touched := s.touched[:0]
	for i, g := range groups {
		if g == skipGroup {
			continue
		}
		var ok bool
		var st uint8
		if multiAny {
			ok, st = s.st[g] == stNone, stValue
		} else {
			ok, st = s.better(&r, i, g)
		}
		if !ok {
			continue
		}
		s.st[g], s.bseq[g] = st, s.seq
		if r.valid(i) {
			switch s.ph {
			case phInt, phBool:
				s.bi[g] = r.int64At(i)
			case phFloat:
				s.bf[g] = r.floatAt(i)
			case phString:
				s.bs[g] = r.stringAt(i) // aliases the batch; copied below
			}
		} else {
			s.bs[g] = ""
		}
		if s.rowOf[g] < 0 {
			touched = append(touched, g)
		}
		s.rowOf[g] = int32(i)
	}
	for _, g := range touched {
		i := int(s.rowOf[g])
		s.rowOf[g] = -1
		s.bs[g] = cloneString(s.bs[g])
		if multiAny {
			s.first[g] = r.value(i)
		}
		for c := range extra {
			s.extras[c][g] = extra[c].value(i)
		}
	}
	s.touched = touched
	return nil
}

func (s *argState) Merge(other AggState, mapping []uint32, ngroups int) error {
	o, ok := other.(*argState)
	if !ok {
		return mergeErr("arg_max/arg_min/take_any")
	}
	if s.ph == phNone {
		s.ph = o.ph
	}
	s.multi = s.multi || o.multi
	s.grow(ngroups, len(o.extras))
	for j, ost := range o.st {
		if ost == stNone {
			continue
		}
		g := mapping[j]
		take := false
		switch {
		case ost != s.st[g]:
			take = ost > s.st[g]
		case ost == stNull || s.mode == argAny:
			take = o.bseq[j] < s.bseq[g]
		default:
			var less, greater bool
			switch s.ph {
			case phInt, phBool:
				less, greater = o.bi[j] < s.bi[g], o.bi[j] > s.bi[g]
			case phFloat:
				less, greater = o.bf[j] < s.bf[g], o.bf[j] > s.bf[g]
			case phString:
				dyn := s.kinds[0] == types.Dynamic
				less, greater = lessText(o.bs[j], s.bs[g], dyn), lessText(s.bs[g], o.bs[j], dyn)
			}
			if s.mode == argMax {
				take = greater || (!less && o.bseq[j] < s.bseq[g])
			} else {
				take = less || (!greater && o.bseq[j] < s.bseq[g])
			}
		}
		if !take {
			continue
		}
		s.st[g], s.bseq[g] = ost, o.bseq[j]
		s.bi[g], s.bf[g], s.bs[g], s.first[g] = o.bi[j], o.bf[j], o.bs[j], o.first[j]
		for c := range o.extras {
			s.extras[c][g] = o.extras[c][j]
		}
	}
	return nil
}

func (s *argState) Finish(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	cols, err := s.FinishColumns(mem, ngroups)
	return finishMulti(mem, cols, err)
}

// finishFirst builds the first result column.
func (s *argState) finishFirst(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	// Update may never have run (empty input): still one column per argument.
	s.grow(ngroups, max(len(s.extras), len(s.kinds)-1))
	if s.multi {
		return buildValues(mem, s.kinds[0], s.first[:ngroups]), nil
	}
	valid := make([]bool, ngroups)
	for g := range valid {
		valid[g] = s.st[g] == stValue || (s.mode == argAny && s.st[g] == stNull && s.ph == phString && s.kinds[0] != types.Dynamic)
	}
	k := s.kinds[0]
	switch s.ph {
	case phInt, phBool:
		return buildInts(mem, k, s.bi[:ngroups], valid), nil
	case phFloat:
		return buildFloats(mem, s.bf[:ngroups], valid), nil
	case phString:
		return buildStrings(mem, s.bs[:ngroups], valid), nil
	}
	return nullArray(mem, k, ngroups), nil
}

// FinishColumns returns the extremum (or first argument) and the returned columns.
func (s *argState) FinishColumns(mem memory.Allocator, ngroups int) ([]arrow.Array, error) {
	first, err := s.finishFirst(mem, ngroups)
	if err != nil {
		return nil, err
	}
	out := []arrow.Array{first}
	for c := range s.extras {
		k := kindAt(s.kinds, c+1)
		vals := s.extras[c][:ngroups]
		if k == types.String {
			// Kusto strings are never null: a kept row's string is "" at worst.
			for g := range vals {
				if vals[g] == nil && s.st[g] != stNone {
					vals[g] = ""
				}
			}
		}
		out = append(out, buildValues(mem, k, vals))
	}
	return out, nil
}

var _ MultiAggState = (*argState)(nil)
