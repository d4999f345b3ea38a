package kernels

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Datum is a kernel argument or result: an array of the batch's length, or a
// scalar (an array of length 1, Scalar=true) that stands for every row.
// Kind is the KQL kind of the values. The holder of a Datum owns one
// reference to Array and must Release it.
type Datum struct {
	Array  arrow.Array
	Scalar bool
	Kind   types.Kind
}

// Release releases the underlying array.
func (d Datum) Release() {
	if d.Array != nil {
		d.Array.Release()
	}
}

// Len is the number of rows the datum stands for given the batch length n.
func (d Datum) Len(n int) int {
	if d.Scalar {
		return n
	}
	return d.Array.Len()
}

// Row returns the physical index into Array for logical row i.
func (d Datum) Row(i int) int {
	if d.Scalar {
		return 0
	}
	return i
}

// Ctx is what a kernel may use besides its arguments.
type Ctx struct {
	context.Context
	Mem memory.Allocator
	Now time.Time // now() for this query (pinned by --now)
	// Consts holds the constant value of each argument when the checker
	// folded it (nil otherwise), so kernels can precompile regexes, formats, etc.
	Consts []any
}

// ScalarKernel computes a function over a batch of n rows. It must not
// retain or release args. The result is a Datum of n rows (or a scalar when
// every argument is scalar).
type ScalarKernel func(ctx *Ctx, args []Datum, n int) (Datum, error)

// AggState is the per-group state of one aggregate in one worker. Groups are
// dense ids 0..ngroups-1; Update sees for every row its group id.
type AggState interface {
	// Update folds rows into the groups given per row. args are the
	// aggregate's argument columns (same length as groups).
	Update(args []Datum, groups []uint32, ngroups int) error
	// Merge folds other (a state of the same aggregate from another worker)
	// into this one; mapping[i] is the group in this state that other's group i becomes.
	Merge(other AggState, mapping []uint32, ngroups int) error
	// Finish returns one value per group, ngroups rows.
	Finish(mem memory.Allocator, ngroups int) (arrow.Array, error)
}

// AggKernel makes a fresh aggregate state. argKinds are the checked argument
// kinds, consts the folded constant arguments (e.g. percentile 50, dcount accuracy).
type AggKernel func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error)

var (
	regMu   sync.RWMutex
	scalars = map[string]ScalarKernel{}
	aggs    = map[string]AggKernel{}
)

// RegisterScalar binds a scalar kernel to an overload ID.
func RegisterScalar(id string, k ScalarKernel) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := scalars[id]; dup {
		panic("kernels: duplicate scalar kernel " + id)
	}
	scalars[id] = k
}

// RegisterAggregate binds an aggregate kernel to an overload ID.
func RegisterAggregate(id string, k AggKernel) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := aggs[id]; dup {
		panic("kernels: duplicate aggregate kernel " + id)
	}
	aggs[id] = k
}

// Scalar returns the scalar kernel for an overload ID.
func Scalar(id string) (ScalarKernel, error) {
	regMu.RLock()
	defer regMu.RUnlock()
	if k, ok := scalars[id]; ok {
		return dictWrap(id, k), nil // dict.go
	}
	return nil, fmt.Errorf("no kernel for %s", id)
}

// Aggregate returns the aggregate kernel for an overload ID.
func Aggregate(id string) (AggKernel, error) {
	regMu.RLock()
	defer regMu.RUnlock()
	if k, ok := aggs[id]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("no aggregate kernel for %s", id)
}

// HasKernel reports whether any kernel is bound to id.
func HasKernel(id string) bool {
	regMu.RLock()
	defer regMu.RUnlock()
	_, s := scalars[id]
	_, a := aggs[id]
	return s || a
}
