package m365

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/schemas"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Table names.
const (
	OfficeActivity = "OfficeActivity"
	CloudAppEvents = "CloudAppEvents"
)

type column struct {
	Name string
	Kind types.Kind
}

// tableColumns returns the columns of a table's documented schema
// (lang/schemas); nil for an unknown table.
func tableColumns(table string) []column {
	s, ok := schemas.Lookup(table)
	if !ok {
		return nil
	}
	cols := make([]column, 0, len(s.Columns))
	for _, c := range s.Columns {
		cols = append(cols, column{c.Name, c.Type})
	}
	return cols
}

// Schema returns the Arrow schema of OfficeActivity or CloudAppEvents.
func Schema(table string) *arrow.Schema {
	cols := tableColumns(table)
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = kernels.Field(c.Name, c.Kind)
	}
	return arrow.NewSchema(fields, nil)
}

// fieldProblem is a value that does not fit its column (the cell is null).
type fieldProblem struct {
	Field, Reason string
}

// row builds one output row: values are checked against the column's kind
// and stored in the form source.BagPart converts (datetime as ISO text).
type row struct {
	kinds    map[string]types.Kind
	want     map[string]bool // columns to fill; nil = all
	check    bool            // only collect problems, build no bag
	bag      *types.Bag
	problems []fieldProblem
	// slots, when not nil, takes the values instead of bag: one per
	// column (index gives the position), datetimes as nsTime (see
	// slotsRecord).
	slots []any
	index map[string]int
}

func newRow(kinds map[string]types.Kind, want map[string]bool) *row {
	return &row{kinds: kinds, want: want, bag: types.NewBag(32)}
}

// nsTime is a datetime in a row's slots: Unix nanoseconds.
type nsTime int64

// newSlotRow returns a row filling slots, for every column.
func newSlotRow(kinds map[string]types.Kind, index map[string]int) *row {
	return &row{kinds: kinds, slots: make([]any, len(index)), index: index}
}

// wants reports whether col is to be filled.
func (w *row) wants(col string) bool { return w.want == nil || w.want[col] }

func (w *row) set(col string, v any) {
	k, ok := w.kinds[col]
	if !ok || v == nil || !w.wants(col) {
		return
	}
	if w.slots != nil && k == types.DateTime {
		// As coerce, without the round trip through text.
		if s, ok := v.(string); ok {
			if strings.TrimSpace(s) == "" {
				return
			}
			if ns, ok := parseTime(s); ok {
				w.slots[w.index[col]] = nsTime(ns)
				return
			}
		}
	}
	cv, ok := coerce(k, v)
	if !ok {
		w.problems = append(w.problems, fieldProblem{col, fmt.Sprintf("%s is not a %s; the cell is null", shorten(types.FormatDynamic(v)), k)})
		return
	}
	switch {
	case cv == nil || w.check:
	case w.slots != nil:
		w.slots[w.index[col]] = cv
	default:
		w.bag.Set(col, cv)
	}
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// coerce converts a JSON value to the form a column of kind k stores.
func coerce(k types.Kind, v any) (any, bool) {
	switch k {
	case types.String:
		if s, ok := v.(string); ok {
			return s, true
		}
		return types.FormatDynamic(v), true
	case types.Dynamic:
		return v, true
	case types.Bool:
		switch x := v.(type) {
		case bool:
			return x, true
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "1", "yes":
				return true, true
			case "false", "0", "no":
				return false, true
			case "":
				return nil, true
			}
		case int64:
			if x == 0 || x == 1 {
				return x == 1, true
			}
		}
	case types.Int, types.Long:
		switch x := v.(type) {
		case int64:
			if k == types.Long || (x >= math.MinInt32 && x <= math.MaxInt32) {
				return x, true
			}
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<31 {
				return int64(x), true
			}
		case string:
			if strings.TrimSpace(x) == "" {
				return nil, true
			}
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil && (k == types.Long || (n >= math.MinInt32 && n <= math.MaxInt32)) {
				return n, true
			}
		}
	case types.Real, types.Decimal:
		switch x := v.(type) {
		case int64:
			return float64(x), true
		case float64:
			return x, true
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return f, true
			}
		}
	case types.DateTime:
		if s, ok := v.(string); ok {
			if strings.TrimSpace(s) == "" {
				return nil, true
			}
			if ns, ok := parseTime(s); ok {
				return time.Unix(0, ns).UTC().Format(time.RFC3339Nano), true
			}
		}
	case types.Guid:
		if s, ok := v.(string); ok {
			if g, err := types.ParseGuid(s); err == nil {
				return g, true
			}
		}
	default:
		return types.FormatDynamic(v), true
	}
	return nil, false
}

// parseTime parses a datetime as Kusto does, and also the Log Analytics
// export form "4/19/2021, 12:13:19.483 PM".
func parseTime(s string) (int64, bool) {
	if ns, err := types.ParseDateTime(s); err == nil {
		return ns, true
	}
	if i := strings.IndexByte(s, ','); i > 0 && i < 11 && strings.Contains(s[:i], "/") {
		if ns, err := types.ParseDateTime(s[:i] + s[i+1:]); err == nil {
			return ns, true
		}
	}
	return 0, false
}

// stripPort removes the port from "1.2.3.4:5678" and "[::1]:5678" (and the
// brackets from "[::1]"); a bare IPv6 address is left alone.
func stripPort(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().String()
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Is4In6() {
		return a.Unmap().String()
	}
	if i := strings.LastIndexByte(s, ':'); i > 0 && strings.Count(s, ":") == 1 {
		if _, err := strconv.Atoi(s[i+1:]); err == nil {
			return s[:i]
		}
	}
	return s
}

// clientIP is the record's client address without port.
func clientIP(r *record) string {
	for _, k := range []string{"ClientIP", "ClientIPAddress", "ActorIpAddress"} {
		// "<null>" is how some services write a missing address.
		if s := stripPort(r.str(k)); s != "" && s != "<null>" {
			return s
		}
	}
	return ""
}

// renamed lists OfficeActivity columns whose AuditData key differs.
var renamed = map[string]string{
	"OfficeWorkload":                 "Workload",
	"OfficeObjectId":                 "ObjectId",
	"OfficeId":                       "Id",
	"OfficeTenantId":                 "OrganizationId",
	"Client_IPAddress":               "ClientIPAddress",
	"AzureActiveDirectory_EventType": "AzureActiveDirectoryEventType",
	"Site_":                          "Site",
	"Site_Url":                       "SiteUrl",
	"Event_Data":                     "EventData",
	"Start_Time":                     "StartTime",
	"Logon_Type":                     "LogonType",
	"Source_Name":                    "SourceName",
	"AADTarget":                      "Target",
}

// computed lists OfficeActivity columns filled below, not by name.
var computed = map[string]bool{
	"TimeGenerated": true, "RecordType": true, "UserType": true, "ClientIP": true,
	"Type": true, "SourceSystem": true, "TenantId": true,
}

// officeActivity maps a record to the Sentinel OfficeActivity shape.
func officeActivity(r *record, cols []column, w *row) *row {
	w.set("TimeGenerated", timeOf(r))
	for _, c := range cols {
		if computed[c.Name] || !w.wants(c.Name) {
			continue
		}
		key := c.Name
		if k, ok := renamed[c.Name]; ok {
			key = k
		}
		if v, ok := r.get(key); ok {
			w.set(c.Name, v)
		}
	}
	if v, ok := r.get("RecordType"); ok {
		w.set("RecordType", recordTypeName(v))
	}
	if v, ok := r.get("UserType"); ok {
		w.set("UserType", userTypeName(v))
	}
	if ip := clientIP(r); ip != "" {
		w.set("ClientIP", ip)
	}
	w.set("Type", OfficeActivity)
	w.set("SourceSystem", "OfficeActivityManager")
	return w
}

// timeOf is the event time: AuditData.CreationTime (UTC without a zone),
// else the CSV's CreationDate.
func timeOf(r *record) any {
	if v, ok := r.audit.Get("CreationTime"); ok && v != nil {
		return v
	}
	v, _ := r.get("CreationTime")
	return v
}

// application is the Defender for Cloud Apps name and ID of a workload.
type application struct {
	Name string
	ID   int64 // 0 = unknown
}

var applications = map[string]application{
	"exchange":                  {"Microsoft Exchange Online", 20893},
	"sharepoint":                {"Microsoft SharePoint Online", 20892},
	"onedrive":                  {"Microsoft OneDrive for Business", 15600},
	"microsoftteams":            {"Microsoft Teams", 28375},
	"azureactivedirectory":      {"Microsoft Azure Active Directory", 0},
	"powerbi":                   {"Microsoft Power BI", 26324},
	"microsoftforms":            {"Microsoft Forms", 0},
	"yammer":                    {"Yammer", 0},
	"microsoftstream":           {"Microsoft Stream", 0},
	"microsoftflow":             {"Microsoft Power Automate", 0},
	"powerapps":                 {"Microsoft Power Apps", 0},
	"securitycompliancecenter":  {"Microsoft 365", 11161},
	"threatintelligence":        {"Microsoft 365", 11161},
	"microsoft365defender":      {"Microsoft 365", 11161},
	"airinvestigation":          {"Microsoft 365", 11161},
	"dynamics365":               {"Microsoft Dynamics 365", 0},
	"skypeforbusiness":          {"Microsoft Skype for Business", 0},
	"aadappsyncprovisioning":    {"Microsoft Azure Active Directory", 0},
	"crm":                       {"Microsoft Dynamics 365", 0},
	"project":                   {"Microsoft Project Online", 0},
	"publicendpoint":            {"Microsoft 365", 11161},
	"microsoftdefenderforcloud": {"Microsoft 365", 11161},
}

func applicationOf(workload string) application {
	if a, ok := applications[strings.ToLower(workload)]; ok {
		return a
	}
	return application{"Microsoft 365", 11161}
}

// userAgent is AuditData.UserAgent, else ClientInfoString, else the
// UserAgent entry of ExtendedProperties (Entra records).
func userAgent(r *record) string {
	if s := r.str("UserAgent"); s != "" {
		return s
	}
	if s := r.str("ClientInfoString"); s != "" {
		return s
	}
	if v, ok := r.get("ExtendedProperties"); ok {
		if list, ok := v.([]any); ok {
			for _, e := range list {
				if b, ok := e.(*types.Bag); ok {
					if n, _ := b.Get("Name"); n == "UserAgent" {
						if s, ok := b.Get("Value"); ok {
							if s, ok := s.(string); ok {
								return s
							}
						}
					}
				}
			}
		}
	}
	return ""
}

// cloudAppEvents maps a record to the Defender CloudAppEvents shape.
func cloudAppEvents(r *record, w *row) *row {
	t := timeOf(r)
	w.set("Timestamp", t)
	w.set("TimeGenerated", t)
	w.set("ActionType", r.str("Operation"))
	app := applicationOf(r.str("Workload"))
	w.set("Application", app.Name)
	if app.ID != 0 {
		w.set("ApplicationId", app.ID)
	}
	if key := r.str("UserKey"); key != "" {
		if g, err := types.ParseGuid(key); err == nil {
			w.set("AccountObjectId", g)
		}
	}
	if u := r.str("UserId"); u != "" {
		w.set("AccountId", u)
		w.set("AccountDisplayName", u)
	}
	ut := int64(-1)
	if v, ok := r.get("UserType"); ok {
		ut = userTypeNumber(v)
		w.set("AccountType", userTypeName(v))
	}
	w.set("IsAdminOperation", ut == 2 || ut == 3)
	if ip := clientIP(r); ip != "" {
		w.set("IPAddress", ip)
	}
	if ua := userAgent(r); ua != "" {
		w.set("UserAgent", ua)
	}
	if id := r.str("ObjectId"); id != "" {
		w.set("ObjectId", id)
	}
	switch {
	case r.str("SourceFileName") != "":
		w.set("ObjectName", r.str("SourceFileName"))
		w.set("ObjectType", "File")
	case r.str("ItemName") != "":
		w.set("ObjectName", r.str("ItemName"))
	case r.str("ObjectId") != "":
		w.set("ObjectName", r.str("ObjectId"))
	}
	if id := r.str("Id"); id != "" {
		w.set("ReportId", id)
	}
	w.set("RawEventData", r.audit)
	w.set("Type", CloudAppEvents)
	return w
}
