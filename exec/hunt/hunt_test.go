package hunt

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/queries"
)

const events = `{"Timestamp":"2024-02-10T10:00:00Z","ActionType":"MailItemsAccessed","IPAddress":"203.0.113.5","ISP":"Contoso Fiber","UserAgent":"Outlook","RawEventData":{"UserId":"adelev@contoso.com"}}
{"Timestamp":"2024-02-27T02:56:00Z","ActionType":"New-InboxRule","IPAddress":"185.220.101.47","ISP":"Frantech","UserAgent":"python-requests/2.31.0","RawEventData":{"UserId":"adelev@contoso.com","ObjectId":"adelev\\."}}
{"Timestamp":"2024-02-28T09:00:00Z","ActionType":"New-MailboxExportRequest","IPAddress":"198.51.100.7","ISP":"Northwind","UserAgent":"PowerShell","RawEventData":{"UserId":"admin@contoso.com"}}
`

func fixture(t *testing.T) (*queries.Library, *catalog.Catalog) {
	t.Helper()
	lib, err := queries.LoadDir("../../queries/testdata")
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.New()
	tables, err := source.ReadBytes("", "CloudAppEvents.jsonl", []byte(events), source.Options{Report: cat.Report})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		cat.Add(tb)
	}
	return lib, cat
}

func TestRunAndWrite(t *testing.T) {
	lib, cat := fixture(t)
	bound := cat.Names()
	Cache(cat, 0)
	inv, err := Inventory(context.Background(), cat, bound)
	if err != nil || len(inv) != 1 || inv[0].Rows != 3 || inv[0].Last != "2024-02-28T09:00:00.0000000Z" || inv[0].TimeColumn != "Timestamp" {
		t.Fatalf("inventory %+v %v", inv, err)
	}
	Conform(cat)
	broken := *lib.Hunt("testdata/mailbox-export")
	broken.ID = "testdata/broken"
	broken.Query = "CloudAppEvents | where NoSuchColumn > 1"
	skipped := *lib.Hunt("testdata/mailbox-export")
	skipped.ID, skipped.Tables = "testdata/skipped", []string{"EmailEvents"}
	hunts := append(lib.Hunts(), &broken, &skipped)
	now := time.Unix(0, inv[0].LastNanos).UTC()
	res := Run(context.Background(), hunts, Options{Catalog: cat, Bound: bound, Now: now, Parallel: 2})
	if len(res) != 4 {
		t.Fatalf("%d results", len(res))
	}
	if res[0].Status != OK || len(res[0].Findings) != 1 || res[1].Status != OK || len(res[1].Findings) != 1 {
		t.Fatalf("results: %+v %+v", res[0], res[1])
	}
	if res[2].Status != Failed || !strings.Contains(res[2].Reason, "NoSuchColumn") {
		t.Errorf("broken: %+v", res[2])
	}
	if res[3].Status != Skipped || res[3].Reason != "needs EmailEvents; not in the data" {
		t.Errorf("skipped: %+v", res[3])
	}
	f := res[1].Findings[0]
	if f.Severity != "high" || f.Entity("user") != "adelev@contoso.com" || f.Entity("ip") != "185.220.101.47" || f.Time != "2024-02-27T02:56:00Z" {
		t.Errorf("finding %+v", f)
	}
	var jl bytes.Buffer
	if err := WriteJSONL(&jl, res); err != nil {
		t.Fatal(err)
	}
	want := `{"hunt":"testdata/mailbox-export","name":"Mailbox export requests","severity":"low","time":"2024-02-28T09:00:00Z","techniques":["T1114.002"],"tactics":["Collection"],"entities":{"user":"admin@contoso.com"},"row":{"Timestamp":"2024-02-28T09:00:00Z","Actor":"admin@contoso.com","IPAddress":"198.51.100.7"}}
{"hunt":"testdata/rule-from-new-isp","name":"Inbox rule created from an ISP the account had not used","severity":"high","time":"2024-02-27T02:56:00Z","techniques":["T1564.008"],"tactics":["Persistence","DefenseEvasion"],"entities":{"user":"adelev@contoso.com","ip":"185.220.101.47"},"row":{"Timestamp":"2024-02-27T02:56:00Z","User":"adelev@contoso.com","IPAddress":"185.220.101.47","ISP":"Frantech","RuleName":"adelev\\.","Severity":"high"}}
`
	if jl.String() != want {
		t.Errorf("jsonl:\n%s\nwant:\n%s", jl.String(), want)
	}
	var sum bytes.Buffer
	if err := WriteSummary(&sum, res); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"testdata/broken  ", "FAILED", "skipped 1 hunt (needs EmailEvents; not in the data): testdata/skipped\n",
		"4 hunts: 2 ran, 1 skipped, 1 failed; 2 findings (1 high, 1 low)"} {
		if !strings.Contains(sum.String(), w) {
			t.Errorf("summary lacks %q:\n%s", w, sum.String())
		}
	}
	var csvb bytes.Buffer
	if err := WriteCSV(&csvb, res); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(csvb.String(), "\n"); lines[0] != "hunt,name,severity,time,techniques,tactics,entity.user,entity.ip,row.Timestamp,row.Actor,row.IPAddress,row.User,row.ISP,row.RuleName,row.Severity" || len(lines) != 4 {
		t.Errorf("csv:\n%s", csvb.String())
	}
	var html bytes.Buffer
	if err := WriteHTML(&html, &Report{Title: "t", Now: "now", Data: inv, Results: res}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`id="testdata/rule-from-new-isp"`, `<b>user</b> <span class="ent">adelev@contoso.com</span>`, "Failed hunts", "NoSuchColumn", "Skipped hunts", "let lookback = 90d;"} {
		if !strings.Contains(html.String(), w) {
			t.Errorf("html lacks %q", w)
		}
	}
	if testing.Verbose() {
		os.WriteFile(filepath.Join(t.TempDir(), "r.html"), html.Bytes(), 0o644)
	}
}

func TestTestsOfFixturePack(t *testing.T) {
	lib, _ := fixture(t)
	for _, h := range lib.Hunts() {
		for _, name := range h.Tests {
			c, err := LoadTest(h, name)
			if err != nil {
				t.Fatal(err)
			}
			o, err := RunTest(context.Background(), h, c, TestOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !o.Pass {
				t.Errorf("%s: %s", c.Path, o.Diff)
			}
		}
	}
	// a failing case shows a diff
	h := lib.Hunt("testdata/mailbox-export")
	data, _ := h.TestFile("testdata/mailbox-export.fires.txtar")
	c, err := LoadTest(h, "testdata/mailbox-export.fires.txtar")
	if err != nil {
		t.Fatal(err)
	}
	c.Now = time.Date(2024, 3, 20, 0, 0, 0, 0, time.UTC) // the 10d window now misses the row
	o, err := RunTest(context.Background(), h, c, TestOptions{})
	if err != nil || o.Pass || !strings.Contains(o.Diff, "-2024-02-25T10:00:00.0000000Z,admin@contoso.com,198.51.100.7") {
		t.Errorf("want a failing diff, got %+v %v (case %d bytes)", o, err, len(data))
	}
}

// TestCacheLimit: a table over the cache limit is read from its files, with the same findings.
func TestCacheLimit(t *testing.T) {
	for _, limit := range []int64{0, 1} {
		lib, cat := fixture(t)
		bound := cat.Names()
		Cache(cat, limit)
		Conform(cat)
		now := time.Date(2024, 2, 28, 9, 0, 0, 0, time.UTC)
		for i := 0; i < 2; i++ { // the second run scans the held records
			res := Run(context.Background(), lib.Hunts(), Options{Catalog: cat, Bound: bound, Now: now})
			var jl bytes.Buffer
			WriteJSONL(&jl, res)
			if n := strings.Count(jl.String(), "\n"); n != 2 || !strings.Contains(jl.String(), `"Actor":"admin@contoso.com"`) {
				t.Errorf("limit %d run %d: %d findings:\n%s", limit, i, n, jl.String())
			}
		}
	}
}

func TestFlatten(t *testing.T) {
	for in, want := range map[string]string{
		`["a@x.com","b@y.com"]`: "a@x.com, b@y.com",
		`["a@x.com"]`:           "a@x.com",
		`[]`:                    "",
		`"s"`:                   "s",
		`[1,"a",null]`:          "1, a",
		`{"k":1}`:               `{"k":1}`,
		`[["nested"]]`:          `[["nested"]]`,
	} {
		if got := flatten(in); got != want {
			t.Errorf("flatten(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteBrief(t *testing.T) {
	mk := func(sev, hunt, reason string) *Finding {
		return &Finding{Hunt: hunt, Name: hunt + " name", Severity: sev,
			Entities: []Entity{{"user", "alice@contoso.com"}, {"ip", ""}},
			Row:      []Cell{{Name: "Reason", Text: reason}}}
	}
	results := []*Result{
		{Findings: []*Finding{mk("medium", "p/a", "why a"), mk("informational", "p/a", "")}},
		{Findings: []*Finding{mk("high", "p/b", "why b"), mk("low", "p/b", "")}},
	}
	var b strings.Builder
	if err := WriteBrief(&b, results, "medium"); err != nil {
		t.Fatal(err)
	}
	want := "\n[HIGH] p/b — p/b name\n  entities: user=alice@contoso.com\n  reason:   why b\n" +
		"\n[MEDIUM] p/a — p/a name\n  entities: user=alice@contoso.com\n  reason:   why a\n" +
		"\n2 lower-severity findings not shown (stacking and baselines for review): --out FILE.html|.jsonl|.csv writes every finding\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
