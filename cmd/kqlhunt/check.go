package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/schemas"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
)

// CheckCmd type-checks a query against table schemas without reading data.
type CheckCmd struct {
	Schemas []string `name:"schemas" help:"Directory of table schemas in the JSON format of lang/schemas/tables (repeatable); they add tables to the built-in Defender and Sentinel schemas, and columns to a built-in table of the same name (on a type conflict DIR wins, unless one side is dynamic)." placeholder:"DIR"`
	DataFlags
	PluginFlags
	QueryInput
}

// Run parses and checks; errors are positioned, exit 1. Warnings are printed and do not fail.
func (c *CheckCmd) Run(e *env) error {
	name, text, err := c.QueryInput.load(e)
	if err != nil {
		return err
	}
	set := schemas.Builtin()
	for _, dir := range c.Schemas {
		extra, err := schemas.LoadDir(dir)
		if err != nil {
			return &exitError{exitQuery, "kqlhunt: --schemas: " + err.Error()}
		}
		set = set.Union(extra) // a table in both gets the union of their columns
	}
	if len(c.Data) > 0 || c.Store != "" {
		cat := catalog.New()
		if err := c.DataFlags.bind(e, cat, nil); err != nil {
			return err
		}
		data := schemas.Set{}
		for _, n := range cat.Names() {
			t, _ := cat.Table(n)
			data[n] = kernels.KQLSchema(t.Schema())
		}
		set = set.Merge(data)
	}
	src := lang.NewSource(name, text)
	tree, diags := syntax.Parse(src)
	if diags.HasErrors() {
		return &exitError{exitQuery, strings.TrimRight(diags.Render(src, 10), "\n")}
	}
	env := &check.Env{Tables: standardColumns{set}}
	if env.Watchlist, err = c.DataFlags.watchlistTyper(); err != nil {
		return err
	}
	plugins, err := newPluginHost(c.PluginFlags, e.stderr)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	defer plugins.Close()
	env.Plugin = engine.PluginTyper(context.Background(), plugins)
	cdiags := check.Check(tree, env)
	if cdiags.HasErrors() {
		return &exitError{exitQuery, strings.TrimRight(cdiags.Render(src, 10), "\n")}
	}
	if len(cdiags) > 0 {
		fmt.Fprint(e.stderr, cdiags.Render(src, 10))
	}
	return nil
}
