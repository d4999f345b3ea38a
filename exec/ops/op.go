// Package ops holds the physical operators: pull-based iterators over Arrow
// record batches, one file per operator.
//
// Ownership rule: the caller of Next owns the returned record and must
// Release it. Next returns (nil, nil) at end of stream. Close releases
// everything the operator holds and closes its inputs; it is safe to call
// more than once.
package ops

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
)

// Operator is a physical operator.
type Operator interface {
	Schema() *arrow.Schema
	Next(ctx context.Context) (arrow.Record, error)
	Close()
}

// DefaultBatchRows is the target number of rows per batch.
const DefaultBatchRows = 64 * 1024
