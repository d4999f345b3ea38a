package kernels

// geo_info_from_ip_address: the lookup comes from exec/geoip (SetGeoLookup),
// installed by the CLI when --geoip is given. Without a database, or for an
// address the database does not know, the result is null.

import (
	"sync/atomic"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

var geoLookup atomic.Pointer[func(ip string) any]

// SetGeoLookup installs the function geo_info_from_ip_address uses: it
// returns the dynamic value (a *types.Bag) for an address, or nil. nil
// removes it.
func SetGeoLookup(f func(ip string) any) {
	if f == nil {
		geoLookup.Store(nil)
		return
	}
	geoLookup.Store(&f)
}

func init() {
	RegisterScalar("geo_info_from_ip_address", kGeoInfoFromIP)
}

func kGeoInfoFromIP(ctx *Ctx, args []Datum, n int) (Datum, error) {
	get := Strings(args[0])
	f := geoLookup.Load()
	rows := OutLen(args, n)
	vals := make([]any, rows)
	if f != nil {
		for i := range rows {
			if s, ok := get(i); ok && s != "" {
				vals[i] = (*f)(s)
			}
		}
	}
	out := FromValuesMem(Mem(ctx), types.Dynamic, vals)
	return Datum{Array: out, Kind: types.Dynamic, Scalar: AllScalar(args)}, nil
}
