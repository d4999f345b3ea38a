package source

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Dictionary-encoded string columns (issue 12). With ScanRequest.Dict the
// Parquet reader asks pqarrow for Arrow dictionary arrays for the
// top-level BYTE_ARRAY columns of kind string, so the pages' dictionaries
// are kept instead of being expanded into one string per row; conform
// passes such arrays on and the record's schema carries the dictionary
// type (kql.type metadata unchanged).

// dictLeaves returns the Parquet leaf indices of the top-level byte-array
// columns that want has with kind string.
func dictLeaves(pr *file.Reader, want *arrow.Schema) []int {
	sc := pr.MetaData().Schema
	var out []int
	for i := 0; i < sc.NumColumns(); i++ {
		c := sc.Column(i)
		path := c.ColumnPath()
		if len(path) != 1 || c.PhysicalType() != parquet.Types.ByteArray {
			continue
		}
		idx := want.FieldIndices(path[0])
		if len(idx) == 0 || kernels.KindOf(want.Field(idx[0])) != types.String || dictFallback(pr, i) {
			continue
		}
		out = append(out, i)
	}
	return out
}

// isStringDict reports whether a is a dictionary array of strings.
func isStringDict(t arrow.DataType) bool {
	dt, ok := t.(*arrow.DictionaryType)
	return ok && dt.ValueType.ID() == arrow.STRING
}

// dictField is f with the dictionary type t (metadata kept).
func dictField(f arrow.Field, t arrow.DataType) arrow.Field {
	f.Type = t
	return f
}

// schemaConforms reports whether got is want, or (dict) want with some
// string fields of dictionary type.
func schemaConforms(got, want *arrow.Schema, dict bool) bool {
	if got.Equal(want) {
		return true
	}
	if !dict || got.NumFields() != want.NumFields() {
		return false
	}
	for i := 0; i < got.NumFields(); i++ {
		g, w := got.Field(i), want.Field(i)
		if g.Name != w.Name {
			return false
		}
		if arrow.TypeEqual(g.Type, w.Type) {
			continue
		}
		if !isStringDict(g.Type) || kernels.KindOf(w) != types.String {
			return false
		}
	}
	return true
}

// passDict reports whether conform may pass src on as is for a field of
// kind k.
func passDict(req ScanRequest, src arrow.Array, k types.Kind) bool {
	if !req.Dict || k != types.String {
		return false
	}
	_, ok := src.(*array.Dictionary)
	return ok && isStringDict(src.DataType())
}

// dictFallback reports whether leaf col has plain-encoded data pages in
// some row group: its dictionary overflowed (high-cardinality columns
// such as ids and JSON text), so reading it as an Arrow dictionary would
// build one by hashing every value; it is read as plain strings instead.
func dictFallback(pr *file.Reader, col int) bool {
	md := pr.MetaData()
	for rg := 0; rg < pr.NumRowGroups(); rg++ {
		cc, err := md.RowGroup(rg).ColumnChunk(col)
		if err != nil {
			return false
		}
		stats := cc.EncodingStats()
		if len(stats) == 0 {
			if !cc.HasDictionaryPage() {
				return true
			}
			continue
		}
		for _, st := range stats {
			if pt := int32(st.PageType); pt == 0 || pt == 3 { // DATA_PAGE, DATA_PAGE_V2
				if st.Encoding != parquet.Encodings.RLEDict && st.Encoding != parquet.Encodings.PlainDict {
					return true
				}
			}
		}
	}
	return false
}
