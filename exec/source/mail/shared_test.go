package mail

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sharedData is the project's sample of real logs (read-only, outside the
// repository); the tests skip when it is absent.
const sharedData = "../../../../shared/data"

func sharedDir(t *testing.T, rel string) string {
	t.Helper()
	dir := filepath.Join(sharedData, rel)
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no shared data")
	}
	return dir
}

// TestPhishingPot loads the 50 real phishing messages as one table and
// checks the parsed verdicts and forwarding headers against labels.json.
func TestPhishingPot(t *testing.T) {
	dir := sharedDir(t, "phishing-pot/outlook-received-phishing-eml")
	data, err := os.ReadFile(filepath.Join(dir, "labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	var labels []struct {
		File          string  `json:"file"`
		SCL           *string `json:"scl"`
		Spf           *string `json:"spf"`
		Dkim          *string `json:"dkim"`
		Dmarc         *string `json:"dmarc"`
		XForwardedTo  *string `json:"x_forwarded_to"`
		XForwardedFor *string `json:"x_forwarded_for"`
		OriginatingIP *string `json:"x_originating_ip"`
		NetworkMsgID  *string `json:"network_message_id"`
	}
	if err := json.Unmarshal(data, &labels); err != nil {
		t.Fatal(err)
	}
	l := loadPath(t, filepath.Join(dir, "eml"))
	if len(l.tables) != 1 {
		t.Fatalf("tables %v, want one EmailHeaders", keys(l.tables))
	}
	rows := l.tables[EmailHeaders]
	if len(rows) != 50 || len(labels) != 50 {
		t.Fatalf("%d rows, %d labels; want 50", len(rows), len(labels))
	}
	// The one message whose From has no address at all is reported.
	expectProblems(t, l.problems, `sample-136.eml:38: From: no address in "\"Mrs. Bessel Harris   ONLINE PROGRAMS\""`)
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.ToLower(*p)
	}
	forwarded, autoFwd := 0, 0
	for _, lb := range labels {
		r := find(t, rows, "SourceFile", filepath.Join(dir, lb.File))
		scl := "<null>"
		if lb.SCL != nil {
			n, err := strconv.Atoi(*lb.SCL)
			if err != nil {
				t.Fatalf("%s: label scl %q", lb.File, *lb.SCL)
			}
			scl = strconv.Itoa(n)
		}
		expect(t, lb.File, r, map[string]string{
			"Spf": str(lb.Spf), "Dkim": str(lb.Dkim), "Dmarc": str(lb.Dmarc), "SCL": scl,
			"XForwardedTo": str(lb.XForwardedTo), "XForwardedFor": str(lb.XForwardedFor),
			"AutoForwarded": "false",
		})
		if lb.OriginatingIP != nil {
			if want := strings.Trim(*lb.OriginatingIP, "[]"); r["OriginatingIP"] != want {
				t.Errorf("%s: OriginatingIP = %q, want %q", lb.File, r["OriginatingIP"], want)
			}
		}
		if r["XForwardedTo"] != "" {
			forwarded++
		}
		if r["AutoForwarded"] == "true" {
			autoFwd++
		}
		if r["MessageId"] == "" || r["Date"] == "<null>" || r["ReceivedCount"] == "0" {
			t.Errorf("%s: MessageId %q Date %q ReceivedCount %s", lb.File, r["MessageId"], r["Date"], r["ReceivedCount"])
		}
	}
	// Every manual forward ("Fw:"/"Fwd:") quotes the original's header
	// block (in English or Portuguese Outlook labels): its date is found.
	fw := 0
	for _, r := range rows {
		if s := strings.ToLower(r["Subject"]); strings.HasPrefix(s, "fw:") || strings.HasPrefix(s, "fwd:") {
			fw++
			if r["QuotedDates"] == "[]" {
				t.Errorf("%s: forwarded message without QuotedDates", r["SourceFile"])
			}
		}
	}
	if fw != 19 {
		t.Errorf("%d forwarded subjects, want 19", fw)
	}
	if forwarded != 20 || autoFwd != 0 {
		t.Errorf("X-Forwarded-To on %d messages (want 20), AutoForwarded on %d (want 0)", forwarded, autoFwd)
	}
}

// TestExtractorSuiteRules loads the Microsoft-Extractor-Suite rule exports:
// 1 mailbox rule and 4 transport rules (LABELS.md).
func TestExtractorSuiteRules(t *testing.T) {
	dir := sharedDir(t, "invictus-extractor-suite/lab-mailbox-and-transport-rules-2023")
	l := loadPath(t, dir)
	expectProblems(t, l.problems)
	ir, tr := l.tables[InboxRules], l.tables[TransportRules]
	if len(ir) != 1 || len(tr) != 4 || len(l.tables) != 2 {
		t.Fatalf("InboxRules %d rows, TransportRules %d rows, tables %v; want 1 and 4", len(ir), len(tr), keys(l.tables))
	}
	expect(t, "mailbox rule", ir[0], map[string]string{
		"Mailbox": "FortunaHodan", "Name": "..", "Enabled": "true", "ForwardTo": `["hacker@gmail.com"]`,
		"RedirectTo": "[]", "MoveToFolder": "", "DeleteMessage": "false", "HasCondition": "false",
		"Description": "Take the following actions:\n\tforward the message to 'hacker@gmail.com'",
	})
	expect(t, "temp", find(t, tr, "Name", "temp"), map[string]string{
		"State": "Disabled", "Enabled": "false", "CreatedBy": "FNU LNU", "WhenChanged": "2023-08-09T16:33:42Z",
		"RedirectMessageTo": `["hacker@gmail.com"]`, "HasCondition": "false",
	})
	expect(t, "etas", find(t, tr, "Name", "etas"), map[string]string{
		"State": "Enabled", "Enabled": "true", "WhenChanged": "2023-08-09T16:35:33Z", "RedirectMessageTo": "[]", "HasCondition": "true",
	})
	external := 0
	for _, r := range append(append([]map[string]string{}, ir...), tr...) {
		if strings.Contains(r["ForwardTo"]+r["RedirectMessageTo"], "@gmail.com") {
			external++
		}
	}
	if external != 2 {
		t.Errorf("%d rules forward or redirect to gmail.com, want 2 (LABELS.md)", external)
	}
}

// TestPhishingPotTruncated cuts each real message at ten places: every cut
// loads or is reported, never panics.
func TestPhishingPotTruncated(t *testing.T) {
	dir := sharedDir(t, "phishing-pot/outlook-received-phishing-eml")
	files, _ := filepath.Glob(filepath.Join(dir, "eml", "*.eml"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 10; i++ {
			cut := len(raw) * i / 10
			row, probs := parseMessage(raw[:cut], f, 0)
			for _, p := range probs {
				if strings.Contains(p.Reason, "internal error") {
					t.Fatalf("%s[:%d]: %s", f, cut, p.Reason)
				}
			}
			if row == nil && len(probs) == 0 {
				t.Fatalf("%s[:%d]: no row and no problem", f, cut)
			}
		}
	}
}
