package output

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// recStream streams records it holds a reference to.
type recStream struct {
	schema *arrow.Schema
	recs   []arrow.Record
}

func (s *recStream) Schema() *arrow.Schema { return s.schema }

func (s *recStream) Next(ctx context.Context) (arrow.Record, error) {
	if len(s.recs) == 0 {
		return nil, nil
	}
	r := s.recs[0]
	s.recs = s.recs[1:]
	return r, nil // the reader releases it
}

// twoTables returns the streams of a fork: GenericResult(User, N) with two
// rows and Total(Count) with one.
func twoTables(mem memory.Allocator) []Table {
	s1 := arrow.NewSchema([]arrow.Field{kernels.Field("User", types.String), kernels.Field("N", types.Long)}, nil)
	ub := array.NewStringBuilder(mem)
	ub.AppendValues([]string{"alice", "bob, jr"}, nil)
	u := ub.NewArray()
	ub.Release()
	nb := array.NewInt64Builder(mem)
	nb.AppendValues([]int64{5, 0}, []bool{true, false})
	n := nb.NewArray()
	nb.Release()
	r1 := array.NewRecord(s1, []arrow.Array{u, n}, 2)
	u.Release()
	n.Release()
	s2 := arrow.NewSchema([]arrow.Field{kernels.Field("Count", types.Long)}, nil)
	cb := array.NewInt64Builder(mem)
	cb.Append(2)
	c := cb.NewArray()
	cb.Release()
	r2 := array.NewRecord(s2, []arrow.Array{c}, 1)
	c.Release()
	return []Table{
		{Name: "GenericResult", Stream: &recStream{schema: s1, recs: []arrow.Record{r1}}},
		{Name: "Total", Stream: &recStream{schema: s2, recs: []arrow.Record{r2}}},
	}
}

func TestWriteTables(t *testing.T) {
	cases := []struct{ format, want string }{
		{"json", `{"Tables":[{"TableName":"GenericResult","Columns":[{"ColumnName":"User","DataType":"String","ColumnType":"string"},{"ColumnName":"N","DataType":"Int64","ColumnType":"long"}],"Rows":[["alice",5],["bob, jr",null]]},` +
			`{"TableName":"Total","Columns":[{"ColumnName":"Count","DataType":"Int64","ColumnType":"long"}],"Rows":[[2]]}]}` + "\n"},
		{"csv", "# GenericResult\nUser,N\nalice,5\n\"bob, jr\",\n\n# Total\nCount\n2\n"},
		{"tsv", "# GenericResult\nUser\tN\nalice\t5\nbob, jr\t\n\n# Total\nCount\n2\n"},
		{"jsonl", `{"TableName":"GenericResult"}` + "\n" + `{"User":"alice","N":5}` + "\n" + `{"User":"bob, jr","N":null}` + "\n" +
			`{"TableName":"Total"}` + "\n" + `{"Count":2}` + "\n"},
		{"table", "# GenericResult\nUser     N\n-------  -\nalice    5\nbob, jr\n(2 rows)\n\n# Total\nCount\n-----\n    2\n(1 row)\n"},
	}
	for _, tc := range cases {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		var buf bytes.Buffer
		n, err := WriteTables(context.Background(), &buf, tc.format, twoTables(mem), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("%s: %d rows written, want 3", tc.format, n)
		}
		check(t, tc.format, buf.String(), tc.want)
		mem.AssertSize(t, 0)
	}
	// The v1 document is valid JSON with one entry per table.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var buf bytes.Buffer
	if _, err := WriteTables(context.Background(), &buf, "json", twoTables(mem), Options{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tables []struct {
			TableName string
			Rows      [][]any
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not valid JSON: %v", err)
	}
	if len(doc.Tables) != 2 || doc.Tables[0].TableName != "GenericResult" || doc.Tables[1].TableName != "Total" || len(doc.Tables[0].Rows) != 2 {
		t.Errorf("decoded %+v", doc)
	}
}

func TestWriteTablesUnnamedIsWrite(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tabs := twoTables(mem)
	tabs[1].Stream.(*recStream).recs[0].Release()
	var a bytes.Buffer
	if _, err := WriteTables(context.Background(), &a, "csv", []Table{{Stream: tabs[0].Stream}}, Options{}); err != nil {
		t.Fatal(err)
	}
	check(t, "unnamed csv", a.String(), "User,N\nalice,5\n\"bob, jr\",\n")
}
