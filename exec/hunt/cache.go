package hunt

import (
	"context"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
)

// CacheRows is the largest table (in rows) of a store that Cache holds in
// memory; bigger ones are scanned with the store's partition pruning.
const CacheRows = 2_000_000

// Cache wraps the tables of cat that every hunt would otherwise read again
// — --data files (parsed at every scan) and store tables of at most
// CacheRows rows — so that the first scan reads a table once into memory
// and the scans after it read the held records. A table whose records
// exceed limit bytes is not held (0 = no limit); its scans read the source
// as before.
func Cache(cat *catalog.Catalog, limit int64) {
	for _, n := range cat.Names() {
		t, _ := cat.Table(n)
		_, file := t.(*source.Table)
		rc, counted := t.(interface{ Rows() int64 })
		if file || (counted && rc.Rows() >= 0 && rc.Rows() <= CacheRows) {
			cat.Add(&cached{Table: t, limit: limit})
		}
	}
}

type cached struct {
	catalog.Table
	limit int64
	once  sync.Once
	recs  []arrow.Record // nil when not held
	err   error
}

// Unwrap returns the table the cache wraps.
func (t *cached) Unwrap() catalog.Table { return t.Table }

func (t *cached) fill(ctx context.Context) {
	r, err := t.Table.Scan(ctx, catalog.ScanOptions{})
	if err != nil {
		t.err = err
		return
	}
	defer r.Close()
	var size int64
	var recs []arrow.Record
	release := func() {
		for _, rec := range recs {
			rec.Release()
		}
	}
	for {
		rec, err := r.Next(ctx)
		if err != nil {
			release()
			t.err = err
			return
		}
		if rec == nil {
			break
		}
		recs = append(recs, rec)
		for _, c := range rec.Columns() {
			for _, b := range c.Data().Buffers() {
				if b != nil {
					size += int64(b.Len())
				}
			}
		}
		if t.limit > 0 && size > t.limit {
			release() // too big to hold: scans read the files
			return
		}
	}
	if recs == nil {
		recs = []arrow.Record{}
	}
	t.recs = recs
}

func (t *cached) Scan(ctx context.Context, opts catalog.ScanOptions) (catalog.RecordReader, error) {
	t.once.Do(func() { t.fill(ctx) })
	if t.err != nil {
		return nil, t.err
	}
	if t.recs == nil {
		return t.Table.Scan(ctx, opts)
	}
	schema := t.Schema()
	idx := make([]int, 0, schema.NumFields())
	var fs []arrow.Field
	if opts.Columns == nil {
		for i := range schema.Fields() {
			idx = append(idx, i)
		}
		fs = schema.Fields()
	} else {
		seen := map[string]bool{}
		for _, c := range opts.Columns {
			if is := schema.FieldIndices(c); len(is) > 0 && !seen[c] {
				seen[c] = true
				idx = append(idx, is[0])
				fs = append(fs, schema.Field(is[0]))
			}
		}
	}
	return &heldReader{recs: t.recs, idx: idx, schema: arrow.NewSchema(fs, nil)}, nil
}

type heldReader struct {
	recs   []arrow.Record
	idx    []int
	schema *arrow.Schema
	next   int
}

func (r *heldReader) Schema() *arrow.Schema { return r.schema }
func (r *heldReader) Close()                { r.next = len(r.recs) }

func (r *heldReader) Next(ctx context.Context) (arrow.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.next >= len(r.recs) {
		return nil, nil
	}
	rec := r.recs[r.next]
	r.next++
	cols := make([]arrow.Array, len(r.idx))
	for i, j := range r.idx {
		cols[i] = rec.Column(j)
	}
	return array.NewRecord(r.schema, cols, rec.NumRows()), nil
}
