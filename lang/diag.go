package lang

import (
	"fmt"
	"sort"
	"strings"
)

// Severity of a diagnostic.
type Severity int

const (
	SevError Severity = iota
	SevWarning
	SevInfo
)

func (s Severity) String() string {
	switch s {
	case SevWarning:
		return "warning"
	case SevInfo:
		return "info"
	}
	return "error"
}

// Diagnostic is one positioned message about a query.
type Diagnostic struct {
	Span     Span
	Severity Severity
	Code     string // stable identifier, e.g. "syntax", "unknown-column"
	Msg      string // in words a hunter understands
	Hint     string // optional: "did you mean ActionType?"
}

// List is a list of diagnostics. Its Err method is nil when it holds no errors.
type List []Diagnostic

// Add appends a diagnostic.
func (l *List) Add(d Diagnostic) { *l = append(*l, d) }

// Errorf appends an error at span.
func (l *List) Errorf(sp Span, code, format string, args ...any) {
	l.Add(Diagnostic{Span: sp, Severity: SevError, Code: code, Msg: fmt.Sprintf(format, args...)})
}

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == SevError {
			return true
		}
	}
	return false
}

// Sort orders diagnostics by position and removes exact duplicates.
func (l *List) Sort() {
	s := *l
	sort.SliceStable(s, func(i, j int) bool { return s[i].Span.Start < s[j].Span.Start })
	out := s[:0]
	for i, d := range s {
		if i > 0 && d.Span == s[i-1].Span && d.Msg == s[i-1].Msg {
			continue
		}
		out = append(out, d)
	}
	*l = out
}

// Render formats diagnostics against src: `NAME:LINE:COL: severity: msg`, the
// source line, a caret under the column, and the hint if any. At most max
// diagnostics are printed (0 = all), followed by "N more errors".
func (l List) Render(src *Source, max int) string {
	var b strings.Builder
	for i, d := range l {
		if max > 0 && i == max {
			fmt.Fprintf(&b, "%d more errors\n", len(l)-max)
			break
		}
		b.WriteString(d.Render(src))
	}
	return b.String()
}

// Render formats one diagnostic against src.
func (d Diagnostic) Render(src *Source) string {
	var b strings.Builder
	name := "query"
	if src != nil && src.Name != "" {
		name = src.Name
	}
	line, col := 1, 1
	if src != nil {
		line, col = src.Position(d.Span.Start)
	}
	sev := ""
	if d.Severity != SevError {
		sev = d.Severity.String() + ": "
	}
	fmt.Fprintf(&b, "%s:%d:%d: %s%s\n", name, line, col, sev, d.Msg)
	if src != nil {
		text := src.Line(line)
		if strings.TrimSpace(text) != "" {
			b.WriteString("    ")
			b.WriteString(strings.ReplaceAll(text, "\t", " "))
			b.WriteString("\n    ")
			b.WriteString(strings.Repeat(" ", col-1))
			b.WriteString("^\n")
		}
	}
	if d.Hint != "" {
		fmt.Fprintf(&b, "    %s\n", d.Hint)
	}
	return b.String()
}

// Error wraps a diagnostic list with its source so it can travel as an error value.
type Error struct {
	Src   *Source
	Diags List
}

func (e *Error) Error() string { return strings.TrimRight(e.Diags.Render(e.Src, 10), "\n") }

// Err returns nil when l holds no errors, else an *Error.
func (l List) Err(src *Source) error {
	if !l.HasErrors() {
		return nil
	}
	return &Error{Src: src, Diags: l}
}
