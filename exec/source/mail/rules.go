package mail

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

var inboxRuleColumns = []column{
	{"Mailbox", types.String},
	{"Name", types.String},
	{"Enabled", types.Bool},
	{"Priority", types.Long},
	{"Description", types.String},
	{"From", types.Dynamic},
	{"SentTo", types.Dynamic},
	{"SubjectContainsWords", types.Dynamic},
	{"BodyContainsWords", types.Dynamic},
	{"SubjectOrBodyContainsWords", types.Dynamic},
	{"FromAddressContainsWords", types.Dynamic},
	{"MoveToFolder", types.String},
	{"CopyToFolder", types.String},
	{"DeleteMessage", types.Bool},
	{"SoftDeleteMessage", types.Bool},
	{"MarkAsRead", types.Bool},
	{"StopProcessingRules", types.Bool},
	{"ForwardTo", types.Dynamic},
	{"ForwardAsAttachmentTo", types.Dynamic},
	{"RedirectTo", types.Dynamic},
	{"HasCondition", types.Bool},
	{"Raw", types.Dynamic},
}

var transportRuleColumns = []column{
	{"Name", types.String},
	{"State", types.String},
	{"Enabled", types.Bool},
	{"Mode", types.String},
	{"Priority", types.Long},
	{"CreatedBy", types.String},
	{"WhenChanged", types.DateTime},
	{"Description", types.String},
	{"RedirectMessageTo", types.Dynamic},
	{"BlindCopyTo", types.Dynamic},
	{"AddToRecipients", types.Dynamic},
	{"CopyTo", types.Dynamic},
	{"DeleteMessage", types.Bool},
	{"RemoveHeader", types.String},
	{"SetHeaderName", types.String},
	{"SetHeaderValue", types.String},
	{"HasCondition", types.Bool},
	{"Raw", types.Dynamic},
}

// inboxRulesFormat reads Get-InboxRule state exports.
type inboxRulesFormat struct{}

func (inboxRulesFormat) Name() string { return "inbox-rules" }

func (inboxRulesFormat) Detect(path string, head []byte) bool {
	return isInboxRules(fileKeys(head))
}

func isInboxRules(keys []string) bool {
	if hasKeys(keys, "UserName", "RuleName", "TextDescription") {
		return true // Microsoft-Extractor-Suite MailboxRules.csv
	}
	if !hasKeys(keys, "Name") {
		return false
	}
	if hasKeys(keys, "MailboxOwnerId") {
		return true
	}
	return hasKeys(keys, "RuleIdentity") && countKeys(keys, "ForwardTo", "RedirectTo", "MoveToFolder", "DeleteMessage", "MarkAsRead", "StopProcessingRules", "ForwardAsAttachmentTo") >= 2
}

func (inboxRulesFormat) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	// Notes are sent by the first (checking) pass only; scans run later,
	// possibly concurrently, and must not touch noted.
	noted := map[string]bool{}
	checking := true
	defer func() { checking = false }()
	return readParts(f, opts, InboxRules, func(fn eachRowFn) error {
		return eachRecord(f, func(line int, rec *types.Bag, bad *problem) error {
			if bad != nil {
				return fn(nil, []problem{*bad})
			}
			row, probs, typeNames := inboxRule(rec, line)
			for _, c := range typeNames {
				if checking && !noted[c] {
					noted[c] = true
					opts.Notef("%s: column %s holds a .NET type name, not values (export with -join or ConvertTo-Json); read from the rule description instead", f.Path, c)
				}
			}
			return fn(row, probs)
		})
	})
}

// transportRulesFormat reads Get-TransportRule state exports.
type transportRulesFormat struct{}

func (transportRulesFormat) Name() string { return "transport-rules" }

func (transportRulesFormat) Detect(path string, head []byte) bool {
	return isTransportRules(fileKeys(head))
}

func isTransportRules(keys []string) bool {
	if !hasKeys(keys, "Name") || hasKeys(keys, "MailboxOwnerId") {
		return false
	}
	if hasKeys(keys, "Description", "CreatedBy", "WhenChanged", "State") {
		return true // Microsoft-Extractor-Suite TransportRules.csv
	}
	return countKeys(keys, "State", "Mode", "RedirectMessageTo", "BlindCopyTo", "SetSCL", "RuleVersion", "SetHeaderName",
		"RemoveHeader", "SentToScope", "FromScope", "RouteMessageOutboundConnector", "ApplyHtmlDisclaimerText", "CreatedBy") >= 3
}

func (transportRulesFormat) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	return readParts(f, opts, TransportRules, func(fn eachRowFn) error {
		return eachRecord(f, func(line int, rec *types.Bag, bad *problem) error {
			if bad != nil {
				return fn(nil, []problem{*bad})
			}
			row, probs := transportRule(rec, line)
			return fn(row, probs)
		})
	})
}

// Values of rule properties.

// typeName matches the text PowerShell writes for a collection it cannot
// flatten ("System.Collections.ArrayList", "Microsoft.Exchange.Data...[]").
var typeName = regexp.MustCompile(`^(System|Microsoft)\.[A-Za-z0-9_.` + "`" + `\[\], ]+$`)

// smtpToken finds `[SMTP:addr]` / `[EX:/o=...]` and bare addresses.
var smtpToken = regexp.MustCompile(`(?i)\[(SMTP|EX|X500):([^\]]+)\]`)

// propValues splits a property value into strings: JSON arrays by
// element; text as a JSON array when it is one, else by ';' or line.
func propValues(v any) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	switch x := v.(type) {
	case nil:
	case []any:
		for _, e := range x {
			if b, ok := e.(*types.Bag); ok {
				// Deserialized recipient objects: prefer an address.
				for _, k := range []string{"PrimarySmtpAddress", "Address", "SmtpAddress", "Name", "DisplayName"} {
					if s, ok := b.Get(k); ok && text(s) != "" {
						add(text(s))
						break
					}
				}
				continue
			}
			add(text(e))
		}
	case string:
		s := strings.TrimSpace(x)
		if strings.HasPrefix(s, "[") {
			if pv, err := types.ParseDynamic(s); err == nil {
				if arr, ok := pv.([]any); ok {
					return propValues(arr)
				}
			}
		}
		if strings.Contains(s, "\n") {
			for _, l := range strings.Split(s, "\n") {
				add(strings.TrimSuffix(l, "\r"))
			}
			return out
		}
		if strings.Contains(s, ";") && !strings.Contains(s, "[SMTP:") {
			for _, p := range strings.Split(s, ";") {
				add(p)
			}
			return out
		}
		add(s)
	default:
		add(text(x))
	}
	return out
}

// recipients normalises recipient values: `"x" [SMTP:a@b.com]` →
// "a@b.com", EX: legacy DNs kept as written, bare addresses lower-case,
// anything else as written.
func recipients(vals []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, v := range vals {
		if ms := smtpToken.FindAllStringSubmatch(v, -1); len(ms) > 0 {
			for _, m := range ms {
				if strings.EqualFold(m[1], "SMTP") {
					add(strings.ToLower(strings.TrimSpace(m[2])))
				} else {
					add(strings.TrimSpace(m[2]))
				}
			}
			continue
		}
		if as := addrToken.FindAllString(v, -1); len(as) > 0 {
			for _, a := range as {
				add(strings.ToLower(a))
			}
			continue
		}
		add(strings.Trim(strings.TrimSpace(v), `"'`))
	}
	return out
}

func parseBoolText(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "enabled":
		return true, true
	case "false", "0", "no", "disabled":
		return false, true
	}
	return false, false
}

// Description text (the rule's own summary, as Exchange writes it).

var quotedValue = regexp.MustCompile(`'((?:[^']|'')*)'`)

// quotedValues returns the '...' values of a description line.
func quotedValues(l string) []string {
	var out []string
	for _, m := range quotedValue.FindAllStringSubmatch(l, -1) {
		out = append(out, strings.ReplaceAll(m[1], "''", "'"))
	}
	return out
}

// descLines returns the description's lines, trimmed, without a leading
// "and ".
func descLines(d string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(d, "\r\n", "\n"), "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimSpace(strings.TrimPrefix(l, "and "))
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// descFacts is what a rule description states.
type descFacts struct {
	values    map[string][]string // property → values
	flags     map[string]bool     // property → true
	condition bool
}

// inboxDescPatterns maps description line prefixes (lower-case) to
// InboxRules properties, most specific first.
var inboxDescPatterns = []struct{ prefix, prop string }{
	{"forward the message as an attachment to", "ForwardAsAttachmentTo"},
	{"forward the message to", "ForwardTo"},
	{"redirect the message to", "RedirectTo"},
	{"move the message to folder", "MoveToFolder"},
	{"move the message to the folder", "MoveToFolder"},
	{"copy the message to folder", "CopyToFolder"},
	{"copy the message to the folder", "CopyToFolder"},
	{"permanently delete the message", "DeleteMessage"},
	{"delete the message", "DeleteMessage"},
	{"mark the message as read", "MarkAsRead"},
	{"stop processing more rules", "StopProcessingRules"},
	{"includes these words in the subject or body", "SubjectOrBodyContainsWords"},
	{"includes these words in the subject", "SubjectContainsWords"},
	{"includes these words in the body", "BodyContainsWords"},
	{"includes these words in the sender's address", "FromAddressContainsWords"},
	{"includes these words in the sender address", "FromAddressContainsWords"},
	{"is received from", "From"},
	{"was received from", "From"},
	{"from", "From"},
	{"is sent to", "SentTo"},
	{"was sent to", "SentTo"},
	{"sent to", "SentTo"},
}

var transportDescPatterns = []struct{ prefix, prop string }{
	{"redirect the message to", "RedirectMessageTo"},
	{"blind carbon copy (bcc) the message to", "BlindCopyTo"},
	{"blind carbon copy the message to", "BlindCopyTo"},
	{"carbon copy (cc) the message to", "CopyTo"},
	{"add the recipients to the to box", "AddToRecipients"},
	{"add recipient", "AddToRecipients"},
	{"delete the message without notifying anyone", "DeleteMessage"},
	{"delete the message", "DeleteMessage"},
	{"remove the message header", "RemoveHeader"},
	{"set the message header", "SetHeader"},
}

func parseDescription(d string, patterns []struct{ prefix, prop string }) descFacts {
	fs := descFacts{values: map[string][]string{}, flags: map[string]bool{}}
	inCond := false
	for _, l := range descLines(d) {
		switch {
		case hasPrefixFold(l, "if the message"):
			inCond = true
			fs.condition = true
			continue
		case hasPrefixFold(l, "take the following action"), hasPrefixFold(l, "except if"):
			inCond = false
			continue
		}
		if hasPrefixFold(l, "the message ") {
			l = l[len("the message "):]
		}
		for _, p := range patterns {
			if !hasPrefixFold(l, p.prefix) {
				continue
			}
			// Conditions only inside "If the message:".
			isCond := strings.HasPrefix(p.prefix, "include") || strings.Contains(p.prefix, "from") || strings.Contains(p.prefix, "sent to")
			if isCond && !inCond {
				continue
			}
			rest := l[len(p.prefix):]
			vals := quotedValues(rest)
			if len(vals) == 0 {
				// "Send ... to x@y" forms without quotes.
				vals = addrToken.FindAllString(rest, -1)
			}
			fs.values[p.prop] = append(fs.values[p.prop], vals...)
			fs.flags[p.prop] = true
			break
		}
	}
	return fs
}

// inboxConditionProps are Get-InboxRule condition properties.
var inboxConditionProps = []string{
	"From", "SentTo", "SubjectContainsWords", "BodyContainsWords", "SubjectOrBodyContainsWords", "FromAddressContainsWords",
	"HeaderContainsWords", "RecipientAddressContainsWords", "MyNameInToBox", "MyNameInCcBox", "MyNameInToOrCcBox",
	"MyNameNotInToBox", "SentOnlyToMe", "HasAttachment", "MessageTypeMatches", "WithImportance", "WithSensitivity",
	"FlaggedForAction", "FromSubscription", "HasClassification", "WithinSizeRangeMinimum", "WithinSizeRangeMaximum",
	"ReceivedAfterDate", "ReceivedBeforeDate",
}

// inboxRule maps one Get-InboxRule record.
func inboxRule(rec *types.Bag, line int) (*types.Bag, []problem, []string) {
	var probs []problem
	var typeNames []string
	row := types.NewBag(len(inboxRuleColumns))

	mailbox := lookupText(rec, "UserName", "MailboxOwnerId", "Mailbox")
	if mailbox == "" {
		if id := lookupText(rec, "Identity"); id != "" {
			if i := strings.LastIndexByte(id, '\\'); i > 0 {
				mailbox = id[:i]
			}
		}
	}
	row.Set("Mailbox", mailbox)
	row.Set("Name", lookupText(rec, "RuleName", "Name"))
	setBool := func(col string, keys ...string) bool {
		v, ok := lookup(rec, keys...)
		if !ok {
			return false
		}
		switch x := v.(type) {
		case bool:
			row.Set(col, x)
		case nil:
		default:
			s := text(x)
			if strings.TrimSpace(s) == "" {
				return true
			}
			if b, ok := parseBoolText(s); ok {
				row.Set(col, b)
			} else {
				probs = append(probs, problem{Line: line, Field: keys[0], Reason: fmt.Sprintf("not a bool: %q", s)})
			}
		}
		return true
	}
	setBool("Enabled", "RuleEnabled", "Enabled")
	if v, ok := lookup(rec, "Priority"); ok && text(v) != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(text(v)), 10, 64); err == nil {
			row.Set("Priority", n)
		} else {
			probs = append(probs, problem{Line: line, Field: "Priority", Reason: fmt.Sprintf("not a number: %q", text(v))})
		}
	}
	desc := lookupText(rec, "TextDescription", "Description")
	row.Set("Description", desc)
	facts := parseDescription(desc, inboxDescPatterns)

	// present: the export has the property and its value is readable.
	present := func(keys ...string) (any, bool) {
		v, ok := lookup(rec, keys...)
		if !ok {
			return nil, false
		}
		if s, isStr := v.(string); isStr && typeName.MatchString(strings.TrimSpace(s)) {
			typeNames = append(typeNames, keys[0])
			return nil, false
		}
		return v, true
	}
	list := func(col string, addrsOnly bool, keys ...string) {
		var vals []string
		if v, ok := present(keys...); ok {
			vals = propValues(v)
		} else {
			vals = facts.values[col]
		}
		if addrsOnly {
			vals = recipients(vals)
		}
		if vals == nil {
			vals = []string{}
		}
		row.Set(col, strs(vals))
	}
	list("From", true, "From")
	list("SentTo", true, "SentTo")
	list("SubjectContainsWords", false, "SubjectContainsWords")
	list("BodyContainsWords", false, "BodyContainsWords")
	list("SubjectOrBodyContainsWords", false, "SubjectOrBodyContainsWords")
	list("FromAddressContainsWords", false, "FromAddressContainsWords")
	folder := func(col string, keys ...string) {
		if v, ok := present(keys...); ok {
			row.Set(col, strings.TrimSpace(text(v)))
			return
		}
		if vs := facts.values[col]; len(vs) > 0 {
			row.Set(col, vs[0])
			return
		}
		row.Set(col, "")
	}
	folder("MoveToFolder", "MoveToFolder", "MovetoFolder")
	folder("CopyToFolder", "CopyToFolder", "CopytoFolder")
	flag := func(col string, keys ...string) {
		if _, ok := present(keys...); ok {
			setBool(col, keys...)
			return
		}
		row.Set(col, facts.flags[col])
	}
	flag("DeleteMessage", "DeleteMessage")
	flag("SoftDeleteMessage", "SoftDeleteMessage")
	flag("MarkAsRead", "MarkAsRead")
	flag("StopProcessingRules", "StopProcessingRules")
	list("ForwardTo", true, "ForwardTo")
	list("ForwardAsAttachmentTo", true, "ForwardAsAttachmentTo")
	list("RedirectTo", true, "RedirectTo")

	cond := facts.condition
	for _, p := range inboxConditionProps {
		if v, ok := present(p); ok && isSet(v) {
			cond = true
			break
		}
	}
	row.Set("HasCondition", cond)
	row.Set("Raw", rec)
	return row, probs, typeNames
}

// isSet reports whether a property value states something: a non-empty
// string other than False/0, true, a non-empty array, a non-zero number.
func isSet(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		s := strings.TrimSpace(x)
		if s == "" || s == "[]" {
			return false
		}
		if b, ok := parseBoolText(s); ok {
			return b
		}
		return true
	case []any:
		return len(x) > 0
	case int64:
		return x != 0
	case float64:
		return x != 0
	case *types.Bag:
		return x.Len() > 0
	}
	return true
}

// transportConditionProps are Get-TransportRule condition properties
// (the Except* exceptions are not conditions).
var transportConditionProps = []string{
	"From", "FromMemberOf", "FromScope", "SentTo", "SentToMemberOf", "SentToScope", "BetweenMemberOf1",
	"ManagerAddresses", "AnyOfToHeader", "AnyOfCcHeader", "AnyOfToCcHeader", "SubjectContainsWords",
	"SubjectOrBodyContainsWords", "HeaderContainsMessageHeader", "HeaderContainsWords", "FromAddressContainsWords",
	"SenderDomainIs", "RecipientDomainIs", "SubjectMatchesPatterns", "SubjectOrBodyMatchesPatterns",
	"HeaderMatchesMessageHeader", "HeaderMatchesPatterns", "FromAddressMatchesPatterns", "AttachmentNameMatchesPatterns",
	"AttachmentExtensionMatchesWords", "AttachmentContainsWords", "AttachmentMatchesPatterns", "HasClassification",
	"HasNoClassification", "SenderIpRanges", "SCLOver", "AttachmentSizeOver", "MessageSizeOver", "WithImportance",
	"MessageTypeMatches", "RecipientAddressContainsWords", "RecipientAddressMatchesPatterns", "AnyOfRecipientAddressContainsWords",
	"AnyOfRecipientAddressMatchesPatterns", "MessageContainsDataClassifications", "HasSenderOverride", "AttachmentIsUnsupported",
	"AttachmentHasExecutableContent", "AttachmentIsPasswordProtected", "ContentCharacterSetContainsWords",
}

// transportRule maps one Get-TransportRule record.
func transportRule(rec *types.Bag, line int) (*types.Bag, []problem) {
	var probs []problem
	row := types.NewBag(len(transportRuleColumns))
	row.Set("Name", lookupText(rec, "Name"))
	state := ""
	if v, ok := lookup(rec, "State"); ok {
		switch x := v.(type) {
		case int64: // RuleState enum as ConvertTo-Json writes it
			state = map[int64]string{0: "Enabled", 1: "Disabled"}[x]
			if state == "" {
				state = strconv.FormatInt(x, 10)
			}
		default:
			state = strings.TrimSpace(text(x))
		}
	}
	row.Set("State", state)
	switch {
	case strings.EqualFold(state, "Enabled"):
		row.Set("Enabled", true)
	case strings.EqualFold(state, "Disabled"):
		row.Set("Enabled", false)
	default:
		if v, ok := lookup(rec, "Enabled"); ok {
			if b, ok := v.(bool); ok {
				row.Set("Enabled", b)
			} else if b, ok := parseBoolText(text(v)); ok {
				row.Set("Enabled", b)
			}
		}
	}
	if v, ok := lookup(rec, "Mode"); ok {
		mode := text(v)
		if n, isInt := v.(int64); isInt { // RuleMode enum
			mode = map[int64]string{0: "Audit", 1: "AuditAndNotify", 2: "Enforce"}[n]
		}
		row.Set("Mode", mode)
	} else {
		row.Set("Mode", "")
	}
	if v, ok := lookup(rec, "Priority"); ok && text(v) != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(text(v)), 10, 64); err == nil {
			row.Set("Priority", n)
		} else {
			probs = append(probs, problem{Line: line, Field: "Priority", Reason: fmt.Sprintf("not a number: %q", text(v))})
		}
	}
	row.Set("CreatedBy", lookupText(rec, "CreatedBy"))
	if s := lookupText(rec, "WhenChanged", "WhenChangedUTC"); s != "" {
		if ns, ok := parseExportTime(s); ok {
			row.Set("WhenChanged", types.FormatDateTime(ns))
		} else {
			probs = append(probs, problem{Line: line, Field: "WhenChanged", Reason: fmt.Sprintf("not a date: %q", s)})
		}
	}
	desc := lookupText(rec, "Description")
	row.Set("Description", desc)
	facts := parseDescription(desc, transportDescPatterns)

	list := func(col string) {
		var vals []string
		if v, ok := lookup(rec, col); ok && !(isTypeName(v)) {
			vals = recipients(propValues(v))
		} else {
			vals = recipients(facts.values[col])
		}
		if vals == nil {
			vals = []string{}
		}
		row.Set(col, strs(vals))
	}
	list("RedirectMessageTo")
	list("BlindCopyTo")
	list("AddToRecipients")
	list("CopyTo")
	if v, ok := lookup(rec, "DeleteMessage"); ok && !isTypeName(v) {
		row.Set("DeleteMessage", isSet(v))
	} else {
		row.Set("DeleteMessage", facts.flags["DeleteMessage"])
	}
	str := func(col string, fromDesc func() string) {
		if v, ok := lookup(rec, col); ok && !isTypeName(v) {
			row.Set(col, strings.TrimSpace(text(v)))
		} else {
			row.Set(col, fromDesc())
		}
	}
	first := func(prop string, i int) func() string {
		return func() string {
			if vs := facts.values[prop]; len(vs) > i {
				return vs[i]
			}
			return ""
		}
	}
	str("RemoveHeader", first("RemoveHeader", 0))
	str("SetHeaderName", first("SetHeader", 0))
	str("SetHeaderValue", first("SetHeader", 1))
	cond := facts.condition
	for _, p := range transportConditionProps {
		if v, ok := lookup(rec, p); ok && !isTypeName(v) && isSet(v) {
			cond = true
			break
		}
	}
	row.Set("HasCondition", cond)
	row.Set("Raw", rec)
	return row, probs
}

func isTypeName(v any) bool {
	s, ok := v.(string)
	return ok && typeName.MatchString(strings.TrimSpace(s))
}

var msDate = regexp.MustCompile(`^/Date\((-?\d+)(?:[+-]\d{4})?\)/$`)

// parseExportTime reads PowerShell export times: ISO 8601, US locale
// ("8/9/2023 4:35:33 PM") and ConvertTo-Json's "/Date(ms)/".
func parseExportTime(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if m := msDate.FindStringSubmatch(s); m != nil {
		ms, err := strconv.ParseInt(m[1], 10, 64)
		return ms * 1_000_000, err == nil
	}
	ns, err := types.ParseDateTime(s)
	return ns, err == nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
