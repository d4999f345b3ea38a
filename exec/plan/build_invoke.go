package plan

import (
	"context"

	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
)

// `T | invoke f(args)`: the input rows are read once into memory and the
// inlined body of f runs with its first parameter bound to them (the body
// may name the parameter more than once). Defender's service functions
// (FileProfile, DeviceFromIP, SeenBy) are typed by the checker but cannot
// run locally.

func init() {
	RegisterOp("invoke", buildInvoke)
}

func buildInvoke(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	inv := op.(*ast.Invoke)
	switch r := inv.Out().Ref.(type) {
	case *check.InvokeCall:
		ctx := b.env.Ctx.Context
		if ctx == nil {
			ctx = context.Background()
		}
		recs, err := ops.Drain(ctx, in)
		schema := in.Schema()
		in.Close()
		if err != nil {
			return nil, err
		}
		b.mu.Lock()
		b.memo[r.Input] = &materialized{schema: schema, recs: recs}
		b.mu.Unlock()
		return b.block(r.Inline.Body, op)
	case *check.InvokeBuiltin:
		in.Close()
		return nil, Errorf(op, "%s() is a Microsoft Defender XDR service function: not available locally", r.Name)
	}
	in.Close()
	return nil, Errorf(op, "invoke of an unchecked call")
}

// invokeInput reads the input rows of the invoke that e stands for.
func (b *Builder) invokeInput(e *ast.Ident) (ops.Operator, error) {
	b.mu.Lock()
	m, ok := b.memo[e]
	b.mu.Unlock()
	if !ok {
		return nil, Errorf(e, "%s is used before its invoke runs", e.Name)
	}
	return ops.NewRecordsSource(m.schema, m.recs), nil
}
