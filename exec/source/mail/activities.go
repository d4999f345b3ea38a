package mail

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

var activityColumns = []column{
	{"Mailbox", types.String},
	{"ActivityCreationTime", types.DateTime},
	{"TimeStamp", types.DateTime},
	{"ActivityIdType", types.String},
	{"ActivityItemId", types.String},
	{"AppIdType", types.String},
	{"ClientVersion", types.String},
	{"ClientSessionId", types.String},
	{"ActivityInstanceId", types.String},
	{"SequenceNumber", types.Long},
	{"CustomProperties", types.Dynamic},
	{"Props", types.Dynamic},
	{"ClientIP", types.String},
	{"ClientIPs", types.Dynamic},
	{"UserName", types.String},
	{"UserAgent", types.String},
	{"Result", types.String},
	{"ExceptionInfo", types.String},
	{"SenderSmtpAddress", types.String},
	{"From", types.String},
	{"Recipients", types.String},
	{"Subject", types.String},
	{"SentTime", types.DateTime},
	{"InternetMessageId", types.String},
	{"ItemClass", types.String},
	{"AttachmentDetail", types.String},
	{"TargetFolder", types.String},
	{"SearchQuery", types.String},
}

// activitiesFormat reads the Outlook Activities API retriever's CSV
// (TimeStamp, AppIdType, ActivityIdType, ActivityItemId,
// ActivityCreationTime, ClientSessionId, CustomProperties written by
// Python's csv module, CustomProperties as str(dict)) and the API's JSON
// records (the "value" objects, an array, JSON lines or the whole
// response).
type activitiesFormat struct{}

func (activitiesFormat) Name() string { return "outlook-activities" }

func (activitiesFormat) Detect(path string, head []byte) bool {
	if isJSON(head) {
		return bytes.Contains(head, []byte(`"ActivityIdType"`)) && (bytes.Contains(head, []byte(`"AppIdType"`)) || bytes.Contains(head, []byte(`"ActivityCreationTime"`)))
	}
	keys := csvHeader(head)
	return hasKeys(keys, "ActivityIdType") && countKeys(keys, "AppIdType", "ActivityCreationTime", "TimeStamp", "CustomProperties") >= 2
}

func (activitiesFormat) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	return readParts(f, opts, OutlookActivities, func(fn eachRowFn) error {
		return eachRecord(f, func(line int, rec *types.Bag, bad *problem) error {
			if bad != nil {
				return fn(nil, []problem{*bad})
			}
			row, probs := activity(rec, line)
			return fn(row, probs)
		})
	})
}

// activity maps one activity record.
func activity(rec *types.Bag, line int) (*types.Bag, []problem) {
	var probs []problem
	row := types.NewBag(len(activityColumns))
	mailbox := lookupText(rec, "Mailbox", "User", "UserId", "UserPrincipalName", "MailboxOwner")
	if mailbox == "" {
		// The API response names the user: ".../Users('a%40b.com')/Activities".
		if m := odataUser.FindStringSubmatch(lookupText(rec, "@odata.context")); m != nil {
			if u, err := url.PathUnescape(m[1]); err == nil {
				mailbox = u
			}
		}
	}
	row.Set("Mailbox", mailbox)
	timeCol := func(col string, v string) {
		if v == "" {
			return
		}
		if ns, ok := parseExportTime(v); ok {
			row.Set(col, types.FormatDateTime(ns))
		} else {
			probs = append(probs, problem{Line: line, Field: col, Reason: fmt.Sprintf("not a date: %q", v)})
		}
	}
	timeCol("ActivityCreationTime", lookupText(rec, "ActivityCreationTime"))
	timeCol("TimeStamp", lookupText(rec, "TimeStamp"))
	for _, c := range []string{"ActivityIdType", "ActivityItemId", "AppIdType", "ClientVersion", "ClientSessionId", "ActivityInstanceId"} {
		row.Set(c, lookupText(rec, c))
	}
	if s := lookupText(rec, "SequenceNumber"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			row.Set("SequenceNumber", n)
		} else {
			probs = append(probs, problem{Line: line, Field: "SequenceNumber", Reason: fmt.Sprintf("not a number: %q", s)})
		}
	}

	cp, _ := lookup(rec, "CustomProperties")
	arr, props, err := customProperties(cp)
	if err != nil {
		probs = append(probs, problem{Line: line, Field: "CustomProperties", Reason: err.Error()})
		row.Set("CustomProperties", text(cp))
	} else {
		row.Set("CustomProperties", arr)
	}
	row.Set("Props", props)
	prop := func(names ...string) string {
		for _, n := range names {
			if v, ok := props.Get(n); ok && v != nil {
				return strings.TrimSpace(text(v))
			}
		}
		for _, n := range names {
			for i := 0; i < props.Len(); i++ {
				k, v := props.At(i)
				if strings.EqualFold(k, n) && v != nil {
					return strings.TrimSpace(text(v))
				}
			}
		}
		return ""
	}
	var ips []string
	for _, p := range strings.Split(prop("ClientIP", "ClientIPAddress", "IPAddress"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			ips = append(ips, p)
		}
	}
	if len(ips) > 0 {
		row.Set("ClientIP", ips[0])
	} else {
		row.Set("ClientIP", "")
	}
	if ips == nil {
		ips = []string{}
	}
	row.Set("ClientIPs", strs(ips))
	row.Set("UserName", prop("UserName"))
	row.Set("UserAgent", prop("UserAgent"))
	row.Set("Result", prop("Result"))
	row.Set("ExceptionInfo", prop("ExceptionInfo"))
	row.Set("SenderSmtpAddress", prop("SenderSmtpAddress", "SenderAddress"))
	row.Set("From", prop("From"))
	row.Set("Recipients", prop("Recipients"))
	row.Set("Subject", prop("Subject"))
	timeCol("SentTime", prop("SentTime"))
	row.Set("InternetMessageId", prop("InternetMessageId"))
	row.Set("ItemClass", prop("ItemClass"))
	row.Set("AttachmentDetail", prop("AttachmentDetail"))
	row.Set("TargetFolder", prop("TargetFolder", "TargetFolderName", "DestinationFolder"))
	q := ""
	for i := 0; i < props.Len() && q == ""; i++ {
		_, v := props.At(i)
		if s, ok := v.(string); ok && strings.Contains(s, "RawQuery") {
			q = rawQuery(s)
		}
	}
	if q == "" {
		q = prop("SearchQuery", "QueryText", "Query")
		if strings.Contains(q, "RawQuery") {
			q = rawQuery(q)
		}
	}
	row.Set("SearchQuery", q)
	return row, probs
}

// customProperties reads a CustomProperties value in any of its forms: the
// API's array of {"Name","Value"}, an object Name → Value, or either as
// JSON or Python-literal text (the retriever writes str(dict)). It returns
// the array form and the bag form.
func customProperties(v any) ([]any, *types.Bag, error) {
	bag := types.NewBag(8)
	if s, ok := v.(string); ok {
		s = strings.TrimSpace(s)
		if s == "" {
			return []any{}, bag, nil
		}
		pv, err := types.ParseDynamic(s)
		if err != nil {
			var perr error
			pv, perr = parsePyLiteral(s)
			if perr != nil {
				return nil, bag, fmt.Errorf("neither JSON nor a Python literal: %v", perr)
			}
		}
		v = pv
	}
	arr := []any{}
	add := func(name string, val any) {
		bag.Set(name, val)
		e := types.NewBag(2)
		e.Set("Name", name)
		e.Set("Value", val)
		arr = append(arr, e)
	}
	switch x := v.(type) {
	case nil:
	case []any:
		for i, e := range x {
			eb, ok := e.(*types.Bag)
			if !ok {
				return nil, bag, fmt.Errorf("element %d is not a {Name, Value} object", i)
			}
			n, ok := lookup(eb, "Name")
			if !ok {
				return nil, bag, fmt.Errorf("element %d has no Name", i)
			}
			val, _ := lookup(eb, "Value")
			add(text(n), val)
		}
	case *types.Bag:
		for i := 0; i < x.Len(); i++ {
			k, val := x.At(i)
			add(k, val)
		}
	default:
		return nil, bag, fmt.Errorf("not a list or object: %s", types.FormatDynamic(v))
	}
	return arr, bag, nil
}

var odataUser = regexp.MustCompile(`Users\('([^']+)'\)`)

var rawQueryRe = regexp.MustCompile(`(?s)<RawQuery[^>]*>(.*?)</RawQuery>`)

// rawQuery extracts /Query/RawQuery from a SearchResult query (XML, or
// JSON with a RawQuery member); other text is returned as it is.
func rawQuery(s string) string {
	if m := rawQueryRe.FindStringSubmatch(s); m != nil {
		var out struct {
			Text string `xml:",chardata"`
		}
		if err := xml.Unmarshal([]byte("<x>"+m[1]+"</x>"), &out); err == nil {
			return strings.TrimSpace(out.Text)
		}
		return strings.TrimSpace(m[1])
	}
	if v, err := types.ParseDynamic(s); err == nil {
		if b, ok := v.(*types.Bag); ok {
			if q, ok := b.Get("Query"); ok {
				if qb, ok := q.(*types.Bag); ok {
					b = qb
				}
			}
			if rq, ok := lookup(b, "RawQuery"); ok {
				return strings.TrimSpace(text(rq))
			}
		}
	}
	return strings.TrimSpace(s)
}
