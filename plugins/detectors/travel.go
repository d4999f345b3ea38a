package detectors

import (
	"context"
	"math"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

// ImpossibleTravel flags consecutive sign-ins of one user whose great-circle
// distance over the elapsed time needs a speed above max_kmh.
type ImpossibleTravel struct{}

// Describe declares `evaluate impossible_travel(user, time, lat, lon [, max_kmh, min_km, isp, known_isps])`.
func (ImpossibleTravel) Describe() sdk.Description {
	return sdk.Description{
		Name:        "impossible_travel",
		Version:     "1.0.0",
		Description: "pairs of consecutive sign-ins per user that would need travelling faster than max_kmh",
		Params: []sdk.Param{
			{Name: "user", Type: "column", Description: "the user column"},
			{Name: "time", Type: "column:datetime", Description: "the event time column"},
			{Name: "lat", Type: "column:real", Description: "latitude column"},
			{Name: "lon", Type: "column:real", Description: "longitude column"},
			{Name: "max_kmh", Type: "real", Optional: true, Default: "900", Description: "fastest plausible travel speed"},
			{Name: "min_km", Type: "real", Optional: true, Default: "100", Description: "distances below this are geo-IP noise, never flagged"},
			{Name: "isp", Type: "column", Optional: true, Description: "ISP column, used with known_isps"},
			{Name: "known_isps", Type: "string", Optional: true, Default: "", Description: "';'-separated VPN/ISP names whose sign-ins are never flagged (corporate VPN egress)"},
		},
		Columns: []sdk.Column{
			{Name: "$user", Type: "$"},
			{Name: "FromTime", Type: "datetime"}, {Name: "ToTime", Type: "datetime"},
			{Name: "FromLat", Type: "real"}, {Name: "FromLon", Type: "real"},
			{Name: "ToLat", Type: "real"}, {Name: "ToLon", Type: "real"},
			{Name: "DistanceKm", Type: "real"}, {Name: "SpeedKmh", Type: "real"},
		},
	}
}

type signin struct {
	user     string
	t        int64
	lat, lon float64
	isp      string
	rec, row int
}

// Evaluate reads all sign-ins, orders each user's by time and checks consecutive pairs.
func (d ImpossibleTravel) Evaluate(ctx context.Context, call *sdk.Call, in sdk.Input, out sdk.Output) error {
	ui, err := columnArg(call, "user")
	if err != nil {
		return err
	}
	ti, err := columnArg(call, "time")
	if err != nil {
		return err
	}
	lai, err := columnArg(call, "lat")
	if err != nil {
		return err
	}
	loi, err := columnArg(call, "lon")
	if err != nil {
		return err
	}
	ispi := -1
	if call.Has("isp") {
		if ispi, err = columnArg(call, "isp"); err != nil {
			return err
		}
	}
	maxKmh, err := call.Real("max_kmh")
	if err != nil {
		return err
	}
	minKm, err := call.Real("min_km")
	if err != nil {
		return err
	}
	known := map[string]bool{}
	if s, _ := call.String("known_isps"); s != "" {
		for _, k := range strings.Split(s, ";") {
			if k = strings.TrimSpace(k); k != "" {
				known[strings.ToLower(k)] = true
			}
		}
	}
	recs, err := readAll(ctx, in)
	if err != nil {
		return err
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	var all []signin
	for ri, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			t, ok1 := nanos(rec.Column(ti), i)
			lat, ok2 := float(rec.Column(lai), i)
			lon, ok3 := float(rec.Column(loi), i)
			if !ok1 || !ok2 || !ok3 {
				continue // no time or location: nothing to measure
			}
			s := signin{user: text(rec.Column(ui), i), t: t, lat: lat, lon: lon, rec: ri, row: i}
			if ispi >= 0 {
				s.isp = strings.ToLower(text(rec.Column(ispi), i))
			}
			all = append(all, s)
		}
	}
	sort.SliceStable(all, func(a, b int) bool {
		if all[a].user != all[b].user {
			return all[a].user < all[b].user
		}
		return all[a].t < all[b].t
	})
	schema, err := call.OutputSchema(d.Describe())
	if err != nil {
		return err
	}
	b := array.NewRecordBuilder(call.Mem, schema)
	defer b.Release()
	for i := 1; i < len(all); i++ {
		from, to := all[i-1], all[i]
		if from.user != to.user || known[from.isp] || known[to.isp] {
			continue
		}
		km := haversineKm(from.lat, from.lon, to.lat, to.lon)
		if km < minKm {
			continue
		}
		hours := float64(to.t-from.t) / 3.6e12
		speed := math.Inf(1)
		if hours > 0 {
			speed = km / hours
		}
		if speed <= maxKmh {
			continue
		}
		appendValue(b.Field(0), recs[to.rec].Column(ui), to.row)
		b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(from.t))
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(to.t))
		for j, v := range []float64{from.lat, from.lon, to.lat, to.lon, math.Round(km*10) / 10} {
			b.Field(3 + j).(*array.Float64Builder).Append(v)
		}
		if math.IsInf(speed, 1) {
			b.Field(8).AppendNull() // same instant, different places
		} else {
			b.Field(8).(*array.Float64Builder).Append(math.Round(speed*10) / 10)
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	return out.Emit(rec)
}

// haversineKm is the great-circle distance on a sphere of the Earth's mean radius.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	dlat := (lat2 - lat1) * rad
	dlon := (lon2 - lon1) * rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}

// appendValue copies row i of src into a builder of the same type.
func appendValue(b array.Builder, src arrow.Array, i int) {
	if src.IsNull(i) {
		b.AppendNull()
		return
	}
	switch bb := b.(type) {
	case *array.StringBuilder:
		bb.Append(text(src, i))
	case *array.Int64Builder:
		bb.Append(src.(*array.Int64).Value(i))
	case *array.Int32Builder:
		bb.Append(src.(*array.Int32).Value(i))
	case *array.Float64Builder:
		bb.Append(src.(*array.Float64).Value(i))
	default:
		_ = b.AppendValueFromString(src.ValueStr(i))
	}
}
