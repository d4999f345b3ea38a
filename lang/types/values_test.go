package types

import (
	"errors"
	"math"
	"testing"
)

func TestParseDateTime(t *testing.T) {
	cases := []struct{ in, want string }{
		{"2015-12-31 23:59:59.9", "2015-12-31T23:59:59.9000000Z"},
		{"2015-12-31", "2015-12-31T00:00:00.0000000Z"},
		{" 2014-11-08 ", "2014-11-08T00:00:00.0000000Z"},
		{"2014-05-25T08:20:03.123456Z", "2014-05-25T08:20:03.1234560Z"},
		{"2014-05-25T08:20:03.123456", "2014-05-25T08:20:03.1234560Z"},
		{"2014-05-25T08:20", "2014-05-25T08:20:00.0000000Z"},
		{"2014-11-08 15:55:55.123456Z", "2014-11-08T15:55:55.1234560Z"},
		{"2014-11-08 15:55", "2014-11-08T15:55:00.0000000Z"},
		{"2014-05-25t08:20:03z", "2014-05-25T08:20:03.0000000Z"},
		{"2024-01-02T03:04:05.123456789Z", "2024-01-02T03:04:05.1234567Z"},
		{"2024-01-02T03:04:05+02:00", "2024-01-02T01:04:05.0000000Z"},
		{"2024-01-02T03:04:05-0130", "2024-01-02T04:34:05.0000000Z"},
		{"2024-01-02T00:30:00+01", "2024-01-01T23:30:00.0000000Z"},
		{"2024-01-02 03:04:05 UTC", "2024-01-02T03:04:05.0000000Z"},
		{"2024-01-02T03:04:05.5 GMT", "2024-01-02T03:04:05.5000000Z"},
		{"Sat, 8 Nov 14 15:05:02 GMT", "2014-11-08T15:05:02.0000000Z"},
		{"Sat, 8 Nov 14 15:05:02", "2014-11-08T15:05:02.0000000Z"},
		{"Sat, 8 Nov 14 15:05", "2014-11-08T15:05:00.0000000Z"},
		{"Sat, 8 Nov 14 15:05 GMT", "2014-11-08T15:05:00.0000000Z"},
		{"8 Nov 14 15:05:02 GMT", "2014-11-08T15:05:02.0000000Z"},
		{"8 Nov 2014 15:05:02 +0100", "2014-11-08T14:05:02.0000000Z"},
		{"Thu, 01 Jan 1970 00:00:00 EST", "1970-01-01T05:00:00.0000000Z"},
		{"Saturday, 08-Nov-14 15:05:02 GMT", "2014-11-08T15:05:02.0000000Z"},
		{"08-Nov-14 15:05:02", "2014-11-08T15:05:02.0000000Z"},
		{"02/17/2016 08:40:01", "2016-02-17T08:40:01.0000000Z"},
		{"10/26/2023 1:56:15 AM", "2023-10-26T01:56:15.0000000Z"},
		{"10/26/2023 1:56:15 PM", "2023-10-26T13:56:15.0000000Z"},
		{"10/26/2023 12:00:00 AM", "2023-10-26T00:00:00.0000000Z"},
		{"1/2/2023", "2023-01-02T00:00:00.0000000Z"},
		{"12-02-2022", "2022-12-02T00:00:00.0000000Z"},
		{"2025, 6, 14", "2025-06-14T00:00:00.0000000Z"},
		{"2025,6,14, 13, 45, 7.5", "2025-06-14T13:45:07.5000000Z"},
		{"2023/10/26 13:56:15", "2023-10-26T13:56:15.0000000Z"},
		{"1970-01-01", "1970-01-01T00:00:00.0000000Z"},
		{"1969-12-31 23:59:59.9999999", "1969-12-31T23:59:59.9999999Z"},
		{"2000-02-29", "2000-02-29T00:00:00.0000000Z"},
		{"1700-03-01", "1700-03-01T00:00:00.0000000Z"},
		{"2262-01-01", "2262-01-01T00:00:00.0000000Z"},
		{"0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000000Z"},
		{"9999-12-31 23:59:59.9999999", "9999-12-31T23:59:59.9999999Z"},
		{"1600-01-01", "0001-01-01T00:00:00.0000000Z"},
		{"2021-01-01\u202f10:10:17", "2021-01-01T10:10:17.0000000Z"},
	}
	for _, c := range cases {
		ns, err := ParseDateTime(c.in)
		if err != nil {
			t.Errorf("ParseDateTime(%q): %v", c.in, err)
			continue
		}
		if got := FormatDateTime(ns); got != c.want {
			t.Errorf("ParseDateTime(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	bad := []string{"", "abc", "2014-13-01", "2014-02-30", "2019-02-29", "2014-01-01T25:00", "2014-01-01 10:61",
		"2014-01-01T10:00:00 XYZ", "13/01/2020", "2014-1", "Foo, 8 Nov 14 15:05:02",
		"2014-01-01T10:00:00Zjunk", "10/26/2023 13:00 PM", "12-02/2022", "12-Foo-14 10:00", "2025, 13, 1", "2025, 1", "2025, 1, 1, x"}
	for _, in := range bad {
		if ns, err := ParseDateTime(in); err == nil {
			t.Errorf("ParseDateTime(%q) = %s, want error", in, FormatDateTime(ns))
		} else if !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseDateTime(%q) error %v does not wrap ErrSyntax", in, err)
		}
	}
}

func TestFormatDateTime(t *testing.T) {
	cases := []struct {
		ns          int64
		full, short string
	}{
		{0, "1970-01-01T00:00:00.0000000Z", "1970-01-01T00:00:00Z"},
		{-1, "1969-12-31T23:59:59.9999999Z", "1969-12-31T23:59:59.9999999Z"},
		{-100, "1969-12-31T23:59:59.9999999Z", "1969-12-31T23:59:59.9999999Z"},
		{1704164645_123456700, "2024-01-02T03:04:05.1234567Z", "2024-01-02T03:04:05.1234567Z"},
		{1704164645_500000000, "2024-01-02T03:04:05.5000000Z", "2024-01-02T03:04:05.5Z"},
		{1704164645_000000099, "2024-01-02T03:04:05.0000000Z", "2024-01-02T03:04:05Z"},
		{951782400 * 1e9, "2000-02-29T00:00:00.0000000Z", "2000-02-29T00:00:00Z"},
		{math.MinInt64, "0001-01-01T00:00:00.0000000Z", "0001-01-01T00:00:00Z"},
		{math.MaxInt64, "9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.9999999Z"},
		{math.MinInt64 + 1, "1677-09-21T00:12:43.1452241Z", "1677-09-21T00:12:43.1452241Z"},
		{-62135596800 * 1e9 / 1e3, "1968-01-12T20:06:43.2000000Z", "1968-01-12T20:06:43.2Z"},
	}
	for _, c := range cases {
		if got := FormatDateTime(c.ns); got != c.full {
			t.Errorf("FormatDateTime(%d) = %s, want %s", c.ns, got, c.full)
		}
		if got := FormatDateTimeShort(c.ns); got != c.short {
			t.Errorf("FormatDateTimeShort(%d) = %s, want %s", c.ns, got, c.short)
		}
	}
}

func TestCivilRoundTrip(t *testing.T) {
	for d := int64(-200000); d < 200000; d += 37 {
		y, m, dd := CivilFromDays(d)
		if back := DaysFromCivil(y, m, dd); back != d {
			t.Fatalf("days %d -> %d-%d-%d -> %d", d, y, m, dd, back)
		}
	}
	if ns, ok := MakeDateTime(2024, 2, 29, 23, 59, 59, 5e8); !ok || FormatDateTime(ns) != "2024-02-29T23:59:59.5000000Z" {
		t.Errorf("MakeDateTime = %d %v", ns, ok)
	}
	if _, ok := MakeDateTime(2023, 2, 29, 0, 0, 0, 0); ok {
		t.Error("MakeDateTime(2023-02-29) should fail")
	}
}

func TestParseTimeSpan(t *testing.T) {
	cases := []struct{ in, want string }{
		{"2d", "2.00:00:00"},
		{"1.5h", "01:30:00"},
		{"30m", "00:30:00"},
		{"10s", "00:00:10"},
		{"0.1s", "00:00:00.1000000"},
		{"100ms", "00:00:00.1000000"},
		{"10microsecond", "00:00:00.0000100"},
		{"1tick", "00:00:00.0000001"},
		{"2min", "00:02:00"},
		{"15 seconds", "00:00:15"},
		{"1d 2h 30m 10s 100ms 10microsecond 1tick", "1.02:30:10.1000101"},
		{"-1d", "-1.00:00:00"},
		{"-1.5h", "-01:30:00"},
		{"2", "2.00:00:00"},
		{"1.02:03:04.5", "1.02:03:04.5000000"},
		{"0.12:34:56.7", "12:34:56.7000000"},
		{"02:03:04", "02:03:04"},
		{"00:01", "00:01:00"},
		{"-00:00:01", "-00:00:01"},
		{"365.00:00:00", "365.00:00:00"},
		{"1H", "01:00:00"},
		{"0d", "00:00:00"},
		{".5d", "12:00:00"},
		{"1.0000001s", "00:00:01.0000001"},
	}
	for _, c := range cases {
		ns, err := ParseTimeSpan(c.in)
		if err != nil {
			t.Errorf("ParseTimeSpan(%q): %v", c.in, err)
			continue
		}
		if got := FormatTimeSpan(ns); got != c.want {
			t.Errorf("ParseTimeSpan(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	for _, in := range []string{"", "-", "abc", "1x", "1d x", "25:00:00", "1:60", "1..2h", "d", "1.2.3:00", "99999999999999999999d"} {
		if ns, err := ParseTimeSpan(in); err == nil {
			t.Errorf("ParseTimeSpan(%q) = %s, want error", in, FormatTimeSpan(ns))
		}
	}
}

func TestFormatTimeSpan(t *testing.T) {
	cases := []struct {
		ns          int64
		full, short string
	}{
		{0, "00:00:00", "00:00:00"},
		{Day + 2*Hour + 3*Minute + 4*Second + 500*Millisecond, "1.02:03:04.5000000", "1.02:03:04.5"},
		{-Hour, "-01:00:00", "-01:00:00"},
		{-1500 * Millisecond, "-00:00:01.5000000", "-00:00:01.5"},
		{99, "00:00:00", "00:00:00"},
		{100, "00:00:00.0000001", "00:00:00.0000001"},
		{math.MaxInt64, "106751.23:47:16.8547758", "106751.23:47:16.8547758"},
		{math.MinInt64, "-106751.23:47:16.8547758", "-106751.23:47:16.8547758"},
	}
	for _, c := range cases {
		if got := FormatTimeSpan(c.ns); got != c.full {
			t.Errorf("FormatTimeSpan(%d) = %s, want %s", c.ns, got, c.full)
		}
		if got := FormatTimeSpanShort(c.ns); got != c.short {
			t.Errorf("FormatTimeSpanShort(%d) = %s, want %s", c.ns, got, c.short)
		}
	}
}

func TestFormatReal(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{1, "1"}, {0.1, "0.1"}, {-2.5, "-2.5"}, {0, "0"}, {100, "100"},
		{1.0 / 3, "0.3333333333333333"}, {2.0 / 3, "0.6666666666666666"},
		{0.0001, "0.0001"}, {0.00001, "1E-05"}, {2.20904969985854e-05, "2.20904969985854E-05"},
		{123456789012345, "123456789012345"}, {1e14, "100000000000000"}, {1e15, "1E+15"},
		{1234567890123456, "1.234567890123456E+15"}, {1.5e300, "1.5E+300"}, {-1e-300, "-1E-300"},
		{7.38905609893065, "7.38905609893065"}, {3.141592653589793, "3.141592653589793"},
		{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"},
		{5e-324, "5E-324"}, {0.5, "0.5"}, {12.75, "12.75"},
	}
	for _, c := range cases {
		if got := FormatReal(c.f); got != c.want {
			t.Errorf("FormatReal(%v) = %s, want %s", c.f, got, c.want)
		}
	}
}

func TestParseGuid(t *testing.T) {
	want := "74be27de-1e4e-49d9-b579-fe0b331d3642"
	for _, in := range []string{want, "74BE27DE-1E4E-49D9-B579-FE0B331D3642", "74be27de1e4e49d9b579fe0b331d3642",
		"{74be27de-1e4e-49d9-b579-fe0b331d3642}", "(74be27de-1e4e-49d9-b579-fe0b331d3642)", " " + want + " "} {
		got, err := ParseGuid(in)
		if err != nil || got != want {
			t.Errorf("ParseGuid(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "abc", "74be27de-1e4e-49d9-b579-fe0b331d364", "74be27de-1e4e-49d9-b579-fe0b331d364g", "74be27de11e4e-49d9-b579-fe0b331d3642"} {
		if got, err := ParseGuid(in); err == nil {
			t.Errorf("ParseGuid(%q) = %q, want error", in, got)
		}
	}
}

func TestDynamicRoundTrip(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"b":1,"a":[1,2.5,"x",null,true,false],"c":{}}`, `{"b":1,"a":[1,2.5,"x",null,true,false],"c":{}}`},
		{` { "z" : 1 , "a" : 2 } `, `{"z":1,"a":2}`},
		{`[4.0, 3, 1e2, -0.5, 9223372036854775807, 9223372036854775808]`, `[4.0,3,100.0,-0.5,9223372036854775807,9.223372036854776E+18]`},
		{`"a\"b\\c\n\u00e9\ud83d\ude00/"`, `"a\"b\\c\né😀/"`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{`[]`, `[]`},
		{`null`, `null`},
		{`-12`, `-12`},
		{`"tab\there"`, `"tab\there"`},
		{`"\u0001"`, `"\u0001"`},
	}
	for _, c := range cases {
		v, err := ParseDynamic(c.in)
		if err != nil {
			t.Errorf("ParseDynamic(%q): %v", c.in, err)
			continue
		}
		if got := FormatDynamic(v); got != c.want {
			t.Errorf("FormatDynamic(ParseDynamic(%q)) = %s, want %s", c.in, got, c.want)
		}
	}
	v, _ := ParseDynamic(`[1, 1.5, 2.0]`)
	arr := v.([]any)
	if _, ok := arr[0].(int64); !ok {
		t.Errorf("1 decoded as %T, want int64", arr[0])
	}
	if _, ok := arr[2].(float64); !ok {
		t.Errorf("2.0 decoded as %T, want float64", arr[2])
	}
	if v, err := ParseDynamic("   "); v != nil || err != nil {
		t.Errorf("ParseDynamic(blank) = %v, %v", v, err)
	}
	for _, in := range []string{`{`, `[1,]`, `{'a':1}`, `{"a" 1}`, `tru`, `"abc`, `1 2`, `{"a":1,}`, `[1 2]`, `01x`, `-`} {
		if v, err := ParseDynamic(in); err == nil {
			t.Errorf("ParseDynamic(%q) = %v, want error", in, v)
		}
	}
}

func TestParseDynamicLiteral(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{'a': 'it''s', "b": [1,2,]}`, ``},
		{`{'a':'x', 'b':[1,2,],}`, `{"a":"x","b":[1,2]}`},
		{`['a', "b"]`, `["a","b"]`},
		{`{"key1":"value1", "key2":"value2"}`, `{"key1":"value1","key2":"value2"}`},
		{`null`, `null`},
		{`'\''`, `"'"`},
	}
	for _, c := range cases {
		v, err := ParseDynamicLiteral(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("ParseDynamicLiteral(%q) = %s, want error", c.in, FormatDynamic(v))
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDynamicLiteral(%q): %v", c.in, err)
			continue
		}
		if got := FormatDynamic(v); got != c.want {
			t.Errorf("ParseDynamicLiteral(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestBag(t *testing.T) {
	b := &Bag{}
	for i := 0; i < 20; i++ {
		b.Set(string(rune('t'-i)), int64(i))
	}
	b.Set("t", "first")
	if b.Len() != 20 || b.Keys()[0] != "t" {
		t.Fatalf("bag keys %v", b.Keys())
	}
	if v, ok := b.Get("t"); !ok || v != "first" {
		t.Errorf("Get(t) = %v %v", v, ok)
	}
	if !b.Delete("s") || b.Delete("s") || b.Len() != 19 {
		t.Errorf("Delete failed, len %d", b.Len())
	}
	if v, ok := b.Get("r"); !ok || v != int64(2) {
		t.Errorf("Get(r) after delete = %v %v", v, ok)
	}
	if _, ok := b.Get("s"); ok {
		t.Error("deleted key still present")
	}
	b.Set("s", true)
	if b.Keys()[b.Len()-1] != "s" {
		t.Errorf("re-added key not last: %v", b.Keys())
	}
	c := b.Clone()
	c.Set("t", 1.5)
	if v, _ := b.Get("t"); v != "first" {
		t.Error("Clone shares state")
	}
	js, _ := (&Bag{keys: []string{"b", "a"}, vals: []any{int64(1), []any{1.0}}}).MarshalJSON()
	if string(js) != `{"b":1,"a":[1.0]}` {
		t.Errorf("MarshalJSON = %s", js)
	}
}

func TestEqualDynamic(t *testing.T) {
	p := func(s string) any {
		v, err := ParseDynamic(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	eq := [][2]string{{`{"a":1,"b":[1,2]}`, `{"b":[1,2.0],"a":1}`}, {`4.0`, `4`}, {`null`, `null`}, {`"x"`, `"x"`}, {`[]`, `[]`}}
	ne := [][2]string{{`{"a":1}`, `{"a":1,"b":2}`}, {`[1,2]`, `[2,1]`}, {`1`, `"1"`}, {`true`, `1`}, {`null`, `0`}, {`{}`, `[]`}}
	for _, c := range eq {
		if !EqualDynamic(p(c[0]), p(c[1])) {
			t.Errorf("%s != %s", c[0], c[1])
		}
	}
	for _, c := range ne {
		if EqualDynamic(p(c[0]), p(c[1])) {
			t.Errorf("%s == %s", c[0], c[1])
		}
	}
}

func TestFormatValue(t *testing.T) {
	b := &Bag{}
	b.Set("a", int64(1))
	cases := []struct {
		k    Kind
		v    any
		want string
	}{
		{Bool, true, "true"}, {Bool, false, "false"}, {Int, int32(-5), "-5"}, {Long, int64(1) << 40, "1099511627776"},
		{Real, 1.0, "1"}, {Real, 0.1, "0.1"}, {Decimal, 2.5, "2.5"}, {String, "hi", "hi"},
		{DateTime, int64(0), "1970-01-01T00:00:00.0000000Z"}, {TimeSpan, Hour + 500*Millisecond, "01:00:00.5000000"},
		{Guid, "74be27de-1e4e-49d9-b579-fe0b331d3642", "74be27de-1e4e-49d9-b579-fe0b331d3642"},
		{Dynamic, b, `{"a":1}`}, {Dynamic, "text", "text"}, {Dynamic, []any{"x", 2.0}, `["x",2.0]`}, {Dynamic, 1.5, "1.5"},
		{Dynamic, true, "true"}, {Long, nil, ""}, {DateTime, nil, ""}, {Dynamic, nil, ""},
	}
	for _, c := range cases {
		if got := FormatValue(c.k, c.v); got != c.want {
			t.Errorf("FormatValue(%s, %v) = %q, want %q", c.k, c.v, got, c.want)
		}
	}
}
