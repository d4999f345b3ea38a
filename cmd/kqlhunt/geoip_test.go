package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/geoip"
	"github.com/kqlhunt/kqlhunt/exec/geoip/geoiptest"
)

// TestGeoIPFlag: --geoip fills CloudAppEvents' empty CountryCode/City/ISP
// from IPAddress (kept where set) and serves geo_info_from_ip_address.
func TestGeoIPFlag(t *testing.T) {
	defer geoip.Use(nil)
	city, asn, _ := geoiptest.Files(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "CloudAppEvents.jsonl")
	rows := `{"Timestamp":"2024-01-01T08:00:00Z","ActionType":"New-InboxRule","IPAddress":"81.2.69.160","CountryCode":"","City":"","ISP":""}
{"Timestamp":"2024-01-01T08:01:00Z","ActionType":"Send","IPAddress":"[2001:db8:1::7]:443","CountryCode":"","City":"","ISP":""}
{"Timestamp":"2024-01-01T08:02:00Z","ActionType":"Send","IPAddress":"81.2.69.1","CountryCode":"FR","City":"Paris","ISP":"Orange"}
`
	if err := os.WriteFile(data, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	runQ := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := run(args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
		return out.String(), errb.String(), code
	}
	out, errs, code := runQ("query", "--format", "csv", "--data", data, "--geoip", city, "--geoip", asn,
		"CloudAppEvents | project ActionType, CountryCode, City, ISP, g = geo_info_from_ip_address(IPAddress)")
	want := `ActionType,CountryCode,City,ISP,g
New-InboxRule,GB,London,Andrews & Arnold Ltd,"{""country"":""United Kingdom"",""state"":""England"",""city"":""London"",""latitude"":51.5142,""longitude"":-0.0931}"
Send,DE,Berlin,Deutsche Telekom AG,"{""country"":""Germany"",""state"":""Berlin"",""city"":""Berlin"",""latitude"":52.52,""longitude"":13.405}"
Send,FR,Paris,Orange,"{""country"":""United Kingdom"",""state"":""England"",""city"":""London"",""latitude"":51.5142,""longitude"":-0.0931}"
`
	if code != 0 || out != want {
		t.Errorf("exit %d, stderr %s\ngot\n%s\nwant\n%s", code, errs, out, want)
	}
	_, errs, code = runQ("query", "--data", data, "--geoip", filepath.Join(dir, "missing.mmdb"), "CloudAppEvents | count")
	if code != 2 || !strings.Contains(errs, "--geoip") || !strings.Contains(errs, "missing.mmdb") {
		t.Errorf("missing database: exit %d, stderr %q", code, errs)
	}
}

// TestExternalDataQuery runs externaldata end to end: a relative path, the
// header skipped, casts, and an unconvertible cell reported (exit 2 with
// --strict).
func TestExternalDataQuery(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "iocs.csv"), []byte("ip,score\n81.2.69.160,90\n10.0.0.1,high\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	q := `externaldata (ip:string, score:long) [ "iocs.csv" ] with (format="csv", ignoreFirstRecord=true) | extend s2 = score * 2`
	var out, errb bytes.Buffer
	code := run([]string{"query", "--format", "csv", q}, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	if code != 0 || out.String() != "ip,score,s2\n81.2.69.160,90,180\n10.0.0.1,,\n" ||
		!strings.Contains(errb.String(), `iocs.csv:3: column score: cannot convert "high" to long`) {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	code = run([]string{"query", "--strict", q}, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	if code != 2 {
		t.Errorf("--strict: exit %d, stderr %s", code, errb.String())
	}
}
