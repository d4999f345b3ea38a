// Package geoiptest builds small MMDB databases for tests (of exec/geoip
// and of the CLI's --geoip), with github.com/maxmind/mmdbwriter. Only tests
// import it.
package geoiptest

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// Build returns an MMDB image of type dbType holding the records by CIDR.
func Build(dbType string, records map[string]mmdbtype.Map) ([]byte, error) {
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            dbType,
		IPVersion:               6,
		RecordSize:              28,
		IncludeReservedNetworks: true, // the test ranges are documentation ranges
	})
	if err != nil {
		return nil, err
	}
	for cidr, rec := range records {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return nil, err
		}
		if err := w.Insert(n, rec); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func place(en string) mmdbtype.Map {
	return mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(en)}}
}

func country(iso, en string) mmdbtype.Map {
	m := place(en)
	m["iso_code"] = mmdbtype.String(iso)
	return m
}

// City is a GeoLite2-City-shaped database:
//
//	81.2.69.0/24     GB United Kingdom, England, London (51.5142, -0.0931)
//	2001:db8:1::/48  DE Germany, Berlin, Berlin (52.52, 13.405)
//	203.0.113.0/24   JP Japan (country only, registered_country)
func City() map[string]mmdbtype.Map {
	return map[string]mmdbtype.Map{
		"81.2.69.0/24": {
			"country":      country("GB", "United Kingdom"),
			"subdivisions": mmdbtype.Slice{place("England")},
			"city":         place("London"),
			"location":     mmdbtype.Map{"latitude": mmdbtype.Float64(51.5142), "longitude": mmdbtype.Float64(-0.0931)},
		},
		"2001:db8:1::/48": {
			"country":      country("DE", "Germany"),
			"subdivisions": mmdbtype.Slice{place("Berlin")},
			"city":         place("Berlin"),
			"location":     mmdbtype.Map{"latitude": mmdbtype.Float64(52.52), "longitude": mmdbtype.Float64(13.405)},
		},
		"203.0.113.0/24": {
			"registered_country": country("JP", "Japan"),
		},
	}
}

// ASN is a GeoLite2-ASN-shaped database:
//
//	81.2.69.0/24     AS20712 Andrews & Arnold Ltd
//	2001:db8:1::/48  AS3320  Deutsche Telekom AG
func ASN() map[string]mmdbtype.Map {
	return map[string]mmdbtype.Map{
		"81.2.69.0/24": {
			"autonomous_system_number":       mmdbtype.Uint32(20712),
			"autonomous_system_organization": mmdbtype.String("Andrews & Arnold Ltd"),
		},
		"2001:db8:1::/48": {
			"autonomous_system_number":       mmdbtype.Uint32(3320),
			"autonomous_system_organization": mmdbtype.String("Deutsche Telekom AG"),
		},
	}
}

// IPinfo is an IPinfo "country_asn"-shaped database:
//
//	198.51.100.0/24  US United States, AS15169 Google LLC
func IPinfo() map[string]mmdbtype.Map {
	return map[string]mmdbtype.Map{
		"198.51.100.0/24": {
			"country":      mmdbtype.String("US"),
			"country_name": mmdbtype.String("United States"),
			"continent":    mmdbtype.String("NA"),
			"asn":          mmdbtype.String("AS15169"),
			"as_name":      mmdbtype.String("Google LLC"),
			"as_domain":    mmdbtype.String("google.com"),
		},
	}
}

// Files writes the City, ASN and IPinfo databases to t.TempDir() and returns
// their paths.
func Files(t testing.TB) (city, asn, ipinfo string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, typ string, recs map[string]mmdbtype.Map) string {
		b, err := Build(typ, recs)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("city.mmdb", "GeoLite2-City", City()),
		write("asn.mmdb", "GeoLite2-ASN", ASN()),
		write("ipinfo.mmdb", "ipinfo country_asn.mmdb", IPinfo())
}
