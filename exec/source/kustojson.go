package source

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// kustoJSONFormat reads the Kusto v1 REST result shape that `kqlhunt query
// --format json` writes (and golden tests' want.json):
// {"Tables":[{"TableName":"Table_0","Columns":[{"ColumnName":..,"ColumnType":..}],"Rows":[[..]]}]}.
// The first table takes the binding's name; further tables their TableName.
type kustoJSONFormat struct{}

func init() { Register(kustoJSONFormat{}, 1) }

func (kustoJSONFormat) Name() string { return "kusto-json" }

func (kustoJSONFormat) Detect(path string, head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n")
	if !bytes.HasPrefix(t, []byte("{")) {
		return false
	}
	t = bytes.TrimLeft(t[1:], " \t\r\n")
	return bytes.HasPrefix(t, []byte(`"Tables"`))
}

// v1Kind maps a v1 column to a KQL kind: ColumnType, else the .NET DataType.
func v1Kind(col *types.Bag) types.Kind {
	if ct, ok := col.Get("ColumnType"); ok {
		if s, ok := ct.(string); ok {
			if k, ok := types.ParseKind(s); ok {
				return k
			}
		}
	}
	dt, _ := col.Get("DataType")
	switch dt {
	case "Boolean", "SByte":
		return types.Bool
	case "Int32":
		return types.Int
	case "Int64":
		return types.Long
	case "Double", "Single":
		return types.Real
	case "Decimal":
		return types.Decimal
	case "DateTime":
		return types.DateTime
	case "TimeSpan":
		return types.TimeSpan
	case "Guid":
		return types.Guid
	case "Object":
		return types.Dynamic
	}
	return types.String
}

func (kustoJSONFormat) Read(f *File, opts *Options) ([]Part, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return nil, &Error{File: f.Path, Reason: err.Error()}
	}
	doc, err := types.ParseDynamic(string(data))
	if err != nil {
		return nil, &Error{File: f.Path, Line: lineAt(data, err), Reason: err.Error()}
	}
	bag, _ := doc.(*types.Bag)
	tv, _ := bag.Get("Tables")
	tables, ok := tv.([]any)
	if !ok {
		return nil, &Error{File: f.Path, Reason: `"Tables" is not an array`}
	}
	var parts []Part
	for ti, tv := range tables {
		tb, _ := tv.(*types.Bag)
		cv, _ := tb.Get("Columns")
		cols, _ := cv.([]any)
		fields := make([]arrow.Field, 0, len(cols))
		names := make([]string, 0, len(cols))
		for ci, c := range cols {
			cb, _ := c.(*types.Bag)
			n, _ := cb.Get("ColumnName")
			name, _ := n.(string)
			if name == "" {
				name = fmt.Sprintf("Column%d", ci+1)
			}
			names = append(names, name)
			fields = append(fields, kernels.Field(name, v1Kind(cb)))
		}
		rv, _ := tb.Get("Rows")
		rowsAny, _ := rv.([]any)
		bags := make([]*types.Bag, 0, len(rowsAny))
		for ri, r := range rowsAny {
			row, ok := r.([]any)
			if !ok || len(row) != len(names) {
				if err := opts.problem(catalog.Problem{File: f.Path, Line: ri + 1, Reason: fmt.Sprintf("table %d row %d skipped: not an array of %d values", ti, ri+1, len(names))}); err != nil {
					return nil, err
				}
				continue
			}
			b := types.NewBag(len(names))
			for i, v := range row {
				if !fitsKind(kernels.KindOf(fields[i]), v) {
					if err := opts.problem(catalog.Problem{File: f.Path, Line: ri + 1, Field: names[i], Reason: badCell(types.FormatDynamic(v), kernels.KindOf(fields[i]))}); err != nil {
						return nil, err
					}
				}
				b.Set(names[i], v)
			}
			bags = append(bags, b)
		}
		name := ""
		if ti > 0 {
			n, _ := tb.Get("TableName")
			name, _ = n.(string)
			if name == "" {
				name = fmt.Sprintf("Table_%d", ti)
			}
		}
		parts = append(parts, Part{
			Table:  name,
			Schema: arrow.NewSchema(fields, nil),
			Rows:   int64(len(bags)),
			Open: func(ctx context.Context, req ScanRequest) (catalog.RecordReader, error) {
				return newBagReader(ctx, req, func(yield func(*types.Bag) error) error {
					for _, b := range bags {
						if err := yield(b); err != nil {
							return err
						}
					}
					return nil
				}), nil
			},
		})
	}
	if len(parts) == 0 {
		opts.note("%s: no tables", f.Path)
	}
	return parts, nil
}
