package source

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Helpers for Formats implemented in other packages (exec/source/m365).

// Problem reports a row that cannot be loaded; with Strict it returns it as
// an *Error, which Read should return.
func (o *Options) Problem(p catalog.Problem) error { return o.problem(p) }

// Notef sends an informational message.
func (o *Options) Notef(format string, args ...any) { o.note(format, args...) }

// EachJSON calls fn for every top-level value of a JSON file (JSON lines, a
// JSON array or concatenated values): n is the line, or the 1-based element
// number in an array; err is a syntax error (the value is skipped; in array
// or stream mode it also ends the iteration). Values are decoded as
// dynamic (objects are *types.Bag).
func EachJSON(f *File, fn func(n int, v any, err error) error) error {
	return eachJSON(f, func(r jsonRecord) error { return fn(r.n, r.val, r.err) })
}

// BagPart builds a Part whose rows come from produce, one property bag per
// row (keys are column names; values are dynamic values converted to the
// requested column types as JSON values are: datetime from ISO 8601 text,
// string columns take non-string values as JSON text). produce is called
// once per scan, from its own goroutine, with the scan's requested schema
// (keys that are not in it are ignored, so produce may skip them).
func BagPart(table string, schema *arrow.Schema, rows int64, produce func(req ScanRequest, yield func(*types.Bag) error) error) Part {
	return Part{
		Table:  table,
		Schema: schema,
		Rows:   rows,
		Open: func(ctx context.Context, req ScanRequest) (catalog.RecordReader, error) {
			return newBagReader(ctx, req, func(yield func(*types.Bag) error) error { return produce(req, yield) }), nil
		},
	}
}

// TableName is the name the file being read will be bound under (the
// binding's name, else the file's base name).
func (o *Options) TableName() string { return o.table }
