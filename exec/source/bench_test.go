package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
)

// benchFiles writes n rows of a sign-in-like log as CSV and JSONL.
func benchFiles(b *testing.B, n int) (csvPath, jsonlPath string, size map[string]int64) {
	dir := b.TempDir()
	var c, j strings.Builder
	c.WriteString("Timestamp,User,Operation,ClientIP,Count,Score,Props\n")
	ops := []string{"New-InboxRule", "Set-Mailbox", "MailItemsAccessed", "UserLoggedIn"}
	for i := 0; i < n; i++ {
		ts := fmt.Sprintf("2024-01-%02dT%02d:%02d:%02dZ", 1+i%28, i%24, i%60, (i*7)%60)
		u := fmt.Sprintf("user%d@contoso.com", i%5000)
		op := ops[i%len(ops)]
		fmt.Fprintf(&c, "%s,%s,%s,10.0.%d.%d,%d,%d.5,\"{\"\"a\"\":%d,\"\"b\"\":[\"\"%s\"\"]}\"\n", ts, u, op, i%256, i%200, i%1000, i%100, i, op)
		fmt.Fprintf(&j, `{"Timestamp":"%s","User":"%s","Operation":"%s","ClientIP":"10.0.%d.%d","Count":%d,"Score":%d.5,"Props":{"a":%d,"b":["%s"]}}`+"\n", ts, u, op, i%256, i%200, i%1000, i%100, i, op)
	}
	csvPath, jsonlPath = filepath.Join(dir, "b.csv"), filepath.Join(dir, "b.jsonl")
	os.WriteFile(csvPath, []byte(c.String()), 0o644)
	os.WriteFile(jsonlPath, []byte(j.String()), 0o644)
	return csvPath, jsonlPath, map[string]int64{"csv": int64(c.Len()), "jsonl": int64(j.Len())}
}

// BenchmarkLoadAndScan measures Bind (the checking pass) plus a full scan.
func BenchmarkLoadAndScan(b *testing.B) {
	const n = 100000
	csvPath, jsonlPath, size := benchFiles(b, n)
	for _, tc := range []struct{ name, path string }{{"csv", csvPath}, {"jsonl", jsonlPath}} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(size[tc.name])
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				tables, err := Load([]Binding{{Path: tc.path}}, Options{})
				if err != nil {
					b.Fatal(err)
				}
				rr, _ := tables[0].Scan(context.Background(), catalog.ScanOptions{})
				rows := int64(0)
				for {
					rec, err := rr.Next(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					if rec == nil {
						break
					}
					rows += rec.NumRows()
					rec.Release()
				}
				rr.Close()
				if rows != n {
					b.Fatalf("rows = %d", rows)
				}
			}
		})
	}
}
