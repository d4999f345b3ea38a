package kernels

// Window functions: row_number, row_cumsum, prev, next, row_rank_dense,
// row_rank_min, row_window_session.
//
// Interface with the engine. A window function is evaluated over the
// serialized rows in order. Two ways to call one:
//
//   - As a ScalarKernel (kernels.Scalar(id)): the batch must be the whole
//     serialized input; each call starts from a fresh state.
//   - As a WindowState (kernels.Window(id) makes one per query evaluation of
//     the call site): Eval is fed the batches in order and carries state from
//     one batch to the next (counters, running sums, the last rows for prev,
//     the current session). next() looks ahead, so it needs the whole input
//     in one Eval; rows past the end of a batch get the default otherwise.
//
// Arguments follow the declarations in lang/funcs/window.go; constant
// arguments (start, offset) are read from Ctx.Consts when folded, else from
// the first row of their column. A restart argument is true where the row
// starts a new partition (null counts as false).

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// WindowState evaluates one window function call over successive batches.
type WindowState interface {
	Eval(ctx *Ctx, args []Datum, n int) (Datum, error)
}

// WindowKernel makes a fresh window state for one evaluation of a call site.
type WindowKernel func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (WindowState, error)

var windows = map[string]WindowKernel{}

// RegisterWindow binds a window kernel to an overload ID, and also a scalar
// kernel that evaluates a whole serialized input given as one batch.
func RegisterWindow(id string, k WindowKernel) {
	regMu.Lock()
	if _, dup := windows[id]; dup {
		regMu.Unlock()
		panic("kernels: duplicate window kernel " + id)
	}
	windows[id] = k
	regMu.Unlock()
	RegisterScalar(id, func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		kinds := make([]types.Kind, len(args))
		for i, a := range args {
			kinds[i] = a.Kind
		}
		st, err := k(ctx, kinds, ctx.Consts, types.Unknown)
		if err != nil {
			return Datum{}, err
		}
		return st.Eval(ctx, args, n)
	})
}

// Window returns the window kernel for an overload ID.
func Window(id string) (WindowKernel, error) {
	regMu.RLock()
	defer regMu.RUnlock()
	if k, ok := windows[id]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("no window kernel for %s", id)
}

func init() {
	RegisterWindow("row_number", func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (WindowState, error) {
		return &rowNumber{}, nil
	})
	RegisterWindow("row_cumsum", func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (WindowState, error) {
		return &rowCumsum{result: result}, nil
	})
	RegisterWindow("prev", func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (WindowState, error) {
		return &shift{}, nil
	})
	RegisterWindow("next", func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (WindowState, error) {
		return &shift{next: true}, nil
	})
	RegisterWindow("row_rank_dense", func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (WindowState, error) {
		return &rowRank{dense: true}, nil
	})
	RegisterWindow("row_rank_min", func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (WindowState, error) {
		return &rowRank{}, nil
	})
	RegisterWindow("row_window_session", func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (WindowState, error) {
		return &session{}, nil
	})
}

func ctxConsts(ctx *Ctx) []any {
	if ctx == nil {
		return nil
	}
	return ctx.Consts
}

// restartReader returns a reader for the optional restart argument i.
func restartReader(args []Datum, i int) (reader, bool) {
	if i < len(args) && args[i].Array != nil {
		return newReader(args[i]), true
	}
	return reader{}, false
}

// ---------------------------------------------------------------------------
// row_number([start [, restart]])

type rowNumber struct {
	started bool
	start   int64
	next    int64
}

func (s *rowNumber) Eval(ctx *Ctx, args []Datum, n int) (Datum, error) {
	if !s.started {
		s.started = true
		s.start = 1
		if v, ok := argInt(ctxConsts(ctx), args, 0); ok {
			s.start = v
		}
		s.next = s.start
	}
	rs, hasRestart := restartReader(args, 1)
	vals := make([]int64, n)
	for i := range vals {
		if hasRestart && rs.truthy(i) {
			s.next = s.start
		}
		vals[i] = s.next
		s.next++
	}
	return Datum{Array: buildInts(ctx.Mem, types.Long, vals, nil), Kind: types.Long}, nil
}

// ---------------------------------------------------------------------------
// row_cumsum(term [, restart])

type rowCumsum struct {
	result types.Kind
	i      int64
	f      float64
}

func (s *rowCumsum) Eval(ctx *Ctx, args []Datum, n int) (Datum, error) {
	if len(args) == 0 {
		return Datum{}, fmt.Errorf("row_cumsum: missing term")
	}
	r := newReader(args[0])
	k := s.result
	if k == types.Unknown || k == types.Null {
		k = r.kind
		if k == types.Int {
			k = types.Long
		}
		s.result = k
	}
	rs, hasRestart := restartReader(args, 1)
	if r.ph == phFloat || k == types.Real || k == types.Decimal {
		vals := make([]float64, n)
		for i := range vals {
			if hasRestart && rs.truthy(i) {
				s.f = 0
			}
			if r.valid(i) {
				s.f += r.floatAt(i)
			}
			vals[i] = s.f
		}
		return Datum{Array: buildFloats(ctx.Mem, vals, nil), Kind: k}, nil
	}
	vals := make([]int64, n)
	for i := range vals {
		if hasRestart && rs.truthy(i) {
			s.i = 0
		}
		if r.valid(i) {
			s.i += r.int64At(i)
		}
		vals[i] = s.i
	}
	return Datum{Array: buildInts(ctx.Mem, k, vals, nil), Kind: k}, nil
}

// ---------------------------------------------------------------------------
// prev(column [, offset [, default]]) / next(...)

type shift struct {
	next    bool
	started bool
	off     int
	tail    []any // prev: the last off values of the rows seen so far
}

func (s *shift) Eval(ctx *Ctx, args []Datum, n int) (Datum, error) {
	if len(args) == 0 {
		return Datum{}, fmt.Errorf("prev/next: missing column")
	}
	if !s.started {
		s.started = true
		s.off = 1
		if v, ok := argInt(ctxConsts(ctx), args, 1); ok {
			if v < 0 {
				return Datum{}, fmt.Errorf("prev/next: offset must not be negative")
			}
			s.off = int(v)
		}
	}
	x := args[0]
	k := x.Kind
	if k == types.Unknown || k == types.Null {
		k = KindOfArrow(x.Array.DataType())
	}
	xr := newReader(x)
	var def reader
	hasDef := len(args) > 2 && args[2].Array != nil
	if hasDef {
		def = newReader(args[2])
	}
	defAt := func(i int) any {
		if hasDef {
			return def.value(i)
		}
		return nil
	}
	off := s.off
	if off == 0 {
		x.Array.Retain()
		if x.Scalar {
			return Datum{Array: x.Array, Scalar: true, Kind: k}, nil
		}
		return Datum{Array: x.Array, Kind: k}, nil
	}
	b := array.NewBuilder(ctx.Mem, ArrowType(k))
	defer b.Release()
	if x.Scalar || !arrow.TypeEqual(x.Array.DataType(), ArrowType(k)) {
		// boxed path: constants and physical types other than the canonical one
		for i := 0; i < n; i++ {
			src := i + off
			if !s.next {
				src = i - off
			}
			switch {
			case src >= 0 && src < n:
				appendValue(b, xr.value(src))
			case !s.next && len(s.tail)+src >= 0:
				appendValue(b, s.tail[len(s.tail)+src])
			default:
				appendValue(b, defAt(i))
			}
		}
		if !s.next {
			s.keepTail(xr, n)
		}
		return Datum{Array: b.NewArray(), Kind: k}, nil
	}
	var parts []arrow.Array
	if !s.next {
		head := min(off, n)
		for i := 0; i < head; i++ {
			t := len(s.tail) - off + i // index into tail of row i-off
			if t >= 0 {
				appendValue(b, s.tail[t])
			} else {
				appendValue(b, defAt(i))
			}
		}
		parts = append(parts, b.NewArray())
		if n > off {
			parts = append(parts, array.NewSlice(x.Array, 0, int64(n-off)))
		}
		s.keepTail(xr, n)
	} else {
		if n > off {
			parts = append(parts, array.NewSlice(x.Array, int64(off), int64(n)))
		}
		for i := max(n-off, 0); i < n; i++ {
			appendValue(b, defAt(i))
		}
		parts = append(parts, b.NewArray())
	}
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	out, err := array.Concatenate(parts, ctx.Mem)
	if err != nil {
		return Datum{}, err
	}
	return Datum{Array: out, Kind: k}, nil
}

// keepTail remembers the last off values of the rows seen so far.
func (s *shift) keepTail(xr reader, n int) {
	from := max(n-s.off, 0)
	for i := from; i < n; i++ {
		s.tail = append(s.tail, xr.value(i))
	}
	if len(s.tail) > s.off {
		s.tail = append(s.tail[:0:0], s.tail[len(s.tail)-s.off:]...)
	}
}

// ---------------------------------------------------------------------------
// row_rank_dense(term [, restart]) / row_rank_min(term [, restart])

type rankKey struct {
	null bool
	i    int64
	f    float64
	s    string
}

func (r *reader) key(i int) rankKey {
	if !r.valid(i) {
		return rankKey{null: true}
	}
	switch r.ph {
	case phInt, phBool:
		return rankKey{i: r.int64At(i)}
	case phFloat:
		return rankKey{f: r.floatAt(i)}
	case phString:
		return rankKey{s: r.stringAt(i)}
	}
	return rankKey{null: true}
}

type rowRank struct {
	dense   bool
	has     bool
	last    rankKey
	rank    int64
	rowNum  int64
	started bool
}

func (s *rowRank) Eval(ctx *Ctx, args []Datum, n int) (Datum, error) {
	if len(args) == 0 {
		return Datum{}, fmt.Errorf("row_rank: missing term")
	}
	r := newReader(args[0])
	rs, hasRestart := restartReader(args, 1)
	vals := make([]int64, n)
	for i := range vals {
		if hasRestart && rs.truthy(i) {
			s.has, s.rank, s.rowNum = false, 0, 0
		}
		s.rowNum++
		k := r.key(i)
		if !s.has || k != s.last {
			if s.dense {
				s.rank++
			} else {
				s.rank = s.rowNum
			}
			s.last = cloneKey(k)
			s.has = true
		}
		vals[i] = s.rank
	}
	return Datum{Array: buildInts(ctx.Mem, types.Long, vals, nil), Kind: types.Long}, nil
}

func cloneKey(k rankKey) rankKey {
	k.s = cloneString(k.s)
	return k
}

// ---------------------------------------------------------------------------
// row_window_session(expr, maxDistanceFromFirst, maxDistanceBetweenNeighbors [, restart])

type session struct {
	has         bool
	start, prev int64
}

func (s *session) Eval(ctx *Ctx, args []Datum, n int) (Datum, error) {
	if len(args) < 3 {
		return Datum{}, fmt.Errorf("row_window_session: want at least 3 arguments")
	}
	x, first, near := newReader(args[0]), newReader(args[1]), newReader(args[2])
	rs, hasRestart := restartReader(args, 3)
	k := args[0].Kind
	if k == types.Unknown || k == types.Null {
		k = types.DateTime
	}
	vals := make([]int64, n)
	valid := make([]bool, n)
	for i := range vals {
		restart := hasRestart && rs.truthy(i)
		if !x.valid(i) {
			if restart {
				s.has = false
			}
			continue
		}
		v := x.int64At(i)
		if !s.has || restart ||
			(first.valid(i) && v-s.start > first.int64At(i)) ||
			(near.valid(i) && v-s.prev > near.int64At(i)) {
			s.start = v
			s.has = true
		}
		s.prev = v
		vals[i], valid[i] = s.start, true
	}
	return Datum{Array: buildInts(ctx.Mem, k, vals, valid), Kind: k}, nil
}
