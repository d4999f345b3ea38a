package ops

import (
	"context"
	"fmt"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Workers is the default parallelism of morsel-parallel operators.
var Workers = 2

// PanicError is a panic recovered inside an operator (for example the
// memory budget being exceeded), turned into an error.
type PanicError struct{ Value any }

func (e *PanicError) Error() string {
	if err, ok := e.Value.(error); ok {
		return err.Error()
	}
	return fmt.Sprint(e.Value)
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// guard runs f, converting a panic into an error.
func guard(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r}
		}
	}()
	return f()
}

// ConformArray returns arr converted to the physical Arrow type of KQL kind
// k (a no-op, with a new reference, when it already matches).
func ConformArray(mem memory.Allocator, arr arrow.Array, from, k types.Kind) (arrow.Array, error) {
	want := kernels.ArrowType(k)
	if arrow.TypeEqual(arr.DataType(), want) {
		arr.Retain()
		return arr, nil
	}
	if d, _ := kernels.StringDict(arr); d != nil && (k == types.String || k == types.Guid) && from != types.Dynamic {
		return kernels.DecodeDict(mem, arr), nil // dictionary strings decoded at this boundary
	}
	b := array.NewBuilder(mem, want)
	defer b.Release()
	n := arr.Len()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		v := expr.ValueAt(arr, i, from)
		v = convertValue(v, from, k)
		if err := expr.AppendValue(b, k, v); err != nil {
			b.AppendNull()
		}
	}
	return b.NewArray(), nil
}

func convertValue(v any, from, to types.Kind) any {
	if v == nil {
		return nil
	}
	switch to {
	case types.String, types.Guid:
		if s, ok := v.(string); ok {
			return s
		}
		return types.FormatValue(from, v)
	case types.Dynamic:
		return v
	case types.Real, types.Decimal:
		switch x := v.(type) {
		case int64:
			return float64(x)
		case int32:
			return float64(x)
		case float64:
			return x
		}
		return nil
	case types.Long, types.Int, types.DateTime, types.TimeSpan:
		switch x := v.(type) {
		case int64, int32:
			return x
		case float64:
			return int64(x)
		case bool:
			if x {
				return int64(1)
			}
			return int64(0)
		}
		return nil
	case types.Bool:
		if b, ok := v.(bool); ok {
			return b
		}
		return nil
	}
	return v
}

// DatumArray returns d as an array of n rows of kind k (scalars are
// repeated, other physical types converted). The caller releases it.
func DatumArray(mem memory.Allocator, d kernels.Datum, n int, k types.Kind) (arrow.Array, error) {
	arr, err := expr.Expand(mem, d, n)
	if err != nil {
		return nil, err
	}
	if k == types.Unknown || k == types.Null {
		return arr, nil
	}
	out, err := ConformArray(mem, arr, d.Kind, k)
	arr.Release()
	return out, err
}

// NullArray returns an all-null array of kind k and length n.
func NullArray(mem memory.Allocator, k types.Kind, n int) arrow.Array {
	b := array.NewBuilder(mem, kernels.ArrowType(k))
	defer b.Release()
	b.AppendNulls(n)
	return b.NewArray()
}

// parallelMap applies f to input batches with up to Workers goroutines,
// keeping the input order. f owns nothing: it returns a new record (or nil
// to drop the batch).
type parallelMap struct {
	in      Operator
	schema  *arrow.Schema
	f       func(rec arrow.Record) (arrow.Record, error)
	workers int
	queue   []arrow.Record
	done    bool
}

func newParallelMap(in Operator, schema *arrow.Schema, f func(rec arrow.Record) (arrow.Record, error)) *parallelMap {
	w := Workers
	if w < 1 {
		w = 1
	}
	return &parallelMap{in: in, schema: schema, f: f, workers: w}
}

func (p *parallelMap) Schema() *arrow.Schema { return p.schema }

func (p *parallelMap) Close() {
	for _, r := range p.queue {
		r.Release()
	}
	p.queue = nil
	if p.in != nil {
		p.in.Close()
	}
}

func (p *parallelMap) Next(ctx context.Context) (arrow.Record, error) {
	for {
		if len(p.queue) > 0 {
			r := p.queue[0]
			p.queue = p.queue[1:]
			return r, nil
		}
		if p.done {
			return nil, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var batch []arrow.Record
		for len(batch) < p.workers {
			r, err := p.in.Next(ctx)
			if err != nil {
				for _, b := range batch {
					b.Release()
				}
				return nil, err
			}
			if r == nil {
				p.done = true
				break
			}
			batch = append(batch, r)
		}
		if len(batch) == 0 {
			return nil, nil
		}
		outs := make([]arrow.Record, len(batch))
		errs := make([]error, len(batch))
		if len(batch) == 1 {
			errs[0] = guard(func() (err error) { outs[0], err = p.f(batch[0]); return })
		} else {
			var wg sync.WaitGroup
			for i := range batch {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					errs[i] = guard(func() (err error) { outs[i], err = p.f(batch[i]); return })
				}(i)
			}
			wg.Wait()
		}
		for _, b := range batch {
			b.Release()
		}
		var firstErr error
		for i, o := range outs {
			if errs[i] != nil && firstErr == nil {
				firstErr = errs[i]
			}
			if o == nil {
				continue
			}
			if firstErr != nil || o.NumRows() == 0 {
				o.Release()
				continue
			}
			p.queue = append(p.queue, o)
		}
		if firstErr != nil {
			return nil, firstErr
		}
	}
}

// Drain reads every record of op (not closing it).
func Drain(ctx context.Context, op Operator) ([]arrow.Record, error) {
	var out []arrow.Record
	for {
		r, err := op.Next(ctx)
		if err != nil {
			for _, x := range out {
				x.Release()
			}
			return nil, err
		}
		if r == nil {
			return out, nil
		}
		if r.NumRows() == 0 {
			r.Release()
			continue
		}
		out = append(out, r)
	}
}

// ReleaseRecords releases every record.
func ReleaseRecords(recs []arrow.Record) {
	for _, r := range recs {
		if r != nil {
			r.Release()
		}
	}
}
