package m365

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// sharedDir is the project's sample of real M365 logs, outside the
// repository (../shared/data from the repository root).
const sharedDir = "../../../../shared/data"

// sharedWant is, per dataset folder, the tables `--data DIR` gives with
// their row counts (from each LABELS.md) and the lines of the problems
// expected (only the Defender fixtures whose category does not match
// their properties).
var sharedWant = []struct {
	dir      string
	tables   map[string]int
	problems []int
}{
	{"azure-sentinel-training-lab/malicious-inbox-rules", map[string]int{OfficeActivity: 2, CloudAppEvents: 2}, nil},
	{"azure-sentinel-training-lab/disabled-account-signins", map[string]int{SigninLogs: 4, "expected_alert_output": 1}, nil},
	{"azure-sentinel-training-lab/oauth-app-credential-added", map[string]int{AuditLogs: 5}, nil},
	{"msticpy/exchange-admin-background", map[string]int{OfficeActivity: 1334, CloudAppEvents: 1334}, nil},
	{"sekoia-intake-formats/o365-management-activity-samples", map[string]int{OfficeActivity: 73, CloudAppEvents: 73, "labels": 73}, nil},
	{"sekoia-intake-formats/exchange-message-trace-samples", map[string]int{MessageTrace: 2, "labels": 2}, nil},
	{"sekoia-intake-formats/entra-id-eventhub-samples", map[string]int{
		SigninLogs: 6, AADNonInteractiveUserSignInLogs: 1, AADServicePrincipalSignInLogs: 1,
		AuditLogs: 11, MicrosoftGraphActivityLogs: 3, AADUserRiskEvents: 3, "labels": 25}, nil},
	{"sekoia-intake-formats/entra-id-graph-api-samples", map[string]int{AuditLogs: 78, SigninLogs: 1, "labels": 79}, nil},
	{"panther-analysis/entra-diagnostic-rule-fixtures", map[string]int{
		SigninLogs: 15, AADNonInteractiveUserSignInLogs: 3, AADServicePrincipalSignInLogs: 8, AuditLogs: 21, "labels": 47}, nil},
	{"sekoia-intake-formats/defender-xdr-streaming-api-samples", map[string]int{
		"AlertEvidence": 13, "DeviceEvents": 12, "DeviceNetworkEvents": 6, CloudAppEvents: 5, "DeviceProcessEvents": 4,
		"IdentityLogonEvents": 4, "DeviceLogonEvents": 3, "EmailEvents": 3, "EmailUrlInfo": 2, "IdentityInfo": 2,
		"IdentityQueryEvents": 2, "DeviceFileEvents": 2, "DeviceInfo": 2, "DeviceNetworkInfo": 2, "DeviceRegistryEvents": 2,
		"EmailAttachmentInfo": 1, "EmailPostDeliveryEvents": 1, "MessageEvents": 1, "MessagePostDeliveryEvents": 1,
		"MessageUrlInfo": 1, "UrlClickEvents": 1, "CloudAuditEvents": 1, "CloudProcessEvents": 1,
		"CloudStorageAggregatedEvents": 1, "AlertInfo": 1, "DeviceFileCertificateInfo": 1, "DeviceImageLoadEvents": 1,
		"IdentityDirectoryEvents": 1, "labels": 77},
		// 26-44, 76: the anonymiser put GUIDs in the long / bool columns
		// InitiatingProcessSessionId, IsInitiatingProcessRemoteSession, which
		// Defender documents on DeviceEvents, DeviceFileEvents,
		// DeviceLogonEvents and DeviceNetworkEvents (the cells are null).
		// 57-68: DeviceEvents bodies under EmailEvents, EmailUrlInfo and four
		// Identity* categories (LABELS.md names the first two; the Identity*
		// ones are the same fixture).
		[]int{26, 28, 29, 29, 31, 32, 36, 36, 44, 57, 59, 61, 62, 64, 68, 76}},
}

// sharedTypes are column types the datasets must have (from the schemas).
var sharedTypes = map[string]types.Kind{
	"OfficeActivity.TimeGenerated":                  types.DateTime,
	"OfficeActivity.Parameters":                     types.String,
	"CloudAppEvents.Timestamp":                      types.DateTime,
	"CloudAppEvents.RawEventData":                   types.Dynamic,
	"SigninLogs.ResultType":                         types.String,
	"SigninLogs.LocationDetails":                    types.Dynamic,
	"SigninLogs.Status":                             types.Dynamic,
	"SigninLogs.DeviceDetail":                       types.Dynamic,
	"SigninLogs.TimeGenerated":                      types.DateTime,
	"AADServicePrincipalSignInLogs.ResultType":      types.String,
	"AuditLogs.TimeGenerated":                       types.DateTime,
	"AuditLogs.TargetResources":                     types.Dynamic,
	"AuditLogs.InitiatedBy":                         types.Dynamic,
	"AADUserRiskEvents.Location":                    types.Dynamic,
	"MicrosoftGraphActivityLogs.ResponseStatusCode": types.Int,
	"MessageTrace.Received":                         types.DateTime,
	"MessageTrace.Size":                             types.Long,
	"EmailEvents.Timestamp":                         types.DateTime,
	"DeviceEvents.Timestamp":                        types.DateTime,
	"AlertEvidence.Timestamp":                       types.DateTime,
}

// loadDir binds dir as `--data DIR` does and scans every table.
func loadDir(t *testing.T, dir string) (*catalog.Catalog, map[string][]map[string]string) {
	t.Helper()
	cat := catalog.New()
	if err := source.Bind(cat, []source.Binding{{Path: dir}}, source.Options{}); err != nil {
		t.Fatalf("Bind(%s): %v", dir, err)
	}
	out := map[string][]map[string]string{}
	for _, n := range cat.Names() {
		tb, _ := cat.Table(n)
		out[n] = scan(t, tb)
	}
	return cat, out
}

func TestSharedDatasets(t *testing.T) {
	if _, err := os.Stat(sharedDir); err != nil {
		t.Skip("no shared data")
	}
	for _, ds := range sharedWant {
		t.Run(ds.dir, func(t *testing.T) {
			cat, tables := loadDir(t, filepath.Join(sharedDir, ds.dir))
			got := map[string]int{}
			for n, rows := range tables {
				got[n] = len(rows)
			}
			if !equalCounts(got, ds.tables) {
				t.Errorf("tables:\n got  %v\n want %v", sortedCounts(got), sortedCounts(ds.tables))
			}
			var lines []int
			for _, p := range cat.Problems() {
				lines = append(lines, p.Line)
				if ds.problems == nil {
					t.Errorf("problem %s:%d %s: %s", filepath.Base(p.File), p.Line, p.Field, p.Reason)
				} else {
					t.Logf("problem %s:%d %s: %s", filepath.Base(p.File), p.Line, p.Field, p.Reason)
				}
			}
			if ds.problems != nil && !equalInts(lines, ds.problems) {
				t.Errorf("problem lines = %v, want %v", lines, ds.problems)
			}
			for _, n := range cat.Names() {
				tb, _ := cat.Table(n)
				for _, fl := range tb.Schema().Fields() {
					if want, ok := sharedTypes[n+"."+fl.Name]; ok && kernels.KindOf(fl) != want {
						t.Errorf("%s.%s is %s, want %s", n, fl.Name, kernels.KindOf(fl), want)
					}
				}
			}
		})
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sortedCounts(m map[string]int) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	for _, k := range ks {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(fmt.Sprint(m[k]))
		b.WriteByte(' ')
	}
	return b.String()
}
