// Package geoip looks IP addresses up in MaxMind-format (MMDB) databases:
// GeoLite2/GeoIP2 Country, City and ASN, DB-IP lite and IPinfo free
// databases. Several databases can be combined (a city database and an ASN
// database); for each field the first database that has it wins.
//
// It serves two features: filling empty geo columns of sign-in and cloud-app
// tables from their IP address column (Enrich), and the KQL function
// geo_info_from_ip_address (Use installs a DB for the kernel).
package geoip

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/oschwald/maxminddb-golang"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Info is what the databases know about one address. Empty strings are
// unknown values.
type Info struct {
	CountryCode string // ISO 3166-1 alpha-2 ("US")
	Country     string // English country name ("United States")
	State       string // first subdivision, English name
	City        string // English city name
	ASN         int64  // autonomous system number, 0 if unknown
	ASOrg       string // autonomous system organisation (the ISP columns)
	Latitude    float64
	Longitude   float64
	HasLocation bool // Latitude/Longitude are set
}

// Empty reports whether nothing is known.
func (i Info) Empty() bool {
	return i.CountryCode == "" && i.Country == "" && i.State == "" && i.City == "" &&
		i.ASN == 0 && i.ASOrg == "" && !i.HasLocation
}

// DB is a set of MMDB readers with a per-address cache. It is safe for
// concurrent use.
type DB struct {
	readers []*maxminddb.Reader
	names   []string

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	info Info
	ok   bool
}

// maxCache bounds the per-address cache (distinct addresses).
const maxCache = 1 << 20

// Open opens the MMDB files at paths (at least one).
func Open(paths ...string) (*DB, error) {
	db := &DB{cache: map[string]cached{}}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("geoip: %w", err)
		}
		if err := db.add(p, b); err != nil {
			return nil, err
		}
	}
	if len(db.readers) == 0 {
		return nil, fmt.Errorf("geoip: no database given")
	}
	return db, nil
}

// FromBytes makes a DB of in-memory MMDB images; names label them in errors.
func FromBytes(names []string, images [][]byte) (*DB, error) {
	db := &DB{cache: map[string]cached{}}
	for i, b := range images {
		name := fmt.Sprintf("database %d", i+1)
		if i < len(names) {
			name = names[i]
		}
		if err := db.add(name, b); err != nil {
			return nil, err
		}
	}
	if len(db.readers) == 0 {
		return nil, fmt.Errorf("geoip: no database given")
	}
	return db, nil
}

func (db *DB) add(name string, b []byte) error {
	r, err := maxminddb.FromBytes(b)
	if err != nil {
		return fmt.Errorf("geoip: %s: not a MaxMind DB (MMDB) file: %v", name, err)
	}
	db.readers = append(db.readers, r)
	db.names = append(db.names, name)
	return nil
}

// Names returns the database names (paths) with their database types.
func (db *DB) Names() []string {
	out := make([]string, len(db.readers))
	for i, r := range db.readers {
		out[i] = db.names[i] + " (" + r.Metadata.DatabaseType + ")"
	}
	return out
}

// ParseIP parses an address as logs write it: plain IPv4/IPv6, with a port
// ("1.2.3.4:5678", "[2001:db8::1]:443"), with a zone, or IPv4-mapped IPv6.
func ParseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone("").Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap(), true
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i > 0 {
			if a, err := netip.ParseAddr(s[1:i]); err == nil {
				return a.WithZone("").Unmap(), true
			}
		}
	}
	return netip.Addr{}, false
}

// Lookup returns what the databases know about ip (any form ParseIP
// accepts). ok is false for text that is not an address or an address no
// database knows.
func (db *DB) Lookup(ip string) (Info, bool) {
	if db == nil {
		return Info{}, false
	}
	db.mu.Lock()
	c, hit := db.cache[ip]
	db.mu.Unlock()
	if hit {
		return c.info, c.ok
	}
	info, ok := db.lookup(ip)
	db.mu.Lock()
	if len(db.cache) >= maxCache {
		db.cache = map[string]cached{}
	}
	db.cache[ip] = cached{info, ok}
	db.mu.Unlock()
	return info, ok
}

func (db *DB) lookup(s string) (Info, bool) {
	a, ok := ParseIP(s)
	if !ok {
		return Info{}, false
	}
	ip := net.IP(a.AsSlice())
	var info Info
	for _, r := range db.readers {
		var rec map[string]any
		if err := r.Lookup(ip, &rec); err != nil || rec == nil {
			continue
		}
		merge(&info, rec)
	}
	return info, !info.Empty()
}

// merge fills the unset fields of info from one database record, whatever
// its vendor's field names.
func merge(info *Info, rec map[string]any) {
	set := func(dst *string, v string) {
		if *dst == "" && v != "" {
			*dst = v
		}
	}
	// GeoLite2 / GeoIP2 / DB-IP: country.iso_code, country.names.en;
	// registered_country as a fallback.
	for _, key := range []string{"country", "registered_country"} {
		switch c := rec[key].(type) {
		case map[string]any:
			set(&info.CountryCode, str(c["iso_code"]))
			set(&info.Country, name(c))
		case string:
			// IPinfo: "country" is the ISO code in country_asn.mmdb and the
			// name in the lite database (which has country_code).
			if _, lite := rec["country_code"]; lite || !isISOCode(c) {
				set(&info.Country, c)
			} else {
				set(&info.CountryCode, c)
			}
		}
	}
	set(&info.CountryCode, str(rec["country_code"]))
	set(&info.Country, str(rec["country_name"]))
	if subs, ok := rec["subdivisions"].([]any); ok && len(subs) > 0 {
		if s, ok := subs[0].(map[string]any); ok {
			set(&info.State, name(s))
		}
	}
	set(&info.State, str(rec["region"]))
	switch c := rec["city"].(type) {
	case map[string]any:
		set(&info.City, name(c))
	case string:
		set(&info.City, c)
	}
	if loc, ok := rec["location"].(map[string]any); ok && !info.HasLocation {
		lat, ok1 := num(loc["latitude"])
		lon, ok2 := num(loc["longitude"])
		if ok1 && ok2 {
			info.Latitude, info.Longitude, info.HasLocation = lat, lon, true
		}
	}
	if !info.HasLocation {
		lat, ok1 := num(rec["latitude"])
		lon, ok2 := num(rec["longitude"])
		if ok1 && ok2 {
			info.Latitude, info.Longitude, info.HasLocation = lat, lon, true
		}
	}
	if info.ASN == 0 {
		if n, ok := num(rec["autonomous_system_number"]); ok {
			info.ASN = int64(n)
		} else if s := str(rec["asn"]); s != "" {
			// IPinfo: "AS13335"
			if n, err := strconv.ParseInt(strings.TrimPrefix(strings.ToUpper(s), "AS"), 10, 64); err == nil {
				info.ASN = n
			}
		} else if n, ok := num(rec["asn"]); ok {
			info.ASN = int64(n)
		}
	}
	set(&info.ASOrg, str(rec["autonomous_system_organization"]))
	set(&info.ASOrg, str(rec["as_name"]))
	set(&info.ASOrg, str(rec["isp"]))
	set(&info.ASOrg, str(rec["organization"]))
}

func isISOCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// name is the English name of a GeoIP2 place record (names.en), or its
// "name" property.
func name(m map[string]any) string {
	if ns, ok := m["names"].(map[string]any); ok {
		if s := str(ns["en"]); s != "" {
			return s
		}
	}
	return str(m["name"])
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x)
	case float32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint16:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// GeoInfo is the value of geo_info_from_ip_address for an address: a bag
// with country, state, city, latitude and longitude (Kusto's shape), or nil
// when the address is invalid or unknown.
func (db *DB) GeoInfo(ip string) any {
	info, ok := db.Lookup(ip)
	if !ok {
		return nil
	}
	b := types.NewBag(5)
	b.Set("country", info.Country)
	b.Set("state", info.State)
	b.Set("city", info.City)
	if info.HasLocation {
		b.Set("latitude", info.Latitude)
		b.Set("longitude", info.Longitude)
	}
	return b
}

// Use makes db the database of geo_info_from_ip_address for this process
// (nil: none, the function returns null).
func Use(db *DB) {
	if db == nil {
		kernels.SetGeoLookup(nil)
		return
	}
	kernels.SetGeoLookup(db.GeoInfo)
}
