package kernels

// Kernels of lang/funcs/units.go: unit conversions, the beta distribution,
// erf/erfc, around(), format_bytes() and parse_version().

import (
	"math"
	"strconv"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// unitFactors maps a quantity to its units' factor to the base unit
// (Joule, Newton, Meter, Kilogram, MeterPerSecond, CubicMeter, Radian).
var unitFactors = map[string]map[string]float64{
	"energy": {
		"joule": 1, "millijoule": 1e-3, "kilojoule": 1e3, "megajoule": 1e6, "gigajoule": 1e9, "terajoule": 1e12,
		"calorie": 4.184, "kilocalorie": 4184, "britishthermalunit": 1055.05585262, "kilobritishthermalunit": 1055055.85262,
		"megabritishthermalunit": 1055055852.62, "wattHour": 3600, "watthour": 3600, "kilowatthour": 3.6e6,
		"megawatthour": 3.6e9, "gigawatthour": 3.6e12, "terawatthour": 3.6e15, "electronvolt": 1.602176634e-19,
		"kiloelectronvolt": 1.602176634e-16, "megaelectronvolt": 1.602176634e-13, "gigaelectronvolt": 1.602176634e-10,
		"erg": 1e-7, "footpound": 1.3558179483314004, "thermec": 105505585.262, "thermus": 105480400, "thermimperial": 105505585.257348,
		"decathermec": 1055055852.62, "decathermus": 1054804000, "decathermimperial": 1055055852.57348,
		"horsepowerhour": 2684519.537696172792, "kilowattday": 8.64e7, "megawattday": 8.64e10, "gigawattday": 8.64e13, "terawattday": 8.64e16,
	},
	"force": {
		"newton": 1, "decanewton": 10, "kilonewton": 1e3, "meganewton": 1e6, "millinewton": 1e-3, "micronewton": 1e-6,
		"nanonewton": 1e-9, "centinewton": 1e-2, "decinewton": 0.1, "dyn": 1e-5, "kilogramforce": 9.80665,
		"kilopond": 9.80665, "tonneforce": 9806.65, "poundforce": 4.4482216152605, "kilopoundforce": 4448.2216152605,
		"ounceforce": 0.27801385095378125, "poundal": 0.138254954376, "shorttonforce": 8896.443230521,
	},
	"length": {
		"meter": 1, "kilometer": 1e3, "hectometer": 100, "decameter": 10, "decimeter": 0.1, "centimeter": 1e-2,
		"millimeter": 1e-3, "micrometer": 1e-6, "nanometer": 1e-9, "foot": 0.3048, "inch": 0.0254, "yard": 0.9144,
		"mile": 1609.344, "nauticalmile": 1852, "mil": 2.54e-5, "microinch": 2.54e-8, "hand": 0.1016, "fathom": 1.8288,
		"chain": 20.1168, "shackle": 27.432, "twip": 0.0254 / 1440, "ussurveyfoot": 1200.0 / 3937,
		"astronomicalunit": 1.495978707e11, "lightyear": 9.46073047258e15, "kilolightyear": 9.46073047258e18,
		"megalightyear": 9.46073047258e21, "parsec": 3.08567758128e16, "kiloparsec": 3.08567758128e19,
		"megaparsec": 3.08567758128e22, "printerpoint": 0.0254 / 72.27, "printerpica": 0.0254 / 6.0225,
		"dtppoint": 0.0254 / 72, "dtppica": 0.0254 / 6, "solarradius": 6.95510e8,
	},
	"mass": {
		"kilogram": 1, "gram": 1e-3, "decigram": 1e-4, "centigram": 1e-5, "milligram": 1e-6, "microgram": 1e-9,
		"nanogram": 1e-12, "decagram": 1e-2, "hectogram": 0.1, "tonne": 1e3, "kilotonne": 1e6, "megatonne": 1e9,
		"pound": 0.45359237, "kilopound": 453.59237, "megapound": 453592.37, "ounce": 0.028349523125,
		"stone": 6.35029318, "shortton": 907.18474, "longton": 1016.0469088, "grain": 6.479891e-5,
		"slug": 14.593902937206, "shorthundredweight": 45.359237, "longhundredweight": 50.80234544,
		"earthmass": 5.9722e24, "solarmass": 1.98947e30,
	},
	"volume": {
		"cubicmeter": 1, "liter": 1e-3, "milliliter": 1e-6, "centiliter": 1e-5, "deciliter": 1e-4, "hectoliter": 0.1,
		"kiloliter": 1, "megaliter": 1e3, "cubiccentimeter": 1e-6, "cubicmillimeter": 1e-9, "cubickilometer": 1e9,
		"cubicdecimeter": 1e-3, "cubicfoot": 0.028316846592, "cubicinch": 1.6387064e-5, "cubicyard": 0.764554857984,
		"usgallon": 3.785411784e-3, "imperialgallon": 4.54609e-3, "usounce": 2.95735295625e-5, "imperialounce": 2.84130625e-5,
		"uspint": 4.73176473e-4, "ustablespoon": 1.478676478125e-5, "usteaspoon": 4.92892159375e-6, "uscustomarycup": 2.365882365e-4,
		"oilbarrel": 0.158987294928,
	},
	"angle": {
		"radian": 1, "degree": math.Pi / 180, "arcminute": math.Pi / 180 / 60, "arcsecond": math.Pi / 180 / 3600,
		"gradian": math.Pi / 200, "revolution": 2 * math.Pi, "milliradian": 1e-3, "microradian": 1e-6,
		"nanoradian": 1e-9, "centiradian": 1e-2, "deciradian": 0.1, "microdegree": math.Pi / 180 * 1e-6,
		"millidegree": math.Pi / 180 * 1e-3, "nanodegree": math.Pi / 180 * 1e-9, "mil": 2 * math.Pi / 6400,
	},
}

func init() {
	// speeds: every length unit per second, minute and hour, plus knots
	sp := map[string]float64{"knot": 1852.0 / 3600, "mach": 340.29}
	for l, f := range unitFactors["length"] {
		for t, s := range map[string]float64{"second": 1, "minute": 60, "hour": 3600} {
			sp[l+"per"+t] = f / s
		}
	}
	unitFactors["speed"] = sp

	for q, table := range unitFactors {
		table := table
		RegisterScalar("convert_"+q, Lift3(types.Real, func(v float64, from, to string) (float64, bool) {
			f, ok1 := table[strings.ToLower(from)]
			t, ok2 := table[strings.ToLower(to)]
			if !ok1 || !ok2 {
				return 0, false
			}
			return v * f / t, true
		}))
	}
	RegisterScalar("convert_temperature", Lift3(types.Real, func(v float64, from, to string) (float64, bool) {
		k, ok := toKelvin(v, strings.ToLower(from))
		if !ok {
			return 0, false
		}
		return fromKelvin(k, strings.ToLower(to))
	}))

	RegisterScalar("erf_real", mkReal(math.Erf))
	RegisterScalar("erfc_real", mkReal(math.Erfc))
	RegisterScalar("beta_cdf", Lift3(types.Real, func(x, a, b float64) (float64, bool) {
		if x < 0 || x > 1 || a <= 0 || b <= 0 || math.IsNaN(x) {
			return math.NaN(), true
		}
		return betaInc(a, b, x), true
	}))
	RegisterScalar("beta_pdf", Lift3(types.Real, func(x, a, b float64) (float64, bool) {
		if x < 0 || x > 1 || a <= 0 || b <= 0 || math.IsNaN(x) {
			return math.NaN(), true
		}
		la, _ := math.Lgamma(a)
		lb, _ := math.Lgamma(b)
		lab, _ := math.Lgamma(a + b)
		return math.Exp((a-1)*math.Log(x) + (b-1)*math.Log1p(-x) + lab - la - lb), true
	}))
	RegisterScalar("beta_inv", Lift3(types.Real, func(p, a, b float64) (float64, bool) {
		if p < 0 || p > 1 || a <= 0 || b <= 0 || math.IsNaN(p) {
			return math.NaN(), true
		}
		lo, hi := 0.0, 1.0
		for i := 0; i < 200; i++ {
			mid := (lo + hi) / 2
			if betaInc(a, b, mid) < p {
				lo = mid
			} else {
				hi = mid
			}
		}
		return (lo + hi) / 2, true
	}))

	RegisterScalar("around_real", Lift3(types.Bool, func(v, c, d float64) (bool, bool) {
		return v >= c-d && v <= c+d, true
	}))
	aroundInt := Lift3(types.Bool, func(v, c, d int64) (bool, bool) { return v >= c-d && v <= c+d, true })
	RegisterScalar("around_datetime", aroundInt)
	RegisterScalar("around_timespan", aroundInt)

	RegisterScalar("format_bytes", func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		size := Float64s(args[0])
		prec := constant[float64](0, true)
		units := constant("", true)
		base := constant[float64](1024, true)
		if len(args) > 1 {
			prec = Float64s(args[1])
		}
		if len(args) > 2 {
			units = Strings(args[2])
		}
		if len(args) > 3 {
			base = Float64s(args[3])
		}
		return produce(ctx, types.String, args, n, func(i int) (string, bool) {
			s, ok := size(i)
			if !ok {
				return "", false
			}
			p, _ := prec(i)
			u, _ := units(i)
			b, bok := base(i)
			if !bok || (b != 1000 && b != 1024) {
				b = 1024
			}
			return formatBytes(s, int(p), u, b), true
		})
	})

	RegisterScalar("parse_version", Lift1(types.Decimal, func(s string) (float64, bool) {
		parts := strings.Split(strings.TrimSpace(s), ".")
		if len(parts) == 0 || len(parts) > 4 {
			return 0, false
		}
		v := 0.0
		for i := 0; i < 4; i++ {
			var p int64
			if i < len(parts) {
				if parts[i] == "" || len(parts[i]) > 8 {
					return 0, false
				}
				x, err := strconv.ParseInt(parts[i], 10, 64)
				if err != nil || x < 0 {
					return 0, false
				}
				p = x
			}
			v = v*1e8 + float64(p)
		}
		return v, true
	}))
}

var byteUnits = []string{"Bytes", "KB", "MB", "GB", "TB", "PB", "EB"}

func formatBytes(size float64, prec int, unit string, base float64) string {
	idx := -1
	for i, u := range byteUnits {
		if strings.EqualFold(u, unit) || (i == 0 && strings.EqualFold(unit, "bytes")) {
			idx = i
		}
	}
	if idx < 0 {
		idx = 0
		for a := math.Abs(size); a >= base && idx < len(byteUnits)-1; a /= base {
			idx++
		}
	}
	v := size / math.Pow(base, float64(idx))
	if prec < 0 {
		prec = 0
	}
	return strconv.FormatFloat(v, 'f', prec, 64) + " " + byteUnits[idx]
}

func toKelvin(v float64, u string) (float64, bool) {
	switch u {
	case "kelvin":
		return v, true
	case "degreecelsius":
		return v + 273.15, true
	case "degreefahrenheit":
		return (v + 459.67) * 5 / 9, true
	case "degreerankine":
		return v * 5 / 9, true
	case "degreedelisle":
		return 373.15 - v*2/3, true
	case "degreenewton":
		return v*100/33 + 273.15, true
	case "degreereaumur":
		return v*5/4 + 273.15, true
	case "degreeroemer":
		return (v-7.5)*40/21 + 273.15, true
	case "solartemperature":
		return v * 5778, true
	}
	return 0, false
}

func fromKelvin(k float64, u string) (float64, bool) {
	switch u {
	case "kelvin":
		return k, true
	case "degreecelsius":
		return k - 273.15, true
	case "degreefahrenheit":
		return k*9/5 - 459.67, true
	case "degreerankine":
		return k * 9 / 5, true
	case "degreedelisle":
		return (373.15 - k) * 3 / 2, true
	case "degreenewton":
		return (k - 273.15) * 33 / 100, true
	case "degreereaumur":
		return (k - 273.15) * 4 / 5, true
	case "degreeroemer":
		return (k-273.15)*21/40 + 7.5, true
	case "solartemperature":
		return k / 5778, true
	}
	return 0, false
}

// betaInc is the regularized incomplete beta function I_x(a, b), by the
// continued fraction (Lentz's method) on the side where it converges fast.
func betaInc(a, b, x float64) float64 {
	if x == 0 || x == 1 {
		return x
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 300; m++ {
		fm := float64(m)
		num := fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm))
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		num = -(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1))
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return h
}
