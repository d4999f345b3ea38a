package output

import (
	"context"
	"io"
)

// Table is one named result table for WriteTables: engine.Query.Tables()
// gives them (output.Table{Name: t.Name, Stream: t}).
type Table struct {
	Name   string // "" for the unnamed result of an ordinary query
	Stream Stream
}

// WriteTables writes several result tables (a query ending in fork or
// facet) in one document and returns the total number of rows. It
// releases the records it reads.
//
// When any table has a name, each table is introduced by its name:
//   - json: one entry per table in "Tables", TableName = the name;
//   - table, csv, tsv: a line "# Name" before the table's header, tables
//     separated by an empty line;
//   - jsonl: a line {"TableName":"Name"} before the table's rows.
//
// With one unnamed table the output is exactly Write's.
func WriteTables(ctx context.Context, w io.Writer, format string, tables []Table, opts Options) (int64, error) {
	named := false
	for _, t := range tables {
		if t.Name != "" {
			named = true
		}
	}
	if named {
		opts.TableHeaders = true
		opts.TableNames = make([]string, len(tables))
		for i, t := range tables {
			opts.TableNames[i] = t.Name
		}
	}
	wr, err := New(w, format, opts)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, t := range tables {
		n, err := WriteStream(ctx, wr, t.Stream)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, wr.Close()
}
