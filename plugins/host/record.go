package host

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

func arrowRecord(s *arrow.Schema, cols []arrow.Array, n int64) arrow.Record {
	return array.NewRecord(s, cols, n)
}
