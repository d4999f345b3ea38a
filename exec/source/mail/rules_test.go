package mail

import (
	"testing"
)

func TestInboxRulesExportCsv(t *testing.T) {
	l := loadPath(t, "testdata/InboxRules-export.csv")
	rows := l.tables[InboxRules]
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3 (the short row is reported)", len(rows))
	}
	expect(t, "Invoice cleanup", find(t, rows, "Name", "Invoice cleanup"), map[string]string{
		"Mailbox": "Alice Jones", "Enabled": "true", "Priority": "1",
		"SubjectContainsWords": `["invoice","payment"]`, "MoveToFolder": `Alice Jones:\RSS Feeds`,
		"MarkAsRead": "true", "StopProcessingRules": "true", "DeleteMessage": "false", "HasCondition": "true",
		"ForwardTo": "[]",
	})
	// ForwardTo holds a .NET type name: read from the description, with a note.
	expect(t, "fwd", find(t, rows, "Name", "fwd"), map[string]string{
		"ForwardTo":    `["mallory@evil.example"]`,
		"RedirectTo":   `["mallory@evil.example","/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=bob"]`,
		"HasCondition": "false",
	})
	if len(l.notes) == 0 || !contains(l.notes, "column ForwardTo holds a .NET type name") {
		t.Errorf("notes %q: want the .NET type name note", l.notes)
	}
	expect(t, "delete-all", find(t, rows, "Name", "delete-all"), map[string]string{
		"Mailbox": "Bob", "Enabled": "<null>", "Priority": "<null>", "DeleteMessage": "true",
	})
	expectProblems(t, l.problems,
		"InboxRules-export.csv:14: : row skipped: 3 cells, the header has 19",
		`InboxRules-export.csv:15: RuleEnabled: not a bool: "yes-ish"`,
		`InboxRules-export.csv:15: Priority: not a number: "x"`,
	)
}

func TestInboxRulesJSON(t *testing.T) {
	l := loadPath(t, "testdata/inbox-rules.json")
	rows := l.tables[InboxRules]
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	expectProblems(t, l.problems)
	expect(t, ".", find(t, rows, "Name", "."), map[string]string{
		"Mailbox": "Carol", "From": `["payroll@fabrikam.com"]`, "BodyContainsWords": `["direct deposit","bank"]`,
		"ForwardAsAttachmentTo": `["drop@evil.example"]`, "HasCondition": "true", "MarkAsRead": "true",
	})
	expect(t, "News", find(t, rows, "Name", "News"), map[string]string{"Enabled": "false", "HasCondition": "false", "MoveToFolder": `Carol:\News`})
}

func TestDescriptionFill(t *testing.T) {
	f := parseDescription("If the message:\n\tincludes these words in the subject or body: 'wire' or 'iban'\n\tand is received from 'ceo@contoso.com'\nTake the following actions:\n\tpermanently delete the message\n\t and forward the message to '\"x\" [SMTP:X@Evil.example]'\n\t and copy the message to folder 'Archive'\n", inboxDescPatterns)
	if !f.condition || !f.flags["DeleteMessage"] || f.values["CopyToFolder"][0] != "Archive" {
		t.Errorf("facts %+v", f)
	}
	if got := recipients(f.values["ForwardTo"]); len(got) != 1 || got[0] != "x@evil.example" {
		t.Errorf("ForwardTo %q", got)
	}
	if got := f.values["SubjectOrBodyContainsWords"]; len(got) != 2 || got[1] != "iban" {
		t.Errorf("SubjectOrBodyContainsWords %q", got)
	}
	if got := f.values["From"]; len(got) != 1 || got[0] != "ceo@contoso.com" {
		t.Errorf("From %q", got)
	}
}

func TestTransportRules(t *testing.T) {
	l := loadPath(t, "testdata/transport-rules.csv")
	rows := l.tables[TransportRules]
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	expect(t, "strip", find(t, rows, "Name", "Strip spam header"), map[string]string{
		"State": "Enabled", "Enabled": "true", "Mode": "Enforce", "Priority": "0", "WhenChanged": "2024-03-01T10:00:00Z",
		"RemoveHeader": "X-MS-Exchange-Organization-SCL", "SetHeaderName": "X-Bypass", "SetHeaderValue": "true", "HasCondition": "true",
	})
	expect(t, "bcc", find(t, rows, "Name", "bcc all"), map[string]string{
		"Enabled": "false", "WhenChanged": "2024-03-02T13:05:00Z", "BlindCopyTo": `["archive@evil.example"]`, "HasCondition": "false",
	})
	expectProblems(t, l.problems,
		`transport-rules.csv:11: WhenChanged: not a date: "not a date"`,
		"transport-rules.csv:12: : row skipped: 2 cells, the header has 18",
	)

	j := loadPath(t, "testdata/transport-rules.json")
	rows = j.tables[TransportRules]
	expectProblems(t, j.problems)
	expect(t, "delete", find(t, rows, "Name", "delete ceo mail"), map[string]string{
		"State": "Enabled", "Mode": "Enforce", "WhenChanged": "2024-03-01T12:00:00Z", "DeleteMessage": "true", "HasCondition": "true",
	})
	expect(t, "redirect", find(t, rows, "Name", "redirect"), map[string]string{"RedirectMessageTo": `["hacker@gmail.com"]`})
}

func TestActivitiesRetrieverCSV(t *testing.T) {
	l := loadPath(t, "testdata/activities.csv")
	rows := l.tables[OutlookActivities]
	if len(rows) != 5 {
		t.Fatalf("%d rows, want 5 (the short row is reported)", len(rows))
	}
	expect(t, "ServerLogon", find(t, rows, "ActivityIdType", "ServerLogon"), map[string]string{
		"TimeStamp": "2024-03-05T09:00:01.1234567Z", "AppIdType": "Exchange", "ClientIP": "203.0.113.9",
		"ClientIPs": `["203.0.113.9","10.1.2.3"]`, "UserName": "alice@fabrikam.com", "Result": "Success",
		"UserAgent":        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) python-requests/2.31",
		"CustomProperties": `[{"Name":"ClientIP","Value":"203.0.113.9, 10.1.2.3"},{"Name":"UserName","Value":"alice@fabrikam.com"},{"Name":"Result","Value":"Success"},{"Name":"ExceptionInfo","Value":""},{"Name":"UserAgent","Value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) python-requests/2.31"}]`,
	})
	expect(t, "MessageDelivered", find(t, rows, "ActivityIdType", "MessageDelivered"), map[string]string{
		"SenderSmtpAddress": "bjorn.svensson@contoso.com", "From": "Björn Svensson", "Subject": "RE: Fråga om 'faktura'",
		"SentTime": "2024-03-05T09:00:58Z", "InternetMessageId": "<CAB1234@mail.contoso.com>", "ItemClass": "IPM.Note",
		"AttachmentDetail": "faktura.pdf, pay now.hta", "ActivityItemId": "AAMkAGI2TG93AAA=",
	})
	expect(t, "SearchResult", find(t, rows, "ActivityIdType", "SearchResult"), map[string]string{"SearchQuery": "wire transfer & invoice"})
	expect(t, "Move", find(t, rows, "ActivityIdType", "Move"), map[string]string{"TargetFolder": "Deleted Items"})
	expectProblems(t, l.problems,
		`activities.csv:6: TimeStamp: not a date: "2024-03-05T25:99:00Z"`,
		"activities.csv:6: CustomProperties: neither JSON nor a Python literal: Python literal, offset 20: expected ',' or '}'",
		"activities.csv:7: : row skipped: 4 cells, the header has 7",
	)
}

func TestActivitiesJSON(t *testing.T) {
	l := loadPath(t, "testdata/activities-api.json")
	rows := l.tables[OutlookActivities]
	if len(rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rows))
	}
	expectProblems(t, l.problems)
	expect(t, "ServerLogon", find(t, rows, "ActivityIdType", "ServerLogon"), map[string]string{
		"Mailbox": "alice@fabrikam.com", "SequenceNumber": "1000", "ClientVersion": "15.20.7362.21", "ClientIP": "203.0.113.9",
		"Props": `{"ClientIP":"203.0.113.9, 10.1.2.3","UserName":"alice@fabrikam.com","Result":"Success","ExceptionInfo":"","UserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) python-requests/2.31"}`,
	})
	j := loadPath(t, "testdata/activities.jsonl")
	if n := len(j.tables[OutlookActivities]); n != 3 {
		t.Fatalf("jsonl: %d rows, want 3", n)
	}
	expectProblems(t, j.problems,
		"activities.jsonl:3: CustomProperties: neither JSON nor a Python literal: Python literal, offset 0: unexpected character",
		`activities.jsonl:4: : record skipped: not valid JSON: invalid dynamic "{\"ActivityIdType\": \"Reply\", broken": expected a quoted key at offset 28`,
	)
}

func TestPyLiteral(t *testing.T) {
	for in, want := range map[string]string{
		`{'a': 'it\'s', "b": "x'y", 'c': None, 'd': True, 'e': [1, 2.5, (3,)], 'f': '\xe9\u2713\n'}`: `{"a":"it's","b":"x'y","c":null,"d":true,"e":[1,2.5,[3]],"f":"é✓\n"}`,
		`{}`: `{}`,
	} {
		v, err := parsePyLiteral(in)
		if err != nil {
			t.Errorf("parsePyLiteral(%s): %v", in, err)
			continue
		}
		if got := text(v); got != want {
			t.Errorf("parsePyLiteral(%s) = %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{`{'a': 'x'`, `{'a' 'x'}`, `{'a': 'x'} junk`, `'unterminated`} {
		if _, err := parsePyLiteral(bad); err == nil {
			t.Errorf("parsePyLiteral(%s): no error", bad)
		}
	}
}

func contains(ss []string, sub string) bool {
	for _, s := range ss {
		if len(sub) <= len(s) && indexOf(s, sub) >= 0 {
			return true
		}
	}
	return false
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
