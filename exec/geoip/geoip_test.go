package geoip_test

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/geoip"
	"github.com/kqlhunt/kqlhunt/exec/geoip/geoiptest"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func geoiptestFiles(t testing.TB) (string, string, string) { return geoiptest.Files(t) }

func openAll(t *testing.T) *geoip.DB {
	t.Helper()
	city, asn, ipinfo := geoiptest.Files(t)
	db, err := geoip.Open(city, asn, ipinfo)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestLookup(t *testing.T) {
	db := openAll(t)
	cases := []struct {
		ip   string
		want geoip.Info
		ok   bool
	}{
		{"81.2.69.160", geoip.Info{CountryCode: "GB", Country: "United Kingdom", State: "England", City: "London",
			ASN: 20712, ASOrg: "Andrews & Arnold Ltd", Latitude: 51.5142, Longitude: -0.0931, HasLocation: true}, true},
		{"81.2.69.160:52311", geoip.Info{CountryCode: "GB", Country: "United Kingdom", State: "England", City: "London",
			ASN: 20712, ASOrg: "Andrews & Arnold Ltd", Latitude: 51.5142, Longitude: -0.0931, HasLocation: true}, true},
		{"::ffff:81.2.69.1", geoip.Info{CountryCode: "GB", Country: "United Kingdom", State: "England", City: "London",
			ASN: 20712, ASOrg: "Andrews & Arnold Ltd", Latitude: 51.5142, Longitude: -0.0931, HasLocation: true}, true},
		{"[2001:db8:1::5]:443", geoip.Info{CountryCode: "DE", Country: "Germany", State: "Berlin", City: "Berlin",
			ASN: 3320, ASOrg: "Deutsche Telekom AG", Latitude: 52.52, Longitude: 13.405, HasLocation: true}, true},
		{"2001:DB8:1:ffff::1", geoip.Info{CountryCode: "DE", Country: "Germany", State: "Berlin", City: "Berlin",
			ASN: 3320, ASOrg: "Deutsche Telekom AG", Latitude: 52.52, Longitude: 13.405, HasLocation: true}, true},
		{"203.0.113.9", geoip.Info{CountryCode: "JP", Country: "Japan"}, true},
		{"198.51.100.7", geoip.Info{CountryCode: "US", Country: "United States", ASN: 15169, ASOrg: "Google LLC"}, true},
		{"192.0.2.1", geoip.Info{}, false},
		{"2001:db8:2::1", geoip.Info{}, false},
		{"not an ip", geoip.Info{}, false},
		{"", geoip.Info{}, false},
	}
	for _, c := range cases {
		for range 2 { // the second time from the cache
			got, ok := db.Lookup(c.ip)
			if got != c.want || ok != c.ok {
				t.Errorf("Lookup(%q) = %+v, %v; want %+v, %v", c.ip, got, ok, c.want, c.ok)
			}
		}
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := geoip.Open("/nonexistent/x.mmdb"); err == nil || !strings.Contains(err.Error(), "x.mmdb") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := geoip.FromBytes([]string{"junk.mmdb"}, [][]byte{[]byte("not a database")}); err == nil || !strings.Contains(err.Error(), "junk.mmdb: not a MaxMind DB") {
		t.Errorf("junk: %v", err)
	}
}

func TestGeoInfoKernel(t *testing.T) {
	db := openAll(t)
	geoip.Use(db)
	defer geoip.Use(nil)
	k, err := kernels.Scalar("geo_info_from_ip_address")
	if err != nil {
		t.Fatal(err)
	}
	in := kernels.FromValues(types.String, []any{"81.2.69.160", "2001:db8:1::1", "203.0.113.1", "10.0.0.1", "bogus", nil})
	defer in.Release()
	out, err := k(&kernels.Ctx{Context: context.Background()}, []kernels.Datum{{Array: in, Kind: types.String}}, in.Len())
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	want := []string{
		`{"country":"United Kingdom","state":"England","city":"London","latitude":51.5142,"longitude":-0.0931}`,
		`{"country":"Germany","state":"Berlin","city":"Berlin","latitude":52.52,"longitude":13.405}`,
		`{"country":"Japan","state":"","city":""}`,
		"", "", "",
	}
	s := out.Array.(*array.String)
	for i, w := range want {
		got := ""
		if !s.IsNull(i) {
			got = s.Value(i)
		}
		if got != w {
			t.Errorf("row %d: %s, want %s", i, got, w)
		}
		if w == "" && !s.IsNull(i) {
			t.Errorf("row %d: want null", i)
		}
	}
	// Without a database: null.
	geoip.Use(nil)
	out2, err := k(&kernels.Ctx{Context: context.Background()}, []kernels.Datum{{Array: in, Kind: types.String}}, in.Len())
	if err != nil {
		t.Fatal(err)
	}
	defer out2.Release()
	if out2.Array.NullN() != in.Len() {
		t.Errorf("without a database: %d nulls of %d", out2.Array.NullN(), in.Len())
	}
}

// memTable is a one-record catalog table.
type memTable struct {
	name string
	rec  arrow.Record
}

func (m *memTable) Name() string          { return m.name }
func (m *memTable) Schema() *arrow.Schema { return m.rec.Schema() }
func (m *memTable) Scan(_ context.Context, o catalog.ScanOptions) (catalog.RecordReader, error) {
	rec := m.rec
	if o.Columns != nil {
		var idx []int
		var fs []arrow.Field
		for _, c := range o.Columns {
			i := rec.Schema().FieldIndices(c)[0]
			idx = append(idx, i)
			fs = append(fs, rec.Schema().Field(i))
		}
		cols := make([]arrow.Array, len(idx))
		for j, i := range idx {
			cols[j] = rec.Column(i)
		}
		rec = array.NewRecord(arrow.NewSchema(fs, nil), cols, rec.NumRows())
	} else {
		rec.Retain()
	}
	return &memReader{rec: rec, sch: rec.Schema()}, nil
}

type memReader struct {
	rec arrow.Record
	sch *arrow.Schema
}

func (r *memReader) Schema() *arrow.Schema { return r.sch }
func (r *memReader) Next(context.Context) (arrow.Record, error) {
	rec := r.rec
	r.rec = nil
	return rec, nil
}
func (r *memReader) Close() {}

func table(name string, cols []string, kinds []types.Kind, rows [][]any) *memTable {
	s := &types.Schema{}
	for i, c := range cols {
		s.Columns = append(s.Columns, types.Column{Name: c, Type: kinds[i]})
	}
	arrs := make([]arrow.Array, len(cols))
	for i := range cols {
		vals := make([]any, len(rows))
		for r := range rows {
			vals[r] = rows[r][i]
		}
		arrs[i] = kernels.FromValues(kinds[i], vals)
	}
	return &memTable{name: name, rec: array.NewRecord(kernels.Schema(s), arrs, int64(len(rows)))}
}

func scanAll(t testing.TB, tb catalog.Table, cols []string) [][]string {
	t.Helper()
	rr, err := tb.Scan(context.Background(), catalog.ScanOptions{Columns: cols})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	var out [][]string
	for {
		rec, err := rr.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil {
			break
		}
		if got, want := rec.Schema().NumFields(), rr.Schema().NumFields(); got != want {
			t.Fatalf("record has %d columns, reader schema %d", got, want)
		}
		for r := range int(rec.NumRows()) {
			var row []string
			for c := range int(rec.NumCols()) {
				a := rec.Column(c).(*array.String)
				if a.IsNull(r) {
					row = append(row, "<null>")
				} else {
					row = append(row, a.Value(r))
				}
			}
			out = append(out, row)
		}
		rec.Release()
	}
	return out
}

func TestEnrichCloudAppEvents(t *testing.T) {
	db := openAll(t)
	S := types.String
	tb := table("CloudAppEvents", []string{"IPAddress", "CountryCode", "City", "ISP", "ActionType"},
		[]types.Kind{S, S, S, S, S}, [][]any{
			{"81.2.69.160", "", "", "", "New-InboxRule"},
			{"[2001:db8:1::9]:443", nil, "", "", "x"},
			{"81.2.69.161", "FR", "Paris", "Orange", "kept"},
			{"192.0.2.1", "", "", "", "unknown"},
			{"198.51.100.3", "", "", "", "ipinfo"},
		})
	got := scanAll(t, geoip.Enrich(tb, db), nil)
	want := [][]string{
		{"81.2.69.160", "GB", "London", "Andrews & Arnold Ltd", "New-InboxRule"},
		{"[2001:db8:1::9]:443", "DE", "Berlin", "Deutsche Telekom AG", "x"},
		{"81.2.69.161", "FR", "Paris", "Orange", "kept"},
		{"192.0.2.1", "", "", "", "unknown"},
		{"198.51.100.3", "US", "", "Google LLC", "ipinfo"},
	}
	if strings.Join(flat(got), "|") != strings.Join(flat(want), "|") {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}
	// A projection without the IP column still fills, and does not return it.
	got = scanAll(t, geoip.Enrich(tb, db), []string{"City"})
	if strings.Join(flat(got), "|") != "London|Berlin|Paris||" {
		t.Errorf("projected: %v", got)
	}
	// A projection without geo columns is left alone.
	got = scanAll(t, geoip.Enrich(tb, db), []string{"ActionType"})
	if len(got) != 5 || len(got[0]) != 1 {
		t.Errorf("unrelated projection: %v", got)
	}
}

func TestEnrichSignIns(t *testing.T) {
	db := openAll(t)
	S, D := types.String, types.Dynamic
	aad := table("AADSignInEventsBeta", []string{"IPAddress", "Country", "State", "City", "Latitude", "Longitude"},
		[]types.Kind{S, S, S, S, S, S}, [][]any{{"81.2.69.160", "", "", "", "", ""}})
	got := flat(scanAll(t, geoip.Enrich(aad, db), nil))
	if strings.Join(got, "|") != "81.2.69.160|GB|England|London|51.5142|-0.0931" {
		t.Errorf("AADSignInEventsBeta: %v", got)
	}
	sl := table("SigninLogs", []string{"IPAddress", "Location", "LocationDetails", "AutonomousSystemNumber"},
		[]types.Kind{S, S, D, S}, [][]any{{"2001:db8:1::1", "", nil, ""}, {"81.2.69.160", "US", types.NewBag(0), "7"}})
	got = flat(scanAll(t, geoip.Enrich(sl, db), nil))
	want := `2001:db8:1::1|DE|{"city":"Berlin","state":"Berlin","countryOrRegion":"DE","geoCoordinates":{"latitude":52.52,"longitude":13.405}}|3320|` +
		`81.2.69.160|US|{"city":"London","state":"England","countryOrRegion":"GB","geoCoordinates":{"latitude":51.5142,"longitude":-0.0931}}|7`
	if strings.Join(got, "|") != want {
		t.Errorf("SigninLogs:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	// Tables without geo columns and a nil db are returned unchanged.
	oa := table("OfficeActivity", []string{"ClientIP"}, []types.Kind{S}, [][]any{{"81.2.69.160"}})
	if geoip.Enrich(oa, db) != catalog.Table(oa) || geoip.Enrich(aad, nil) != catalog.Table(aad) {
		t.Error("Enrich wrapped a table it has nothing to fill in")
	}
}

func flat(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

var _ = memory.DefaultAllocator

func TestEnrichUnwrap(t *testing.T) {
	db := openAll(t)
	tb := table("CloudAppEvents", []string{"IPAddress", "City"}, []types.Kind{types.String, types.String}, [][]any{{"81.2.69.160", ""}})
	et := geoip.Enrich(tb, db)
	u, ok := et.(interface{ Unwrap() catalog.Table })
	if !ok || u.Unwrap() != catalog.Table(tb) {
		t.Fatal("enriched table does not unwrap to the original")
	}
	if r, ok := et.(interface{ Rows() int64 }); !ok || r.Rows() != -1 {
		t.Error("Rows of a table without a count should be -1")
	}
}
