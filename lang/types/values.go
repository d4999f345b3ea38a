package types

// Go representation of KQL scalar values.
//
// Every package that handles single KQL values outside Arrow arrays (the
// checker's constant folding, literals in the AST, kernels' slow paths,
// readers, output writers) uses these Go types:
//
//	kind       Go type   notes
//	bool       bool
//	int        int32
//	long       int64
//	real       float64   NaN and ±Inf allowed
//	decimal    float64   kqlhunt stores decimals as float64 (see DESIGN.md §3)
//	string     string    Kusto strings are never null: "" instead
//	datetime   int64     Unix nanoseconds, UTC (Kusto precision: 100 ns ticks)
//	timespan   int64     nanoseconds
//	guid       string    canonical lower-case hyphenated form (ParseGuid)
//	dynamic    any       nil | bool | int64 | float64 | string | []any | *Bag
//
// A null value of any kind is the Go value nil.

import (
	"errors"
	"strings"
)

// TicksPerSecond is the number of Kusto ticks (100 ns) in a second.
const TicksPerSecond = 10_000_000

// NanosPerTick is the number of nanoseconds in a Kusto tick.
const NanosPerTick = 100

// Duration constants in nanoseconds, for datetime and timespan arithmetic.
const (
	Tick        int64 = 100
	Microsecond int64 = 1000
	Millisecond int64 = 1000 * Microsecond
	Second      int64 = 1000 * Millisecond
	Minute      int64 = 60 * Second
	Hour        int64 = 60 * Minute
	Day         int64 = 24 * Hour
)

// ErrSyntax is wrapped by the parse errors of this package.
var ErrSyntax = errors.New("invalid syntax")

// ParseGuid parses a guid in any of the forms Kusto (.NET Guid.Parse)
// accepts — 32 hex digits, hyphenated 8-4-4-4-12, optionally in braces or
// parentheses — and returns the canonical lower-case hyphenated form.
func ParseGuid(s string) (string, error) {
	t := strings.TrimSpace(s)
	if len(t) >= 2 && ((t[0] == '{' && t[len(t)-1] == '}') || (t[0] == '(' && t[len(t)-1] == ')')) {
		t = t[1 : len(t)-1]
	}
	var hex [32]byte
	n := 0
	switch len(t) {
	case 32:
		for i := 0; i < 32; i++ {
			hex[i] = t[i]
		}
		n = 32
	case 36:
		for i := 0; i < 36; i++ {
			c := t[i]
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if c != '-' {
					return "", guidErr(s)
				}
				continue
			}
			hex[n] = c
			n++
		}
	default:
		return "", guidErr(s)
	}
	var b strings.Builder
	b.Grow(36)
	for i := 0; i < 32; i++ {
		c := hex[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			c += 'a' - 'A'
		default:
			return "", guidErr(s)
		}
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b.WriteByte('-')
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}

func guidErr(s string) error {
	return &ParseError{Kind: "guid", Input: s}
}

// ParseError reports a value that could not be parsed as a KQL kind.
type ParseError struct {
	Kind  string // "datetime", "timespan", "guid", "dynamic", ...
	Input string
	Msg   string // optional detail
	Off   int    // byte offset of the problem in Input (dynamic only), else 0
}

func (e *ParseError) Error() string {
	in := e.Input
	if len(in) > 60 {
		in = in[:57] + "..."
	}
	msg := "invalid " + e.Kind + " " + quoteForError(in)
	if e.Msg != "" {
		msg += ": " + e.Msg
	}
	return msg
}

func (e *ParseError) Unwrap() error { return ErrSyntax }

func quoteForError(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
