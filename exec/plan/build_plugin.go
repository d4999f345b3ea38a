package plan

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/plugins/host"
	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

// PluginArgs binds an evaluate call's arguments to a plugin's parameters:
// positional arguments in declaration order, then name=value ones. A
// column parameter takes a column name; any other parameter a constant,
// whose Kusto text constant returns.
func PluginArgs(desc *sdk.Description, call *ast.Call, constant func(ast.Expr) (string, types.Kind, error)) ([]sdk.Arg, error) {
	var out []sdk.Arg
	bind := func(p sdk.Param, e ast.Expr) error {
		if strings.HasPrefix(p.Type, "column") {
			id, ok := e.(*ast.Ident)
			if !ok {
				return fmt.Errorf("argument %s must be a column name", p.Name)
			}
			out = append(out, sdk.Arg{Name: p.Name, Kind: "column", Value: id.Name})
			return nil
		}
		text, kind, err := constant(e)
		if err != nil {
			return fmt.Errorf("argument %s must be a constant: %v", p.Name, err)
		}
		out = append(out, sdk.Arg{Name: p.Name, Kind: kind.String(), Value: text})
		return nil
	}
	pos := 0
	for _, a := range call.Args {
		if na, ok := a.(*ast.NamedArg); ok && na.Name != nil {
			var p *sdk.Param
			for i := range desc.Params {
				if strings.EqualFold(desc.Params[i].Name, na.Name.Name) {
					p = &desc.Params[i]
				}
			}
			if p == nil {
				return nil, fmt.Errorf("%s has no parameter %s", desc.Name, na.Name.Name)
			}
			if err := bind(*p, na.Value); err != nil {
				return nil, err
			}
			continue
		}
		if pos >= len(desc.Params) {
			return nil, fmt.Errorf("%s takes at most %d arguments", desc.Name, len(desc.Params))
		}
		if err := bind(desc.Params[pos], a); err != nil {
			return nil, err
		}
		pos++
	}
	return out, nil
}

// PluginSchema is the output schema of a plugin call over an input schema
// (for the checker): it needs only the column arguments.
func PluginSchema(desc *sdk.Description, call *ast.Call, in *types.Schema) (*types.Schema, error) {
	args, err := PluginArgs(desc, call, func(e ast.Expr) (string, types.Kind, error) {
		if l, ok := e.(*ast.Literal); ok {
			return l.Raw, l.Kind, nil
		}
		return "", types.Unknown, nil // value not needed for typing
	})
	if err != nil {
		return nil, err
	}
	s, err := desc.OutputSchema(kernels.Schema(in), desc.ArgsFrom(args))
	if err != nil {
		return nil, err
	}
	return kernels.KQLSchema(s), nil
}

// buildExternalPlugin runs an evaluate call through an out-of-process plugin.
func buildExternalPlugin(b *Builder, ev *ast.Evaluate, in ops.Operator, h *host.Host) (ops.Operator, error) {
	name := ev.Call.Name.Name
	ctx := b.env.Ctx.Context
	desc, err := h.Describe(ctx, name)
	if err != nil {
		return nil, Errorf(ev.Call, "%v", err)
	}
	args, err := PluginArgs(desc, ev.Call, func(e ast.Expr) (string, types.Kind, error) {
		v, k, err := b.EvalConst(e)
		if err != nil {
			return "", k, err
		}
		return types.FormatValue(k, v), k, nil
	})
	if err != nil {
		return nil, Errorf(ev.Call, "%s: %v", name, err)
	}
	out, err := h.Evaluate(ctx, name, args, in, b.env.Ctx.Mem)
	if err != nil {
		return nil, Errorf(ev.Call, "%v", err)
	}
	return &pluginOp{out: out, in: in}, nil
}

// pluginOp adapts a plugin call's output stream to an operator.
type pluginOp struct {
	out *host.Output
	in  ops.Operator
}

func (p *pluginOp) Schema() *arrow.Schema { return p.out.Schema() }

func (p *pluginOp) Next(ctx context.Context) (arrow.Record, error) { return p.out.Next() }

func (p *pluginOp) Close() {
	p.out.Close()
	p.in.Close()
}
