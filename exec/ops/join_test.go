package ops

import (
	"context"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
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
func benchRecs(b testing.TB, mem memory.Allocator, n, keyMod int) (*arrow.Schema, []arrow.Record) {
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

// refJoin is a nested-loop reference join over rows (k, v): null keys meet
// each other (as the hash join's null group does); innerunique keeps the
// first left row per key.
func refJoin(kind JoinKind, left, right [][2]any) []string {
	cell := func(v any) string {
		if v == nil {
			return "∅"
		}
		return fmt.Sprint(v)
	}
	row := func(l, r *[2]any) string {
		lo, ro := kind.Columns()
		var cs []string
		if lo {
			if l == nil {
				cs = append(cs, "∅", "∅")
			} else {
				cs = append(cs, cell(l[0]), cell(l[1]))
			}
		}
		if ro {
			if r == nil {
				cs = append(cs, "∅", "∅")
			} else {
				cs = append(cs, cell(r[0]), cell(r[1]))
			}
		}
		return strings.Join(cs, "|")
	}
	if kind == JoinInnerUnique {
		seen := map[any]bool{}
		var dedup [][2]any
		for _, l := range left {
			if !seen[l[0]] {
				seen[l[0]] = true
				dedup = append(dedup, l)
			}
		}
		left, kind = dedup, JoinInner
	}
	var out []string
	rMatched := make([]bool, len(right))
	for i := range left {
		m := false
		for j := range right {
			if left[i][0] == right[j][0] {
				m = true
				rMatched[j] = true
				switch kind {
				case JoinInner, JoinLeftOuter, JoinRightOuter, JoinFullOuter:
					out = append(out, row(&left[i], &right[j]))
				}
			}
		}
		switch {
		case m && kind == JoinLeftSemi, !m && kind == JoinLeftAnti:
			out = append(out, row(&left[i], nil))
		case !m && (kind == JoinLeftOuter || kind == JoinFullOuter):
			out = append(out, row(&left[i], nil))
		}
	}
	for j := range right {
		switch m := rMatched[j]; {
		case m && kind == JoinRightSemi, !m && kind == JoinRightAnti:
			out = append(out, row(nil, &right[j]))
		case !m && (kind == JoinRightOuter || kind == JoinFullOuter):
			out = append(out, row(nil, &right[j]))
		}
	}
	return out
}

// TestJoinRandomAgainstReference compares every kind, both build sides,
// string (with null and "") and long keys, several probe batches and two
// workers against the nested-loop reference.
func TestJoinRandomAgainstReference(t *testing.T) {
	rnd := rand.New(rand.NewSource(3))
	gen := func(n, keys int, str bool) [][2]any {
		rows := make([][2]any, n)
		for i := range rows {
			var k any
			switch x := rnd.Intn(keys + 2); {
			case x == keys:
				k = nil
			case x == keys+1 && str:
				k = ""
			case str:
				k = fmt.Sprintf("k%d", x)
			default:
				k = int64(x)
			}
			rows[i] = [2]any{k, int64(i)}
		}
		return rows
	}
	toSrc := func(mem memory.Allocator, spec string, rows [][2]any, batch int) *tsrc {
		s := mkSchema(t, spec)
		ts := &tsrc{schema: s}
		for start := 0; start < len(rows); start += batch {
			var rs [][]any
			for _, r := range rows[start:min(start+batch, len(rows))] {
				rs = append(rs, []any{r[0], r[1]})
			}
			ts.recs = append(ts.recs, mkRec(t, mem, s, rs...))
		}
		return ts
	}
	kinds := []string{"innerunique", "inner", "leftouter", "rightouter", "fullouter", "leftanti", "rightanti", "leftsemi", "rightsemi"}
	for _, str := range []bool{true, false} {
		kt := "long"
		if str {
			kt = "string"
		}
		for _, sizes := range [][2]int{{700, 60}, {40, 500}} { // build right, then build left
			left, right := gen(sizes[0], 25, str), gen(sizes[1], 25, str)
			for _, kn := range kinds {
				kind, _ := ParseJoinKind(kn)
				mem := checked(t)
				j, err := NewHashJoin(mem, toSrc(mem, "k:"+kt+",v:long", left, 64), toSrc(mem, "k:"+kt+",w:long", right, 64), kind, []int{0}, []int{0})
				if err != nil {
					t.Fatal(err)
				}
				got := collect(t, j)
				j.Close()
				// a null string reads as empty: the reference compares raw keys
				t.Run(fmt.Sprintf("%s/%v/%s", kt, sizes, kn), func(t *testing.T) { eqRows(t, got, refJoin(kind, left, right), false) })
			}
		}
	}
}

// TestJoinSetNeeded: columns nothing reads come out as nulls, the others
// unchanged.
func TestJoinSetNeeded(t *testing.T) {
	mem := checked(t)
	l := src(t, mem, "Key:string,Value1:long", []any{"a", 1}, []any{"b", 2}, []any{"c", 4})
	r := src(t, mem, "Key:string,Value2:long,Dept:string", []any{"b", 10, "x"}, []any{"c", 20, "y"}, []any{"d", 40, "z"})
	j, err := NewHashJoin(mem, l, r, JoinLeftOuter, []int{0}, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.SetNeeded([]bool{true, false, false, false, true})
	eqRows(t, collect(t, j), []string{"a|∅|∅|∅|∅", "b|∅|∅|∅|x", "c|∅|∅|∅|y"}, false)
}

// TestJoinDictionaryKey: a dictionary-encoded key joins as its text.
func TestJoinDictionaryKey(t *testing.T) {
	mem := checked(t)
	dictType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	db := array.NewDictionaryBuilder(mem, dictType).(*array.BinaryDictionaryBuilder)
	vb := array.NewInt64Builder(mem)
	for i, v := range []any{"b", "a", "b", nil, "zz"} {
		if v == nil {
			db.AppendNull()
		} else if err := db.AppendString(v.(string)); err != nil {
			t.Fatal(err)
		}
		vb.Append(int64(i))
	}
	ka, va := db.NewArray(), vb.NewArray()
	db.Release()
	vb.Release()
	plain := mkSchema(t, "k:string,v:long")
	ls := arrow.NewSchema([]arrow.Field{{Name: "k", Type: dictType, Metadata: plain.Field(0).Metadata}, plain.Field(1)}, nil)
	// a second batch with the same dictionary (as batches of one Parquet
	// column chunk have): the entries' groups are reused
	ib := array.NewInt32Builder(mem)
	ib.AppendValues([]int32{2, 0}, nil)
	ind := ib.NewArray()
	ib.Release()
	ka2 := array.NewDictionaryArray(dictType, ind, ka.(*array.Dictionary).Dictionary())
	ind.Release()
	vb2 := array.NewInt64Builder(mem)
	vb2.AppendValues([]int64{5, 6}, nil)
	va2 := vb2.NewArray()
	vb2.Release()
	l := &tsrc{schema: ls, recs: []arrow.Record{newRecord(ls, []arrow.Array{ka, va}, 5), newRecord(ls, []arrow.Array{ka2, va2}, 2)}}
	r := src(t, mem, "k:string,w:string", []any{"a", "A"}, []any{"b", "B"}, []any{nil, "N"}, []any{"c", "C"})
	j, err := NewHashJoin(mem, l, r, JoinLeftOuter, []int{0}, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	eqRows(t, collect(t, j), []string{"b|0|b|B", "a|1|a|A", "b|2|b|B", "∅|3|∅|N", "zz|4|∅|∅", "zz|5|∅|∅", "b|6|b|B"}, false)
}

// TestJoinCloseEarly closes a join after its first output batch (as `take`
// does): the probe goroutines stop and every record is released.
func TestJoinCloseEarly(t *testing.T) {
	for _, kind := range []JoinKind{JoinInner, JoinInnerUnique, JoinRightOuter} {
		mem := checked(t)
		ls, lrecs := benchRecs(t, mem, 300_000, 1000)
		rs, rrecs := benchRecs(t, mem, 1000, 1000)
		j, err := NewHashJoin(mem, &tsrc{schema: ls, recs: lrecs}, &tsrc{schema: rs, recs: rrecs}, kind, []int{0}, []int{0})
		if err != nil {
			t.Fatal(err)
		}
		r, err := j.Next(context.Background())
		if err != nil || r == nil || r.NumRows() == 0 {
			t.Fatalf("%v: first batch %v, %v", kind, r, err)
		}
		r.Release()
		j.Close()
		j.Close() // twice is allowed
	}
}

// TestTakeStrings gathers from a sliced string array with nulls, with -1
// (null) and repeated indices.
func TestTakeStrings(t *testing.T) {
	mem := checked(t)
	b := array.NewStringBuilder(mem)
	b.AppendValues([]string{"zero", "one", "", "three", "four"}, []bool{true, true, true, false, true})
	full := b.NewStringArray()
	b.Release()
	defer full.Release()
	sl := array.NewSlice(full, 1, 5).(*array.String) // one, "", null, four
	defer sl.Release()
	got := takeColumn(mem, sl, []int32{3, -1, 0, 2, 1, 3})
	defer got.Release()
	var cells []string
	for i := 0; i < got.Len(); i++ {
		if got.IsNull(i) {
			cells = append(cells, "∅")
			continue
		}
		cells = append(cells, "'"+got.(*array.String).Value(i)+"'")
	}
	if s := strings.Join(cells, ","); s != "'four',∅,'one',∅,'',"+"'four'" {
		t.Errorf("got %s", s)
	}
	same := takeColumn(mem, sl, []int32{0, 1, 2, 3})
	defer same.Release()
	if same != arrow.Array(sl) {
		t.Errorf("rows in order should pass the column through")
	}
}
