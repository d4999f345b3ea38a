package ops

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
)

// RecordsSource streams a fixed list of records. It takes one reference to
// each record and releases them on Close.
type RecordsSource struct {
	schema *arrow.Schema
	recs   []arrow.Record
	pos    int
}

// NewRecordsSource returns a source over recs (retained).
func NewRecordsSource(schema *arrow.Schema, recs []arrow.Record) *RecordsSource {
	for _, r := range recs {
		r.Retain()
	}
	return &RecordsSource{schema: schema, recs: recs}
}

// Schema implements Operator.
func (s *RecordsSource) Schema() *arrow.Schema { return s.schema }

// Next implements Operator.
func (s *RecordsSource) Next(ctx context.Context) (arrow.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.pos >= len(s.recs) {
		return nil, nil
	}
	r := s.recs[s.pos]
	s.pos++
	r.Retain()
	return r, nil
}

// Close implements Operator.
func (s *RecordsSource) Close() {
	ReleaseRecords(s.recs)
	s.recs = nil
}

// Scan reads a catalog table, opening it on the first Next.
type Scan struct {
	table  catalog.Table
	opts   catalog.ScanOptions
	reader catalog.RecordReader
	schema *arrow.Schema
}

// NewScan returns a scan of table t. With opts.Columns, its schema is
// those columns of t, in the order given (as catalog readers return them).
func NewScan(t catalog.Table, opts catalog.ScanOptions) *Scan {
	schema := t.Schema()
	if opts.Columns != nil {
		var fields []arrow.Field
		for _, name := range opts.Columns {
			if idx := schema.FieldIndices(name); len(idx) > 0 {
				fields = append(fields, schema.Field(idx[0]))
			}
		}
		schema = arrow.NewSchema(fields, nil)
	}
	return &Scan{table: t, opts: opts, schema: schema}
}

// Schema implements Operator.
func (s *Scan) Schema() *arrow.Schema { return s.schema }

// Next implements Operator.
func (s *Scan) Next(ctx context.Context) (arrow.Record, error) {
	if s.reader == nil {
		r, err := s.table.Scan(ctx, s.opts)
		if err != nil {
			return nil, err
		}
		s.reader = r
	}
	return s.reader.Next(ctx)
}

// Close implements Operator.
func (s *Scan) Close() {
	if s.reader != nil {
		s.reader.Close()
		s.reader = nil
	}
}
