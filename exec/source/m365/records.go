package m365

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// record is one audit record: the AuditData object plus, for CSV exports,
// the values of the CSV's own columns (used when AuditData lacks them).
type record struct {
	n        int        // line (CSV, JSON lines) or element number (JSON array)
	audit    *types.Bag // the AuditData object
	fallback map[string]any
}

// get returns AuditData's key, else the CSV column standing for it.
func (r *record) get(key string) (any, bool) {
	if v, ok := r.audit.Get(key); ok && v != nil {
		return v, true
	}
	if v, ok := r.fallback[key]; ok {
		return v, true
	}
	return nil, false
}

// str returns key as text ("" when absent or null).
func (r *record) str(key string) string {
	v, _ := r.get(key)
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return types.FormatDynamic(v)
}

// ---- Unified Audit Log CSV ----

// csvLayout is where the interesting columns of a UAL CSV export are.
type csvLayout struct {
	auditData, creationDate, recordID, recordType, operation, userID int
}

// ualHeader recognises the header of a Purview or older portal /
// Search-UnifiedAuditLog CSV export.
func ualHeader(cells []string) (csvLayout, bool) {
	l := csvLayout{-1, -1, -1, -1, -1, -1}
	for i, c := range cells {
		switch strings.ToLower(strings.TrimSpace(c)) {
		case "auditdata":
			l.auditData = i
		case "creationdate", "creationtime":
			l.creationDate = i
		case "recordid", "identity":
			l.recordID = i
		case "recordtype":
			l.recordType = i
		case "operation", "operations":
			l.operation = i
		case "userid", "userids":
			l.userID = i
		}
	}
	return l, l.auditData >= 0 && l.creationDate >= 0 && l.operation >= 0
}

func detectCSV(head []byte) bool {
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if !bytes.Contains(bytes.ToLower(line), []byte("auditdata")) {
		return false
	}
	cells, err := csv.NewReader(bytes.NewReader(bytes.TrimRight(line, "\r"))).Read()
	if err != nil {
		return false
	}
	_, ok := ualHeader(cells)
	return ok
}

// splitCSV cuts a UAL CSV export into records; the AuditData JSON is
// parsed by the item's decode (on a worker).
func splitCSV(f *source.File, emit func(item) error) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	cr := csv.NewReader(bufio.NewReaderSize(rc, 1<<20))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return &source.Error{File: f.Path, Line: 1, Reason: "no UAL CSV header: " + errString(err)}
	}
	l, ok := ualHeader(header)
	if !ok {
		return &source.Error{File: f.Path, Line: 1, Reason: "no UAL CSV header (AuditData, CreationDate, Operation)"}
	}
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return &source.Error{File: f.Path, Line: line, Reason: err.Error()}
			}
			if ferr := emit(item{bad: &catalog.Problem{File: f.Path, Line: pe.StartLine, Reason: "row skipped: " + pe.Err.Error()}}); ferr != nil {
				return ferr
			}
			continue
		}
		if len(cells) == 1 && strings.TrimSpace(cells[0]) == "" {
			continue
		}
		if l.auditData >= len(cells) {
			if ferr := emit(item{bad: &catalog.Problem{File: f.Path, Line: line, Field: "AuditData", Reason: fmt.Sprintf("row skipped: %d cells, no AuditData", len(cells))}}); ferr != nil {
				return ferr
			}
			continue
		}
		adLine, _ := cr.FieldPos(l.auditData)
		if ferr := emit(item{decode: func() (*record, *catalog.Problem) { return csvRecord(f.Path, l, cells, line, adLine) }}); ferr != nil {
			return ferr
		}
	}
}

// csvRecord decodes one row of a UAL CSV export.
func csvRecord(path string, l csvLayout, cells []string, line, adLine int) (*record, *catalog.Problem) {
	v, perr := types.ParseDynamic(cells[l.auditData])
	bag, isBag := v.(*types.Bag)
	if perr != nil || !isBag {
		reason := "row skipped: AuditData is not a JSON object"
		if perr != nil {
			reason = "row skipped: AuditData is not valid JSON: " + perr.Error()
		}
		return nil, &catalog.Problem{File: path, Line: adLine, Field: "AuditData", Reason: reason}
	}
	r := &record{n: line, audit: bag, fallback: make(map[string]any, 5)}
	cell := func(i int) string {
		if i >= 0 && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	if s := cell(l.creationDate); s != "" {
		r.fallback["CreationTime"] = s
	}
	if s := cell(l.operation); s != "" {
		r.fallback["Operation"] = s
	}
	if s := cell(l.userID); s != "" {
		r.fallback["UserId"] = s
	}
	if s := cell(l.recordID); s != "" {
		r.fallback["Id"] = s
	}
	if s := cell(l.recordType); s != "" {
		r.fallback["RecordType"] = s
	}
	return r, nil
}

func errString(err error) string {
	if err == io.EOF {
		return "empty file"
	}
	return err.Error()
}

// ---- Management Activity API JSON ----

// isAuditKeys reports whether an object's keys are those of an AuditData
// record: CreationTime, Operation and Workload or RecordType.
func isAuditKeys(has func(string) bool) bool {
	return has("CreationTime") && has("Operation") && (has("Workload") || has("RecordType"))
}

// detectKeys also accepts a Search-UnifiedAuditLog result saved as JSON
// (CreationDate, Operations, AuditData).
func detectKeys(has func(string) bool) bool {
	return isAuditKeys(has) || (has("AuditData") && has("CreationDate") && (has("Operations") || has("Operation")))
}

func detectJSON(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) == 0 {
		return false
	}
	if t[0] == '[' {
		t = bytes.TrimLeft(t[1:], " \t\r\n")
	}
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	var first map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(t)).Decode(&first); err != nil {
		// A first record longer than the head: look at its keys' text.
		if len(head) < source.HeadSize {
			return false
		}
		return detectKeys(func(k string) bool { return bytes.Contains(t, []byte(`"`+k+`"`)) })
	}
	return detectKeys(func(k string) bool { _, ok := first[k]; return ok })
}

// splitJSON cuts a Management Activity API file into records (the JSON
// values are decoded while splitting; a nested AuditData text is parsed by
// the item's decode).
func splitJSON(f *source.File, emit func(item) error) error {
	return source.EachJSON(f, func(n int, v any, err error) error {
		if err != nil {
			return emit(item{bad: &catalog.Problem{File: f.Path, Line: n, Reason: "record skipped: " + err.Error()}})
		}
		bag, ok := v.(*types.Bag)
		if !ok {
			return emit(item{bad: &catalog.Problem{File: f.Path, Line: n, Reason: fmt.Sprintf("record skipped: a JSON %s, not an object", types.DynamicTypeName(v))}})
		}
		return emit(item{decode: func() (*record, *catalog.Problem) { return jsonRecord(f.Path, n, bag) }})
	})
}

// jsonRecord decodes one Management Activity API record.
func jsonRecord(path string, n int, bag *types.Bag) (*record, *catalog.Problem) {
	// A Search-UnifiedAuditLog result saved as JSON nests the record.
	if ad, ok := bag.Get("AuditData"); ok {
		if s, ok := ad.(string); ok {
			if pv, err := types.ParseDynamic(s); err == nil {
				ad = pv
			}
		}
		if inner, ok := ad.(*types.Bag); ok {
			r := &record{n: n, audit: inner, fallback: map[string]any{}}
			for _, k := range []string{"CreationDate", "Operations", "Operation", "UserIds", "UserId", "RecordType"} {
				if x, ok := bag.Get(k); ok && x != nil {
					key := strings.TrimSuffix(k, "s")
					if k == "CreationDate" {
						key = "CreationTime"
					}
					r.fallback[key] = x
				}
			}
			return r, nil
		}
	}
	if !isAuditKeys(func(k string) bool { _, ok := bag.Get(k); return ok }) {
		return nil, &catalog.Problem{File: path, Line: n, Reason: "record skipped: not an audit record (no CreationTime, Operation, Workload/RecordType)"}
	}
	return &record{n: n, audit: bag}, nil
}
