package main

import (
	"fmt"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
)

// ParseCmd checks syntax only.
type ParseCmd struct {
	QueryInput
}

// Run parses the query and prints positioned errors.
func (c *ParseCmd) Run(e *env) error {
	_, err := parseInput(&c.QueryInput, e)
	return err
}

// parseInput loads and parses a query, turning syntax errors into an exit error.
func parseInput(q *QueryInput, e *env) (*ast.Query, error) {
	name, text, err := q.load(e)
	if err != nil {
		return nil, err
	}
	src := lang.NewSource(name, text)
	tree, diags := syntax.Parse(src)
	if diags.HasErrors() {
		return nil, &exitError{exitQuery, diags.Render(src, 10)}
	}
	return tree, nil
}

// FmtCmd prints a query in canonical form.
type FmtCmd struct {
	QueryInput
}

// Run parses and pretty-prints the query.
func (c *FmtCmd) Run(e *env) error {
	tree, err := parseInput(&c.QueryInput, e)
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, ast.Format(tree))
	return nil
}
