package queries_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/queries"
)

// writePack writes a pack directory "p" with the given hunt files.
func writePack(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "p")
	if err := os.MkdirAll(filepath.Join(dir, "testdata"), 0o755); err != nil {
		t.Fatal(err)
	}
	files["pack.yaml"] = "id: p\ntitle: P\ndescription: d\n"
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const goodHunt = `id: p/h
name: H
description: d
requiredDataConnectors:
  - connectorId: X
    dataTypes: [CloudAppEvents]
tactics: [Collection]
relevantTechniques: [T1114.002]
query: |
  CloudAppEvents
  | where Timestamp > ago(lookback)
  | project Timestamp, User = tostring(RawEventData.UserId), IPAddress
severity: medium
parameters:
  - name: lookback
    type: timespan
    default: 7d
entities:
  user: User
  ip: IPAddress
`

func TestFixturePack(t *testing.T) {
	lib, err := queries.LoadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	p := lib.Pack("testdata")
	if p == nil || len(p.Hunts) != 2 {
		t.Fatalf("want the fixture pack with 2 hunts, got %+v", lib.Packs)
	}
	h := lib.Hunt("testdata/rule-from-new-isp")
	if h == nil {
		t.Fatal("no testdata/rule-from-new-isp")
	}
	if got := strings.Join(h.Tests, ","); got != "testdata/rule-from-new-isp.fires.txtar,testdata/rule-from-new-isp.quiet.txtar" {
		t.Errorf("tests = %s", got)
	}
	c, probs := h.Validate(queries.CheckEnv{})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	var cols []string
	for _, col := range c.Output.Columns {
		cols = append(cols, col.Name+":"+col.Type.String())
	}
	if got := strings.Join(cols, ","); got != "Timestamp:datetime,User:string,IPAddress:string,ISP:string,RuleName:string,Severity:string" {
		t.Errorf("output = %s", got)
	}
	if got := strings.Join(c.Reads, ","); got != "CloudAppEvents" {
		t.Errorf("reads = %s", got)
	}
	if got := strings.Join(lib.Hunt("testdata/mailbox-export").Tables, ","); got != "CloudAppEvents,SigninLogs" {
		t.Errorf("tables = %s", got)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"missing keys", "id: p/h\nname: H\nquery: |\n  CloudAppEvents\n", []string{
			"p/h.yaml: description: required key missing",
			"p/h.yaml: severity: required key missing",
			"p/h.yaml: entities: required key missing",
		}},
		{"bad id", strings.Replace(goodHunt, "id: p/h", "id: p/other", 1), []string{
			`p/h.yaml:1: id: "p/other" must be "p/h" (<pack>/<file base name>)`,
		}},
		{"bad severity", strings.Replace(goodHunt, "severity: medium", "severity: critical", 1), []string{
			`p/h.yaml:13: severity: "critical" is not one of informational, low, medium, high`,
		}},
		{"bad technique and unknown key", strings.Replace(goodHunt, "[T1114.002]", "[T11142]\nparamters: []", 1), []string{
			`p/h.yaml:8: relevantTechniques: "T11142" is not a MITRE ATT&CK technique id`,
			`p/h.yaml:9: paramters: unknown key`,
		}},
		{"bad parameter", strings.Replace(goodHunt, "type: timespan\n    default: 7d", "type: duration", 1), []string{
			`p/h.yaml:15: parameters[0].type: "duration" is not a KQL scalar type`,
			`p/h.yaml:15: parameters[0].default: parameter lookback has no default`,
		}},
		{"bad entity kind", strings.Replace(goodHunt, "  ip: IPAddress", "  address: IPAddress", 1), []string{
			`p/h.yaml:20: entities: unknown entity kind "address"`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writePack(t, map[string]string{"h.yaml": tc.text})
			_, err := queries.LoadDir(dir)
			if err == nil {
				t.Fatalf("no error")
			}
			got := strings.ReplaceAll(err.Error(), filepath.Dir(dir)+"/", "")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
		})
	}
}

func TestValidateErrors(t *testing.T) {
	for _, tc := range []struct {
		name, from, to string
		want           []string
	}{
		// a query error is positioned at the YAML file's line and column
		{"unknown column", "IPAddress\nseverity", "IPAdress\nseverity", []string{
			"p/h.yaml:12:62: unknown column IPAdress",
			"      | project Timestamp, User = tostring(RawEventData.UserId), IPAdress\n" +
				"                                                                 ^\n" +
				"    did you mean IPAddress?",
		}},
		{"entity not in output", "ip: IPAddress", "ip: ClientIP", []string{
			"p/h.yaml:20: entities.ip: column ClientIP is not in the query's output (columns: Timestamp, User, IPAddress)",
		}},
		{"default of the wrong type", "default: 7d", "default: '\"7d\"'", []string{
			`p/h.yaml:15: parameters.lookback: default "7d" is a string, not a timespan`,
		}},
		{"bad default expression", "default: 7d", "default: ago(", []string{
			`p/h.yaml:15: parameters.lookback.default: ago(: `,
		}},
		{"table not listed", "dataTypes: [CloudAppEvents]", "dataTypes: [SigninLogs]\n  - connectorId: Y\n    dataTypes: [OfficeActivity]", []string{
			"requiredDataConnectors: the query reads CloudAppEvents but no dataTypes lists it",
		}},
		{"bad Severity column", "IPAddress\nseverity", "IPAddress, Severity = 3\nseverity", []string{
			"query: the Severity column must be a string",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(goodHunt, tc.from, tc.to, 1)
			if text == goodHunt {
				t.Fatalf("replacement %q did not apply", tc.from)
			}
			dir := writePack(t, map[string]string{"h.yaml": text})
			lib, err := queries.LoadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, probs := lib.Hunts()[0].Validate(queries.CheckEnv{})
			got := strings.ReplaceAll(probs.Error(), filepath.Dir(dir)+"/", "")
			if len(probs) == 0 {
				t.Fatal("no problems")
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
		})
	}
}

func TestSentinelFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s.yaml")
	text := `id: 0b8a1f34-8b07-4a7c-9bd2-2f3a1e6c9d10
name: Sentinel style
description: |
  'From elsewhere.'
requiredDataConnectors:
  - connectorId: Office365
    dataTypes:
      - OfficeActivity
tactics: [Collection]
relevantTechniques: [T1114]
query: |
  let starttime = todatetime('{{StartTimeISO}}');
  let endtime = todatetime('{{EndTimeISO}}');
  OfficeActivity
  | where TimeGenerated between (starttime .. endtime)
  | extend AccountCustomEntity = UserId, IPCustomEntity = ClientIP
entityMappings:
  - entityType: Account
    fieldMappings:
      - identifier: FullName
        columnName: AccountCustomEntity
  - entityType: IP
    fieldMappings:
      - identifier: Address
        columnName: IPCustomEntity
`
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := queries.LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if h.Severity != "medium" || !h.External {
		t.Errorf("severity %q external %v", h.Severity, h.External)
	}
	if len(h.Entities) != 2 || h.Entities[0] != (queries.Entity{Kind: "user", Column: "AccountCustomEntity"}) || h.Entities[1] != (queries.Entity{Kind: "ip", Column: "IPCustomEntity"}) {
		t.Errorf("entities %+v", h.Entities)
	}
	if _, probs := h.Validate(queries.CheckEnv{}); len(probs) > 0 {
		t.Fatal(probs)
	}
	now := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	src, _, err := h.Source(queries.Bind{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src.Text, "todatetime('2024-02-16T00:00:00.0000000Z')") || !strings.Contains(src.Text, "todatetime('2024-03-01T00:00:00.0000000Z')") {
		t.Errorf("placeholders not bound to the 14-day window:\n%s", src.Text)
	}
	since := time.Date(2024, 2, 20, 0, 0, 0, 0, time.UTC)
	src, _, _ = h.Source(queries.Bind{Now: now, Since: &since})
	if !strings.Contains(src.Text, "todatetime('2024-02-20T00:00:00.0000000Z')") {
		t.Errorf("--since not applied:\n%s", src.Text)
	}
	// the query keeps its YAML line numbers
	if got := src.Line(14); got != "  OfficeActivity" {
		t.Errorf("line 14 = %q", got)
	}
}

func TestBindings(t *testing.T) {
	dir := writePack(t, map[string]string{"h.yaml": strings.Replace(goodHunt, "parameters:\n", `parameters:
  - name: start_date
    type: datetime
    default: ago(30d)
  - name: who
    type: string
    default: '""'
  - name: domains
    type: dynamic
    default: dynamic([])
`, 1)})
	lib, err := queries.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := lib.Hunts()[0]
	since := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	binds, err := h.Bindings(queries.Bind{Values: map[string]string{"who": `alice "a"`, "domains": `["contoso.com"]`, "lookback": "12h"}, Since: &since})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range binds {
		got = append(got, b.Name+"="+b.Value+" ("+b.From+")")
	}
	want := []string{
		"start_date=datetime(2024-02-01T00:00:00.0000000Z) (--since)",
		`who="alice \"a\"" (--param)`,
		`domains=dynamic(["contoso.com"]) (--param)`,
		"lookback=timespan(12:00:00) (--param)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("bindings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := h.Bindings(queries.Bind{Values: map[string]string{"lookback": "soon"}}); err == nil || !strings.Contains(err.Error(), `"soon" is not a timespan`) {
		t.Errorf("bad timespan: %v", err)
	}
	for _, tc := range []struct {
		k       types.Kind
		in, out string
	}{
		{types.DateTime, "ago(7d)", "ago(7d)"},
		{types.DateTime, "2024-03-01", "datetime(2024-03-01T00:00:00.0000000Z)"},
		{types.Long, "42", "42"},
		{types.Bool, "TRUE", "true"},
		{types.String, "'x'", "'x'"},
		{types.String, "f(x)", `"f(x)"`},
	} {
		if got, err := queries.ParamExpr(tc.k, tc.in); err != nil || got != tc.out {
			t.Errorf("ParamExpr(%s, %q) = %q, %v; want %q", tc.k, tc.in, got, err, tc.out)
		}
	}
}
