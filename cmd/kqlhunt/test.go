package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/golden"
	"github.com/kqlhunt/kqlhunt/exec/hunt"
	"github.com/kqlhunt/kqlhunt/plugins/host"
	"github.com/kqlhunt/kqlhunt/queries"
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
	// hunting-pack tests run with their hunt's query and parameters
	packTests, err := discoverPackTests(paths)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	var plain []string
	for _, f := range files {
		if _, ok := packTests[filepath.Clean(f)]; !ok {
			plain = append(plain, f)
		}
	}
	files = plain
	for f := range packTests {
		files = append(files, f)
	}
	sort.Strings(files)
	var plugins *host.Host
	if len(packTests) > 0 {
		if plugins, err = newPluginHost(PluginFlags{}, e.stderr); err != nil {
			return &exitError{exitQuery, "kqlhunt: " + err.Error()}
		}
		defer plugins.Close()
	}
	if len(files) == 0 {
		return &exitError{exitQuery, "kqlhunt: no golden tests (*.txtar files with a query.kql section) under " + strings.Join(paths, ", ")}
	}
	passed, failed, updated := 0, 0, 0
	for _, f := range files {
		var gc *golden.Case
		var o *golden.Outcome
		if pt, ok := packTests[filepath.Clean(f)]; ok {
			gc, err = hunt.LoadTest(pt.hunt, pt.name)
			if err == nil {
				o, err = hunt.RunTest(context.Background(), pt.hunt, gc, hunt.TestOptions{Plugins: plugins})
			}
		} else if gc, err = golden.Load(f); err == nil {
			o, err = gc.Run(context.Background(), golden.RunOptions{})
		}
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

type packTest struct {
	hunt *queries.Hunt
	name string
}

// discoverPackTests finds the golden tests of hunting packs under paths:
// directories holding packs (pack.yaml), and test files inside a pack's
// testdata directory. Keys are cleaned file paths.
func discoverPackTests(paths []string) (map[string]packTest, error) {
	out := map[string]packTest{}
	addPack := func(dir string) error {
		lib, err := queries.LoadDir(dir)
		if lib == nil {
			return err
		}
		for _, h := range lib.Hunts() {
			for _, t := range h.Tests {
				if p := h.TestPath(t); p != "" {
					out[filepath.Clean(p)] = packTest{h, t}
				}
			}
		}
		return nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			// <pack>/testdata/<hunt>.<case>.txtar
			dir := filepath.Dir(filepath.Dir(p))
			if filepath.Base(filepath.Dir(p)) != "testdata" {
				continue
			}
			if _, err := os.Stat(filepath.Join(dir, "pack.yaml")); err != nil {
				continue
			}
			all := map[string]packTest{}
			saved := out
			out = all
			err := addPack(dir)
			out = saved
			if err != nil {
				return nil, err
			}
			if pt, ok := all[filepath.Clean(p)]; ok {
				out[filepath.Clean(p)] = pt
			}
			continue
		}
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || d.Name() != "pack.yaml" {
				return nil
			}
			return addPack(filepath.Dir(path))
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}
