package kernels

import "testing"

func TestParseUserAgent(t *testing.T) {
	all := `["browser","os","device"]`
	cases := []struct {
		name     string
		ua, look string
		dynLook  bool
		want     string
	}{
		// the two examples of the Kusto documentation (parse_user_agent())
		{"doc-browser", "Mozilla/5.0 (Windows; U; en-US) AppleWebKit/531.9 (KHTML, like Gecko) AdobeAIR/2.5.1", "browser", false,
			`{"Browser":{"Family":"AdobeAIR","MajorVersion":"2","MinorVersion":"5","Patch":"1"}}`},
		{"doc-all", "Mozilla/5.0 (SymbianOS/9.2; U; Series60/3.1 NokiaN81-3/10.0.032 Profile/MIDP-2.0 Configuration/CLDC-1.1 ) AppleWebKit/413 (KHTML, like Gecko) Safari/4", all, true,
			`{"Browser":{"Family":"Nokia OSS Browser","MajorVersion":"3","MinorVersion":"1","Patch":""},` +
				`"OperatingSystem":{"Family":"Symbian OS","MajorVersion":"9","MinorVersion":"2","Patch":"","PatchMinor":""},` +
				`"Device":{"Family":"Nokia N81","Brand":"Nokia","Model":"N81-3"}}`},
		{"edge-windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", all, true,
			`{"Browser":{"Family":"Edge","MajorVersion":"120","MinorVersion":"0","Patch":"2210"},` +
				`"OperatingSystem":{"Family":"Windows","MajorVersion":"10","MinorVersion":"","Patch":"","PatchMinor":""},` +
				`"Device":{"Family":"Other","Brand":"","Model":""}}`},
		{"chrome-mac-os", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36", "os", false,
			`{"OperatingSystem":{"Family":"Mac OS X","MajorVersion":"10","MinorVersion":"15","Patch":"7","PatchMinor":""}}`},
		{"iphone-safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1", all, true,
			`{"Browser":{"Family":"Mobile Safari","MajorVersion":"17","MinorVersion":"1","Patch":"2"},` +
				`"OperatingSystem":{"Family":"iOS","MajorVersion":"17","MinorVersion":"1","Patch":"2","PatchMinor":""},` +
				`"Device":{"Family":"iPhone","Brand":"Apple","Model":"iPhone"}}`},
		{"samsung-android", "Mozilla/5.0 (Linux; Android 7.0; SAMSUNG SM-G930T Build/NRD90M) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/5.0 Chrome/51.0.2704.106 Mobile Safari/537.36", all, true,
			`{"Browser":{"Family":"Samsung Internet","MajorVersion":"5","MinorVersion":"0","Patch":""},` +
				`"OperatingSystem":{"Family":"Android","MajorVersion":"7","MinorVersion":"0","Patch":"","PatchMinor":""},` +
				`"Device":{"Family":"Samsung SM-G930T","Brand":"Samsung","Model":"SM-G930T"}}`},
		{"firefox-win7", "Mozilla/5.0 (Windows NT 6.1; rv:109.0) Gecko/20100101 Firefox/115.0", "browser", false,
			`{"Browser":{"Family":"Firefox","MajorVersion":"115","MinorVersion":"0","Patch":""}}`},
		{"ie11", "Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko", `["os","browser"]`, true,
			`{"Browser":{"Family":"IE","MajorVersion":"11","MinorVersion":"0","Patch":""},` +
				`"OperatingSystem":{"Family":"Windows","MajorVersion":"8","MinorVersion":"1","Patch":"","PatchMinor":""}}`},
		{"unknown", "SomethingElse", "device", false, `{"Device":{"Family":"Other","Brand":"","Model":""}}`},
		{"bad-look-for", "Mozilla/5.0", "nothing", false, nil_},
	}
	for _, c := range cases {
		lk := tS
		if c.dynLook {
			lk = tDyn
		}
		var want any = c.want
		if c.want == nil_ {
			want = nil
		}
		sxtEq(t, c.name, sxtOne(t, "parse_user_agent", tS, c.ua, lk, c.look), want)
	}
}

const nil_ = "\x00null"
