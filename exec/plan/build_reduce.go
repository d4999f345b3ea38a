package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
)

func init() {
	RegisterOp("reduce", func(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
		r := op.(*ast.Reduce)
		ev, err := b.Compile(r.By, in.Schema())
		if err != nil {
			return nil, err
		}
		threshold, characters := 0.1, ""
		for _, o := range r.With {
			v, _, err := b.EvalConst(o.Value)
			if err != nil {
				return nil, err
			}
			switch strings.ToLower(o.Name) {
			case "threshold":
				f, ok := numFloat(v)
				if !ok || f < 0 || f > 1 {
					return nil, Errorf(o.Value, "reduce threshold must be a number between 0 and 1, got %v", v)
				}
				threshold = f
			case "characters":
				characters = fmt.Sprint(v)
			}
		}
		source := len(r.Options) > 0
		by := func(rec arrow.Record) (kernels.Datum, error) { return ev.Eval(b.Ctx(), rec) }
		return ops.NewReduce(b.Mem(), in, kernels.Schema(op.Out().Schema), by, threshold, characters, source), nil
	})
}
