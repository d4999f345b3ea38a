package ops

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ParsePartSpec is one element of a parse pattern: a literal (IsLiteral),
// `*` (Star), or a column Name of Type (Unknown = string).
type ParsePartSpec struct {
	IsLiteral bool
	Literal   string
	Star      bool
	Name      string
	Type      types.Kind
}

// ParseSpec configures parse / parse-where.
type ParseSpec struct {
	Kind  string // simple (default), regex, relaxed
	Flags string // regex flags for kind=regex (U, m, s, i)
	Where bool   // parse-where: drop rows that do not parse
	Parts []ParsePartSpec
	Col   int       // source column, or -1 with Eval
	Eval  ValueEval // source expression
}

// ParseOp is the parse and parse-where operator.
type ParseOp struct {
	mem    memory.Allocator
	kctx   *kernels.Ctx
	in     Operator
	spec   ParseSpec
	re     *regexp.Regexp
	cols   []ParsePartSpec // extracted columns in order
	outPos []int
	srcCol []int
	schema *arrow.Schema
}

// ParseSchema is the output schema of parse: the input columns, then each
// extracted column (replacing an input column of the same name in place).
func ParseSchema(in *arrow.Schema, cols []ParsePartSpec) (*arrow.Schema, []int, []int) {
	fs := append([]arrow.Field(nil), in.Fields()...)
	src := make([]int, len(fs))
	for i := range src {
		src[i] = i
	}
	pos := make([]int, len(cols))
	for i, c := range cols {
		k := c.Type
		if k == types.Unknown {
			k = types.String
		}
		f := kernels.Field(c.Name, k)
		idx := -1
		for j, g := range fs {
			if g.Name == c.Name {
				idx = j
			}
		}
		if idx >= 0 {
			fs[idx], src[idx], pos[i] = f, -1, idx
		} else {
			fs = append(fs, f)
			src = append(src, -1)
			pos[i] = len(fs) - 1
		}
	}
	return arrow.NewSchema(fs, nil), pos, src
}

// ParseRegexp builds the regular expression a parse pattern stands for.
func ParseRegexp(kind, flags string, parts []ParsePartSpec) (*regexp.Regexp, error) {
	var sb strings.Builder
	kind = strings.ToLower(kind)
	switch kind {
	case "", "simple", "relaxed", "regex":
	default:
		return nil, fmt.Errorf("parse: unknown kind %q", kind)
	}
	regex := kind == "regex"
	if regex {
		if flags != "" {
			sb.WriteString("(?" + flags + ")")
		}
	} else {
		sb.WriteString("(?s)^")
	}
	for pi, p := range parts {
		// a numeric column uses its typed sub-pattern, except in relaxed
		// mode before a literal (where a bad value must not fail the match)
		typed := kind != "relaxed" || pi == len(parts)-1 || parts[pi+1].Star
		switch {
		case p.IsLiteral:
			if regex {
				sb.WriteString("(?:" + p.Literal + ")")
			} else {
				sb.WriteString(regexp.QuoteMeta(p.Literal))
			}
		case p.Star:
			if regex {
				sb.WriteString(".*")
			} else {
				sb.WriteString(".*?")
			}
		default:
			switch {
			case (p.Type == types.Long || p.Type == types.Int) && typed:
				sb.WriteString(`(-?\d+)`)
			case (p.Type == types.Real || p.Type == types.Decimal) && typed:
				sb.WriteString(`(-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)`)
			case regex:
				sb.WriteString("(.*)")
			default:
				sb.WriteString("(.*?)")
			}
		}
	}
	if !regex {
		sb.WriteString("$")
	}
	return regexp.Compile(sb.String())
}

// NewParse returns the parse (or parse-where) operator.
func NewParse(kctx *kernels.Ctx, in Operator, spec ParseSpec) (*ParseOp, error) {
	re, err := ParseRegexp(spec.Kind, spec.Flags, spec.Parts)
	if err != nil {
		return nil, err
	}
	if spec.Col < 0 && spec.Eval == nil {
		return nil, fmt.Errorf("parse: no source expression")
	}
	var cols []ParsePartSpec
	for _, p := range spec.Parts {
		if !p.IsLiteral && !p.Star {
			cols = append(cols, p)
		}
	}
	s, pos, src := ParseSchema(in.Schema(), cols)
	return &ParseOp{mem: kctx.Mem, kctx: kctx, in: in, spec: spec, re: re, cols: cols, outPos: pos, srcCol: src, schema: s}, nil
}

// Schema implements Operator.
func (p *ParseOp) Schema() *arrow.Schema { return p.schema }

// Close implements Operator.
func (p *ParseOp) Close() { p.in.Close() }

// sourceStrings returns the parsed expression as text per row.
func sourceText(a arrow.Array, k types.Kind, r int) string {
	if s, ok := a.(*array.String); ok {
		v := s.Value(r)
		if k == types.Dynamic && len(v) > 1 && v[0] == '"' {
			// tostring() of a dynamic string is its bare text
			if d, err := types.ParseDynamic(v); err == nil {
				if str, ok := d.(string); ok {
					return str
				}
			}
		}
		return v
	}
	if a.IsNull(r) {
		return ""
	}
	switch x := a.(type) {
	case *array.Timestamp:
		return types.FormatDateTime(int64(x.Value(r)))
	case *array.Duration:
		return types.FormatTimeSpan(int64(x.Value(r)))
	case *array.Float64:
		return types.FormatReal(x.Value(r))
	}
	return a.ValueStr(r)
}

// Next implements Operator.
func (p *ParseOp) Next(ctx context.Context) (arrow.Record, error) {
	for {
		rec, err := p.in.Next(ctx)
		if err != nil || rec == nil {
			return nil, err
		}
		out, err := p.apply(rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
		if out.NumRows() == 0 && p.spec.Where {
			out.Release()
			continue
		}
		return out, nil
	}
}

func (p *ParseOp) apply(rec arrow.Record) (arrow.Record, error) {
	n := int(rec.NumRows())
	var srcArr arrow.Array
	var srcKind types.Kind
	if p.spec.Col >= 0 {
		srcArr = rec.Column(p.spec.Col)
		srcArr.Retain()
		srcKind = fieldKind(rec.Schema(), p.spec.Col)
	} else {
		kc := *p.kctx
		d, err := p.spec.Eval.Eval(&kc, rec)
		if err != nil {
			return nil, err
		}
		srcArr = datumArray(p.mem, d, n)
		srcKind = d.Kind
		d.Release()
	}
	defer srcArr.Release()

	builders := make([]array.Builder, len(p.cols))
	for i, pos := range p.outPos {
		builders[i] = array.NewBuilder(p.mem, p.schema.Field(pos).Type)
	}
	defer func() {
		for _, b := range builders {
			b.Release()
		}
	}()
	relaxed := strings.EqualFold(p.spec.Kind, "relaxed")
	vals := make([]any, len(p.cols))
	var keep []int32
	for r := 0; r < n; r++ {
		text := sourceText(srcArr, srcKind, r)
		m := p.re.FindStringSubmatchIndex(text)
		ok := m != nil
		if ok {
			for i, c := range p.cols {
				g := text[m[2*(i+1)]:m[2*(i+1)+1]]
				if m[2*(i+1)] < 0 {
					g = ""
				}
				switch c.Type {
				case types.Unknown, types.String:
					vals[i] = g
				case types.Dynamic:
					if v, err := types.ParseDynamic(g); err == nil {
						vals[i] = types.FormatDynamic(v)
					} else {
						vals[i] = types.FormatDynamic(g)
					}
				case types.Guid:
					if v, err := types.ParseGuid(g); err == nil {
						vals[i] = v
					} else {
						vals[i] = nil
					}
				default:
					v, good := convertText(c.Type, g)
					if !good {
						v = nil
						if !relaxed {
							ok = false
						}
					}
					vals[i] = v
				}
			}
		}
		if !ok {
			if p.spec.Where {
				continue
			}
			for i, c := range p.cols {
				if c.Type == types.Unknown || c.Type == types.String {
					vals[i] = "" // strings are never null
				} else {
					vals[i] = nil
				}
			}
		}
		keep = append(keep, int32(r))
		for i, v := range vals {
			if v == nil && (p.cols[i].Type == types.Guid) {
				builders[i].AppendNull()
				continue
			}
			appendValue(builders[i], v)
		}
	}
	cols := make([]arrow.Array, p.schema.NumFields())
	for c, src := range p.srcCol {
		if src >= 0 {
			if len(keep) == n {
				cols[c] = rec.Column(src)
				cols[c].Retain()
			} else {
				cols[c] = takeArray(p.mem, rec.Column(src), keep)
			}
		}
	}
	for i, pos := range p.outPos {
		cols[pos] = builders[i].NewArray()
	}
	return newRecord(p.schema, cols, len(keep)), nil
}
