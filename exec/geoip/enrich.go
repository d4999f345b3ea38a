package geoip

import (
	"context"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// fill is one geo column filled from Info when the row's cell is empty.
type fill struct {
	col string
	val func(Info) string
}

// spec says which columns of a table are filled from which IP column.
type spec struct {
	ip    []string // IP columns, first non-empty wins
	fills []fill
}

func countryCode(i Info) string { return i.CountryCode }
func state(i Info) string       { return i.State }
func city(i Info) string        { return i.City }
func isp(i Info) string         { return i.ASOrg }
func latitude(i Info) string {
	if !i.HasLocation {
		return ""
	}
	return strconv.FormatFloat(i.Latitude, 'f', -1, 64)
}
func longitude(i Info) string {
	if !i.HasLocation {
		return ""
	}
	return strconv.FormatFloat(i.Longitude, 'f', -1, 64)
}
func asn(i Info) string {
	if i.ASN == 0 {
		return ""
	}
	return strconv.FormatInt(i.ASN, 10)
}

// locationDetails is SigninLogs.LocationDetails as Entra ID writes it.
func locationDetails(i Info) string {
	if i.CountryCode == "" && i.State == "" && i.City == "" && !i.HasLocation {
		return ""
	}
	b := types.NewBag(4)
	b.Set("city", i.City)
	b.Set("state", i.State)
	b.Set("countryOrRegion", i.CountryCode)
	if i.HasLocation {
		g := types.NewBag(2)
		g.Set("latitude", i.Latitude)
		g.Set("longitude", i.Longitude)
		b.Set("geoCoordinates", g)
	}
	return types.FormatDynamic(b)
}

// specs are the tables Enrich knows. Columns a bound table lacks are skipped.
var specs = map[string]spec{
	"CloudAppEvents": {ip: []string{"IPAddress"}, fills: []fill{
		{"CountryCode", countryCode}, {"City", city}, {"ISP", isp}, {"Isp", isp}}},
	"IdentityLogonEvents": {ip: []string{"IPAddress"}, fills: []fill{
		{"Location", countryCode}, {"ISP", isp}, {"Isp", isp}}},
	"AADSignInEventsBeta": {ip: []string{"IPAddress"}, fills: []fill{
		{"Country", countryCode}, {"State", state}, {"City", city},
		{"Latitude", latitude}, {"Longitude", longitude}}},
	"AADSpnSignInEventsBeta": {ip: []string{"IPAddress"}, fills: []fill{
		{"Country", countryCode}, {"State", state}, {"City", city},
		{"Latitude", latitude}, {"Longitude", longitude}}},
	"SigninLogs": {ip: []string{"IPAddress"}, fills: []fill{
		{"Location", countryCode}, {"LocationDetails", locationDetails},
		{"AutonomousSystemNumber", asn}}},
	"AADNonInteractiveUserSignInLogs": {ip: []string{"IPAddress"}, fills: []fill{
		{"Location", countryCode}, {"LocationDetails", locationDetails},
		{"AutonomousSystemNumber", asn}}},
	// OfficeActivity (Sentinel) has no geo columns; nothing to fill.
}

// Enrich returns t with its empty geo columns filled from its IP address
// column (see specs): CloudAppEvents CountryCode/City/ISP, the sign-in
// tables' Country/State/City/Latitude/Longitude or Location/LocationDetails.
// Cells that already hold a value are kept. Tables without such columns (or
// a nil db) are returned unchanged. Lookups are cached per distinct address.
func Enrich(t catalog.Table, db *DB) catalog.Table {
	if db == nil || t == nil {
		return t
	}
	sp, ok := specs[t.Name()]
	if !ok {
		return t
	}
	sch := t.Schema()
	var e enricher
	for _, c := range sp.ip {
		if i := stringColumn(sch, c); i >= 0 {
			e.ip = append(e.ip, c)
		}
	}
	for _, f := range sp.fills {
		if i := stringColumn(sch, f.col); i >= 0 {
			e.fills = append(e.fills, f)
		}
	}
	if len(e.ip) == 0 || len(e.fills) == 0 {
		return t
	}
	e.Table, e.db = t, db
	return &e
}

// stringColumn is the index of a string- or dynamic-typed column, or -1.
func stringColumn(s *arrow.Schema, name string) int {
	idx := s.FieldIndices(name)
	if len(idx) == 0 {
		return -1
	}
	f := s.Field(idx[0])
	if f.Type.ID() != arrow.STRING {
		return -1
	}
	switch kernels.KindOf(f) {
	case types.String, types.Dynamic:
		return idx[0]
	}
	return -1
}

// enricher is a catalog.Table wrapping another one.
type enricher struct {
	catalog.Table
	db    *DB
	ip    []string
	fills []fill
}

// Unwrap returns the wrapped table (for callers that look for a store's
// statistics).
func (e *enricher) Unwrap() catalog.Table { return e.Table }

// Rows is the wrapped table's row count (enrichment keeps every row), or -1.
func (e *enricher) Rows() int64 {
	if r, ok := e.Table.(interface{ Rows() int64 }); ok {
		return r.Rows()
	}
	return -1
}

// Scan scans the wrapped table, adding the IP columns to a projection that
// names a filled column, and fills each batch.
func (e *enricher) Scan(ctx context.Context, opts catalog.ScanOptions) (catalog.RecordReader, error) {
	if opts.Columns != nil {
		need := false
		for _, f := range e.fills {
			for _, c := range opts.Columns {
				if c == f.col {
					need = true
				}
			}
		}
		if !need {
			return e.Table.Scan(ctx, opts)
		}
		cols := append([]string(nil), opts.Columns...)
		var extra []string
		for _, ip := range e.ip {
			found := false
			for _, c := range cols {
				found = found || c == ip
			}
			if !found {
				cols = append(cols, ip)
				extra = append(extra, ip)
			}
		}
		opts.Columns = cols
		rr, err := e.Table.Scan(ctx, opts)
		if err != nil {
			return nil, err
		}
		return &reader{RecordReader: rr, e: e, drop: extra}, nil
	}
	rr, err := e.Table.Scan(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &reader{RecordReader: rr, e: e}, nil
}

// reader fills each batch; drop names the IP columns the projection did
// not ask for, removed afterwards.
type reader struct {
	catalog.RecordReader
	e    *enricher
	drop []string
}

// keep returns the indices of the columns of s that are not dropped.
func (r *reader) keep(s *arrow.Schema) []int {
	var out []int
	for i, f := range s.Fields() {
		d := false
		for _, n := range r.drop {
			d = d || f.Name == n
		}
		if !d {
			out = append(out, i)
		}
	}
	return out
}

func project(s *arrow.Schema, idx []int) *arrow.Schema {
	fs := make([]arrow.Field, len(idx))
	for j, i := range idx {
		fs[j] = s.Field(i)
	}
	md := s.Metadata()
	return arrow.NewSchema(fs, &md)
}

// Schema is the wrapped schema without the dropped columns.
func (r *reader) Schema() *arrow.Schema {
	s := r.RecordReader.Schema()
	if len(r.drop) == 0 {
		return s
	}
	return project(s, r.keep(s))
}

func (r *reader) Next(ctx context.Context) (arrow.Record, error) {
	rec, err := r.RecordReader.Next(ctx)
	if err != nil || rec == nil {
		return rec, err
	}
	out := r.e.fillRecord(rec)
	if out != rec {
		rec.Release()
	}
	if len(r.drop) > 0 {
		idx := r.keep(out.Schema())
		cols := make([]arrow.Array, len(idx))
		for j, i := range idx {
			cols[j] = out.Column(i)
		}
		cut := array.NewRecord(project(out.Schema(), idx), cols, out.NumRows())
		out.Release()
		out = cut
	}
	return out, nil
}

// fillRecord returns rec itself when nothing changes, else a new record.
func (e *enricher) fillRecord(rec arrow.Record) arrow.Record {
	sch := rec.Schema()
	var ips []*array.String
	for _, c := range e.ip {
		if i := stringColumn(sch, c); i >= 0 {
			ips = append(ips, rec.Column(i).(*array.String))
		}
	}
	if len(ips) == 0 {
		return rec
	}
	n := int(rec.NumRows())
	var cols []arrow.Array
	for _, f := range e.fills {
		ci := stringColumn(sch, f.col)
		if ci < 0 {
			continue
		}
		col := rec.Column(ci).(*array.String)
		dyn := kernels.KindOf(sch.Field(ci)) == types.Dynamic
		if !hasEmpty(col, dyn) {
			continue
		}
		b := array.NewStringBuilder(memory.DefaultAllocator)
		b.Reserve(n)
		for row := range n {
			if !empty(col, row, dyn) {
				b.Append(col.Value(row))
				continue
			}
			v := ""
			if info, ok := e.lookup(ips, row); ok {
				v = f.val(info)
			}
			if v == "" {
				if col.IsNull(row) {
					b.AppendNull()
				} else {
					b.Append(col.Value(row))
				}
				continue
			}
			b.Append(v)
		}
		if cols == nil {
			cols = make([]arrow.Array, rec.NumCols())
			for i := range cols {
				cols[i] = rec.Column(i)
			}
		}
		cols[ci] = b.NewArray()
		b.Release()
		defer cols[ci].Release()
	}
	if cols == nil {
		return rec
	}
	return array.NewRecord(sch, cols, rec.NumRows())
}

func (e *enricher) lookup(ips []*array.String, row int) (Info, bool) {
	for _, a := range ips {
		if a.IsNull(row) || a.Value(row) == "" {
			continue
		}
		return e.db.Lookup(a.Value(row))
	}
	return Info{}, false
}

// empty: null, "", or for a dynamic column an empty value ("{}", "[]", "null").
func empty(a *array.String, row int, dyn bool) bool {
	if a.IsNull(row) {
		return true
	}
	switch a.Value(row) {
	case "":
		return true
	case "{}", "null", "[]":
		return dyn
	}
	return false
}

func hasEmpty(a *array.String, dyn bool) bool {
	for i := range a.Len() {
		if empty(a, i, dyn) {
			return true
		}
	}
	return false
}
