package chart_test

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/chart"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
)

func build(t *testing.T, q string) *chart.Chart {
	t.Helper()
	src := lang.NewSource("q", q)
	tree, diags := syntax.Parse(src)
	if diags.HasErrors() {
		t.Fatal(diags.Render(src, 3))
	}
	ctx := context.Background()
	pq, err := engine.PrepareAST(ctx, src, tree, engine.Options{Catalog: catalog.New(), Now: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	defer pq.Close()
	recs, err := ops.Drain(ctx, pq)
	if err != nil {
		t.Fatal(err)
	}
	defer ops.ReleaseRecords(recs)
	info := chart.Find(tree)
	if info == nil {
		t.Fatal("no render info")
	}
	ch, err := chart.Build(info, pq.Schema(), recs)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func ys(s *chart.Series) string {
	var b []string
	for _, y := range s.Y {
		if math.IsNaN(y) {
			b = append(b, "-")
		} else {
			b = append(b, strconv.FormatFloat(y, 'g', -1, 64))
		}
	}
	return strings.Join(b, " ")
}

// make-series output: one series per key, x from the timestamps array,
// anomalies from the anomalies column.
func TestBuildMakeSeries(t *testing.T) {
	ch := build(t, `datatable(T:datetime, K:string)[datetime(2024-01-01 00:10), "a", datetime(2024-01-01 00:20), "a", datetime(2024-01-01 02:00), "a", datetime(2024-01-01 01:00), "b"]
| make-series n = count() default = 0 on T from datetime(2024-01-01) to datetime(2024-01-01 03:00) step 1h by K
| render timechart with (title="t")`)
	if len(ch.Series) != 2 || ch.XKind.String() != "datetime" {
		t.Fatalf("series %d, x %s", len(ch.Series), ch.XKind)
	}
	got := map[string]string{}
	for _, s := range ch.Series {
		got[s.Name] = ys(s)
		if s.X[1]-s.X[0] != float64(time.Hour) {
			t.Errorf("x step %v", s.X[1]-s.X[0])
		}
	}
	if got["a"] != "2 0 1" || got["b"] != "0 1 0" {
		t.Errorf("got %v", got)
	}
	text := chart.Text(ch, 60)
	if !strings.Contains(text, "  a █▁▅  min 0 max 2\n") || !strings.Contains(text, "timechart: t") {
		t.Errorf("text:\n%s", text)
	}
}

// Plain rows: x column, y columns, series column; kind=stacked; ycolumns list.
func TestBuildRows(t *testing.T) {
	ch := build(t, `datatable(d:string, k:string, n:long, m:long)["mon","x",3,1,"mon","y",5,1,"tue","x",4,1]
| render columnchart with (ycolumns=n, series=k, kind=stacked)`)
	if ch.Info.Mode != "stacked" || len(ch.Categories) != 2 || len(ch.Series) != 2 {
		t.Fatalf("%+v %v %d", ch.Info, ch.Categories, len(ch.Series))
	}
	if ch.Series[0].Name != "x" || ys(ch.Series[0]) != "3 4" || ys(ch.Series[1]) != "5 -" {
		t.Errorf("series %s %s / %s %s", ch.Series[0].Name, ys(ch.Series[0]), ch.Series[1].Name, ys(ch.Series[1]))
	}
	ch = build(t, `range i from 1 to 4 step 1 | extend v = i * 2 | render linechart with (accumulate=true)`)
	if len(ch.Series) != 1 || ys(ch.Series[0]) != "2 6 12 20" {
		t.Errorf("accumulate: %s", ys(ch.Series[0]))
	}
	ch = build(t, `range t from datetime(2024-01-01) to datetime(2024-01-01 03:00) step 1h
| extend v = iff(t == datetime(2024-01-01 02:00), 50, 1), anomalies = iff(t == datetime(2024-01-01 02:00), 1, 0)
| render anomalychart with (anomalycolumns=anomalies)`)
	if len(ch.Series) != 1 || len(ch.Series[0].Anomalies) != 1 || ch.Series[0].Anomalies[0] != 2 {
		t.Errorf("anomalies: %+v", ch.Series)
	}
}

func TestWrite(t *testing.T) {
	for _, q := range []string{
		`range i from 1 to 5 step 1 | extend v = i % 3 | render timechart`,
		`range i from 1 to 5 step 1 | extend v = i % 3, w = i | render areachart`,
		`datatable(c:string, n:long)["a", 3, "b", 1] | render piechart`,
		`datatable(c:string, n:long)["a", 3, "b", 1] | render barchart with (kind=stacked100)`,
		`range i from 1 to 5 step 1 | extend v = i * i | render scatterchart with (legend=hidden, ymin=0, yaxis=log)`,
	} {
		ch := build(t, q)
		for _, ext := range []string{"svg", "png", "html"} {
			var b bytes.Buffer
			if err := chart.Write(&b, ch, ext); err != nil {
				t.Errorf("%s %s: %v", q, ext, err)
				continue
			}
			out := b.String()
			switch ext {
			case "svg":
				if !strings.Contains(out, "<svg") {
					t.Errorf("%s: no svg", q)
				}
			case "png":
				if !strings.HasPrefix(out, "\x89PNG") {
					t.Errorf("%s: not a PNG", q)
				}
			case "html":
				if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "<svg") || strings.Contains(out, "<script") {
					t.Errorf("%s: bad standalone html", q)
				}
			}
		}
	}
	if chart.FormatOf("x/y.PNG") != "png" || chart.FormatOf("a.pdf") != "" {
		t.Errorf("FormatOf")
	}
}

func TestSparkline(t *testing.T) {
	if got := chart.Sparkline([]float64{0, 1, 2, 3, 4, 5, 6, 7}, 60); got != "▁▂▃▄▅▆▇█" {
		t.Errorf("got %q", got)
	}
	if got := chart.Sparkline([]float64{1, math.NaN(), 1}, 60); got != "▅ ▅" {
		t.Errorf("flat: %q", got)
	}
	// buckets keep their maximum
	if got := chart.Sparkline([]float64{0, 9, 0, 0, 0, 0}, 3); got != "█▁▁" {
		t.Errorf("bucketed: %q", got)
	}
}
