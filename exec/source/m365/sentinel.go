package m365

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// sentinelCSV reads Log Analytics / Sentinel CSV exports, recognised by
// their "Name [UTC]" datetime columns. The table is the binding's name (the
// file's base name by default); when it is a known table (schemas/) its
// declared schema gives the column types and adds the columns the export
// lacks (null). " [UTC]" is removed from column names. A CSV without
// "[UTC]" columns (a query's projection) stays with the generic reader,
// which infers the types.
type sentinelCSV struct{}

func (sentinelCSV) Name() string { return "sentinel-csv" }

const utcSuffix = " [UTC]"

func headerCells(head []byte) []string {
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	cells, err := csv.NewReader(bytes.NewReader(bytes.TrimRight(line, "\r"))).Read()
	if err != nil {
		return nil
	}
	return cells
}

func (sentinelCSV) Detect(path string, head []byte) bool {
	switch source.Ext(path) {
	case ".csv", ".txt", "":
	default:
		return false
	}
	cells := headerCells(head)
	if len(cells) == 0 {
		return false
	}
	for _, c := range cells {
		if strings.HasSuffix(c, utcSuffix) {
			return true
		}
	}
	return false
}

func (sentinelCSV) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	decl := tableColumns(opts.TableName())
	declKind := map[string]types.Kind{}
	for _, c := range decl {
		declKind[c.Name] = c.Kind
	}
	header := headerCells(f.Head)
	inHeader := map[string]bool{}
	for _, h := range header {
		inHeader[h] = true
	}
	// Header names → declared kinds and final names.
	kinds := map[string]types.Kind{}
	rename := map[string]string{} // header name → column name
	present := map[string]bool{}  // final names
	for _, h := range header {
		name := h
		if base := strings.TrimSuffix(h, utcSuffix); base != h && !inHeader[base] {
			name = base
			rename[h] = base
		}
		present[name] = true
		if k, ok := declKind[name]; ok {
			kinds[h] = k
		} else if name != h {
			kinds[h] = types.DateTime
		}
	}
	sub := *opts
	sub.Format = ""
	sub.Schema = func(string) *types.Schema {
		s := &types.Schema{}
		for h, k := range kinds {
			s.Columns = append(s.Columns, types.Column{Name: h, Type: k})
		}
		return s
	}
	csvFormat := source.Lookup("csv")
	if csvFormat == nil {
		return nil, &source.Error{File: f.Path, Reason: "no csv reader registered"}
	}
	parts, err := csvFormat.Read(f, &sub)
	if err != nil {
		return nil, err
	}
	var missing []column
	for _, c := range decl {
		if !present[c.Name] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		opts.Notef("%s: %d columns of %s not in the export, added as empty", f.Path, len(missing), opts.TableName())
	}
	for i := range parts {
		parts[i] = renamePart(parts[i], rename, missing)
	}
	return parts, nil
}

// renamePart renames a part's columns (old → new) and adds columns.
func renamePart(p source.Part, rename map[string]string, add []column) source.Part {
	back := map[string]string{}
	fields := make([]arrow.Field, 0, p.Schema.NumFields()+len(add))
	for _, fl := range p.Schema.Fields() {
		if n, ok := rename[fl.Name]; ok {
			back[n] = fl.Name
			fl.Name = n
		}
		fields = append(fields, fl)
	}
	for _, c := range add {
		fields = append(fields, kernels.Field(c.Name, c.Kind))
	}
	weak := map[string]bool{}
	for n, w := range p.Weak {
		if r, ok := rename[n]; ok {
			n = r
		}
		weak[n] = w
	}
	inner := p.Open
	p.Schema = arrow.NewSchema(fields, nil)
	p.Weak = weak
	p.Open = func(ctx context.Context, req source.ScanRequest) (catalog.RecordReader, error) {
		want := req.Schema
		inFields := make([]arrow.Field, want.NumFields())
		for i, fl := range want.Fields() {
			if old, ok := back[fl.Name]; ok {
				fl.Name = old
			}
			inFields[i] = fl
		}
		req.Schema = arrow.NewSchema(inFields, nil)
		rr, err := inner(ctx, req)
		if err != nil {
			return nil, err
		}
		return &renamedReader{rr: rr, schema: want}, nil
	}
	return p
}

type renamedReader struct {
	rr     catalog.RecordReader
	schema *arrow.Schema
}

func (r *renamedReader) Schema() *arrow.Schema { return r.schema }

func (r *renamedReader) Next(ctx context.Context) (arrow.Record, error) {
	rec, err := r.rr.Next(ctx)
	if rec == nil || err != nil {
		return rec, err
	}
	out := array.NewRecord(r.schema, rec.Columns(), rec.NumRows())
	rec.Release()
	return out, nil
}

func (r *renamedReader) Close() { r.rr.Close() }
