package source

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
)

// sharedData is the project's sample of real M365 logs (read-only, outside
// the repository); the test skips when it is absent.
const sharedData = "/work/shared/data"

// TestSharedData loads every dataset folder with the generic readers and
// checks that no row disappears: every record is either loaded or
// reported. For JSON lines, records are the non-blank lines.
func TestSharedData(t *testing.T) {
	if _, err := os.Stat(sharedData); err != nil {
		t.Skip("no shared data")
	}
	var dirs []string
	seen := map[string]bool{}
	filepath.WalkDir(sharedData, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Type().IsRegular() {
			if !seen[filepath.Dir(p)] {
				seen[filepath.Dir(p)] = true
				dirs = append(dirs, filepath.Dir(p))
			}
		}
		return nil
	})
	sort.Strings(dirs)
	for _, dir := range dirs {
		cat, _ := load(t, Options{}, Binding{Path: dir})
		for _, n := range cat.Names() {
			tbl := table(t, cat, n)
			got := int64(len(rows(t, tbl, catalog.ScanOptions{})))
			if st := tbl.(*Table); st.Rows() != got {
				t.Errorf("%s/%s: Rows() = %d, scanned %d", dir, n, st.Rows(), got)
			}
			t.Logf("%s: table %s: %d columns, %d rows", strings.TrimPrefix(dir, sharedData+"/"), n, tbl.Schema().NumFields(), got)
			if testing.Verbose() && os.Getenv("SHOW_SCHEMA") != "" {
				t.Logf("  %s", schemaText(tbl.Schema()))
			}
		}
		byFile := map[string]int{}
		for _, p := range cat.Problems() {
			byFile[p.File]++
			t.Logf("  problem %s:%d %s: %s", filepath.Base(p.File), p.Line, p.Field, p.Reason)
		}
		// JSONL: loaded + reported = non-blank lines.
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if !strings.HasSuffix(e.Name(), ".jsonl") {
				continue
			}
			p := filepath.Join(dir, e.Name())
			data, _ := os.ReadFile(p)
			lines := 0
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 1<<24)
			for sc.Scan() {
				if len(bytes.TrimSpace(sc.Bytes())) > 0 {
					lines++
				}
			}
			tbl := table(t, cat, TableName(p))
			if tbl.(*Table).Rows()+int64(byFile[p]) != int64(lines) {
				t.Errorf("%s: %d lines, %d rows loaded, %d reported", p, lines, tbl.(*Table).Rows(), byFile[p])
			}
		}
	}
}
