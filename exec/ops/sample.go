package ops

import (
	"context"
	"math/rand/v2"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Sample is the sample operator: N rows picked uniformly at random
// (reservoir sampling over the whole input; output in input order).
type Sample struct {
	mem  memory.Allocator
	in   Operator
	n    int64
	rng  *rand.Rand
	done bool
}

// NewSample returns `sample n`; seed makes the choice reproducible.
func NewSample(mem memory.Allocator, in Operator, n int64, seed uint64) *Sample {
	return &Sample{mem: mem, in: in, n: n, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Schema implements Operator.
func (s *Sample) Schema() *arrow.Schema { return s.in.Schema() }

// Close implements Operator.
func (s *Sample) Close() { s.in.Close() }

// Next implements Operator.
func (s *Sample) Next(ctx context.Context) (arrow.Record, error) {
	if s.done {
		return nil, nil
	}
	s.done = true
	recs, total, err := drainAll(ctx, s.in)
	if err != nil {
		return nil, err
	}
	defer releaseAll(recs)
	if s.n <= 0 || total == 0 {
		return nil, nil
	}
	all, err := concatRecords(s.mem, s.in.Schema(), recs)
	if err != nil {
		return nil, err
	}
	defer all.Release()
	k := int(min(s.n, int64(total)))
	res := make([]int32, k)
	for i := range res {
		res[i] = int32(i)
	}
	for i := k; i < total; i++ {
		if j := s.rng.IntN(i + 1); j < k {
			res[j] = int32(i)
		}
	}
	sortInt32(res)
	cols := takeRecordCols(s.mem, s.in.Schema(), all, res, nil)
	return newRecord(s.in.Schema(), cols, k), nil
}

func sortInt32(a []int32) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// NewSampleDistinct returns `sample-distinct n of col`: up to n distinct
// values of column col (the first ones seen), as a one-column table.
func NewSampleDistinct(mem memory.Allocator, in Operator, n int64, col int) Operator {
	return &sampleDistinct{mem: mem, in: in, n: n, col: col,
		schema: arrow.NewSchema([]arrow.Field{in.Schema().Field(col)}, nil)}
}

type sampleDistinct struct {
	mem    memory.Allocator
	in     Operator
	n      int64
	col    int
	schema *arrow.Schema
	seen   map[string]bool
	count  int64
	buf    []byte
}

func (s *sampleDistinct) Schema() *arrow.Schema { return s.schema }
func (s *sampleDistinct) Close()                { s.in.Close() }
func (s *sampleDistinct) Next(ctx context.Context) (arrow.Record, error) {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	for s.count < s.n {
		rec, err := s.in.Next(ctx)
		if err != nil || rec == nil {
			return nil, err
		}
		a := rec.Column(s.col)
		cols := []keyCol{{arr: a}}
		var idx []int32
		for i := 0; i < int(rec.NumRows()) && s.count < s.n; i++ {
			s.buf = encodeKey(s.buf[:0], cols, i)
			if s.seen[string(s.buf)] {
				continue
			}
			s.seen[string(s.buf)] = true
			s.count++
			idx = append(idx, int32(i))
		}
		var out arrow.Record
		if len(idx) > 0 {
			out = newRecord(s.schema, []arrow.Array{takeArray(s.mem, a, idx)}, len(idx))
		}
		rec.Release()
		if out != nil {
			return out, nil
		}
	}
	return nil, nil
}
