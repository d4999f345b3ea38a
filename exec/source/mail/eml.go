package mail

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/mail"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

var emailColumns = []column{
	{"SourceFile", types.String},
	{"MessageId", types.String},
	{"InReplyTo", types.String},
	{"References", types.Dynamic},
	{"Date", types.DateTime},
	{"Subject", types.String},
	{"From", types.String},
	{"FromDisplayName", types.String},
	{"FromDomain", types.String},
	{"Sender", types.String},
	{"ReplyTo", types.String},
	{"ReturnPath", types.String},
	{"ReturnPathDomain", types.String},
	{"To", types.Dynamic},
	{"Cc", types.Dynamic},
	{"Recipients", types.Dynamic},
	{"Spf", types.String},
	{"Dkim", types.String},
	{"Dmarc", types.String},
	{"CompAuth", types.String},
	{"AuthenticationResults", types.String},
	{"SCL", types.Long},
	{"AutoForwarded", types.Bool},
	{"XMailFwdBy", types.String},
	{"XForwardedTo", types.String},
	{"XForwardedFor", types.String},
	{"ThreadTopic", types.String},
	{"ThreadIndex", types.String},
	{"Received", types.Dynamic},
	{"ReceivedCount", types.Long},
	{"OriginatingIP", types.String},
	{"Attachments", types.Dynamic},
	{"AttachmentCount", types.Long},
	{"QuotedDates", types.Dynamic},
	{"QuotedAddresses", types.Dynamic},
	{"Headers", types.Dynamic},
}

// emlFormat reads one RFC 5322 message per file.
type emlFormat struct{}

func (emlFormat) Name() string { return "eml" }

// Nested reports that files of this format in sub-folders of a bound
// directory are read too (source.NestedFormat).
func (emlFormat) Nested() bool { return true }

func (emlFormat) Detect(path string, head []byte) bool {
	if bytes.HasPrefix(head, []byte("From ")) {
		return false // mbox
	}
	return looksLikeHeader(head)
}

func (emlFormat) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	return readParts(f, opts, EmailHeaders, func(fn eachRowFn) error {
		raw, err := readAll(f)
		if err != nil {
			return err
		}
		row, probs := parseMessage(raw, f.Path, 0)
		return fn(row, probs)
	})
}

// mboxFormat reads mbox files: messages separated by "From " lines.
type mboxFormat struct{}

func (mboxFormat) Name() string { return "mbox" }

func (mboxFormat) Nested() bool { return true }

func (mboxFormat) Detect(path string, head []byte) bool {
	if !bytes.HasPrefix(head, []byte("From ")) {
		return false
	}
	i := bytes.IndexByte(head, '\n')
	if i < 0 {
		return false
	}
	return looksLikeHeader(head[i+1:])
}

func (mboxFormat) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	return readParts(f, opts, EmailHeaders, func(fn eachRowFn) error {
		return eachMbox(f, func(n, line int, raw []byte) error {
			row, probs := parseMessage(raw, fmt.Sprintf("%s#%d", f.Path, n), line)
			return fn(row, probs)
		})
	})
}

// knownHeaders are fields that make a header block a message's.
var knownHeaders = map[string]bool{
	"received": true, "from": true, "to": true, "subject": true, "date": true, "message-id": true,
	"return-path": true, "mime-version": true, "delivered-to": true, "content-type": true,
	"x-mailer": true, "reply-to": true, "cc": true, "sender": true, "dkim-signature": true,
	"authentication-results": true, "x-received": true, "arc-seal": true, "thread-topic": true,
	"in-reply-to": true, "references": true, "x-originating-ip": true,
}

// looksLikeHeader reports whether head starts with an RFC 5322 header block
// with at least two fields typical of messages, one of which is a
// message-only field (From, Received, Message-ID, Return-Path, MIME-Version,
// Delivered-To, DKIM-Signature).
func looksLikeHeader(head []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(head))
	sc.Buffer(make([]byte, 0, 64<<10), len(head)+1)
	known, strong, lines := 0, false, 0
	for sc.Scan() {
		l := strings.TrimSuffix(sc.Text(), "\r")
		lines++
		if l == "" {
			break
		}
		if l[0] == ' ' || l[0] == '\t' {
			if lines == 1 {
				return false
			}
			continue
		}
		c := strings.IndexByte(l, ':')
		if c <= 0 || !isFieldName(strings.TrimRight(l[:c], " \t")) {
			if lines == 1 {
				return false
			}
			break
		}
		name := strings.ToLower(strings.TrimRight(l[:c], " \t"))
		if knownHeaders[name] {
			known++
			switch name {
			case "from", "received", "message-id", "return-path", "mime-version", "delivered-to", "dkim-signature":
				strong = true
			}
		}
		if known >= 2 && strong {
			return true
		}
		if lines > 400 {
			break
		}
	}
	return known >= 2 && strong
}

// maxMessage bounds one message's size (larger ones are reported).
const maxMessage = 256 << 20

func readAll(f *source.File) ([]byte, error) {
	rc, err := f.OpenBinary()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxMessage+1))
	if err != nil {
		return nil, &source.Error{File: f.Path, Reason: "reading: " + err.Error()}
	}
	if len(b) > maxMessage {
		return nil, &source.Error{File: f.Path, Reason: fmt.Sprintf("message larger than %d MB", maxMessage>>20)}
	}
	b = bytes.TrimPrefix(b, []byte{0xef, 0xbb, 0xbf})
	return b, nil
}

// eachMbox calls fn for every message of an mbox file: n is the 1-based
// message number, line the line of its "From " separator. A "From " line
// starts a message at the start of the file or after an empty line (the
// mboxo/mboxrd convention); ">From " quoting in bodies is left as is.
func eachMbox(f *source.File, fn func(n, line int, raw []byte) error) error {
	rc, err := f.OpenBinary()
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 1<<20)
	var msg bytes.Buffer
	n, line, start := 0, 0, 0
	prevBlank := true
	flush := func() error {
		if n == 0 {
			return nil
		}
		return fn(n, start, msg.Bytes())
	}
	for {
		l, err := br.ReadBytes('\n')
		if len(l) > 0 {
			line++
			if prevBlank && bytes.HasPrefix(l, []byte("From ")) {
				if ferr := flush(); ferr != nil {
					return ferr
				}
				msg.Reset()
				n++
				start = line
				prevBlank = false
				continue
			}
			prevBlank = len(bytes.TrimRight(l, "\r\n")) == 0
			if n > 0 && msg.Len() <= maxMessage {
				msg.Write(l)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return &source.Error{File: f.Path, Line: line, Reason: "reading: " + err.Error()}
		}
	}
	return flush()
}

// parseMessage builds one EmailHeaders row. line0 is the line before the
// message in its file (mbox), to report problems at file lines. A message
// without any header field is not loaded (nil row).
func parseMessage(raw []byte, sourceFile string, line0 int) (row *types.Bag, probs []problem) {
	defer func() {
		// A hostile message must not take the process down: report it.
		if r := recover(); r != nil {
			row = nil
			probs = append(probs, problem{Line: line0 + 1, Reason: fmt.Sprintf("message skipped: internal error: %v", r)})
		}
	}()
	add := func(line int, fieldName, format string, args ...any) {
		probs = append(probs, problem{Line: line0 + line, Field: fieldName, Reason: fmt.Sprintf(format, args...)})
	}
	h, body, bad := splitHeader(raw)
	if len(h) == 0 {
		first := strings.TrimSpace(string(raw[:min(len(raw), 60)]))
		if first == "" {
			add(1, "", "message skipped: empty")
		} else {
			add(1, "", "message skipped: no header fields (starts %q)", first)
		}
		return nil, probs
	}
	for _, b := range bad {
		v := b.Value
		if len(v) > 60 {
			v = v[:60] + "…"
		}
		add(b.Line, "Headers", "not a header field, ignored: %q", v)
	}
	if len(raw) > maxMessage {
		add(1, "", "message larger than %d MB; the rest is not read", maxMessage>>20)
	}
	// Line of a field within the message, for problems.
	lineOf := func(name string) int {
		for _, f := range h {
			if strings.EqualFold(f.Name, name) {
				return f.Line
			}
		}
		return 1
	}
	get := func(name string) string {
		v, _ := h.get(name)
		return decodeHeader(v)
	}

	row = types.NewBag(len(emailColumns))
	row.Set("SourceFile", sourceFile)
	if ids := msgIDs(get("Message-ID")); len(ids) > 0 {
		row.Set("MessageId", ids[0])
	} else {
		row.Set("MessageId", "")
	}
	if ids := msgIDs(get("In-Reply-To")); len(ids) > 0 {
		row.Set("InReplyTo", ids[0])
	} else {
		row.Set("InReplyTo", "")
	}
	row.Set("References", strs(msgIDs(get("References"))))

	if d, ok := h.get("Date"); ok && strings.TrimSpace(d) != "" {
		if t, err := mail.ParseDate(d); err == nil {
			row.Set("Date", types.FormatDateTime(t.UnixNano()))
		} else if ns, ok := parseLooseDate(d); ok {
			row.Set("Date", types.FormatDateTime(ns))
		} else {
			add(lineOf("Date"), "Date", "not a date: %q", d)
		}
	}
	row.Set("Subject", get("Subject"))

	addrField := func(name string) []address {
		v, present := h.get(name)
		if !present {
			return nil
		}
		as, ok := parseAddressList(toUTF8(v))
		if !ok {
			add(lineOf(name), name, "no address in %q", v)
		}
		return as
	}
	from := addrField("From")
	if len(from) > 0 {
		row.Set("From", from[0].Addr)
		row.Set("FromDisplayName", from[0].Name)
		row.Set("FromDomain", domainOf(from[0].Addr))
	} else {
		row.Set("From", "")
		row.Set("FromDisplayName", "")
		row.Set("FromDomain", "")
	}
	row.Set("Sender", strings.Join(addrs(addrField("Sender")), ", "))
	row.Set("ReplyTo", strings.Join(addrs(addrField("Reply-To")), ", "))
	rp := angleAddr(get("Return-Path"))
	row.Set("ReturnPath", rp)
	row.Set("ReturnPathDomain", domainOf(rp))
	to, cc := addrs(addrField("To")), addrs(addrField("Cc"))
	row.Set("To", strs(to))
	row.Set("Cc", strs(cc))
	var rcpt []string
	seen := map[string]bool{}
	for _, a := range append(append([]string{}, to...), cc...) {
		if !seen[a] {
			seen[a] = true
			rcpt = append(rcpt, a)
		}
	}
	row.Set("Recipients", strs(rcpt))

	ar := h.all("Authentication-Results")
	v := verdicts(ar)
	row.Set("Spf", v["spf"])
	row.Set("Dkim", v["dkim"])
	row.Set("Dmarc", v["dmarc"])
	row.Set("CompAuth", v["compauth"])
	row.Set("AuthenticationResults", strings.Join(ar, "\n"))

	if s, ok := h.get("X-MS-Exchange-Organization-SCL"); ok && strings.TrimSpace(s) != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			row.Set("SCL", n)
		} else {
			add(lineOf("X-MS-Exchange-Organization-SCL"), "SCL", "not a number: %q", s)
		}
	}
	af, _ := h.get("X-MS-Exchange-Organization-AutoForwarded")
	row.Set("AutoForwarded", strings.EqualFold(strings.TrimSpace(af), "true"))
	row.Set("XMailFwdBy", get("X-MailFwdBy"))
	row.Set("XForwardedTo", get("X-Forwarded-To"))
	row.Set("XForwardedFor", get("X-Forwarded-For"))
	row.Set("ThreadTopic", get("Thread-Topic"))
	row.Set("ThreadIndex", get("Thread-Index"))

	received := h.all("Received")
	for i := range received {
		received[i] = toUTF8(received[i])
	}
	row.Set("Received", strs(received))
	row.Set("ReceivedCount", int64(len(received)))
	row.Set("OriginatingIP", originatingIP(h, received))

	// Body: attachments and quoted headers.
	w := &mimeWalk{}
	w.walk(h, body, 0)
	for _, p := range w.probs {
		add(lineOf("Content-Type"), "Attachments", "%s", p)
	}
	atts := make([]any, 0, len(w.atts))
	for _, a := range w.atts {
		b := types.NewBag(3)
		b.Set("Name", a.Name)
		b.Set("ContentType", a.ContentType)
		b.Set("Size", a.Size)
		atts = append(atts, b)
	}
	row.Set("Attachments", atts)
	row.Set("AttachmentCount", int64(len(atts)))
	text := strings.Join(w.plain, "\n")
	if text == "" && len(w.html) > 0 {
		text = htmlText(strings.Join(w.html, "\n"))
	}
	q := scanQuoted(text)
	qd := make([]any, 0, len(q.dates))
	for _, d := range q.dates {
		qd = append(qd, types.FormatDateTime(d))
	}
	row.Set("QuotedDates", qd)
	row.Set("QuotedAddresses", strs(q.addrs))

	hb := types.NewBag(len(h))
	for _, f := range h {
		val := decodeHeader(f.Value)
		if old, ok := hb.Get(f.Name); ok {
			if arr, isArr := old.([]any); isArr {
				hb.Set(f.Name, append(arr, val))
			} else {
				hb.Set(f.Name, []any{old, val})
			}
			continue
		}
		hb.Set(f.Name, val)
	}
	row.Set("Headers", hb)
	return row, probs
}

var (
	ipv4Re = regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`)
	ipv6Re = regexp.MustCompile(`[\[(](?:IPv6:)?([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?:\d{1,3}\.){3}\d{1,3})?)[\])]`)
)

// originatingIP is X-Originating-IP, else the Exchange original client IP,
// else the first public IP in the bottom Received header.
func originatingIP(h headerBlock, received []string) string {
	for _, name := range []string{"X-Originating-IP", "X-MS-Exchange-Organization-OriginalClientIPAddress"} {
		if v, ok := h.get(name); ok {
			v = strings.Trim(strings.TrimSpace(v), "[]")
			if a, err := netip.ParseAddr(v); err == nil {
				return a.String()
			}
			if v != "" {
				return v
			}
		}
	}
	// The bottom-most Received header whose "from" part has a public IP.
	for i := len(received) - 1; i >= 0; i-- {
		if ip := fromPartIP(received[i]); ip != "" {
			return ip
		}
	}
	return ""
}

// fromPartIP is the first public IP in the "from" part of a Received value.
func fromPartIP(r string) string {
	if strings.HasPrefix(strings.ToLower(r), "by ") {
		return ""
	}
	if i := strings.Index(r, " by "); i > 0 {
		r = r[:i]
	}
	type cand struct {
		pos int
		a   netip.Addr
	}
	var cands []cand
	for _, m := range ipv4Re.FindAllStringIndex(r, -1) {
		if a, err := netip.ParseAddr(r[m[0]:m[1]]); err == nil {
			cands = append(cands, cand{m[0], a})
		}
	}
	for _, m := range ipv6Re.FindAllStringSubmatchIndex(r, -1) {
		if a, err := netip.ParseAddr(r[m[2]:m[3]]); err == nil {
			cands = append(cands, cand{m[2], a})
		}
	}
	best := -1
	for i, c := range cands {
		if isPublic(c.a) && (best < 0 || c.pos < cands[best].pos) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return cands[best].a.Unmap().String()
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

func isPublic(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsGlobalUnicast() && !a.IsPrivate() && !cgnat.Contains(a)
}
