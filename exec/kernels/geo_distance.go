package kernels

import (
	"math"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// geo_distance_2points: the haversine great-circle distance on a sphere of
// radius 6,371,010 m (the radius that reproduces the Kusto documentation's
// example to the last digit). Longitudes outside [-180, 180] or latitudes
// outside [-90, 90] give null.

const earthRadiusMetres = 6371010.0

func init() {
	RegisterScalar("geo_distance_2points", LiftN(types.Real, func(v []float64) (float64, bool) {
		return GeoDistance(v[0], v[1], v[2], v[3])
	}))
}

// GeoDistance returns the distance in metres between (lon1, lat1) and
// (lon2, lat2) in degrees, false for invalid coordinates.
func GeoDistance(lon1, lat1, lon2, lat2 float64) (float64, bool) {
	for _, c := range [][2]float64{{lon1, lat1}, {lon2, lat2}} {
		if math.IsNaN(c[0]) || math.IsNaN(c[1]) || c[0] < -180 || c[0] > 180 || c[1] < -90 || c[1] > 90 {
			return 0, false
		}
	}
	rad := math.Pi / 180
	p1, p2 := lat1*rad, lat2*rad
	dp, dl := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * earthRadiusMetres * math.Asin(math.Sqrt(min(1, a))), true
}
