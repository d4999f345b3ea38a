package mail

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// parsePyLiteral parses a Python literal as repr() writes it (the
// Outlook Activities retriever writes CustomProperties with str(dict)):
// dicts, lists, tuples, 'single' and "double" quoted strings with
// backslash escapes, numbers, True, False and None. Dicts become bags.
func parsePyLiteral(s string) (any, error) {
	p := &pyParser{s: s}
	p.ws()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.fail("unexpected text after the value")
	}
	return v, nil
}

type pyParser struct {
	s string
	i int
}

func (p *pyParser) fail(msg string) error {
	return fmt.Errorf("Python literal, offset %d: %s", p.i, msg)
}

func (p *pyParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *pyParser) value(depth int) (any, error) {
	if depth > 64 {
		return nil, p.fail("nested too deeply")
	}
	if p.i >= len(p.s) {
		return nil, p.fail("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		b := types.NewBag(8)
		for {
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return b, nil
			}
			k, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, p.fail("expected ':'")
			}
			p.i++
			p.ws()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			key, ok := k.(string)
			if !ok {
				key = types.FormatDynamic(k)
			}
			b.Set(key, v)
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return b, nil
			}
			return nil, p.fail("expected ',' or '}'")
		}
	case c == '[' || c == '(':
		end := byte(']')
		if c == '(' {
			end = ')'
		}
		p.i++
		out := []any{}
		for {
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == end {
				p.i++
				return out, nil
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == end {
				p.i++
				return out, nil
			}
			return nil, p.fail(fmt.Sprintf("expected ',' or '%c'", end))
		}
	case c == '\'' || c == '"':
		return p.str()
	case c == 'u' || c == 'b' || c == 'r':
		if p.i+1 < len(p.s) && (p.s[p.i+1] == '\'' || p.s[p.i+1] == '"') {
			p.i++
			return p.str()
		}
	}
	for _, w := range []struct {
		word string
		v    any
	}{{"True", true}, {"False", false}, {"None", nil}} {
		if strings.HasPrefix(p.s[p.i:], w.word) {
			p.i += len(w.word)
			return w.v, nil
		}
	}
	start := p.i
	for p.i < len(p.s) && strings.IndexByte("+-0123456789.eE", p.s[p.i]) >= 0 {
		p.i++
	}
	num := p.s[start:p.i]
	if num == "" {
		return nil, p.fail("unexpected character")
	}
	if n, err := strconv.ParseInt(num, 10, 64); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(num, 64); err == nil {
		return f, nil
	}
	return nil, p.fail("bad number " + strconv.Quote(num))
}

func (p *pyParser) str() (any, error) {
	q := p.s[p.i]
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), nil
		case c == '\\' && p.i+1 < len(p.s):
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '\\', '\'', '"':
				b.WriteByte(e)
			case '0':
				b.WriteByte(0)
			case 'x', 'u', 'U':
				n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
				if p.i+n > len(p.s) {
					return nil, p.fail("short \\" + string(e) + " escape")
				}
				r, err := strconv.ParseUint(p.s[p.i:p.i+n], 16, 32)
				if err != nil {
					return nil, p.fail("bad \\" + string(e) + " escape")
				}
				p.i += n
				b.WriteRune(rune(r))
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			_, size := utf8.DecodeRuneInString(p.s[p.i:])
			b.WriteString(p.s[p.i : p.i+size])
			p.i += size
		}
	}
	return nil, p.fail("unterminated string")
}
