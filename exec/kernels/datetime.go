package kernels

// Datetime and timespan kernels (declarations in lang/funcs/datetime.go).
// Datetimes are int64 Unix ns UTC, timespans int64 ns. Time zones for
// datetime_utc_to_local / datetime_local_to_utc come from the IANA database
// embedded in the binary (time/tzdata).

import (
	"math"
	"math/bits"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // IANA zones for datetime_utc_to_local / datetime_local_to_utc

	"github.com/kqlhunt/kqlhunt/lang/types"
)

const dkTick = types.Tick

// dkPeriod is a calendar period named in datetime_add / datetime_diff / datetime_part.
type dkPeriod uint8

const (
	dkBad dkPeriod = iota
	dkYear
	dkQuarter
	dkMonth
	dkWeek
	dkWeekOfYear
	dkDay
	dkDayOfYear
	dkHour
	dkMinute
	dkSecond
	dkMillisecond
	dkMicrosecond
	dkNanosecond
)

func dkParsePeriod(s string) dkPeriod {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "year", "years", "yy", "yyyy":
		return dkYear
	case "quarter", "quarters", "qq", "q":
		return dkQuarter
	case "month", "months", "mm", "m":
		return dkMonth
	case "week", "weeks", "wk", "ww":
		return dkWeek
	case "week_of_year", "weekofyear", "isoweek":
		return dkWeekOfYear
	case "day", "days", "dd", "d":
		return dkDay
	case "dayofyear", "day_of_year", "dy", "y":
		return dkDayOfYear
	case "hour", "hours", "hh":
		return dkHour
	case "minute", "minutes", "mi", "n":
		return dkMinute
	case "second", "seconds", "ss", "s":
		return dkSecond
	case "millisecond", "milliseconds", "ms":
		return dkMillisecond
	case "microsecond", "microseconds", "mcs":
		return dkMicrosecond
	case "nanosecond", "nanoseconds", "ns":
		return dkNanosecond
	}
	return dkBad
}

var dkFixed = map[dkPeriod]int64{
	dkWeek: 7 * types.Day, dkDay: types.Day, dkHour: types.Hour, dkMinute: types.Minute, dkSecond: types.Second,
	dkMillisecond: types.Millisecond, dkMicrosecond: types.Microsecond, dkNanosecond: 1,
}

// dkAddMonths adds n months, clamping the day to the target month's length.
func dkAddMonths(ns int64, n int64) (int64, bool) {
	y, m, d, h, mi, s, frac := types.DateTimeParts(ns)
	if n > 120000 || n < -120000 {
		return 0, false
	}
	t := int64(y)*12 + int64(m-1) + n
	ny, nm := int(t/12), int(t%12)+1
	if t < 0 {
		return 0, false
	}
	if dim := types.DaysInMonth(ny, nm); d > dim {
		d = dim
	}
	return types.MakeDateTime(ny, nm, d, h, mi, s, frac)
}

func dkMulAdd(ns, n, unit int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(dkAbs(n)), uint64(unit))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	delta := int64(lo)
	if n < 0 {
		delta = -delta
	}
	r := ns + delta
	if (delta > 0 && r < ns) || (delta < 0 && r > ns) {
		return 0, false
	}
	return r, true
}

// dkAdd adds with overflow detection.
func dkAdd(a, b int64) (int64, bool) {
	r := a + b
	if (b > 0 && r < a) || (b < 0 && r > a) {
		return 0, false
	}
	return r, true
}

func dkAbs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func dkDateTimeAdd(part string, n int64, ns int64) (int64, bool) {
	switch p := dkParsePeriod(part); p {
	case dkYear:
		return dkAddMonths(ns, n*12)
	case dkQuarter:
		return dkAddMonths(ns, n*3)
	case dkMonth:
		return dkAddMonths(ns, n)
	case dkBad, dkWeekOfYear, dkDayOfYear:
		return 0, false
	default:
		return dkMulAdd(ns, n, dkFixed[p])
	}
}

// dkStartOfWeek is the Sunday 00:00 of the week containing ns.
func dkStartOfWeek(ns int64) int64 {
	days, _ := types.FloorDiv(ns, types.Day)
	_, dow := types.FloorDiv(days+4, 7) // 1970-01-01 was a Thursday
	return (days - dow) * types.Day
}

func dkDateTimeDiff(part string, a, b int64) (int64, bool) {
	p := dkParsePeriod(part)
	switch p {
	case dkYear, dkQuarter, dkMonth:
		ya, ma, _, _, _, _, _ := types.DateTimeParts(a)
		yb, mb, _, _, _, _, _ := types.DateTimeParts(b)
		switch p {
		case dkYear:
			return int64(ya - yb), true
		case dkQuarter:
			return int64((ya*4 + (ma-1)/3) - (yb*4 + (mb-1)/3)), true
		default:
			return int64((ya*12 + ma) - (yb*12 + mb)), true
		}
	case dkWeek:
		return (dkStartOfWeek(a) - dkStartOfWeek(b)) / (7 * types.Day), true
	case dkDay, dkHour, dkMinute, dkSecond, dkMillisecond, dkMicrosecond:
		u := dkFixed[p]
		qa, _ := types.FloorDiv(a, u)
		qb, _ := types.FloorDiv(b, u)
		return qa - qb, true
	case dkNanosecond:
		return a - b, true
	}
	return 0, false
}

func dkDateTimePart(part string, ns int64) (int32, bool) {
	y, m, d, h, mi, s, frac := types.DateTimeParts(ns)
	switch dkParsePeriod(part) {
	case dkYear:
		return int32(y), true
	case dkQuarter:
		return int32((m-1)/3 + 1), true
	case dkMonth:
		return int32(m), true
	case dkWeek, dkWeekOfYear:
		return dkISOWeek(ns), true
	case dkDay:
		return int32(d), true
	case dkDayOfYear:
		return dkDayOfYearOf(ns), true
	case dkHour:
		return int32(h), true
	case dkMinute:
		return int32(mi), true
	case dkSecond:
		return int32(s), true
	case dkMillisecond:
		return int32(frac / 1e6), true
	case dkMicrosecond:
		return int32(frac / 1e3), true
	case dkNanosecond:
		return int32(frac / 100 * 100), true
	}
	return 0, false
}

func dkISOWeek(ns int64) int32 {
	_, w := time.Unix(0, ns).UTC().ISOWeek()
	return int32(w)
}

func dkDayOfYearOf(ns int64) int32 {
	days, _ := types.FloorDiv(ns, types.Day)
	y, _, _ := types.CivilFromDays(days)
	return int32(days-types.DaysFromCivil(y, 1, 1)) + 1
}

// dkStartOf returns the start of the period containing ns, shifted by off periods.
func dkStartOf(unit byte, ns, off int64) (int64, bool) {
	switch unit {
	case 'd':
		days, _ := types.FloorDiv(ns, types.Day)
		return dkMulAdd(days*types.Day, off, types.Day)
	case 'w':
		return dkMulAdd(dkStartOfWeek(ns), off, 7*types.Day)
	case 'm':
		y, m, _, _, _, _, _ := types.DateTimeParts(ns)
		st, ok := types.MakeDateTime(y, m, 1, 0, 0, 0, 0)
		if !ok {
			return 0, false
		}
		return dkAddMonths(st, off)
	case 'y':
		y, _, _, _, _, _, _ := types.DateTimeParts(ns)
		if off > 10000 || off < -10000 {
			return 0, false
		}
		return types.MakeDateTime(y+int(off), 1, 1, 0, 0, 0, 0)
	}
	return 0, false
}

func dkStartKernel(unit byte, end bool) ScalarKernel {
	f := func(ns, off int64) (int64, bool) {
		if end {
			off++
		}
		r, ok := dkStartOf(unit, ns, off)
		if ok && end {
			r -= dkTick
		}
		return r, ok
	}
	one := Lift1(types.DateTime, func(ns int64) (int64, bool) { return f(ns, 0) })
	two := Lift2(types.DateTime, f)
	return dkByArity(one, two)
}

// dkByArity dispatches to kernels by argument count (1, 2, ...).
func dkByArity(ks ...ScalarKernel) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		i := len(args) - 1
		if i < 0 || i >= len(ks) || ks[i] == nil {
			return Datum{}, argCount(args, len(ks))
		}
		return ks[i](ctx, args, n)
	}
}

// ------------------------------------------------------------- formatting

type dkToken struct {
	c   byte // letter, or 0 for a literal
	n   int  // run length
	lit string
}

var dkFormatCache sync.Map // format string → []dkToken

func dkTokens(format string) []dkToken {
	if v, ok := dkFormatCache.Load(format); ok {
		return v.([]dkToken)
	}
	var toks []dkToken
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, dkToken{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(format); {
		c := format[i]
		switch c {
		case 'd', 'f', 'F', 'h', 'H', 'm', 'M', 's', 'y', 't':
			j := i
			for j < len(format) && format[j] == c {
				j++
			}
			flush()
			toks = append(toks, dkToken{c: c, n: j - i})
			i = j
		case '\\':
			if i+1 < len(format) {
				lit.WriteByte(format[i+1])
				i += 2
			} else {
				i++
			}
		case '"', '\'':
			j := strings.IndexByte(format[i+1:], c)
			if j < 0 {
				lit.WriteString(format[i+1:])
				i = len(format)
			} else {
				lit.WriteString(format[i+1 : i+1+j])
				i += j + 2
			}
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if len(format) < 256 {
		dkFormatCache.Store(format, toks)
	}
	return toks
}

var dkMonthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dkDayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

func dkPad(b []byte, v int64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	if v < 0 {
		v = -v
	}
	for v > 0 || width > 0 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	if i == len(buf) {
		i--
		buf[i] = '0'
	}
	return append(b, buf[i:]...)
}

// dkFraction appends n digits of the 7-digit tick fraction; trim drops trailing zeros (F).
func dkFraction(b []byte, ticks int64, n int, trim bool) []byte {
	if n > 7 {
		n = 7
	}
	var d [7]byte
	for i := 6; i >= 0; i-- {
		d[i] = byte('0' + ticks%10)
		ticks /= 10
	}
	digits := d[:n]
	if trim {
		for len(digits) > 0 && digits[len(digits)-1] == '0' {
			digits = digits[:len(digits)-1]
		}
		if len(digits) == 0 && len(b) > 0 && b[len(b)-1] == '.' {
			return b[:len(b)-1]
		}
	}
	return append(b, digits...)
}

func dkFormatDateTime(ns int64, format string) string {
	y, mo, d, h, mi, s, frac := types.DateTimeParts(ns)
	ticks := frac / 100
	var b []byte
	for _, t := range dkTokens(format) {
		switch t.c {
		case 0:
			b = append(b, t.lit...)
		case 'd':
			switch {
			case t.n <= 2:
				b = dkPad(b, int64(d), t.n)
			default:
				days, _ := types.FloorDiv(ns, types.Day)
				_, dow := types.FloorDiv(days+4, 7)
				name := dkDayNames[dow]
				if t.n == 3 {
					name = name[:3]
				}
				b = append(b, name...)
			}
		case 'f', 'F':
			b = dkFraction(b, ticks, t.n, t.c == 'F')
		case 'h':
			h12 := h % 12
			if h12 == 0 {
				h12 = 12
			}
			b = dkPad(b, int64(h12), min(t.n, 2))
		case 'H':
			b = dkPad(b, int64(h), min(t.n, 2))
		case 'm':
			b = dkPad(b, int64(mi), min(t.n, 2))
		case 'M':
			switch {
			case t.n <= 2:
				b = dkPad(b, int64(mo), t.n)
			case t.n == 3:
				b = append(b, dkMonthNames[mo-1][:3]...)
			default:
				b = append(b, dkMonthNames[mo-1]...)
			}
		case 's':
			b = dkPad(b, int64(s), min(t.n, 2))
		case 'y':
			switch t.n {
			case 1:
				b = dkPad(b, int64(y%100), 1)
			case 2:
				b = dkPad(b, int64(y%100), 2)
			default:
				b = dkPad(b, int64(y), t.n)
			}
		case 't':
			ampm := "AM"
			if h >= 12 {
				ampm = "PM"
			}
			b = append(b, ampm[:min(t.n, 2)]...)
		}
	}
	return string(b)
}

func dkFormatTimeSpan(ns int64, format string) string {
	if ns < 0 {
		ns = -ns
	}
	ticks := ns / 100
	days := ticks / (types.Day / 100)
	rem := ticks % (types.Day / 100)
	secs := rem / types.TicksPerSecond
	frac := rem % types.TicksPerSecond
	var b []byte
	for _, t := range dkTokens(format) {
		switch t.c {
		case 0:
			b = append(b, t.lit...)
		case 'd':
			b = dkPad(b, days, t.n)
		case 'h', 'H':
			b = dkPad(b, secs/3600, min(t.n, 2))
		case 'm':
			b = dkPad(b, secs/60%60, min(t.n, 2))
		case 's':
			b = dkPad(b, secs%60, min(t.n, 2))
		case 'f', 'F':
			b = dkFraction(b, frac, t.n, t.c == 'F')
		default:
			b = append(b, strings.Repeat(string(t.c), t.n)...)
		}
	}
	return string(b)
}

// ------------------------------------------------------------ constructors

func dkMakeDateTime(vals []float64, valid []bool) (int64, bool) {
	for _, ok := range valid {
		if !ok {
			return 0, false
		}
	}
	get := func(i int) float64 {
		if i < len(vals) {
			return vals[i]
		}
		return 0
	}
	y, mo, d, h, mi := get(0), get(1), get(2), get(3), get(4)
	sec := get(5)
	if sec < 0 || sec >= 60 || math.IsNaN(sec) {
		return 0, false
	}
	whole := math.Floor(sec)
	frac := int64(math.Round((sec-whole)*1e7)) * 100
	if frac >= types.Second {
		frac = types.Second - 100
	}
	for _, v := range []float64{y, mo, d, h, mi} {
		if v != math.Trunc(v) || math.Abs(v) > 1e6 {
			return 0, false
		}
	}
	return types.MakeDateTime(int(y), int(mo), int(d), int(h), int(mi), int(whole), frac)
}

func dkMakeTimeSpan(vals []float64, valid []bool) (int64, bool) {
	for _, ok := range valid {
		if !ok {
			return 0, false
		}
	}
	var d, h, m, s float64
	switch len(vals) {
	case 2:
		h, m = vals[0], vals[1]
	case 3:
		h, m, s = vals[0], vals[1], vals[2]
	case 4:
		d, h, m, s = vals[0], vals[1], vals[2], vals[3]
	default:
		return 0, false
	}
	total := d*float64(types.Day) + h*float64(types.Hour) + m*float64(types.Minute) + s*float64(types.Second)
	if math.IsNaN(total) || math.Abs(total) >= 9.2e18 {
		return 0, false
	}
	return int64(math.Round(total/100)) * 100, true
}

// dkUnixKernel converts Unix time in a unit (ns per unit) to datetime,
// exactly for integral inputs.
func dkUnixKernel(unit int64) ScalarKernel {
	fromInt := Lift1(types.DateTime, func(v int64) (int64, bool) {
		hi, lo := bits.Mul64(uint64(dkAbs(v)), uint64(unit))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		if v < 0 {
			return -int64(lo), true
		}
		return int64(lo), true
	})
	fromReal := Lift1(types.DateTime, func(v float64) (int64, bool) {
		r := v * float64(unit)
		if math.IsNaN(r) || math.Abs(r) >= 9.2e18 {
			return 0, false
		}
		return int64(math.Round(r/100)) * 100, true
	})
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 1); err != nil {
			return Datum{}, err
		}
		if args[0].Kind == types.Int || args[0].Kind == types.Long {
			return fromInt(ctx, args, n)
		}
		return fromReal(ctx, args, n)
	}
}

var dkZones sync.Map // name → *time.Location (nil when unknown)

func dkZone(name string) *time.Location {
	if v, ok := dkZones.Load(name); ok {
		return v.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		loc = nil
	}
	dkZones.Store(name, loc)
	return loc
}

func dkUTCToLocal(ns int64, tz string) (int64, bool) {
	loc := dkZone(tz)
	if loc == nil {
		return 0, false
	}
	_, off := time.Unix(0, ns).In(loc).Zone()
	return dkMulAdd(ns, int64(off), types.Second)
}

// dkLocalToUTC interprets ns as a wall-clock time in tz. A time repeated
// when clocks go back takes the standard (smaller) offset; a time skipped
// when clocks go forward takes the offset in force after the change.
func dkLocalToUTC(ns int64, tz string) (int64, bool) {
	loc := dkZone(tz)
	if loc == nil {
		return 0, false
	}
	offsetAt := func(utc int64) int64 {
		_, off := time.Unix(0, utc).In(loc).Zone()
		return int64(off) * types.Second
	}
	var valid []int64
	var seen []int64
	for _, probe := range []int64{0, -3 * types.Hour, 3 * types.Hour} {
		off := offsetAt(ns + probe)
		dup := false
		for _, o := range seen {
			dup = dup || o == off
		}
		if dup {
			continue
		}
		seen = append(seen, off)
		if offsetAt(ns-off) == off {
			valid = append(valid, off)
		}
	}
	pick := int64(0)
	switch {
	case len(valid) > 0:
		pick = valid[0]
		for _, o := range valid[1:] {
			pick = min(pick, o)
		}
	case len(seen) > 0:
		pick = seen[0]
		for _, o := range seen[1:] {
			pick = max(pick, o)
		}
	}
	return dkAdd(ns, -pick)
}

// ------------------------------------------------------------------- bins

// dkOriginMod is (0001-01-01 in Unix ns) mod size: Kusto aligns datetime
// bins to its tick epoch 0001-01-01, which lies outside int64 ns.
func dkOriginMod(size int64) int64 {
	const secs = 62135596800 // 0001-01-01 → 1970-01-01
	a := uint64(secs % size)
	b := uint64(types.Second % size)
	hi, lo := bits.Mul64(a, b)
	r := int64(bits.Rem64(hi, lo, uint64(size))) // (secs*1e9) mod size
	return (size - r) % size                     // of the negative origin
}

func dkBinInt(v, size int64) (int64, bool) {
	if size <= 0 {
		return 0, false
	}
	_, r := types.FloorDiv(v, size)
	return v - r, true
}

func dkBinDateTime(v, size int64) (int64, bool) {
	if size <= 0 {
		return 0, false
	}
	_, r := types.FloorDiv(v-dkOriginMod(size), size)
	return v - r, true
}

func dkBinReal(v, size float64) (float64, bool) {
	if !(size > 0) || math.IsNaN(v) {
		return 0, false
	}
	return math.Floor(v/size) * size, true
}

func dkBinAtInt(v, size, fixed int64) (int64, bool) {
	if size <= 0 {
		return 0, false
	}
	_, r := types.FloorDiv(v-fixed, size)
	return v - r, true
}

func dkBinAtReal(v, size, fixed float64) (float64, bool) {
	if !(size > 0) || math.IsNaN(v) {
		return 0, false
	}
	return math.Floor((v-fixed)/size)*size + fixed, true
}

func dkNow(ctx *Ctx) int64 {
	if ctx == nil || ctx.Now.IsZero() {
		return time.Now().UnixNano()
	}
	return ctx.Now.UnixNano()
}

func init() {
	DT, TS, I, L, S := types.DateTime, types.TimeSpan, types.Int, types.Long, types.String

	RegisterScalar("now", func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		now := dkNow(ctx)
		if len(args) == 0 {
			return ScalarOf(Mem(ctx), DT, now), nil
		}
		return Lift1(DT, func(off int64) (int64, bool) { return dkAdd(now, off) })(ctx, args, n)
	})
	RegisterScalar("ingestion_time", func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		return ScalarOf(Mem(ctx), DT, nil), nil
	})
	RegisterScalar("ago_timespan", func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		now := dkNow(ctx)
		return Lift1(DT, func(ts int64) (int64, bool) {
			if ts == math.MinInt64 {
				return 0, false
			}
			return dkAdd(now, -ts)
		})(ctx, args, n)
	})
	RegisterScalar("datetime_add_string_long_datetime", Lift3(DT, dkDateTimeAdd))
	RegisterScalar("datetime_diff_string_datetime_datetime", Lift3(L, dkDateTimeDiff))
	RegisterScalar("datetime_part_string_datetime", Lift2(I, dkDateTimePart))
	RegisterScalar("dayofweek_datetime", Lift1(TS, func(ns int64) (int64, bool) {
		return ns - dkStartOfWeek(ns) - dkTimeOfDay(ns), true
	}))
	part := func(f func(y, m, d, h int, ns int64) int32) ScalarKernel {
		return Lift1(I, func(ns int64) (int32, bool) {
			y, m, d, h, _, _, _ := types.DateTimeParts(ns)
			return f(y, m, d, h, ns), true
		})
	}
	RegisterScalar("dayofmonth_datetime", part(func(_, _, d, _ int, _ int64) int32 { return int32(d) }))
	RegisterScalar("dayofyear_datetime", part(func(_, _, _, _ int, ns int64) int32 { return dkDayOfYearOf(ns) }))
	RegisterScalar("getmonth_datetime", part(func(_, m, _, _ int, _ int64) int32 { return int32(m) }))
	RegisterScalar("monthofyear_datetime", part(func(_, m, _, _ int, _ int64) int32 { return int32(m) }))
	RegisterScalar("getyear_datetime", part(func(y, _, _, _ int, _ int64) int32 { return int32(y) }))
	RegisterScalar("hourofday_datetime", part(func(_, _, _, h int, _ int64) int32 { return int32(h) }))
	RegisterScalar("weekofyear_datetime", part(func(_, _, _, _ int, ns int64) int32 { return dkISOWeek(ns) }))
	RegisterScalar("week_of_year_datetime", part(func(_, _, _, _ int, ns int64) int32 { return dkISOWeek(ns) }))
	for _, p := range []struct {
		name string
		unit byte
	}{{"day", 'd'}, {"week", 'w'}, {"month", 'm'}, {"year", 'y'}} {
		RegisterScalar("startof"+p.name+"_datetime", dkStartKernel(p.unit, false))
		RegisterScalar("endof"+p.name+"_datetime", dkStartKernel(p.unit, true))
	}
	RegisterScalar("format_datetime_datetime_string", Lift2(S, func(ns int64, f string) (string, bool) { return dkFormatDateTime(ns, f), true }))
	RegisterScalar("format_timespan_timespan_string", Lift2(S, func(ns int64, f string) (string, bool) { return dkFormatTimeSpan(ns, f), true }))
	RegisterScalar("make_datetime_numbers", LiftNN(DT, dkMakeDateTime))
	RegisterScalar("make_timespan_numbers", LiftNN(TS, dkMakeTimeSpan))
	RegisterScalar("unixtime_seconds_todatetime_real", dkUnixKernel(types.Second))
	RegisterScalar("unixtime_milliseconds_todatetime_real", dkUnixKernel(types.Millisecond))
	RegisterScalar("unixtime_microseconds_todatetime_real", dkUnixKernel(types.Microsecond))
	RegisterScalar("unixtime_nanoseconds_todatetime_real", dkUnixKernel(1))
	RegisterScalar("datetime_utc_to_local_datetime_string", Lift2(DT, dkUTCToLocal))
	RegisterScalar("datetime_local_to_utc_datetime_string", Lift2(DT, dkLocalToUTC))

	RegisterScalar("bin_long", Lift2(L, dkBinInt))
	RegisterScalar("bin_real", Lift2(types.Real, dkBinReal))
	RegisterScalar("bin_datetime", Lift2(DT, dkBinDateTime))
	RegisterScalar("bin_timespan", Lift2(TS, dkBinInt))
	RegisterScalar("bin_at_long", Lift3(L, dkBinAtInt))
	RegisterScalar("bin_at_real", Lift3(types.Real, dkBinAtReal))
	RegisterScalar("bin_at_datetime", Lift3(DT, dkBinAtInt))
	RegisterScalar("bin_at_timespan", Lift3(TS, dkBinAtInt))
}

func dkTimeOfDay(ns int64) int64 {
	_, r := types.FloorDiv(ns, types.Day)
	return r
}
