// Package golden runs golden tests: txtar files holding a query, its input
// tables and its expected result (DESIGN.md §6). `kqlhunt test` and the Go
// tests of the hunting packs and of testdata/ use it.
//
// A case is a txtar archive. Its comment holds directives, one per line:
//
//	now: 2024-03-01T00:00:00Z      pins now() and ago()
//	ordered: yes|no                compare rows in order (default: in order
//	                               when the query ends by sorting, else as a multiset)
//	param: name = <KQL literal>    bound as `let name = value;` before the query
//
// Files: query.kql (the query), want.csv (typed "Name:type" header) or
// want.err (the expected error text, rendered), and every other file is an
// input table named after the file's base name (any supported format).
package golden

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/rogpeppe/go-internal/diff"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/output"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Case is one parsed golden test.
type Case struct {
	Path    string
	Archive *txtar.Archive
	Now     time.Time
	Ordered string // "yes", "no" or "" (decide from the query)
	Params  []string
	// ParamValues are the `param:` directives as written (name, value).
	ParamValues []ParamValue
	Query       string
	Tables      []txtar.File
	Want        *txtar.File // want.csv or want.err; nil when missing
}

// ParamValue is one `param: name = value` directive.
type ParamValue struct{ Name, Value string }

// Load reads and parses a golden test file.
func Load(path string) (*Case, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses a golden test from its bytes.
func Parse(path string, data []byte) (*Case, error) {
	return parse(path, data, true)
}

// ParseNoQuery parses a golden test that may lack a query.kql section: a
// hunting pack's test, run with the hunt's query (RunOptions.Build).
func ParseNoQuery(path string, data []byte) (*Case, error) {
	return parse(path, data, false)
}

func parse(path string, data []byte, needQuery bool) (*Case, error) {
	a := txtar.Parse(data)
	c := &Case{Path: path, Archive: a}
	for i, line := range strings.Split(string(a.Comment), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "//") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected a directive `name: value`, got %q", path, i+1, line)
		}
		val = strings.TrimSpace(val)
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "now":
			ns, err := types.ParseDateTime(val)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: now: %v", path, i+1, err)
			}
			c.Now = time.Unix(0, ns).UTC()
		case "ordered":
			c.Ordered = strings.ToLower(val)
		case "param":
			name, lit, ok := strings.Cut(val, "=")
			if !ok {
				return nil, fmt.Errorf("%s:%d: param: expected `name = value`", path, i+1)
			}
			c.Params = append(c.Params, fmt.Sprintf("let %s = %s;", strings.TrimSpace(name), strings.TrimSpace(lit)))
			c.ParamValues = append(c.ParamValues, ParamValue{strings.TrimSpace(name), strings.TrimSpace(lit)})
		default:
			return nil, fmt.Errorf("%s:%d: unknown directive %q (known: now, ordered, param)", path, i+1, key)
		}
	}
	for i, f := range a.Files {
		switch f.Name {
		case "query.kql":
			c.Query = string(f.Data)
		case "want.csv", "want.err":
			c.Want = &a.Files[i]
		default:
			c.Tables = append(c.Tables, f)
		}
	}
	if c.Query == "" && needQuery {
		return nil, fmt.Errorf("%s: no query.kql section", path)
	}
	return c, nil
}

// Outcome is the result of running a case.
type Outcome struct {
	Got  string // typed CSV, or the error text
	Kind string // "csv" or "err"
	Pass bool
	Diff string // when it fails
}

// RunOptions configure Run.
type RunOptions struct {
	// Prelude is KQL prepended to the query (e.g. a hunt's parameter lets).
	Prelude string
	// Schema declares table schemas for the input readers (nil = infer).
	Schema func(table string) *types.Schema
	// Build, when set, makes the query source to run instead of Prelude,
	// the param directives and query.kql (a hunt's lets and query).
	Build func(c *Case) (*lang.Source, error)
	// Tables, when set, is called with the catalog of the case's input
	// tables before the query runs (e.g. to bind empty tables a hunt needs).
	Tables func(cat *catalog.Catalog)
	// Exec, when set, runs the query instead of engine.Run (e.g. with
	// plugins); it is given the options engine.Run would get.
	Exec func(ctx context.Context, src *lang.Source, opts engine.Options) (*engine.Result, error)
}

// Run executes the case and compares the result with its want file.
func (c *Case) Run(ctx context.Context, ro RunOptions) (*Outcome, error) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	got, kind, query, err := c.execute(ctx, mem, ro)
	if err != nil {
		return nil, err
	}
	if n := mem.CurrentAlloc(); n != 0 {
		return nil, fmt.Errorf("%s: the query leaked %d bytes of Arrow memory", c.Path, n)
	}
	o := &Outcome{Got: got, Kind: kind}
	if c.Want == nil {
		o.Diff = "no want.csv or want.err section (run with -update to create it)"
		return o, nil
	}
	want := string(c.Want.Data)
	switch {
	case c.Want.Name == "want.err" && kind == "err":
		o.Pass = strings.TrimSpace(want) == strings.TrimSpace(got)
	case c.Want.Name == "want.csv" && kind == "csv":
		ordered := c.Ordered == "yes" || (c.Ordered == "" && endsSorted(query))
		o.Pass, err = sameTables(want, got, ordered)
		if err != nil {
			return nil, fmt.Errorf("%s: want.csv: %v", c.Path, err)
		}
	}
	if !o.Pass {
		o.Diff = string(diff.Diff(c.Want.Name, []byte(want), "got", []byte(got)))
		if o.Diff == "" {
			o.Diff = "want and got differ only in row order or number formatting beyond tolerance"
		}
	}
	return o, nil
}

// execute runs the query; an error of the query itself is a result of kind
// "err". It returns the text of the query that ran.
func (c *Case) execute(ctx context.Context, mem memory.Allocator, ro RunOptions) (got, kind, query string, err error) {
	got, kind, src, err := c.execute1(ctx, mem, ro)
	if src != nil {
		query = src.Text
	}
	return got, kind, query, err
}

func (c *Case) execute1(ctx context.Context, mem memory.Allocator, ro RunOptions) (string, string, *lang.Source, error) {
	cat := catalog.New()
	opts := source.Options{Mem: mem, Schema: ro.Schema, Report: cat.Report, Note: cat.Note}
	for _, f := range c.Tables {
		tables, err := source.ReadBytes("", f.Name, f.Data, opts)
		if err != nil {
			return "", "", nil, fmt.Errorf("%s: input %s: %v", c.Path, f.Name, err)
		}
		for _, t := range tables {
			cat.Add(t)
		}
	}
	var problems []string
	for _, p := range cat.Problems() {
		problems = append(problems, (&source.Error{File: p.File, Line: p.Line, Field: p.Field, Reason: p.Reason}).Error())
	}
	if len(problems) > 0 {
		return "", "", nil, fmt.Errorf("%s: input rows could not be loaded:\n%s", c.Path, strings.Join(problems, "\n"))
	}
	if ro.Tables != nil {
		ro.Tables(cat)
	}
	var src *lang.Source
	if ro.Build != nil {
		var err error
		if src, err = ro.Build(c); err != nil {
			return "", "", nil, fmt.Errorf("%s: %v", c.Path, err)
		}
	} else {
		text := ro.Prelude + strings.Join(c.Params, "\n")
		if text != "" {
			text += "\n"
		}
		text += c.Query
		src = lang.NewSource("query.kql", text)
	}
	now := c.Now
	if now.IsZero() {
		now = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	run := engine.Run
	if ro.Exec != nil {
		run = ro.Exec
	}
	res, err := run(ctx, src, engine.Options{Catalog: cat, Now: now, Mem: mem, Timeout: time.Minute})
	if err != nil {
		return err.Error() + "\n", "err", src, nil
	}
	defer res.Release()
	tables := res.Tables
	if len(tables) == 0 {
		tables = []engine.ResultTable{{Schema: res.Schema, Records: res.Records}}
	}
	var buf bytes.Buffer
	for i, t := range tables {
		if len(tables) > 1 {
			if i > 0 {
				buf.WriteByte('\n')
			}
			fmt.Fprintf(&buf, "# %s\n", t.Name)
		}
		if err := writeCSV(&buf, t.Schema, t.Records); err != nil {
			return "", "", nil, err
		}
	}
	return buf.String(), "csv", src, nil
}

// writeCSV writes one table as typed CSV.
func writeCSV(buf *bytes.Buffer, schema *arrow.Schema, recs []arrow.Record) error {
	w, err := output.New(buf, "csv", output.Options{TypedHeader: true})
	if err != nil {
		return err
	}
	if err := w.Begin(schema); err != nil {
		return err
	}
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	if err := w.End(); err != nil {
		return err
	}
	return w.Close()
}

// splitTables splits the text of a multi-table result ("# Name" before
// each table) into its names and CSV texts; a single table has no header
// and one unnamed section.
func splitTables(text string) (names, bodies []string) {
	if !strings.HasPrefix(text, "# ") {
		return []string{""}, []string{text}
	}
	for _, sec := range strings.Split("\n"+text, "\n# ")[1:] {
		name, body, _ := strings.Cut(sec, "\n")
		names = append(names, name)
		bodies = append(bodies, strings.TrimRight(body, "\n")+"\n")
	}
	return names, bodies
}

// sameTables compares multi-table results table by table.
func sameTables(want, got string, ordered bool) (bool, error) {
	wn, wb := splitTables(want)
	gn, gb := splitTables(got)
	if strings.Join(wn, "\x00") != strings.Join(gn, "\x00") {
		return false, nil
	}
	for i := range wb {
		ok, err := sameCSV(wb[i], gb[i], ordered)
		if err != nil || !ok {
			return ok, err
		}
	}
	return true, nil
}

// endsSorted reports whether the query's result order is defined: its last
// order-changing operator is sort or top.
func endsSorted(query string) bool {
	tree, diags := syntax.Parse(lang.NewSource("q", query))
	if diags.HasErrors() || len(tree.Stmts) == 0 {
		return false
	}
	es, ok := tree.Stmts[len(tree.Stmts)-1].(*ast.ExprStmt)
	if !ok {
		return false
	}
	p, ok := es.X.(*ast.Pipe)
	if !ok {
		return false
	}
	for i := len(p.Ops) - 1; i >= 0; i-- {
		switch p.Ops[i].(type) {
		case *ast.Sort, *ast.Top:
			return true
		case *ast.Where, *ast.Project, *ast.ProjectAway, *ast.ProjectKeep, *ast.ProjectRename,
			*ast.ProjectReorder, *ast.Extend, *ast.Take, *ast.Render, *ast.As, *ast.Serialize:
			continue
		default:
			return false
		}
	}
	return false
}

// sameCSV compares two typed CSV texts: same header, and rows equal value by
// value (reals within rounding, datetimes as instants, dynamics as JSON),
// in order or as multisets.
func sameCSV(want, got string, ordered bool) (bool, error) {
	wh, wrows, err := readCSV(want)
	if err != nil {
		return false, err
	}
	gh, grows, err := readCSV(got)
	if err != nil {
		return false, fmt.Errorf("got: %v", err)
	}
	if strings.Join(wh, ",") != strings.Join(gh, ",") || len(wrows) != len(grows) {
		return false, nil
	}
	kinds := make([]types.Kind, len(wh))
	for i, h := range wh {
		if j := strings.LastIndexByte(h, ':'); j >= 0 {
			kinds[i], _ = types.ParseKind(h[j+1:])
		}
	}
	rowEq := func(a, b []string) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if !cellEq(kinds[i], a[i], b[i]) {
				return false
			}
		}
		return true
	}
	if ordered {
		for i := range wrows {
			if !rowEq(wrows[i], grows[i]) {
				return false, nil
			}
		}
		return true, nil
	}
	sortRows(wrows)
	sortRows(grows)
	used := make([]bool, len(grows))
	for _, w := range wrows {
		found := false
		for j, g := range grows {
			if !used[j] && rowEq(w, g) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

func sortRows(rows [][]string) {
	sort.SliceStable(rows, func(i, j int) bool { return strings.Join(rows[i], "\x1f") < strings.Join(rows[j], "\x1f") })
}

func readCSV(text string) ([]string, [][]string, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, nil, err
	}
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("empty")
	}
	return recs[0], recs[1:], nil
}

func cellEq(k types.Kind, w, g string) bool {
	if w == g {
		return true
	}
	switch k {
	case types.Real, types.Decimal:
		a, err1 := strconv.ParseFloat(w, 64)
		b, err2 := strconv.ParseFloat(g, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return a == b || math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
	case types.DateTime:
		a, err1 := types.ParseDateTime(w)
		b, err2 := types.ParseDateTime(g)
		return err1 == nil && err2 == nil && a == b
	case types.TimeSpan:
		a, err1 := types.ParseTimeSpan(w)
		b, err2 := types.ParseTimeSpan(g)
		return err1 == nil && err2 == nil && a == b
	case types.Dynamic:
		a, err1 := types.ParseDynamic(w)
		b, err2 := types.ParseDynamic(g)
		return err1 == nil && err2 == nil && types.EqualDynamic(a, b)
	case types.Guid:
		return strings.EqualFold(w, g)
	}
	return false
}

// Update rewrites the case's want section with the outcome.
func (c *Case) Update(o *Outcome) error {
	name := "want." + o.Kind
	files := c.Archive.Files[:0:0]
	for _, f := range c.Archive.Files {
		if f.Name != "want.csv" && f.Name != "want.err" {
			files = append(files, f)
		}
	}
	c.Archive.Files = append(files, txtar.File{Name: name, Data: []byte(o.Got)})
	return os.WriteFile(c.Path, txtar.Format(c.Archive), 0o644)
}

// Discover returns the golden test files under paths (files, or directories
// searched recursively for *.txtar files with a query.kql section).
func Discover(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !strings.HasSuffix(path, ".txtar") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if bytes.Contains(data, []byte("\n-- query.kql --\n")) || bytes.HasPrefix(data, []byte("-- query.kql --\n")) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}
