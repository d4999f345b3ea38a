package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/chzyer/readline"
	"golang.org/x/term"

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
	"github.com/kqlhunt/kqlhunt/plugins/host"
	"github.com/kqlhunt/kqlhunt/queries"
)

// ReplCmd is the interactive console.
type ReplCmd struct {
	Now    string `name:"now" help:"Pin now() and ago()." placeholder:"DATETIME"`
	Format string `name:"format" default:"table" enum:"table,csv,tsv,json,jsonl" help:"Result format."`
	DataFlags
	PluginFlags
}

// repl is one console session.
type repl struct {
	e       *env
	cat     *catalog.Catalog
	format  string
	timing  bool
	now     time.Time
	width   int
	maxRows int
	last    *engine.Result
	// lastRender is the render operator of the last result's query.
	lastRender *check.RenderInfo
	lib        *queries.Library // the hunt library, loaded by .packs/.run
	geoip      []string         // --geoip databases, applied to .load too
	// interactive is false for piped input: no prompts, stop at the first error.
	interactive bool
	failed      bool // the last command failed
	plugins     *host.Host
	pending     []string // lines of the query being typed (for completion)
	// hint receives function signatures shown on Tab inside a call (the
	// readline instance's writer, which redraws the prompt after it).
	hint io.Writer
}

const replHelp = `Enter a KQL query; it runs when it is complete and you press Enter on a
blank line, or end it with ;; . A line ending with | continues the query.
Dot commands:
  .help                  this text
  .tables                the bound tables with their row counts
  .schema TABLE          columns and types of a table
  .load [NAME=]PATH      bind a file, directory or glob (any supported format)
  .format table|csv|tsv|json|jsonl
  .timing on|off         print rows, time and memory after each query
  .set now DATETIME      pin now() and ago()
  .save FILE             write the last result (format from the extension: .csv .tsv .json .jsonl)
  .packs [PACK]          list hunt packs, or the hunts of one pack
  .run HUNT [k=v ...]    run a hunt (pack/hunt) with parameters; now() = .set now, else the data's latest event
  .chart FILE            write the last render query's chart (.svg, .png or .html)
  .quit                  leave (also Ctrl-D)
Tab completes tables, operators, columns and functions; Ctrl-R searches history;
Ctrl-C cancels a running query.`

// Run starts the console; with piped input it runs the script without prompts.
func (c *ReplCmd) Run(e *env) error {
	r := &repl{e: e, cat: catalog.New(), format: c.Format, maxRows: 200, geoip: c.GeoIP}
	if c.Now != "" {
		ns, err := types.ParseDateTime(c.Now)
		if err != nil {
			return &exitError{exitQuery, fmt.Sprintf("kqlhunt: --now: %v", err)}
		}
		r.now = time.Unix(0, ns).UTC()
	}
	if err := c.DataFlags.bind(e, r.cat, nil); err != nil {
		return err
	}
	reportProblems(e, r.cat)
	defer r.release()
	plugins, err := newPluginHost(c.PluginFlags, e.stderr)
	if err != nil {
		return &exitError{exitQuery, "kqlhunt: " + err.Error()}
	}
	defer plugins.Close()
	r.plugins = plugins
	f, isFile := e.stdin.(*os.File)
	if isFile && term.IsTerminal(int(f.Fd())) {
		r.interactive = true
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			r.width = w
		}
		return r.loop()
	}
	return r.script(e.stdin)
}

func (r *repl) release() {
	if r.last != nil {
		r.last.Release()
		r.last = nil
	}
}

// historyFile is in the user's state directory.
func historyFile() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	dir = filepath.Join(dir, "kqlhunt")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return filepath.Join(dir, "history")
}

func (r *repl) loop() error {
	rl, err := readline.NewEx(&readline.Config{
		Prompt:            "kql> ",
		HistoryFile:       historyFile(),
		HistorySearchFold: true,
		AutoComplete:      &completer{r: r},
		InterruptPrompt:   "^C",
		EOFPrompt:         "",
		Stdin:             io.NopCloser(r.e.stdin),
		Stdout:            r.e.stdout,
		Stderr:            r.e.stderr,
		// Multi-line queries are saved to history whole, when they run.
		DisableAutoSaveHistory: true,
	})
	if err != nil {
		return err
	}
	defer rl.Close()
	r.hint = rl.Stdout()
	fmt.Fprintln(r.e.stdout, "kqlhunt — KQL over your logs. .help for help, .quit or Ctrl-D to leave.")
	var buf []string
	for {
		if len(buf) == 0 {
			rl.SetPrompt("kql> ")
		} else {
			rl.SetPrompt("...> ")
		}
		r.pending = buf
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			if len(buf) == 0 && line == "" {
				return nil // Ctrl-C on an empty line quits
			}
			buf = nil // Ctrl-C drops the query being typed
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		text, run := accumulate(&buf, line)
		if !run {
			continue
		}
		_ = rl.SaveHistory(strings.ReplaceAll(text, "\n", " "))
		if quit := r.exec(text); quit {
			return nil
		}
	}
}

// accumulate adds a line to the query being typed and reports whether it
// is ready to run: a dot command at once; a query on a blank line or a
// line ending in ";;", or when a single line is already complete.
func accumulate(buf *[]string, line string) (string, bool) {
	trimmed := strings.TrimSpace(line)
	if len(*buf) == 0 && strings.HasPrefix(trimmed, ".") {
		return trimmed, true
	}
	if strings.HasSuffix(trimmed, ";;") {
		*buf = append(*buf, strings.TrimSuffix(strings.TrimRight(line, " \t"), ";;"))
		text := strings.Join(*buf, "\n")
		*buf = nil
		return text, strings.TrimSpace(text) != ""
	}
	if trimmed == "" {
		if len(*buf) == 0 {
			return "", false
		}
		text := strings.Join(*buf, "\n")
		if !complete(text) {
			*buf = append(*buf, line)
			return "", false
		}
		*buf = nil
		return text, true
	}
	*buf = append(*buf, line)
	return "", false
}

// complete reports whether a query's brackets and strings are closed and it
// does not end with a pipe (so a blank line may run it).
func complete(text string) bool {
	depth := 0
	var quote byte
	verbatim := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if quote != 0 {
			switch {
			case c == '\\' && !verbatim:
				i++
			case c == quote:
				quote = 0
			}
			continue
		}
		switch c {
		case '/':
			if i+1 < len(text) && text[i+1] == '/' {
				for i < len(text) && text[i] != '\n' {
					i++
				}
			}
		case '"', '\'':
			quote, verbatim = c, i > 0 && text[i-1] == '@'
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
	}
	return quote == 0 && depth <= 0 && !strings.HasSuffix(strings.TrimSpace(text), "|")
}

// script runs piped input: queries separated by blank lines or ";;", dot
// commands on their own lines. It stops at the first error (exit 1).
func (r *repl) script(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var buf []string
	flush := func(text string) error {
		if strings.TrimSpace(text) == "" {
			return nil
		}
		if quit := r.exec(text); quit {
			return errQuit
		}
		if r.failed {
			return &exitError{exitQuery, ""}
		}
		return nil
	}
	for sc.Scan() {
		text, run := accumulate(&buf, sc.Text())
		if run {
			if err := flush(text); err != nil {
				return ignoreQuit(err)
			}
		}
	}
	if len(buf) > 0 {
		return ignoreQuit(flush(strings.Join(buf, "\n")))
	}
	return nil
}

var errQuit = errors.New("quit")

func ignoreQuit(err error) error {
	if errors.Is(err, errQuit) {
		return nil
	}
	return err
}

// exec runs one query or dot command; it reports whether to quit.
func (r *repl) exec(text string) bool {
	r.failed = false
	if strings.HasPrefix(strings.TrimSpace(text), ".") {
		return r.dot(strings.Fields(strings.TrimSpace(text)))
	}
	r.query(text)
	return false
}

func (r *repl) errorf(format string, args ...any) {
	r.failed = true
	fmt.Fprintf(r.e.stderr, format+"\n", args...)
}

func (r *repl) dot(f []string) bool {
	arg := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	switch f[0] {
	case ".quit", ".exit", ".q":
		return true
	case ".help":
		fmt.Fprintln(r.e.stdout, replHelp)
	case ".tables":
		for _, n := range r.cat.Names() {
			t, _ := r.cat.Table(n)
			rows := ""
			if rt, ok := t.(interface{ Rows() int64 }); ok && rt.Rows() >= 0 {
				rows = fmt.Sprintf("  (%d rows)", rt.Rows())
			}
			fmt.Fprintf(r.e.stdout, "%s%s\n", n, rows)
		}
	case ".schema":
		t, ok := r.cat.Table(arg(1))
		if !ok {
			r.errorf("no table %q (.tables lists them)", arg(1))
			break
		}
		for _, fl := range t.Schema().Fields() {
			fmt.Fprintf(r.e.stdout, "  %-32s %s\n", fl.Name, kindOf(fl))
		}
	case ".load":
		if arg(1) == "" {
			r.errorf(".load [NAME=]PATH")
			break
		}
		before := len(r.cat.Names())
		if err := r.load(arg(1)); err != nil {
			var xe *exitError
			if errors.As(err, &xe) {
				r.errorf("%s", xe.msg)
			} else {
				r.errorf("%v", err)
			}
			break
		}
		fmt.Fprintf(r.e.stdout, "%d tables bound (%d new)\n", len(r.cat.Names()), len(r.cat.Names())-before)
	case ".format":
		switch arg(1) {
		case "table", "csv", "tsv", "json", "jsonl":
			r.format = arg(1)
		default:
			r.errorf(".format table|csv|tsv|json|jsonl")
		}
	case ".timing":
		r.timing = arg(1) != "off"
	case ".set":
		if arg(1) != "now" || arg(2) == "" {
			r.errorf(".set now DATETIME")
			break
		}
		ns, err := types.ParseDateTime(strings.Join(f[2:], " "))
		if err != nil {
			r.errorf("%v", err)
			break
		}
		r.now = time.Unix(0, ns).UTC()
	case ".packs":
		r.packs(f[1:])
		return false
	case ".run":
		r.runHunt(f[1:])
		return false
	case ".chart":
		r.chart(f[1:])
		return false
	case ".save":
		if r.last == nil || arg(1) == "" {
			r.errorf(".save FILE saves the last result; run a query first")
			break
		}
		if err := r.save(arg(1)); err != nil {
			r.errorf("%v", err)
		}
	default:
		r.errorf("unknown command %s (.help lists them)", f[0])
	}
	return false
}

// load binds a [NAME=]PATH (the .load command), reporting rows that could not be loaded.
func (r *repl) load(spec string) error {
	var d DataSpec
	if err := d.UnmarshalText([]byte(spec)); err != nil {
		return err
	}
	before := len(r.cat.Problems())
	fresh := catalog.New()
	if err := bindData(fresh, []source.Binding{{Name: d.Name, Path: d.Path}}, source.Options{}); err != nil {
		return err
	}
	// the new tables get the session's --geoip enrichment too
	if err := applyGeoIP(fresh, r.geoip); err != nil {
		return err
	}
	for _, n := range fresh.Names() {
		if t, ok := fresh.Table(n); ok {
			r.cat.Add(t)
		}
	}
	for _, p := range fresh.Problems() {
		r.cat.Report(p)
	}
	for _, n := range fresh.Notes() {
		r.cat.Note(n)
	}
	if n := len(r.cat.Problems()) - before; n > 0 {
		fmt.Fprintf(r.e.stderr, "warning: %d rows could not be loaded cleanly (first: %s)\n", n, problemText(r.cat.Problems()[before]))
	}
	return nil
}

func (r *repl) save(path string) error {
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	if format == "txt" {
		format = "table"
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w, err := output.New(f, format, tableOptions(r.last, output.Options{MaxCell: -1}))
	if err != nil {
		return fmt.Errorf("%v (use .csv, .tsv, .json or .jsonl)", err)
	}
	var rows int64
	for _, t := range r.last.AllTables() {
		if err := writeTable(w, t.Schema, t.Records); err != nil {
			return err
		}
		for _, rec := range t.Records {
			rows += rec.NumRows()
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Fprintf(r.e.stdout, "saved %d rows to %s\n", rows, path)
	return nil
}

// tableOptions names the tables of a fork/facet result (each is written
// under a "# Name" line, or as its TableName in json).
func tableOptions(res *engine.Result, opts output.Options) output.Options {
	if res.Multi() {
		opts.TableHeaders = true
		for _, t := range res.Tables {
			opts.TableNames = append(opts.TableNames, t.Name)
		}
	}
	return opts
}

// writeTable writes one table (Begin, Write..., End) without closing w.
func writeTable(w output.Writer, schema *arrow.Schema, recs []arrow.Record) error {
	if err := w.Begin(schema); err != nil {
		return err
	}
	for _, rec := range recs {
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	return w.End()
}

func writeRecords(w output.Writer, schema *arrow.Schema, recs []arrow.Record) error {
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

// query runs a query; Ctrl-C cancels it and the console stays.
func (r *repl) query(text string) {
	r.runSource(lang.NewSource("query", text))
}

// runSource runs a query source and shows its result (and its text chart
// when it ends with render).
func (r *repl) runSource(src *lang.Source) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	var ms runtime.MemStats
	if r.interactive {
		defer spinner(r.e.stderr, start, time.Second)()
	}
	res, info, err := r.execute(ctx, src)
	if err != nil {
		if ctx.Err() != nil {
			r.errorf("cancelled")
			return
		}
		var xe *exitError
		if errors.As(queryErr(err), &xe) {
			r.errorf("%s", xe.msg)
		} else {
			r.errorf("%v", err)
		}
		return
	}
	r.release()
	r.last, r.lastRender = res, info
	if info != nil && r.format == "table" {
		if ch, err := chart.Build(info, res.Schema, res.Records); err == nil {
			fmt.Fprintln(r.e.stdout, chart.Text(ch, 60))
		} else {
			r.errorf("%v", err)
		}
	}
	shown, total := r.show(res)
	if r.timing {
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(r.e.stdout, "%d rows (%d shown) in %v, heap %s\n", total, shown, time.Since(start).Round(time.Millisecond), engine.FormatBytes(int64(ms.HeapAlloc)))
	}
}

// execute parses, checks and drains a query; info is its render operator
// (nil when it does not end with render).
func (r *repl) execute(ctx context.Context, src *lang.Source) (*engine.Result, *check.RenderInfo, error) {
	tree, diags := syntax.Parse(src)
	if diags.HasErrors() {
		return nil, nil, diags.Err(src)
	}
	q, err := engine.PrepareAST(ctx, src, tree, engine.Options{Catalog: r.cat, Now: r.now, MaxMemory: defaultMaxMemory(), Mem: memory.DefaultAllocator, Plugins: r.plugins})
	if err != nil {
		return nil, nil, err
	}
	defer q.Close()
	res, err := q.ReadAll(ctx) // every table of a fork/facet
	if err != nil {
		return nil, nil, err
	}
	return res, chart.Find(tree), nil
}

// spinner draws "⠋ running 2.1s (Ctrl-C cancels)" on w once a query has run
// for longer than after, until the returned stop function is called, which
// erases it.
func spinner(w io.Writer, start time.Time, after time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		drawn := false
		for i := 0; ; i++ {
			select {
			case <-done:
				if drawn {
					fmt.Fprint(w, "\r\033[K")
				}
				return
			case <-t.C:
				if el := time.Since(start); el >= after {
					fmt.Fprintf(w, "\r%c running %.1fs (Ctrl-C cancels)", frames[i%len(frames)], el.Seconds())
					drawn = true
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// show writes up to maxRows rows of a result and says how many were cut.
// A fork/facet result shows every table under its name, each cut at
// maxRows.
func (r *repl) show(res *engine.Result) (shown, total int64) {
	if !res.Multi() {
		return r.showTable(res.Schema, res.Records)
	}
	w, err := output.New(r.e.stdout, r.format, tableOptions(res, output.Options{Width: r.width}))
	if err != nil {
		r.errorf("%v", err)
		return
	}
	var notes []string
	for _, t := range res.Tables {
		recs, s, n := r.cut(t.Records)
		err := writeTable(w, t.Schema, recs)
		ops.ReleaseRecords(recs)
		if err != nil {
			r.errorf("%v", err)
			return
		}
		shown += s
		total += n
		if s < n {
			notes = append(notes, fmt.Sprintf("… %d more rows in %s (%d in all)", n-s, t.Name, n))
		}
	}
	if err := w.Close(); err != nil {
		r.errorf("%v", err)
	}
	for _, n := range notes {
		fmt.Fprintln(r.e.stdout, n)
	}
	if len(notes) > 0 {
		fmt.Fprintln(r.e.stdout, "(.save FILE writes them all)")
	}
	return shown, total
}

// cut returns the records to show (retained slices: at most maxRows rows
// in table format, all of them otherwise), the rows shown and the total.
func (r *repl) cut(all []arrow.Record) (recs []arrow.Record, shown, total int64) {
	left := int64(r.maxRows)
	for _, rec := range all {
		total += rec.NumRows()
		if r.format != "table" {
			rec.Retain()
			recs = append(recs, rec)
			shown += rec.NumRows()
			continue
		}
		if left <= 0 {
			continue
		}
		n := rec.NumRows()
		if n > left {
			n = left
		}
		recs = append(recs, rec.NewSlice(0, n))
		left -= n
		shown += n
	}
	return recs, shown, total
}

// showTable writes up to maxRows rows of one table and says how many were cut.
func (r *repl) showTable(schema *arrow.Schema, all []arrow.Record) (shown, total int64) {
	recs, shown, total := r.cut(all)
	defer ops.ReleaseRecords(recs)
	w, err := output.New(r.e.stdout, r.format, output.Options{Width: r.width})
	if err != nil {
		r.errorf("%v", err)
		return
	}
	if err := writeRecords(w, schema, recs); err != nil {
		r.errorf("%v", err)
	}
	if shown < total {
		fmt.Fprintf(r.e.stdout, "… %d more rows (%d in all; .save FILE writes them all)\n", total-shown, total)
	}
	return shown, total
}
