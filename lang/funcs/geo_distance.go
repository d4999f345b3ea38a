package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// geo_distance_2points (exec/kernels/geo_distance.go).

func init() {
	Register(dxScalar("geo_distance_2points",
		"great-circle distance in metres between two points given as (longitude, latitude) in degrees; null for invalid coordinates",
		dxOv("geo_distance_2points", types.Real,
			dxA("p1_longitude", types.Numeric), dxA("p1_latitude", types.Numeric),
			dxA("p2_longitude", types.Numeric), dxA("p2_latitude", types.Numeric))))
}
