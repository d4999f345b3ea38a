package mail

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Records of the state exports and activity files: a CSV row or a JSON
// object, as a property bag (CSV cells are strings).

// eachRecordFn receives one record (nil when it could not be read, with
// the problem).
type eachRecordFn func(line int, rec *types.Bag, bad *problem) error

// isJSON reports whether a file's content is JSON (an array or objects).
func isJSON(head []byte) bool {
	t := bytes.TrimLeft(head, " \t\r\n")
	return len(t) > 0 && (t[0] == '[' || t[0] == '{')
}

// csvHeader returns the header cells of a CSV head (after an optional
// PowerShell "#TYPE ..." line), or nil.
func csvHeader(head []byte) []string {
	head = skipTypeLine(head)
	cr := csv.NewReader(bytes.NewReader(head))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	h, err := cr.Read()
	if err != nil || len(h) < 2 {
		return nil
	}
	for i := range h {
		h[i] = strings.TrimSpace(strings.TrimPrefix(h[i], "\ufeff"))
	}
	return h
}

// skipTypeLine drops the "#TYPE Namespace.Type" line that Windows
// PowerShell's Export-Csv writes first without -NoTypeInformation.
func skipTypeLine(b []byte) []byte {
	if bytes.HasPrefix(b, []byte("#TYPE ")) {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return b[i+1:]
		}
		return nil
	}
	return b
}

// hasKeys reports whether all keys are in set (case-insensitive).
func hasKeys(set []string, keys ...string) bool {
	for _, k := range keys {
		found := false
		for _, s := range set {
			if strings.EqualFold(s, k) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// countKeys counts the keys present in set (case-insensitive).
func countKeys(set []string, keys ...string) int {
	n := 0
	for _, k := range keys {
		if hasKeys(set, k) {
			n++
		}
	}
	return n
}

// jsonKeys returns the keys of the first object in a JSON head (a
// best-effort scan of `"Key":` tokens at the first object's top level).
func jsonKeys(head []byte) []string {
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) > 0 && t[0] == '[' {
		t = bytes.TrimLeft(t[1:], " \t\r\n")
	}
	if len(t) == 0 || t[0] != '{' {
		return nil
	}
	var keys []string
	depth, inStr, esc := 0, false, false
	start := -1
	for i := 0; i < len(t); i++ {
		c := t[i]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
				if depth == 1 && start >= 0 {
					j := i + 1
					for j < len(t) && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n') {
						j++
					}
					if j < len(t) && t[j] == ':' {
						keys = append(keys, string(t[start:i]))
					}
				}
				start = -1
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
			start = i + 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return keys
			}
		}
	}
	return keys
}

// fileKeys returns the column names (CSV) or first object's keys (JSON).
func fileKeys(head []byte) []string {
	if isJSON(head) {
		return jsonKeys(head)
	}
	return csvHeader(head)
}

// eachRecord calls fn for every record of a CSV or JSON file.
func eachRecord(f *source.File, fn eachRecordFn) error {
	if isJSON(f.Head) {
		return source.EachJSON(f, func(n int, v any, err error) error {
			if err != nil {
				return fn(n, nil, &problem{Line: n, Reason: "record skipped: not valid JSON: " + err.Error()})
			}
			// PowerShell ConvertTo-Json of a pipeline wraps nothing; of
			// Get-... | ConvertTo-Json -Depth N in a {"value": [...]}
			// envelope (as the Outlook REST API returns) the records are
			// the array's elements.
			if b, ok := v.(*types.Bag); ok {
				if inner, ok := b.Get("value"); ok && b.Len() <= 3 {
					if arr, ok := inner.([]any); ok {
						for i, e := range arr {
							eb, ok := e.(*types.Bag)
							if !ok {
								if err := fn(n, nil, &problem{Line: n, Reason: fmt.Sprintf("record skipped: value[%d] is not a JSON object", i)}); err != nil {
									return err
								}
								continue
							}
							if octx, ok := b.Get("@odata.context"); ok {
								if _, has := eb.Get("@odata.context"); !has {
									eb.Set("@odata.context", octx)
								}
							}
							if err := fn(n, eb, nil); err != nil {
								return err
							}
						}
						return nil
					}
				}
				return fn(n, b, nil)
			}
			return fn(n, nil, &problem{Line: n, Reason: "record skipped: not a JSON object"})
		})
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 1<<20)
	lineBase := 0
	if b, _ := br.Peek(6); string(b) == "#TYPE " {
		if _, err := br.ReadBytes('\n'); err != nil && err != io.EOF {
			return &source.Error{File: f.Path, Line: 1, Reason: err.Error()}
		}
		lineBase = 1
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return &source.Error{File: f.Path, Line: lineBase + 1, Reason: "no CSV header: " + errString(err)}
	}
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
	}
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := cr.FieldPos(0)
		line += lineBase
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return &source.Error{File: f.Path, Line: line, Reason: err.Error()}
			}
			if ferr := fn(pe.StartLine+lineBase, nil, &problem{Line: pe.StartLine + lineBase, Reason: "row skipped: " + pe.Err.Error()}); ferr != nil {
				return ferr
			}
			continue
		}
		if len(cells) == 1 && strings.TrimSpace(cells[0]) == "" {
			continue
		}
		if len(cells) != len(header) {
			if ferr := fn(line, nil, &problem{Line: line, Reason: fmt.Sprintf("row skipped: %d cells, the header has %d", len(cells), len(header))}); ferr != nil {
				return ferr
			}
			continue
		}
		b := types.NewBag(len(header))
		for i, h := range header {
			b.Set(h, cells[i])
		}
		if err := fn(line, b, nil); err != nil {
			return err
		}
	}
}

func errString(err error) string {
	if err == io.EOF {
		return "empty file"
	}
	return err.Error()
}

// lookup returns the value of the first of keys present in rec
// (case-insensitive), and whether any was present.
func lookup(rec *types.Bag, keys ...string) (any, bool) {
	for _, k := range keys {
		if v, ok := rec.Get(k); ok {
			return v, true
		}
	}
	for _, k := range keys {
		for i := 0; i < rec.Len(); i++ {
			rk, v := rec.At(i)
			if strings.EqualFold(rk, k) {
				return v, true
			}
		}
	}
	return nil, false
}

// text is a value as text: strings as they are, other JSON values as JSON
// text, null as "".
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return types.FormatDynamic(v)
}

// lookupText is lookup as trimmed text.
func lookupText(rec *types.Bag, keys ...string) string {
	v, _ := lookup(rec, keys...)
	return strings.TrimSpace(text(v))
}
