package plan

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterOp("parse-kv", buildParseKV)
}

func buildParseKV(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	p := op.(*ast.ParseKV)
	spec := ops.ParseKVSpec{Col: -1}
	for _, col := range p.Columns {
		if col.Name == nil {
			continue
		}
		k := col.Type
		if k == types.Unknown {
			k = types.String
		}
		spec.Keys = append(spec.Keys, col.Name.Name)
		spec.Types = append(spec.Types, k)
	}
	for _, o := range p.With {
		v, _, err := b.EvalConst(o.Value)
		if err != nil {
			return nil, err
		}
		s, _ := v.(string)
		switch strings.ToLower(o.Name) {
		case "pair_delimiter":
			spec.PairDelim = s
		case "kv_delimiter":
			spec.KVDelim = s
		case "quote":
			spec.Quote = s
		case "escape":
			spec.Escape = s
		case "regex":
			spec.Regex = s
		case "greedy":
			if bv, ok := v.(bool); ok {
				spec.Greedy = bv
			}
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
	out, err := ops.NewParseKV(b.Ctx(), in, spec)
	if err != nil {
		return nil, Errorf(op, "%v", err)
	}
	return out, nil
}
