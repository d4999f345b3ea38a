package hunt

import (
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/kqlhunt/kqlhunt/lang/types"
	"github.com/kqlhunt/kqlhunt/queries"
)

// Report is everything the HTML report shows.
type Report struct {
	Title     string
	Generated time.Time
	Now       string // the hunts' now()
	NowNote   string // how now() was chosen
	Window    string // --since/--until, if given
	Params    []string
	Sources   []string // what was bound (--data/--store values)
	Data      []TableInfo
	Problems  []string // rows that could not be loaded (first few)
	NProblems int
	Results   []*Result
}

type htmlGroup struct {
	Kind, Value string
	Others      []Entity // the other entities seen in the group
	Severity    string
	Findings    []*Finding
}

type htmlHunt struct {
	*Result
	Groups  []htmlGroup
	Worst   string
	Columns []string
}

type htmlData struct {
	*Report
	Counts   Counts
	Sev      []sevCount
	WithRows []htmlHunt
	Quiet    []*Result
	Skipped  []*Result
	Failed   []*Result
}

type sevCount struct {
	Severity string
	N        int
}

// WriteHTML writes a self-contained HTML report (inline CSS, no scripts,
// no network): a summary, then the findings grouped by hunt and by the
// hunt's first entity, each hunt with its KQL and parameters, then the
// data that was hunted over. Hunts whose worst finding is medium or high
// are shown open; informational and low ones folded.
func WriteHTML(w io.Writer, rep *Report) error {
	d := htmlData{Report: rep, Counts: Count(rep.Results)}
	for i := len(severityOrder) - 1; i >= 0; i-- {
		d.Sev = append(d.Sev, sevCount{severityOrder[i], d.Counts.BySeverity[severityOrder[i]]})
	}
	sorted := append([]*Result(nil), rep.Results...)
	SortBySeverity(sorted)
	for _, r := range sorted {
		switch {
		case r.Status == Skipped:
			d.Skipped = append(d.Skipped, r)
		case r.Status == Failed:
			d.Failed = append(d.Failed, r)
		case len(r.Findings) == 0:
			d.Quiet = append(d.Quiet, r)
		default:
			d.WithRows = append(d.WithRows, htmlHunt{Result: r, Groups: groups(r), Worst: r.Worst(), Columns: r.Columns})
		}
	}
	return reportTmpl.Execute(w, d)
}

// groups groups a hunt's findings by the value of its first entity.
func groups(r *Result) []htmlGroup {
	kind := ""
	if len(r.Hunt.Entities) > 0 {
		kind = r.Hunt.Entities[0].Kind
	}
	idx := map[string]int{}
	var out []htmlGroup
	for _, f := range r.Findings {
		v := f.Entity(kind)
		i, ok := idx[v]
		if !ok {
			i = len(out)
			idx[v] = i
			out = append(out, htmlGroup{Kind: kind, Value: v})
		}
		g := &out[i]
		g.Findings = append(g.Findings, f)
		if queries.SeverityRank(f.Severity) > queries.SeverityRank(g.Severity) {
			g.Severity = f.Severity
		}
		for _, e := range f.Entities {
			if e.Kind == kind {
				continue
			}
			dup := false
			for _, o := range g.Others {
				dup = dup || o == e
			}
			if !dup && len(g.Others) < 12 {
				g.Others = append(g.Others, e)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return queries.SeverityRank(out[i].Severity) > queries.SeverityRank(out[j].Severity)
	})
	return out
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"join": strings.Join,
	"cell": func(f *Finding, col string) string {
		for _, c := range f.Row {
			if c.Name == col {
				if c.Kind == types.DateTime && len(c.JSON) > 2 && c.JSON[0] == '"' {
					return string(c.JSON[1 : len(c.JSON)-1])
				}
				return c.Text
			}
		}
		return ""
	},
	"dur": duration,
	"rfc": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).Parse(reportHTML))

const reportHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg2:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); margin: 0; padding: 24px 32px; max-width: 1400px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 16px; margin: 0; }
.muted { color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0; width: 100%; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg2); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
table.rows { width: auto; }
.rows td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.rows td div { min-width: 10ch; max-width: 48ch; white-space: pre-wrap; overflow-wrap: break-word; }
.rows td div.wide { min-width: 32ch; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
.high { background: #cf222e; } .medium { background: #d4760b; } .low { background: #0969da; } .informational { background: #6e7781; }
.skipped { background: #8c959f; } .failed { background: #82071e; } .ok { background: #1a7f37; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card .n { font-size: 26px; font-weight: 600; }
.hunt { border: 1px solid var(--line); border-radius: 8px; margin: 18px 0; padding: 14px 18px; }
.hunt-head { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.group { margin: 12px 0 4px; padding-left: 10px; border-left: 4px solid var(--line); }
.group.high { border-left-color: #cf222e; background: none; } .group.medium { border-left-color: #d4760b; background: none; }
.group.low { border-left-color: #0969da; background: none; } .group.informational { border-left-color: #6e7781; background: none; }
.ent { font-family: ui-monospace, Menlo, Consolas, monospace; }
pre { background: var(--bg2); border: 1px solid var(--line); border-radius: 6px; padding: 10px; overflow-x: auto; font-size: 12px; }
details { margin: 8px 0; }
details.body { margin: 0; }
summary.head { list-style: none; cursor: pointer; color: var(--fg); }
summary.head::-webkit-details-marker { display: none; }
details.body:not([open]) > summary.head::after { content: "show findings ▸"; color: var(--muted); font-size: 12px; }
summary { cursor: pointer; color: var(--muted); }
.desc { white-space: pre-wrap; margin: 8px 0; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<div class="muted">Generated {{rfc .Generated}} by kqlhunt. now() = {{.Now}}{{if .NowNote}} ({{.NowNote}}){{end}}.{{if .Window}} Window: {{.Window}}.{{end}}</div>

<h2>Summary</h2>
<div class="cards">
{{range .Sev}}<div class="card"><div class="n">{{.N}}</div><span class="badge {{.Severity}}">{{.Severity}}</span></div>
{{end}}<div class="card"><div class="n">{{.Counts.Hunts}}</div>hunts: {{.Counts.Ran}} ran, {{.Counts.Skipped}} skipped, {{.Counts.Failed}} failed</div>
</div>
<table>
<tr><th>Hunt</th><th>Severity</th><th>MITRE</th><th>Findings</th><th>Time</th><th>Status</th></tr>
{{range .Results}}<tr><td>{{if .Findings}}<a href="#{{.Hunt.ID}}">{{.Hunt.ID}}</a>{{else}}{{.Hunt.ID}}{{end}}<br><span class="muted">{{.Hunt.Name}}</span></td>
<td><span class="badge {{.Hunt.Severity}}">{{.Hunt.Severity}}</span></td><td>{{join .Hunt.Techniques ", "}}</td>
<td class="num">{{if eq .Status "ok"}}{{len .Findings}}{{else}}-{{end}}</td><td class="num">{{if eq .Status "skipped"}}-{{else}}{{dur .Elapsed}}{{end}}</td>
<td>{{if eq .Status "ok"}}<span class="badge ok">ran</span>{{else if eq .Status "skipped"}}<span class="badge skipped">skipped</span> {{.Reason}}{{else}}<span class="badge failed">failed</span>{{end}}</td></tr>
{{end}}</table>

<h2>Findings</h2>
{{if not .WithRows}}<p>No hunt returned rows.</p>{{end}}
{{range .WithRows}}<div class="hunt" id="{{.Hunt.ID}}"><details class="body"{{if or (eq .Worst "high") (eq .Worst "medium")}} open{{end}}><summary class="head">
<div class="hunt-head"><span class="badge {{.Worst}}">{{.Worst}}</span><h3>{{.Hunt.Name}}</h3><span class="muted ent">{{.Hunt.ID}}</span></div>
<div class="muted">{{len .Findings}} finding{{if ne (len .Findings) 1}}s{{end}}{{if .Hunt.Techniques}} · MITRE {{join .Hunt.Techniques ", "}}{{end}}{{if .Hunt.Tactics}} · {{join .Hunt.Tactics ", "}}{{end}} · tables {{join .Hunt.Tables ", "}}</div></summary>
{{if .Hunt.Description}}<details><summary>Description and triage</summary><div class="desc">{{.Hunt.Description}}</div></details>{{end}}
{{$cols := .Columns}}{{range .Groups}}<div class="group {{.Severity}}">
<div><span class="badge {{.Severity}}">{{.Severity}}</span> {{if .Kind}}<b>{{.Kind}}</b> <span class="ent">{{if .Value}}{{.Value}}{{else}}(empty){{end}}</span>{{end}} — {{len .Findings}} row{{if ne (len .Findings) 1}}s{{end}}{{range .Others}} · {{.Kind}} <span class="ent">{{.Value}}</span>{{end}}</div>
<div class="scroll"><table class="rows"><tr><th>severity</th>{{range $cols}}<th>{{.}}</th>{{end}}</tr>
{{range $f := .Findings}}<tr><td><span class="badge {{$f.Severity}}">{{$f.Severity}}</span></td>{{range $cols}}<td><div{{if eq . "Reason" "Description" "Subject" "Subjects"}} class="wide"{{end}}>{{cell $f .}}</div></td>{{end}}</tr>
{{end}}</table></div></div>
{{end}}<details><summary>KQL that produced these findings{{if .Bindings}} and its parameters{{end}}</summary>
{{if .Bindings}}<table><tr><th>Parameter</th><th>Type</th><th>Value</th><th>From</th></tr>
{{range .Bindings}}<tr><td class="ent">{{.Name}}</td><td>{{.Type}}</td><td class="ent">{{.Value}}</td><td>{{.From}}</td></tr>
{{end}}</table>{{end}}<pre>{{.Query}}</pre></details>
</details></div>
{{end}}
{{if .Quiet}}<h2>Hunts without findings</h2>
<table><tr><th>Hunt</th><th>Severity</th><th>MITRE</th><th>Time</th></tr>
{{range .Quiet}}<tr><td>{{.Hunt.ID}}<br><span class="muted">{{.Hunt.Name}}</span></td><td><span class="badge {{.Hunt.Severity}}">{{.Hunt.Severity}}</span></td><td>{{join .Hunt.Techniques ", "}}</td><td class="num">{{dur .Elapsed}}</td></tr>
{{end}}</table>{{end}}
{{if .Failed}}<h2>Failed hunts</h2>
{{range .Failed}}<div class="hunt"><div class="hunt-head"><span class="badge failed">failed</span><h3>{{.Hunt.ID}}</h3></div><pre>{{.Reason}}</pre>{{if .Query}}<details><summary>KQL</summary><pre>{{.Query}}</pre></details>{{end}}</div>
{{end}}{{end}}
{{if .Skipped}}<h2>Skipped hunts</h2>
<table><tr><th>Hunt</th><th>Reason</th></tr>
{{range .Skipped}}<tr><td>{{.Hunt.ID}}</td><td>{{.Reason}}</td></tr>
{{end}}</table>{{end}}

<h2>Data</h2>
{{if .Sources}}<p>Bound: {{range $i, $s := .Sources}}{{if $i}}, {{end}}<span class="ent">{{$s}}</span>{{end}}</p>{{end}}
<table><tr><th>Table</th><th>Rows</th><th>Time column</th><th>First</th><th>Last</th></tr>
{{range .Data}}<tr><td class="ent">{{.Name}}</td><td class="num">{{.Rows}}</td><td>{{.TimeColumn}}</td><td>{{.First}}</td><td>{{.Last}}</td></tr>
{{end}}</table>
{{if .NProblems}}<p><b>{{.NProblems}} row{{if ne .NProblems 1}}s{{end}} could not be loaded</b>{{if gt .NProblems (len .Problems)}} (first {{len .Problems}} shown){{end}}:</p>
<pre>{{range .Problems}}{{.}}
{{end}}</pre>{{else}}<p class="muted">Every row loaded cleanly.</p>{{end}}
{{if .Params}}<p>Parameters given: {{range .Params}}<span class="ent">{{.}}</span> {{end}}</p>{{end}}
</body>
</html>
`
