package mail

import (
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// quoted is what the quoted-reply header blocks of a body say.
type quoted struct {
	dates []int64  // unix ns, in order of appearance, distinct
	addrs []string // lower-case, in order of appearance, distinct
	seenD map[int64]bool
	seenA map[string]bool
}

func (q *quoted) addDate(ns int64) {
	if q.seenD == nil {
		q.seenD = map[int64]bool{}
	}
	if !q.seenD[ns] {
		q.seenD[ns] = true
		q.dates = append(q.dates, ns)
	}
}

func (q *quoted) addAddrs(text string) {
	if q.seenA == nil {
		q.seenA = map[string]bool{}
	}
	for _, a := range addrToken.FindAllString(text, -1) {
		a = strings.ToLower(strings.TrimRight(a, "."))
		if !q.seenA[a] {
			q.seenA[a] = true
			q.addrs = append(q.addrs, a)
		}
	}
}

var (
	// quotePrefix is the reply quoting ("> > ") and emphasis ("*From:*")
	// before a quoted header line.
	quotePrefix = regexp.MustCompile(`^[\s>]*\**`)
	// quotedField is a header line of a quoted block (English Outlook,
	// Thunderbird and Gmail forms).
	// Localised labels (Outlook writes them in the user's language) are
	// mapped by quotedRole.
	quotedField = regexp.MustCompile(`(?i)^(from|sent|date|to|cc|subject|de|von|da|van|enviado|enviada|gesendet|datum|envoyé|inviato|verzonden|fecha|para|an|à|a|aan|kopie|assunto|asunto|betreff|objet|oggetto|onderwerp)\s*\**\s*:\s*\**\s*(.*)$`)
	// wroteLine is an attribution line, "On <date>, <who> wrote:".
	wroteLine = regexp.MustCompile(`(?i)^on\s+(.+?)\s+wrote:\s*$`)
)

// scanQuoted finds the quoted-reply header blocks of a text body: the lines
// after "-----Original Message-----", blocks starting with "From:" followed
// by Sent/Date/To/Cc/Subject lines, and "On <date>, <who> wrote:" lines.
func scanQuoted(text string) quoted {
	var q quoted
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(quotePrefix.ReplaceAllString(lines[i], ""))
		if l == "" {
			continue
		}
		if m := wroteLine.FindStringSubmatch(l); m != nil {
			q.attribution(m[1])
			continue
		}
		// An attribution wrapped over two lines.
		if strings.HasPrefix(strings.ToLower(l), "on ") && i+1 < len(lines) {
			next := strings.TrimSpace(quotePrefix.ReplaceAllString(lines[i+1], ""))
			if m := wroteLine.FindStringSubmatch(l + " " + next); m != nil {
				q.attribution(m[1])
				i++
				continue
			}
		}
		start := i
		if strings.Contains(l, "Original Message") && strings.Contains(l, "---") {
			start = i + 1
		} else if m := quotedField.FindStringSubmatch(l); m == nil || quotedRole(m[1]) != "from" {
			continue
		}
		// A block: consecutive quoted header lines (with wrapped
		// continuations), at least two of them, starting at start.
		var fields [][2]string
		j := start
		for ; j < len(lines) && j < start+12; j++ {
			lj := strings.TrimSpace(quotePrefix.ReplaceAllString(lines[j], ""))
			if lj == "" {
				if len(fields) == 0 && j == start {
					continue
				}
				break
			}
			if m := quotedField.FindStringSubmatch(lj); m != nil {
				fields = append(fields, [2]string{quotedRole(m[1]), m[2]})
				continue
			}
			if len(fields) > 0 && fields[len(fields)-1][0] != "subject" {
				fields[len(fields)-1][1] += " " + lj // wrapped To:/Cc: list
				continue
			}
			break
		}
		if len(fields) < 2 {
			continue
		}
		for _, f := range fields {
			switch f[0] {
			case "from", "to", "cc":
				q.addAddrs(f[1])
			case "date":
				if ns, ok := parseLooseDate(f[1]); ok {
					q.addDate(ns)
				}
			}
		}
		i = j - 1
	}
	return q
}

// attribution handles the text between "On" and "wrote:".
func (q *quoted) attribution(s string) {
	if ns, ok := parseLooseDate(s); ok {
		q.addDate(ns)
	}
	q.addAddrs(s)
}

var (
	looseDateRes = []*regexp.Regexp{
		// Jan 2, 2023 at 10:15 AM / January 2, 2023 10:15:00
		regexp.MustCompile(`(?i)\b([a-z]{3,9}\.? \d{1,2},? \d{4})(?:,? at|,)? (\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)`),
		// 2 Jan 2023 at 10:15 / 02 January 2023, 10:15:00
		regexp.MustCompile(`(?i)\b(\d{1,2} [a-z]{3,9}\.? \d{4})(?:,? at|,)? (\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)`),
		// 2023-01-02 10:15
		regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2}(?::\d{2})?)`),
		// 1/2/2023 10:15 AM
		regexp.MustCompile(`(?i)\b(\d{1,2}/\d{1,2}/\d{2,4}),? (?:at )?(\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)`),
		// dates without a time
		regexp.MustCompile(`(?i)\b([a-z]{3,9}\.? \d{1,2},? \d{4})()`),
		regexp.MustCompile(`(?i)\b(\d{1,2} [a-z]{3,9}\.? \d{4})()`),
		regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2})()`),
	}
	looseLayouts = []string{
		"January 2, 2006 3:04 PM", "January 2, 2006 3:04:05 PM", "January 2, 2006 15:04", "January 2, 2006 15:04:05",
		"Jan 2, 2006 3:04 PM", "Jan 2, 2006 3:04:05 PM", "Jan 2, 2006 15:04", "Jan 2, 2006 15:04:05",
		"January 2 2006 3:04 PM", "Jan 2 2006 3:04 PM", "January 2 2006 15:04", "Jan 2 2006 15:04",
		"2 January 2006 15:04", "2 January 2006 15:04:05", "2 Jan 2006 15:04", "2 Jan 2006 15:04:05",
		"2 January 2006 3:04 PM", "2 Jan 2006 3:04 PM",
		"2006-01-02 15:04", "2006-01-02 15:04:05",
		"1/2/2006 3:04 PM", "1/2/2006 3:04:05 PM", "1/2/2006 15:04", "1/2/2006 15:04:05", "1/2/06 3:04 PM", "1/2/06 15:04",
		"January 2, 2006", "Jan 2, 2006", "January 2 2006", "Jan 2 2006", "2 January 2006", "2 Jan 2006", "2006-01-02",
	}
)

// parseLooseDate finds a date in free text as mail clients write it in
// quoted headers ("Monday, January 2, 2023 10:15 AM", "Mon, 2 Jan 2023
// 10:15:00 +0000", "Jan 2, 2023 at 10:15 AM"). Times without a zone are
// taken as UTC.
func parseLooseDate(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if t, err := mail.ParseDate(s); err == nil {
		return t.UnixNano(), true
	}
	if ns, err := types.ParseDateTime(s); err == nil {
		return ns, true
	}
	if ns, ok := looseDate(s); ok {
		return ns, true
	}
	return looseDate(englishDate(s))
}

func looseDate(s string) (int64, bool) {
	for _, re := range looseDateRes {
		m := re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		d := strings.ReplaceAll(m[1], ".", "")
		t := strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(m[2], ".", ""), " ", ""))
		if strings.HasSuffix(t, "AM") || strings.HasSuffix(t, "PM") {
			t = t[:len(t)-2] + " " + t[len(t)-2:]
		}
		cand := strings.TrimSpace(d + " " + t)
		for _, layout := range looseLayouts {
			if tm, err := time.Parse(layout, cand); err == nil {
				return tm.UnixNano(), true
			}
		}
		// Abbreviations such as "Sept": try the first three letters.
		if f := strings.Fields(cand); len(f) > 0 && len(f[0]) > 3 && isLetters(f[0]) {
			f[0] = f[0][:3]
			cand2 := strings.Join(f, " ")
			for _, layout := range looseLayouts {
				if tm, err := time.Parse(layout, cand2); err == nil {
					return tm.UnixNano(), true
				}
			}
		}
	}
	return 0, false
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// quotedRole maps a quoted header label (English or localised) to from,
// date, to, cc or subject.
func quotedRole(label string) string {
	switch strings.ToLower(label) {
	case "from", "de", "von", "da", "van":
		return "from"
	case "sent", "date", "enviado", "enviada", "gesendet", "datum", "envoyé", "inviato", "verzonden", "fecha":
		return "date"
	case "to", "para", "an", "à", "a", "aan":
		return "to"
	case "cc", "kopie":
		return "cc"
	}
	return "subject"
}

// foreignMonths maps month names of common mail-client languages to English.
var foreignMonths = map[string]string{}

func init() {
	en := []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
	for _, names := range []string{
		"janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
		"enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
		"janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
		"januar februar märz april mai juni juli august september oktober november dezember",
		"gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
		"januari februari maart april mei juni juli augustus september oktober november december",
	} {
		for i, n := range strings.Fields(names) {
			if n != en[i] {
				foreignMonths[n] = en[i]
			}
		}
	}
	foreignMonths["setiembre"] = "september"
}

// englishDate rewrites a localised date ("19 de setembro de 2023 10:58")
// with English month names and without the "de"/"del"/"um"/"à" fillers.
func englishDate(s string) string {
	words := strings.Fields(strings.ToLower(s))
	out := words[:0]
	for _, w := range words {
		core := strings.Trim(w, ",.")
		switch core {
		case "de", "del", "um", "à", "om", "alle", "às":
			continue
		}
		if strings.HasSuffix(w, ".") && isDigits(core) {
			w = core // German "5. März"
		}
		if en, ok := foreignMonths[core]; ok {
			w = strings.Replace(w, core, en, 1)
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
