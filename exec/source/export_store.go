package source

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Conform converts a record of a binary source (Parquet, Arrow) to schema:
// columns picked by name, missing ones all null, int64 columns whose KQL
// type is datetime or timespan reinterpreted, other physical types
// converted to the canonical type of the column's kind. The caller
// releases both records. Used by exec/store.
func Conform(rec arrow.Record, schema *arrow.Schema, mem memory.Allocator) arrow.Record {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return conform(rec, ScanRequest{Schema: schema, Mem: mem})
}
