package hunt

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/golden"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/schemas"
	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/plugins/host"
	"github.com/kqlhunt/kqlhunt/queries"
)

// LoadTest loads one of h's golden tests (a name from h.Tests). The case's
// Path is the file on disk when there is one (so -update can rewrite it).
func LoadTest(h *queries.Hunt, name string) (*golden.Case, error) {
	data, err := h.TestFile(name)
	if err != nil {
		return nil, err
	}
	p := h.TestPath(name)
	if p == "" {
		p = path.Join(path.Dir(h.File), name)
	}
	return golden.ParseNoQuery(p, data)
}

// TestOptions configure RunTest.
type TestOptions struct {
	Plugins *host.Host // for hunts that `evaluate` detector plugins
}

// RunTest runs golden case c of hunt h: the hunt's query with its
// parameters (the case's `param:` directives override the defaults; its
// `now:` is the hunt's now()), or the case's query.kql when it has one.
// Input tables are read with the tables' declared schemas (lang/schemas),
// as `kqlhunt hunt` reads data, and tables the hunt needs that the case
// does not provide are bound empty.
func RunTest(ctx context.Context, h *queries.Hunt, c *golden.Case, opts TestOptions) (*golden.Outcome, error) {
	ro := golden.RunOptions{
		Schema: func(t string) *types.Schema {
			s, _ := schemas.Lookup(t)
			return s
		},
		Tables: func(cat *catalog.Catalog) { AddEmptyTables(cat, []*queries.Hunt{h}) },
		Exec: func(ctx context.Context, src *lang.Source, eo engine.Options) (*engine.Result, error) {
			eo.Plugins = opts.Plugins
			return engine.Run(ctx, src, eo)
		},
	}
	if strings.TrimSpace(c.Query) == "" {
		ro.Build = func(c *golden.Case) (*lang.Source, error) {
			vals := map[string]string{}
			for _, p := range c.ParamValues {
				declared := false
				for _, hp := range h.Parameters {
					declared = declared || hp.Name == p.Name
				}
				if !declared {
					return nil, fmt.Errorf("param: %s is not a parameter of %s", p.Name, h.ID)
				}
				vals[p.Name] = p.Value
			}
			src, _, err := h.Source(queries.Bind{Values: vals, Now: c.Now})
			return src, err
		}
	}
	return c.Run(ctx, ro)
}
