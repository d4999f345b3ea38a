package geoip_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/geoip"
	"github.com/kqlhunt/kqlhunt/exec/geoip/geoiptest"
)

// TestFixtures keeps testdata/city.mmdb and testdata/asn.mmdb (used by the
// CLI script cmd/kqlhunt/testdata/script/geoip.txtar) equal in content to
// geoiptest.City/ASN; UPDATE_FIXTURES=1 rewrites them.
func TestFixtures(t *testing.T) {
	if os.Getenv("UPDATE_FIXTURES") != "" {
		city, asn, _ := geoiptest.Files(t)
		for src, dst := range map[string]string{city: "testdata/city.mmdb", asn: "testdata/asn.mmdb"} {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	fix, err := geoip.Open("testdata/city.mmdb", "testdata/asn.mmdb")
	if err != nil {
		t.Fatalf("%v (run UPDATE_FIXTURES=1 go test ./exec/geoip -run TestFixtures)", err)
	}
	fresh := openAll(t)
	for _, ip := range []string{"81.2.69.160", "2001:db8:1::1", "203.0.113.5", "192.0.2.1"} {
		a, aok := fix.Lookup(ip)
		b, bok := fresh.Lookup(ip)
		if a != b || aok != bok {
			t.Errorf("fixture %s: %+v, want %+v", ip, a, b)
		}
	}
}
