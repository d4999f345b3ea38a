package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/golden"
)

// TestCmd runs golden tests.
type TestCmd struct {
	Update bool     `name:"update" help:"Rewrite the want sections with the actual results (also -update)."`
	Paths  []string `arg:"" optional:"" help:"Golden test files or directories (default: the current directory)." type:"path"`
}

// Run runs every golden test found and prints a diff for each failure.
func (c *TestCmd) Run(e *env) error {
	paths := c.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	files, err := golden.Discover(paths)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	if len(files) == 0 {
		return &exitError{exitQuery, "kqlhunt: no golden tests (*.txtar files with a query.kql section) under " + strings.Join(paths, ", ")}
	}
	passed, failed, updated := 0, 0, 0
	for _, f := range files {
		gc, err := golden.Load(f)
		if err != nil {
			fmt.Fprintf(e.stdout, "FAIL %s\n    %v\n", f, err)
			failed++
			continue
		}
		o, err := gc.Run(context.Background(), golden.RunOptions{})
		if err != nil {
			fmt.Fprintf(e.stdout, "FAIL %s\n    %v\n", f, err)
			failed++
			continue
		}
		switch {
		case o.Pass:
			passed++
		case c.Update:
			if err := gc.Update(o); err != nil {
				return &exitError{exitQuery, "kqlhunt: " + err.Error()}
			}
			fmt.Fprintf(e.stdout, "UPDATED %s\n", f)
			updated++
		default:
			fmt.Fprintf(e.stdout, "FAIL %s\n%s\n", f, indent(o.Diff))
			failed++
		}
	}
	if updated > 0 {
		fmt.Fprintf(e.stdout, "test: %d passed, %d failed, %d updated\n", passed, failed, updated)
	} else {
		fmt.Fprintf(e.stdout, "test: %d passed, %d failed\n", passed, failed)
	}
	if failed > 0 {
		return &exitError{exitQuery, ""}
	}
	return nil
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}
