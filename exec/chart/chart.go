// Package chart turns a query result and its `render` operator
// (check.RenderInfo) into a chart: series of points built the way Kusto's
// renderers read tables, drawn as SVG, PNG or standalone HTML with
// gonum.org/v1/plot, or as text sparklines for the terminal.
//
// Reading a table (Kusto's rules): the x axis is xcolumn= or the first
// column (for timechart, the first datetime column); the y values are
// ycolumns= or every numeric column; series= columns (default: the string
// columns) split rows into series. make-series output (dynamic arrays in
// each row) is expanded: each row and array y column is one series, the x
// values come from the array x column (the timestamps).
package chart

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Series is one named line, area, bar group or scatter set.
type Series struct {
	Name      string
	X         []float64 // x values (datetime as Unix ns) when the x axis is numeric or time
	Y         []float64 // y values; NaN for missing
	Anomalies []int     // indexes of points flagged by an anomalies column (anomalychart)
}

// Chart is a chart ready to draw.
type Chart struct {
	Info       check.RenderInfo
	XKind      types.Kind // DateTime, a numeric kind, or String (categories)
	Categories []string   // x labels when XKind is String (Y[i] is category i)
	Series     []*Series
}

// Find returns the render operator's info of the query's last statement,
// or nil when the query does not end with render.
func Find(q *ast.Query) *check.RenderInfo {
	if q == nil || len(q.Stmts) == 0 {
		return nil
	}
	es, ok := q.Stmts[len(q.Stmts)-1].(*ast.ExprStmt)
	if !ok {
		return nil
	}
	p, ok := es.X.(*ast.Pipe)
	if !ok || len(p.Ops) == 0 {
		return nil
	}
	r, ok := p.Ops[len(p.Ops)-1].(*ast.Render)
	if !ok {
		return nil
	}
	info, _ := r.Out().Ref.(*check.RenderInfo)
	return info
}

// column is one result column read as boxed values.
type column struct {
	name string
	kind types.Kind
	vals []any
}

func readColumns(schema *arrow.Schema, recs []arrow.Record) []*column {
	cols := make([]*column, schema.NumFields())
	for i, f := range schema.Fields() {
		cols[i] = &column{name: f.Name, kind: kernels.KindOf(f)}
	}
	for _, rec := range recs {
		for i := range cols {
			d := kernels.Datum{Array: rec.Column(i), Kind: cols[i].kind}
			for r := 0; r < int(rec.NumRows()); r++ {
				cols[i].vals = append(cols[i].vals, kernels.ValueAt(d, r))
			}
		}
	}
	return cols
}

// Build reads a result into a chart as info asks.
func Build(info *check.RenderInfo, schema *arrow.Schema, recs []arrow.Record) (*Chart, error) {
	ch := &Chart{Info: *info}
	cols := readColumns(schema, recs)
	if len(cols) == 0 {
		return nil, fmt.Errorf("render: the result has no columns")
	}
	byName := map[string]*column{}
	for _, c := range cols {
		byName[c.name] = c
	}
	for _, n := range append(append(append([]string{info.XColumn}, info.YColumns...), info.Series...), info.AnomalyColumns...) {
		if n != "" && byName[n] == nil {
			return nil, fmt.Errorf("render: no column %s in the result", n)
		}
	}
	if isSeriesTable(cols, info) {
		return buildArrays(ch, cols, byName)
	}
	return buildRows(ch, cols, byName)
}

func isNumeric(k types.Kind) bool {
	return k == types.Int || k == types.Long || k == types.Real || k == types.Decimal || k == types.TimeSpan
}

// isSeriesTable reports whether y values are dynamic arrays (make-series).
func isSeriesTable(cols []*column, info *check.RenderInfo) bool {
	for _, c := range cols {
		if c.kind != types.Dynamic {
			continue
		}
		for _, v := range c.vals {
			if a, ok := v.([]any); ok && len(a) > 0 {
				return true
			}
		}
	}
	return false
}

func isAnomalyName(n string, info *check.RenderInfo) bool {
	for _, a := range info.AnomalyColumns {
		if a == n {
			return true
		}
	}
	if len(info.AnomalyColumns) > 0 || info.Kind != "anomalychart" {
		return false
	}
	l := strings.ToLower(n)
	return strings.Contains(l, "anomal") || strings.HasSuffix(l, "_ad_flag")
}

// num converts a value to a float (datetime and timespan in ns; JSON
// datetime text is parsed); ok=false for missing values.
func num(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		if ns, err := types.ParseDateTime(x); err == nil {
			return float64(ns), true
		}
	}
	return 0, false
}

func text(k types.Kind, v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	if k == types.Dynamic {
		return types.FormatDynamic(v)
	}
	return types.FormatValue(k, v)
}

// buildArrays reads make-series output: one series per row and y column.
func buildArrays(ch *Chart, cols []*column, byName map[string]*column) (*Chart, error) {
	info := &ch.Info
	var x *column
	if info.XColumn != "" {
		x = byName[info.XColumn]
	} else {
		// the first array column whose elements are datetimes, else the first column
		for _, c := range cols {
			if c.kind == types.Dynamic && firstElemIsTime(c) {
				x = c
				break
			}
		}
	}
	ch.XKind = types.Real
	if x != nil && firstElemIsTime(x) {
		ch.XKind = types.DateTime
	}
	var ys, anoms, keys []*column
	for _, c := range cols {
		if c == x {
			continue
		}
		switch {
		case len(info.YColumns) > 0 && contains(info.YColumns, c.name):
			ys = append(ys, c)
		case isAnomalyName(c.name, info) && c.kind == types.Dynamic:
			anoms = append(anoms, c)
		case len(info.YColumns) == 0 && c.kind == types.Dynamic && hasNumArray(c):
			ys = append(ys, c)
		case len(info.Series) > 0 && contains(info.Series, c.name):
			keys = append(keys, c)
		case len(info.Series) == 0 && c.kind != types.Dynamic:
			keys = append(keys, c)
		}
	}
	if len(ys) == 0 {
		return nil, fmt.Errorf("render: no numeric series column")
	}
	rows := len(cols[0].vals)
	for r := 0; r < rows; r++ {
		var key []string
		for _, k := range keys {
			key = append(key, text(k.kind, k.vals[r]))
		}
		var xs []float64
		if x != nil {
			if a, ok := x.vals[r].([]any); ok {
				for _, v := range a {
					f, _ := num(v)
					xs = append(xs, f)
				}
			}
		}
		for yi, y := range ys {
			a, _ := y.vals[r].([]any)
			s := &Series{Name: seriesName(key, y.name, len(ys))}
			for i, v := range a {
				f, ok := num(v)
				if !ok {
					f = math.NaN()
				}
				s.Y = append(s.Y, f)
				if i < len(xs) {
					s.X = append(s.X, xs[i])
				} else {
					s.X = append(s.X, float64(i))
				}
			}
			if len(anoms) > 0 && yi == 0 {
				if fl, ok := anoms[0].vals[r].([]any); ok {
					for i, v := range fl {
						if f, ok := num(v); ok && f != 0 && i < len(s.Y) {
							s.Anomalies = append(s.Anomalies, i)
						}
					}
				}
			}
			ch.Series = append(ch.Series, s)
		}
	}
	accumulate(ch)
	return ch, nil
}

func firstElemIsTime(c *column) bool {
	for _, v := range c.vals {
		if a, ok := v.([]any); ok && len(a) > 0 {
			s, ok := a[0].(string)
			if !ok {
				return false
			}
			_, err := types.ParseDateTime(s)
			return err == nil
		}
	}
	return false
}

func hasNumArray(c *column) bool {
	for _, v := range c.vals {
		if a, ok := v.([]any); ok && len(a) > 0 {
			for _, e := range a {
				switch e.(type) {
				case int64, float64, int32:
					return true
				case nil:
					continue
				default:
					return false
				}
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func seriesName(key []string, y string, ny int) string {
	k := strings.Join(key, ", ")
	switch {
	case k == "":
		return y
	case ny > 1:
		return k + ":" + y
	}
	return k
}

// buildRows reads a plain table: an x column, y columns and series columns.
func buildRows(ch *Chart, cols []*column, byName map[string]*column) (*Chart, error) {
	info := &ch.Info
	var x *column
	switch {
	case info.XColumn != "":
		x = byName[info.XColumn]
	case info.Kind == "timechart" || info.Kind == "anomalychart":
		for _, c := range cols {
			if c.kind == types.DateTime {
				x = c
				break
			}
		}
	}
	if x == nil && info.XColumn == "" {
		x = cols[0]
		if info.Kind == "piechart" {
			// pie: the first string column names the slices
			for _, c := range cols {
				if c.kind == types.String {
					x = c
					break
				}
			}
		}
	}
	var ys, keys, anoms []*column
	for _, c := range cols {
		if c == x {
			continue
		}
		switch {
		case isAnomalyName(c.name, info):
			anoms = append(anoms, c)
		case len(info.YColumns) > 0:
			if contains(info.YColumns, c.name) {
				ys = append(ys, c)
			} else if contains(info.Series, c.name) || (len(info.Series) == 0 && !isNumeric(c.kind) && c.kind != types.DateTime) {
				keys = append(keys, c)
			}
		case isNumeric(c.kind) && !contains(info.Series, c.name):
			ys = append(ys, c)
		case contains(info.Series, c.name) || (len(info.Series) == 0 && c.kind != types.DateTime):
			keys = append(keys, c)
		}
	}
	if info.Kind == "piechart" && len(ys) > 1 {
		ys = ys[:1]
	}
	if len(ys) == 0 {
		return nil, fmt.Errorf("render: no numeric column to chart")
	}
	categorical := x.kind == types.String || x.kind == types.Dynamic || x.kind == types.Bool || x.kind == types.Guid ||
		info.Kind == "piechart" || ((info.Kind == "barchart" || info.Kind == "columnchart") && x.kind != types.DateTime && !isNumeric(x.kind))
	if categorical {
		ch.XKind = types.String
	} else {
		ch.XKind = x.kind
	}
	catIndex := map[string]int{}
	series := map[string]*Series{}
	var order []string
	rows := len(x.vals)
	for r := 0; r < rows; r++ {
		var key []string
		for _, k := range keys {
			key = append(key, text(k.kind, k.vals[r]))
		}
		var xv float64
		if categorical {
			label := text(x.kind, x.vals[r])
			i, ok := catIndex[label]
			if !ok {
				i = len(ch.Categories)
				catIndex[label] = i
				ch.Categories = append(ch.Categories, label)
			}
			xv = float64(i)
		} else {
			f, ok := num(x.vals[r])
			if !ok {
				continue
			}
			xv = f
		}
		for _, y := range ys {
			name := seriesName(key, y.name, len(ys))
			s := series[name]
			if s == nil {
				s = &Series{Name: name}
				series[name] = s
				order = append(order, name)
			}
			f, ok := num(y.vals[r])
			if !ok {
				f = math.NaN()
			}
			s.X = append(s.X, xv)
			s.Y = append(s.Y, f)
			if len(anoms) > 0 {
				if a, ok := num(anoms[0].vals[r]); ok && a != 0 {
					s.Anomalies = append(s.Anomalies, len(s.Y)-1)
				}
			}
		}
	}
	for _, n := range order {
		s := series[n]
		if !categorical {
			sortByX(s)
		}
		ch.Series = append(ch.Series, s)
	}
	if categorical {
		// one value per category in every series (missing: NaN)
		for _, s := range ch.Series {
			y := make([]float64, len(ch.Categories))
			for i := range y {
				y[i] = math.NaN()
			}
			for i, xv := range s.X {
				y[int(xv)] = s.Y[i]
			}
			xs := make([]float64, len(y))
			for i := range xs {
				xs[i] = float64(i)
			}
			s.X, s.Y = xs, y
		}
	}
	accumulate(ch)
	return ch, nil
}

func sortByX(s *Series) {
	idx := make([]int, len(s.X))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.X[idx[a]] < s.X[idx[b]] })
	flagged := map[int]bool{}
	for _, a := range s.Anomalies {
		flagged[a] = true
	}
	x, y := make([]float64, len(idx)), make([]float64, len(idx))
	var an []int
	for i, j := range idx {
		x[i], y[i] = s.X[j], s.Y[j]
		if flagged[j] {
			an = append(an, i)
		}
	}
	s.X, s.Y, s.Anomalies = x, y, an
}

func accumulate(ch *Chart) {
	if !ch.Info.Accumulate {
		return
	}
	for _, s := range ch.Series {
		sum := 0.0
		for i, v := range s.Y {
			if !math.IsNaN(v) {
				sum += v
			}
			s.Y[i] = sum
		}
	}
}
