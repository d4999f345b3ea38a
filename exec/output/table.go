package output

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"golang.org/x/text/width"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// tableWriter buffers a table's cells and prints them aligned.
type tableWriter struct {
	w      *bufio.Writer
	opts   Options
	names  []string
	kinds  []types.Kind
	rows   [][]string
	tables int
	buf    []byte
}

func newTableWriter(w io.Writer, opts Options) *tableWriter {
	if opts.MaxCell == 0 {
		opts.MaxCell = 60
	}
	return &tableWriter{w: bufio.NewWriterSize(w, 64<<10), opts: opts}
}

func (t *tableWriter) Begin(schema *arrow.Schema) error {
	t.names = make([]string, schema.NumFields())
	t.kinds = make([]types.Kind, schema.NumFields())
	for i, f := range schema.Fields() {
		t.names[i] = clean(f.Name)
		t.kinds[i] = kernels.KindOf(f)
	}
	t.rows = t.rows[:0]
	return nil
}

func (t *tableWriter) Write(rec arrow.Record) error {
	cols := rec.Columns()
	for r := 0; r < int(rec.NumRows()); r++ {
		row := make([]string, len(cols))
		for i, col := range cols {
			t.buf = AppendCell(t.buf[:0], col, t.kinds[i], r, ToString)
			row[i] = cut(clean(string(t.buf)), t.opts.MaxCell)
		}
		t.rows = append(t.rows, row)
	}
	return nil
}

// clean makes a cell one line: control characters become spaces.
func clean(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// textWidth is the display width of s (East Asian wide runes count 2).
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	if r < 0x1100 {
		return 1
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// cut shortens s to at most w display columns, ending in "…" when cut.
func cut(s string, w int) string {
	if w < 0 || (utf8.RuneCountInString(s) <= w && textWidth(s) <= w) {
		return s
	}
	if w < 1 {
		return ""
	}
	n := 0
	for i, r := range s {
		rw := runeWidth(r)
		if n+rw > w-1 {
			return s[:i] + "…"
		}
		n += rw
	}
	return s
}

func (t *tableWriter) End() error {
	n := len(t.names)
	widths := make([]int, n)
	for i, h := range t.names {
		widths[i] = textWidth(h)
	}
	for _, row := range t.rows {
		for i, c := range row {
			if w := textWidth(c); w > widths[i] {
				widths[i] = w
			}
		}
	}
	if t.opts.Width > 0 {
		fit(widths, t.opts.Width)
	}
	if t.tables > 0 {
		t.w.WriteByte('\n')
	}
	if t.opts.TableHeaders {
		t.w.WriteString("# " + clean(t.opts.tableName(t.tables)) + "\n")
	}
	t.tables++
	t.line(t.names, widths)
	dashes := make([]string, n)
	for i, w := range widths {
		dashes[i] = strings.Repeat("-", w)
	}
	t.line(dashes, widths)
	for _, row := range t.rows {
		t.line(row, widths)
	}
	switch len(t.rows) {
	case 1:
		t.w.WriteString("(1 row)\n")
	default:
		t.w.WriteString("(" + strconv.Itoa(len(t.rows)) + " rows)\n")
	}
	t.rows = nil
	return nil
}

// fit narrows the widest columns until the line fits in total (or every
// column is down to a minimum of 4).
func fit(widths []int, total int) {
	const min = 4
	sum := func() int {
		s := 2 * (len(widths) - 1)
		for _, w := range widths {
			s += w
		}
		return s
	}
	for over := sum() - total; over > 0; over = sum() - total {
		widest := -1
		for i, w := range widths {
			if w > min && (widest < 0 || w > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			return
		}
		// Bring the widest down to the next widest (or by the excess).
		next := min
		for i, w := range widths {
			if i != widest && w > next && w < widths[widest] {
				next = w
			}
		}
		cutBy := widths[widest] - next
		if cutBy > over || cutBy == 0 {
			cutBy = over
		}
		if widths[widest]-cutBy < min {
			cutBy = widths[widest] - min
		}
		widths[widest] -= cutBy
	}
}

func (t *tableWriter) line(cells []string, widths []int) {
	b := t.buf[:0]
	for i, c := range cells {
		if i > 0 {
			b = append(b, ' ', ' ')
		}
		c = cut(c, widths[i])
		pad := widths[i] - textWidth(c)
		right := i < len(t.kinds) && t.kinds[i].IsNumeric()
		if right {
			b = append(b, strings.Repeat(" ", pad)...)
			b = append(b, c...)
		} else {
			b = append(b, c...)
			if i < len(cells)-1 {
				b = append(b, strings.Repeat(" ", pad)...)
			}
		}
	}
	b = append(trimRight(b), '\n')
	t.buf = b
	t.w.Write(b)
}

func trimRight(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

func (t *tableWriter) Close() error { return t.w.Flush() }
