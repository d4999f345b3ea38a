package ops

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// groupRow is one input row of the grouping tests: A and B are string keys
// (nil = null), V a long (nil = null).
type groupRow struct {
	a, b *string
	v    *int64
}

func sp(s string) *string { return &s }

// groupRows makes nb batches of rows: A over na values (with "" and null),
// B over 4 values and null, V over 50 values and null.
func groupRows(seed int64, nb, rows, na int) [][]groupRow {
	rnd := rand.New(rand.NewSource(seed))
	out := make([][]groupRow, nb)
	for b := range out {
		for i := 0; i < rows; i++ {
			var r groupRow
			switch x := rnd.Intn(na + 2); x {
			case 0:
			case 1:
				r.a = sp("")
			default:
				r.a = sp(fmt.Sprintf("acct-%05d", x))
			}
			if x := rnd.Intn(5); x > 0 {
				r.b = sp([]string{"", "FileDownloaded", "FileUploaded", "MailItemsAccessed"}[x-1])
			}
			if x := rnd.Intn(51); x > 0 {
				v := int64(x)
				r.v = &v
			}
			out[b] = append(out[b], r)
		}
	}
	return out
}

var dictType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// strCol builds a key column of one batch: plain, or a dictionary from db
// (reset first when fresh; a builder kept across batches hands out growing
// dictionaries, as the Parquet reader does within a row group).
func strCol(t *testing.T, mem memory.Allocator, vals []*string, db *array.BinaryDictionaryBuilder, fresh bool) arrow.Array {
	if db == nil {
		b := array.NewStringBuilder(mem)
		defer b.Release()
		for _, v := range vals {
			if v == nil {
				b.AppendNull()
			} else {
				b.Append(*v)
			}
		}
		return b.NewArray()
	}
	if fresh {
		db.ResetFull()
	}
	for _, v := range vals {
		if v == nil {
			db.AppendNull()
		} else if err := db.AppendString(*v); err != nil {
			t.Fatal(err)
		}
	}
	return db.NewArray()
}

// groupInput builds the batches; mode per batch and column: 'p' plain,
// 'g' growing dictionary, 'f' fresh dictionary.
func groupInput(t *testing.T, mem memory.Allocator, batches [][]groupRow, mode func(batch, col int) byte) *tsrc {
	dbs := [2]*array.BinaryDictionaryBuilder{
		array.NewDictionaryBuilder(mem, dictType).(*array.BinaryDictionaryBuilder),
		array.NewDictionaryBuilder(mem, dictType).(*array.BinaryDictionaryBuilder),
	}
	defer dbs[0].Release()
	defer dbs[1].Release()
	var recs []arrow.Record
	var schema *arrow.Schema
	for bi, rows := range batches {
		var cols []arrow.Array
		var fields []arrow.Field
		for c := 0; c < 2; c++ {
			vals := make([]*string, len(rows))
			for i, r := range rows {
				if c == 0 {
					vals[i] = r.a
				} else {
					vals[i] = r.b
				}
			}
			m := mode(bi, c)
			var db *array.BinaryDictionaryBuilder
			if m != 'p' {
				db = dbs[c]
			}
			a := strCol(t, mem, vals, db, m == 'f')
			cols = append(cols, a)
			f := kernels.Field(string(rune('A'+c)), types.String)
			f.Type = a.DataType()
			fields = append(fields, f)
		}
		vb := array.NewInt64Builder(mem)
		for _, r := range rows {
			if r.v == nil {
				vb.AppendNull()
			} else {
				vb.Append(*r.v)
			}
		}
		cols = append(cols, vb.NewArray())
		vb.Release()
		fields = append(fields, kernels.Field("V", types.Long))
		md := arrow.NewSchema(fields, nil)
		recs = append(recs, array.NewRecord(md, cols, int64(len(rows))))
		for _, c := range cols {
			c.Release()
		}
		schema = md
	}
	return &tsrc{schema: schema, recs: recs}
}

// groupSummarize runs summarize count(), dcount(V), sum(V), dcount(B) by the key
// columns keys (0: A, 1: B).
func groupSummarize(t *testing.T, kctx *kernels.Ctx, in Operator, keys []int) Operator {
	spec := SummarizeSpec{}
	var fields []arrow.Field
	for _, c := range keys {
		spec.Keys = append(spec.Keys, colEv{c, types.String})
		spec.KeyKinds = append(spec.KeyKinds, types.String)
		fields = append(fields, kernels.Field(string(rune('A'+c)), types.String))
	}
	for i, a := range []msAgg{
		{id: "count", arg: -1, result: types.Long},
		{id: "dcount", arg: 2, argK: types.Long, result: types.Long},
		{id: "sum", arg: 2, argK: types.Long, result: types.Long},
		{id: "dcount", arg: 1, argK: types.String, result: types.Long},
	} {
		spec.Aggs = append(spec.Aggs, a.spec(t))
		fields = append(fields, kernels.Field(fmt.Sprintf("a%d", i), a.result))
	}
	spec.Schema = arrow.NewSchema(fields, nil)
	return NewSummarize(kctx, in, spec)
}

// groupReference computes the expected rows in order of first appearance
// (null keys group with "").
func groupReference(batches [][]groupRow, keys []int) []string {
	type acc struct {
		n, sum int64
		set    map[int64]bool
		bs     map[string]bool
	}
	idx := map[string]*acc{}
	var order []string
	for _, rows := range batches {
		for _, r := range rows {
			key := ""
			for j, c := range keys {
				v := r.a
				if c == 1 {
					v = r.b
				}
				s := ""
				if v != nil {
					s = *v
				}
				if j > 0 {
					key += "|"
				}
				key += s
			}
			a := idx[key]
			if a == nil {
				a = &acc{set: map[int64]bool{}, bs: map[string]bool{}}
				idx[key] = a
				order = append(order, key)
			}
			a.n++
			if r.b != nil {
				a.bs[*r.b] = true
			}
			if r.v != nil {
				a.sum += *r.v
				a.set[*r.v] = true
			}
		}
	}
	var out []string
	for _, k := range order {
		a := idx[k]
		sep := "|"
		if len(keys) == 0 {
			sep = ""
		}
		out = append(out, fmt.Sprintf("%s%s%d|%d|%d|%d", k, sep, a.n, len(a.set), a.sum, len(a.bs)))
	}
	return out
}

// Plain strings, growing dictionaries, fresh dictionaries per batch and a
// mix of them give the same groups, in the same order, with nulls grouped
// with "", for one and two keys, one and two workers, many groups.
func TestSummarizeGroupKeysDictAndPlain(t *testing.T) {
	mem := checked(t)
	kctx := &kernels.Ctx{Context: context.Background(), Mem: mem}
	batches := groupRows(3, 8, 3000, 2500)
	modes := map[string]func(b, c int) byte{
		"plain":   func(b, c int) byte { return 'p' },
		"growing": func(b, c int) byte { return 'g' },
		"fresh":   func(b, c int) byte { return 'f' },
		"rowgroups": func(b, c int) byte { // a new dictionary every 3 batches
			if b%3 == 0 {
				return 'f'
			}
			return 'g'
		},
		"mixed": func(b, c int) byte { return "pgfgpg"[(b+c)%6] },
	}
	defer func(w int) { Workers = w }(Workers)
	for _, workers := range []int{1, 2} {
		Workers = workers
		for _, keys := range [][]int{{0}, {1}, {0, 1}, {1, 0}, {}} {
			want := groupReference(batches, keys)
			var first []string
			for _, name := range []string{"plain", "growing", "fresh", "rowgroups", "mixed"} {
				op := groupSummarize(t, kctx, groupInput(t, mem, batches, modes[name]), keys)
				got := collect(t, op)
				op.Close()
				label := fmt.Sprintf("workers%d/keys%v/%s", workers, keys, name)
				if workers == 1 {
					t.Run(label, func(t *testing.T) { eqRows(t, got, want, true) })
				} else {
					t.Run(label, func(t *testing.T) { eqRows(t, got, want, false) })
				}
				if first == nil {
					first = got
				} else {
					t.Run(label+"/order", func(t *testing.T) { eqRows(t, got, first, true) })
				}
			}
		}
	}
}

// The interner keeps text apart from encoded values and finds strings
// again across table growth.
func TestInternTable(t *testing.T) {
	var tab internTable
	ids := map[string]uint32{}
	for i := 0; i < 20000; i++ {
		s := fmt.Sprintf("v%d", i%7000)
		id := tab.internString(s)
		if old, ok := ids[s]; ok && old != id {
			t.Fatalf("%q: id %d, then %d", s, old, id)
		}
		ids[s] = id
	}
	if tab.len() != 7000 {
		t.Fatalf("%d ids, want 7000", tab.len())
	}
	a := tab.intern([]byte("v1"), false)
	if b := tab.internString("v1"); a == b {
		t.Fatalf("encoded and text keys share id %d", a)
	}
	if e1, e2 := tab.intern(nil, true), tab.internString(""); e1 != e2 {
		t.Fatalf("empty text: %d and %d", e1, e2)
	}
}

// groupKeys assigns the same groups, in the same order, as grouping on the
// concatenated key encodings (keyEncoder.append) for keys of every kind:
// longs, reals (-0, NaN), bools, datetimes, dynamic text, guids, constant
// keys, with nulls.
func TestGroupKeysMatchEncoding(t *testing.T) {
	mem := checked(t)
	rnd := rand.New(rand.NewSource(11))
	nan := "NaN"
	specs := []string{"long", "real", "bool", "datetime", "dynamic", "guid", "int", "string"}
	var cols []arrow.Array
	var kinds []types.Kind
	n := 4000
	for _, k := range specs {
		s := mkSchema(t, "x:"+k)
		var rows [][]any
		for i := 0; i < n; i++ {
			var v any
			x := rnd.Intn(12)
			switch k {
			case "long":
				v = int64(x - 3)
			case "int":
				v = x - 3
			case "real":
				v = []any{0.0, -0.0 * 1, 1.5, -2.25, nan}[x%5]
				if v == nan {
					v = math.NaN()
				} else if x%5 == 1 {
					v = math.Copysign(0, -1)
				}
			case "bool":
				v = x%2 == 0
			case "datetime":
				v = int64(x) * int64(time.Hour)
			case "dynamic":
				v = []string{`{"a":1}`, `[1,2]`, `"s"`, `null`, `7`, ``}[x%6]
			case "guid":
				v = fmt.Sprintf("00000000-0000-0000-0000-%012d", x%5)
			case "string":
				v = []string{"", "a", "b", "Ab"}[x%4]
			}
			if x == 0 {
				v = nil
			}
			rows = append(rows, []any{v})
		}
		rec := mkRec(t, mem, s, rows...)
		a := rec.Column(0)
		a.Retain()
		rec.Release()
		cols = append(cols, a)
		kinds = append(kinds, kernels.KindOf(s.Field(0)))
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for trial := 0; trial < 40; trial++ {
		k := 1 + rnd.Intn(3)
		var keys []kernels.Datum
		for j := 0; j < k; j++ {
			c := rnd.Intn(len(cols))
			d := kernels.Datum{Array: cols[c], Kind: kinds[c]}
			if rnd.Intn(8) == 0 {
				at := int64(rnd.Intn(n))
				d.Array = array.NewSlice(cols[c], at, at+1)
				d.Scalar = true
			}
			keys = append(keys, d)
		}
		// reference: first-appearance groups of the concatenated encodings
		want := make([]uint32, n)
		seen := map[string]uint32{}
		var buf []byte
		for i := 0; i < n; i++ {
			buf = buf[:0]
			for j := range keys {
				e := newKeyEncoder(keys[j])
				buf = e.append(buf, i)
			}
			id, ok := seen[string(buf)]
			if !ok {
				id = uint32(len(seen))
				seen[string(buf)] = id
			}
			want[i] = id
		}
		gk := newGroupKeys(k)
		got := make([]uint32, n)
		var firsts []int
		// two halves as two batches
		half := n / 2
		for part := 0; part < 2; part++ {
			lo, hi := part*half, (part+1)*half
			var bk []kernels.Datum
			for _, d := range keys {
				if d.Scalar {
					bk = append(bk, d)
				} else {
					bk = append(bk, kernels.Datum{Array: array.NewSlice(d.Array, int64(lo), int64(hi)), Kind: d.Kind})
				}
			}
			gk.assign(bk, got[lo:hi], func(row int) { firsts = append(firsts, lo+row) })
			for _, d := range bk {
				if !d.Scalar {
					d.Array.Release()
				}
			}
		}
		gk.release()
		for _, d := range keys {
			if d.Scalar {
				d.Array.Release()
			}
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("trial %d (%d keys): row %d in group %d, want %d", trial, k, i, got[i], want[i])
			}
		}
		if len(firsts) != len(seen) {
			t.Fatalf("trial %d: %d new groups reported, want %d", trial, len(firsts), len(seen))
		}
	}
}

// pairTable gives the ids a map would, in the direct and the hashed form
// and across the switch between them.
func TestPairTable(t *testing.T) {
	rnd := rand.New(rand.NewSource(5))
	cases := []struct {
		name   string
		na, nb int
		dense  bool // a as interned ids: dense, in order of first appearance
	}{{"narrow", 50000, 10, false}, {"narrow-interned", 50000, 10, true}, {"wide", 300, 100000, false}, {"square", 3000, 3000, true}, {"tiny", 3, 2, false}}
	for _, c := range cases {
		var tab pairTable
		want := map[uint64]uint32{}
		interned := map[int]uint32{}
		for i := 0; i < 200000; i++ {
			a, b := uint32(rnd.Intn(c.na)), uint32(rnd.Intn(c.nb))
			if c.dense {
				id, ok := interned[int(a)]
				if !ok {
					id = uint32(len(interned))
					interned[int(a)] = id
				}
				a = id
			}
			if i < 1000 {
				a, b = uint32(i%7), uint32(i%5) // small first
			}
			k := uint64(a)<<32 | uint64(b)
			id, ok := want[k]
			if !ok {
				id = uint32(len(want))
				want[k] = id
			}
			if got := tab.intern(a, b); got != id {
				t.Fatalf("%s: pair %d,%d: id %d, want %d (hashed %v)", c.name, a, b, got, id, tab.hashed)
			}
		}
		if tab.len() != len(want) {
			t.Fatalf("%s: %d pairs, want %d", c.name, tab.len(), len(want))
		}
		t.Logf("%s: %d pairs, hashed %v", c.name, tab.len(), tab.hashed)
	}
}
