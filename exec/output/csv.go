package output

import (
	"bufio"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// csvWriter writes RFC 4180 CSV (CRLF-free: "\n" line ends, as the
// conformance files) or TSV with the same quoting.
type csvWriter struct {
	w      *bufio.Writer
	comma  byte
	opts   Options
	kinds  []types.Kind
	tables int
	buf    []byte
	cell   []byte
}

func newCSVWriter(w io.Writer, comma byte, opts Options) *csvWriter {
	return &csvWriter{w: bufio.NewWriterSize(w, 64<<10), comma: comma, opts: opts}
}

func (c *csvWriter) Begin(schema *arrow.Schema) error {
	if c.tables > 0 {
		c.w.WriteByte('\n')
	}
	if c.opts.TableHeaders {
		c.w.WriteString("# " + clean(c.opts.tableName(c.tables)) + "\n")
	}
	c.tables++
	c.kinds = make([]types.Kind, schema.NumFields())
	c.buf = c.buf[:0]
	for i, f := range schema.Fields() {
		c.kinds[i] = kernels.KindOf(f)
		if i > 0 {
			c.buf = append(c.buf, c.comma)
		}
		h := f.Name
		if c.opts.TypedHeader {
			h += ":" + c.kinds[i].String()
		}
		c.buf = c.appendField(c.buf, []byte(h), false)
	}
	c.buf = append(c.buf, '\n')
	_, err := c.w.Write(c.buf)
	return err
}

func (c *csvWriter) Write(rec arrow.Record) error {
	style := ToString
	if c.opts.TypedHeader {
		style = Golden
	}
	cols := rec.Columns()
	for r := 0; r < int(rec.NumRows()); r++ {
		c.buf = c.buf[:0]
		for i, col := range cols {
			if i > 0 {
				c.buf = append(c.buf, c.comma)
			}
			c.cell = AppendCell(c.cell[:0], col, c.kinds[i], r, style)
			// A lone empty cell would make an empty line, which readers
			// skip: quote it (conformance files write `""`).
			c.buf = c.appendField(c.buf, c.cell, len(cols) == 1 && len(c.cell) == 0)
		}
		c.buf = append(c.buf, '\n')
		if _, err := c.w.Write(c.buf); err != nil {
			return err
		}
	}
	return nil
}

func (c *csvWriter) appendField(dst, f []byte, forceQuote bool) []byte {
	need := forceQuote
	if !need {
		for _, b := range f {
			if b == c.comma || b == '"' || b == '\n' || b == '\r' {
				need = true
				break
			}
		}
	}
	if !need {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for _, b := range f {
		if b == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, b)
	}
	return append(dst, '"')
}

func (c *csvWriter) End() error { return nil }

func (c *csvWriter) Close() error { return c.w.Flush() }
