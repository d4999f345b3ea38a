package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/schemas"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// loaded is the tables of some bindings as text cells, plus the problems
// and notes reported.
type loaded struct {
	tables   map[string][]map[string]string
	problems []catalog.Problem
	notes    []string
}

func load(t *testing.T, bindings ...source.Binding) loaded {
	t.Helper()
	var out loaded
	opts := source.Options{
		Report: func(p catalog.Problem) { out.problems = append(out.problems, p) },
		Note:   func(s string) { out.notes = append(out.notes, s) },
	}
	tables, err := source.Load(bindings, opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	out.tables = map[string][]map[string]string{}
	for _, tb := range tables {
		out.tables[tb.Name()] = scan(t, tb)
	}
	return out
}

func loadPath(t *testing.T, path string) loaded {
	t.Helper()
	return load(t, source.Binding{Path: path})
}

func scan(t *testing.T, tb catalog.Table) []map[string]string {
	t.Helper()
	rr, err := tb.Scan(context.Background(), catalog.ScanOptions{BatchRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	var rows []map[string]string
	for {
		rec, err := rr.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil {
			return rows
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			row := map[string]string{}
			for c, f := range rec.Schema().Fields() {
				row[f.Name] = cell(rec.Column(c), i)
			}
			rows = append(rows, row)
		}
		rec.Release()
	}
}

func cell(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "<null>"
	}
	switch x := a.(type) {
	case *array.String:
		return x.Value(i)
	case *array.Timestamp:
		return time.Unix(0, int64(x.Value(i))).UTC().Format(time.RFC3339Nano)
	case *array.Int64:
		return fmt.Sprint(x.Value(i))
	case *array.Boolean:
		return fmt.Sprint(x.Value(i))
	}
	return a.ValueStr(i)
}

func find(t *testing.T, rows []map[string]string, col, val string) map[string]string {
	t.Helper()
	for _, r := range rows {
		if r[col] == val {
			return r
		}
	}
	t.Fatalf("no row with %s = %q", col, val)
	return nil
}

func expect(t *testing.T, what string, row map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s: %s = %q, want %q", what, k, row[k], v)
		}
	}
}

// problemTexts renders problems as "base:line: field: reason".
func problemTexts(ps []catalog.Problem) []string {
	var out []string
	for _, p := range ps {
		f := p.File
		if i := strings.LastIndexByte(f, '/'); i >= 0 {
			f = f[i+1:]
		}
		out = append(out, fmt.Sprintf("%s:%d: %s: %s", f, p.Line, p.Field, p.Reason))
	}
	return out
}

func expectProblems(t *testing.T, got []catalog.Problem, want ...string) {
	t.Helper()
	texts := problemTexts(got)
	if strings.Join(texts, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
}

func TestMailDir(t *testing.T) {
	l := loadPath(t, "testdata/maildir")
	if len(l.tables) != 1 {
		t.Fatalf("tables %v, want only EmailHeaders", keys(l.tables))
	}
	rows := l.tables[EmailHeaders]
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2 (reply.eml and sub/plain.eml)", len(rows))
	}
	expectProblems(t, l.problems)
	if !strings.Contains(strings.Join(l.notes, "\n"), "sub/notes.csv: skipped: csv file in a sub-folder") {
		t.Errorf("notes %q: want the skipped CSV in the sub-folder", l.notes)
	}
	r := find(t, rows, "SourceFile", "testdata/maildir/reply.eml")
	expect(t, "reply.eml", r, map[string]string{
		"MessageId":             "CAB1234@mail.contoso.com",
		"InReplyTo":             "old-thread-1@fabrikam.com",
		"References":            `["old-thread-0@fabrikam.com","old-thread-1@fabrikam.com"]`,
		"Date":                  "2024-03-05T09:11:58Z",
		"Subject":               "RE: Fråga om faktura #4471",
		"From":                  "bjorn.svensson@contoso.com",
		"FromDisplayName":       "Björn Svensson",
		"FromDomain":            "contoso.com",
		"Sender":                "billing@contoso-invoices.com",
		"ReplyTo":               "payments@contoso-lnvoices.com",
		"ReturnPath":            "bounce+7731@mailer.contoso-invoices.com",
		"ReturnPathDomain":      "mailer.contoso-invoices.com",
		"To":                    `["alice@fabrikam.com","bob@fabrikam.com"]`,
		"Cc":                    `["carol@fabrikam.com","alice@fabrikam.com"]`,
		"Recipients":            `["alice@fabrikam.com","bob@fabrikam.com","carol@fabrikam.com"]`,
		"Spf":                   "softfail", // the first result of each method, top header first
		"Dkim":                  "fail",
		"Dmarc":                 "fail",
		"CompAuth":              "fail",
		"SCL":                   "6",
		"AutoForwarded":         "true",
		"XMailFwdBy":            "alice@fabrikam.com",
		"ThreadTopic":           "Fråga om faktura",
		"ThreadIndex":           "AdpuZ1k2",
		"ReceivedCount":         "2",
		"OriginatingIP":         "198.51.100.23",
		"AttachmentCount":       "3",
		"Attachments":           `[{"Name":"faktura_å.pdf","ContentType":"application/pdf","Size":71},{"Name":"pay now.hta","ContentType":"application/octet-stream","Size":8},{"Name":"","ContentType":"message/rfc822","Size":46}]`,
		"QuotedDates":           `["2023-01-09T15:04:00.0000000Z","2023-01-03T08:15:00.0000000Z"]`,
		"QuotedAddresses":       `["alice@fabrikam.com","bjorn.svensson@contoso.com","dave@fabrikam.com","erin@fabrikam.com"]`,
		"AuthenticationResults": "mx.fabrikam.com; spf=softfail (domain of transitioning bounce@contoso-invoices.com does not designate 203.0.113.45 as permitted sender) smtp.mailfrom=contoso-invoices.com; dkim=fail (signature did not verify) header.d=contoso-invoices.com header.s=s1; dmarc=fail (p=reject dis=none) header.from=contoso.com\nspf=pass (sender IP is 198.51.100.7) smtp.mailfrom=relay.example; dkim=pass header.d=relay.example; compauth=fail reason=601",
	})
	if !strings.HasPrefix(r["Received"], `["from EX1.fabrikam.com (10.0.0.5) by EX2.fabrikam.com (10.0.0.6) with Microsoft SMTP Server id 15.20.1;`) {
		t.Errorf("Received = %s", r["Received"])
	}
	h, err := types.ParseDynamic(r["Headers"])
	if err != nil {
		t.Fatal(err)
	}
	hb := h.(*types.Bag)
	if v, _ := hb.Get("X-Custom"); types.FormatDynamic(v) != `["one","two"]` {
		t.Errorf(`Headers["X-Custom"] = %s, want ["one","two"]`, types.FormatDynamic(v))
	}
	if v, _ := hb.Get("Subject"); v != "RE: Fråga om faktura #4471" {
		t.Errorf(`Headers["Subject"] = %v`, v)
	}

	p := find(t, rows, "SourceFile", "testdata/maildir/sub/plain.eml")
	expect(t, "plain.eml", p, map[string]string{
		"From": "dave@fabrikam.com", "FromDisplayName": "Dave", "Date": "2024-03-06T17:00:00Z",
		"Spf": "", "SCL": "<null>", "AutoForwarded": "false", "Attachments": "[]", "AttachmentCount": "0",
		"References": "[]", "Received": "[]", "ReceivedCount": "0", "OriginatingIP": "", "QuotedDates": "[]",
	})
}

func TestNamedBinding(t *testing.T) {
	l := load(t, source.Binding{Name: "Mail", Path: "testdata/maildir"})
	if len(l.tables["Mail"]) != 2 || len(l.tables) != 1 {
		t.Fatalf("tables %v, want Mail with 2 rows", keys(l.tables))
	}
}

func TestBadEml(t *testing.T) {
	l := loadPath(t, "testdata/bad.eml")
	rows := l.tables[EmailHeaders]
	if len(rows) != 1 {
		t.Fatalf("%d rows, want 1 (loaded with its problems reported)", len(rows))
	}
	expect(t, "bad.eml", rows[0], map[string]string{
		"MessageId": "broken-1@evil.example", "Date": "<null>", "SCL": "<null>", "From": "mallory@evil.example",
		"Attachments": `[{"Name":"a.zip","ContentType":"application/zip","Size":9}]`,
	})
	expectProblems(t, l.problems,
		`bad.eml:6: Headers: not a header field, ignored: "this line is not a header"`,
		`bad.eml:4: Date: not a date: "yesterday-ish"`,
		`bad.eml:5: SCL: not a number: "high"`,
		`bad.eml:8: Attachments: multipart/mixed part 2: unexpected EOF (missing closing boundary "--b1--"?)`,
	)
}

func TestMbox(t *testing.T) {
	l := loadPath(t, "testdata/archive.mbox")
	rows := l.tables[EmailHeaders]
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	expect(t, "first", rows[0], map[string]string{"SourceFile": "testdata/archive.mbox#1", "MessageId": "m1@fabrikam.com", "Subject": "first"})
	expect(t, "third", rows[1], map[string]string{
		"SourceFile": "testdata/archive.mbox#3", "Subject": "second ✓", "InReplyTo": "m1@fabrikam.com",
		"QuotedDates": `["2024-01-08T10:00:00.0000000Z"]`, "QuotedAddresses": `["alice@fabrikam.com"]`,
	})
	expectProblems(t, l.problems, `archive.mbox:12: : message skipped: no header fields (starts "%%% not a message %%%")`)
}

func TestAuthResults(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"mx.google.com; dkim=pass header.i=@a.com header.s=x; spf=pass (google.com: domain of b@a.com designates 1.2.3.4 as permitted sender) smtp.mailfrom=b@a.com; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=a.com",
			"dkim=pass spf=pass dmarc=pass"},
		{"spf=None (sender IP is 1.2.3.4) smtp.mailfrom=x; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=x;compauth=fail reason=001",
			"spf=none dkim=none dmarc=none compauth=fail"},
		{"example.org 1; none", ""},
		{`a.example; dkim/1=fail "quoted; semi" header.d=x; auth=pass (a (nested; comment) b) smtp.auth=u`, "dkim=fail auth=pass"},
	} {
		var got []string
		for _, r := range parseAuthResults(c.in) {
			got = append(got, r.Method+"="+r.Result)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("parseAuthResults(%q) = %v, want %s", c.in, got, c.want)
		}
	}
}

func TestLooseDate(t *testing.T) {
	for in, want := range map[string]string{
		"Monday, January 9, 2023 3:04 PM":                 "2023-01-09T15:04:00Z",
		"Tue, 3 Jan 2023 08:15:00 +0100":                  "2023-01-03T07:15:00Z",
		"Mon, Jan 8, 2024 at 10:00 AM alice@x.com":        "2024-01-08T10:00:00Z",
		"terça-feira, 19 de setembro de 2023 10:58":       "2023-09-19T10:58:00Z",
		"Dienstag, 5. März 2024 09:00":                    "2024-03-05T09:00:00Z",
		"1/9/2023 3:04 PM":                                "2023-01-09T15:04:00Z",
		"Sept 4, 2022, at 9:15 AM, Bob <b@x.com>":         "2022-09-04T09:15:00Z",
		"2023-02-01 13:00, Someone <someone@example.com>": "2023-02-01T13:00:00Z",
	} {
		ns, ok := parseLooseDate(in)
		got := time.Unix(0, ns).UTC().Format(time.RFC3339)
		if !ok || got != want {
			t.Errorf("parseLooseDate(%q) = %s, %v; want %s", in, got, ok, want)
		}
	}
	if _, ok := parseLooseDate("no date here"); ok {
		t.Error("parseLooseDate accepted text without a date")
	}
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		head, want string
	}{
		{"Received: from a\r\n by b\r\nFrom: x@y\r\nSubject: s\r\n\r\nbody", "eml"},
		{"From x@y Mon Jan  8 10:00:00 2024\nFrom: x@y\nSubject: s\n\nb", "mbox"},
		{"Subject: hello\nTitle: x\n\nb", ""},
		{"a,b\n1,2\n", ""},
		{"\ufeff\"UserName\",\"RuleName\",\"RuleEnabled\",\"CopytoFolder\",\"MovetoFolder\",\"RedirectTo\",\"ForwardTo\",\"TextDescription\"\n", "inbox-rules"},
		{"\"Name\",\"Description\",\"CreatedBy\",\"WhenChanged\",\"State\"\n", "transport-rules"},
		{`[{"MailboxOwnerId":"x","Name":"r","Enabled":true}]`, "inbox-rules"},
		{"TimeStamp,AppIdType,ActivityIdType,ActivityItemId,ActivityCreationTime,ClientSessionId,CustomProperties\n", "outlook-activities"},
		{`{"value":[{"ActivityIdType":"ServerLogon","AppIdType":"Exchange"}]}`, "outlook-activities"},
	} {
		head := strings.TrimPrefix(c.head, "\ufeff")
		got := ""
		for _, f := range []source.Format{emlFormat{}, mboxFormat{}, inboxRulesFormat{}, transportRulesFormat{}, activitiesFormat{}} {
			if f.Detect("x.dat", []byte(head)) {
				if got != "" {
					t.Errorf("%q: detected as %s and %s", c.head, got, f.Name())
				}
				got = f.Name()
			}
		}
		if got != c.want {
			t.Errorf("Detect(%q) = %q, want %q", c.head, got, c.want)
		}
	}
}

func TestSchemasMatch(t *testing.T) {
	for _, table := range []string{EmailHeaders, InboxRules, TransportRules, OutlookActivities} {
		s, ok := schemas.Lookup(table)
		if !ok {
			t.Errorf("lang/schemas has no %s", table)
			continue
		}
		cols := Columns(table)
		if len(s.Columns) != len(cols) {
			t.Errorf("%s: schema file has %d columns, reader %d", table, len(s.Columns), len(cols))
			continue
		}
		for i, c := range cols {
			if s.Columns[i].Name != c.Name || s.Columns[i].Type != c.Kind {
				t.Errorf("%s column %d: schema file %s:%v, reader %s:%v", table, i, s.Columns[i].Name, s.Columns[i].Type, c.Name, c.Kind)
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestStrict(t *testing.T) {
	_, err := source.Load([]source.Binding{{Path: "testdata/bad.eml"}}, source.Options{Strict: true})
	se, ok := err.(*source.Error)
	if !ok {
		t.Fatalf("Load with Strict: %v, want a *source.Error", err)
	}
	if got := se.Error(); got != `testdata/bad.eml:6: column Headers: not a header field, ignored: "this line is not a header"` {
		t.Errorf("error %q", got)
	}
}

// TestTruncated parses every prefix (in steps) of the fixtures and real
// messages: cut messages load or are reported, never panic.
func TestTruncated(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.eml")
	more, _ := filepath.Glob("testdata/maildir/*.eml")
	files = append(files, more...)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for cut := 0; cut <= len(raw); cut += 7 {
			row, probs := parseMessage(raw[:cut], f, 0)
			for _, p := range probs {
				if strings.Contains(p.Reason, "internal error") {
					t.Fatalf("%s[:%d]: %s", f, cut, p.Reason)
				}
			}
			if row == nil && len(probs) == 0 {
				t.Fatalf("%s[:%d]: no row and no problem", f, cut)
			}
		}
	}
	for _, s := range []string{`{'a': '\x4`, `{'a': [1, (2, {'b': None`, `{'k': 'v', 'x': 1e5, 'y': -2}`} {
		for cut := 0; cut <= len(s); cut++ {
			parsePyLiteral(s[:cut])
		}
	}
}
