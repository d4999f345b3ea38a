package mail

import (
	"net/mail"
	"regexp"
	"strings"
)

// address is one mailbox of an address header.
type address struct {
	Name string // display name, decoded
	Addr string // lower-case addr-spec
}

var addrParser = &mail.AddressParser{WordDecoder: wordDecoder}

// addrToken finds addr-specs in free text.
var addrToken = regexp.MustCompile(`[A-Za-z0-9._%+\-=#!$&'*/?^{|}~]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*`)

// parseAddressList parses an address header. net/mail handles the RFC 5322
// forms; what it rejects (unquoted '@' or '.' in display names, missing
// brackets, trailing junk, as phishing mail often has) is read leniently:
// each comma-separated item's <addr> or bare addr-spec, with the text before
// it as the display name. ok is false when the value has text but no
// address could be found in it.
func parseAddressList(v string) (out []address, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, true
	}
	if list, err := addrParser.ParseList(v); err == nil {
		for _, a := range list {
			out = append(out, address{Name: a.Name, Addr: strings.ToLower(a.Address)})
		}
		return out, true
	}
	for _, item := range splitAddressItems(v) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if lt := strings.LastIndexByte(item, '<'); lt >= 0 {
			if gt := strings.IndexByte(item[lt:], '>'); gt > 0 {
				a := strings.TrimSpace(item[lt+1 : lt+gt])
				name := decodeHeader(strings.Trim(strings.TrimSpace(item[:lt]), `"' `))
				if m := addrToken.FindString(a); m != "" {
					out = append(out, address{Name: name, Addr: strings.ToLower(m)})
					continue
				}
				// The null address "<>" and addresses outside ASCII
				// (look-alike letters) are kept as written.
				if a == "" || strings.Contains(a, "@") && !strings.ContainsAny(a, " \t\"") {
					out = append(out, address{Name: name, Addr: strings.ToLower(a)})
					continue
				}
			}
		}
		if m := addrToken.FindStringIndex(item); m != nil {
			out = append(out, address{Addr: strings.ToLower(item[m[0]:m[1]])})
		}
	}
	if len(out) == 0 {
		// No address at all: keep the text as a display name.
		return []address{{Name: decodeHeader(strings.Trim(v, `"' `))}}, false
	}
	return out, true
}

// splitAddressItems splits at commas outside quotes, <> and comments.
func splitAddressItems(v string) []string {
	var out []string
	depth, angle, quoted := 0, false, false
	start := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == '<':
			angle = true
		case c == '>':
			angle = false
		case (c == ',' || c == ';') && depth == 0 && !angle:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// addrs returns the addresses of parsed mailboxes.
func addrs(as []address) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		if a.Addr != "" {
			out = append(out, a.Addr)
		}
	}
	return out
}

// domainOf is the lower-case domain of an address ("" without '@').
func domainOf(a string) string {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return strings.ToLower(a[i+1:])
	}
	return ""
}

// angleAddr returns the address in a Return-Path-like value: the text in
// <> (possibly empty: the null reverse path), else the first addr-spec.
func angleAddr(v string) string {
	v = strings.TrimSpace(v)
	if lt := strings.IndexByte(v, '<'); lt >= 0 {
		if gt := strings.IndexByte(v[lt:], '>'); gt > 0 {
			return strings.ToLower(strings.TrimSpace(v[lt+1 : lt+gt]))
		}
	}
	return strings.ToLower(addrToken.FindString(v))
}

// msgIDs returns the message ids in a Message-ID / In-Reply-To /
// References value without their brackets; text without brackets is split
// at white space.
func msgIDs(v string) []string {
	var out []string
	rest := v
	for {
		lt := strings.IndexByte(rest, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(rest[lt:], '>')
		if gt < 0 {
			break
		}
		if id := strings.TrimSpace(rest[lt+1 : lt+gt]); id != "" {
			out = append(out, id)
		}
		rest = rest[lt+gt+1:]
	}
	if len(out) == 0 {
		for _, t := range strings.Fields(v) {
			if t = strings.Trim(t, "<>,"); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}
