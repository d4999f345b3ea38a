package kernels

import (
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func callScalar(t *testing.T, id string, args ...any) any {
	t.Helper()
	k, err := Scalar(id)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.DefaultAllocator
	ds := make([]Datum, len(args))
	for i, a := range args {
		kind := kindOfGo(a)
		if v, ok := a.(types.Kind); ok { // a typed null
			kind, a = v, nil
		}
		ds[i] = ScalarOf(mem, kind, a)
	}
	d, err := k(&Ctx{Mem: mem}, ds, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Release()
	return ValueAt(d, 0)
}

func TestUnitsAndDistributions(t *testing.T) {
	near := func(name string, got any, want float64) {
		t.Helper()
		g, ok := got.(float64)
		if !ok || math.Abs(g-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("energy", callScalar(t, "convert_energy", 1.2, "Joule", "BritishThermalUnit"), 0.00113738054437598)
	near("length", callScalar(t, "convert_length", 1.2, "Meter", "Foot"), 3.93700787401575)
	near("mass", callScalar(t, "convert_mass", 1.2, "Kilogram", "Pound"), 2.64554714621853)
	near("speed", callScalar(t, "convert_speed", 1.2, "MeterPerSecond", "CentimeterPerHour"), 432000)
	near("temperature", callScalar(t, "convert_temperature", 1.2, "Kelvin", "DegreeCelsius"), -271.95)
	near("fahrenheit", callScalar(t, "convert_temperature", 100.0, "DegreeCelsius", "DegreeFahrenheit"), 212)
	if v := callScalar(t, "convert_length", 1.0, "Meter", "Parsnip"); v != nil {
		t.Errorf("unknown unit: %v", v)
	}
	near("beta_cdf", callScalar(t, "beta_cdf", 0.9, 10.0, 20.0), 0.999999999999959)
	near("beta_cdf low", callScalar(t, "beta_cdf", 0.2, 10.0, 50.0), 0.7684204704210713) // Simpson integration of the pdf
	near("beta_pdf", callScalar(t, "beta_pdf", 0.5, 10.0, 20.0), 0.746176019310951)
	if v, _ := callScalar(t, "beta_cdf", 1.5, 10.0, 20.0).(float64); !math.IsNaN(v) {
		t.Errorf("beta_cdf outside [0,1] = %v, want NaN", v)
	}
	near("beta_inv", callScalar(t, "beta_inv", 0.7684204704210713, 10.0, 50.0), 0.2)
	near("erfc", callScalar(t, "erfc_real", 1.0), 0.157299207050285)
	for _, c := range []struct {
		args []any
		want string
	}{
		{[]any{int64(564)}, "564 Bytes"},
		{[]any{int64(10332), int64(1)}, "10.1 KB"},
		{[]any{int64(20010332)}, "19 MB"},
		{[]any{int64(20010332), int64(2)}, "19.08 MB"},
		{[]any{int64(20010332), int64(0), "KB"}, "19541 KB"},
	} {
		if got := callScalar(t, "format_bytes", c.args...); got != c.want {
			t.Errorf("format_bytes%v = %v, want %q", c.args, got, c.want)
		}
	}
	near("parse_version", callScalar(t, "parse_version", "1.2.3.4"), 1.000000020000000300000004e24)
	near("parse_version short", callScalar(t, "parse_version", "0.2"), 2e16)
	if v := callScalar(t, "parse_version", "1.x"); v != nil {
		t.Errorf("parse_version invalid = %v", v)
	}
	if v := callScalar(t, "around_real", 1.5, 1.0, 0.5); v != true {
		t.Errorf("around inclusive = %v", v)
	}
	if v := callScalar(t, "around_real", 1.6, 1.0, 0.5); v != false {
		t.Errorf("around outside = %v", v)
	}
}

func TestHllIntersections(t *testing.T) {
	exact := func(hs ...int64) string {
		return types.FormatDynamic([]any{hllTag, int64(1), int64(12), toAny(hs)})
	}
	got, err := HllIntersections([]string{exact(1, 2, 3, 4), exact(2, 3, 4, 9), exact(3, 4, 8)})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != 4 || got[1] != 3 || got[2] != 2 {
		t.Errorf("got %v, want [4 3 2]", got)
	}
}

func toAny(hs []int64) []any {
	out := make([]any, len(hs))
	for i, h := range hs {
		out[i] = h
	}
	return out
}
