// Package catalog holds the tables a query can read: each with a schema and
// a way to open a record stream, plus the diagnostics of loading them (rows
// that could not be parsed are counted and reported here, never dropped
// silently).
package catalog

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
)

// ScanOptions narrow what a scan returns. Sources may ignore them (the
// engine re-applies filters); they are hints for pushdown and pruning.
type ScanOptions struct {
	Columns []string // projection; nil means all columns
	// TimeColumn/From/To: an inclusive-exclusive time range on a datetime
	// column that the source may use to skip partitions or row groups.
	TimeColumn string
	From, To   *int64 // unix nanoseconds
	BatchRows  int
	// Dict lets string columns come as Arrow dictionary arrays
	// (Dictionary<int32, String>, field metadata kql.type=string) where the
	// source has them (dictionary-encoded Parquet); record schemas then
	// carry the dictionary type. Only set by the planner for pipes whose
	// operators accept dictionary arrays (exec/plan: dictSafe).
	Dict bool
	// Filter is the predicate of the pipe's leading where operators when
	// it reads only Filter.Columns and is pure. A source may evaluate it
	// on those columns first and read the other columns only for the rows
	// it keeps (late materialisation). It is a hint like the others: the
	// engine still applies the where to what the scan returns.
	Filter *ScanFilter
}

// ScanFilter is a pushed-down row predicate (ScanOptions.Filter).
type ScanFilter struct {
	// Columns are the columns the predicate reads, all among the scan's.
	Columns []string
	// Eval takes a record of Columns (in this order, of the scan's
	// physical types: dictionary arrays where ScanOptions.Dict allows
	// them) and returns the ascending indices of the rows it keeps (true;
	// false and null rows are dropped). It may be called concurrently.
	Eval func(rec arrow.Record) ([]int32, error)
	// Terms, when set, is the same predicate as a conjunction of terms
	// of one column each (a row is kept when every term keeps it), so a
	// source may evaluate a term once per dictionary entry and test the
	// rows' indices. Each term's Eval takes a one-column record of that
	// column's values (a plain string array of the entries for a
	// dictionary column).
	Terms []ScanTerm
}

// ScanTerm is one single-column term of a conjunctive ScanFilter.
type ScanTerm struct {
	Column string
	Eval   func(rec arrow.Record) ([]int32, error)
}

// Project returns the schema a scan with these options returns: schema
// itself when Columns is nil, else the named columns that exist, in the
// order given, each once.
func (o ScanOptions) Project(schema *arrow.Schema) *arrow.Schema {
	if o.Columns == nil {
		return schema
	}
	var fs []arrow.Field
	seen := map[string]bool{}
	for _, c := range o.Columns {
		if seen[c] {
			continue
		}
		if idx := schema.FieldIndices(c); len(idx) > 0 {
			fs = append(fs, schema.Field(idx[0]))
			seen[c] = true
		}
	}
	return arrow.NewSchema(fs, nil)
}

// RecordReader is a stream of records; the caller releases each record.
// Next returns (nil, nil) at the end.
type RecordReader interface {
	Schema() *arrow.Schema
	Next(ctx context.Context) (arrow.Record, error)
	Close()
}

// Table is a named, schema'd source of records.
type Table interface {
	Name() string
	Schema() *arrow.Schema
	Scan(ctx context.Context, opts ScanOptions) (RecordReader, error)
}

// Problem is a row or record that a reader could not load.
type Problem struct {
	File   string
	Line   int // 1-based line (or record number for non-line formats)
	Field  string
	Reason string
}

// Catalog maps table names (case-sensitive, as Kusto) to tables.
type Catalog struct {
	mu       sync.RWMutex
	tables   map[string]Table
	problems []Problem
	notes    []string
}

// New returns an empty catalog.
func New() *Catalog { return &Catalog{tables: map[string]Table{}} }

// Add binds t under its name, replacing an earlier binding.
func (c *Catalog) Add(t Table) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tables[t.Name()] = t
}

// Table returns the table called name.
func (c *Catalog) Table(name string) (Table, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.tables[name]
	return t, ok
}

// Names returns all table names, sorted.
func (c *Catalog) Names() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, 0, len(c.tables))
	for n := range c.tables {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Match returns the table names matching a Kusto wildcard pattern (`Device*`).
func (c *Catalog) Match(pattern string) []string {
	var out []string
	for _, n := range c.Names() {
		if wildcardMatch(pattern, n) {
			out = append(out, n)
		}
	}
	return out
}

func wildcardMatch(p, s string) bool {
	parts := strings.Split(p, "*")
	if len(parts) == 1 {
		return p == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, part := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, part)
		}
		j := strings.Index(s, part)
		if j < 0 {
			return false
		}
		s = s[j+len(part):]
	}
	return true
}

// Report records a row that could not be loaded.
func (c *Catalog) Report(p Problem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.problems = append(c.problems, p)
}

// Note records an informational message about loading (e.g. a missing schema column).
func (c *Catalog) Note(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.notes = append(c.notes, msg)
}

// Problems returns the rows reported as not loadable.
func (c *Catalog) Problems() []Problem {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]Problem(nil), c.problems...)
}

// Notes returns the loading notes.
func (c *Catalog) Notes() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]string(nil), c.notes...)
}
