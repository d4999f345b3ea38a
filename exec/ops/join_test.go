package ops

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

func joinXY(t *testing.T, kind string, swap bool) ([]string, string) {
	mem := checked(t)
	x := src(t, mem, "Key:string,Value1:long", []any{"a", 1}, []any{"b", 2}, []any{"b", 3}, []any{"c", 4})
	var y *tsrc
	if !swap {
		y = src(t, mem, "Key:string,Value2:long", []any{"b", 10}, []any{"c", 20}, []any{"c", 30}, []any{"d", 40})
	} else {
		// make the left side bigger than the right so that the build side flips
		y = src(t, mem, "Key:string,Value2:long", []any{"b", 10}, []any{"c", 20}, []any{"c", 30}, []any{"d", 40}, []any{"e", 50}, []any{"e", 60})
	}
	k, ok := ParseJoinKind(kind)
	if !ok {
		t.Fatalf("kind %s", kind)
	}
	j, err := NewHashJoin(mem, x, y, k, []int{0}, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	return collect(t, j), names(j.Schema())
}

func TestJoinKinds(t *testing.T) {
	cases := []struct {
		kind   string
		schema string
		rows   []string
	}{
		{"", "Key:string,Value1:long,Key1:string,Value2:long", []string{"b|2|b|10", "c|4|c|20", "c|4|c|30"}},
		{"inner", "Key:string,Value1:long,Key1:string,Value2:long", []string{"b|2|b|10", "b|3|b|10", "c|4|c|20", "c|4|c|30"}},
		{"leftouter", "Key:string,Value1:long,Key1:string,Value2:long", []string{"a|1|∅|∅", "b|2|b|10", "b|3|b|10", "c|4|c|20", "c|4|c|30"}},
		{"rightouter", "Key:string,Value1:long,Key1:string,Value2:long", []string{"b|2|b|10", "b|3|b|10", "c|4|c|20", "c|4|c|30", "∅|∅|d|40"}},
		{"fullouter", "Key:string,Value1:long,Key1:string,Value2:long", []string{"a|1|∅|∅", "b|2|b|10", "b|3|b|10", "c|4|c|20", "c|4|c|30", "∅|∅|d|40"}},
		{"leftanti", "Key:string,Value1:long", []string{"a|1"}},
		{"anti", "Key:string,Value1:long", []string{"a|1"}},
		{"rightanti", "Key:string,Value2:long", []string{"d|40"}},
		{"leftsemi", "Key:string,Value1:long", []string{"b|2", "b|3", "c|4"}},
		{"rightsemi", "Key:string,Value2:long", []string{"b|10", "c|20", "c|30"}},
	}
	for _, c := range cases {
		for _, swap := range []bool{false, true} {
			rows, schema := joinXY(t, c.kind, swap)
			if schema != c.schema {
				t.Errorf("%s: schema %s, want %s", c.kind, schema, c.schema)
			}
			want := c.rows
			if swap {
				// the extra right rows e/50, e/60 only show in right-preserving kinds
				switch c.kind {
				case "rightouter", "fullouter":
					want = append(append([]string(nil), want...), "∅|∅|e|50", "∅|∅|e|60")
				case "rightanti":
					want = append(append([]string(nil), want...), "e|50", "e|60")
				}
			}
			eqRows(t, rows, want, false)
		}
	}
}

func TestJoinNamingAndMultiKey(t *testing.T) {
	mem := checked(t)
	l := src(t, mem, "a:long,b:string,Key1:long", []any{1, "x", 7}, []any{2, "y", 8}, []any{nil, "z", 9})
	r := src(t, mem, "c:int,b:string,Key1:string", []any{1, "x", "p"}, []any{1, "x", "q"}, []any{2, "n", "r"}, []any{nil, "z", "s"})
	j, err := NewHashJoin(mem, l, r, JoinInner, []int{0, 1}, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if got := names(j.Schema()); got != "a:long,b:string,Key1:long,c:int,b1:string,Key11:string" {
		t.Errorf("schema %s", got)
	}
	// int vs long keys meet; null keys meet each other
	eqRows(t, collect(t, j), []string{"1|x|7|1|x|p", "1|x|7|1|x|q", "∅|z|9|∅|z|s"}, false)
}

func TestJoinFloatKeysAndBatches(t *testing.T) {
	mem := checked(t)
	ls := mkSchema(t, "k:long")
	l := &tsrc{schema: ls, recs: []arrow.Record{mkRec(t, mem, ls, []any{1}, []any{2}), mkRec(t, mem, ls, []any{3}, []any{1})}}
	r := src(t, mem, "k:real,v:string", []any{1.0, "one"}, []any{3.0, "three"}, []any{4.5, "x"})
	j, err := NewHashJoin(mem, l, r, JoinLeftOuter, []int{0}, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	eqRows(t, collect(t, j), []string{"1|1|one", "2|∅|∅", "3|3|three", "1|1|one"}, false)
}

func TestLookup(t *testing.T) {
	for _, inner := range []bool{false, true} {
		mem := checked(t)
		l := src(t, mem, "Key:string,v:long,w:long", []any{"a", 1, 0}, []any{"b", 2, 0}, []any{"c", 3, 0})
		r := src(t, mem, "k2:string,w:long,x:string", []any{"a", 10, "A"}, []any{"c", 30, "C"}, []any{"z", 99, "Z"})
		j, err := NewLookup(mem, l, r, inner, []int{0}, []int{0})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(j.Schema()); got != "Key:string,v:long,w:long,w1:long,x:string" {
			t.Errorf("schema %s", got)
		}
		want := []string{"a|1|0|10|A", "b|2|0|∅|∅", "c|3|0|30|C"}
		if inner {
			want = []string{"a|1|0|10|A", "c|3|0|30|C"}
		}
		eqRows(t, collect(t, j), want, true)
		j.Close()
	}
}

// benchRecs builds n rows of (k long, s string) in batches.
func benchRecs(b *testing.B, mem memory.Allocator, n, keyMod int) (*arrow.Schema, []arrow.Record) {
	s := mkSchema(b, "k:long,s:string")
	var recs []arrow.Record
	for start := 0; start < n; start += DefaultBatchRows {
		end := min(start+DefaultBatchRows, n)
		kb := array.NewInt64Builder(mem)
		sb := array.NewStringBuilder(mem)
		for i := start; i < end; i++ {
			kb.Append(int64((i * 7919) % keyMod))
			sb.Append("value-" + strconv.Itoa(i%1000))
		}
		ka, sa := kb.NewArray(), sb.NewArray()
		recs = append(recs, newRecord(s, []arrow.Array{ka, sa}, end-start))
		kb.Release()
		sb.Release()
	}
	return s, recs
}

func retainAll(recs []arrow.Record) []arrow.Record {
	for _, r := range recs {
		r.Retain()
	}
	return append([]arrow.Record(nil), recs...)
}

// BenchmarkJoin joins 1M probe rows with 50k build rows (unique keys).
func BenchmarkJoin(b *testing.B) {
	mem := memory.NewGoAllocator()
	ls, lrecs := benchRecs(b, mem, 1_000_000, 50_000)
	rs, rrecs := benchRecs(b, mem, 50_000, 50_000)
	defer releaseAll(lrecs)
	defer releaseAll(rrecs)
	for _, kind := range []JoinKind{JoinInner, JoinInnerUnique, JoinLeftOuter} {
		b.Run(fmt.Sprint("kind", kind), func(b *testing.B) {
			b.ReportAllocs()
			rows := 0
			cpu0 := cpuSeconds()
			for i := 0; i < b.N; i++ {
				j, err := NewHashJoin(mem, &tsrc{schema: ls, recs: retainAll(lrecs)}, &tsrc{schema: rs, recs: retainAll(rrecs)}, kind, []int{0}, []int{0})
				if err != nil {
					b.Fatal(err)
				}
				for {
					r, err := j.Next(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					if r == nil {
						break
					}
					rows += int(r.NumRows())
					r.Release()
				}
				j.Close()
			}
			b.ReportMetric(float64(1_050_000*b.N)/(cpuSeconds()-cpu0), "inrows/cpu-s")
			b.ReportMetric(float64(1_050_000*b.N)/b.Elapsed().Seconds(), "inrows/s")
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "outrows/s")
		})
	}
}
