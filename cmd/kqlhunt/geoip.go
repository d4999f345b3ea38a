package main

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/geoip"
)

// applyGeoIP opens the --geoip databases, makes them the data of
// geo_info_from_ip_address and wraps every bound table that has empty geo
// columns to fill them from its IP address (geoip.Enrich). No paths: no-op.
// A database that cannot be opened is an exit-2 data error.
func applyGeoIP(cat *catalog.Catalog, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	db, err := geoip.Open(paths...)
	if err != nil {
		return &exitError{exitData, "kqlhunt: --geoip " + strings.TrimPrefix(err.Error(), "geoip: ")}
	}
	geoip.Use(db)
	for _, name := range cat.Names() {
		if t, ok := cat.Table(name); ok {
			if et := geoip.Enrich(t, db); et != t {
				cat.Add(et)
			}
		}
	}
	return nil
}
