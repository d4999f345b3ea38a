package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// Datetime and timespan functions. Kernels: exec/kernels/datetime.go.

func init() {
	dt, ts := types.DateTime, types.TimeSpan
	dtS, tsS, strS := types.Set(dt), types.Set(ts), types.Set(types.String)
	intg, num := types.Integral, types.Numeric
	a := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks} }
	opt := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks, Optional: true} }
	reg := func(name, doc, example string, aliases []string, ovs ...*Overload) {
		Register(&Func{Name: name, Aliases: aliases, Kind: Scalar, Doc: doc, Example: example, Overloads: ovs})
	}
	ov := func(id string, res types.Kind, args ...Arg) *Overload {
		return &Overload{ID: id, Args: args, Result: Fixed(res)}
	}

	reg("now", "the current UTC time (pinned per query; --now sets it), optionally offset by a timespan", "now(-1h)", nil,
		ov("now", dt, opt("offset", tsS)))
	reg("ingestion_time", "the time a record was ingested; exported data carries none, so kqlhunt returns null", "ingestion_time()", nil,
		ov("ingestion_time", dt))
	reg("ago", "now() minus a timespan", "ago(1h)", nil,
		ov("ago_timespan", dt, a("timespan", tsS)))
	reg("datetime_add", "adds an amount of a calendar period (year, quarter, month, week, day, hour, minute, second, millisecond, microsecond, nanosecond) to a datetime",
		"datetime_add('month', 1, datetime(2017-01-31))", nil,
		ov("datetime_add_string_long_datetime", dt, a("period", strS), a("amount", intg), a("datetime", dtS)))
	reg("datetime_diff", "number of period boundaries (year ... nanosecond) between two datetimes: datetime1 - datetime2",
		"datetime_diff('day', datetime(2017-10-29), datetime(2017-09-30))", nil,
		ov("datetime_diff_string_datetime_datetime", types.Long, a("period", strS), a("datetime1", dtS), a("datetime2", dtS)))
	reg("datetime_part", "a part of a datetime as an int: year, quarter, month, week_of_year, day, dayofyear, hour, minute, second, millisecond, microsecond, nanosecond",
		`datetime_part("month", datetime(2017-10-30)) == 10`, []string{"datepart"},
		ov("datetime_part_string_datetime", types.Int, a("part", strS), a("datetime", dtS)))
	reg("dayofweek", "days since the preceding Sunday, as a timespan", "dayofweek(datetime(1970-05-11)) == 1d", nil,
		ov("dayofweek_datetime", ts, a("date", dtS)))
	for _, f := range []struct{ name, doc, ex string }{
		{"dayofmonth", "day of the month (1-31)", "dayofmonth(datetime(2015-12-14)) == 14"},
		{"dayofyear", "day of the year (1-366)", "dayofyear(datetime(2015-12-14)) == 348"},
		{"getmonth", "month (1-12)", "getmonth(datetime(2015-10-12)) == 10"},
		{"monthofyear", "month (1-12)", "monthofyear(datetime(2015-12-14)) == 12"},
		{"getyear", "year", "getyear(datetime(2015-10-12)) == 2015"},
		{"hourofday", "hour of the day (0-23)", "hourofday(datetime(2015-12-14 18:54)) == 18"},
		{"weekofyear", "ISO 8601 week number (1-53)", "weekofyear(datetime(2020-12-31)) == 53"},
		{"week_of_year", "ISO 8601 week number (1-53)", "week_of_year(datetime(2020-12-31)) == 53"},
	} {
		reg(f.name, f.doc, f.ex, nil, ov(f.name+"_datetime", types.Int, a("date", dtS)))
	}
	for _, p := range []string{"day", "week", "month", "year"} {
		start := "the start of the " + p + " containing the date, shifted by offset " + p + "s"
		if p == "week" {
			start += " (weeks start on Sunday)"
		}
		reg("startof"+p, start, "startof"+p+"(datetime(2017-01-01 10:10:17), -1)", nil,
			ov("startof"+p+"_datetime", dt, a("date", dtS), opt("offset", intg)))
		reg("endof"+p, "the last tick of the "+p+" containing the date, shifted by offset "+p+"s",
			"endof"+p+"(datetime(2017-01-01 10:10:17), 1)", nil,
			ov("endof"+p+"_datetime", dt, a("date", dtS), opt("offset", intg)))
	}
	reg("format_datetime", "formats a datetime with a format such as 'yyyy-MM-dd [HH:mm:ss]' (d dd ddd dddd f..fffffff F..FFFFFFF h hh H HH m mm M MM MMM MMMM s ss y yy yyyy tt)",
		"format_datetime(datetime(2017-01-29 09:00:05), 'yy-MM-dd [HH:mm:ss]')", nil,
		ov("format_datetime_datetime_string", types.String, a("datetime", dtS), a("format", strS)))
	reg("format_timespan", "formats a timespan with a format such as 'd.hh:mm:ss' (d..dddddddd f..fffffff F..FFFFFFF h hh H HH m mm s ss)",
		"format_timespan(time(1d 2h), 'dd.hh:mm')", nil,
		ov("format_timespan_timespan_string", types.String, a("timespan", tsS), a("format", strS)))
	reg("make_datetime", "a datetime from year, month, day and optionally hour, minute and (fractional) second",
		"make_datetime(2017, 10, 1, 12, 11, 0.1234567)", nil,
		ov("make_datetime_numbers", dt, a("year", intg), a("month", intg), a("day", intg),
			opt("hour", intg), opt("minute", intg), opt("second", num)))
	reg("make_timespan", "a timespan from (hour, minute), (hour, minute, second) or (day, hour, minute, second)",
		"make_timespan(1, 12, 30, 55.2)", nil,
		ov("make_timespan_numbers", ts, a("a", intg), a("b", intg), opt("c", num), opt("d", num)))
	for _, u := range []struct{ name, unit string }{
		{"unixtime_seconds_todatetime", "seconds"}, {"unixtime_milliseconds_todatetime", "milliseconds"},
		{"unixtime_microseconds_todatetime", "microseconds"}, {"unixtime_nanoseconds_todatetime", "nanoseconds"},
	} {
		reg(u.name, "the datetime a number of "+u.unit+" after 1970-01-01 (Unix epoch)", u.name+"(1546300800)", nil,
			ov(u.name+"_real", dt, a(u.unit, num)))
	}
	reg("datetime_utc_to_local", "converts a UTC datetime to the local time of an IANA time zone ('Europe/Paris')",
		"datetime_utc_to_local(now(), 'US/Pacific')", nil,
		ov("datetime_utc_to_local_datetime_string", dt, a("from", dtS), a("timezone", strS)))
	reg("datetime_local_to_utc", "converts a local time of an IANA time zone to UTC",
		"datetime_local_to_utc(datetime(2020-02-02 20:02:20), 'Europe/Paris')", nil,
		ov("datetime_local_to_utc_datetime_string", dt, a("from", dtS), a("timezone", strS)))

	// bin / floor: a number, datetime or timespan rounded down to a multiple of roundTo.
	intLong := types.Set(types.Int, types.Long)
	reg("bin", "rounds down to an integer multiple of a bin size: bin(x, 1h), bin(3.7, 1) == 3.0", "bin(datetime(1970-05-11 13:45:07), 1d)",
		[]string{"floor"},
		ov("bin_long", types.Long, a("value", intLong), a("roundTo", intLong)),
		ov("bin_real", types.Real, a("value", num), a("roundTo", num)),
		ov("bin_datetime", dt, a("value", dtS), a("roundTo", tsS)),
		ov("bin_timespan", ts, a("value", tsS), a("roundTo", tsS)),
	)
	reg("bin_at", "rounds down to a multiple of a bin size, bins aligned to a fixed point", "bin_at(datetime(2017-05-15 10:20), 1d, datetime(1970-01-01 12:00))", nil,
		ov("bin_at_long", types.Long, a("value", intLong), a("bin_size", intLong), a("fixed_point", intLong)),
		ov("bin_at_real", types.Real, a("value", num), a("bin_size", num), a("fixed_point", num)),
		ov("bin_at_datetime", dt, a("value", dtS), a("bin_size", tsS), a("fixed_point", dtS)),
		ov("bin_at_timespan", ts, a("value", tsS), a("bin_size", tsS), a("fixed_point", tsS)),
	)
}
