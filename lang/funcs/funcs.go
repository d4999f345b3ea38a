// Package funcs declares every KQL function kqlhunt knows: name, kind
// (scalar, aggregate, window, tabular plugin), overloads with stable IDs,
// result types and a documentation line. It is the single source of truth
// read by the checker, the engine (which binds kernels by overload ID in
// exec/kernels), REPL completion and docs/functions.md.
//
// Declarations live in one file per family (strings.go, datetime.go, ...),
// each registering its functions from an init function with Register.
package funcs

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Kind tells how a function is evaluated.
type Kind uint8

const (
	Scalar    Kind = iota // row by row (vectorised over batches)
	Aggregate             // in summarize / make-series / top-nested
	Window                // needs serialized input: prev, next, row_number, row_cumsum
	Plugin                // tabular: `evaluate name(...)`
	Tabular               // a function returning a table used as a source: range(), table(), materialize()
)

func (k Kind) String() string {
	return [...]string{"scalar", "aggregate", "window", "plugin", "tabular"}[k]
}

// Arg describes one parameter of an overload.
type Arg struct {
	Name     string
	Types    types.KindSet
	Optional bool // may be omitted (only trailing arguments)
	Const    bool // must be a constant (e.g. regex pattern, format string)
}

// Result computes an overload's result type from the argument kinds.
type Result func(args []types.Kind) types.Kind

// Fixed returns a Result that always yields k.
func Fixed(k types.Kind) Result { return func([]types.Kind) types.Kind { return k } }

// SameAs returns a Result that yields the kind of argument i.
func SameAs(i int) Result {
	return func(args []types.Kind) types.Kind {
		if i < len(args) {
			return args[i]
		}
		return types.Unknown
	}
}

// PromoteArgs yields the numeric promotion of the given arguments (all when none given).
func PromoteArgs(idx ...int) Result {
	return func(args []types.Kind) types.Kind {
		r := types.Null
		for i, a := range args {
			if len(idx) > 0 && !contains(idx, i) {
				continue
			}
			r = types.Promote(r, a)
		}
		if r == types.Null {
			return types.Unknown
		}
		return r
	}
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Overload is one signature of a function. ID is stable and unique across
// the registry (e.g. "strlen_string"); exec/kernels binds kernels by ID.
type Overload struct {
	ID       string
	Args     []Arg
	Variadic bool // the last Arg repeats (zero or more times if Optional, else one or more)
	Result   Result
}

// Func is a declared function.
type Func struct {
	Name      string
	Aliases   []string
	Kind      Kind
	Overloads []*Overload
	Doc       string // one line
	Example   string // optional
	// Resolve, when set, replaces signature matching (for functions whose
	// typing is not expressible as overloads, e.g. pack(k1, v1, k2, v2, ...)).
	Resolve func(args []types.Kind) (*Overload, types.Kind, error)
}

var (
	mu    sync.RWMutex
	byKey = map[string]*Func{}
	byID  = map[string]*Overload{}
)

// Register adds f to the registry. It panics on duplicate names or overload
// IDs: registrations are static program data, checked by tests.
func Register(f *Func) {
	mu.Lock()
	defer mu.Unlock()
	for _, n := range append([]string{f.Name}, f.Aliases...) {
		k := strings.ToLower(n)
		if _, dup := byKey[k]; dup {
			panic("funcs: duplicate function " + n)
		}
		byKey[k] = f
	}
	for _, o := range f.Overloads {
		if _, dup := byID[o.ID]; dup {
			panic("funcs: duplicate overload ID " + o.ID)
		}
		byID[o.ID] = o
	}
}

// Lookup finds a function by name. Kusto function names are case-sensitive
// lower case; Lookup is case-insensitive so the checker can suggest the right
// spelling — compare f.Name with the written name to detect a case mismatch.
func Lookup(name string) *Func {
	mu.RLock()
	defer mu.RUnlock()
	return byKey[strings.ToLower(name)]
}

// OverloadByID returns the overload with the given ID.
func OverloadByID(id string) *Overload {
	mu.RLock()
	defer mu.RUnlock()
	return byID[id]
}

// All returns every function sorted by name.
func All() []*Func {
	mu.RLock()
	defer mu.RUnlock()
	seen := map[*Func]bool{}
	var out []*Func
	for _, f := range byKey {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Match resolves a call with the given argument kinds to an overload and its
// result type. Arguments of kind Unknown (error recovery) or Null match any
// parameter. Numeric arguments widen (int → long → real) to match.
func (f *Func) Match(args []types.Kind) (*Overload, types.Kind, error) {
	if f.Resolve != nil {
		return f.Resolve(args)
	}
	var best *Overload
	bestCost := -1
	for _, o := range f.Overloads {
		c, ok := o.cost(args)
		if ok && (best == nil || c < bestCost) {
			best, bestCost = o, c
		}
	}
	if best == nil {
		return nil, types.Unknown, fmt.Errorf("%s", f.signatureError(args))
	}
	return best, best.Result(args), nil
}

func (o *Overload) argAt(i int) (Arg, bool) {
	if i < len(o.Args) {
		return o.Args[i], true
	}
	if o.Variadic && len(o.Args) > 0 {
		return o.Args[len(o.Args)-1], true
	}
	return Arg{}, false
}

// cost returns how many implicit widenings the call needs, or ok=false.
func (o *Overload) cost(args []types.Kind) (int, bool) {
	min := 0
	for _, a := range o.Args {
		if !a.Optional {
			min++
		}
	}
	if o.Variadic && len(o.Args) > 0 && o.Args[len(o.Args)-1].Optional {
		min = len(o.Args) - 1
	}
	if len(args) < min || (!o.Variadic && len(args) > len(o.Args)) {
		return 0, false
	}
	cost := 0
	for i, k := range args {
		a, ok := o.argAt(i)
		if !ok {
			return 0, false
		}
		if a.Types.Has(k) {
			continue
		}
		if w, ok := widen(k, a.Types); ok {
			cost += w
			continue
		}
		return 0, false
	}
	return cost, true
}

// widen reports whether kind k converts implicitly to a member of s.
func widen(k types.Kind, s types.KindSet) (int, bool) {
	switch k {
	case types.Int:
		if s.Has(types.Long) {
			return 1, true
		}
		if s.Has(types.Real) || s.Has(types.Decimal) {
			return 2, true
		}
	case types.Long:
		if s.Has(types.Real) || s.Has(types.Decimal) {
			return 2, true
		}
	case types.Decimal:
		if s.Has(types.Real) {
			return 1, true
		}
	case types.Dynamic:
		// dynamic values are accepted where a scalar is expected: Kusto
		// converts them at run time (e.g. strlen(d.name)).
		return 5, true
	}
	return 0, false
}

func (f *Func) signatureError(args []types.Kind) string {
	got := make([]string, len(args))
	for i, a := range args {
		got[i] = a.String()
	}
	return fmt.Sprintf("%s() does not take (%s); it takes %s", f.Name, strings.Join(got, ", "), f.Signatures())
}

// Signatures renders the overloads as `name(a:string, b:long) -> bool | ...`.
func (f *Func) Signatures() string {
	parts := make([]string, len(f.Overloads))
	for i, o := range f.Overloads {
		parts[i] = f.Name + o.String()
	}
	return strings.Join(parts, " | ")
}

// String renders an overload's parameter list.
func (o *Overload) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, a := range o.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		if a.Optional {
			b.WriteByte('[')
		}
		b.WriteString(a.Name)
		b.WriteByte(':')
		b.WriteString(a.Types.String())
		if o.Variadic && i == len(o.Args)-1 {
			b.WriteString(", ...")
		}
		if a.Optional {
			b.WriteByte(']')
		}
	}
	b.WriteByte(')')
	return b.String()
}
