package engine

import (
	"context"

	"github.com/kqlhunt/kqlhunt/exec/plan"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/plugins/host"
)

// PluginTyper gives the checker the signatures of the detector plugins, so
// `evaluate name(...)` calls are typed (from the plugin's Describe) before
// any data is read.
func PluginTyper(ctx context.Context, h *host.Host) func(string) check.PluginFunc {
	return func(name string) check.PluginFunc {
		if !h.Has(name) {
			return nil
		}
		return func(c *check.Checker, call *ast.Call, in *types.Schema) (*types.Schema, error) {
			desc, err := h.Describe(ctx, name)
			if err != nil {
				return nil, err
			}
			return plan.PluginSchema(desc, call, in)
		}
	}
}
