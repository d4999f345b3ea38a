// Package output writes query results (an Arrow schema and a stream of
// records) as text: table, csv, tsv, json (the Kusto v1 REST shape) and
// jsonl.
//
// # Using it
//
// One result, from an operator or a catalog.RecordReader:
//
//	n, err := output.Write(ctx, os.Stdout, "json", op, output.Options{})
//
// Several results (a query with several tabular statements) in one
// document, or records you already hold:
//
//	w, err := output.New(os.Stdout, "json", output.Options{})
//	w.Begin(schema1); w.Write(rec); ...; w.End()
//	w.Begin(schema2); ...; w.End()
//	err = w.Close()
//
// Writers never retain or release the records given to Write. Column kinds
// come from the "kql.type" field metadata (kernels.KindOf).
//
// Cell text is Kusto's tostring(): CellText / AppendCell for one value,
// AppendJSONValue for the JSON (v1) value; other packages (hunt findings,
// golden tests) should use these rather than format values themselves.
//
// Formats:
//   - table: aligned columns, cells longer than MaxCell runes cut with "…",
//     columns narrowed to fit Width; a final "(N rows)" line. Buffers the
//     rows (it is for people).
//   - csv, tsv: RFC 4180 with a plain header; TypedHeader writes the
//     "Name:type" header of golden files (datetimes and timespans then drop
//     trailing fraction zeros, as in conformance/*.csv). Streaming.
//   - json: {"Tables":[{"TableName":"Table_0","Columns":[...],"Rows":[...]}]}
//     as DESIGN.md §5. Streaming: a row is written as soon as it is read.
//   - jsonl: one JSON object per row (column name → JSON value). Streaming.
package output

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// Options tune the writers; the zero value is fine for all formats.
type Options struct {
	// TypedHeader makes csv/tsv write "Name:type" headers (golden files).
	TypedHeader bool
	// Width is the table format's maximum line width in columns (the
	// terminal width); 0 = unlimited.
	Width int
	// MaxCell is the table format's widest cell in runes before it is cut
	// with "…"; 0 = 60, negative = unlimited.
	MaxCell int
	// TableNames names the json tables in order; default Table_0, Table_1, ...
	TableNames []string
	// TableHeaders makes table, csv, tsv and jsonl write a header line
	// naming each table before its rows (see WriteTables): "# Name" for
	// table, csv and tsv, {"TableName":"Name"} for jsonl.
	TableHeaders bool
}

// tableName is the name of the i-th table (0-based).
func (o Options) tableName(i int) string {
	if i < len(o.TableNames) && o.TableNames[i] != "" {
		return o.TableNames[i]
	}
	return "Table_" + strconv.Itoa(i)
}

// Writer writes one or more result tables.
type Writer interface {
	// Begin starts a result table with the given columns.
	Begin(schema *arrow.Schema) error
	// Write adds the rows of rec (whose schema matches Begin's). The
	// writer neither retains nor releases rec.
	Write(rec arrow.Record) error
	// End finishes the current table.
	End() error
	// Close finishes the document and flushes. It does not close the
	// underlying io.Writer.
	Close() error
}

// Stream is a source of records: an ops.Operator or a catalog.RecordReader.
type Stream interface {
	Schema() *arrow.Schema
	Next(ctx context.Context) (arrow.Record, error)
}

// Formats lists the format names New accepts.
func Formats() []string { return []string{"table", "csv", "tsv", "json", "jsonl"} }

// New returns a writer of the named format.
func New(w io.Writer, format string, opts Options) (Writer, error) {
	switch strings.ToLower(format) {
	case "table", "":
		return newTableWriter(w, opts), nil
	case "csv":
		return newCSVWriter(w, ',', opts), nil
	case "tsv":
		return newCSVWriter(w, '\t', opts), nil
	case "json":
		return newJSONWriter(w, opts), nil
	case "jsonl":
		return newJSONLWriter(w, opts), nil
	}
	return nil, fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats(), ", "))
}

// Write writes the whole stream s as one table in the named format and
// returns the number of rows written. It releases the records it reads.
func Write(ctx context.Context, w io.Writer, format string, s Stream, opts Options) (int64, error) {
	wr, err := New(w, format, opts)
	if err != nil {
		return 0, err
	}
	n, err := WriteStream(ctx, wr, s)
	if err != nil {
		return n, err
	}
	return n, wr.Close()
}

// WriteStream writes s as one table of wr (Begin, Write..., End) and
// returns the number of rows. It releases the records it reads.
func WriteStream(ctx context.Context, wr Writer, s Stream) (int64, error) {
	if err := wr.Begin(s.Schema()); err != nil {
		return 0, err
	}
	var n int64
	for {
		rec, err := s.Next(ctx)
		if err != nil {
			return n, err
		}
		if rec == nil {
			break
		}
		err = wr.Write(rec)
		n += rec.NumRows()
		rec.Release()
		if err != nil {
			return n, err
		}
	}
	return n, wr.End()
}
