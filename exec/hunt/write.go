package hunt

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// AppendJSON appends the finding as one JSON object: hunt, name,
// severity, time (when the row has one), techniques, tactics, entities
// (kind → value) and row (column → typed JSON value).
func (f *Finding) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"hunt":`...)
	dst = types.AppendJSONString(dst, f.Hunt)
	dst = append(dst, `,"name":`...)
	dst = types.AppendJSONString(dst, f.Name)
	dst = append(dst, `,"severity":`...)
	dst = types.AppendJSONString(dst, f.Severity)
	if f.Time != "" {
		dst = append(dst, `,"time":`...)
		dst = types.AppendJSONString(dst, f.Time)
	}
	dst = append(dst, `,"techniques":`...)
	dst = appendStrings(dst, f.Techniques)
	dst = append(dst, `,"tactics":`...)
	dst = appendStrings(dst, f.Tactics)
	dst = append(dst, `,"entities":{`...)
	for i, e := range f.Entities {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = types.AppendJSONString(dst, e.Kind)
		dst = append(dst, ':')
		dst = types.AppendJSONString(dst, e.Value)
	}
	dst = append(dst, `},"row":{`...)
	for i, c := range f.Row {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = types.AppendJSONString(dst, c.Name)
		dst = append(dst, ':')
		dst = append(dst, c.JSON...)
	}
	return append(dst, "}}"...)
}

func appendStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = types.AppendJSONString(dst, s)
	}
	return append(dst, ']')
}

// WriteJSONL writes one JSON object per finding, one per line.
func WriteJSONL(w io.Writer, results []*Result) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	for _, r := range results {
		for _, f := range r.Findings {
			buf = f.AppendJSON(buf[:0])
			buf = append(buf, '\n')
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// WriteCSV writes the findings as one CSV table: hunt, name, severity,
// time, techniques, tactics, one entity.<kind> column per entity kind and
// one row.<column> column per result column seen (in first-seen order).
func WriteCSV(w io.Writer, results []*Result) error {
	var kinds, cols []string
	seenK, seenC := map[string]bool{}, map[string]bool{}
	for _, r := range results {
		for _, e := range r.Hunt.Entities {
			if !seenK[e.Kind] {
				seenK[e.Kind] = true
				kinds = append(kinds, e.Kind)
			}
		}
		if len(r.Findings) == 0 {
			continue
		}
		for _, c := range r.Columns {
			if !seenC[c] {
				seenC[c] = true
				cols = append(cols, c)
			}
		}
	}
	cw := csv.NewWriter(w)
	head := []string{"hunt", "name", "severity", "time", "techniques", "tactics"}
	for _, k := range kinds {
		head = append(head, "entity."+k)
	}
	for _, c := range cols {
		head = append(head, "row."+c)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range results {
		for _, f := range r.Findings {
			rec := []string{f.Hunt, f.Name, f.Severity, f.Time, strings.Join(f.Techniques, ";"), strings.Join(f.Tactics, ";")}
			for _, k := range kinds {
				rec = append(rec, f.Entity(k))
			}
			vals := map[string]string{}
			for _, c := range f.Row {
				vals[c.Name] = c.Text
			}
			for _, c := range cols {
				rec = append(rec, vals[c])
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteSummary prints the summary table: one line per hunt with its
// severity, MITRE ids, findings (by severity) and time; skipped and
// failed hunts say why.
func WriteSummary(w io.Writer, results []*Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HUNT\tSEVERITY\tMITRE\tFINDINGS\tTIME\t")
	for _, r := range results {
		h := r.Hunt
		mitre := strings.Join(h.Techniques, ",")
		if mitre == "" {
			mitre = "-"
		}
		switch r.Status {
		case Skipped:
			continue // listed together below the table
		case Failed:
			fmt.Fprintf(tw, "%s\t%s\t%s\tFAILED\t%s\t%s\n", h.ID, h.Severity, mitre, duration(r.Elapsed), firstLine(r.Reason))
		default:
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", h.ID, h.Severity, mitre, findingCount(r), duration(r.Elapsed))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// skipped hunts, grouped by reason (the tables they need)
	var reasons []string
	byReason := map[string][]string{}
	for _, r := range results {
		if r.Status != Skipped {
			continue
		}
		if _, ok := byReason[r.Reason]; !ok {
			reasons = append(reasons, r.Reason)
		}
		byReason[r.Reason] = append(byReason[r.Reason], r.Hunt.ID)
	}
	for _, reason := range reasons {
		ids := byReason[reason]
		fmt.Fprintf(w, "skipped %d hunt%s (%s): %s\n", len(ids), plural(len(ids)), reason, strings.Join(ids, ", "))
	}
	c := Count(results)
	var sev []string
	for i := len(severityOrder) - 1; i >= 0; i-- {
		if n := c.BySeverity[severityOrder[i]]; n > 0 {
			sev = append(sev, fmt.Sprintf("%d %s", n, severityOrder[i]))
		}
	}
	line := fmt.Sprintf("%d hunts: %d ran, %d skipped, %d failed; %d findings", c.Hunts, c.Ran, c.Skipped, c.Failed, c.Findings)
	if len(sev) > 0 {
		line += " (" + strings.Join(sev, ", ") + ")"
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

var severityOrder = []string{"informational", "low", "medium", "high"}

func findingCount(r *Result) string {
	if len(r.Findings) == 0 {
		return "0"
	}
	by := map[string]int{}
	for _, f := range r.Findings {
		by[f.Severity]++
	}
	if len(by) == 1 {
		return fmt.Sprint(len(r.Findings))
	}
	var parts []string
	for i := len(severityOrder) - 1; i >= 0; i-- {
		if n := by[severityOrder[i]]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, severityOrder[i]))
		}
	}
	return fmt.Sprintf("%d (%s)", len(r.Findings), strings.Join(parts, ", "))
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

func duration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// WriteBrief lists the findings of at least severity min for a person at a
// terminal: one block per finding with its severity, hunt, time, entities
// and the row's Reason column when it has one; then how many findings of
// lower severity were left out.
func WriteBrief(w io.Writer, results []*Result, min string) error {
	bw := bufio.NewWriter(w)
	minRank := severityRank(min)
	shown, hidden := 0, 0
	var list []*Finding
	for _, r := range results {
		for _, f := range r.Findings {
			if severityRank(f.Severity) < minRank {
				hidden++
				continue
			}
			list = append(list, f)
		}
	}
	// highest severity first, in hunt order within a severity
	sort.SliceStable(list, func(i, j int) bool { return severityRank(list[i].Severity) > severityRank(list[j].Severity) })
	{
		for _, f := range list {
			shown++
			fmt.Fprintf(bw, "\n[%s] %s — %s\n", strings.ToUpper(f.Severity), f.Hunt, f.Name)
			if f.Time != "" {
				fmt.Fprintf(bw, "  time:     %s\n", f.Time)
			}
			var ents []string
			for _, e := range f.Entities {
				if e.Value != "" {
					ents = append(ents, e.Kind+"="+e.Value)
				}
			}
			if len(ents) > 0 {
				fmt.Fprintf(bw, "  entities: %s\n", strings.Join(ents, "  "))
			}
			for _, c := range f.Row {
				if c.Name == "Reason" && c.Text != "" {
					fmt.Fprintf(bw, "  reason:   %s\n", c.Text)
				}
			}
		}
	}
	if shown == 0 {
		fmt.Fprintf(bw, "\nno %s or higher findings\n", min)
	}
	if hidden > 0 {
		fmt.Fprintf(bw, "\n%d lower-severity finding%s not shown (stacking and baselines for review): --out FILE.html|.jsonl|.csv writes every finding\n", hidden, plural(hidden))
	}
	return bw.Flush()
}

func severityRank(s string) int {
	for i, v := range severityOrder {
		if v == s {
			return i
		}
	}
	return -1
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
