package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/funcs"
)

// FunctionsCmd lists the function registry.
type FunctionsCmd struct {
	JSON bool `name:"json" help:"Print the registry as JSON."`
}

type funcJSON struct {
	Name      string         `json:"name"`
	Aliases   []string       `json:"aliases,omitempty"`
	Kind      string         `json:"kind"`
	Doc       string         `json:"doc"`
	Example   string         `json:"example,omitempty"`
	Overloads []overloadJSON `json:"overloads"`
}

type overloadJSON struct {
	ID          string `json:"id"`
	Signature   string `json:"signature"`
	Implemented bool   `json:"implemented"`
}

// Run prints the functions.
func (c *FunctionsCmd) Run(e *env) error {
	all := funcs.All()
	if c.JSON {
		out := make([]funcJSON, 0, len(all))
		for _, f := range all {
			fj := funcJSON{Name: f.Name, Aliases: f.Aliases, Kind: f.Kind.String(), Doc: f.Doc, Example: f.Example}
			for _, o := range f.Overloads {
				fj.Overloads = append(fj.Overloads, overloadJSON{ID: o.ID, Signature: f.Name + o.String(), Implemented: kernels.HasKernel(o.ID)})
			}
			out = append(out, fj)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, f := range all {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		sigs := make([]string, len(f.Overloads))
		for i, o := range f.Overloads {
			sigs[i] = f.Name + o.String()
		}
		fmt.Fprintf(e.stdout, "%-28s %-9s %s\n", f.Name, f.Kind, f.Doc)
		for _, s := range sigs {
			fmt.Fprintf(e.stdout, "    %s\n", s)
		}
	}
	return nil
}
