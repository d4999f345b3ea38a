package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/hunt"
	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/queries"
)

// HuntCmd runs hunting packs over data.
type HuntCmd struct {
	Pack           []string `name:"pack" sep:"," placeholder:"ID|all|PACK/HUNT|FILE" help:"What to run: a pack id, all, one hunt (PACK/HUNT), a hunt YAML file (Sentinel hunting queries run unchanged) or a directory of them. Repeatable; comma-separated."`
	Param          []string `name:"param" sep:"none" placeholder:"NAME=VALUE" help:"Set a hunt parameter (a literal of its type: alice@contoso.com, 30d, 2024-03-01, [\"contoso.com\"]; or a KQL expression). Repeatable."`
	Since          string   `name:"since" placeholder:"T" help:"Start of the window: sets start_date/starttime and Sentinel's {{StartTimeISO}} (a datetime, or a timespan before now())."`
	Until          string   `name:"until" placeholder:"T" help:"End of the window: sets end_date/endtime and {{EndTimeISO}}."`
	Now            string   `name:"now" placeholder:"DATETIME" help:"now() of every hunt; default: the latest event time in the data."`
	Out            string   `name:"out" placeholder:"DIR|FILE" help:"Write findings here (a directory gets findings.<format>); default: stdout."`
	Format         string   `name:"format" placeholder:"jsonl|csv|html" help:"Findings format: jsonl (default), csv, or html (a self-contained report); default from --out's extension."`
	FailOnFindings bool     `name:"fail-on-findings" help:"Exit 3 when a medium or high finding exists."`
	Parallel       int      `name:"parallel" placeholder:"N" help:"Hunts run at once (default: number of CPUs)."`
	Timeout        string   `name:"timeout" placeholder:"DUR" help:"Stop a hunt after this long (default 10m)."`
	MaxMemory      string   `name:"max-memory" placeholder:"SIZE" help:"Memory budget shared by the hunts running at once (default 75% of RAM)."`
	DataFlags
	PluginFlags
}

// Run selects the hunts, binds the data once, runs the hunts in parallel,
// prints the summary and writes the findings.
func (c *HuntCmd) Run(e *env) error {
	ctx := context.Background()
	if len(c.Pack) == 0 {
		return &exitError{exitQuery, "kqlhunt: hunt needs --pack: a pack id, all, PACK/HUNT or a hunt file (kqlhunt packs lists them)"}
	}
	hunts, err := selectHunts(c.Pack)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	values, err := c.params(hunts)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	format, outPath, err := c.output()
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	opts := hunt.Options{Values: values, Parallel: c.Parallel, Timeout: 10 * time.Minute, MaxMemory: defaultMaxMemory()}
	if c.Timeout != "" {
		if opts.Timeout, err = parseDuration(c.Timeout); err != nil {
			return &exitError{exitQuery, "kqlhunt: --timeout: " + err.Error()}
		}
	}
	if c.MaxMemory != "" {
		if opts.MaxMemory, err = parseSize(c.MaxMemory); err != nil {
			return &exitError{exitQuery, "kqlhunt: --max-memory: " + err.Error()}
		}
	}
	if len(c.Data) == 0 && c.Store == "" {
		return &exitError{exitQuery, "kqlhunt: hunt needs data: give --data PATH or --store DIR"}
	}
	cat := catalog.New()
	if err := c.DataFlags.bind(e, cat, nil); err != nil {
		return err
	}
	bound := cat.Names()
	hunt.Cache(cat, opts.MaxMemory/4) // --data files are parsed once, not once per hunt
	inv, err := hunt.Inventory(ctx, cat, bound)
	if err != nil {
		return &exitError{exitData, "kqlhunt: " + err.Error()}
	}
	hunt.Conform(cat) // after the inventory: added columns are all null
	now, note, err := c.now(inv)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: --now: " + err.Error()}
	}
	opts.Now = now
	fmt.Fprintf(e.stderr, "now() = %s (%s)\n", types.FormatDateTime(now.UnixNano()), note)
	if opts.Since, err = windowTime("--since", c.Since, now); err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	if opts.Until, err = windowTime("--until", c.Until, now); err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	plugins, err := newPluginHost(c.PluginFlags, e.stderr)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	defer plugins.Close()
	opts.Plugins = plugins
	opts.Catalog, opts.Bound = cat, bound

	results := hunt.Run(ctx, hunts, opts)

	// summary: to stdout when the findings go to a file or are shown in
	// words, else to stderr (stdout carries the findings)
	summary := e.stdout
	if outPath == "" && (c.Format != "" || !isTerminal(e.stdout)) {
		summary = e.stderr
	}
	if err := hunt.WriteSummary(summary, results); err != nil {
		return err
	}
	for _, r := range results {
		if r.Status == hunt.Failed {
			fmt.Fprintf(e.stderr, "kqlhunt: hunt %s failed:\n%s\n", r.Hunt.ID, indent(r.Reason))
		}
	}
	rep := &hunt.Report{
		Title: "kqlhunt findings", Generated: time.Now(), Now: types.FormatDateTime(now.UnixNano()), NowNote: note,
		Params: c.Param, Data: inv, Results: results,
	}
	if c.Since != "" || c.Until != "" {
		rep.Window = strings.TrimSpace(fmt.Sprintf("%s .. %s", c.Since, c.Until))
	}
	for _, d := range c.Data {
		rep.Sources = append(rep.Sources, d.String())
	}
	if c.Store != "" {
		rep.Sources = append(rep.Sources, "store "+c.Store)
	}
	probs := cat.Problems()
	rep.NProblems = len(probs)
	for i, p := range probs {
		if i == 50 {
			break
		}
		rep.Problems = append(rep.Problems, problemText(p))
	}
	if outPath == "" && c.Format == "" && isTerminal(e.stdout) {
		// a person at a terminal: the summary and the medium/high findings
		// in words; JSONL when piped or asked for
		if err := hunt.WriteBrief(e.stdout, results, "medium"); err != nil {
			return err
		}
	} else if err := writeFindings(e, format, outPath, results, rep); err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	if err := c.DataFlags.finish(e, cat); err != nil {
		return err
	}
	cnt := hunt.Count(results)
	if cnt.Failed > 0 {
		return &exitError{exitQuery, fmt.Sprintf("kqlhunt: %d hunt%s failed", cnt.Failed, plural(cnt.Failed))}
	}
	if c.FailOnFindings && cnt.BySeverity["medium"]+cnt.BySeverity["high"] > 0 {
		return &exitError{exitFindings, fmt.Sprintf("kqlhunt: %d medium or high finding%s", cnt.BySeverity["medium"]+cnt.BySeverity["high"], plural(cnt.BySeverity["medium"]+cnt.BySeverity["high"]))}
	}
	return nil
}

// selectHunts resolves --pack values against the built-in library and files.
func selectHunts(packs []string) ([]*queries.Hunt, error) {
	lib, libErr := queries.Embedded()
	if lib == nil {
		return nil, libErr
	}
	var out []*queries.Hunt
	seen := map[*queries.Hunt]bool{}
	add := func(hs ...*queries.Hunt) {
		for _, h := range hs {
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	for _, p := range packs {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if p == "all" {
			add(lib.Hunts()...)
			continue
		}
		if pk := lib.Pack(p); pk != nil {
			add(pk.Hunts...)
			continue
		}
		if h := lib.Hunt(p); h != nil {
			add(h)
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			var ids []string
			for _, pk := range lib.Packs {
				ids = append(ids, pk.ID)
			}
			return nil, fmt.Errorf("--pack %s: no such pack, hunt or file (packs: all, %s; hunts: kqlhunt packs)", p, strings.Join(ids, ", "))
		}
		if !st.IsDir() {
			h, err := queries.LoadFile(p)
			if err != nil {
				return nil, err
			}
			add(h)
			continue
		}
		hs, err := loadHuntDir(p)
		if err != nil {
			return nil, err
		}
		add(hs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--pack selects no hunts")
	}
	return out, nil
}

// loadHuntDir loads a directory: packs (pack.yaml) or loose hunt files.
func loadHuntDir(dir string) ([]*queries.Hunt, error) {
	lib, err := queries.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	if hs := lib.Hunts(); len(hs) > 0 {
		return hs, nil
	}
	var out []*queries.Hunt
	for _, pat := range []string{"*.yaml", "*.yml"} {
		files, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, f := range files {
			h, err := queries.LoadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--pack %s: no hunt files (*.yaml) in the directory", dir)
	}
	return out, nil
}

// params parses --param NAME=VALUE; every name must be a parameter of a selected hunt.
func (c *HuntCmd) params(hunts []*queries.Hunt) (map[string]string, error) {
	values := map[string]string{}
	for _, p := range c.Param {
		name, val, ok := strings.Cut(p, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("--param %s: expected NAME=VALUE", p)
		}
		declared := false
		for _, h := range hunts {
			for _, hp := range h.Parameters {
				if hp.Name == name {
					declared = true
					if _, err := queries.ParamExpr(hp.Kind, val); err != nil {
						return nil, fmt.Errorf("--param %s: %v (%s is a %s in %s)", p, err, name, hp.Type, h.ID)
					}
				}
			}
		}
		if !declared {
			return nil, fmt.Errorf("--param %s: no selected hunt has a parameter %s (see kqlhunt packs)", p, name)
		}
		values[name] = val
	}
	return values, nil
}

// output decides the findings format and file.
func (c *HuntCmd) output() (format, path string, err error) {
	format = strings.ToLower(c.Format)
	path = c.Out
	if path != "" {
		st, statErr := os.Stat(path)
		isDir := (statErr == nil && st.IsDir()) || strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator))
		if isDir {
			if format == "" {
				format = "jsonl"
			}
			if err := os.MkdirAll(path, 0o755); err != nil {
				return "", "", err
			}
			path = filepath.Join(path, "findings."+format)
		} else if format == "" {
			switch strings.ToLower(filepath.Ext(path)) {
			case ".html", ".htm":
				format = "html"
			case ".csv":
				format = "csv"
			default:
				format = "jsonl"
			}
		}
	}
	if format == "" {
		format = "jsonl"
	}
	switch format {
	case "jsonl", "csv", "html":
	default:
		return "", "", fmt.Errorf("--format %s: use jsonl, csv or html", c.Format)
	}
	return format, path, nil
}

// now picks the hunts' now(): --now, else the latest event in the data.
func (c *HuntCmd) now(inv []hunt.TableInfo) (time.Time, string, error) {
	if c.Now != "" {
		ns, err := types.ParseDateTime(c.Now)
		if err != nil {
			return time.Time{}, "", err
		}
		return time.Unix(0, ns).UTC(), "--now", nil
	}
	t, where, ok := hunt.LatestEvent(inv)
	if !ok {
		return time.Now().UTC(), "the clock: the data has no event times", nil
	}
	return t, "latest event in the data: " + where, nil
}

// windowTime parses --since/--until: a datetime, or a timespan before now.
func windowTime(flag, v string, now time.Time) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if ns, err := types.ParseDateTime(v); err == nil {
		t := time.Unix(0, ns).UTC()
		return &t, nil
	}
	if ns, err := types.ParseTimeSpan(v); err == nil {
		t := now.Add(-time.Duration(ns))
		return &t, nil
	}
	return nil, fmt.Errorf("%s %s: not a datetime (2024-03-01, 2024-03-01T10:00:00Z) or a timespan before now() (7d)", flag, v)
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err == nil {
		return d, nil
	}
	ns, err2 := types.ParseTimeSpan(s)
	if err2 != nil {
		return 0, err
	}
	return time.Duration(ns), nil
}

func writeFindings(e *env, format, path string, results []*hunt.Result, rep *hunt.Report) error {
	var w io.Writer = e.stdout
	var f *os.File
	if path != "" {
		var err error
		if f, err = os.Create(path); err != nil {
			return err
		}
		w = f
	}
	var err error
	switch format {
	case "csv":
		err = hunt.WriteCSV(w, results)
	case "html":
		err = hunt.WriteHTML(w, rep)
	default:
		err = hunt.WriteJSONL(w, results)
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			cnt := hunt.Count(results)
			fmt.Fprintf(e.stdout, "%d finding%s written to %s\n", cnt.Findings, plural(cnt.Findings), path)
		}
	}
	return err
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
