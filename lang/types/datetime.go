package types

import (
	"strings"
)

// Datetime values are int64 Unix nanoseconds UTC. Kusto's own range is
// 0001-01-01 to 9999-12-31 at 100 ns precision; kqlhunt (like Arrow's
// Timestamp(ns)) covers 1677-09-21 to 2262-04-11. Datetimes before that
// range (typically the sentinel 0001-01-01) parse as MinDateTime, later
// ones (9999-12-31) as MaxDateTime, so comparisons with them keep working;
// the two print as 0001-01-01T00:00:00.0000000Z and 9999-12-31T23:59:59.9999999Z.

// MinDateTime and MaxDateTime stand for Kusto's datetime range limits.
const (
	MinDateTime int64 = -1 << 63
	MaxDateTime int64 = 1<<63 - 1
)

// ParseDateTime parses the textual datetime forms Kusto accepts in
// datetime(...) literals and todatetime(), returning Unix nanoseconds UTC.
// Accepted (case-insensitive, surrounding spaces ignored):
//
//	ISO 8601    2014-05-25, 2014-05-25T08:20, 2014-05-25 08:20:03,
//	            2014-05-25T08:20:03.123456Z, 2014-05-25T08:20:03+02:00,
//	            2015-12-31 23:59:59.9, 2014-05-25T08:20:03 UTC
//	RFC 822     Sat, 8 Nov 14 15:05:02 GMT, 8 Nov 2014 15:05, Saturday, 8 November 2014 15:05:02 +0100
//	RFC 850     Saturday, 08-Nov-14 15:05:02 GMT, 08-Nov-14 15:05:02
//	US          10/26/2023, 02/17/2016 08:40:01, 10/26/2023 1:56:15 AM, 12-02-2022,
//	            2023/10/26 13:56:15
//	commas      2025, 6, 14 and 2025, 6, 14, 13, 45, 7.5 (year, month, day, hour, minute, second)
//
// Fractions keep at most 7 digits (100 ns ticks; further digits are
// truncated). Zones: Z, UTC, UT, GMT, ±hh, ±hh:mm, ±hhmm and the US zones
// EST/EDT/CST/CDT/MST/MDT/PST/PDT. Two-digit years 00-49 are 20xx, 50-99 19xx.
func ParseDateTime(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, &ParseError{Kind: "datetime", Input: s}
	}
	for i := 0; i < len(t); i++ {
		if t[i] >= 0x80 { // no-break and narrow no-break spaces act as spaces
			t = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2009", " ").Replace(t)
			break
		}
	}
	var p dtParts
	ok := false
	if len(t) >= 5 && isDigit(t[0]) && isDigit(t[1]) && isDigit(t[2]) && isDigit(t[3]) && (t[4] == '-' || t[4] == '/') {
		ok = p.parseYMD(t)
	} else if len(t) >= 5 && isDigit(t[0]) && isDigit(t[3]) && strings.IndexByte(t, ',') > 0 && isDigit(t[len(t)-1]) {
		ok = p.parseCommas(t)
	} else if isDigit(t[0]) {
		ok = p.parseMDY(t)
		if !ok {
			p = dtParts{}
			ok = p.parseRFC(t)
		}
	} else {
		ok = p.parseRFC(t)
	}
	if !ok {
		return 0, &ParseError{Kind: "datetime", Input: s}
	}
	ns, err := p.unixNanos()
	if err != "" {
		return 0, &ParseError{Kind: "datetime", Input: s, Msg: err}
	}
	return ns, nil
}

type dtParts struct {
	year, month, day     int
	hour, minute, second int
	frac                 int64 // nanoseconds
	offset               int   // zone offset in seconds east of UTC
}

type scanner struct {
	s string
	i int
}

func (c *scanner) eof() bool { return c.i >= len(c.s) }
func (c *scanner) peek() byte {
	if c.i < len(c.s) {
		return c.s[c.i]
	}
	return 0
}
func (c *scanner) accept(b byte) bool {
	if c.i < len(c.s) && c.s[c.i] == b {
		c.i++
		return true
	}
	return false
}
func (c *scanner) spaces() int {
	n := 0
	for c.i < len(c.s) && (c.s[c.i] == ' ' || c.s[c.i] == '\t') {
		c.i++
		n++
	}
	return n
}

// num reads between min and max decimal digits.
func (c *scanner) num(min, max int) (int, bool) {
	v, n := 0, 0
	for c.i < len(c.s) && n < max && isDigit(c.s[c.i]) {
		v = v*10 + int(c.s[c.i]-'0')
		c.i++
		n++
	}
	return v, n >= min
}

func (c *scanner) word() string {
	st := c.i
	for c.i < len(c.s) && isLetter(c.s[c.i]) {
		c.i++
	}
	return c.s[st:c.i]
}

func isDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isLetter(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }

// fraction reads digits after a '.', keeping nanoseconds truncated to ticks.
func (c *scanner) fraction() (int64, bool) {
	var v int64
	n := 0
	for c.i < len(c.s) && isDigit(c.s[c.i]) {
		if n < 7 {
			v = v*10 + int64(c.s[c.i]-'0')
		}
		c.i++
		n++
	}
	if n == 0 {
		return 0, false
	}
	for k := n; k < 7; k++ {
		v *= 10
	}
	return v * 100, true
}

// parseYMD: 2014-05-25[(T| )08:20[:03[.123]]][ zone] and 2014/05/25 ...
func (p *dtParts) parseYMD(t string) bool {
	c := &scanner{s: t}
	var ok bool
	if p.year, ok = c.num(4, 4); !ok {
		return false
	}
	sep := c.peek()
	c.i++
	if p.month, ok = c.num(1, 2); !ok || !c.accept(sep) {
		return false
	}
	if p.day, ok = c.num(1, 2); !ok {
		return false
	}
	if c.eof() {
		return true
	}
	if !(c.accept('T') || c.accept('t')) && c.spaces() == 0 {
		return false
	}
	if c.eof() {
		return true
	}
	return p.parseTime(c, true)
}

// parseMDY: 10/26/2023[ 1:56:15[.f][ AM|PM]][ zone], also 12-02-2022
func (p *dtParts) parseMDY(t string) bool {
	c := &scanner{s: t}
	var ok bool
	if p.month, ok = c.num(1, 2); !ok {
		return false
	}
	sep := c.peek()
	if (sep != '/' && sep != '-') || !c.accept(sep) {
		return false
	}
	if p.day, ok = c.num(1, 2); !ok || !c.accept(sep) {
		return false
	}
	st := c.i
	if p.year, ok = c.num(2, 4); !ok || c.i-st == 3 {
		return false
	}
	if c.i-st == 2 {
		p.year = twoDigitYear(p.year)
	}
	if c.spaces() == 0 {
		return c.eof()
	}
	if c.eof() {
		return true
	}
	return p.parseTime(c, true)
}

// parseCommas: 2025, 6, 14[, 13[, 45[, 7.5]]] (year, month, day, hour, minute, second).
func (p *dtParts) parseCommas(t string) bool {
	parts := strings.Split(t, ",")
	if len(parts) < 3 || len(parts) > 6 {
		return false
	}
	dst := []*int{&p.year, &p.month, &p.day, &p.hour, &p.minute, &p.second}
	for i, part := range parts {
		c := &scanner{s: strings.TrimSpace(part)}
		v, ok := c.num(1, 4)
		if !ok {
			return false
		}
		*dst[i] = v
		if i == 5 && c.accept('.') {
			if p.frac, ok = c.fraction(); !ok {
				return false
			}
		}
		if !c.eof() {
			return false
		}
	}
	return true
}

func twoDigitYear(y int) int {
	if y < 50 {
		return 2000 + y
	}
	return 1900 + y
}

// parseTime reads hh:mm[:ss[.fffffff]][ AM|PM][ zone] up to the end of input.
func (p *dtParts) parseTime(c *scanner, ampm bool) bool {
	var ok bool
	if p.hour, ok = c.num(1, 2); !ok || !c.accept(':') {
		return false
	}
	if p.minute, ok = c.num(2, 2); !ok {
		return false
	}
	if c.accept(':') {
		if p.second, ok = c.num(2, 2); !ok {
			return false
		}
		if c.accept('.') || c.accept(',') {
			if p.frac, ok = c.fraction(); !ok {
				return false
			}
		}
	}
	c.spaces()
	if ampm && c.i+2 <= len(c.s) {
		switch strings.ToUpper(c.s[c.i : c.i+2]) {
		case "AM", "PM":
			if c.i+2 == len(c.s) || !isLetter(c.s[c.i+2]) {
				pm := (c.s[c.i] | 0x20) == 'p'
				c.i += 2
				if p.hour < 1 || p.hour > 12 {
					return false
				}
				if p.hour == 12 {
					p.hour = 0
				}
				if pm {
					p.hour += 12
				}
				c.spaces()
			}
		}
	}
	if c.eof() {
		return true
	}
	if !p.parseZone(c) {
		return false
	}
	c.spaces()
	return c.eof()
}

var zoneOffsets = map[string]int{
	"Z": 0, "UTC": 0, "UT": 0, "GMT": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}

func (p *dtParts) parseZone(c *scanner) bool {
	if b := c.peek(); b == '+' || b == '-' {
		c.i++
		h, ok := c.num(2, 2)
		if !ok {
			return false
		}
		m := 0
		if c.accept(':') {
			if m, ok = c.num(2, 2); !ok {
				return false
			}
		} else if isDigit(c.peek()) {
			if m, ok = c.num(2, 2); !ok {
				return false
			}
		}
		if h > 14 || m > 59 {
			return false
		}
		p.offset = h*3600 + m*60
		if b == '-' {
			p.offset = -p.offset
		}
		return true
	}
	w := strings.ToUpper(c.word())
	off, ok := zoneOffsets[w]
	if !ok {
		return false
	}
	p.offset = off * 3600
	if w == "GMT" || w == "UTC" || w == "UT" {
		// GMT+2, UTC-05:00
		c.spaces()
		if b := c.peek(); b == '+' || b == '-' {
			return p.parseZone(c)
		}
	}
	return true
}

var monthNames = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8,
	"september": 9, "october": 10, "november": 11, "december": 12,
}

var dayNames = map[string]bool{
	"mon": true, "tue": true, "wed": true, "thu": true, "fri": true, "sat": true, "sun": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"tues": true, "thur": true, "thurs": true,
}

// parseRFC: [Weekday[,]] d Mon yy[yy] hh:mm[:ss][ zone]  and  [Weekday,] dd-Mon-yy hh:mm:ss[ zone]
func (p *dtParts) parseRFC(t string) bool {
	c := &scanner{s: t}
	if isLetter(c.peek()) {
		if !dayNames[strings.ToLower(c.word())] {
			return false
		}
		c.accept(',')
		if c.spaces() == 0 && c.s[c.i-1] != ',' {
			return false
		}
	}
	var ok bool
	if p.day, ok = c.num(1, 2); !ok {
		return false
	}
	dash := c.accept('-')
	if !dash && c.spaces() == 0 {
		return false
	}
	if p.month, ok = monthNames[strings.ToLower(c.word())]; !ok {
		return false
	}
	if dash {
		if !c.accept('-') {
			return false
		}
	} else if c.spaces() == 0 {
		return false
	}
	st := c.i
	if p.year, ok = c.num(2, 4); !ok || c.i-st == 3 {
		return false
	}
	if c.i-st == 2 {
		p.year = twoDigitYear(p.year)
	}
	if c.spaces() == 0 {
		return c.eof()
	}
	if c.eof() {
		return true
	}
	return p.parseTime(c, false)
}

func (p *dtParts) unixNanos() (int64, string) {
	if p.month < 1 || p.month > 12 || p.day < 1 || p.day > DaysInMonth(p.year, p.month) {
		return 0, "no such date"
	}
	if p.hour > 23 || p.minute > 59 || p.second > 59 {
		return 0, "no such time of day"
	}
	days := DaysFromCivil(p.year, p.month, p.day)
	secs := days*86400 + int64(p.hour*3600+p.minute*60+p.second) - int64(p.offset)
	const maxSec = 9223372035
	if secs > maxSec {
		return MaxDateTime, ""
	}
	if secs < -maxSec {
		return MinDateTime, ""
	}
	return secs*1e9 + p.frac, ""
}

// DaysInMonth returns the number of days of month m (1-12) in year y.
func DaysInMonth(y, m int) int {
	switch m {
	case 2:
		if IsLeapYear(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// IsLeapYear reports whether y is a Gregorian leap year.
func IsLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// DaysFromCivil returns the number of days from 1970-01-01 to the given
// proleptic Gregorian date (month 1-12, day 1-31).
func DaysFromCivil(y, m, d int) int64 {
	yy := int64(y)
	if m <= 2 {
		yy--
	}
	era := yy
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := yy - era*400
	mp := int64(m + 9)
	if m > 2 {
		mp = int64(m - 3)
	}
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// CivilFromDays is the inverse of DaysFromCivil.
func CivilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	yy := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		yy++
	}
	return int(yy), m, d
}

// FloorDiv returns a/b rounded toward negative infinity and the matching
// non-negative remainder (b > 0).
func FloorDiv(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q--
		r += b
	}
	return q, r
}

// DateTimeParts splits Unix nanoseconds into civil date and time of day;
// nanos is the sub-second part (0..999999999).
func DateTimeParts(ns int64) (year, month, day, hour, minute, second int, nanos int64) {
	days, rem := FloorDiv(ns, Day)
	year, month, day = CivilFromDays(days)
	secs := rem / Second
	nanos = rem % Second
	return year, month, day, int(secs / 3600), int(secs / 60 % 60), int(secs % 60), nanos
}

// MakeDateTime returns Unix nanoseconds for a civil date and time (UTC).
// ok is false when a component is out of its range or the result does not fit.
func MakeDateTime(year, month, day, hour, minute, second int, nanos int64) (int64, bool) {
	p := dtParts{year: year, month: month, day: day, hour: hour, minute: minute, second: second, frac: nanos}
	if year < 1 || year > 9999 || nanos < 0 || nanos >= Second || hour < 0 || minute < 0 || second < 0 {
		return 0, false
	}
	ns, err := p.unixNanos()
	if ns == MinDateTime || ns == MaxDateTime {
		return 0, false // out of the representable range
	}
	return ns, err == ""
}

// FormatDateTime formats a datetime as Kusto's tostring() does:
// ISO 8601 UTC with exactly 7 fractional digits, 2024-01-02T03:04:05.1234567Z.
func FormatDateTime(ns int64) string {
	var buf [32]byte
	return string(AppendDateTime(buf[:0], ns, false))
}

// FormatDateTimeShort formats a datetime as ISO 8601 UTC with the
// fractional digits' trailing zeros (and the dot) dropped:
// 2024-01-02T03:04:05Z, 2024-01-02T03:04:05.5Z. This is the JSON output form.
func FormatDateTimeShort(ns int64) string {
	var buf [32]byte
	return string(AppendDateTime(buf[:0], ns, true))
}

// AppendDateTime appends the FormatDateTime (trim=false) or
// FormatDateTimeShort (trim=true) form of ns to dst.
func AppendDateTime(dst []byte, ns int64, trim bool) []byte {
	switch ns {
	case MinDateTime:
		if trim {
			return append(dst, "0001-01-01T00:00:00Z"...)
		}
		return append(dst, "0001-01-01T00:00:00.0000000Z"...)
	case MaxDateTime:
		return append(dst, "9999-12-31T23:59:59.9999999Z"...)
	}
	y, mo, d, h, mi, s, nanos := DateTimeParts(ns)
	if y < 0 {
		dst = append(dst, '-')
		y = -y
	}
	dst = appendInt(dst, y, 4)
	dst = append(dst, '-')
	dst = appendInt(dst, mo, 2)
	dst = append(dst, '-')
	dst = appendInt(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendInt(dst, h, 2)
	dst = append(dst, ':')
	dst = appendInt(dst, mi, 2)
	dst = append(dst, ':')
	dst = appendInt(dst, s, 2)
	dst = appendFraction(dst, nanos/100, trim)
	return append(dst, 'Z')
}

// appendFraction appends "." and 7 digits of ticks, trimming trailing zeros if trim.
func appendFraction(dst []byte, ticks int64, trim bool) []byte {
	if trim && ticks == 0 {
		return dst
	}
	var f [7]byte
	for i := 6; i >= 0; i-- {
		f[i] = byte('0' + ticks%10)
		ticks /= 10
	}
	n := 7
	if trim {
		for n > 0 && f[n-1] == '0' {
			n--
		}
	}
	dst = append(dst, '.')
	return append(dst, f[:n]...)
}

func appendInt(dst []byte, v, width int) []byte {
	var b [20]byte
	i := len(b)
	for v > 0 || width > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	return append(dst, b[i:]...)
}
