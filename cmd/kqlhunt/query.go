package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/chart"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/exec/output"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// QueryCmd runs a query over data files.
type QueryCmd struct {
	Format    string `name:"format" default:"table" enum:"table,csv,tsv,json,jsonl" help:"Output format: table, csv, tsv, json, jsonl."`
	Now       string `name:"now" help:"Pin now() and ago() to this datetime (e.g. 2024-03-01T00:00:00Z)." placeholder:"DATETIME"`
	MaxMemory string `name:"max-memory" help:"Memory budget of the query (e.g. 2GiB, 500MB); default 75% of RAM." placeholder:"SIZE"`
	Timeout   string `name:"timeout" help:"Stop the query after this long (e.g. 30s, 5m)." placeholder:"DUR"`
	Chart     string `name:"chart" help:"Write the chart of a query ending in render to FILE (.svg, .png or .html, by extension)." placeholder:"FILE" type:"path"`
	DataFlags
	PluginFlags
	QueryInput
}

// Run executes the query and writes its result.
func (c *QueryCmd) Run(e *env) error {
	name, text, err := c.QueryInput.load(e)
	if err != nil {
		return err
	}
	opts := engine.Options{}
	if c.Now != "" {
		ns, err := types.ParseDateTime(c.Now)
		if err != nil {
			return &exitError{exitQuery, fmt.Sprintf("kqlhunt: --now: %v", err)}
		}
		opts.Now = time.Unix(0, ns).UTC()
	}
	if c.MaxMemory != "" {
		n, err := parseSize(c.MaxMemory)
		if err != nil {
			return &exitError{exitQuery, fmt.Sprintf("kqlhunt: --max-memory: %v", err)}
		}
		opts.MaxMemory = n
	} else {
		opts.MaxMemory = defaultMaxMemory()
	}
	if c.Timeout != "" {
		d, err := time.ParseDuration(c.Timeout)
		if err != nil {
			ns, err2 := types.ParseTimeSpan(c.Timeout)
			if err2 != nil {
				return &exitError{exitQuery, fmt.Sprintf("kqlhunt: --timeout: %v", err)}
			}
			d = time.Duration(ns)
		}
		opts.Timeout = d
	}
	cat := catalog.New()
	if err := c.DataFlags.bind(e, cat, nil); err != nil {
		return err
	}
	opts.Catalog = cat
	plugins, err := newPluginHost(c.PluginFlags, e.stderr)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	defer plugins.Close()
	opts.Plugins = plugins
	src := lang.NewSource(name, text)
	ctx := context.Background()
	if c.Chart != "" && chart.FormatOf(c.Chart) == "" {
		return &exitError{exitQuery, fmt.Sprintf("kqlhunt: --chart %s: use a .svg, .png or .html file", c.Chart)}
	}
	tree, diags := syntax.Parse(src)
	if diags.HasErrors() {
		return queryErr(diags.Err(src))
	}
	q, err := engine.PrepareAST(ctx, src, tree, opts)
	if err != nil {
		return queryErr(err)
	}
	defer q.Close()
	var stream output.Stream = q
	if info := chart.Find(tree); info != nil && (c.Chart != "" || c.Format == "table") {
		rs, err := renderChart(ctx, e, q, info, c.Chart, c.Format == "table")
		if err != nil {
			return err
		}
		defer rs.Close()
		stream = rs
	} else if c.Chart != "" {
		return &exitError{exitQuery, "kqlhunt: --chart: the query does not end with render"}
	}
	if q.Multi() {
		// fork / facet: every result table, each under its name
		var tables []output.Table
		for _, t := range q.Tables() {
			tables = append(tables, output.Table{Name: t.Name, Stream: t})
		}
		if _, err := output.WriteTables(ctx, e.stdout, c.Format, tables, output.Options{}); err != nil {
			return queryErr(err)
		}
		return c.DataFlags.finish(e, cat)
	}
	if _, err := output.Write(ctx, e.stdout, c.Format, stream, output.Options{}); err != nil {
		return queryErr(err)
	}
	return c.DataFlags.finish(e, cat)
}

// renderChart reads the whole result, writes its chart to file (when set)
// and prints the sparklines (when text), and returns the rows for output.
func renderChart(ctx context.Context, e *env, q *engine.Query, info *check.RenderInfo, file string, text bool) (*ops.RecordsSource, error) {
	recs, err := ops.Drain(ctx, q)
	if err != nil {
		return nil, queryErr(err)
	}
	defer ops.ReleaseRecords(recs)
	ch, err := chart.Build(info, q.Schema(), recs)
	if err != nil {
		return nil, &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	if file != "" {
		var buf bytes.Buffer
		if err := chart.Write(&buf, ch, chart.FormatOf(file)); err != nil {
			return nil, &exitError{exitQuery, "kqlhunt: --chart: " + err.Error()}
		}
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			return nil, &exitError{exitQuery, "kqlhunt: --chart: " + err.Error()}
		}
	} else if text {
		fmt.Fprintln(e.stdout, chart.Text(ch, 60))
	}
	return ops.NewRecordsSource(q.Schema(), recs), nil
}

func queryErr(err error) error {
	var le *lang.Error
	if errors.As(err, &le) {
		return &exitError{exitQuery, strings.TrimRight(le.Diags.Render(le.Src, 10), "\n")}
	}
	var se *source.Error
	if errors.As(err, &se) {
		return dataError(err)
	}
	var ee *engine.Error
	if errors.As(err, &ee) && ee.Pos {
		return &exitError{exitQuery, ee.Error()}
	}
	return &exitError{exitQuery, "kqlhunt: " + err.Error()}
}

// parseSize parses 2GiB, 500MB, 1G, 1048576.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40},
		{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"TB", 1000 * 1000 * 1000 * 1000},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1}} {
		if strings.HasSuffix(t, u.suf) {
			t = strings.TrimSpace(strings.TrimSuffix(t, u.suf))
			mult = u.m
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("invalid size %q (use e.g. 2GiB or 500MB)", s)
	}
	return int64(f * float64(mult)), nil
}

// defaultMaxMemory is 75% of physical memory (0 = unlimited when unknown).
func defaultMaxMemory() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "MemTotal:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, err := strconv.ParseInt(f[1], 10, 64)
				if err == nil {
					return kb * 1024 * 3 / 4
				}
			}
		}
	}
	return 0
}
