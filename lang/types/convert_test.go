package types

import (
	"math"
	"testing"
)

func TestConvert(t *testing.T) {
	bag := &Bag{}
	bag.Set("a", int64(1))
	ns, _ := ParseDateTime("2015-12-24")
	cases := []struct {
		from, to Kind
		in       any
		want     any
	}{
		{String, Long, "123", int64(123)},
		{String, Long, " -7 ", int64(-7)},
		{String, Long, "12.9", int64(12)},
		{String, Long, "abc", nil},
		{String, Long, "", nil},
		{String, Int, "99999999999", nil},
		{String, Int, "42", int32(42)},
		{Real, Long, 2.9, int64(2)},
		{Real, Long, -2.9, int64(-2)},
		{Real, Long, math.NaN(), nil},
		{Real, Long, 1e30, nil},
		{Bool, Long, true, int64(1)},
		{DateTime, Long, int64(0), int64(TicksAtUnixEpoch)},
		{TimeSpan, Long, Second, int64(10000000)},
		{Guid, Long, "74be27de-1e4e-49d9-b579-fe0b331d3642", nil},
		{String, Real, "1.5", 1.5},
		{String, Real, "NaN", math.NaN()},
		{String, Real, "-Infinity", math.Inf(-1)},
		{String, Real, "0x10", nil},
		{Long, Real, int64(3), 3.0},
		{String, Bool, "TRUE", true},
		{String, Bool, "0", false},
		{String, Bool, "yes", nil},
		{Long, Bool, int64(5), true},
		{Real, Bool, 0.0, false},
		{String, DateTime, "2015-12-24", ns},
		{String, DateTime, "nope", nil},
		{Long, DateTime, int64(5), nil},
		{String, TimeSpan, "1.02:03:04", Day + 2*Hour + 3*Minute + 4*Second},
		{Long, TimeSpan, int64(10000000), Second},
		{String, Guid, "74BE27DE1E4E49D9B579FE0B331D3642", "74be27de-1e4e-49d9-b579-fe0b331d3642"},
		{String, Guid, "x", nil},
		{Long, String, int64(5), "5"},
		{DateTime, String, ns, "2015-12-24T00:00:00.0000000Z"},
		{Dynamic, Long, int64(5), int64(5)},
		{Dynamic, Long, "6", int64(6)},
		{Dynamic, Long, 7.5, int64(7)},
		{Dynamic, Long, bag, nil},
		{Dynamic, String, bag, `{"a":1}`},
		{Dynamic, String, "x", "x"},
		{Dynamic, DateTime, "2015-12-24", ns},
		{Dynamic, Bool, true, true},
		{String, Dynamic, `{"a":1}`, bag},
		{String, Dynamic, `not json`, "not json"},
		{Int, Dynamic, int32(3), int64(3)},
		{DateTime, Dynamic, ns, "2015-12-24T00:00:00.0000000Z"},
		{Long, Long, nil, nil},
	}
	for _, c := range cases {
		got := Convert(c.from, c.to, c.in)
		ok := false
		switch w := c.want.(type) {
		case float64:
			g, isF := got.(float64)
			ok = isF && (g == w || (math.IsNaN(g) && math.IsNaN(w)))
		case *Bag:
			ok = EqualDynamic(got, w)
		default:
			ok = got == c.want
		}
		if !ok {
			t.Errorf("Convert(%s→%s, %#v) = %#v, want %#v", c.from, c.to, c.in, got, c.want)
		}
	}
}
