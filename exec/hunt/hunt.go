// Package hunt runs hunts (queries.Hunt) over a catalog in parallel and
// turns their result rows into findings; it writes findings as JSONL, CSV
// or a self-contained HTML report, and runs a hunt's golden tests.
//
//	results := hunt.Run(ctx, hunts, hunt.Options{Catalog: cat, Now: now, Bound: cat.Names()})
//	hunt.WriteJSONL(w, results)
package hunt

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/output"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/schemas"
	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/plugins/host"
	"github.com/kqlhunt/kqlhunt/queries"
)

// Options configure Run.
type Options struct {
	Catalog *catalog.Catalog
	// Bound lists the tables the data provides (a hunt none of whose
	// tables is among them is skipped). nil = the catalog's tables.
	Bound []string
	// Now is now() for every hunt.
	Now time.Time
	// Values, Since, Until bind parameters (queries.Bind).
	Values       map[string]string
	Since, Until *time.Time
	// Parallel is how many hunts run at once (0 = number of CPUs).
	Parallel int
	// Timeout bounds each hunt (0 = none); MaxMemory is the memory budget
	// shared by the hunts running at once (0 = unlimited).
	Timeout   time.Duration
	MaxMemory int64
	Plugins   *host.Host
}

// Status of a hunt run.
type Status string

const (
	OK      Status = "ok"
	Skipped Status = "skipped"
	Failed  Status = "failed"
)

// Result is what one hunt produced.
type Result struct {
	Hunt     *queries.Hunt
	Status   Status
	Reason   string // why it was skipped, or the error
	Query    string // the KQL that ran (lets and query)
	Bindings []queries.Binding
	Columns  []string
	Findings []*Finding
	Elapsed  time.Duration
}

// Worst returns the highest severity among the findings ("" if none).
func (r *Result) Worst() string {
	best := -1
	for _, f := range r.Findings {
		if k := queries.SeverityRank(f.Severity); k > best {
			best = k
		}
	}
	if best < 0 {
		return ""
	}
	return queries.Severities[best]
}

// Finding is one result row of a hunt.
type Finding struct {
	Hunt       string
	Name       string
	Severity   string
	Time       string // the row's Timestamp/TimeGenerated, ISO 8601 as in JSON output ("" if none)
	Techniques []string
	Tactics    []string
	Entities   []Entity
	Row        []Cell
}

// Entity is one entity of a finding.
type Entity struct{ Kind, Value string }

// Cell is one column of a finding's row.
type Cell struct {
	Name string
	Kind types.Kind
	JSON []byte // the value as typed JSON (as `--format json` writes it)
	Text string // the value as text (tostring)
}

// Entity returns the value of an entity kind ("" if absent).
func (f *Finding) Entity(kind string) string {
	for _, e := range f.Entities {
		if e.Kind == kind {
			return e.Value
		}
	}
	return ""
}

// Run runs the hunts and returns one result per hunt, in the order given.
// A hunt that fails does not stop the others.
func Run(ctx context.Context, hunts []*queries.Hunt, opts Options) []*Result {
	cat := opts.Catalog
	if cat == nil {
		cat = catalog.New()
	}
	bound := map[string]bool{}
	if opts.Bound == nil {
		opts.Bound = cat.Names()
	}
	for _, n := range opts.Bound {
		bound[n] = true
	}
	// tables of files from elsewhere that list none: the ones the query reads
	for _, h := range hunts {
		if len(h.Tables) == 0 {
			if c, _ := h.Validate(queries.CheckEnv{Tables: checkTables(cat)}); c != nil {
				h.AddReads(c.Reads)
			}
		}
	}
	AddEmptyTables(cat, hunts)
	results := make([]*Result, len(hunts))
	n := opts.Parallel
	if n <= 0 {
		n = runtime.NumCPU()
	}
	mem := opts.MaxMemory
	if mem > 0 && n > 1 {
		mem /= int64(min(n, len(hunts)))
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, h := range hunts {
		r := &Result{Hunt: h}
		results[i] = r
		if len(h.Tables) > 0 && !anyBound(h.Tables, bound) {
			r.Status = Skipped
			r.Reason = fmt.Sprintf("needs %s; not in the data", orList(h.Tables))
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			runOne(ctx, r, cat, opts, mem)
		}()
	}
	wg.Wait()
	return results
}

func anyBound(tables []string, bound map[string]bool) bool {
	for _, t := range tables {
		if bound[t] {
			return true
		}
	}
	return false
}

func orList(ts []string) string {
	switch len(ts) {
	case 1:
		return ts[0]
	case 2:
		return ts[0] + " or " + ts[1]
	}
	return strings.Join(ts[:len(ts)-1], ", ") + " or " + ts[len(ts)-1]
}

// checkTables is the catalog's schemas over the built-in ones.
func checkTables(cat *catalog.Catalog) check.Catalog {
	set := schemas.Set{}
	for _, n := range cat.Names() {
		t, _ := cat.Table(n)
		set[n] = kernels.KQLSchema(t.Schema())
	}
	return check.MapCatalog(schemas.Builtin().Merge(set))
}

// AddEmptyTables binds, for every table a hunt needs that cat lacks and
// whose schema is known (lang/schemas), an empty table: a hunt that joins
// CloudAppEvents with SigninLogs still runs over data without sign-ins.
func AddEmptyTables(cat *catalog.Catalog, hunts []*queries.Hunt) {
	for _, h := range hunts {
		for _, t := range h.Tables {
			if _, ok := cat.Table(t); ok {
				continue
			}
			if s, ok := schemas.Lookup(t); ok {
				cat.Add(NewEmptyTable(t, s))
			}
		}
	}
}

func runOne(ctx context.Context, r *Result, cat *catalog.Catalog, opts Options, mem int64) {
	start := time.Now()
	defer func() { r.Elapsed = time.Since(start) }()
	h := r.Hunt
	bind := queries.Bind{Values: opts.Values, Since: opts.Since, Until: opts.Until, Now: opts.Now}
	src, binds, err := h.Source(bind)
	if err != nil {
		r.Status, r.Reason = Failed, err.Error()
		return
	}
	r.Bindings = binds
	r.Query = h.Text(binds, bind)
	res, err := engine.Run(ctx, src, engine.Options{Catalog: cat, Now: opts.Now, Timeout: opts.Timeout, MaxMemory: mem, Plugins: opts.Plugins, SingleTable: true})
	if err != nil {
		r.Status, r.Reason = Failed, errorText(err)
		return
	}
	defer res.Release()
	r.Status = OK
	r.Columns, r.Findings = Findings(h, res.Schema, res.Records)
}

func errorText(err error) string {
	var le *lang.Error
	if errors.As(err, &le) {
		return strings.TrimRight(le.Diags.Render(le.Src, 5), "\n")
	}
	return err.Error()
}

// Findings turns result records into findings of h.
func Findings(h *queries.Hunt, schema *arrow.Schema, recs []arrow.Record) ([]string, []*Finding) {
	var cols []string
	kinds := make([]types.Kind, schema.NumFields())
	sevCol, timeCol := -1, -1
	for i, f := range schema.Fields() {
		cols = append(cols, f.Name)
		kinds[i] = kernels.KindOf(f)
		if f.Name == "Severity" && kinds[i] == types.String {
			sevCol = i
		}
	}
	for _, name := range []string{"Timestamp", "TimeGenerated"} {
		for i, f := range schema.Fields() {
			if timeCol < 0 && f.Name == name && kinds[i] == types.DateTime {
				timeCol = i
			}
		}
	}
	entCols := make([]int, len(h.Entities))
	for i, e := range h.Entities {
		entCols[i] = -1
		if idx := schema.FieldIndices(e.Column); len(idx) > 0 {
			entCols[i] = idx[0]
		}
	}
	var out []*Finding
	for _, rec := range recs {
		for r := 0; r < int(rec.NumRows()); r++ {
			f := &Finding{Hunt: h.ID, Name: h.Name, Severity: h.Severity, Techniques: h.Techniques, Tactics: h.Tactics}
			if sevCol >= 0 {
				if s := strings.ToLower(strings.TrimSpace(output.CellText(rec.Column(sevCol), types.String, r))); queries.SeverityRank(s) >= 0 {
					f.Severity = s
				}
			}
			if timeCol >= 0 {
				if j := output.AppendJSONValue(nil, rec.Column(timeCol), types.DateTime, r); len(j) > 2 && j[0] == '"' {
					f.Time = string(j[1 : len(j)-1])
				}
			}
			for i, e := range h.Entities {
				if entCols[i] < 0 {
					continue
				}
				v := output.CellText(rec.Column(entCols[i]), kinds[entCols[i]], r)
				if kinds[entCols[i]] == types.Dynamic {
					v = flatten(v)
				}
				if v != "" {
					f.Entities = append(f.Entities, Entity{Kind: e.Kind, Value: v})
				}
			}
			f.Row = make([]Cell, len(cols))
			for c := range cols {
				a := rec.Column(c)
				f.Row[c] = Cell{Name: cols[c], Kind: kinds[c], JSON: output.AppendJSONValue(nil, a, kinds[c], r), Text: output.CellText(a, kinds[c], r)}
			}
			out = append(out, f)
		}
	}
	return cols, out
}

// Counts summarises results.
type Counts struct {
	Hunts, Ran, Skipped, Failed, Findings int
	BySeverity                            map[string]int
}

// Count counts results and findings.
func Count(results []*Result) Counts {
	c := Counts{Hunts: len(results), BySeverity: map[string]int{}}
	for _, r := range results {
		switch r.Status {
		case OK:
			c.Ran++
		case Skipped:
			c.Skipped++
		case Failed:
			c.Failed++
		}
		for _, f := range r.Findings {
			c.Findings++
			c.BySeverity[f.Severity]++
		}
	}
	return c
}

// SortBySeverity orders results: most severe findings first, then by id;
// skipped and failed hunts last.
func SortBySeverity(results []*Result) {
	sort.SliceStable(results, func(i, j int) bool {
		a, b := results[i], results[j]
		ra, rb := queries.SeverityRank(a.Worst()), queries.SeverityRank(b.Worst())
		if ra != rb {
			return ra > rb
		}
		return a.Hunt.ID < b.Hunt.ID
	})
}

// flatten renders a dynamic entity value: an array of scalars as its
// elements joined by ", " (the empty array as ""), anything else as JSON.
func flatten(v string) string {
	d, err := types.ParseDynamic(v)
	if err != nil {
		return v
	}
	arr, ok := d.([]any)
	if !ok {
		if s, ok := d.(string); ok {
			return s
		}
		return v
	}
	parts := make([]string, 0, len(arr))
	for _, e := range arr {
		switch e := e.(type) {
		case []any, *types.Bag:
			return v
		case nil:
		case string:
			if e != "" {
				parts = append(parts, e)
			}
		default:
			parts = append(parts, types.FormatDynamic(e))
		}
	}
	return strings.Join(parts, ", ")
}
