package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/output"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang"
)

// run executes query over tables given as typed CSV texts and returns the
// result as "name:type,..." then one line per row, cells joined by ",".
func run(t *testing.T, query string, tables map[string]string) (string, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cat := catalog.New()
	for name, csv := range tables {
		ts, err := source.ReadBytes(name, name+".csv", []byte(csv), source.Options{Mem: mem})
		if err != nil {
			t.Fatalf("table %s: %v", name, err)
		}
		for _, tb := range ts {
			cat.Add(tb)
		}
	}
	now := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	res, err := Run(context.Background(), lang.NewSource("q", query), Options{Catalog: cat, Now: now, Mem: mem})
	if err != nil {
		return "", err
	}
	defer res.Release()
	var b strings.Builder
	for i, f := range res.Schema.Fields() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.Name + ":" + kernels.KindOf(f).String())
	}
	b.WriteByte('\n')
	for _, rec := range res.Records {
		for r := 0; r < int(rec.NumRows()); r++ {
			for c := 0; c < int(rec.NumCols()); c++ {
				if c > 0 {
					b.WriteByte(',')
				}
				b.Write(output.AppendCell(nil, rec.Column(c), kernels.KindOf(rec.Schema().Field(c)), r, output.Golden))
			}
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

func TestDebug(t *testing.T) {
	out, err := run(t, `datatable(x:long)[] | summarize percentile(x, 55), count(), make_list(x)`, nil)
	t.Log(out, err)
}
