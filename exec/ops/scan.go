package ops

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ScanStepSpec is one step of scan: its condition, its output mode and
// its assignments (Targets[i] is the declared column Assigns[i] sets).
type ScanStepSpec struct {
	Name    string
	Output  string // all, last, none
	Pred    ValueEval
	Assigns []ValueEval
	Targets []int
}

// ScanSpec configures scan. Expressions are evaluated over one-row records
// of schema Row: the input columns, the declared columns (the base row),
// then for every step the base row's columns named "step.col".
type ScanSpec struct {
	Declared []arrow.Field
	Defaults []any
	MatchID  string
	Steps    []ScanStepSpec
	Row      *arrow.Schema
}

// ScanOp is the scan operator: a sequential state machine over its input.
type ScanOp struct {
	kctx   *kernels.Ctx
	in     Operator
	spec   ScanSpec
	schema *arrow.Schema
	nin    int
	nbase  int
	outIdx []int // output column i ← base column outIdx[i]

	declaredAt []int // per base column: its declared index, or -1

	state   []scanState
	nextID  int64
	pending []arrow.Record
	last    [][]any // output=last: pending row per step
	done    bool
	out     [][]any // rows of the batch being built
}

type scanState struct {
	active bool
	id     int64
	vals   [][]any // per step j ≤ k: base row values (nil: none)
}

// ScanSchema is scan's output: the input columns, the declared columns
// (replacing input columns of the same name), then the match id.
func ScanSchema(in *arrow.Schema, declared []arrow.Field, matchID string) (*arrow.Schema, []int, int) {
	fs := append([]arrow.Field(nil), in.Fields()...)
	for _, d := range declared {
		if idx := in.FieldIndices(d.Name); len(idx) > 0 {
			fs[idx[0]] = d
		} else {
			fs = append(fs, d)
		}
	}
	nbase := len(fs)
	idx := make([]int, nbase)
	for i := range idx {
		idx[i] = i
	}
	if matchID != "" {
		fs = append(fs, kernels.Field(matchID, types.Long))
	}
	return arrow.NewSchema(fs, nil), idx, nbase
}

// NewScanOp returns the scan operator.
func NewScanOp(kctx *kernels.Ctx, in Operator, spec ScanSpec) (*ScanOp, error) {
	if len(spec.Steps) == 0 {
		return nil, fmt.Errorf("scan: no steps")
	}
	s, idx, nbase := ScanSchema(in.Schema(), spec.Declared, spec.MatchID)
	if spec.Row.NumFields() != nbase*(1+len(spec.Steps)) {
		return nil, fmt.Errorf("scan: unexpected row schema")
	}
	op := &ScanOp{kctx: kctx, in: in, spec: spec, schema: s, nin: in.Schema().NumFields(), nbase: nbase, outIdx: idx}
	op.declaredAt = make([]int, nbase)
	for i := range op.declaredAt {
		op.declaredAt[i] = -1
	}
	for d, f := range spec.Declared {
		op.declaredAt[s.FieldIndices(f.Name)[0]] = d
	}
	op.state = make([]scanState, len(spec.Steps))
	op.last = make([][]any, len(spec.Steps))
	return op, nil
}

// Schema implements Operator.
func (s *ScanOp) Schema() *arrow.Schema { return s.schema }

// Close implements Operator.
func (s *ScanOp) Close() {
	releaseAll(s.pending)
	s.pending = nil
	s.in.Close()
}

// Next implements Operator.
func (s *ScanOp) Next(ctx context.Context) (arrow.Record, error) {
	for len(s.pending) == 0 {
		if s.done {
			return nil, nil
		}
		rec, err := s.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			s.done = true
			for k := range s.last {
				if s.last[k] != nil {
					s.out = append(s.out, s.last[k])
					s.last[k] = nil
				}
			}
		} else {
			err = s.run(ctx, rec)
			rec.Release()
			if err != nil {
				return nil, err
			}
		}
		if len(s.out) > 0 {
			s.pending = append(s.pending, s.flush())
		}
	}
	r := s.pending[0]
	s.pending = s.pending[1:]
	return r, nil
}

// goValue returns row i of a as a Go value for appendValue.
func goValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Int64:
		return x.Value(i)
	case *array.Int32:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.Boolean:
		return x.Value(i)
	case *array.String:
		return x.Value(i)
	case *array.Timestamp:
		return int64(x.Value(i))
	case *array.Duration:
		return int64(x.Value(i))
	}
	return a.ValueStr(i)
}

func (s *ScanOp) run(ctx context.Context, rec arrow.Record) error {
	n := int(rec.NumRows())
	nsteps := len(s.spec.Steps)
	for r := 0; r < n; r++ {
		if r%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		base := make([]any, s.nbase)
		for c := 0; c < s.nin; c++ {
			base[c] = goValue(rec.Column(c), r)
		}
		for d, f := range s.spec.Declared {
			idx := s.schema.FieldIndices(f.Name)[0]
			base[idx] = s.spec.Defaults[d]
		}
		for k := nsteps - 1; k >= 0; k-- {
			st := s.spec.Steps[k]
			matched := false
			if k > 0 && s.state[k-1].active {
				ok, ext, err := s.try(st, base, s.state[k-1].vals)
				if err != nil {
					return err
				}
				if ok {
					vals := make([][]any, nsteps)
					copy(vals, s.state[k-1].vals)
					vals[k] = ext
					id := s.state[k-1].id
					s.state[k] = scanState{active: true, id: id, vals: vals}
					s.state[k-1] = scanState{}
					if s.last[k-1] != nil {
						s.out = append(s.out, s.last[k-1])
						s.last[k-1] = nil
					}
					s.emit(k, ext, id)
					matched = true
				}
			}
			if !matched && (s.state[k].active || k == 0) {
				vals := s.state[k].vals
				if vals == nil {
					vals = make([][]any, nsteps)
				}
				ok, ext, err := s.try(st, base, vals)
				if err != nil {
					return err
				}
				if ok {
					if k == 0 && !s.state[0].active {
						s.state[0] = scanState{active: true, id: s.nextID, vals: make([][]any, nsteps)}
						s.nextID++
					}
					s.state[k].vals[k] = ext
					s.emit(k, ext, s.state[k].id)
				}
			}
		}
	}
	return nil
}

func (s *ScanOp) emit(k int, ext []any, id int64) {
	row := ext
	if s.spec.MatchID != "" {
		row = append(append([]any(nil), ext...), id)
	}
	switch s.spec.Steps[k].Output {
	case "none":
	case "last":
		s.last[k] = row
	default:
		s.out = append(s.out, row)
	}
}

// try evaluates a step's condition for the base row against a state and,
// when it holds, returns the row extended by the step's assignments.
func (s *ScanOp) try(st ScanStepSpec, base []any, state [][]any) (bool, []any, error) {
	rec := s.rowRecord(base, state)
	defer rec.Release()
	kc := *s.kctx
	d, err := st.Pred.Eval(&kc, rec)
	if err != nil {
		return false, nil, err
	}
	ok := false
	if b, isB := d.Array.(*array.Boolean); isB && !b.IsNull(d.Row(0)) {
		ok = b.Value(d.Row(0))
	}
	d.Release()
	if !ok {
		return false, nil, nil
	}
	ext := append([]any(nil), base...)
	for i, a := range st.Assigns {
		t := st.Targets[i]
		if t < 0 {
			continue
		}
		d, err := a.Eval(&kc, rec)
		if err != nil {
			return false, nil, err
		}
		idx := s.schema.FieldIndices(s.spec.Declared[t].Name)[0]
		ext[idx] = goValue(d.Array, d.Row(0))
		d.Release()
	}
	return true, ext, nil
}

// rowRecord builds the one-row evaluation record.
func (s *ScanOp) rowRecord(base []any, state [][]any) arrow.Record {
	mem := s.kctx.Mem
	fs := s.spec.Row.Fields()
	cols := make([]arrow.Array, len(fs))
	for c, f := range fs {
		b := array.NewBuilder(mem, f.Type)
		var v any
		if c < s.nbase {
			v = base[c]
		} else {
			j := c/s.nbase - 1
			if j < len(state) && state[j] != nil {
				v = state[j][c%s.nbase]
			} else if d := s.declaredAt[c%s.nbase]; d >= 0 {
				v = s.spec.Defaults[d] // an empty state holds the declared defaults
			}
		}
		appendValue(b, v)
		cols[c] = b.NewArray()
		b.Release()
	}
	return newRecord(s.spec.Row, cols, 1)
}

func (s *ScanOp) flush() arrow.Record {
	mem := s.kctx.Mem
	n := len(s.out)
	cols := make([]arrow.Array, s.schema.NumFields())
	for c, f := range s.schema.Fields() {
		b := array.NewBuilder(mem, f.Type)
		for _, row := range s.out {
			appendValue(b, row[c])
		}
		cols[c] = b.NewArray()
		b.Release()
	}
	s.out = s.out[:0]
	return newRecord(s.schema, cols, n)
}
