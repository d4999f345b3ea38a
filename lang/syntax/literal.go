package syntax

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// unquoteString decodes one KQL string token: '...' or "..." with backslash
// escapes, @'...' / @"..." verbatim (doubled quote = one quote), ```...``` or
// ~~~...~~~ multi-line, each optionally h/H-prefixed (obfuscated).
func unquoteString(tok string) (string, error) {
	if len(tok) > 0 && (tok[0] == 'h' || tok[0] == 'H') {
		tok = tok[1:]
	}
	if strings.HasPrefix(tok, "```") || strings.HasPrefix(tok, "~~~") {
		if len(tok) < 6 {
			return "", errors.New("unterminated string")
		}
		return tok[3 : len(tok)-3], nil
	}
	if strings.HasPrefix(tok, "@") {
		tok = tok[1:]
		if len(tok) < 2 {
			return "", errors.New("unterminated string")
		}
		q := tok[:1]
		return strings.ReplaceAll(tok[1:len(tok)-1], q+q, q), nil
	}
	if len(tok) < 2 {
		return "", errors.New("unterminated string")
	}
	body := tok[1 : len(tok)-1]
	if !strings.Contains(body, `\`) {
		return body, nil
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 >= len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := body[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'u', 'x', 'U':
			n := map[byte]int{'u': 4, 'x': 2, 'U': 8}[e]
			if i+1+n <= len(body) {
				if v, err := strconv.ParseUint(body[i+1:i+1+n], 16, 32); err == nil {
					if e == 'x' {
						b.WriteByte(byte(v))
					} else if utf8.ValidRune(rune(v)) {
						b.WriteRune(rune(v))
					}
					i += n
					continue
				}
			}
			return "", errors.New("invalid escape \\" + string(e) + " in string")
		default:
			// \\ \' \" and any other escaped character stand for themselves.
			b.WriteByte(e)
		}
	}
	return b.String(), nil
}

// Units of timespan literals in 100ns ticks... expressed in nanoseconds.
var timespanUnits = map[string]float64{
	"d": 24 * 3600e9, "day": 24 * 3600e9, "days": 24 * 3600e9,
	"h": 3600e9, "hr": 3600e9, "hrs": 3600e9, "hour": 3600e9, "hours": 3600e9,
	"m": 60e9, "min": 60e9, "minute": 60e9, "minutes": 60e9,
	"s": 1e9, "sec": 1e9, "second": 1e9, "seconds": 1e9,
	"ms": 1e6, "milli": 1e6, "millis": 1e6, "millisec": 1e6, "millisecond": 1e6, "milliseconds": 1e6,
	"microsec": 1e3, "microsecond": 1e3, "microseconds": 1e3,
	"tick": 100, "ticks": 100,
}

// parseTimespanUnit decodes `1d`, `1.5h`, `10microseconds` to nanoseconds.
func parseTimespanUnit(s string) (int64, bool) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.ToLower(s[i:])
	mult, ok := timespanUnits[unit]
	if !ok || num == "" {
		return 0, false
	}
	if !strings.Contains(num, ".") {
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return 0, false
		}
		if mult >= 1 && float64(n)*mult > math.MaxInt64 {
			return 0, false
		}
		return n * int64(mult), true
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f*mult > math.MaxInt64 {
		return 0, false
	}
	return int64(math.Round(f * mult)), true
}

// parseTimespanText decodes the contents of timespan(...) / time(...):
// `[-][d.]hh:mm[:ss[.fffffff]]`, a unit form such as `2d`, or a bare number of days.
func parseTimespanText(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, strings.TrimSpace(s[1:])
	} else if strings.HasPrefix(s, "+") {
		s = strings.TrimSpace(s[1:])
	}
	sign := func(v int64) int64 {
		if neg {
			return -v
		}
		return v
	}
	if v, ok := parseTimespanUnit(s); ok {
		return sign(v), true
	}
	if !strings.Contains(s, ":") {
		// a bare number is a number of days
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return sign(int64(math.Round(f * 24 * 3600e9))), true
		}
		return 0, false
	}
	var days int64
	if i := strings.Index(s, "."); i >= 0 && i < strings.Index(s, ":") {
		d, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return 0, false
		}
		days, s = d, s[i+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 {
		return 0, false
	}
	var ns int64
	if len(parts) == 3 {
		sec := parts[2]
		frac := ""
		if i := strings.Index(sec, "."); i >= 0 {
			sec, frac = sec[:i], sec[i+1:]
		}
		sv, err := strconv.Atoi(sec)
		if err != nil || sv < 0 || sv > 59 {
			return 0, false
		}
		ns = int64(sv) * 1e9
		if frac != "" {
			if len(frac) > 9 {
				frac = frac[:9]
			}
			f, err := strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
			if err != nil {
				return 0, false
			}
			ns += int64(f)
		}
	}
	total := days*24*3600e9 + int64(h)*3600e9 + int64(m)*60e9 + ns
	return sign(total), true
}

var datetimeLayouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02T15Z",
	"2006-01-02T15",
	"2006-01-02 15",
	"2006-01-02",
	"2006-1-2 15:04:05.999999999",
	"2006-1-2",
	"2006/01/02 15:04:05.999999999",
	"2006/01/02 15:04",
	"2006/01/02",
	"01/02/2006 15:04:05.999999999",
	"01/02/2006 15:04",
	"01/02/2006",
	"01-02-2006 15:04:05.999999999",
	"01-02-2006",
	"2006-01",
	"2006",
	time.RFC1123,
	time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006",
	"Jan 2 2006",
	"Jan 2, 2006",
	"January 2, 2006",
}

// parseDateTimeText decodes the contents of datetime(...) to Unix nanoseconds UTC.
func parseDateTimeText(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if strings.Count(s, ",") >= 2 && !strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		// datetime(year, month, day [, hour, minute, second])
		var f [6]int
		parts := strings.Split(s, ",")
		if len(parts) > 6 {
			return 0, false
		}
		for i, p := range parts {
			v, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil {
				return 0, false
			}
			f[i] = v
		}
		if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 {
			return 0, false
		}
		return time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, time.UTC).UnixNano(), true
	}
	// the forms Kusto accepts (ISO 8601, RFC 822/850, 12-02-2022, 2025, 6, 14,
	// and 0001-01-01 / 9999-12-31 mapped to the datetime range limits)
	if ns, err := types.ParseDateTime(s); err == nil {
		return ns, true
	}
	for _, layout := range datetimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().UnixNano(), true
		}
	}
	return 0, false
}
