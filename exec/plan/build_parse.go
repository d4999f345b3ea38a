package plan

import (
	"fmt"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
)

func init() {
	RegisterOp("parse", buildParse)
	RegisterOp("parse-where", buildParse)
}

func buildParse(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	p := op.(*ast.Parse)
	spec := ops.ParseSpec{Where: p.Where, Col: -1}
	if o := check.FindOption(p.Options, "kind"); o != nil {
		spec.Kind = strings.ToLower(check.OptionText(o.Value))
	}
	if o := check.FindOption(p.Options, "flags"); o != nil {
		spec.Flags = check.OptionText(o.Value)
	}
	for _, part := range p.Pattern {
		switch {
		case part.Star:
			spec.Parts = append(spec.Parts, ops.ParsePartSpec{Star: true})
		case part.Literal != nil:
			s, ok := part.Literal.Value.(string)
			if !ok {
				s = fmt.Sprint(part.Literal.Value)
			}
			spec.Parts = append(spec.Parts, ops.ParsePartSpec{IsLiteral: true, Literal: s})
		case part.Column != nil && part.Column.Name != nil:
			spec.Parts = append(spec.Parts, ops.ParsePartSpec{Name: part.Column.Name.Name, Type: part.Column.Type})
		}
	}
	s := in.Schema()
	if id, ok := p.X.(*ast.Ident); ok {
		if idx := s.FieldIndices(id.Name); len(idx) > 0 {
			spec.Col = idx[0]
		}
	}
	if spec.Col < 0 {
		ev, err := b.Compile(p.X, s)
		if err != nil {
			return nil, err
		}
		spec.Eval = ev
	}
	out, err := ops.NewParse(b.Ctx(), in, spec)
	if err != nil {
		return nil, Errorf(op, "%v", err)
	}
	return out, nil
}
