package types

import (
	"math"
	"strings"
)

// Timespan values are int64 nanoseconds.

var timespanUnits = map[string]int64{
	"d": Day, "day": Day, "days": Day,
	"h": Hour, "hr": Hour, "hrs": Hour, "hour": Hour, "hours": Hour,
	"m": Minute, "min": Minute, "mins": Minute, "minute": Minute, "minutes": Minute,
	"s": Second, "sec": Second, "secs": Second, "second": Second, "seconds": Second,
	"ms": Millisecond, "milli": Millisecond, "millis": Millisecond, "millisecond": Millisecond, "milliseconds": Millisecond,
	"microsecond": Microsecond, "microseconds": Microsecond,
	"tick": Tick, "ticks": Tick,
	"nanosecond": 1, "nanoseconds": 1,
}

// ParseTimeSpan parses the textual timespan forms Kusto accepts in
// timespan(...) / time(...) literals and totimespan(), returning nanoseconds:
//
//	unit literals   2d, 1.5h, 30m, 10s, 0.1s, 100ms, 10microsecond, 1tick,
//	                2min, 15 seconds, and sums of them: 1d 2h 30m
//	.NET "c" form   [-][d.]hh:mm[:ss[.fffffff]]: 1.02:03:04.5, 02:03:04, 00:01
//	a bare number   2 (days, as time(2) in Kusto)
//
// A leading '-' negates the whole value. Unit names: d day days, h hr hrs
// hour hours, m min mins minute minutes, s sec secs second seconds, ms milli
// millis millisecond milliseconds, microsecond(s), tick(s), nanosecond(s).
func ParseTimeSpan(s string) (int64, error) {
	t := strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(t, "-") {
		neg = true
		t = strings.TrimSpace(t[1:])
	} else if strings.HasPrefix(t, "+") {
		t = strings.TrimSpace(t[1:])
	}
	var v int64
	var ok bool
	if strings.IndexByte(t, ':') >= 0 {
		v, ok = parseClockSpan(t)
	} else {
		v, ok = parseUnitSpan(t)
	}
	if !ok {
		return 0, &ParseError{Kind: "timespan", Input: s}
	}
	if neg {
		v = -v
	}
	return v, nil
}

// parseClockSpan: [d.]hh:mm[:ss[.fffffff]]
func parseClockSpan(t string) (int64, bool) {
	c := &scanner{s: t}
	first, ok := c.num(1, 8)
	if !ok {
		return 0, false
	}
	days := 0
	var h int
	if c.accept('.') {
		days = first
		if h, ok = c.num(1, 2); !ok {
			return 0, false
		}
	} else {
		h = first
	}
	if !c.accept(':') {
		return 0, false
	}
	m, ok := c.num(1, 2)
	if !ok {
		return 0, false
	}
	sec := 0
	var frac int64
	if c.accept(':') {
		if sec, ok = c.num(1, 2); !ok {
			return 0, false
		}
		if c.accept('.') {
			if frac, ok = c.fraction(); !ok {
				return 0, false
			}
		}
	}
	if !c.eof() || h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	if days > 10675199 {
		return 0, false
	}
	return int64(days)*Day + int64(h)*Hour + int64(m)*Minute + int64(sec)*Second + frac, true
}

// parseUnitSpan: one or more "number[ ]unit" terms, or a bare number of days.
func parseUnitSpan(t string) (int64, bool) {
	c := &scanner{s: t}
	var total float64
	var exact int64
	terms := 0
	for {
		c.spaces()
		if c.eof() {
			break
		}
		st := c.i
		ip, ok := c.num(1, 19)
		_ = ip
		if !ok && c.peek() != '.' {
			return 0, false
		}
		if c.accept('.') {
			if _, ok2 := c.num(1, 30); !ok2 && !ok {
				return 0, false
			}
		}
		numText := t[st:c.i]
		c.spaces()
		unitText := c.word()
		unit := Day
		if unitText != "" {
			u, known := timespanUnits[strings.ToLower(unitText)]
			if !known {
				return 0, false
			}
			unit = u
		} else if terms > 0 || !c.eof() {
			return 0, false
		}
		terms++
		if strings.IndexByte(numText, '.') < 0 {
			n, ok := parseInt64(numText)
			if !ok {
				return 0, false
			}
			if n != 0 && (n > math.MaxInt64/unit) {
				return 0, false
			}
			exact += n * unit
			continue
		}
		f, ok := parseDecimalFloat(numText)
		if !ok {
			return 0, false
		}
		total += f * float64(unit)
	}
	if terms == 0 {
		return 0, false
	}
	r := float64(exact) + math.Round(total)
	if r > math.MaxInt64 || r < math.MinInt64 {
		return 0, false
	}
	if total == 0 {
		return exact, true
	}
	return exact + int64(math.Round(total)), true
}

func parseInt64(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		d := int64(s[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// parseDecimalFloat parses digits[.digits] exactly enough for timespans.
func parseDecimalFloat(s string) (float64, bool) {
	dot := strings.IndexByte(s, '.')
	ip, fp := s, ""
	if dot >= 0 {
		ip, fp = s[:dot], s[dot+1:]
	}
	var v float64
	if ip != "" {
		n, ok := parseInt64(ip)
		if !ok {
			return 0, false
		}
		v = float64(n)
	}
	scale := 1.0
	var f float64
	for i := 0; i < len(fp) && i < 18; i++ {
		if !isDigit(fp[i]) {
			return 0, false
		}
		f = f*10 + float64(fp[i]-'0')
		scale *= 10
	}
	return v + f/scale, true
}

// FormatTimeSpan formats a timespan as Kusto's tostring() does (.NET "c"
// format): [-][d.]hh:mm:ss[.fffffff], the fraction printed with 7 digits
// when not zero: 1.02:03:04.5000000, 00:00:10, -01:00:00.
func FormatTimeSpan(ns int64) string {
	var buf [32]byte
	return string(AppendTimeSpan(buf[:0], ns, false))
}

// FormatTimeSpanShort is FormatTimeSpan with the fraction's trailing zeros dropped.
func FormatTimeSpanShort(ns int64) string {
	var buf [32]byte
	return string(AppendTimeSpan(buf[:0], ns, true))
}

// AppendTimeSpan appends the FormatTimeSpan form of ns (trim: with the
// fraction's trailing zeros dropped) to dst.
func AppendTimeSpan(dst []byte, ns int64, trim bool) []byte {
	u := uint64(ns)
	if ns < 0 {
		dst = append(dst, '-')
		u = uint64(-ns) // MinInt64 wraps to itself, which as uint64 is its magnitude
	}
	ticks := u / 100
	days := ticks / uint64(Day/100)
	rem := ticks % uint64(Day/100)
	if days > 0 {
		dst = appendUint(dst, days)
		dst = append(dst, '.')
	}
	secs := rem / TicksPerSecond
	frac := rem % TicksPerSecond
	dst = appendInt(dst, int(secs/3600), 2)
	dst = append(dst, ':')
	dst = appendInt(dst, int(secs/60%60), 2)
	dst = append(dst, ':')
	dst = appendInt(dst, int(secs%60), 2)
	if frac != 0 {
		dst = appendFraction(dst, int64(frac), trim)
	}
	return dst
}

func appendUint(dst []byte, v uint64) []byte {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}
