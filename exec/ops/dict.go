package ops

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// keepDict reports whether a (a dictionary of strings) may stand for a
// column of field f (kind string) as it is.
func keepDict(a arrow.Array, f arrow.Field) bool {
	if kernels.KindOf(f) != types.String {
		return false
	}
	d, _ := kernels.StringDict(a)
	return d != nil
}

// dictSchema is schema with the dictionary types of the columns in cols
// that are dictionaries of strings (schema itself when there are none).
func dictSchema(schema *arrow.Schema, cols []arrow.Array) *arrow.Schema {
	var fs []arrow.Field
	for i, c := range cols {
		if arrow.TypeEqual(c.DataType(), schema.Field(i).Type) {
			continue
		}
		if d, _ := kernels.StringDict(c); d == nil {
			continue
		}
		if fs == nil {
			fs = schema.Fields()
		}
		fs[i].Type = c.DataType()
	}
	if fs == nil {
		return schema
	}
	md := schema.Metadata()
	return arrow.NewSchema(fs, &md)
}
