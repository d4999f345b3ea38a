package detectors

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

// InboxRuleRisk scores inbox, mailbox and transport rule events by the
// criteria of PLAYBOOK.md §1: forwarding out (worse to a look-alike domain),
// hiding mail in inconspicuous folders and marking it read, deleting
// everything, keyword filters aimed at security words, rules without any
// condition, and throw-away rule names.
type InboxRuleRisk struct{}

// Describe declares `evaluate inboxrule_risk([params, internal_domains])`.
func (InboxRuleRisk) Describe() sdk.Description {
	return sdk.Description{
		Name:        "inboxrule_risk",
		Version:     "1.0.0",
		Description: "scores inbox/transport-rule events (CloudAppEvents, OfficeActivity or InboxRules) and says why",
		Params: []sdk.Param{
			{Name: "params", Type: "column", Optional: true, Description: "column holding the rule parameters (Name/Value array) or a record with Parameters; default: RawEventData, then Parameters, else the row's own columns (Get-InboxRule exports)"},
			{Name: "internal_domains", Type: "string", Optional: true, Default: "", Description: "';'-separated mail domains of the organisation; the domain of the acting user is always internal"},
		},
		Columns:   []sdk.Column{{Name: "RiskScore", Type: "long"}, {Name: "RiskReasons", Type: "dynamic"}},
		KeepInput: true,
	}
}

var (
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// Words attackers filter so the victim does not see replies, warnings
	// and bounce messages, in English and the common translations.
	securityWords = []string{
		"invoice", "payment", "wire", "transfer", "bank", "phish", "hack", "spam", "suspicious", "fraud", "scam",
		"compromise", "password", "security", "malware", "virus", "do not reply", "helpdesk", "it support", "verify", "urgent",
		"factura", "pago", "transferencia", "rechnung", "zahlung", "überweisung", "facture", "paiement", "virement",
		"fattura", "pagamento", "bonifico", "fatura", "fraude", "betrug", "piratage", "pirateado", "gehackt", "hackeado",
	}
	hiddenFolders = []string{"rss feeds", "rss subscriptions", "rss", "conversation history", "archive", "archives"}
	forwardParams = []string{"ForwardTo", "ForwardAsAttachmentTo", "RedirectTo", "ForwardingSmtpAddress", "ForwardingAddress", "BlindCopyTo", "RedirectMessageTo", "AddToRecipients", "CopyTo"}
	keywordParams = []string{"BodyContainsWords", "SubjectContainsWords", "SubjectOrBodyContainsWords", "FromAddressContainsWords", "HeaderContainsWords", "SubjectOrBodyMatchesPatterns"}
	// Parameters that restrict which messages a rule acts on.
	conditionParams = []string{"From", "FromAddressContainsWords", "SentTo", "SubjectContainsWords", "BodyContainsWords", "SubjectOrBodyContainsWords",
		"HasAttachment", "MyNameInToBox", "MyNameInCcBox", "MyNameInToOrCcBox", "SentOnlyToMe", "FlaggedForAction", "WithImportance", "WithSensitivity",
		"HeaderContainsWords", "RecipientAddressContainsWords", "FromSubscription", "MessageTypeMatches", "WithinSizeRangeMinimum", "WithinSizeRangeMaximum",
		"ReceivedAfterDate", "ReceivedBeforeDate", "HasClassification", "SenderDomainIs", "SentToScope", "FromScope", "SubjectOrBodyMatchesPatterns", "ExceptIfFrom"}
)

type ruleParams map[string]string

func (p ruleParams) get(name string) (string, bool) {
	for k, v := range p {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

func truthy(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	return v == "true" || v == "1" || v == "yes" || v == "$true"
}

// Evaluate scores each row.
func (d InboxRuleRisk) Evaluate(ctx context.Context, call *sdk.Call, in sdk.Input, out sdk.Output) error {
	var internal []string
	if s, _ := call.String("internal_domains"); s != "" {
		for _, dom := range strings.Split(s, ";") {
			if dom = strings.ToLower(strings.TrimSpace(dom)); dom != "" {
				internal = append(internal, dom)
			}
		}
	}
	paramCol := -1
	if call.Has("params") {
		i, err := columnArg(call, "params")
		if err != nil {
			return err
		}
		paramCol = i
	} else {
		for _, n := range []string{"RawEventData", "Parameters", "AuditData"} {
			if idx := call.Input.FieldIndices(n); len(idx) > 0 {
				paramCol = idx[0]
				break
			}
		}
	}
	schema, err := call.OutputSchema(d.Describe())
	if err != nil {
		return err
	}
	for {
		rec, err := in.Next(ctx)
		if err != nil || rec == nil {
			return err
		}
		err = d.scoreBatch(rec, paramCol, internal, schema, call, out)
		rec.Release()
		if err != nil {
			return err
		}
	}
}

func (d InboxRuleRisk) scoreBatch(rec arrow.Record, paramCol int, internal []string, schema *arrow.Schema, call *sdk.Call, out sdk.Output) error {
	scores := array.NewInt64Builder(call.Mem)
	defer scores.Release()
	reasons := array.NewStringBuilder(call.Mem)
	defer reasons.Release()
	for i := 0; i < int(rec.NumRows()); i++ {
		params, actor := rowParams(rec, paramCol, i)
		score, why := Score(params, append(domainsOf(actor), internal...))
		scores.Append(int64(score))
		b, _ := json.Marshal(why)
		reasons.Append(string(b))
	}
	s, r := scores.NewArray(), reasons.NewArray()
	defer s.Release()
	defer r.Release()
	cols := append(append([]arrow.Array{}, rec.Columns()...), s, r)
	o := array.NewRecord(schema, cols, rec.NumRows())
	defer o.Release()
	return out.Emit(o)
}

// rowParams extracts a row's rule parameters and the acting user's address.
func rowParams(rec arrow.Record, paramCol, i int) (ruleParams, string) {
	p := ruleParams{}
	actor := ""
	for c, f := range rec.Schema().Fields() {
		if strings.EqualFold(f.Name, "UserId") || strings.EqualFold(f.Name, "AccountUpn") || strings.EqualFold(f.Name, "MailboxOwnerUPN") {
			actor = text(rec.Column(c), i)
		}
	}
	if paramCol < 0 {
		// A rule-state export: the row's columns are the rule's properties.
		for c, f := range rec.Schema().Fields() {
			if v := text(rec.Column(c), i); v != "" {
				p[f.Name] = v
			}
		}
		return p, actor
	}
	var v any
	if err := json.Unmarshal([]byte(text(rec.Column(paramCol), i)), &v); err != nil {
		return p, actor
	}
	if bag, ok := v.(map[string]any); ok {
		if u, ok := bag["UserId"].(string); ok && actor == "" {
			actor = u
		}
		for _, key := range []string{"Parameters", "OperationProperties"} {
			addPairs(p, bag[key])
		}
		return p, actor
	}
	addPairs(p, v)
	return p, actor
}

// addPairs adds a [{Name, Value}] array to p.
func addPairs(p ruleParams, v any) {
	arr, _ := v.([]any)
	for _, e := range arr {
		m, _ := e.(map[string]any)
		name, _ := m["Name"].(string)
		if name == "" {
			continue
		}
		switch val := m["Value"].(type) {
		case string:
			p[name] = val
		case nil:
			p[name] = ""
		default:
			b, _ := json.Marshal(val)
			p[name] = string(b)
		}
	}
}

func domainsOf(addr string) []string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return []string{strings.ToLower(addr[i+1:])}
	}
	return nil
}

// Score rates one rule's parameters (0–100) and lists the reasons.
// internal holds the organisation's mail domains.
func Score(p ruleParams, internal []string) (int, []string) {
	score := 0
	why := []string{}
	add := func(n int, format string, args ...any) {
		score += n
		why = append(why, fmt.Sprintf(format, args...))
	}
	for _, name := range forwardParams {
		v, ok := p.get(name)
		if !ok || v == "" {
			continue
		}
		for _, addr := range emailRe.FindAllString(v, -1) {
			dom := strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
			switch kind, of := classifyDomain(dom, internal); kind {
			case "lookalike":
				add(60, "forwards to %s, a look-alike of %s (%s)", addr, of, name)
			case "external":
				add(45, "forwards to external address %s (%s)", addr, name)
			default:
				add(5, "forwards to internal address %s (%s)", addr, name)
			}
		}
	}
	hasCondition := false
	for _, name := range conditionParams {
		if v, ok := p.get(name); ok && v != "" && !strings.EqualFold(v, "false") {
			hasCondition = true
		}
	}
	deletes := false
	for _, name := range []string{"DeleteMessage", "SoftDeleteMessage", "PermanentDelete"} {
		if v, ok := p.get(name); ok && truthy(v) {
			deletes = true
		}
	}
	if deletes {
		if hasCondition {
			add(20, "deletes the messages it matches")
		} else {
			add(45, "deletes every incoming message (no condition)")
		}
	}
	hidden := false
	if v, ok := p.get("MoveToFolder"); ok && v != "" {
		folder := strings.ToLower(strings.Trim(v, `\/:" `))
		if i := strings.LastIndexAny(folder, `\/:`); i >= 0 {
			folder = strings.TrimSpace(folder[i+1:])
		}
		for _, h := range hiddenFolders {
			if folder == h {
				hidden = true
				add(25, "moves messages to the inconspicuous folder %q", v)
				break
			}
		}
	}
	if v, ok := p.get("MarkAsRead"); ok && truthy(v) {
		if hidden {
			add(25, "marks them as read")
		} else {
			add(10, "marks messages as read")
		}
	}
	var hits []string
	for _, name := range keywordParams {
		v, ok := p.get(name)
		if !ok || v == "" {
			continue
		}
		low := strings.ToLower(v)
		for _, w := range securityWords {
			if strings.Contains(low, w) {
				hits = append(hits, w)
			}
		}
	}
	if len(hits) > 0 {
		sort.Strings(hits)
		add(30, "filters on words that hide security mail: %s", strings.Join(dedup(hits), ", "))
	}
	if !hasCondition && score > 0 {
		add(15, "has no condition: it acts on every message")
	}
	if name, ok := p.get("Name"); ok && suspiciousName(name) {
		add(15, "has a throw-away name %q", name)
	}
	if v, ok := p.get("StopProcessingRules"); ok && truthy(v) && score > 0 {
		add(5, "stops later rules from running")
	}
	if score > 100 {
		score = 100
	}
	return score, why
}

func dedup(xs []string) []string {
	var out []string
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func suspiciousName(name string) bool {
	n := strings.TrimSpace(name)
	if len([]rune(n)) <= 2 {
		return true
	}
	for _, r := range n {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127 {
			return false
		}
	}
	return true
}

// classifyDomain says whether dom is internal, a look-alike of an internal
// domain (which it returns), or external.
func classifyDomain(dom string, internal []string) (string, string) {
	for _, in := range internal {
		if dom == in || strings.HasSuffix(dom, "."+in) {
			return "internal", ""
		}
	}
	label := func(d string) string {
		parts := strings.Split(d, ".")
		if len(parts) >= 2 {
			return parts[len(parts)-2]
		}
		return d
	}
	dl := label(dom)
	for _, in := range internal {
		il := label(in)
		if len(il) < 4 {
			continue
		}
		if dl != il && (strings.Contains(dl, il) || lang.EditDistance(dl, il) <= 2) {
			return "lookalike", in
		}
		if dl == il && dom != in {
			return "lookalike", in // same name under another top-level domain
		}
	}
	return "external", ""
}
