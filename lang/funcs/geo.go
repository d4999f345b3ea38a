package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// geo_info_from_ip_address (the data comes from the --geoip databases).

func init() {
	Register(dxScalar("geo_info_from_ip_address",
		"geolocation of an IPv4/IPv6 address from the --geoip databases: {country, state, city, latitude, longitude}, or null",
		dxOv("geo_info_from_ip_address", types.Dynamic, dxA("ip", types.Set(types.String)))))
}
