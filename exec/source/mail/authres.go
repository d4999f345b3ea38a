package mail

import "strings"

// authResult is one method's result in an Authentication-Results header
// (RFC 8601): `spf=pass (comment) smtp.mailfrom=example.com`.
type authResult struct {
	Method string // lower-case, without version ("dkim")
	Result string // lower-case ("pass")
	Props  map[string]string
}

// parseAuthResults parses one Authentication-Results value. The
// authserv-id is optional (Exchange Online writes none); comments are
// dropped; a header of just "none" has no results.
func parseAuthResults(v string) []authResult {
	var out []authResult
	for i, seg := range splitOutside(stripComments(v), ';') {
		toks := strings.Fields(seg)
		if len(toks) == 0 {
			continue
		}
		if i == 0 && !strings.Contains(toks[0], "=") {
			// authserv-id [version]; a result may follow on the same
			// segment only in broken headers.
			continue
		}
		r := authResult{}
		for j, t := range toks {
			eq := strings.IndexByte(t, '=')
			if eq <= 0 {
				continue
			}
			k, val := strings.ToLower(t[:eq]), strings.Trim(t[eq+1:], `"`)
			if j == 0 {
				if sl := strings.IndexByte(k, '/'); sl > 0 {
					k = k[:sl]
				}
				r.Method, r.Result = k, strings.ToLower(val)
				continue
			}
			if r.Props == nil {
				r.Props = map[string]string{}
			}
			r.Props[k] = val
		}
		if r.Method != "" {
			out = append(out, r)
		}
	}
	return out
}

// stripComments removes RFC 5322 comments (nested parentheses) outside
// quoted strings.
func stripComments(v string) string {
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v) && (quoted || depth > 0):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(v[i+1])
			}
			i++
			continue
		case c == '"' && depth == 0:
			quoted = !quoted
		case c == '(' && !quoted:
			depth++
			continue
		case c == ')' && !quoted && depth > 0:
			depth--
			b.WriteByte(' ')
			continue
		}
		if depth == 0 {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splitOutside splits v at sep outside quoted strings.
func splitOutside(v string, sep byte) []string {
	var out []string
	quoted := false
	start := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

// verdicts returns the first result of each method over the given headers
// in order (the top header first).
func verdicts(headers []string) map[string]string {
	out := map[string]string{}
	for _, h := range headers {
		for _, r := range parseAuthResults(h) {
			if _, ok := out[r.Method]; !ok {
				out[r.Method] = r.Result
			}
		}
	}
	return out
}
