package mail

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// field is one header field as it appears in the message.
type field struct {
	Name  string // as written
	Value string // unfolded, not decoded
	Line  int    // line of the field name within the message (1-based)
}

// headerBlock is a message's header fields in order.
type headerBlock []field

// get returns the first value of name (case-insensitive).
func (h headerBlock) get(name string) (string, bool) {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value, true
		}
	}
	return "", false
}

// all returns every value of name, top first.
func (h headerBlock) all(name string) []string {
	var out []string
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			out = append(out, f.Value)
		}
	}
	return out
}

// isFieldName reports whether s is an RFC 5322 field name (printable
// ASCII except ':' and space).
func isFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// splitHeader parses the header block at the start of raw. It returns the
// fields, the body (after the blank line) and the lines that are neither a
// field nor a continuation (reported by the caller). A header block that
// runs to the end of raw has an empty body.
func splitHeader(raw []byte) (h headerBlock, body []byte, bad []field) {
	line := 0
	rest := raw
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		var l []byte
		if i < 0 {
			l, rest = rest, nil
		} else {
			l, rest = rest[:i], rest[i+1:]
		}
		line++
		l = bytes.TrimSuffix(l, []byte{'\r'})
		if len(l) == 0 {
			return h, rest, bad
		}
		if l[0] == ' ' || l[0] == '\t' {
			if len(h) > 0 {
				cont := strings.TrimSpace(string(l))
				if cont != "" {
					if h[len(h)-1].Value == "" {
						h[len(h)-1].Value = cont
					} else {
						h[len(h)-1].Value += " " + cont
					}
				}
				continue
			}
			bad = append(bad, field{Value: string(l), Line: line})
			continue
		}
		s := string(l)
		c := strings.IndexByte(s, ':')
		if c <= 0 || !isFieldName(strings.TrimRight(s[:c], " \t")) {
			bad = append(bad, field{Value: s, Line: line})
			continue
		}
		h = append(h, field{Name: strings.TrimRight(s[:c], " \t"), Value: strings.TrimSpace(s[c+1:]), Line: line})
	}
	return h, nil, bad
}

// wordDecoder decodes RFC 2047 encoded words in any charset that
// golang.org/x/text knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	cs := strings.ToLower(strings.TrimSpace(charset))
	switch cs {
	case "utf-8", "utf8", "us-ascii", "ascii", "":
		return input, nil
	}
	enc, err := htmlindex.Get(cs)
	if err != nil {
		return nil, err
	}
	return transform.NewReader(input, enc.NewDecoder()), nil
}

// decodeHeader decodes the encoded words of a header value; text that is
// not valid UTF-8 (8-bit headers) is read as Windows-1252. A value whose
// encoded words cannot be decoded is returned as written.
func decodeHeader(v string) string {
	v = toUTF8(v)
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}

// toUTF8 returns s unchanged when it is UTF-8, else decoded as Windows-1252.
func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out, _, err := transform.String(charmap.Windows1252.NewDecoder(), s)
	if err != nil {
		return strings.ToValidUTF8(s, "\ufffd")
	}
	return out
}
