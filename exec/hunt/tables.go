package hunt

import (
	"time"

	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/schemas"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// EmptyTable is a table with a schema and no rows.
type EmptyTable struct {
	name   string
	schema *arrow.Schema
}

// NewEmptyTable returns an empty table with the KQL schema s.
func NewEmptyTable(name string, s *types.Schema) *EmptyTable {
	fs := make([]arrow.Field, len(s.Columns))
	for i, c := range s.Columns {
		fs[i] = kernels.Field(c.Name, c.Type)
	}
	return &EmptyTable{name: name, schema: arrow.NewSchema(fs, nil)}
}

// Name implements catalog.Table.
func (t *EmptyTable) Name() string { return t.name }

// Schema implements catalog.Table.
func (t *EmptyTable) Schema() *arrow.Schema { return t.schema }

// Scan implements catalog.Table: no records.
func (t *EmptyTable) Scan(ctx context.Context, opts catalog.ScanOptions) (catalog.RecordReader, error) {
	s := t.schema
	if opts.Columns != nil {
		var fs []arrow.Field
		for _, c := range opts.Columns {
			if idx := s.FieldIndices(c); len(idx) > 0 {
				fs = append(fs, s.Field(idx[0]))
			}
		}
		s = arrow.NewSchema(fs, nil)
	}
	return emptyReader{s}, nil
}

type emptyReader struct{ s *arrow.Schema }

func (r emptyReader) Schema() *arrow.Schema                      { return r.s }
func (r emptyReader) Next(context.Context) (arrow.Record, error) { return nil, nil }
func (r emptyReader) Close()                                     {}

// TableInfo describes one bound table.
type TableInfo struct {
	Name       string
	Rows       int64
	TimeColumn string // "" when the table has no datetime column
	First      string // earliest and latest time (ISO 8601), "" if none
	Last       string
	LastNanos  int64 // 0 if none
}

// TimeColumn returns the event-time column of a schema: TimeGenerated,
// Timestamp, else the first datetime column ("" if none).
func TimeColumn(s *arrow.Schema) string {
	for _, want := range []string{"TimeGenerated", "Timestamp"} {
		for _, f := range s.Fields() {
			if f.Name == want && kernels.KindOf(f) == types.DateTime {
				return want
			}
		}
	}
	for _, f := range s.Fields() {
		if kernels.KindOf(f) == types.DateTime {
			return f.Name
		}
	}
	return ""
}

// Inventory counts the rows of the named tables and finds their time
// range over their event-time column.
func Inventory(ctx context.Context, cat *catalog.Catalog, names []string) ([]TableInfo, error) {
	var out []TableInfo
	for _, n := range names {
		t, ok := cat.Table(n)
		if !ok {
			continue
		}
		ti := TableInfo{Name: n, TimeColumn: TimeColumn(t.Schema())}
		if u, ok := t.(interface{ Unwrap() catalog.Table }); ok {
			t = u.Unwrap()
		}
		// a store knows its row count and time range without a scan
		if m, ok := t.(interface {
			Rows() int64
			TimeColumn() string
			TimeRange() (int64, int64, bool)
		}); ok && m.Rows() >= 0 && (m.TimeColumn() == ti.TimeColumn || m.TimeColumn() == "") {
			ti.Rows = m.Rows()
			if lo, hi, ok := m.TimeRange(); ok && m.TimeColumn() != "" {
				ti.First, ti.Last, ti.LastNanos = types.FormatDateTime(lo), types.FormatDateTime(hi), hi
			}
			out = append(out, ti)
			continue
		}
		q := fmt.Sprintf("[%s] | count", quoteName(n))
		if ti.TimeColumn != "" {
			q = fmt.Sprintf("[%s] | summarize Rows = count(), First = min([%s]), Last = max([%s])", quoteName(n), quoteName(ti.TimeColumn), quoteName(ti.TimeColumn))
		}
		res, err := engine.Run(ctx, lang.NewSource("inventory", q), engine.Options{Catalog: cat})
		if err != nil {
			return nil, fmt.Errorf("table %s: %v", n, err)
		}
		for _, rec := range res.Records {
			if rec.NumRows() == 0 {
				continue
			}
			ti.Rows = rec.Column(0).(*array.Int64).Value(0)
			if rec.NumCols() == 3 {
				if a, ok := rec.Column(1).(*array.Timestamp); ok && a.IsValid(0) {
					ti.First = types.FormatDateTime(int64(a.Value(0)))
				}
				if a, ok := rec.Column(2).(*array.Timestamp); ok && a.IsValid(0) {
					ti.LastNanos = int64(a.Value(0))
					ti.Last = types.FormatDateTime(ti.LastNanos)
				}
			}
		}
		res.Release()
		out = append(out, ti)
	}
	return out, nil
}

func quoteName(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

// Conform replaces every table of cat that has a declared schema
// (lang/schemas) but lacks some of its columns with one that adds them,
// all null: a hunt can name any column of CloudAppEvents even when the
// export at hand has fewer.
func Conform(cat *catalog.Catalog) {
	for _, n := range cat.Names() {
		decl, ok := schemas.Lookup(n)
		if !ok {
			continue
		}
		t, _ := cat.Table(n)
		var extra []arrow.Field
		for _, c := range decl.Columns {
			if len(t.Schema().FieldIndices(c.Name)) == 0 {
				extra = append(extra, kernels.Field(c.Name, c.Type))
			}
		}
		if len(extra) == 0 {
			continue
		}
		fs := append(append([]arrow.Field{}, t.Schema().Fields()...), extra...)
		cat.Add(&conformed{Table: t, schema: arrow.NewSchema(fs, nil), extra: extra})
	}
}

type conformed struct {
	catalog.Table
	schema *arrow.Schema
	extra  []arrow.Field
}

func (t *conformed) Schema() *arrow.Schema { return t.schema }

func (t *conformed) Scan(ctx context.Context, opts catalog.ScanOptions) (catalog.RecordReader, error) {
	cols := opts.Columns
	if cols == nil {
		for _, f := range t.schema.Fields() {
			cols = append(cols, f.Name)
		}
	}
	var inner []string
	var out []arrow.Field
	for _, c := range cols {
		idx := t.schema.FieldIndices(c)
		if len(idx) == 0 {
			continue
		}
		out = append(out, t.schema.Field(idx[0]))
		if len(t.Table.Schema().FieldIndices(c)) > 0 {
			inner = append(inner, c)
		}
	}
	io := opts
	io.Columns = inner
	if inner == nil {
		io.Columns = []string{}
	}
	r, err := t.Table.Scan(ctx, io)
	if err != nil {
		return nil, err
	}
	return &conformReader{in: r, schema: arrow.NewSchema(out, nil)}, nil
}

type conformReader struct {
	in     catalog.RecordReader
	schema *arrow.Schema
}

func (r *conformReader) Schema() *arrow.Schema { return r.schema }
func (r *conformReader) Close()                { r.in.Close() }

func (r *conformReader) Next(ctx context.Context) (arrow.Record, error) {
	rec, err := r.in.Next(ctx)
	if err != nil || rec == nil {
		return nil, err
	}
	defer rec.Release()
	n := int(rec.NumRows())
	cols := make([]arrow.Array, len(r.schema.Fields()))
	for i, f := range r.schema.Fields() {
		if idx := rec.Schema().FieldIndices(f.Name); len(idx) > 0 {
			cols[i] = rec.Column(idx[0])
			cols[i].Retain()
		} else {
			cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, n)
		}
	}
	out := array.NewRecord(r.schema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

// LatestEvent is the latest event time over the tables and where it was
// found ("Table.Column"); ok is false when no table has event times.
func LatestEvent(inv []TableInfo) (t time.Time, where string, ok bool) {
	var best int64
	for _, ti := range inv {
		if ti.LastNanos > best {
			best, where = ti.LastNanos, ti.Name+"."+ti.TimeColumn
		}
	}
	if where == "" {
		return time.Time{}, "", false
	}
	return time.Unix(0, best).UTC(), where, true
}
