package ops

import (
	"context"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func kctx(mem memory.Allocator) *kernels.Ctx {
	return &kernels.Ctx{Mem: mem}
}

func TestMvExpandArraysAndBags(t *testing.T) {
	mem := checked(t)
	in := src(t, mem, "a:int,b:dynamic,c:dynamic",
		[]any{1, `{"prop1":"a","prop2":"b"}`, `[5, 4, 3]`},
		[]any{2, `[]`, `[]`},
		[]any{3, nil, `["x"]`},
		[]any{4, `7`, `[{"k": [1, 2]}]`},
	)
	m, err := NewMvExpand(kctx(mem), in, MvExpandSpec{Items: []MvExpandItem{{Col: 1}, {Col: 2}}, IndexName: "i"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := names(m.Schema()); got != "a:int,b:dynamic,c:dynamic,i:long" {
		t.Errorf("schema %s", got)
	}
	eqRows(t, collect(t, m), []string{
		`1|{"prop1":"a"}|5|0`, `1|{"prop2":"b"}|4|1`, `1|∅|3|2`,
		`3|∅|"x"|0`,
		`4|7|{"k":[1,2]}|0`,
	}, true)
}

func TestMvExpandBagArrayTypedLimit(t *testing.T) {
	mem := checked(t)
	in := src(t, mem, "b:dynamic,c:dynamic",
		[]any{`{"p":"a1","q":2}`, `["2017-10-01T00:00:00Z","bad",3]`},
	)
	m, err := NewMvExpand(kctx(mem), in, MvExpandSpec{
		Items:    []MvExpandItem{{Col: 0}, {Col: 1, To: types.DateTime}},
		BagArray: true,
		Limit:    2,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := names(m.Schema()); got != "b:dynamic,c:datetime" {
		t.Errorf("schema %s", got)
	}
	eqRows(t, collect(t, m), []string{`["p","a1"]|2017-10-01 00:00:00Z`, `["q",2]|∅`}, true)
}

func TestMvExpandTypedNumbers(t *testing.T) {
	mem := checked(t)
	in := src(t, mem, "c:dynamic", []any{`[1, 2.5, "3", true]`})
	m, err := NewMvExpand(kctx(mem), in, MvExpandSpec{Items: []MvExpandItem{{Col: 0, To: types.Long}}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	eqRows(t, collect(t, m), []string{"1", "2", "∅", "∅"}, true)
}

// constEval evaluates to a fixed dynamic text for every row.
type constEval struct{ text string }

func (c constEval) Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	b := array.NewStringBuilder(ctx.Mem)
	defer b.Release()
	b.Append(c.text)
	a := b.NewArray()
	return kernels.Datum{Array: a, Scalar: true, Kind: types.Dynamic}, nil
}

func TestMvExpandExpression(t *testing.T) {
	mem := checked(t)
	in := src(t, mem, "a:long,N:string", []any{1, "keep"}, []any{2, "keep"})
	m, err := NewMvExpand(kctx(mem), in, MvExpandSpec{Items: []MvExpandItem{
		{Name: "N", Col: -1, Eval: constEval{`["x","y"]`}, To: types.String},
		{Name: "M", Col: -1, Eval: constEval{`[10]`}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := names(m.Schema()); got != "a:long,N:string,M:dynamic" {
		t.Errorf("schema %s", got)
	}
	eqRows(t, collect(t, m), []string{"1|x|10", "1|y|∅", "2|x|10", "2|y|∅"}, true)
}

func TestSplitJSON(t *testing.T) {
	k, parts, keys, ok := splitJSON(` { "a b" : [1, {"x": "y z"}], "c":null } `)
	if !ok || k != '{' || len(parts) != 2 || keys[0] != `"a b"` || parts[0] != `[1,{"x":"y z"}]` || parts[1] != "null" {
		t.Errorf("got %c %q %q %v", k, parts, keys, ok)
	}
	if _, _, _, ok := splitJSON(`[1,`); ok {
		t.Error("truncated array accepted")
	}
	if k, _, _, ok := splitJSON(`"s"`); !ok || k != 0 {
		t.Error("scalar string")
	}
}

// colEval evaluates to column i of the record.
type colEval struct{ i int }

func (c colEval) Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	a := rec.Column(c.i)
	a.Retain()
	return kernels.Datum{Array: a, Kind: kernels.KindOf(rec.Schema().Field(c.i))}, nil
}

// BenchmarkMvExpand expands 1M rows, each a 3-element dynamic array.
func BenchmarkMvExpand(b *testing.B) {
	mem := memory.NewGoAllocator()
	s := mkSchema(b, "id:long,arr:dynamic")
	var recs []arrow.Record
	const n = 1_000_000
	for start := 0; start < n; start += DefaultBatchRows {
		end := min(start+DefaultBatchRows, n)
		ib := array.NewInt64Builder(mem)
		sb := array.NewStringBuilder(mem)
		for i := start; i < end; i++ {
			ib.Append(int64(i))
			sb.Append(`["a",` + strconv.Itoa(i) + `,{"k":"v"}]`)
		}
		ia, sa := ib.NewArray(), sb.NewArray()
		recs = append(recs, newRecord(s, []arrow.Array{ia, sa}, end-start))
		ib.Release()
		sb.Release()
	}
	defer releaseAll(recs)
	b.ReportAllocs()
	out := 0
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		m, err := NewMvExpand(kctx(mem), &tsrc{schema: s, recs: retainAll(recs)}, MvExpandSpec{Items: []MvExpandItem{{Col: 1}}})
		if err != nil {
			b.Fatal(err)
		}
		for {
			r, err := m.Next(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if r == nil {
				break
			}
			out += int(r.NumRows())
			r.Release()
		}
		m.Close()
	}
	b.ReportMetric(float64(n*b.N)/(cpuSeconds()-cpu0), "inrows/cpu-s")
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "inrows/s")
	b.ReportMetric(float64(out)/b.Elapsed().Seconds(), "outrows/s")
}
