package queries

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Bind says how to bind a hunt's parameters.
type Bind struct {
	// Values maps a parameter name to its value: a literal of the declared
	// type as typed on a command line (alice@contoso.com, 30d,
	// 2024-03-01, ["contoso.com"]) or a KQL expression (ago(7d), "x",
	// dynamic([...])). Names the hunt does not declare are ignored.
	Values map[string]string
	// Since and Until set the parameters start_date/end_date and
	// starttime/endtime when the hunt declares them, and Sentinel's
	// {{StartTimeISO}}/{{EndTimeISO}} placeholders.
	Since, Until *time.Time
	// Now is the hunt's now(): placeholders default to (Now-14d .. Now).
	Now time.Time
}

// Binding is a parameter as bound for one run.
type Binding struct {
	Name  string
	Type  string
	Value string // the KQL expression bound
	From  string // "default", "--param", "--since", "--until"
}

// SentinelWindow is the default window of Sentinel's time placeholders.
const SentinelWindow = 14 * 24 * time.Hour

var placeholderRE = regexp.MustCompile(`\{\{(StartTime|EndTime)(ISO)?\}\}`)

// Bindings resolves the hunt's parameters.
func (h *Hunt) Bindings(b Bind) ([]Binding, error) {
	var out []Binding
	for _, p := range h.Parameters {
		bd := Binding{Name: p.Name, Type: p.Type, Value: p.Default, From: "default"}
		if v, ok := b.Values[p.Name]; ok {
			e, err := ParamExpr(p.Kind, v)
			if err != nil {
				return nil, fmt.Errorf("parameter %s (%s) of %s: %v", p.Name, p.Type, h.ID, err)
			}
			bd.Value, bd.From = e, "--param"
		} else if t := timeFlag(p.Name, b); t != nil && p.Kind == types.DateTime {
			bd.Value, bd.From = "datetime("+types.FormatDateTime(t.UnixNano())+")", flagOf(p.Name)
		}
		out = append(out, bd)
	}
	return out, nil
}

func timeFlag(name string, b Bind) *time.Time {
	switch strings.ToLower(name) {
	case "start_date", "starttime", "start_time":
		return b.Since
	case "end_date", "endtime", "end_time":
		return b.Until
	}
	return nil
}

func flagOf(name string) string {
	switch strings.ToLower(name) {
	case "start_date", "starttime", "start_time":
		return "--since"
	}
	return "--until"
}

// Source returns the KQL that runs the hunt: the parameters' let
// statements, then the query. For a block-literal query (`query: |`) the
// text is laid out so that every line and column of the query is where it
// is in the hunt file (the lets sit on the `query:` line), so diagnostics
// point into the YAML file.
func (h *Hunt) Source(b Bind) (*lang.Source, []Binding, error) {
	binds, err := h.Bindings(b)
	if err != nil {
		return nil, nil, err
	}
	query := h.substitute(b)
	lets := letLine(binds)
	if h.queryIndent >= 0 && h.queryLine >= 1 {
		var sb strings.Builder
		sb.WriteString(strings.Repeat("\n", h.queryLine-1))
		sb.WriteString(lets)
		sb.WriteString("\n")
		pad := strings.Repeat(" ", h.queryIndent)
		for i, l := range strings.Split(strings.TrimRight(query, "\n"), "\n") {
			if i > 0 {
				sb.WriteString("\n")
			}
			if strings.TrimSpace(l) != "" {
				sb.WriteString(pad)
			}
			sb.WriteString(l)
		}
		sb.WriteString("\n")
		return lang.NewSource(h.File, sb.String()), binds, nil
	}
	return lang.NewSource(h.File+" (query)", lets+"\n"+query), binds, nil
}

// Text is the KQL of a run as a person reads it: one let per parameter,
// then the query.
func (h *Hunt) Text(binds []Binding, b Bind) string {
	var sb strings.Builder
	for _, bd := range binds {
		fmt.Fprintf(&sb, "let %s = %s;\n", bd.Name, bd.Value)
	}
	sb.WriteString(strings.TrimRight(h.substitute(b), "\n"))
	sb.WriteString("\n")
	return sb.String()
}

func letLine(binds []Binding) string {
	var parts []string
	for _, bd := range binds {
		parts = append(parts, fmt.Sprintf("let %s = %s;", bd.Name, bd.Value))
	}
	return strings.Join(parts, " ")
}

// substitute replaces Sentinel's time placeholders.
func (h *Hunt) substitute(b Bind) string {
	if !strings.Contains(h.Query, "{{") {
		return h.Query
	}
	now := b.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	start, end := now.Add(-SentinelWindow), now
	if b.Since != nil {
		start = *b.Since
	}
	if b.Until != nil {
		end = *b.Until
	}
	return placeholderRE.ReplaceAllStringFunc(h.Query, func(m string) string {
		if strings.HasPrefix(m, "{{Start") {
			return types.FormatDateTime(start.UnixNano())
		}
		return types.FormatDateTime(end.UnixNano())
	})
}

var callRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*\s*\(`)

// ParamExpr turns a parameter value into the KQL expression bound to it.
// A value that already is a KQL expression (a call such as ago(7d) or
// datetime(...), a quoted string) is used as written; otherwise it is read
// as a literal of kind k.
func ParamExpr(k types.Kind, v string) (string, error) {
	v = strings.TrimSpace(v)
	quoted := len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0]
	if quoted || (k != types.String && callRE.MatchString(v)) {
		return v, nil
	}
	switch k {
	case types.String:
		return QuoteString(v), nil
	case types.Long, types.Int:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return "", fmt.Errorf("%q is not an integer", v)
		}
		if k == types.Int {
			return "int(" + v + ")", nil
		}
		return v, nil
	case types.Real, types.Decimal:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "", fmt.Errorf("%q is not a number", v)
		}
		return "real(" + v + ")", nil
	case types.Bool:
		switch strings.ToLower(v) {
		case "true", "false":
			return strings.ToLower(v), nil
		}
		return "", fmt.Errorf("%q is not true or false", v)
	case types.DateTime:
		ns, err := types.ParseDateTime(v)
		if err != nil {
			return "", fmt.Errorf("%q is not a datetime (e.g. 2024-03-01 or 2024-03-01T10:00:00Z, or an expression such as ago(7d))", v)
		}
		return "datetime(" + types.FormatDateTime(ns) + ")", nil
	case types.TimeSpan:
		ns, err := types.ParseTimeSpan(v)
		if err != nil {
			d, err2 := time.ParseDuration(v)
			if err2 != nil {
				return "", fmt.Errorf("%q is not a timespan (e.g. 30d, 12h, 1.00:00:00)", v)
			}
			ns = int64(d)
		}
		return "timespan(" + types.FormatTimeSpan(ns) + ")", nil
	case types.Dynamic:
		if _, err := types.ParseDynamic(v); err != nil {
			return "", fmt.Errorf("%q is not a JSON value (e.g. [\"contoso.com\"])", v)
		}
		return "dynamic(" + v + ")", nil
	case types.Guid:
		return "guid(" + v + ")", nil
	}
	return "", fmt.Errorf("parameters of type %s are not supported", k)
}

// QuoteString writes s as a KQL string literal.
func QuoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
