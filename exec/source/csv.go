package source

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// csvFormat reads RFC 4180 CSV (or TSV) with a header row. A header cell
// "Name:type" declares the column's KQL type; other columns' types are
// inferred from their cells (long, real, bool, datetime, dynamic for JSON
// objects/arrays, else string).
type csvFormat struct {
	name  string
	comma rune
	exts  []string
}

func init() {
	Register(&csvFormat{name: "csv", comma: ',', exts: []string{".csv"}}, 0)
	Register(&csvFormat{name: "tsv", comma: '\t', exts: []string{".tsv", ".tab"}}, 0)
}

func (c *csvFormat) Name() string { return c.name }

func (c *csvFormat) Detect(path string, head []byte) bool {
	ext := Ext(path)
	for _, e := range c.exts {
		if ext == e {
			return !looksBinary(head)
		}
	}
	return false
}

// looksBinary reports whether head holds NUL bytes (Parquet, Arrow,
// undecoded UTF-16): such a file is not CSV whatever its name.
func looksBinary(head []byte) bool {
	n := len(head)
	if n > 4096 {
		n = 4096
	}
	for _, b := range head[:n] {
		if b == 0 {
			return true
		}
	}
	return false
}

func (c *csvFormat) newReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = c.comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = c.comma == '\t'
	return cr
}

type csvColumn struct {
	name     string
	kind     types.Kind
	declared bool
}

// parseHeader turns the header cells into columns.
func parseHeader(cells []string) []csvColumn {
	cols := make([]csvColumn, len(cells))
	used := map[string]bool{}
	for i, h := range cells {
		name := strings.TrimSpace(h)
		col := csvColumn{kind: types.String}
		if j := strings.LastIndexByte(name, ':'); j > 0 {
			if k, ok := types.ParseKind(strings.TrimSpace(name[j+1:])); ok {
				name = strings.TrimSpace(name[:j])
				col.kind, col.declared = k, true
			}
		}
		if name == "" {
			name = "Column" + strconv.Itoa(i+1)
		}
		base := name
		for n := 1; used[name]; n++ {
			name = base + "_" + strconv.Itoa(n)
		}
		used[name] = true
		col.name = name
		cols[i] = col
	}
	return cols
}

func (c *csvFormat) Read(f *File, opts *Options) ([]Part, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	cr := c.newReader(rc)
	header, err := cr.Read()
	if err == io.EOF {
		opts.note("%s: empty file: no columns", f.Path)
		return []Part{emptyPart()}, nil
	}
	if err != nil {
		return nil, &Error{File: f.Path, Line: 1, Reason: "header: " + csvReason(err)}
	}
	cols := parseHeader(header)
	for i := range cols {
		if k, ok := opts.Declared(cols[i].name); ok && !cols[i].declared {
			cols[i].kind, cols[i].declared = k, true
		}
	}
	infer := make([]textInfer, len(cols))
	for i := range infer {
		infer[i] = newTextInfer()
	}
	inferring := true
	finalize := func() {
		for i := range cols {
			if !cols[i].declared {
				cols[i].kind, _ = infer[i].kind()
			}
		}
		inferring = false
	}
	var rows int64
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			reason := "row skipped: " + csvReason(err)
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
				if pe.Line > pe.StartLine {
					reason = fmt.Sprintf("rows on lines %d-%d skipped: %s", pe.StartLine, pe.Line, csvReason(err))
				}
			}
			if perr := opts.problem(catalog.Problem{File: f.Path, Line: line, Reason: reason}); perr != nil {
				return nil, perr
			}
			continue
		}
		rows++
		line, _ := cr.FieldPos(0)
		if len(rec) != len(cols) {
			reason := fmt.Sprintf("row has %s, header has %d: missing cells are null", cells(len(rec)), len(cols))
			if len(rec) > len(cols) {
				reason = fmt.Sprintf("row has %s, header has %d: extra cells dropped", cells(len(rec)), len(cols))
			}
			if perr := opts.problem(catalog.Problem{File: f.Path, Line: line, Reason: reason}); perr != nil {
				return nil, perr
			}
		}
		for i := range cols {
			if i >= len(rec) {
				break
			}
			if cols[i].declared || !inferring {
				if !checkText(cols[i].kind, rec[i]) {
					l, _ := cr.FieldPos(i)
					p := catalog.Problem{File: f.Path, Line: l, Field: cols[i].name, Reason: badCell(rec[i], cols[i].kind)}
					if perr := opts.problem(p); perr != nil {
						return nil, perr
					}
				}
				continue
			}
			infer[i].add(rec[i])
		}
		if inferring && opts.InferRows > 0 && rows >= int64(opts.InferRows) {
			finalize()
		}
	}
	weak := map[string]bool{}
	if inferring {
		for i := range cols {
			if _, w := infer[i].kind(); w && !cols[i].declared {
				weak[cols[i].name] = true
			}
		}
		finalize()
	}
	fields := make([]arrow.Field, len(cols))
	for i, col := range cols {
		fields[i] = kernels.Field(col.name, col.kind)
	}
	return []Part{{
		Schema: arrow.NewSchema(fields, nil),
		Rows:   rows,
		Weak:   weak,
		Open: func(ctx context.Context, req ScanRequest) (catalog.RecordReader, error) {
			return c.open(f, cols, req, rows)
		},
	}}, nil
}

func cells(n int) string {
	if n == 1 {
		return "1 cell"
	}
	return strconv.Itoa(n) + " cells"
}

func badCell(s string, k types.Kind) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return fmt.Sprintf("%s is not a %s: null", strconv.Quote(s), k)
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (c *csvFormat) open(f *File, cols []csvColumn, req ScanRequest, rows int64) (catalog.RecordReader, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	cr := c.newReader(rc)
	if _, err := cr.Read(); err != nil && err != io.EOF {
		rc.Close()
		return nil, &Error{File: f.Path, Line: 1, Reason: "header: " + csvReason(err)}
	}
	src := make([]int, req.Schema.NumFields())
	for i, fl := range req.Schema.Fields() {
		src[i] = -1
		for j, col := range cols {
			if col.name == fl.Name {
				src[i] = j
				break
			}
		}
	}
	return &rowReader{
		schema: req.Schema,
		req:    req,
		src:    src,
		left:   rows,
		close:  func() { rc.Close() },
		next: func() ([]string, error) {
			for {
				rec, err := cr.Read()
				if err == io.EOF {
					return nil, nil
				}
				if err != nil {
					var pe *csv.ParseError
					if errors.As(err, &pe) {
						continue // reported when the file was bound
					}
					return nil, &Error{File: f.Path, Reason: err.Error()}
				}
				return rec, nil
			}
		},
	}, nil
}

// rowReader builds records from rows of text cells.
type rowReader struct {
	schema *arrow.Schema
	req    ScanRequest
	src    []int // schema field → cell index, -1 = absent
	next   func() ([]string, error)
	close  func()
	done   bool
	left   int64 // rows expected (to size builders), 0 if unknown
}

func (r *rowReader) Schema() *arrow.Schema { return r.schema }

func (r *rowReader) Next(ctx context.Context) (arrow.Record, error) {
	if r.done {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	bs := make([]*cellBuilder, len(r.src))
	want := r.req.BatchRows
	if r.left > 0 && r.left < int64(want) {
		want = int(r.left)
	}
	for i, fl := range r.schema.Fields() {
		bs[i] = newCellBuilder(r.req.Mem, kernels.KindOf(fl))
		bs[i].b.Reserve(want)
	}
	defer func() {
		for _, b := range bs {
			b.b.Release()
		}
	}()
	n := 0
	for n < r.req.BatchRows {
		rec, err := r.next()
		if err != nil {
			return nil, err
		}
		if rec == nil {
			r.done = true
			break
		}
		for i, j := range r.src {
			if j < 0 || j >= len(rec) {
				bs[i].appendNull()
			} else {
				bs[i].appendText(rec[j])
			}
		}
		n++
	}
	if n == 0 {
		return nil, nil
	}
	r.left -= int64(n)
	arrs := make([]arrow.Array, len(bs))
	for i, b := range bs {
		arrs[i] = b.b.NewArray()
	}
	rec := array.NewRecord(r.schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec, nil
}

func (r *rowReader) Close() {
	if r.close != nil {
		r.close()
		r.close = nil
	}
	r.done = true
}

// emptyPart is a table with no columns and no rows.
func emptyPart() Part {
	schema := arrow.NewSchema(nil, nil)
	return Part{Schema: schema, Rows: 0, Open: func(ctx context.Context, req ScanRequest) (catalog.RecordReader, error) {
		return &rowReader{schema: req.Schema, req: req, src: make([]int, req.Schema.NumFields()), next: func() ([]string, error) { return nil, nil }}, nil
	}}
}
