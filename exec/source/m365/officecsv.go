package m365

import (
	"strings"
	"time"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// officeCSV reads CSV exports of Sentinel's OfficeActivity table — the Log
// Analytics portal's export (columns like "TimeGenerated [UTC]") or a
// query's projection (TimeGenerated,UserId,ClientIP,Operation,Parameters) —
// recognised by their columns: Operation with OfficeWorkload, or Operation
// with UserId and ClientIP. The file gives two tables:
//
//   - OfficeActivity, read as a Sentinel CSV export typed by the
//     OfficeActivity schema (see sentinelCSV);
//   - CloudAppEvents, derived from the same rows as a UAL record would be:
//     each row is turned back into the AuditData object it came from (the
//     columns under their UAL names, JSON cells parsed), which becomes
//     RawEventData, and the CloudAppEvents columns are mapped from it as for
//     a UAL export (mapping.go). So Defender-shaped hunts, which query
//     CloudAppEvents, run on Sentinel exports too.
type officeCSV struct{}

func (officeCSV) Name() string { return "officeactivity-csv" }

func (officeCSV) Detect(path string, head []byte) bool {
	switch source.Ext(path) {
	case ".csv", ".txt", "":
	default:
		return false
	}
	has := map[string]bool{}
	for _, c := range headerCells(head) {
		has[strings.TrimSuffix(strings.TrimSpace(c), utcSuffix)] = true
	}
	if has["AuditData"] || !has["Operation"] {
		return false
	}
	return has["OfficeWorkload"] || (has["UserId"] && has["ClientIP"])
}

func (officeCSV) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	parts, err := readSentinel(f, opts, OfficeActivity)
	if err != nil {
		return nil, err
	}
	for i := range parts {
		parts[i].Table = OfficeActivity
	}
	// CloudAppEvents: every row decoded once (in parallel), kept for the
	// scans (pass.go).
	cae, err := readOnce(f, opts, splitOfficeRows, newMappers()[1:2])
	if err != nil {
		return nil, err
	}
	return append(parts, cae...), nil
}

// splitOfficeRows cuts an OfficeActivity export into rows; the AuditData
// object of each is rebuilt by the item's decode. Rows that cannot be read
// are reported by the OfficeActivity reader, not again here.
func splitOfficeRows(f *source.File, emit func(item) error) error {
	return eachCSVObject(f, func(n int, o *obj, bad *catalog.Problem) error {
		if o == nil {
			return nil
		}
		return emit(item{decode: func() (*record, *catalog.Problem) {
			r := auditFromRow(o)
			r.n = n
			return r, nil
		}})
	})
}

// ualName maps OfficeActivity columns to their AuditData keys (the reverse
// of renamed, plus the export's own names).
var ualName = func() map[string]string {
	m := map[string]string{}
	for col, key := range renamed {
		m[col] = key
	}
	return m
}()

// sentinelOnly are OfficeActivity columns that are not AuditData keys.
var sentinelOnly = map[string]bool{
	"TimeGenerated": true, "Type": true, "SourceSystem": true, "TenantId": true, "_ResourceId": true,
	"_BilledSize": true, "_IsBillable": true, "_SubscriptionId": true, "SourceRecordId": true,
	"MachineDomainInfo": true, "MachineId": true,
}

// boolKeys are AuditData keys that are JSON booleans (exports write them
// as TRUE/FALSE or True/False).
var boolKeys = map[string]bool{"ExternalAccess": true, "CrossMailboxOperations": true, "IsManagedDevice": true}

// auditFromRow rebuilds the AuditData object of an OfficeActivity export
// row: CreationTime from TimeGenerated (else Start_Time, ElevationTime) in
// UAL form, every other non-empty cell under its UAL name (Workload,
// ObjectId, Id, OrganizationId, …; " [UTC]" removed; the export's "X_"
// duplicates of X left out), cells holding a JSON object or array parsed
// (Parameters becomes the [{Name, Value}] array), RecordType and UserType
// names turned back into their numbers, ExternalAccess and the like into
// booleans.
func auditFromRow(o *obj) *record {
	audit := types.NewBag(o.b.Len())
	var when any
	for _, c := range []string{"TimeGenerated", "Start_Time", "ElevationTime"} {
		if v := o.val(c); v != nil {
			when = v
			break
		}
		if v := o.val(c + utcSuffix); v != nil {
			when = v
			break
		}
	}
	if s, ok := when.(string); ok {
		if ns, ok := parseTime(s); ok {
			audit.Set("CreationTime", time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.9999999"))
		}
	}
	for i := 0; i < o.b.Len(); i++ {
		col, v := o.b.At(i)
		col = strings.TrimSuffix(col, utcSuffix)
		if sentinelOnly[col] || strings.HasPrefix(col, "_") {
			continue
		}
		key, known := ualName[col]
		if !known {
			if strings.HasSuffix(col, "_") {
				continue // the export's duplicates: OrganizationId_, UserId_, ClientIP_, …
			}
			key = col
		}
		s, _ := v.(string)
		var out any = s
		switch {
		case key == "RecordType":
			if n := recordTypeNumber(s); n >= 0 {
				out = n
			}
		case key == "UserType":
			if n := userTypeNumber(s); n >= 0 {
				out = n
			}
		case boolKeys[key]:
			switch strings.ToLower(s) {
			case "true":
				out = true
			case "false":
				out = false
			}
		default:
			out = jsonText(s)
		}
		audit.Set(key, out)
	}
	r := &record{audit: audit, fallback: map[string]any{}}
	if _, ok := audit.Get("Workload"); !ok && isCmdlet(o.str("Operation")) {
		// A projection without OfficeWorkload: Verb-Noun operations are
		// Exchange admin cmdlets (ExchangeAdmin records). Only the
		// CloudAppEvents columns use this; RawEventData is left as read.
		r.fallback["Workload"] = "Exchange"
	}
	return r
}

// isCmdlet reports whether op looks like a PowerShell cmdlet name
// (Set-Mailbox, New-InboxRule).
func isCmdlet(op string) bool {
	i := strings.IndexByte(op, '-')
	if i <= 1 || i == len(op)-1 || strings.ContainsAny(op, " ./\\") {
		return false
	}
	return op[0] >= 'A' && op[0] <= 'Z' && op[i+1] >= 'A' && op[i+1] <= 'Z'
}

// recordTypeNumber is the number of a RecordType name (or digits), -1 if unknown.
func recordTypeNumber(s string) int64 {
	if n, ok := number(s); ok {
		return n
	}
	for n, name := range recordTypes {
		if strings.EqualFold(name, s) {
			return n
		}
	}
	return -1
}
