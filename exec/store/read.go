package store

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/source"
)

// Table is a store table: the partitions the manifest lists for it.
type Table struct {
	s      *Store
	meta   *TableMeta
	schema *arrow.Schema
	mem    memory.Allocator
}

var _ catalog.Table = (*Table)(nil)

func newTable(s *Store, meta *TableMeta, mem memory.Allocator) *Table {
	return &Table{s: s, meta: meta, schema: kernels.Schema(meta.Schema()), mem: mem}
}

// Name returns the table name.
func (t *Table) Name() string { return t.meta.Name }

// Schema returns the table's schema (the union of every ingested file's
// columns).
func (t *Table) Schema() *arrow.Schema { return t.schema }

// TimeColumn returns the column the table is partitioned by ("" if none).
func (t *Table) TimeColumn() string { return t.meta.TimeColumn }

// TimeColumns returns the datetime columns scans can skip data by (the
// partition column first). The planner passes time bounds on one of them
// in catalog.ScanOptions (exec/plan/timerange.go).
func (t *Table) TimeColumns() []string { return t.meta.TimeColumns() }

// Rows returns the table's row count.
func (t *Table) Rows() int64 { return t.meta.Rows() }

// TimeRange returns the smallest and largest time of the table's dated rows
// on its TimeColumn (from the manifest); ok is false when it has none.
func (t *Table) TimeRange() (minNS, maxNS int64, ok bool) { return t.meta.TimeRange() }

// Scan streams the table's partitions in manifest order (ingest order, then
// day), skipping those outside opts' time range.
func (t *Table) Scan(ctx context.Context, opts catalog.ScanOptions) (catalog.RecordReader, error) {
	schema := opts.Project(t.schema)
	bounded := false
	if opts.TimeColumn != "" && (opts.From != nil || opts.To != nil) {
		for _, c := range t.meta.TimeColumns() {
			bounded = bounded || c == opts.TimeColumn
		}
	}
	r := &reader{t: t, schema: schema, batch: opts.BatchRows, timeCol: opts.TimeColumn}
	if r.batch <= 0 {
		r.batch = source.DefaultBatchRows
	}
	for _, p := range t.meta.Partitions {
		if bounded && !overlaps(p, opts.TimeColumn, opts.From, opts.To) {
			t.s.stats.partPruned.Add(1)
			continue
		}
		r.parts = append(r.parts, p)
	}
	if bounded {
		r.from, r.to = opts.From, opts.To
	}
	return r, nil
}

// overlaps reports whether partition p may hold a value of column col in
// [from, to). A partition without a value in col (undated rows, a file
// without the column) holds only nulls there, which no bound admits.
func overlaps(p PartitionMeta, col string, from, to *int64) bool {
	lo, hi, ok := p.timeRange(col)
	if !ok {
		return false
	}
	if from != nil && hi < *from {
		return false
	}
	if to != nil && lo >= *to {
		return false
	}
	return true
}

type reader struct {
	t        *Table
	schema   *arrow.Schema
	batch    int
	parts    []PartitionMeta
	from, to *int64
	timeCol  string

	next   int
	f      *os.File
	pr     *file.Reader
	rr     pqarrow.RecordReader
	closed bool
}

func (r *reader) Schema() *arrow.Schema { return r.schema }

func (r *reader) Next(ctx context.Context) (arrow.Record, error) {
	for {
		if r.closed {
			return nil, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r.rr == nil {
			if r.next >= len(r.parts) {
				return nil, nil
			}
			p := r.parts[r.next]
			r.next++
			if err := r.open(ctx, p); err != nil {
				return nil, err
			}
			continue
		}
		if !r.rr.Next() {
			err := r.rr.Err()
			path := r.f.Name()
			r.closePart()
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, &Error{path, "reading: " + err.Error()}
			}
			continue
		}
		rec := r.rr.Record()
		if rec.NumRows() == 0 {
			continue
		}
		return source.Conform(rec, r.schema, r.t.mem), nil
	}
}

// open opens partition p's file and selects its row groups and columns;
// when no row group can match it leaves r.rr nil (the loop moves on).
func (r *reader) open(ctx context.Context, p PartitionMeta) error {
	path := filepath.Join(r.t.s.dir, filepath.FromSlash(p.File))
	f, err := os.Open(path)
	if err != nil {
		return &Error{path, "store partition missing or unreadable: " + err.Error()}
	}
	pr, err := file.NewParquetReader(f)
	if err != nil {
		f.Close()
		return &Error{path, "parquet: " + err.Error()}
	}
	r.t.s.stats.partOpened.Add(1)
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: int64(r.batch), Parallel: true}, r.t.mem)
	if err != nil {
		pr.Close() // closes f
		return &Error{path, "parquet: " + err.Error()}
	}
	fschema, err := fr.Schema()
	if err != nil {
		pr.Close() // closes f
		return &Error{path, "parquet: " + err.Error()}
	}
	var cols []int
	for _, fl := range r.schema.Fields() {
		if idx := fschema.FieldIndices(fl.Name); len(idx) > 0 {
			cols = append(cols, idx[0])
		}
	}
	if len(cols) == 0 {
		cols = []int{0} // only the row count is needed; Conform adds the (null) columns
	}
	rgs := r.rowGroups(pr, fschema)
	if len(rgs) == 0 {
		pr.Close() // closes f
		return nil
	}
	rr, err := fr.GetRecordReader(ctx, cols, rgs)
	if err != nil {
		pr.Close() // closes f
		return &Error{path, "parquet: " + err.Error()}
	}
	r.f, r.pr, r.rr = f, pr, rr
	return nil
}

// rowGroups returns the row groups of the file whose time column
// statistics overlap the scan's time range (all of them without one).
func (r *reader) rowGroups(pr *file.Reader, fschema *arrow.Schema) []int {
	n := pr.NumRowGroups()
	all := make([]int, 0, n)
	ti := -1
	if r.from != nil || r.to != nil {
		if idx := fschema.FieldIndices(r.timeCol); len(idx) > 0 && fschema.Field(idx[0]).Type.ID() == arrow.TIMESTAMP {
			ti = idx[0] // flat schema: field index = leaf column index
		}
	}
	for i := 0; i < n; i++ {
		if ti >= 0 {
			if lo, hi, ok := int64Stats(pr, i, ti); ok && (r.from != nil && hi < *r.from || r.to != nil && lo >= *r.to) {
				r.t.s.stats.rgPruned.Add(1)
				continue
			}
		}
		r.t.s.stats.rgRead.Add(1)
		all = append(all, i)
	}
	return all
}

func int64Stats(pr *file.Reader, rg, col int) (lo, hi int64, ok bool) {
	cc, err := pr.MetaData().RowGroup(rg).ColumnChunk(col)
	if err != nil {
		return 0, 0, false
	}
	if set, err := cc.StatsSet(); err != nil || !set {
		return 0, 0, false
	}
	st, err := cc.Statistics()
	if err != nil || st == nil || !st.HasMinMax() {
		return 0, 0, false
	}
	s, isInt := st.(*metadata.Int64Statistics)
	if !isInt {
		return 0, 0, false
	}
	return s.Min(), s.Max(), true
}

func (r *reader) closePart() {
	if r.rr != nil {
		r.rr.Release()
		r.rr = nil
	}
	if r.pr != nil {
		r.pr.Close() // closes r.f
		r.pr = nil
	}
	r.f = nil
}

func (r *reader) Close() {
	r.closePart()
	r.closed = true
}
