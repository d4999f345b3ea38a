package source

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Table is a catalog table made of one or more parts (files), their
// columns unified by name in first-seen order.
type Table struct {
	name   string
	schema *arrow.Schema
	parts  []Part
	rows   int64
	opts   Options
}

var _ catalog.Table = (*Table)(nil)

// Name returns the table name.
func (t *Table) Name() string { return t.name }

// Schema returns the unified schema.
func (t *Table) Schema() *arrow.Schema { return t.schema }

// Rows returns the number of rows the table will produce, or -1 if unknown.
func (t *Table) Rows() int64 { return t.rows }

// Parts returns the number of files (parts) in the table.
func (t *Table) Parts() int { return len(t.parts) }

func newTable(name string, parts []Part, opts *Options) (*Table, error) {
	type col struct {
		kind types.Kind
		weak bool
	}
	var names []string
	cols := map[string]*col{}
	var rows int64
	for _, p := range parts {
		if rows >= 0 && p.Rows >= 0 {
			rows += p.Rows
		} else {
			rows = -1
		}
		for _, f := range p.Schema.Fields() {
			k := kernels.KindOf(f)
			weak := p.Weak[f.Name]
			c := cols[f.Name]
			if c == nil {
				cols[f.Name] = &col{k, weak}
				names = append(names, f.Name)
				continue
			}
			switch {
			case weak:
			case c.weak:
				c.kind, c.weak = k, false
			default:
				c.kind = unifyKinds(c.kind, k)
			}
		}
	}
	if opts.Schema != nil {
		if decl := opts.Schema(name); decl != nil {
			var missing []string
			for _, dc := range decl.Columns {
				if c := cols[dc.Name]; c != nil {
					c.kind = dc.Type
					continue
				}
				cols[dc.Name] = &col{kind: dc.Type}
				names = append(names, dc.Name)
				missing = append(missing, dc.Name)
			}
			if len(missing) > 0 {
				opts.note("table %s: %d declared columns not in the data, added as empty: %s", name, len(missing), strings.Join(missing, ", "))
			}
		}
	}
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = kernels.Field(n, cols[n].kind)
	}
	if len(parts) > 1 {
		opts.note("table %s: %d files concatenated", name, len(parts))
	}
	return &Table{name: name, schema: arrow.NewSchema(fields, nil), parts: parts, rows: rows, opts: *opts}, nil
}

// unifyKinds is the kind of a column that is a in one file and b in another.
func unifyKinds(a, b types.Kind) types.Kind {
	switch {
	case a == b:
		return a
	case a.IsNumeric() && b.IsNumeric():
		if (a == types.Int || a == types.Long) && (b == types.Int || b == types.Long) {
			return types.Long
		}
		return types.Real
	case a == types.Dynamic || b == types.Dynamic:
		return types.Dynamic
	}
	return types.String
}

// Scan streams the parts one after another in the (projected) schema.
func (t *Table) Scan(ctx context.Context, opts catalog.ScanOptions) (catalog.RecordReader, error) {
	schema := opts.Project(t.schema)
	return &concatReader{
		schema: schema,
		parts:  t.parts,
		req:    ScanRequest{Schema: schema, BatchRows: batchRows(opts.BatchRows), Mem: t.opts.mem(), Dict: opts.Dict, Filter: opts.Filter},
	}, nil
}

type concatReader struct {
	schema *arrow.Schema
	parts  []Part
	next   int
	cur    catalog.RecordReader
	req    ScanRequest
}

func (r *concatReader) Schema() *arrow.Schema { return r.schema }

func (r *concatReader) Next(ctx context.Context) (arrow.Record, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r.cur == nil {
			if r.next >= len(r.parts) {
				return nil, nil
			}
			p := r.parts[r.next]
			r.next++
			cur, err := p.Open(ctx, r.req)
			if err != nil {
				return nil, err
			}
			r.cur = cur
		}
		rec, err := r.cur.Next(ctx)
		if err != nil {
			return nil, err
		}
		if rec != nil {
			if !schemaConforms(rec.Schema(), r.schema, r.req.Dict) {
				rec.Release()
				return nil, fmt.Errorf("source: internal error: part produced schema %v, want %v", rec.Schema(), r.schema)
			}
			if rec.NumRows() == 0 {
				rec.Release()
				continue
			}
			return rec, nil
		}
		r.cur.Close()
		r.cur = nil
	}
}

func (r *concatReader) Close() {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	r.next = len(r.parts)
}
