package check_test

import (
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestBuiltinsAndInvokeSearch(t *testing.T) {
	cases := []struct{ q, want string }{
		// invoke binds the input rows to the first (tabular) parameter
		{`let f = (T:(ActionType:string), m:long) { T | summarize n = count() by ActionType | where n > m };
CloudAppEvents | invoke f(3)`, "ActionType:string,n:long"},
		{`let f = (T:(*)) { T | extend k = 1 };
CloudAppEvents | project Bytes | invoke f()`, "Bytes:long,k:long"},
		// Defender built-ins append their documented columns
		{`CloudAppEvents | project ActionType | invoke DeviceFromIP()`, "ActionType:string,IP:string,DeviceId:string"},
		{`CloudAppEvents | project ActionType | invoke FileProfile(ActionType, 100) | project GlobalPrevalence, IsExecutable`,
			"GlobalPrevalence:long,IsExecutable:bool"},
		{`AssignedIPAddresses("pc1") | project IPAddress, Timestamp`, "IPAddress:string,Timestamp:datetime"},
		// watchlists: standard columns, the others open and string
		{`_GetWatchlist("vip") | project SearchKey, Upn, WatchlistItem`, "SearchKey:string,Upn:string,WatchlistItem:dynamic"},
		// search: the input's schema; as a source, $table first
		{`CloudAppEvents | search "admin" and Bytes > 1 | project ActionType`, "ActionType:string"},
		{`search in (CloudAppEvents) "x" | project $table, Bytes`, "$table:string,Bytes:long"},
		{`CloudAppEvents | extend a = column_ifexists("Bytes", 0.5), b = column_ifexists("Nope", "d") | project a, b`, "a:long,b:string"},
	}
	for _, c := range cases {
		_, ck, d := checkQuery(t, c.q)
		if d.HasErrors() {
			t.Errorf("%s: %s", c.q, d.Render(lang.NewSource("q", c.q), 3))
			continue
		}
		if got := schemaText(ck.Last); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.q, got, c.want)
		}
	}
}

func TestBuiltinErrors(t *testing.T) {
	cases := []struct{ q, want, hint string }{
		{`CloudAppEvents | invoke FileProfil()`, "unknown function FileProfil", "did you mean FileProfile?"},
		{`let g = (x:long) { x + 1 }; CloudAppEvents | invoke g(1)`, "first parameter is a table", ""},
		{`CloudAppEvents | search "a" and Bytez > 1`, "unknown column Bytez", "did you mean Bytes?"},
		{`union isfuzzy=true (CloudAppEvents | where Bytez > 1), NoSuchTable`, "unknown column Bytez", "did you mean Bytes?"},
		{`CloudAppEvents | where ActionType == 1 | project tostrin(Bytes)`, "unknown function tostrin", "did you mean tostring?"},
		{`print ifff(true, 1, 2)`, "unknown function ifff", "did you mean iff?"},
	}
	for _, c := range cases {
		_, _, d := checkQuery(t, c.q)
		found := false
		for _, x := range d {
			if x.Severity == lang.SevError && strings.Contains(x.Msg, c.want) && strings.Contains(x.Hint, c.hint) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: want error %q (%q), got %v", c.q, c.want, c.hint, d)
		}
	}
	// isfuzzy still forgives a leg whose table is unknown
	if _, _, d := checkQuery(t, `union isfuzzy=true CloudAppEvents, NoSuchTable`); d.HasErrors() {
		t.Errorf("isfuzzy union with an unknown table: %v", d)
	}
}

func TestWatchlistFromEnv(t *testing.T) {
	q := `_GetWatchlist("vip") | project Upn, Level`
	src := lang.NewSource("q", q)
	tree, _ := syntax.Parse(src)
	env := &check.Env{Tables: catalog, Watchlist: func(alias string) (*types.Schema, bool) {
		if alias != "vip" {
			return nil, false
		}
		return check.WatchlistSchema([]types.Column{{Name: "Upn", Type: types.String}, {Name: "Level", Type: types.String}}), true
	}}
	if _, d := check.CheckWith(tree, env); d.HasErrors() {
		t.Fatalf("known watchlist: %v", d)
	}
	tree, _ = syntax.Parse(lang.NewSource("q", `_GetWatchlist("vip") | project Upnn`))
	d := check.Check(tree, env)
	if !d.HasErrors() || !strings.Contains(d[0].Hint, "Upn") {
		t.Errorf("a watchlist given locally has a closed schema: %v", d)
	}
}
