package ops

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ParseKVSpec configures parse-kv.
type ParseKVSpec struct {
	Col   int       // source column, or -1 with Eval
	Eval  ValueEval // source expression
	Keys  []string  // extracted keys = output column names
	Types []types.Kind
	// with (...) properties; all empty: the default mode (keys found in
	// free text, followed by ':' or '=').
	PairDelim string
	KVDelim   string
	Quote     string // quote characters
	Escape    string // escape characters
	Greedy    bool
	Regex     string // regex with two groups: key, value
}

// ParseKV is the parse-kv operator.
type ParseKV struct {
	kctx   *kernels.Ctx
	in     Operator
	spec   ParseKVSpec
	re     *regexp.Regexp
	schema *arrow.Schema
	outPos []int
	srcCol []int
	want   map[string]int
}

// NewParseKV returns the parse-kv operator.
func NewParseKV(kctx *kernels.Ctx, in Operator, spec ParseKVSpec) (*ParseKV, error) {
	if spec.Col < 0 && spec.Eval == nil {
		return nil, fmt.Errorf("parse-kv: no source expression")
	}
	p := &ParseKV{kctx: kctx, in: in, spec: spec, want: map[string]int{}}
	if spec.Regex != "" {
		re, err := regexp.Compile(spec.Regex)
		if err != nil {
			return nil, fmt.Errorf("parse-kv: bad regex: %v", err)
		}
		if re.NumSubexp() < 2 {
			return nil, fmt.Errorf("parse-kv: the regex needs two capture groups (key, value)")
		}
		p.re = re
	}
	cols := make([]ParsePartSpec, len(spec.Keys))
	for i, k := range spec.Keys {
		cols[i] = ParsePartSpec{Name: k, Type: spec.Types[i]}
		p.want[k] = i
	}
	p.schema, p.outPos, p.srcCol = ParseSchema(in.Schema(), cols)
	return p, nil
}

// Schema implements Operator.
func (p *ParseKV) Schema() *arrow.Schema { return p.schema }

// Close implements Operator.
func (p *ParseKV) Close() { p.in.Close() }

// Next implements Operator.
func (p *ParseKV) Next(ctx context.Context) (arrow.Record, error) {
	rec, err := p.in.Next(ctx)
	if err != nil || rec == nil {
		return nil, err
	}
	defer rec.Release()
	n := int(rec.NumRows())
	mem := p.kctx.Mem
	var src arrow.Array
	var srcKind types.Kind
	if p.spec.Col >= 0 {
		src = rec.Column(p.spec.Col)
		src.Retain()
		srcKind = fieldKind(rec.Schema(), p.spec.Col)
	} else {
		kc := *p.kctx
		d, err := p.spec.Eval.Eval(&kc, rec)
		if err != nil {
			return nil, err
		}
		src = datumArray(mem, d, n)
		srcKind = d.Kind
		d.Release()
	}
	defer src.Release()
	builders := make([]array.Builder, len(p.spec.Keys))
	for i, pos := range p.outPos {
		builders[i] = array.NewBuilder(mem, p.schema.Field(pos).Type)
	}
	vals := make([]string, len(p.spec.Keys))
	found := make([]bool, len(p.spec.Keys))
	for r := 0; r < n; r++ {
		for i := range found {
			found[i], vals[i] = false, ""
		}
		if !src.IsNull(r) {
			p.extract(sourceText(src, srcKind, r), vals, found)
		}
		for i, k := range p.spec.Types {
			switch {
			case !found[i] && (k == types.String || k == types.Unknown):
				builders[i].(*array.StringBuilder).Append("")
			case !found[i]:
				builders[i].AppendNull()
			case k == types.Guid:
				if g, err := types.ParseGuid(vals[i]); err == nil {
					builders[i].(*array.StringBuilder).Append(g)
				} else {
					builders[i].AppendNull()
				}
			case k == types.Dynamic:
				if v, err := types.ParseDynamic(vals[i]); err == nil && v != nil {
					builders[i].(*array.StringBuilder).Append(types.FormatDynamic(v))
				} else {
					builders[i].(*array.StringBuilder).Append(types.FormatDynamic(vals[i]))
				}
			default:
				appendText(builders[i], k, strings.TrimSpace(vals[i]))
			}
		}
	}
	cols := make([]arrow.Array, p.schema.NumFields())
	for c, s := range p.srcCol {
		if s >= 0 {
			cols[c] = rec.Column(s)
			cols[c].Retain()
		}
	}
	for i, pos := range p.outPos {
		cols[pos] = builders[i].NewArray()
		builders[i].Release()
	}
	return newRecord(p.schema, cols, n), nil
}

// set records the value of key k (first occurrence wins).
func (p *ParseKV) set(k, v string, vals []string, found []bool) {
	if i, ok := p.want[k]; ok && !found[i] {
		vals[i], found[i] = v, true
	}
}

func (p *ParseKV) extract(text string, vals []string, found []bool) {
	switch {
	case p.re != nil:
		for _, m := range p.re.FindAllStringSubmatch(text, -1) {
			p.set(strings.TrimSpace(m[1]), p.unquote(strings.TrimSpace(m[2])), vals, found)
		}
	case p.spec.PairDelim != "" || p.spec.KVDelim != "":
		pd, kd := p.spec.PairDelim, p.spec.KVDelim
		if pd == "" {
			pd = " "
		}
		if kd == "" {
			kd = "="
		}
		pairs := p.splitQuoted(text, pd)
		curKey := ""
		for _, pair := range pairs {
			i := strings.Index(pair, kd)
			if i < 0 || p.inQuoteAt(pair, i) {
				if p.spec.Greedy && curKey != "" {
					if j, ok := p.want[curKey]; ok && found[j] {
						vals[j] += pd + p.unquote(pair)
					}
				}
				continue
			}
			curKey = strings.TrimSpace(pair[:i])
			v := pair[i+len(kd):]
			if !p.spec.Greedy {
				v = strings.TrimSpace(v)
			}
			p.set(curKey, p.unquote(v), vals, found)
		}
	default:
		p.freeText(text, vals, found)
	}
}

// freeText finds each wanted key followed by ':' or '=' in free text; the
// value runs to the next whitespace, ',' or ';' (or is quoted).
func (p *ParseKV) freeText(text string, vals []string, found []bool) {
	for k, idx := range p.want {
		if found[idx] || k == "" {
			continue
		}
		from := 0
		for from < len(text) {
			j := strings.Index(text[from:], k)
			if j < 0 {
				break
			}
			start := from + j
			end := start + len(k)
			from = start + 1
			if start > 0 && isWordByte(text[start-1]) {
				continue
			}
			e := end
			for e < len(text) && text[e] == ' ' {
				e++
			}
			if e >= len(text) || (text[e] != ':' && text[e] != '=') {
				continue
			}
			e++
			for e < len(text) && text[e] == ' ' {
				e++
			}
			v, _ := p.readValue(text[e:], " \t\r\n,;")
			vals[idx], found[idx] = v, true
			break
		}
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// readValue reads a (possibly quoted) value up to one of stops.
func (p *ParseKV) readValue(s, stops string) (string, int) {
	if s != "" && p.spec.Quote != "" && strings.IndexByte(p.spec.Quote, s[0]) >= 0 {
		q := s[0]
		var sb strings.Builder
		for i := 1; i < len(s); i++ {
			c := s[i]
			if p.spec.Escape != "" && strings.IndexByte(p.spec.Escape, c) >= 0 && i+1 < len(s) {
				i++
				sb.WriteByte(s[i])
				continue
			}
			if c == q {
				return sb.String(), i + 1
			}
			sb.WriteByte(c)
		}
		return sb.String(), len(s)
	}
	i := strings.IndexAny(s, stops)
	if i < 0 {
		return s, len(s)
	}
	return s[:i], i
}

// splitQuoted splits s at delim outside quotes.
func (p *ParseKV) splitQuoted(s, delim string) []string {
	var out []string
	start := 0
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if q != 0 {
			if p.spec.Escape != "" && strings.IndexByte(p.spec.Escape, c) >= 0 {
				i++
				continue
			}
			if c == q {
				q = 0
			}
			continue
		}
		if p.spec.Quote != "" && strings.IndexByte(p.spec.Quote, c) >= 0 {
			q = c
			continue
		}
		if strings.HasPrefix(s[i:], delim) {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + len(delim)
			i += len(delim) - 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// inQuoteAt reports whether byte i of s is inside quotes.
func (p *ParseKV) inQuoteAt(s string, i int) bool {
	if p.spec.Quote == "" {
		return false
	}
	var q byte
	for j := 0; j < i; j++ {
		c := s[j]
		if q != 0 {
			if p.spec.Escape != "" && strings.IndexByte(p.spec.Escape, c) >= 0 {
				j++
				continue
			}
			if c == q {
				q = 0
			}
			continue
		}
		if strings.IndexByte(p.spec.Quote, c) >= 0 {
			q = c
		}
	}
	return q != 0
}

// unquote removes surrounding quotes and escapes from a value.
func (p *ParseKV) unquote(v string) string {
	if v != "" && p.spec.Quote != "" && strings.IndexByte(p.spec.Quote, v[0]) >= 0 {
		s, _ := p.readValue(v, "")
		return s
	}
	return v
}
