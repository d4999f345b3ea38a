package ops

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
)

// MvApplySpec configures mv-apply: each input row is expanded as
// mv-expand does (Expand), the subquery (Sub, built over an input operator
// with the expanded schema) runs over that row's expanded rows, and its
// output rows are joined with the row's other columns.
type MvApplySpec struct {
	Expand MvExpandSpec
	Sub    func(in Operator) (Operator, error)
	// SubSchema is the subquery's output schema.
	SubSchema *arrow.Schema
}

// MvApply is the mv-apply operator.
type MvApply struct {
	kctx   *kernels.Ctx
	in     Operator
	spec   MvApplySpec
	expIn  *arrow.Schema // schema of the expanded rows (the subquery's input)
	schema *arrow.Schema
	outer  []int // output column i < len(outer): input column outer[i]
	subIdx []int // then the subquery's columns

	pending []arrow.Record
	done    bool
}

// MvApplySchema is mv-apply's output schema: the input columns that are
// neither expanded in place nor produced by the subquery, then the
// subquery's columns.
func MvApplySchema(in, expanded, sub *arrow.Schema, spec MvExpandSpec) (*arrow.Schema, []int) {
	inPlace := map[int]bool{}
	for _, it := range spec.Items {
		if it.Col >= 0 {
			inPlace[it.Col] = true
		}
	}
	var fs []arrow.Field
	var outer []int
	for i, f := range in.Fields() {
		if inPlace[i] || len(sub.FieldIndices(f.Name)) > 0 {
			continue
		}
		fs = append(fs, f)
		outer = append(outer, i)
	}
	fs = append(fs, sub.Fields()...)
	return arrow.NewSchema(fs, nil), outer
}

// NewMvApply returns the mv-apply operator.
func NewMvApply(kctx *kernels.Ctx, in Operator, spec MvApplySpec) (*MvApply, error) {
	if spec.Sub == nil || spec.SubSchema == nil {
		return nil, fmt.Errorf("mv-apply: no subquery")
	}
	exp, _, _ := MvExpandSchema(in.Schema(), spec.Expand)
	s, outer := MvApplySchema(in.Schema(), exp, spec.SubSchema, spec.Expand)
	sub := make([]int, spec.SubSchema.NumFields())
	for i := range sub {
		sub[i] = i
	}
	return &MvApply{kctx: kctx, in: in, spec: spec, expIn: exp, schema: s, outer: outer, subIdx: sub}, nil
}

// Schema implements Operator.
func (m *MvApply) Schema() *arrow.Schema { return m.schema }

// Close implements Operator.
func (m *MvApply) Close() {
	releaseAll(m.pending)
	m.pending = nil
	m.in.Close()
}

// Next implements Operator.
func (m *MvApply) Next(ctx context.Context) (arrow.Record, error) {
	for len(m.pending) == 0 {
		if m.done {
			return nil, nil
		}
		rec, err := m.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			m.done = true
			return nil, nil
		}
		err = m.applyBatch(ctx, rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
	}
	r := m.pending[0]
	m.pending = m.pending[1:]
	return r, nil
}

// oneRec is a source yielding one record once.
type oneRec struct {
	schema *arrow.Schema
	rec    arrow.Record
}

func (o *oneRec) Schema() *arrow.Schema { return o.schema }
func (o *oneRec) Next(context.Context) (arrow.Record, error) {
	r := o.rec
	o.rec = nil
	return r, nil
}
func (o *oneRec) Close() {
	if o.rec != nil {
		o.rec.Release()
		o.rec = nil
	}
}

func (m *MvApply) applyBatch(ctx context.Context, rec arrow.Record) error {
	n := int(rec.NumRows())
	mem := m.kctx.Mem
	for r := 0; r < n; r++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		row := rec.NewSlice(int64(r), int64(r+1))
		exp, err := NewMvExpand(m.kctx, &oneRec{schema: rec.Schema(), rec: row}, m.spec.Expand)
		if err != nil {
			row.Release()
			return err
		}
		sub, err := m.spec.Sub(exp)
		if err != nil {
			exp.Close()
			return err
		}
		outs, _, err := drainAll(ctx, sub)
		sub.Close()
		if err != nil {
			return err
		}
		for _, o := range outs {
			k := int(o.NumRows())
			idx := make([]int32, k)
			for i := range idx {
				idx[i] = int32(r)
			}
			cols := make([]arrow.Array, 0, m.schema.NumFields())
			for _, c := range m.outer {
				cols = append(cols, takeArray(mem, rec.Column(c), idx))
			}
			for i := range m.subIdx {
				a := o.Column(i)
				want := m.schema.Field(len(m.outer) + i).Type
				if !arrow.TypeEqual(a.DataType(), want) {
					cols = append(cols, array.MakeArrayOfNull(mem, want, k))
					continue
				}
				a.Retain()
				cols = append(cols, a)
			}
			m.pending = append(m.pending, newRecord(m.schema, cols, k))
			o.Release()
		}
	}
	return nil
}
