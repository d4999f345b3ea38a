package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/funcs"
)

// tabularOperators are offered after '|'.
var tabularOperators = []string{
	"as", "consume", "count", "distinct", "evaluate", "extend", "facet", "fork", "getschema", "invoke", "join", "limit",
	"lookup", "make-series", "mv-apply", "mv-expand", "order by", "parse", "parse-kv", "parse-where", "partition",
	"project", "project-away", "project-keep", "project-rename", "project-reorder", "render", "sample",
	"sample-distinct", "scan", "search", "serialize", "sort by", "summarize", "take", "top", "top-hitters",
	"top-nested", "union", "where",
}

var dotCommands = []string{".help", ".tables", ".schema", ".load", ".format", ".timing", ".set now", ".save", ".packs", ".run", ".chart", ".quit"}

func kindOf(f arrow.Field) string { return kernels.KindOf(f).String() }

// completer implements readline.AutoCompleter.
type completer struct{ r *repl }

// Do returns the completions of the word before pos, as suffixes.
func (c *completer) Do(line []rune, pos int) ([][]rune, int) {
	before := string(line[:pos])
	prefix := wordBefore(before)
	if t := strings.TrimLeft(before, " \t"); len(c.r.pending) == 0 && (strings.HasPrefix(t, ".run ") || strings.HasPrefix(t, ".packs ")) {
		prefix = before[strings.LastIndexAny(before, " \t")+1:] // hunt ids hold '/'
	}
	full := strings.Join(append(append([]string{}, c.r.pending...), before), "\n")
	if c.r.hint != nil {
		if sig := callSignature(full[:len(full)-len(prefix)]); sig != "" {
			fmt.Fprintln(c.r.hint, sig)
			if prefix == "" {
				return nil, 0 // the signature is the help; no list of every name
			}
		}
	}
	var out [][]rune
	for _, cand := range c.r.candidates(full, prefix) {
		if strings.HasPrefix(cand, prefix) && cand != prefix {
			out = append(out, []rune(cand[len(prefix):]))
		}
	}
	return out, len([]rune(prefix))
}

// wordBefore is the identifier (or dot command) being typed at the end of s.
func wordBefore(s string) string {
	i := len(s)
	for i > 0 {
		ch := s[i-1]
		if ch == '_' || ch == '-' || ch == '.' && strings.TrimSpace(s[:i-1]) == "" || ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' {
			i--
			continue
		}
		break
	}
	return s[i:]
}

// candidates lists what may be typed at the end of text (a query being
// written; the last word is the prefix).
func (r *repl) candidates(text, prefix string) []string {
	head := strings.TrimRight(text[:len(text)-len(prefix)], " \t\n")
	switch trimmed := strings.TrimSpace(text); {
	case strings.HasPrefix(trimmed, ".run ") || strings.HasPrefix(trimmed, ".packs "):
		return r.huntIDs(strings.HasPrefix(trimmed, ".packs "))
	case strings.HasPrefix(trimmed, ".schema "):
		return r.cat.Names()
	case strings.HasPrefix(trimmed, "."):
		return dotCommands
	case head == "" || strings.HasSuffix(head, ";"):
		return r.cat.Names()
	case strings.HasSuffix(head, "|"):
		return tabularOperators
	}
	var out []string
	if i := lastPipe(head); i > 0 {
		out = append(out, r.pipelineColumns(head[:i])...)
	} else if strings.HasSuffix(head, "join") || strings.HasSuffix(head, "union") || strings.HasSuffix(head, "lookup") || strings.HasSuffix(head, "(") {
		out = append(out, r.cat.Names()...)
	}
	for _, f := range funcs.All() {
		if !strings.HasPrefix(f.Name, "__") && !strings.Contains(f.Name, " ") {
			out = append(out, f.Name+"(")
		}
	}
	sort.Strings(out)
	return out
}

// callSignature returns the signatures of the function whose argument list
// is open at the end of text (`where strlen(` → "strlen(s:string) -> long"),
// or "" when the cursor is not inside a known function's call.
func callSignature(text string) string {
	var quote byte
	var stack []int
	for i := 0; i < len(text); i++ {
		c := text[i]
		if quote != 0 {
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case '(', '[', '{':
			stack = append(stack, i)
		case ')', ']', '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if quote != 0 || len(stack) == 0 {
		return ""
	}
	open := stack[len(stack)-1]
	if text[open] != '(' {
		return ""
	}
	name := wordBefore(strings.TrimRight(text[:open], " \t"))
	if name == "" || strings.HasPrefix(name, "__") {
		return ""
	}
	f := funcs.Lookup(name)
	if f == nil {
		return ""
	}
	return f.Signatures()
}

// lastPipe is the index of the last '|' outside brackets and strings, or -1.
func lastPipe(s string) int {
	depth, last := 0, -1
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			quote = c
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '|':
			if depth == 0 {
				last = i
			}
		}
	}
	return last
}

// pipelineColumns returns the output columns of a partial pipeline, by
// checking it (no data is read).
func (r *repl) pipelineColumns(query string) []string {
	q, err := engine.Prepare(context.Background(), lang.NewSource("completion", query), engine.Options{Catalog: r.cat, Now: r.now})
	if err != nil {
		return nil
	}
	defer q.Close()
	var out []string
	for _, f := range q.Schema().Fields() {
		out = append(out, f.Name)
	}
	return out
}

// huntIDs lists the library's hunt ids (or pack ids) for completion.
func (r *repl) huntIDs(packs bool) []string {
	lib, err := r.library()
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range lib.Packs {
		if packs {
			out = append(out, p.ID)
			continue
		}
		for _, h := range p.Hunts {
			out = append(out, h.ID)
		}
	}
	return out
}
