package geoip_test

import (
	"fmt"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/geoip"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// BenchmarkEnrich: 64k CloudAppEvents rows over 1,000 distinct addresses,
// all geo cells empty.
func BenchmarkEnrich(b *testing.B) {
	city, asn, _ := geoiptestFiles(b)
	db, err := geoip.Open(city, asn)
	if err != nil {
		b.Fatal(err)
	}
	S := types.String
	rows := make([][]any, 64*1024)
	for i := range rows {
		rows[i] = []any{fmt.Sprintf("81.2.69.%d", i%250), "", "", ""}
		if i%4 == 0 {
			rows[i][0] = fmt.Sprintf("2001:db8:1::%x", i%750)
		}
	}
	tb := table("CloudAppEvents", []string{"IPAddress", "CountryCode", "City", "ISP"}, []types.Kind{S, S, S, S}, rows)
	b.ResetTimer()
	for range b.N {
		got := scanAll(b, geoip.Enrich(tb, db), nil)
		if got[0][1] != "DE" || got[1][1] != "GB" {
			b.Fatal(got[0])
		}
	}
	b.ReportMetric(float64(len(rows)*b.N)/b.Elapsed().Seconds(), "rows/s")
}
