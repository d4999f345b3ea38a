package ops

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// funcEval evaluates f over each row's Go values (test stand-in for expr).
type funcEval struct {
	kind types.Kind
	f    func(row []any) any
}

func (e funcEval) Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	b := array.NewBuilder(ctx.Mem, kernels.ArrowType(e.kind))
	defer b.Release()
	for r := 0; r < int(rec.NumRows()); r++ {
		row := make([]any, rec.NumCols())
		for c := range row {
			row[c] = goValue(rec.Column(c), r)
		}
		appendValue(b, e.f(row))
	}
	return kernels.Datum{Array: b.NewArray(), Kind: e.kind}, nil
}

func TestParseKVModes(t *testing.T) {
	cases := []struct {
		text string
		spec ParseKVSpec
		want string
	}{
		{`src=10.1.1.123 bytes=125 failure="the host said \"bye!\"" n=x`,
			ParseKVSpec{PairDelim: " ", KVDelim: "=", Quote: `"`, Escape: `\`}, `10.1.1.123|125|the host said "bye!"|∅`},
		{`src=John Doe bytes=12 failure=no way`, ParseKVSpec{PairDelim: " ", KVDelim: "=", Greedy: true}, `John Doe|12|no way|∅`},
		{`[INFO] src:abc, bytes: 77, failure: down; n:5`, ParseKVSpec{}, `abc|77|down|5`},
		{`["src: a b", "bytes: 9"]`, ParseKVSpec{Regex: `"([\w ]+)\s*:\s*([^"]*)"`}, `a b|9||∅`},
	}
	for _, c := range cases {
		mem := checked(t)
		in := src(t, mem, "s:string", []any{c.text})
		spec := c.spec
		spec.Col = 0
		spec.Keys = []string{"src", "bytes", "failure", "n"}
		spec.Types = []types.Kind{types.String, types.Long, types.String, types.Long}
		p, err := NewParseKV(kctx(mem), in, spec)
		if err != nil {
			t.Fatal(err)
		}
		rows := collect(t, p)
		p.Close()
		if len(rows) != 1 || rows[0] != c.text+"|"+c.want {
			t.Errorf("%q: got %q, want %q", c.text, rows, c.want)
		}
	}
}

func TestMakeSeriesOps(t *testing.T) {
	mem := checked(t)
	const day = int64(86400e9)
	base := int64(1704067200e9) // 2024-01-01
	in := src(t, mem, "t:datetime,k:string", []any{base + day/2, "a"}, []any{base + 2*day, "b"}, []any{base - day, "a"}, []any{nil, "a"}, []any{base + 3*day, "a"})
	axis := SeriesAxis{Kind: types.DateTime, From: base, Step: day, N: 3}
	if got := axis.AlignDown(base + day/2); got != base {
		t.Errorf("AlignDown = %d", got)
	}
	wk := SeriesAxis{Kind: types.DateTime, Step: 7 * day}
	if got := wk.AlignDown(base + 3*day); got != base { // 2024-01-01 is a Monday, as 0001-01-01
		t.Errorf("weekly AlignDown = %d, want %d", got, base)
	}
	b := NewSeriesBucket(kctx(mem), in, colEval{0}, axis)
	rows := collect(t, b)
	b.Close()
	eqRows(t, rows, []string{"2024-01-01 12:00:00Z|a|0", "2024-01-03 00:00:00Z|b|2"}, true)

	sum := src(t, mem, "k:string,b:long,v:real", []any{"a", 0, 1.5}, []any{"b", 2, 4.0}, []any{"a", 2, 2.0})
	out := arrow.NewSchema([]arrow.Field{kernels.Field("k", types.String), kernels.Field("v", types.Dynamic), kernels.Field("t", types.Dynamic)}, nil)
	as, err := NewSeriesAssemble(mem, sum, 1, []any{int64(-1)}, axis, false, out)
	if err != nil {
		t.Fatal(err)
	}
	rows = collect(t, as)
	as.Close()
	ts := `["2024-01-01T00:00:00.0000000Z","2024-01-02T00:00:00.0000000Z","2024-01-03T00:00:00.0000000Z"]`
	eqRows(t, rows, []string{`a|[1.5,-1,2.0]|` + ts, `b|[-1,-1,4.0]|` + ts}, true)

	empty := &tsrc{schema: mkSchema(t, "b:long,v:real")}
	out2 := arrow.NewSchema([]arrow.Field{kernels.Field("v", types.Dynamic), kernels.Field("t", types.Dynamic)}, nil)
	as2, _ := NewSeriesAssemble(mem, empty, 0, []any{1.0}, axis, true, out2)
	rows = collect(t, as2)
	as2.Close()
	eqRows(t, rows, []string{`[1.0,1.0,1.0]|` + ts}, true)
}

func TestScanCumulative(t *testing.T) {
	mem := checked(t)
	in := src(t, mem, "x:long", []any{1}, []any{2}, []any{3}, []any{4}, []any{5})
	row := arrow.NewSchema([]arrow.Field{kernels.Field("x", types.Long), kernels.Field("cum", types.Long), kernels.Field("s1.x", types.Long), kernels.Field("s1.cum", types.Long)}, nil)
	spec := ScanSpec{
		Declared: []arrow.Field{kernels.Field("cum", types.Long)},
		Defaults: []any{int64(0)},
		MatchID:  "m",
		Row:      row,
		Steps: []ScanStepSpec{{
			Name: "s1", Output: "all",
			Pred: funcEval{types.Bool, func(r []any) any { return true }},
			Assigns: []ValueEval{funcEval{types.Long, func(r []any) any {
				x, _ := r[0].(int64)
				c, _ := r[3].(int64)
				if c >= 5 {
					return x
				}
				return x + c
			}}},
			Targets: []int{0},
		}},
	}
	s, err := NewScanOp(kctx(mem), in, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	eqRows(t, collect(t, s), []string{"1|1|0", "2|3|0", "3|6|0", "4|4|0", "5|9|0"}, true)
}

func TestTopNestedAndPivot(t *testing.T) {
	mem := checked(t)
	l1 := src(t, mem, "s:string,agg:long", []any{"a", 8}, []any{"b", 10}, []any{"c", 7})
	l2 := src(t, mem, "s:string,t:string,agg2:long", []any{"a", "x", 1}, []any{"a", "y", 5}, []any{"b", "x", 10}, []any{"c", "q", 3})
	schema := arrow.NewSchema([]arrow.Field{l2.schema.Field(0), l1.schema.Field(1), l2.schema.Field(1), l2.schema.Field(2)}, nil)
	op, err := NewTopNested(context.Background(), mem, []TopNestedLevel{{In: l1, N: 2, Desc: true}, {In: l2, N: 1, Desc: true}}, schema)
	if err != nil {
		t.Fatal(err)
	}
	eqRows(t, collect(t, op), []string{"b|10|x|10", "a|8|y|5"}, true)
	op.Close()

	in := src(t, mem, "k:string,p:string,v:long", []any{"x", "q", 2}, []any{"x", "p", 5}, []any{"y", "p", 3})
	pv, err := NewPivot(context.Background(), mem, in, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(pv.Schema()); got != "k:string,p:long,q:long" {
		t.Errorf("pivot schema %s", got)
	}
	eqRows(t, collect(t, pv), []string{"x|5|2", "y|3|0"}, true)
	pv.Close()
}

func TestSample(t *testing.T) {
	mem := checked(t)
	var rows [][]any
	for i := 0; i < 100; i++ {
		rows = append(rows, []any{i % 10})
	}
	s := NewSample(mem, src(t, mem, "x:long", rows...), 5, 1)
	if got := collect(t, s); len(got) != 5 {
		t.Errorf("sample 5 gave %d rows", len(got))
	}
	s.Close()
	d := NewSampleDistinct(mem, src(t, mem, "x:long", rows...), 4, 0)
	eqRows(t, collect(t, d), []string{"0", "1", "2", "3"}, true)
	d.Close()
}

func TestPartition(t *testing.T) {
	mem := checked(t)
	in := src(t, mem, "u:long,t:long", []any{1, 5}, []any{2, 9}, []any{1, 3}, []any{2, 1})
	op, err := NewPartition(context.Background(), mem, in, 0, func(x Operator) (Operator, error) { return &lastRow{x}, nil }, in.Schema())
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	eqRows(t, collect(t, op), []string{"1|3", "2|1"}, true)
}
