package ops

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// lastRow passes on only the last row of its input (a stand-in subquery).
type lastRow struct{ in Operator }

func (l *lastRow) Schema() *arrow.Schema { return l.in.Schema() }
func (l *lastRow) Close()                { l.in.Close() }
func (l *lastRow) Next(ctx context.Context) (arrow.Record, error) {
	recs, _, err := drainAll(ctx, l.in)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	defer releaseAll(recs)
	last := recs[len(recs)-1]
	r := last.NewSlice(last.NumRows()-1, last.NumRows())
	recs = recs[:0]
	last.Release()
	return r, nil
}

func TestMvApply(t *testing.T) {
	mem := checked(t)
	in := src(t, mem, "index:int,Arr:dynamic", []any{0, "[7]"}, []any{1, "[6,11,7]"}, []any{2, "[]"})
	spec := MvExpandSpec{Items: []MvExpandItem{{Name: "Arr2", Col: -1, Eval: colEval{1}, To: types.Long}}, IndexName: "i"}
	exp, _, _ := MvExpandSchema(in.Schema(), spec)
	m, err := NewMvApply(kctx(mem), in, MvApplySpec{
		Expand:    spec,
		Sub:       func(in Operator) (Operator, error) { return &lastRow{in}, nil },
		SubSchema: exp,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := names(m.Schema()); got != "index:int,Arr:dynamic,Arr2:long,i:long" {
		t.Errorf("schema %s", got)
	}
	eqRows(t, collect(t, m), []string{"0|[7]|7|0", "1|[6,11,7]|7|2"}, true)
}
