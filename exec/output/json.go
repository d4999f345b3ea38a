package output

import (
	"bufio"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// jsonWriter writes the Kusto v1 REST shape, a row at a time:
// {"Tables":[{"TableName":"Table_0","Columns":[...],"Rows":[[...],...]}]}
type jsonWriter struct {
	w      *bufio.Writer
	opts   Options
	kinds  []types.Kind
	tables int
	rows   int64
	open   bool // inside a table
	buf    []byte
}

func newJSONWriter(w io.Writer, opts Options) *jsonWriter {
	return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10), opts: opts}
}

func (j *jsonWriter) Begin(schema *arrow.Schema) error {
	b := j.buf[:0]
	if j.tables == 0 {
		b = append(b, `{"Tables":[`...)
	} else {
		b = append(b, ',')
	}
	name := j.opts.tableName(j.tables)
	j.tables++
	b = append(b, `{"TableName":`...)
	b = types.AppendJSONString(b, name)
	b = append(b, `,"Columns":[`...)
	j.kinds = make([]types.Kind, schema.NumFields())
	for i, f := range schema.Fields() {
		k := kernels.KindOf(f)
		j.kinds[i] = k
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"ColumnName":`...)
		b = types.AppendJSONString(b, f.Name)
		b = append(b, `,"DataType":"`...)
		b = append(b, dotNetType(k)...)
		b = append(b, `","ColumnType":"`...)
		b = append(b, k.String()...)
		b = append(b, `"}`...)
	}
	b = append(b, `],"Rows":[`...)
	j.buf = b
	j.rows = 0
	j.open = true
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) Write(rec arrow.Record) error {
	cols := rec.Columns()
	for r := 0; r < int(rec.NumRows()); r++ {
		b := j.buf[:0]
		if j.rows > 0 {
			b = append(b, ',')
		}
		j.rows++
		b = append(b, '[')
		for i, col := range cols {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSONValue(b, col, j.kinds[i], r)
		}
		b = append(b, ']')
		j.buf = b
		if _, err := j.w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonWriter) End() error {
	if !j.open {
		return nil
	}
	j.open = false
	_, err := j.w.WriteString("]}")
	return err
}

func (j *jsonWriter) Close() error {
	if j.open {
		j.End()
	}
	if j.tables == 0 {
		j.w.WriteString(`{"Tables":[`)
	}
	j.w.WriteString("]}\n")
	return j.w.Flush()
}

// jsonlWriter writes one JSON object per row.
type jsonlWriter struct {
	w      *bufio.Writer
	opts   Options
	tables int
	kinds  []types.Kind
	keys   [][]byte
	buf    []byte
}

func newJSONLWriter(w io.Writer, opts Options) *jsonlWriter {
	return &jsonlWriter{w: bufio.NewWriterSize(w, 64<<10), opts: opts}
}

func (j *jsonlWriter) Begin(schema *arrow.Schema) error {
	if j.opts.TableHeaders {
		b := append(j.buf[:0], `{"TableName":`...)
		b = types.AppendJSONString(b, j.opts.tableName(j.tables))
		j.buf = append(b, '}', '\n')
		if _, err := j.w.Write(j.buf); err != nil {
			return err
		}
	}
	j.tables++
	j.kinds = make([]types.Kind, schema.NumFields())
	j.keys = make([][]byte, schema.NumFields())
	for i, f := range schema.Fields() {
		j.kinds[i] = kernels.KindOf(f)
		j.keys[i] = append(types.AppendJSONString(nil, f.Name), ':')
	}
	return nil
}

func (j *jsonlWriter) Write(rec arrow.Record) error {
	cols := rec.Columns()
	for r := 0; r < int(rec.NumRows()); r++ {
		b := append(j.buf[:0], '{')
		for i, col := range cols {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, j.keys[i]...)
			b = AppendJSONValue(b, col, j.kinds[i], r)
		}
		b = append(b, '}', '\n')
		j.buf = b
		if _, err := j.w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonlWriter) End() error { return nil }

func (j *jsonlWriter) Close() error { return j.w.Flush() }

// AppendRowObject appends row r of rec as a JSON object (column name →
// AppendJSONValue), as the jsonl format writes it (without the newline).
func AppendRowObject(dst []byte, rec arrow.Record, r int) []byte {
	dst = append(dst, '{')
	for i, col := range rec.Columns() {
		if i > 0 {
			dst = append(dst, ',')
		}
		f := rec.Schema().Field(i)
		dst = types.AppendJSONString(dst, f.Name)
		dst = append(dst, ':')
		dst = AppendJSONValue(dst, col, kernels.KindOf(f), r)
	}
	return append(dst, '}')
}
