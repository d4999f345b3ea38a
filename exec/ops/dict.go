package ops

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

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

// decodeDicts replaces, in place, every record of recs that has
// dictionary columns by one with plain strings (the build side of a join
// is concatenated into one record of its declared schema).
func decodeDicts(mem memory.Allocator, recs []arrow.Record) []arrow.Record {
	for i, rec := range recs {
		has := false
		for _, c := range rec.Columns() {
			if _, ok := c.(*array.Dictionary); ok {
				has = true
				break
			}
		}
		if !has {
			continue
		}
		cols := make([]arrow.Array, rec.NumCols())
		fs := rec.Schema().Fields()
		for c, a := range rec.Columns() {
			cols[c] = kernels.DecodeDict(mem, a)
			fs[c].Type = cols[c].DataType()
		}
		md := rec.Schema().Metadata()
		out := newRecord(arrow.NewSchema(fs, &md), cols, int(rec.NumRows()))
		rec.Release()
		recs[i] = out
	}
	return recs
}
