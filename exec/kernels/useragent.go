package kernels

import (
	"regexp"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// parse_user_agent(ua, look_for): Kusto's documented output is a bag with
// the requested parts, in this order:
//
//	Browser         {Family, MajorVersion, MinorVersion, Patch}
//	OperatingSystem {Family, MajorVersion, MinorVersion, Patch, PatchMinor}
//	Device          {Family, Brand, Model}
//
// Kusto matches the string against a large set of patterns; this is an
// ordered list of RE2 rules for the common browsers, operating systems and
// devices (first match wins). Anything unrecognised is Family "Other" with
// empty versions, brand and model.

// uaRule is one pattern: family is the family name ("$1" takes group 1);
// the version groups are numbered from vg (0: no versions).
type uaRule struct {
	re     *regexp.Regexp
	family string
	vg     int
}

func uaR(pattern, family string, vg int) uaRule {
	return uaRule{re: regexp.MustCompile(pattern), family: family, vg: vg}
}

var uaBrowsers = []uaRule{
	uaR(`AdobeAIR/(\d+)\.(\d+)(?:\.(\d+))?`, "AdobeAIR", 1),
	uaR(`Series60/(\d+)\.(\d+)`, "Nokia OSS Browser", 1),
	uaR(`NokiaBrowser/(\d+)\.(\d+)(?:\.(\d+))?`, "NokiaBrowser", 1),
	uaR(`(?:EdgA|EdgiOS)/(\d+)\.(\d+)(?:\.(\d+))?`, "Edge Mobile", 1),
	uaR(`(?:Edge|Edg)/(\d+)\.(\d+)(?:\.(\d+))?`, "Edge", 1),
	uaR(`OPR/(\d+)\.(\d+)(?:\.(\d+))?`, "Opera", 1),
	uaR(`Opera[/ ](\d+)\.(\d+)`, "Opera", 1),
	uaR(`SamsungBrowser/(\d+)\.(\d+)`, "Samsung Internet", 1),
	uaR(`YaBrowser/(\d+)\.(\d+)(?:\.(\d+))?`, "Yandex Browser", 1),
	uaR(`Vivaldi/(\d+)\.(\d+)(?:\.(\d+))?`, "Vivaldi", 1),
	uaR(`CriOS/(\d+)\.(\d+)(?:\.(\d+))?`, "Chrome Mobile iOS", 1),
	uaR(`FxiOS/(\d+)\.?(\d+)?(?:\.(\d+))?`, "Firefox iOS", 1),
	uaR(`; wv\).*Chrome/(\d+)\.(\d+)(?:\.(\d+))?`, "Chrome Mobile WebView", 1),
	uaR(`HeadlessChrome/(\d+)\.(\d+)(?:\.(\d+))?`, "HeadlessChrome", 1),
	uaR(`Android.*Chrome/(\d+)\.(\d+)(?:\.(\d+))? Mobile`, "Chrome Mobile", 1),
	uaR(`Chrome/(\d+)\.(\d+)(?:\.(\d+))?`, "Chrome", 1),
	uaR(`Mobile.*Firefox/(\d+)\.(\d+)(?:\.(\d+))?`, "Firefox Mobile", 1),
	uaR(`Firefox/(\d+)\.(\d+)(?:\.(\d+))?`, "Firefox", 1),
	uaR(`MSIE (\d+)\.(\d+)`, "IE", 1),
	uaR(`Trident/\d+\.\d+.*rv:(\d+)\.(\d+)`, "IE", 1),
	uaR(`Version/(\d+)\.(\d+)(?:\.(\d+))?.*Mobile.*Safari/`, "Mobile Safari", 1),
	uaR(`Version/(\d+)\.(\d+)(?:\.(\d+))?.*Safari/`, "Safari", 1),
	uaR(`(?:iPhone|iPad|iPod).*AppleWebKit`, "Mobile Safari UI/WKWebView", 0),
	uaR(`Microsoft Office/(\d+)\.(\d+)`, "Microsoft Office", 1),
	uaR(`Outlook-iOS/(\d+)\.(\d+)(?:\.(\d+))?`, "Outlook-iOS", 1),
	uaR(`curl/(\d+)\.(\d+)(?:\.(\d+))?`, "curl", 1),
	uaR(`Wget/(\d+)\.(\d+)(?:\.(\d+))?`, "Wget", 1),
	uaR(`python-requests/(\d+)\.(\d+)(?:\.(\d+))?`, "Python Requests", 1),
	uaR(`Python-urllib/(\d+)\.(\d+)`, "Python-urllib", 1),
	uaR(`Go-http-client/(\d+)\.(\d+)`, "Go-http-client", 1),
	uaR(`PowerShell/(\d+)\.(\d+)(?:\.(\d+))?`, "PowerShell", 1),
	uaR(`(?i)(?:bot|spider|crawler)\b`, "Spider", 0),
}

// uaWindows maps Windows NT versions to the marketing version Kusto reports.
var uaWindows = map[string][2]string{
	"10.0": {"10", ""}, "6.3": {"8", "1"}, "6.2": {"8", ""}, "6.1": {"7", ""},
	"6.0": {"Vista", ""}, "5.2": {"XP", ""}, "5.1": {"XP", ""}, "5.0": {"2000", ""},
}

var (
	uaWinNT   = regexp.MustCompile(`Windows NT (\d+\.\d+)`)
	uaOSRules = []uaRule{
		uaR(`Windows Phone(?: OS)? (\d+)\.(\d+)`, "Windows Phone", 1),
		uaR(`SymbianOS/(\d+)\.(\d+)`, "Symbian OS", 1),
		uaR(`Android[ /-]?(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Android", 1),
		uaR(`CPU (?:iPhone )?OS (\d+)_(\d+)(?:_(\d+))?`, "iOS", 1),
		uaR(`iPhone OS (\d+)_(\d+)(?:_(\d+))?`, "iOS", 1),
		uaR(`(?:iPhone|iPad|iPod)`, "iOS", 0),
		uaR(`CrOS \S+ (\d+)\.(\d+)(?:\.(\d+))?`, "Chrome OS", 1),
		uaR(`Mac OS X (\d+)[_.](\d+)(?:[_.](\d+))?`, "Mac OS X", 1),
		uaR(`Mac OS X`, "Mac OS X", 0),
		uaR(`Ubuntu(?:/(\d+)\.(\d+))?`, "Ubuntu", 1),
		uaR(`Fedora`, "Fedora", 0),
		uaR(`Linux`, "Linux", 0),
		uaR(`Windows`, "Windows", 0),
	}
	uaNokia   = regexp.MustCompile(`Nokia ?([A-Za-z]*\d+[A-Za-z0-9]*)(-[A-Za-z0-9]+)?`)
	uaSamsung = regexp.MustCompile(`(?:SAMSUNG[- ])?(SM-[A-Z0-9]+|GT-[A-Z0-9]+)`)
	uaPixel   = regexp.MustCompile(`(Pixel(?: [A-Za-z0-9]+)*)(?: Build|;|\))`)
	uaAndroid = regexp.MustCompile(`Android[ /-]?[\d.]*; (?:[a-z]{2}[-_][A-Za-z]{2}; )?([^;)]+?)(?: Build/[^;)]*)?[;)]`)
)

func uaVersions(m []string, vg, n int) []string {
	out := make([]string, n)
	if vg <= 0 {
		return out
	}
	for i := 0; i < n && vg+i < len(m); i++ {
		out[i] = m[vg+i]
	}
	return out
}

// uaBrowser returns Family and the three version parts.
func uaBrowser(ua string) []string {
	for _, r := range uaBrowsers {
		if m := r.re.FindStringSubmatch(ua); m != nil {
			return append([]string{r.family}, uaVersions(m, r.vg, 3)...)
		}
	}
	return []string{"Other", "", "", ""}
}

// uaOS returns Family and the four version parts.
func uaOS(ua string) []string {
	if m := uaWinNT.FindStringSubmatch(ua); m != nil && !strings.Contains(ua, "Windows Phone") {
		v, ok := uaWindows[m[1]]
		if !ok {
			v = [2]string{m[1], ""}
		}
		return []string{"Windows", v[0], v[1], "", ""}
	}
	for _, r := range uaOSRules {
		if m := r.re.FindStringSubmatch(ua); m != nil {
			return append([]string{r.family}, uaVersions(m, r.vg, 4)...)
		}
	}
	return []string{"Other", "", "", "", ""}
}

// uaDevice returns Family, Brand and Model.
func uaDevice(ua string) []string {
	switch {
	case strings.Contains(ua, "iPhone"):
		return []string{"iPhone", "Apple", "iPhone"}
	case strings.Contains(ua, "iPad"):
		return []string{"iPad", "Apple", "iPad"}
	case strings.Contains(ua, "iPod"):
		return []string{"iPod", "Apple", "iPod"}
	case strings.Contains(ua, "Macintosh"):
		return []string{"Mac", "Apple", "Mac"}
	}
	if m := uaNokia.FindStringSubmatch(ua); m != nil {
		return []string{"Nokia " + m[1], "Nokia", m[1] + m[2]}
	}
	if strings.Contains(ua, "Android") {
		if m := uaSamsung.FindStringSubmatch(ua); m != nil {
			return []string{"Samsung " + m[1], "Samsung", m[1]}
		}
		if m := uaPixel.FindStringSubmatch(ua); m != nil {
			return []string{m[1], "Google", m[1]}
		}
		if m := uaAndroid.FindStringSubmatch(ua); m != nil {
			model := strings.TrimSpace(m[1])
			if model != "" && model != "U" && model != "Mobile" && model != "K" {
				return []string{model, "Generic_Android", model}
			}
		}
		return []string{"Generic Smartphone", "Generic", "Smartphone"}
	}
	for _, r := range uaBrowsers {
		if r.family == "Spider" && r.re.MatchString(ua) {
			return []string{"Spider", "Spider", "Desktop"}
		}
	}
	return []string{"Other", "", ""}
}

// uaLookFor reads the look-for argument: a string or an array of strings.
func uaLookFor(v any) (browser, os, device bool) {
	var names []string
	switch x := v.(type) {
	case string:
		names = []string{x}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				names = append(names, s)
			}
		}
	}
	for _, n := range names {
		switch strings.ToLower(strings.TrimSpace(n)) {
		case "browser":
			browser = true
		case "os":
			os = true
		case "device":
			device = true
		}
	}
	return
}

// ParseUserAgent is parse_user_agent of one string (nil when nothing valid
// is asked for).
func ParseUserAgent(ua string, lookFor any) any {
	wb, wo, wd := uaLookFor(lookFor)
	if !wb && !wo && !wd {
		return nil
	}
	out := types.NewBag(3)
	if wb {
		out.Set("Browser", sxBag([]string{"Family", "MajorVersion", "MinorVersion", "Patch"}, uaAny(uaBrowser(ua))))
	}
	if wo {
		out.Set("OperatingSystem", sxBag([]string{"Family", "MajorVersion", "MinorVersion", "Patch", "PatchMinor"}, uaAny(uaOS(ua))))
	}
	if wd {
		out.Set("Device", sxBag([]string{"Family", "Brand", "Model"}, uaAny(uaDevice(ua))))
	}
	return out
}

func uaAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func init() {
	sxRegister("parse_user_agent", sxDynFn(func(a *sxRowArgs, i int) any {
		if a.null(0, i) {
			return nil
		}
		look := a.val(1, i)
		if s, ok := look.(string); ok && a.ds[1].Kind == types.Dynamic {
			// a dynamic string holding JSON text of an array
			if v, err := types.ParseDynamic(s); err == nil {
				look = v
			}
		}
		return ParseUserAgent(a.str(0, i), look)
	}))
}
