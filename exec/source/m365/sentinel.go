package m365

import (
	"bytes"
	"context"
	"encoding/csv"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/schemas"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// sentinelCSV reads Log Analytics / Sentinel CSV exports, recognised by
// their "Name [UTC]" datetime columns. The table is the binding's name (the
// file's base name by default); when it is a known table (schemas/) its
// declared schema gives the column types and adds the columns the export
// lacks (null). " [UTC]" is removed from column names. A CSV without
// "[UTC]" columns (a query's projection) stays with the generic reader,
// which infers the types.
type sentinelCSV struct{}

func (sentinelCSV) Name() string { return "sentinel-csv" }

const utcSuffix = " [UTC]"

func headerCells(head []byte) []string {
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	cells, err := csv.NewReader(bytes.NewReader(bytes.TrimRight(line, "\r"))).Read()
	if err != nil {
		return nil
	}
	return cells
}

func (sentinelCSV) Detect(path string, head []byte) bool {
	switch source.Ext(path) {
	case ".csv", ".txt", "":
	default:
		return false
	}
	cells := headerCells(head)
	if len(cells) == 0 {
		return false
	}
	for _, c := range cells {
		if strings.HasSuffix(c, utcSuffix) {
			return true
		}
	}
	return schemaOfHeader(cells) != ""
}

// schemaOfHeader is the known table whose columns a CSV header is made of
// (an export without "[UTC]" columns, such as one with no datetime column
// at all): at least 10 of the header's columns, and at least half of them,
// are that table's columns. "" when no table fits.
func schemaOfHeader(cells []string) string {
	if len(cells) < 10 {
		return ""
	}
	var names []string
	for n := range schemas.Builtin() {
		names = append(names, n)
	}
	sort.Strings(names)
	best, bestN := "", 0
	for _, n := range names {
		s := schemas.Builtin()[n]
		c := 0
		for _, h := range cells {
			if s.Index(strings.TrimSuffix(strings.TrimSpace(h), utcSuffix)) >= 0 {
				c++
			}
		}
		if c > bestN {
			best, bestN = n, c
		}
	}
	if bestN < 10 || bestN*2 < len(cells) {
		return ""
	}
	return best
}

func (sentinelCSV) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	table := opts.TableName()
	if tableColumns(table) == nil {
		// Typed as the table its columns are from, named as bound.
		if t := schemaOfHeader(headerCells(f.Head)); t != "" {
			table = t
		}
	}
	return readSentinel(f, opts, table)
}

// timeFallbacks are, per table, the columns that stand for TimeGenerated
// when an export lacks it (the training lab's OfficeActivity export has its
// columns shifted: the event time is in ElevationTime and Start_Time).
var timeFallbacks = map[string][]string{
	OfficeActivity: {"Start_Time", "ElevationTime"},
	AuditLogs:      {"ActivityDateTime"},
	SigninLogs:     {"CreatedDateTime"},
}

// readSentinel reads a Log Analytics CSV export as table (whose schema, if
// known, types the columns).
func readSentinel(f *source.File, opts *source.Options, table string) ([]source.Part, error) {
	decl := tableColumns(table)
	declKind := map[string]types.Kind{}
	for _, c := range decl {
		declKind[c.Name] = c.Kind
	}
	header := headerCells(f.Head)
	inHeader := map[string]bool{}
	for _, h := range header {
		inHeader[h] = true
	}
	// Header names → declared kinds and final names.
	kinds := map[string]types.Kind{}
	rename := map[string]string{} // header name → column name
	present := map[string]bool{}  // final names
	for _, h := range header {
		name := h
		if base := strings.TrimSuffix(h, utcSuffix); base != h && !inHeader[base] {
			name = base
			rename[h] = base
		}
		present[name] = true
		if k, ok := declKind[name]; ok {
			kinds[h] = k
		} else if name != h {
			kinds[h] = types.DateTime
		}
	}
	// X_dynamic / X_string pairs (how Log Analytics exports a column whose
	// type differs between the unioned tables) become X again.
	pairs := map[string]*pair{}
	for _, h := range header {
		for _, suf := range []string{"_dynamic", "_string"} {
			base := strings.TrimSuffix(h, suf)
			if base == h || base == "" || inHeader[base] {
				continue
			}
			pr := pairs[base]
			if pr == nil {
				pr = &pair{kind: types.Dynamic}
				if k, ok := declKind[base]; ok {
					pr.kind = k
				}
				pairs[base] = pr
			}
			if suf == "_dynamic" {
				pr.dyn = h
				kinds[h] = types.Dynamic
			} else {
				pr.str = h
				kinds[h] = types.String
			}
		}
	}
	for base, pr := range pairs {
		if pr.kind != types.String && pr.kind != types.Dynamic {
			delete(pairs, base) // only string/dynamic columns are split so
			continue
		}
		present[base] = true
		delete(present, pr.dyn)
		delete(present, pr.str)
	}
	sub := *opts
	sub.Format = ""
	sub.Schema = func(string) *types.Schema {
		s := &types.Schema{}
		for h, k := range kinds {
			s.Columns = append(s.Columns, types.Column{Name: h, Type: k})
		}
		return s
	}
	csvFormat := source.Lookup("csv")
	if csvFormat == nil {
		return nil, &source.Error{File: f.Path, Reason: "no csv reader registered"}
	}
	parts, err := csvFormat.Read(f, &sub)
	if err != nil {
		return nil, err
	}
	alias := map[string]string{}
	if k, ok := declKind["TimeGenerated"]; ok && k == types.DateTime && !present["TimeGenerated"] {
		for _, c := range timeFallbacks[table] {
			h := c
			for old, n := range rename {
				if n == c {
					h = old
				}
			}
			if present[c] && kinds[h] == types.DateTime {
				alias["TimeGenerated"] = h
				present["TimeGenerated"] = true
				opts.Notef("%s: the export has no TimeGenerated column: TimeGenerated is taken from %s", f.Path, h)
				break
			}
		}
	}
	var missing []column
	for _, c := range decl {
		if !present[c.Name] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		opts.Notef("%s: %d columns of %s not in the export, added as empty", f.Path, len(missing), table)
	}
	for i := range parts {
		parts[i] = renamePart(parts[i], rename, alias, pairs, missing)
	}
	return parts, nil
}

// pair is a column exported as X_dynamic and X_string (either may be
// missing): X has kind (string or dynamic) and takes, per row, the value of
// whichever half is set.
type pair struct {
	dyn, str string
	kind     types.Kind
}

// renamePart renames a part's columns (old → new), adds columns that copy
// another (alias: new → old header name), joins X_dynamic/X_string pairs
// into X, and adds empty columns.
func renamePart(p source.Part, rename, alias map[string]string, pairs map[string]*pair, add []column) source.Part {
	back := map[string]string{}
	fields := make([]arrow.Field, 0, p.Schema.NumFields()+len(add)+len(alias))
	byName := map[string]arrow.Field{}
	inPair := map[string]bool{}
	for _, pr := range pairs {
		inPair[pr.dyn], inPair[pr.str] = true, true
	}
	for _, fl := range p.Schema.Fields() {
		byName[fl.Name] = fl
		if inPair[fl.Name] {
			continue
		}
		if n, ok := rename[fl.Name]; ok {
			back[n] = fl.Name
			fl.Name = n
		}
		fields = append(fields, fl)
	}
	for n, old := range alias {
		fl := byName[old]
		fl.Name = n
		back[n] = old
		fields = append(fields, fl)
	}
	var pairNames []string
	for n := range pairs {
		pairNames = append(pairNames, n)
	}
	sort.Strings(pairNames)
	for _, n := range pairNames {
		fields = append(fields, kernels.Field(n, pairs[n].kind))
	}
	for _, c := range add {
		fields = append(fields, kernels.Field(c.Name, c.Kind))
	}
	weak := map[string]bool{}
	for n, w := range p.Weak {
		if r, ok := rename[n]; ok {
			n = r
		}
		weak[n] = w
	}
	inner := p.Open
	p.Schema = arrow.NewSchema(fields, nil)
	p.Weak = weak
	p.Open = func(ctx context.Context, req source.ScanRequest) (catalog.RecordReader, error) {
		want := req.Schema
		// Inner columns, each once.
		var inFields []arrow.Field
		at := map[string]int{}
		need := func(fl arrow.Field) int {
			j, ok := at[fl.Name]
			if !ok {
				j = len(inFields)
				at[fl.Name] = j
				inFields = append(inFields, fl)
			}
			return j
		}
		outs := make([]outCol, want.NumFields())
		for i, fl := range want.Fields() {
			if pr, ok := pairs[fl.Name]; ok {
				outs[i] = outCol{src: -1, dyn: -1, str: -1, kind: pr.kind}
				if pr.dyn != "" {
					outs[i].dyn = need(byName[pr.dyn])
				}
				if pr.str != "" {
					outs[i].str = need(byName[pr.str])
				}
				continue
			}
			if old, ok := back[fl.Name]; ok {
				fl.Name = old
			}
			outs[i] = outCol{src: need(fl)}
		}
		req.Schema = arrow.NewSchema(inFields, nil)
		rr, err := inner(ctx, req)
		if err != nil {
			return nil, err
		}
		return &renamedReader{rr: rr, schema: want, outs: outs, mem: req.Mem}, nil
	}
	return p
}

// outCol is where an output column comes from: inner column src, or the
// halves dyn and str of a pair (-1 when absent).
type outCol struct {
	src, dyn, str int
	kind          types.Kind
}

type renamedReader struct {
	rr     catalog.RecordReader
	schema *arrow.Schema
	outs   []outCol
	mem    memory.Allocator
}

func (r *renamedReader) Schema() *arrow.Schema { return r.schema }

func (r *renamedReader) Next(ctx context.Context) (arrow.Record, error) {
	rec, err := r.rr.Next(ctx)
	if rec == nil || err != nil {
		return rec, err
	}
	cols := make([]arrow.Array, len(r.outs))
	var made []arrow.Array
	for i, o := range r.outs {
		if o.src >= 0 {
			cols[i] = rec.Column(o.src)
			continue
		}
		cols[i] = r.join(rec, o)
		made = append(made, cols[i])
	}
	out := array.NewRecord(r.schema, cols, rec.NumRows())
	for _, a := range made {
		a.Release()
	}
	rec.Release()
	return out, nil
}

// join builds a pair's column: the half that is set in each row (a string
// in a dynamic column becomes a JSON string; a dynamic value in a string
// column its JSON text, or the string itself).
func (r *renamedReader) join(rec arrow.Record, o outCol) arrow.Array {
	mem := r.mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	half := func(j int) *array.String {
		if j < 0 {
			return nil
		}
		a, _ := rec.Column(j).(*array.String)
		return a
	}
	dyn, str := half(o.dyn), half(o.str)
	set := func(a *array.String, i int) bool { return a != nil && a.IsValid(i) && a.Value(i) != "" }
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for i := 0; i < int(rec.NumRows()); i++ {
		switch {
		case o.kind == types.Dynamic && set(dyn, i):
			b.Append(dyn.Value(i))
		case o.kind == types.Dynamic && set(str, i):
			b.Append(types.FormatDynamic(str.Value(i)))
		case set(str, i):
			b.Append(str.Value(i))
		case set(dyn, i):
			v := dyn.Value(i)
			if pv, err := types.ParseDynamic(v); err == nil {
				if s, ok := pv.(string); ok {
					v = s
				}
			}
			b.Append(v)
		default:
			b.AppendNull()
		}
	}
	return b.NewArray()
}

func (r *renamedReader) Close() { r.rr.Close() }
