package m365

import (
	"errors"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
)

// problemsAt checks the reported problems: their lines and a fragment of
// each reason, in order.
func problemsAt(t *testing.T, ps []catalog.Problem, want ...string) {
	t.Helper()
	if len(ps) != len(want) {
		for _, p := range ps {
			t.Logf("problem %d %s: %s", p.Line, p.Field, p.Reason)
		}
		t.Fatalf("%d problems, want %d", len(ps), len(want))
	}
	for i, p := range ps {
		line, frag, _ := strings.Cut(want[i], " ")
		got := (&source.Error{File: "f", Line: p.Line, Field: p.Field, Reason: p.Reason}).Error()
		if !strings.HasPrefix(got, "f:"+line+":") || !strings.Contains(got, frag) {
			t.Errorf("problem %d = %q, want line %s with %q", i, got, line, frag)
		}
	}
}

func rowCounts(l loaded) map[string]int {
	m := map[string]int{}
	for n, rows := range l.tables {
		m[n] = len(rows)
	}
	return m
}

func TestEntraEnvelope(t *testing.T) {
	l := loadFile(t, "testdata/azure/entra.jsonl")
	if got, want := rowCounts(l), map[string]int{SigninLogs: 1, AADServicePrincipalSignInLogs: 1, AuditLogs: 1, AADUserRiskEvents: 1, MicrosoftGraphActivityLogs: 1, AADNonInteractiveUserSignInLogs: 1, "SomethingNew": 1}; !equalCounts(got, want) {
		t.Fatalf("tables %v", sortedCounts(got))
	}
	expect(t, l.tables[SigninLogs][0], map[string]string{
		"TimeGenerated":     "2024-03-01T10:00:00Z",
		"ResultType":        "50126", // string, as in Sentinel
		"ResultDescription": "Invalid username or password.",
		"Location":          "NL",
		"LocationDetails":   `{"city":"Amsterdam","state":"Noord-Holland","countryOrRegion":"NL"}`,
		"Status":            `{"errorCode":50126,"failureReason":"Invalid username or password."}`,
		"DeviceDetail":      `{"operatingSystem":"Windows 10","browser":"Edge 120"}`,
		"IPAddress":         "203.0.113.5",
		"UserPrincipalName": "adele@contoso.com",
		"IsInteractive":     "true",
		"ResourceIdentity":  "797f4846-ba00-4fd7-ba43-dac1f8f63013",
		"ResourceId":        "/tenants/t1/providers/Microsoft.aadiam",
		"AADTenantId":       "11111111-1111-1111-1111-111111111111",
		"RiskEventTypes_V2": `["unfamiliarFeatures"]`,
		"Category":          "SignInLogs",
		"Type":              "SigninLogs",
		"Level":             "4",
		"TenantId":          "",
	})
	// Panther's lower-cased envelope keys; ResultType from a number.
	expect(t, l.tables[AADServicePrincipalSignInLogs][0], map[string]string{
		"TimeGenerated":        "2024-03-01T10:05:00Z",
		"ResultType":           "7000215",
		"IPAddress":            "198.51.100.7",
		"Location":             "IE",
		"ServicePrincipalName": "sp-one",
		"CorrelationId":        "c2",
		"OperationName":        "Sign-in activity",
	})
	// An audit category in the envelope (Panther) goes to AuditLogs.
	expect(t, l.tables[AuditLogs][0], map[string]string{
		"Category":            "ApplicationManagement",
		"OperationName":       "Add service principal credentials",
		"ActivityDisplayName": "Add service principal credentials",
		"AADOperationType":    "Update",
		"Result":              "success",
		"InitiatedBy":         `{"user":{"userPrincipalName":"admin@contoso.com","ipAddress":"192.0.2.9"}}`,
	})
	// Location is dynamic in AADUserRiskEvents; JSON text in a dynamic column is parsed.
	expect(t, l.tables[AADUserRiskEvents][0], map[string]string{
		"TimeGenerated":  "2022-03-24T14:42:35Z",
		"Location":       `{"city":"Paris","countryOrRegion":"FR"}`,
		"AdditionalInfo": `[{"Key":"userAgent","Value":"Mozilla/5.0"}]`,
		"RiskEventType":  "unfamiliarFeatures",
		"IpAddress":      "192.0.2.1",
	})
	expect(t, l.tables[MicrosoftGraphActivityLogs][0], map[string]string{
		"ResponseStatusCode": "403",
		"ClientAuthMethod":   "2",
		"DurationMs":         "12",
		"TokenIssuedAt":      "2025-02-18T10:20:11Z",
		"AadTenantId":        "33333333-3333-3333-3333-333333333333",
		"Location":           "North Europe",
	})
	expect(t, l.tables["SomethingNew"][0], map[string]string{"WidgetCount": "3", "Owner": "dave", "TimeGenerated": "2024-03-01T13:00:00Z"})
	problemsAt(t, l.problems,
		`6 AADNonInteractiveUserSignInLogs.DurationMs: "not a number" is not a long`,
		"7 record skipped: invalid",
		"8 record skipped: a JSON array, not an object",
		"10 record skipped: not an Entra diagnostic")
}

func TestDefenderStreaming(t *testing.T) {
	l := loadFile(t, "testdata/azure/defender.jsonl")
	if got, want := rowCounts(l), map[string]int{"EmailEvents": 2, "UrlClickEvents": 1, "EmailUrlInfo": 1, "NoSchemaYet": 1}; !equalCounts(got, want) {
		t.Fatalf("tables %v", sortedCounts(got))
	}
	e := find(t, l.tables["EmailEvents"], "NetworkMessageId", "n1")
	expect(t, e, map[string]string{
		"Timestamp":       "2024-05-01T07:59:58Z",
		"AttachmentCount": "1",
		"ConfidenceLevel": `{"Phish":"High"}`, // dynamic, parsed from its JSON text
		"BrandNewColumn":  "kept",             // not in the schema: an extra column
		"DeliveryAction":  "Delivered",
	})
	expect(t, l.tables["UrlClickEvents"][0], map[string]string{"IsClickedThrough": "true", "ActionType": "ClickAllowed"})
	// The mismatched record keeps only EmailUrlInfo's own columns.
	r := l.tables["EmailUrlInfo"][0]
	if _, ok := r["FolderPath"]; ok {
		t.Error("a DeviceEvents key became an EmailUrlInfo column")
	}
	expect(t, r, map[string]string{"ReportId": "5", "Timestamp": "2024-05-01T08:02:00Z"})
	expect(t, l.tables["NoSchemaYet"][0], map[string]string{"Count": "3", "Ratio": "0.5", "Timestamp": "2024-05-01T08:03:00Z"})
	problemsAt(t, l.problems,
		"3 category AdvancedHunting-EmailUrlInfo, but the properties do not fit table EmailUrlInfo: 8 of their 10 keys",
		`5 EmailEvents.AttachmentCount: "two" is not a int`,
		"6 record skipped: invalid")
	if !strings.Contains(l.problems[0].Reason, "DeviceEvents row, ActionType NtAllocateVirtualMemoryApiCall") {
		t.Errorf("reason %q does not name the table that fits", l.problems[0].Reason)
	}
}

func TestGraphAPI(t *testing.T) {
	l := loadFile(t, "testdata/azure/graph.json")
	if got, want := rowCounts(l), map[string]int{AuditLogs: 1, SigninLogs: 1, AADNonInteractiveUserSignInLogs: 1}; !equalCounts(got, want) {
		t.Fatalf("tables %v", sortedCounts(got))
	}
	expect(t, l.tables[AuditLogs][0], map[string]string{
		"TimeGenerated":     "2024-06-01T10:00:00Z",
		"OperationName":     "Update application – Certificates and secrets management ",
		"Category":          "ApplicationManagement",
		"Id":                "Directory_1",
		"AdditionalDetails": `[{"key":"User-Agent","value":"python/3.8 azure-graphrbac/0.61.1"}]`,
	})
	expect(t, l.tables[SigninLogs][0], map[string]string{
		"TimeGenerated":     "2024-06-01T11:00:00Z",
		"ResultType":        "0",
		"ResultDescription": "Other.",
		"Location":          "US",
		"OperationName":     "Sign-in activity",
		"Category":          "SignInLogs",
	})
	problemsAt(t, l.problems, "1 record skipped: element 4 of the batch is a JSON long")
}

func TestMessageTrace(t *testing.T) {
	l := loadFile(t, "testdata/azure/trace.json")
	rows := l.tables[MessageTrace]
	if len(l.tables) != 1 || len(rows) != 2 {
		t.Fatalf("tables %v", sortedCounts(rowCounts(l)))
	}
	expect(t, rows[0], map[string]string{
		"Received":      "2022-07-25T12:26:13Z",
		"TimeGenerated": "2022-07-25T12:26:13Z",
		"StartDate":     "2022-07-23T12:28:17Z", // "+0000" offset
		"Size":          "1024",
		"ToIP":          "",
		"FromIP":        "203.0.113.9",
	})
	expect(t, rows[1], map[string]string{"Size": "<null>", "Status": "Failed"})
	problemsAt(t, l.problems, `1 MessageTrace.Size: "big" is not a long`)

	// Get-MessageTrace | Export-Csv, with the "#TYPE" line and a bad row.
	l = loadFile(t, "testdata/azure/MessageTrace.csv")
	rows = l.tables[MessageTrace]
	if len(l.tables) != 1 || len(rows) != 2 {
		t.Fatalf("tables %v", sortedCounts(rowCounts(l)))
	}
	expect(t, rows[0], map[string]string{"Received": "2022-07-25T12:26:13Z", "Subject": `Invoice "Q3"`, "Size": "1024"})
	problemsAt(t, l.problems, `4 row skipped: extraneous or missing " in quoted-field`)
}

func TestOfficeActivityProjection(t *testing.T) {
	l := loadFile(t, "testdata/azure/exchange_projection.csv")
	oa, ca := l.tables[OfficeActivity], l.tables[CloudAppEvents]
	if len(l.tables) != 2 || len(oa) != 2 || len(ca) != 2 {
		t.Fatalf("tables %v", sortedCounts(rowCounts(l)))
	}
	r := find(t, ca, "ActionType", "Add-MailboxPermission")
	expect(t, r, map[string]string{
		"Timestamp":   "2020-05-15T06:55:58Z",
		"AccountId":   `NAMPR06A007\Admin`,
		"IPAddress":   "10.0.0.1",
		"Application": "Microsoft Exchange Online", // a cmdlet: an Exchange admin record
		"RawEventData": `{"CreationTime":"2020-05-15T06:55:58","UserId":"NAMPR06A007\\Admin","ClientIP":"10.0.0.1:5555",` +
			`"Operation":"Add-MailboxPermission","Parameters":[{"Name":"Identity","Value":"Julian Isla"},{"Name":"AccessRights","Value":"FullAccess"}]}`,
	})
	// OfficeActivity keeps the export's text, typed by the schema.
	o := find(t, oa, "Operation", "Add-MailboxPermission")
	if o["ClientIP"] != "10.0.0.1:5555" || !strings.Contains(o["Parameters"], "\n") {
		t.Errorf("OfficeActivity row %v", o)
	}
	// The bad row is reported once (by the OfficeActivity reader) and left out of both tables.
	problemsAt(t, l.problems, `6 row skipped: extraneous or missing " in quoted-field`)
}

func TestSentinelExportByColumns(t *testing.T) {
	// No "[UTC]" column and not named after a table: recognised by its
	// columns (SigninLogs), typed by that schema, named by the file.
	l := loadFile(t, "testdata/azure/disabled_signins.csv")
	rows := l.tables["disabled_signins"]
	if len(l.tables) != 1 || len(rows) != 2 {
		t.Fatalf("tables %v", sortedCounts(rowCounts(l)))
	}
	expect(t, rows[0], map[string]string{
		"ResultType":      "50057",
		"LocationDetails": `{"countryOrRegion":"KP","city":"Pyongyang"}`,
		"IsInteractive":   "true",
		"TimeGenerated":   "<null>", // a schema column the export lacks
	})
	problemsAt(t, l.problems, `3 DurationMs: "zero" is not a long`)
}

func TestDetectAzure(t *testing.T) {
	for _, c := range []struct{ path, head, want string }{
		{"x.jsonl", `{"time":"t","category":"SignInLogs","operationName":"Sign-in activity","properties":{}}`, "azure-json"},
		{"x.json", `[{"time":"t","category":"AdvancedHunting-EmailEvents","properties":{"a":1}}]`, "azure-json"},
		{"x.json", `{"@odata.context":"c","value":[{"activityDisplayName":"a","activityDateTime":"2024-01-01"}]}`, "azure-json"},
		{"x.json", `{"d":{"results":[{"MessageTraceId":"1","SenderAddress":"a","RecipientAddress":"b"}]}}`, "azure-json"},
		{"x", `{"MessageTraceId":"1","SenderAddress":"a","RecipientAddress":"b"}`, "azure-json"},
		// Generic JSON stays generic: a "category" without properties, a "value" list of plain rows.
		{"x.jsonl", `{"time":"t","category":"A","operationName":"b"}`, "json"},
		{"x.json", `{"value":[{"a":1}]}`, "json"},
		// A Sentinel-shaped SigninLogs row (PascalCase) is not a Graph signIn.
		{"x.jsonl", `{"TimeGenerated":"t","CreatedDateTime":"t","IPAddress":"1.2.3.4","UserPrincipalName":"a@b"}`, "json"},
		{"x.csv", "Received,SenderAddress,RecipientAddress,MessageTraceId\n", "message-trace-csv"},
		{"x.csv", "#TYPE Deserialized.X\nReceived,SenderAddress,RecipientAddress,MessageTraceId\n", "message-trace-csv"},
		{"x.csv", "TimeGenerated,UserId,ClientIP,Operation,Parameters\n", "officeactivity-csv"},
		{"x.csv", "Operation,OfficeWorkload\n", "officeactivity-csv"},
		{"x.csv", "Operation,Count\n", "csv"},
		{"x.csv", "RecordId,CreationDate,RecordType,Operation,UserId,AuditData\n", "ual-csv"},
	} {
		f := source.Detect(c.path, []byte(c.head))
		got := "<nil>"
		if f != nil {
			got = f.Name()
		}
		if got != c.want {
			t.Errorf("Detect(%s, %.40q) = %s, want %s", c.path, c.head, got, c.want)
		}
	}
}

func TestBindName(t *testing.T) {
	// --data NAME=PATH names a single-table file.
	tables, err := source.Load([]source.Binding{{Name: "Trace", Path: "testdata/azure/trace.json"}}, source.Options{})
	if err != nil || len(tables) != 1 || tables[0].Name() != "Trace" {
		t.Fatalf("tables %v, err %v", tables, err)
	}
	// --input-format json reads the envelope generically.
	tables, err = source.Load([]source.Binding{{Name: "Raw", Path: "testdata/azure/graph.json"}}, source.Options{Format: "json"})
	if err != nil || len(tables) != 1 || tables[0].Name() != "Raw" {
		t.Fatalf("tables %v, err %v", tables, err)
	}
}

func TestSentinelPairs(t *testing.T) {
	// X_dynamic / X_string pairs become X, typed by the schema (dynamic
	// when the table does not declare X).
	l := loadFile(t, "testdata/sentinel/SigninLogs.csv")
	rows := l.tables[SigninLogs]
	if len(l.tables) != 1 || len(rows) != 2 || len(l.problems) != 0 {
		t.Fatalf("tables %v, problems %+v", sortedCounts(rowCounts(l)), l.problems)
	}
	expect(t, rows[0], map[string]string{
		"TimeGenerated": "2021-04-19T12:13:19Z",
		"DeviceDetail":  `{"browser":"Edge"}`,
		"ResultType":    "50057",
		"Extra":         "[1,2]",
	})
	expect(t, rows[1], map[string]string{
		"DeviceDetail": `"legacy text"`, // a string in a dynamic column
		"ResultType":   "0",             // a dynamic string in a string column
		"Extra":        "<null>",
	})
	if _, ok := rows[0]["DeviceDetail_dynamic"]; ok {
		t.Error("DeviceDetail_dynamic kept")
	}
}

func TestEventHubBatch(t *testing.T) {
	// Event Hub messages wrap records in {"records": [...]}; properties may
	// be JSON text.
	l := loadFile(t, "testdata/azure/eventhub_batch.json")
	if got, want := rowCounts(l), map[string]int{SigninLogs: 2, AuditLogs: 1}; !equalCounts(got, want) {
		t.Fatalf("tables %v", sortedCounts(got))
	}
	r := find(t, l.tables[SigninLogs], "UserPrincipalName", "adele@contoso.com")
	expect(t, r, map[string]string{"IPAddress": "192.0.2.50", "ResultType": "0", "TimeGenerated": "2024-07-01T09:00:00Z"})
	expect(t, l.tables[AuditLogs][0], map[string]string{"Category": "UserManagement", "OperationName": "Add user"})
	problemsAt(t, l.problems, "5 record skipped: element 2 of the batch is a JSON string")
}

func TestAzureStrict(t *testing.T) {
	_, err := source.Load([]source.Binding{{Path: "testdata/azure/defender.jsonl"}}, source.Options{Strict: true})
	var se *source.Error
	if !errors.As(err, &se) || se.Line != 3 || !strings.Contains(se.Reason, "do not fit table EmailUrlInfo") {
		t.Fatalf("err = %v", err)
	}
}
