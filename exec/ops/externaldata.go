package ops

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ExternalOptions are the `with (...)` properties of externaldata.
type ExternalOptions struct {
	// Format is csv, tsv, json, multijson, parquet or txt; "" infers it
	// from each URI's extension (csv when there is none).
	Format string
	// IgnoreFirstRecord skips the first record of each csv/tsv/txt file
	// (the header line).
	IgnoreFirstRecord bool
	// Client fetches http(s) URIs; nil = http.DefaultClient. Requests carry
	// the query context, so the query timeout bounds them.
	Client *http.Client
	// Report receives every record that could not be read or a cell that
	// did not convert to its declared type (nil: discarded).
	Report func(catalog.Problem)
	// Dir resolves relative local paths; "" = the working directory.
	Dir string
}

// ExternalData is the externaldata operator: it reads every URI on the
// first Next, casts the cells to the declared columns and streams them.
type ExternalData struct {
	mem    memory.Allocator
	schema *arrow.Schema
	decl   []types.Column
	uris   []string
	opts   ExternalOptions
	src    *RecordsSource
}

// NewExternalData returns the operator for declared columns decl (schema
// is their Arrow schema) reading uris.
func NewExternalData(mem memory.Allocator, schema *arrow.Schema, decl []types.Column, uris []string, opts ExternalOptions) *ExternalData {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return &ExternalData{mem: mem, schema: schema, decl: decl, uris: uris, opts: opts}
}

// Schema implements Operator.
func (x *ExternalData) Schema() *arrow.Schema { return x.schema }

// Next implements Operator.
func (x *ExternalData) Next(ctx context.Context) (arrow.Record, error) {
	if x.src == nil {
		rec, err := x.load(ctx)
		if err != nil {
			return nil, err
		}
		x.src = NewRecordsSource(x.schema, []arrow.Record{rec})
		rec.Release()
	}
	return x.src.Next(ctx)
}

// Close implements Operator.
func (x *ExternalData) Close() {
	if x.src != nil {
		x.src.Close()
	}
}

// externalRows collects converted cells column by column.
type externalRows struct {
	x    *ExternalData
	cols [][]any
	uri  string
}

func (r *externalRows) problem(line int, field, reason string) {
	if r.x.opts.Report != nil {
		r.x.opts.Report(catalog.Problem{File: r.uri, Line: line, Field: field, Reason: reason})
	}
}

// add appends one row; get(i) returns the raw cell of declared column i
// (fromText: a string read from csv/tsv/txt, else a JSON or typed value).
func (r *externalRows) add(line int, get func(i int) (any, bool), fromText bool) {
	for i, c := range r.x.decl {
		v, present := get(i)
		var out any
		if present {
			var ok bool
			out, ok = convertCell(c.Type, v, fromText)
			if !ok {
				r.problem(line, c.Name, fmt.Sprintf("cannot convert %s to %s; the cell is null", shortValue(v), c.Type))
			}
		}
		r.cols[i] = append(r.cols[i], out)
	}
}

func shortValue(v any) string {
	s, ok := v.(string)
	if !ok {
		s = types.FormatDynamic(v)
	}
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// typedCell is a value already of the declared kind (from Parquet).
type typedCell struct{ v any }

// convertCell casts a cell to kind k. Empty text is null (or "" for
// string). ok is false when a non-empty value does not convert.
func convertCell(k types.Kind, v any, fromText bool) (any, bool) {
	if t, ok := v.(typedCell); ok {
		return t.v, true
	}
	if v == nil {
		if k == types.String {
			return "", true
		}
		return nil, true
	}
	src := types.Dynamic
	if s, isStr := v.(string); isStr && fromText {
		src = types.String
		if s == "" {
			if k == types.String {
				return "", true
			}
			return nil, true
		}
	}
	var out any
	var ok bool
	switch k {
	case types.String:
		if s, isStr := v.(string); isStr {
			return s, true
		}
		return types.FormatDynamic(v), true
	case types.Dynamic:
		if s, isStr := v.(string); isStr && fromText {
			return types.ToDynamic(types.String, s), true
		}
		return v, true
	case types.Bool:
		out, ok = types.ToBool(src, v)
	case types.Int:
		out, ok = types.ToInt(src, v)
	case types.Long:
		out, ok = types.ToLong(src, v)
	case types.Real, types.Decimal:
		out, ok = types.ToReal(src, v)
	case types.DateTime:
		out, ok = types.ToDateTime(src, v)
	case types.TimeSpan:
		out, ok = types.ToTimeSpan(src, v)
	case types.Guid:
		out, ok = types.ToGuid(src, v)
	default:
		return nil, false
	}
	if !ok {
		return nil, false
	}
	return out, true
}

func (x *ExternalData) load(ctx context.Context) (arrow.Record, error) {
	rows := &externalRows{x: x, cols: make([][]any, len(x.decl))}
	for _, uri := range x.uris {
		data, err := x.fetch(ctx, uri)
		if err != nil {
			return nil, err
		}
		rows.uri = uri
		format := x.format(uri)
		switch format {
		case "csv", "tsv", "psv", "scsv", "txt":
			err = x.readDelimited(rows, data, format)
		case "json", "multijson", "singlejson":
			err = x.readJSON(rows, data, format)
		case "parquet":
			err = x.readParquet(ctx, rows, uri, data)
		default:
			err = fmt.Errorf("externaldata: format %q is not supported (csv, tsv, psv, scsv, txt, json, multijson, parquet)", format)
		}
		if err != nil {
			return nil, err
		}
	}
	n := 0
	if len(rows.cols) > 0 {
		n = len(rows.cols[0])
	}
	arrs := make([]arrow.Array, len(x.decl))
	for i, c := range x.decl {
		arrs[i] = kernels.FromValuesMem(x.mem, c.Type, rows.cols[i])
	}
	rec := array.NewRecord(x.schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec, nil
}

// format is the format of uri: the with() option, else its extension.
func (x *ExternalData) format(uri string) string {
	if x.opts.Format != "" {
		return strings.ToLower(x.opts.Format)
	}
	p := uri
	if i := strings.IndexAny(p, "?;"); i >= 0 {
		p = p[:i]
	}
	p = strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(p), ".gz"), ".zst")
	switch ext := strings.TrimPrefix(filepath.Ext(p), "."); ext {
	case "tsv", "json", "multijson", "parquet", "txt", "psv", "scsv":
		return ext
	case "jsonl", "ndjson":
		return "json"
	}
	return "csv"
}

// fetch reads a local path or an http(s) URL, gunzipping gzip content.
func (x *ExternalData) fetch(ctx context.Context, uri string) ([]byte, error) {
	u := strings.TrimSpace(uri)
	// Kusto's h@"..." / h"..." obfuscated literals arrive as plain text.
	var data []byte
	lower := strings.ToLower(u)
	if strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://") {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, fmt.Errorf("externaldata: %s: %v", uri, err)
		}
		c := x.opts.Client
		if c == nil {
			c = http.DefaultClient
		}
		resp, err := c.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("externaldata: cannot fetch %s: %v", uri, ctx.Err())
			}
			return nil, fmt.Errorf("externaldata: cannot fetch %s (offline or unreachable?): %v", uri, unwrapURLError(err))
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("externaldata: cannot fetch %s: HTTP %s", uri, resp.Status)
		}
		data, err = io.ReadAll(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("externaldata: cannot fetch %s: %v", uri, err)
		}
	} else {
		p := strings.TrimPrefix(u, "file://")
		if x.opts.Dir != "" && !filepath.IsAbs(p) {
			p = filepath.Join(x.opts.Dir, p)
		}
		var err error
		data, err = os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("externaldata: cannot read %s: %v", uri, unwrapPathError(err))
		}
	}
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("externaldata: %s: %v", uri, err)
		}
		data, err = io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("externaldata: %s: gzip: %v", uri, err)
		}
	}
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), nil
}

func unwrapURLError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		return ue.Unwrap()
	}
	return err
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readDelimited reads csv/tsv/psv/scsv (columns by position) and txt (each
// line is the first column).
func (x *ExternalData) readDelimited(rows *externalRows, data []byte, format string) error {
	if format == "txt" {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
		line := 0
		for sc.Scan() {
			line++
			if line == 1 && x.opts.IgnoreFirstRecord {
				continue
			}
			text := strings.TrimSuffix(sc.Text(), "\r")
			rows.add(line, func(i int) (any, bool) { return text, i == 0 }, true)
		}
		return sc.Err()
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	switch format {
	case "tsv":
		r.Comma = '\t'
	case "psv":
		r.Comma = '|'
	case "scsv":
		r.Comma = ';'
	}
	first := true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rows.problem(pe.StartLine, "", "record skipped: "+pe.Err.Error())
				first = false
				continue
			}
			return fmt.Errorf("externaldata: %s: %v", rows.uri, err)
		}
		line, _ := r.FieldPos(0)
		if first {
			first = false
			if x.opts.IgnoreFirstRecord {
				continue
			}
		}
		if len(rec) == 1 && rec[0] == "" {
			continue // a blank line
		}
		if len(rec) > len(x.decl) && len(x.decl) > 0 {
			rows.problem(line, "", fmt.Sprintf("%d fields for %d declared columns; the extra fields are ignored", len(rec), len(x.decl)))
		}
		rows.add(line, func(i int) (any, bool) {
			if i < len(rec) {
				return rec[i], true
			}
			return nil, false
		}, true)
	}
}

// readJSON reads json (one object per line) and multijson (objects and
// arrays of objects anywhere in the text); properties map to the declared
// columns by name.
func (x *ExternalData) readJSON(rows *externalRows, data []byte, format string) error {
	addValue := func(line int, v any) {
		bag, ok := v.(*types.Bag)
		if !ok {
			rows.problem(line, "", "record skipped: not a JSON object: "+shortValue(v))
			return
		}
		rows.add(line, func(i int) (any, bool) {
			name := x.decl[i].Name
			if v, ok := bag.Get(name); ok {
				return v, true
			}
			for j := range bag.Len() {
				if k, v := bag.At(j); strings.EqualFold(k, name) {
					return v, true
				}
			}
			return nil, false
		}, false)
	}
	if format == "json" {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64*1024), 256*1024*1024)
		line := 0
		for sc.Scan() {
			line++
			text := strings.TrimSpace(sc.Text())
			if text == "" {
				continue
			}
			v, err := types.ParseDynamic(text)
			if err != nil {
				if line == 1 && (text == "[" || text == "{") {
					// Not one object per line: read it as multijson.
					rows.cols = make([][]any, len(x.decl))
					return x.readJSON(rows, data, "multijson")
				}
				rows.problem(line, "", "record skipped: invalid JSON: "+err.Error())
				continue
			}
			if arr, ok := v.([]any); ok {
				for _, e := range arr {
					addValue(line, e)
				}
				continue
			}
			addValue(line, v)
		}
		return sc.Err()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	rec := 0
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return nil
		} else if err != nil {
			rows.problem(rec+1, "", "the rest of the file is skipped: invalid JSON: "+err.Error())
			return nil
		}
		rec++
		v, err := types.ParseDynamic(string(raw))
		if err != nil {
			rows.problem(rec, "", "record skipped: invalid JSON: "+err.Error())
			continue
		}
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				addValue(rec, e)
			}
			continue
		}
		addValue(rec, v)
	}
}

// readParquet reads a Parquet file with the generic reader and maps its
// columns to the declared ones by name.
func (x *ExternalData) readParquet(ctx context.Context, rows *externalRows, uri string, data []byte) error {
	tables, err := source.ReadBytes("externaldata", "externaldata.parquet", data, source.Options{Mem: x.mem, Format: "parquet", Report: x.opts.Report})
	if err != nil {
		return fmt.Errorf("externaldata: %s: %v", uri, err)
	}
	if len(tables) == 0 {
		return nil
	}
	rr, err := tables[0].Scan(ctx, catalog.ScanOptions{})
	if err != nil {
		return fmt.Errorf("externaldata: %s: %v", uri, err)
	}
	defer rr.Close()
	line := 0
	for {
		rec, err := rr.Next(ctx)
		if err != nil {
			return fmt.Errorf("externaldata: %s: %v", uri, err)
		}
		if rec == nil {
			return nil
		}
		idx := make([]int, len(x.decl))
		for i, c := range x.decl {
			idx[i] = -1
			if f := rec.Schema().FieldIndices(c.Name); len(f) > 0 {
				idx[i] = f[0]
			}
		}
		ds := make([]kernels.Datum, rec.NumCols())
		for i := range ds {
			ds[i] = kernels.Datum{Array: rec.Column(i), Kind: kernels.KindOf(rec.Schema().Field(i))}
		}
		for r := range int(rec.NumRows()) {
			line++
			rows.add(line, func(i int) (any, bool) {
				if idx[i] < 0 {
					return nil, false
				}
				d := ds[idx[i]]
				v := kernels.ValueAt(d, r)
				if v == nil {
					return nil, true
				}
				if d.Kind == x.decl[i].Type {
					return typedCell{v}, true
				}
				if d.Kind == types.String || d.Kind == types.Dynamic {
					return v, true
				}
				return types.FormatValue(d.Kind, v), true
			}, true)
		}
		rec.Release()
	}
}
