package m365

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// MessageTrace is the table of Exchange Online message trace records
// (lang/schemas/tables/MessageTrace.json, a kqlhunt table).
const MessageTrace = "MessageTrace"

// messageTraceRow maps a message trace record: the Reporting Web Service
// OData object (Received, StartDate, EndDate as "/Date(ms)/") or a
// Get-MessageTrace row. TimeGenerated is Received.
func messageTraceRow(o *obj) mapped {
	cols := tableColumns(MessageTrace)
	vals := types.NewBag(len(cols))
	for _, c := range cols {
		var v any
		switch c.Name {
		case "TimeGenerated":
			v = o.val("Received")
		case "MessageId":
			v = o.val("MessageId")
		default:
			v = o.val(c.Name)
		}
		if c.Kind == types.DateTime {
			v = odataDate(v)
		}
		if v != nil {
			vals.Set(c.Name, v)
		}
	}
	return mapped{table: MessageTrace, vals: vals}
}

// odataDate turns "/Date(1658751973240)/" (milliseconds since the Unix
// epoch, optionally with a "+hhmm" offset that does not change the
// instant) into ISO 8601 text; other values are returned as they are.
func odataDate(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "/Date(") || !strings.HasSuffix(t, ")/") {
		return v
	}
	body := t[len("/Date(") : len(t)-2]
	if i := strings.IndexAny(body[1:], "+-"); i >= 0 {
		body = body[:i+1]
	}
	ms, err := strconv.ParseInt(body, 10, 64)
	if err != nil {
		return v
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano)
}

// messageTraceCSV reads Get-MessageTrace / Get-MessageTraceV2 output saved
// with Export-Csv (a "#TYPE" first line is skipped) into MessageTrace.
type messageTraceCSV struct{}

func (messageTraceCSV) Name() string { return "message-trace-csv" }

func (messageTraceCSV) Detect(path string, head []byte) bool {
	switch source.Ext(path) {
	case ".csv", ".txt", "":
	default:
		return false
	}
	cells := headerCells(skipTypeLine(head))
	has := map[string]bool{}
	for _, c := range cells {
		has[strings.ToLower(strings.TrimSpace(c))] = true
	}
	return has["messagetraceid"] && has["senderaddress"] && has["recipientaddress"]
}

// skipTypeLine drops the "#TYPE ..." line Windows PowerShell's Export-Csv
// writes first.
func skipTypeLine(head []byte) []byte {
	if bytes.HasPrefix(head, []byte("#TYPE")) {
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			return head[i+1:]
		}
	}
	return head
}

func (messageTraceCSV) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	return readRouted(f, opts, eachCSVObject, func(o *obj) mapped { return messageTraceRow(o) })
}
