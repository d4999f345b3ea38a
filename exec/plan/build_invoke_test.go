package plan_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/lang"
)

func runRows(t *testing.T, q string) ([]string, error) {
	t.Helper()
	ctx := context.Background()
	pq, err := engine.Prepare(ctx, lang.NewSource("q", q), engine.Options{Catalog: catalog.New()})
	if err != nil {
		return nil, err
	}
	defer pq.Close()
	var rows []string
	for {
		rec, err := pq.Next(ctx)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			break
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			var cells []string
			for c := 0; c < int(rec.NumCols()); c++ {
				col := rec.Column(c)
				if col.IsNull(r) {
					cells = append(cells, "null")
				} else {
					cells = append(cells, col.(interface{ ValueStr(int) string }).ValueStr(r))
				}
			}
			rows = append(rows, strings.Join(cells, ","))
		}
		rec.Release()
	}
	return rows, nil
}

func TestInvoke(t *testing.T) {
	// the body names its tabular parameter twice
	rows, err := runRows(t, `let f = (T:(x:long), k:long) { T | where x > k | union (T | where x == 1 | extend y = 10) };
range x from 1 to 4 step 1 | invoke f(2)`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows, ";"), "3,null;4,null;1,10"; got != want {
		t.Errorf("invoke rows = %s, want %s", got, want)
	}
	_, err = runRows(t, `print SHA1 = "a" | invoke FileProfile(SHA1)`)
	if err == nil || !strings.Contains(err.Error(), "FileProfile() is a Microsoft Defender XDR service function: not available locally") {
		t.Errorf("FileProfile error = %v", err)
	}
}
