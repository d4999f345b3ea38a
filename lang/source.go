package lang

import (
	"sort"
	"unicode/utf8"
)

// Span is a half-open range of byte offsets [Start, End) into a Source.
type Span struct {
	Start, End int
}

// Join returns the smallest span covering a and b.
func (a Span) Join(b Span) Span {
	if a == (Span{}) {
		return b
	}
	if b == (Span{}) {
		return a
	}
	s := a
	if b.Start < s.Start {
		s.Start = b.Start
	}
	if b.End > s.End {
		s.End = b.End
	}
	return s
}

// Source is a named query text with a lazily built line index.
type Source struct {
	Name  string
	Text  string
	lines []int // byte offset of the start of each line
}

// NewSource returns a Source for text; name is used in rendered diagnostics.
func NewSource(name, text string) *Source {
	return &Source{Name: name, Text: text}
}

func (s *Source) index() {
	if s.lines != nil {
		return
	}
	s.lines = []int{0}
	for i := 0; i < len(s.Text); i++ {
		if s.Text[i] == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
}

// Position returns the 1-based line and column (in characters) of byte offset off.
func (s *Source) Position(off int) (line, col int) {
	s.index()
	if off < 0 {
		off = 0
	}
	if off > len(s.Text) {
		off = len(s.Text)
	}
	i := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off }) - 1
	start := s.lines[i]
	return i + 1, utf8.RuneCountInString(s.Text[start:off]) + 1
}

// Offset returns the byte offset of a 1-based line and column, clamped to the text.
func (s *Source) Offset(line, col int) int {
	s.index()
	if line < 1 {
		return 0
	}
	if line > len(s.lines) {
		return len(s.Text)
	}
	off := s.lines[line-1]
	for c := 1; c < col && off < len(s.Text) && s.Text[off] != '\n'; c++ {
		_, w := utf8.DecodeRuneInString(s.Text[off:])
		off += w
	}
	return off
}

// Line returns the text of 1-based line n without its line terminator.
func (s *Source) Line(n int) string {
	s.index()
	if n < 1 || n > len(s.lines) {
		return ""
	}
	start := s.lines[n-1]
	end := len(s.Text)
	if n < len(s.lines) {
		end = s.lines[n] - 1
	}
	if end > start && s.Text[end-1] == '\r' {
		end--
	}
	return s.Text[start:end]
}
