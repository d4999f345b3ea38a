package m365

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
)

// BenchmarkPurviewCSV loads a 5,000-row Purview export (the fixture's good
// rows repeated) and scans CloudAppEvents.
func BenchmarkPurviewCSV(b *testing.B) {
	fix, err := os.ReadFile("testdata/purview_audit_export.csv")
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.SplitAfter(fix, []byte("\r\n"))
	header := lines[0]
	body := bytes.Join(lines[1:], nil)
	body = body[:bytes.Index(body, []byte("bad-row"))] // rows before the malformed one
	var data bytes.Buffer
	data.Write(header)
	for i := 0; i < 1000; i++ {
		data.Write(body)
	}
	b.SetBytes(int64(data.Len()))
	for i := 0; i < b.N; i++ {
		tables, err := source.ReadBytes("", "export.csv", data.Bytes(), source.Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := int64(0)
		for _, t := range tables {
			if t.Name() != CloudAppEvents {
				continue
			}
			rr, err := t.Scan(context.Background(), catalog.ScanOptions{})
			if err != nil {
				b.Fatal(err)
			}
			for {
				rec, err := rr.Next(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if rec == nil {
					break
				}
				n += rec.NumRows()
				rec.Release()
			}
			rr.Close()
		}
		if n != 3000 {
			b.Fatal(fmt.Sprint("rows ", n))
		}
	}
}
