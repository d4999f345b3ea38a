package main

// The shared --data flag of query, check, hunt and repl.
//
// A command embeds DataFlags and, before running the query, calls
//
//	cat := catalog.New()
//	if err := c.DataFlags.bind(e, cat, mem); err != nil {
//		return err // an *exitError with exitData (2) and the message
//	}
//	... run the query, write the result with exec/output ...
//	return c.DataFlags.finish(e, cat) // prints the loading problems; exit 2 if --strict saw any
//
// bind prints nothing on success; problems (rows that could not be
// loaded) stay in cat.Problems() and are summarised on stderr by
// reportProblems / finish.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/exec/store"
)

// DataSpec is one --data [NAME=]PATH value.
type DataSpec struct {
	Name string // "" = each file named after its base name
	Path string // a file, a directory or a glob
}

// UnmarshalText parses NAME=PATH or PATH. NAME must be a table name
// (letters, digits, '_', '-', '.'); otherwise the whole text is a path.
func (d *DataSpec) UnmarshalText(b []byte) error {
	s := string(b)
	if s == "" {
		return errors.New("--data needs a path")
	}
	if i := strings.IndexByte(s, '='); i > 0 && isTableName(s[:i]) {
		d.Name, d.Path = s[:i], s[i+1:]
		if d.Path == "" {
			return fmt.Errorf("--data %s: missing path after '='", s)
		}
		return nil
	}
	d.Name, d.Path = "", s
	return nil
}

func (d DataSpec) String() string {
	if d.Name == "" {
		return d.Path
	}
	return d.Name + "=" + d.Path
}

func isTableName(s string) bool {
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// DataFlags is embedded by the commands that read data files.
type DataFlags struct {
	Data      []DataSpec `name:"data" sep:"none" placeholder:"[NAME=]PATH" help:"Bind a table: a file (table named after the file), NAME=FILE, a directory (one table per file) or NAME=DIR|GLOB (files concatenated). Repeatable."`
	Strict    bool       `name:"strict" help:"Fail (exit 2) on the first row that cannot be loaded instead of reporting it and going on."`
	Input     string     `name:"input-format" placeholder:"FORMAT" help:"Read every --data file in FORMAT (csv, tsv, json, parquet, arrow) instead of detecting it."`
	Store     string     `name:"store" placeholder:"DIR" help:"Read the tables of a store written by kqlhunt ingest; time predicates skip partitions and row groups. --data tables of the same name take precedence."`
	GeoIP     []string   `name:"geoip" sep:"none" placeholder:"FILE" help:"MMDB geo-IP database (GeoLite2 City/Country/ASN, DB-IP, IPinfo): fills empty CountryCode/City/ISP-style columns from the IP address and serves geo_info_from_ip_address. Repeatable."`
	Watchlist []DataSpec `name:"watchlist" sep:"none" placeholder:"NAME=FILE" help:"A Sentinel watchlist exported as CSV: _GetWatchlist('NAME') has the CSV's columns (strings) besides SearchKey, _DTItemId, LastUpdatedTimeUTC and WatchlistItem. Repeatable."`
}

// bindings converts the flags to source bindings.
func (d *DataFlags) bindings() []source.Binding {
	out := make([]source.Binding, len(d.Data))
	for i, s := range d.Data {
		out[i] = source.Binding{Name: s.Name, Path: s.Path}
	}
	return out
}

// bind loads every --data into cat. A data error (missing file, unknown
// format, or with --strict the first bad row) is an *exitError with exit
// code 2. mem may be nil.
func (d *DataFlags) bind(e *env, cat *catalog.Catalog, mem memory.Allocator) error {
	if d.Store != "" {
		st, err := store.Open(d.Store)
		if err != nil {
			return &exitError{exitData, "kqlhunt: --store " + err.Error()}
		}
		st.Bind(cat, mem)
	}
	if err := bindData(cat, d.bindings(), source.Options{Mem: mem, Strict: d.Strict, Format: d.Input}); err != nil {
		return err
	}
	return applyGeoIP(cat, d.GeoIP) // geoip.go
}

// bindData is bind for callers without DataFlags (golden tests, the REPL's
// .load command).
func bindData(cat *catalog.Catalog, bindings []source.Binding, opts source.Options) error {
	if err := source.Bind(cat, bindings, opts); err != nil {
		return dataError(err)
	}
	return nil
}

// dataError turns a source error into the exit-2 error the CLI prints.
func dataError(err error) error {
	var se *source.Error
	if errors.As(err, &se) {
		return &exitError{exitData, "kqlhunt: " + se.Error()}
	}
	return &exitError{exitData, "kqlhunt: " + err.Error()}
}

// maxProblemLines is how many problems reportProblems prints in full.
const maxProblemLines = 10

// reportProblems prints a summary of the rows that could not be loaded to
// stderr: a count, then up to maxProblemLines "file:line: column X: reason"
// lines. It prints nothing when there were none.
func reportProblems(e *env, cat *catalog.Catalog) {
	ps := cat.Problems()
	if len(ps) == 0 {
		return
	}
	files := map[string]int{}
	for _, p := range ps {
		files[p.File]++
	}
	fmt.Fprintf(e.stderr, "kqlhunt: %d row%s could not be loaded cleanly (from %d file%s):\n", len(ps), plural(len(ps)), len(files), plural(len(files)))
	for i, p := range ps {
		if i == maxProblemLines {
			fmt.Fprintf(e.stderr, "  ... and %d more\n", len(ps)-maxProblemLines)
			break
		}
		fmt.Fprintf(e.stderr, "  %s\n", problemText(p))
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// problemText renders a problem as "file:line: column X: reason".
func problemText(p catalog.Problem) string {
	return (&source.Error{File: p.File, Line: p.Line, Field: p.Field, Reason: p.Reason}).Error()
}

// finish reports loading problems after a command ran; with --strict any
// problem is an exit-2 error (normally bind has already failed on it).
func (d *DataFlags) finish(e *env, cat *catalog.Catalog) error {
	reportProblems(e, cat)
	if d.Strict && len(cat.Problems()) > 0 {
		return &exitError{exitData, ""}
	}
	return nil
}
