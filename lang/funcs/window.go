package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// Window functions (Kind Window) are evaluated over serialized rows in
// order (after serialize, sort/order by, top, or a serialized source). The
// checker must reject them elsewhere. Their kernels (exec/kernels/window.go)
// are scalar kernels over a batch that is the whole serialized input, or
// stateful kernels (kernels.WindowState) fed the batches in order.
func init() {
	restart := Arg{Name: "restart", Types: types.Set(types.Bool), Optional: true}
	offset := Arg{Name: "offset", Types: types.Integral, Optional: true, Const: true}
	fs := []*Func{
		{Name: "row_number", Kind: Window,
			Doc:     "Row number in the serialized row set, from start (default 1), starting again at start where restart is true.",
			Example: "T | serialize | extend rn = row_number()",
			Overloads: []*Overload{{ID: "row_number", Result: Fixed(types.Long), Args: []Arg{
				{Name: "start", Types: types.Integral, Optional: true, Const: true}, restart}}}},
		{Name: "row_cumsum", Kind: Window,
			Doc: "Cumulative sum of term over the serialized rows, set back to zero where restart is true.",
			Overloads: []*Overload{{ID: "row_cumsum", Result: sumKind, Args: []Arg{
				{Name: "term", Types: types.Numeric | types.Set(types.TimeSpan)}, restart}}}},
		{Name: "prev", Kind: Window,
			Doc: "Value of column in the row offset (default 1) rows before the current one, or default (null) outside the row set.",
			Overloads: []*Overload{{ID: "prev", Result: SameAs(0), Args: []Arg{
				{Name: "column", Types: types.AnyScalar}, offset, {Name: "default", Types: types.AnyScalar, Optional: true}}}}},
		{Name: "next", Kind: Window,
			Doc: "Value of column in the row offset (default 1) rows after the current one, or default (null) outside the row set.",
			Overloads: []*Overload{{ID: "next", Result: SameAs(0), Args: []Arg{
				{Name: "column", Types: types.AnyScalar}, offset, {Name: "default", Types: types.AnyScalar, Optional: true}}}}},
		{Name: "row_rank_dense", Kind: Window,
			Doc: "Dense rank of term among the serialized rows (1 + number of earlier changes of value), starting again where restart is true.",
			Overloads: []*Overload{{ID: "row_rank_dense", Result: Fixed(types.Long), Args: []Arg{
				{Name: "term", Types: types.AnyScalar}, restart}}}},
		{Name: "row_rank_min", Kind: Window,
			Doc: "Minimal rank of term among the serialized rows (row number of the first row with an equal value), starting again where restart is true.",
			Overloads: []*Overload{{ID: "row_rank_min", Result: Fixed(types.Long), Args: []Arg{
				{Name: "term", Types: types.AnyScalar}, restart}}}},
		{Name: "row_window_session", Kind: Window,
			Doc: "Start of the session the row belongs to: a session starts at the first row, when expr is more than maxDistanceFromFirst after the session start, more than maxDistanceBetweenNeighbors after the previous row, or where restart is true.",
			Overloads: []*Overload{{ID: "row_window_session", Result: SameAs(0), Args: []Arg{
				{Name: "expr", Types: types.Set(types.DateTime)},
				{Name: "maxDistanceFromFirst", Types: types.Set(types.TimeSpan)},
				{Name: "maxDistanceBetweenNeighbors", Types: types.Set(types.TimeSpan)},
				restart}}}},
	}
	for _, f := range fs {
		Register(f)
	}
}
