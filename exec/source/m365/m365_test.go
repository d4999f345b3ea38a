package m365

import (
	"context"
	"encoding/json"
	"errors"
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
)

// loaded is one file's tables as text cells, plus the problems reported.
type loaded struct {
	tables   map[string][]map[string]string
	problems []catalog.Problem
}

func loadFile(t *testing.T, path string) loaded {
	t.Helper()
	var out loaded
	opts := source.Options{Report: func(p catalog.Problem) { out.problems = append(out.problems, p) }}
	tables, err := source.Load([]source.Binding{{Path: path}}, opts)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	out.tables = map[string][]map[string]string{}
	for _, tb := range tables {
		out.tables[tb.Name()] = scan(t, tb)
	}
	return out
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
		return time.Unix(0, int64(x.Value(i))).UTC().Format(time.RFC3339)
	case *array.Int32:
		return fmt.Sprint(x.Value(i))
	case *array.Int64:
		return fmt.Sprint(x.Value(i))
	case *array.Boolean:
		return fmt.Sprint(x.Value(i))
	case *array.Float64:
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

func expect(t *testing.T, row map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s = %q, want %q", k, row[k], v)
		}
	}
}

// checkCommon asserts the mapping of the records shared by the fixtures.
func checkCommon(t *testing.T, l loaded) {
	t.Helper()
	oa, ca := l.tables[OfficeActivity], l.tables[CloudAppEvents]
	if len(oa) != len(ca) {
		t.Fatalf("OfficeActivity %d rows, CloudAppEvents %d", len(oa), len(ca))
	}
	rule := find(t, oa, "Operation", "New-InboxRule")
	expect(t, rule, map[string]string{
		"TimeGenerated":  "2023-09-26T01:56:15Z",
		"UserId":         "adele.vance@contoso.com",
		"ClientIP":       "203.0.113.7",
		"OfficeWorkload": "Exchange",
		"RecordType":     "ExchangeAdmin",
		"ResultStatus":   "True",
		"UserType":       "Regular",
		"UserKey":        "10032001A2B3C4D5",
		"OrganizationId": "7a1b2c3d-0000-4000-8000-00000000c0de",
		"OfficeObjectId": `contoso.onmicrosoft.com/Users/adele.vance\.`,
		"ExternalAccess": "false",
		"Type":           "OfficeActivity",
	})
	var params []struct{ Name, Value string }
	if err := json.Unmarshal([]byte(rule["Parameters"]), &params); err != nil || len(params) != 6 || params[4].Name != "SubjectOrBodyContainsWords" || params[4].Value != "invoice;payment;wire" {
		t.Errorf("Parameters = %s (%v)", rule["Parameters"], err)
	}
	expect(t, find(t, oa, "Operation", "FileAccessed"), map[string]string{
		"OfficeWorkload":  "SharePoint",
		"RecordType":      "SharePointFileOperation",
		"ClientIP":        "198.51.100.20",
		"Site_Url":        "https://contoso.sharepoint.com/sites/Finance/",
		"SourceFileName":  "Q3 payroll.xlsx",
		"OfficeObjectId":  "https://contoso.sharepoint.com/sites/Finance/Shared Documents/Q3 payroll.xlsx",
		"UserAgent":       "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/117.0.0.0 Safari/537.36",
		"MailboxOwnerUPN": "",
	})
	cr := find(t, ca, "ActionType", "New-InboxRule")
	expect(t, cr, map[string]string{
		"Timestamp":          "2023-09-26T01:56:15Z",
		"Application":        "Microsoft Exchange Online",
		"ApplicationId":      "20893",
		"AccountDisplayName": "adele.vance@contoso.com",
		"AccountObjectId":    "",
		"IPAddress":          "203.0.113.7",
		"IsAdminOperation":   "false",
		"ReportId":           "5c1c4a3e-6d2b-4f3a-9d5e-0a1b2c3d4e5f",
		"CountryCode":        "",
	})
	if !strings.HasPrefix(cr["RawEventData"], `{"CreationTime":"2023-09-26T01:56:15","Id":"5c1c4a3e`) || !strings.Contains(cr["RawEventData"], `"Parameters":[{"Name":"AlwaysDeleteOutlookRulesBlob"`) {
		t.Errorf("RawEventData = %s", cr["RawEventData"])
	}
	expect(t, find(t, ca, "ActionType", "FileAccessed"), map[string]string{
		"Application": "Microsoft SharePoint Online",
		"ObjectName":  "Q3 payroll.xlsx",
		"ObjectType":  "File",
		"IPAddress":   "198.51.100.20",
		"UserAgent":   "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/117.0.0.0 Safari/537.36",
	})
	expect(t, find(t, ca, "ActionType", "Set-Mailbox"), map[string]string{
		"IPAddress":        "2001:db8::9",
		"IsAdminOperation": "true",
		"AccountType":      "DcAdmin",
	})
}

func TestPurviewCSV(t *testing.T) {
	l := loadFile(t, "testdata/purview_audit_export.csv")
	if len(l.tables) != 2 {
		t.Fatalf("tables = %v", keys(l.tables))
	}
	if n := len(l.tables[OfficeActivity]); n != 5 {
		t.Fatalf("OfficeActivity rows = %d, want 5 (6 rows, 1 malformed)", n)
	}
	checkCommon(t, l)
	if len(l.problems) != 1 || l.problems[0].Field != "AuditData" || l.problems[0].Line != 51 || !strings.Contains(l.problems[0].Reason, "not valid JSON") {
		t.Errorf("problems = %+v", l.problems)
	}
	oa, ca := l.tables[OfficeActivity], l.tables[CloudAppEvents]
	expect(t, find(t, oa, "Operation", "MailItemsAccessed"), map[string]string{
		"RecordType":          "ExchangeItemAggregated",
		"ClientIP":            "2001:db8::5",
		"Client_IPAddress":    "[2001:db8::5]:443",
		"MailboxOwnerUPN":     "adele.vance@contoso.com",
		"ClientInfoString":    "Client=OWA;Action=ViaProxy",
		"OperationProperties": `[{"Name":"MailAccessType","Value":"Bind"},{"Name":"IsThrottled","Value":"False"}]`,
	})
	expect(t, find(t, ca, "ActionType", "MailItemsAccessed"), map[string]string{
		"IPAddress": "2001:db8::5",
		"UserAgent": "Client=OWA;Action=ViaProxy",
	})
	expect(t, find(t, ca, "ActionType", "UserLoggedIn"), map[string]string{
		"Application":     "Microsoft Azure Active Directory",
		"AccountObjectId": "4d3c2b1a-0f9e-4d8c-9b6a-5f4e3d2c1b0a",
		"UserAgent":       "python-requests/2.31.0",
		"Timestamp":       "2023-09-26T01:50:44Z",
	})
}

func TestStrict(t *testing.T) {
	_, err := source.Load([]source.Binding{{Path: "testdata/purview_audit_export.csv"}}, source.Options{Strict: true})
	var se *source.Error
	if !errors.As(err, &se) || se.Line != 51 || se.Field != "AuditData" {
		t.Fatalf("Strict load: %v", err)
	}
}

func TestOldPortalCSV(t *testing.T) {
	// UTF-16 LE with BOM, CreationDate/UserIds/Operations/AuditData.
	l := loadFile(t, "testdata/AuditLog_old.csv")
	if n := len(l.tables[OfficeActivity]); n != 3 || len(l.problems) != 0 {
		t.Fatalf("rows = %d, problems = %+v", n, l.problems)
	}
	checkCommon(t, l)
}

func TestManagementJSON(t *testing.T) {
	l := loadFile(t, "testdata/mgmt_content.json")
	if n := len(l.tables[OfficeActivity]); n != 5 || len(l.problems) != 0 {
		t.Fatalf("rows = %d, problems = %+v", n, l.problems)
	}
	checkCommon(t, l)

	l = loadFile(t, "testdata/mgmt.jsonl")
	if n := len(l.tables[CloudAppEvents]); n != 5 {
		t.Fatalf("rows = %d", n)
	}
	checkCommon(t, l)
	if len(l.problems) != 2 || l.problems[0].Line != 6 || l.problems[1].Line != 7 || !strings.Contains(l.problems[1].Reason, "not an object") {
		t.Errorf("problems = %+v", l.problems)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name, head, want string
	}{
		{"a.csv", "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n", "ual-csv"},
		{"x.txt", "CreationDate,UserIds,Operations,AuditData\n", "ual-csv"},
		{"a.csv", "TimeGenerated,Operation,AuditData2\n", "csv"},
		{"a.json", `[{"CreationTime":"2023-01-01T00:00:00","Operation":"x","Workload":"Exchange"}]`, "o365-json"},
		{"a.log", `{"CreationTime":"2023-01-01T00:00:00","Operation":"x","RecordType":1}` + "\n", "o365-json"},
		{"a.jsonl", `{"CreationDate":"2023-01-01","Operations":"x","AuditData":"{}"}` + "\n", "o365-json"},
		{"a.jsonl", `{"CreationTime":"2023-01-01T00:00:00","Operation":"x"}` + "\n", "json"},
		{"a.jsonl", `{"time":"2023-01-01","category":"SignInLogs"}` + "\n", "json"},
	}
	for _, c := range cases {
		f := source.Detect(c.name, []byte(c.head))
		if f == nil || f.Name() != c.want {
			got := "<nil>"
			if f != nil {
				got = f.Name()
			}
			t.Errorf("Detect(%s, %.40q) = %s, want %s", c.name, c.head, got, c.want)
		}
	}
}

func TestStripPort(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3.4:12345": "1.2.3.4", "1.2.3.4": "1.2.3.4", "[::1]:443": "::1", "[2001:db8::1]": "2001:db8::1",
		"FE80::": "FE80::", "2001:db8::1": "2001:db8::1", "[::ffff:1.2.3.4]:80": "1.2.3.4", "::ffff:10.0.0.1": "10.0.0.1", "": "", "host:abc": "host:abc",
	} {
		if got := stripPort(in); got != want {
			t.Errorf("stripPort(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSekoiaSamples loads the real Management Activity API samples: every
// one of the 73 records (LABELS.md) loads, none is rejected.
func TestSekoiaSamples(t *testing.T) {
	dir := "/work/shared/data/sekoia-intake-formats/o365-management-activity-samples"
	labels, err := os.ReadFile(filepath.Join(dir, "LABELS.md"))
	if err != nil {
		t.Skip("no shared data")
	}
	var want int
	if _, err := fmt.Sscanf(string(labels[strings.Index(string(labels), "(")+1:]), "%d events", &want); err != nil || want == 0 {
		t.Fatalf("row count not found in LABELS.md: %v", err)
	}
	l := loadFile(t, filepath.Join(dir, "ManagementActivity.jsonl"))
	if len(l.problems) != 0 {
		t.Errorf("problems: %+v", l.problems)
	}
	oa, ca := l.tables[OfficeActivity], l.tables[CloudAppEvents]
	if len(oa) != want || len(ca) != want {
		t.Fatalf("rows = %d/%d, want %d", len(oa), len(ca), want)
	}
	n := 0
	for _, r := range ca {
		if r["ActionType"] == "New-InboxRule" {
			n++
			if !strings.Contains(r["RawEventData"], `"ForwardTo"`) || r["Application"] != "Microsoft Exchange Online" {
				t.Errorf("New-InboxRule row: %v", r)
			}
		}
		if r["Timestamp"] == "<null>" {
			t.Errorf("row without Timestamp: %s", r["ReportId"])
		}
	}
	if n != 1 {
		t.Errorf("New-InboxRule rows = %d, want 1", n)
	}
	upd := 0
	for _, r := range oa {
		if r["Operation"] == "UpdateInboxRules" {
			upd++
			if r["OperationProperties"] == "<null>" {
				t.Errorf("UpdateInboxRules without OperationProperties")
			}
		}
	}
	if upd != 3 {
		t.Errorf("UpdateInboxRules rows = %d, want 3", upd)
	}
}

func keys(m map[string][]map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestSchemas: the tables this package maps to and reads have their documented schemas.
func TestSchemas(t *testing.T) {
	for _, name := range []string{OfficeActivity, CloudAppEvents, "SigninLogs", "AuditLogs", "AADNonInteractiveUserSignInLogs"} {
		if cols := tableColumns(name); len(cols) < 5 {
			t.Errorf("schema %s: %d columns", name, len(cols))
		}
	}
	if tableColumns("NoSuchTable") != nil {
		t.Error("unknown table has a schema")
	}
}

func TestSentinelCSV(t *testing.T) {
	l := loadFile(t, "testdata/sentinel/OfficeActivity.csv")
	oa, ca := l.tables[OfficeActivity], l.tables[CloudAppEvents]
	if len(l.tables) != 2 || len(oa) != 3 || len(ca) != 3 {
		t.Fatalf("tables %v, rows %d, %d", keys(l.tables), len(oa), len(ca))
	}
	// CloudAppEvents derived from the same rows.
	cr := find(t, ca, "ActionType", "New-InboxRule")
	expect(t, cr, map[string]string{
		"Timestamp":          "2023-09-26T01:56:15Z",
		"AccountId":          "adele.vance@contoso.com",
		"AccountDisplayName": "adele.vance@contoso.com",
		"IPAddress":          "2001:db8::5",
		"Type":               "CloudAppEvents",
	})
	if want := `{"CreationTime":"2023-09-26T01:56:15.123","Operation":"New-InboxRule","UserId":"adele.vance@contoso.com","ClientIP":"[2001:db8::5]:443","Parameters":[{"Name":"DeleteMessage","Value":"True"}],"ExternalAccess":false,"CustomCol":"x"}`; cr["RawEventData"] != want {
		t.Errorf("RawEventData = %s\nwant           %s", cr["RawEventData"], want)
	}
	if r := find(t, ca, "ActionType", "Remove-InboxRule"); r["Timestamp"] != "<null>" {
		t.Errorf("Timestamp of a row without a valid time = %s", r["Timestamp"])
	}
	r := find(t, oa, "Operation", "New-InboxRule")
	expect(t, r, map[string]string{
		"TimeGenerated":  "2023-09-26T01:56:15Z",
		"ClientIP":       "[2001:db8::5]:443", // as Sentinel stores it
		"ExternalAccess": "False",
		"Start_Time":     "<null>",
		"CustomCol":      "x",
		"TenantId":       "",       // declared column the export lacks
		"LoginStatus":    "<null>", // int column the export lacks
	})
	if !strings.Contains(r["Parameters"], `"Name": "DeleteMessage"`) {
		t.Errorf("Parameters = %q", r["Parameters"])
	}
	expect(t, find(t, oa, "Operation", "Set-Mailbox"), map[string]string{
		"TimeGenerated": "2023-09-26T14:00:00Z",
		"Start_Time":    "2023-09-26T14:00:00Z",
	})
	if _, ok := oa[0]["TimeGenerated [UTC]"]; ok {
		t.Error(`"TimeGenerated [UTC]" not renamed`)
	}
	if find(t, oa, "Operation", "Remove-InboxRule")["TimeGenerated"] != "<null>" || len(l.problems) != 1 || l.problems[0].Line != 9 {
		t.Errorf("problems = %+v", l.problems)
	}

	// A projection without "[UTC]" columns stays with the generic reader.
	if f := source.Detect("OfficeActivity.csv", []byte("TimeGenerated,UserId,Operation\n")); f == nil || f.Name() != "csv" {
		t.Errorf("Detect(OfficeActivity.csv) = %v", f)
	}
	if f := source.Detect("x.csv", []byte("TimeGenerated [UTC],UserId,Operation\n")); f == nil || f.Name() != "sentinel-csv" {
		t.Errorf("Detect(x.csv) = %v", f)
	}
}

// TestSentinelSamples loads the shared Log Analytics exports.
func TestSentinelSamples(t *testing.T) {
	const dir = "/work/shared/data"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no shared data")
	}
	l := loadFile(t, filepath.Join(dir, "azure-sentinel-training-lab/malicious-inbox-rules/OfficeActivity.csv"))
	oa := l.tables[OfficeActivity]
	if len(oa) != 2 || len(l.problems) != 0 {
		t.Fatalf("rows %d, problems %+v", len(oa), l.problems)
	}
	for _, r := range oa {
		if r["Operation"] != "New-InboxRule" || r["UserId"] != "AdeleV@contoso.OnMicrosoft.com" || r["Start_Time"] == "<null>" || !strings.Contains(r["Parameters"], "StopProcessingRules") {
			t.Errorf("row %v", r)
		}
	}
}
