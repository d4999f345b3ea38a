package plan

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterOp("scan", buildScan)
}

func buildScan(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	sc := op.(*ast.Scan)
	info, ok := op.Out().Ref.(*check.ScanInfo)
	if !ok || len(info.Steps) != len(sc.Steps) {
		return nil, Errorf(op, "scan was not checked")
	}
	spec := ops.ScanSpec{MatchID: info.MatchID, Row: kernels.Schema(info.Row)}
	for i, d := range info.Declared {
		spec.Declared = append(spec.Declared, kernels.Field(d.Name, d.Type))
		var v any
		if e := info.Defaults[i]; e != nil {
			var err error
			v, _, err = b.EvalConst(e)
			if err != nil {
				return nil, err
			}
			if x, ok := v.(int32); ok && d.Type == types.Long {
				v = int64(x)
			}
		}
		spec.Defaults = append(spec.Defaults, v)
	}
	// the input's physical types may differ from the checked ones: use them
	fs := spec.Row.Fields()
	ins := in.Schema()
	for i := 0; i < ins.NumFields() && i < len(fs); i++ {
		if fs[i].Name == ins.Field(i).Name {
			fs[i] = ins.Field(i)
		}
	}
	spec.Row = arrow.NewSchema(fs, nil)
	for i, st := range sc.Steps {
		si := info.Steps[i]
		pred, err := b.Compile(st.Pred, spec.Row)
		if err != nil {
			return nil, err
		}
		step := ops.ScanStepSpec{Name: si.Name, Output: si.Output, Pred: pred}
		for j, a := range st.Assigns {
			ev, err := b.Compile(a.X, spec.Row)
			if err != nil {
				return nil, err
			}
			step.Assigns = append(step.Assigns, ev)
			step.Targets = append(step.Targets, si.Assigns[j])
		}
		spec.Steps = append(spec.Steps, step)
	}
	out, err := ops.NewScanOp(b.Ctx(), in, spec)
	if err != nil {
		return nil, Errorf(op, "%v", err)
	}
	return out, nil
}
