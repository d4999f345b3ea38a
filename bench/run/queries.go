package main

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/bench/gen"
)

// A query is one benchmark: its KQL, its DuckDB SQL (over views ev and id)
// and its floor, a direct loop over the Arrow columns it needs. Every
// variant returns a result whose row count and sum of column n (summed
// through arrays for make-series) are compared across the three.
type query struct {
	name  string
	kql   string
	sql   string
	cols  []string // event columns the floor reads
	floor func(rec arrow.Record, st *floorState)
	// approx: n may differ by this fraction (dcount is HyperLogLog).
	approx float64
}

// floorState accumulates a floor's result across records.
type floorState struct {
	count  int64
	groups map[string]int64
	pairs  map[[2]string]struct{}
	ident  map[string]string
	re     *regexp.Regexp
}

func str(rec arrow.Record, i int) *array.String { return rec.Column(i).(*array.String) }

const series12h = int64(12 * 3600 * 1e9)

var queries = []query{
	{
		name: "filter_count",
		kql:  `CloudAppEvents | where ActionType == "FileDownloaded" and CountryCode == "US" | summarize n=count()`,
		sql:  `select count(*) as n from ev where ActionType = 'FileDownloaded' and CountryCode = 'US'`,
		cols: []string{"ActionType", "CountryCode"},
		floor: func(rec arrow.Record, st *floorState) {
			a, c := str(rec, 0), str(rec, 1)
			for i := 0; i < a.Len(); i++ {
				if a.Value(i) == "FileDownloaded" && c.Value(i) == "US" {
					st.count++
				}
			}
		},
	},
	{
		name: "summarize_2keys",
		kql:  `CloudAppEvents | summarize n=count() by AccountObjectId, ActionType`,
		sql:  `select AccountObjectId, ActionType, count(*) as n from ev group by all`,
		cols: []string{"AccountObjectId", "ActionType"},
		floor: func(rec arrow.Record, st *floorState) {
			a, b := str(rec, 0), str(rec, 1)
			for i := 0; i < a.Len(); i++ {
				st.groups[a.Value(i)+"\x00"+b.Value(i)]++
			}
		},
	},
	{
		name:   "dcount",
		kql:    `CloudAppEvents | summarize n=dcount(IPAddress) by AccountObjectId`,
		sql:    `select AccountObjectId, approx_count_distinct(IPAddress) as n from ev group by all`,
		cols:   []string{"AccountObjectId", "IPAddress"},
		approx: 0.02,
		floor: func(rec arrow.Record, st *floorState) {
			a, b := str(rec, 0), str(rec, 1)
			for i := 0; i < a.Len(); i++ {
				k := [2]string{a.Value(i), b.Value(i)}
				if _, ok := st.pairs[k]; !ok {
					st.pairs[k] = struct{}{}
					st.groups[k[0]]++
				}
			}
		},
	},
	{
		name: "make_series",
		kql:  `CloudAppEvents | make-series n=count() default=0 on Timestamp from datetime(2026-01-01) to datetime(2026-03-02) step 12h by ISP`,
		sql: `select ISP, list(c order by b) as n from (
			select ISP, (epoch_ns(Timestamp) - 1767225600000000000) // 43200000000000 as b, count(*) as c
			from ev where Timestamp >= TIMESTAMPTZ '2026-01-01 00:00:00+00' and Timestamp < TIMESTAMPTZ '2026-03-02 00:00:00+00'
			group by all) group by ISP`,
		cols: []string{"Timestamp", "ISP"},
		floor: func(rec arrow.Record, st *floorState) {
			t := rec.Column(0).(*array.Timestamp)
			isp := str(rec, 1)
			for i := 0; i < t.Len(); i++ {
				ts := int64(t.Value(i))
				if ts >= gen.Start && ts < gen.End {
					// the series itself is a [120]int per ISP; the check
					// only needs the per-ISP total.
					_ = (ts - gen.Start) / series12h
					st.groups[isp.Value(i)]++
				}
			}
		},
	},
	{
		name: "top_nested",
		kql:  `CloudAppEvents | top-nested 10 of CountryCode by c=count(), top-nested 3 of ActionType by n=count()`,
		sql: `with a as (select CountryCode, ActionType, count(*) as n from ev group by all),
			b as (select CountryCode, sum(n) as c from a group by all order by c desc limit 10)
			select a.CountryCode, b.c, a.ActionType, a.n from a join b using (CountryCode)
			qualify row_number() over (partition by a.CountryCode order by a.n desc) <= 3`,
		cols: []string{"CountryCode", "ActionType"},
		floor: func(rec arrow.Record, st *floorState) {
			a, b := str(rec, 0), str(rec, 1)
			for i := 0; i < a.Len(); i++ {
				st.groups[a.Value(i)+"\x00"+b.Value(i)]++
			}
		},
	},
	{
		name: "join_identity",
		kql:  `CloudAppEvents | join kind=inner (IdentityInfo) on AccountObjectId | summarize n=count() by Department`,
		sql:  `select Department, count(*) as n from ev join id using (AccountObjectId) group by all`,
		cols: []string{"AccountObjectId"},
		floor: func(rec arrow.Record, st *floorState) {
			a := str(rec, 0)
			for i := 0; i < a.Len(); i++ {
				if d, ok := st.ident[a.Value(i)]; ok {
					st.groups[d]++
				}
			}
		},
	},
	{
		name: "mv_expand",
		kql: `CloudAppEvents | where ActionType in ("New-InboxRule", "Set-InboxRule")
| mv-expand p=RawEventData.Parameters
| where tostring(p.Name) == "ForwardTo" and tostring(p.Value) endswith "@external.example"
| summarize n=count() by AccountObjectId`,
		sql: `select AccountObjectId, count(*) as n from (
			select AccountObjectId, unnest(json_extract(RawEventData, '$.Parameters[*]')) as p
			from ev where ActionType in ('New-InboxRule', 'Set-InboxRule'))
			where p->>'Name' = 'ForwardTo' and ends_with(p->>'Value', '@external.example') group by all`,
		cols: []string{"ActionType", "RawEventData", "AccountObjectId"},
		floor: func(rec arrow.Record, st *floorState) {
			at, raw, acc := str(rec, 0), str(rec, 1), str(rec, 2)
			var ev struct {
				Parameters []struct{ Name, Value string }
			}
			for i := 0; i < at.Len(); i++ {
				if a := at.Value(i); a != "New-InboxRule" && a != "Set-InboxRule" {
					continue
				}
				ev.Parameters = ev.Parameters[:0]
				if json.Unmarshal([]byte(raw.Value(i)), &ev) != nil {
					continue
				}
				for _, p := range ev.Parameters {
					if p.Name == "ForwardTo" && strings.HasSuffix(p.Value, "@external.example") {
						st.groups[acc.Value(i)]++
					}
				}
			}
		},
	},
	{
		name: "regex_extract",
		kql:  `CloudAppEvents | extend v=extract(@"Windows NT (\d+\.\d+)", 1, UserAgent) | summarize n=count() by v`,
		sql:  `select regexp_extract(UserAgent, 'Windows NT (\d+\.\d+)', 1) as v, count(*) as n from ev group by all`,
		cols: []string{"UserAgent"},
		floor: func(rec arrow.Record, st *floorState) {
			u := str(rec, 0)
			for i := 0; i < u.Len(); i++ {
				s := u.Value(i)
				v := ""
				if m := st.re.FindStringSubmatchIndex(s); m != nil {
					v = s[m[2]:m[3]]
				}
				st.groups[v]++
			}
		},
	},
	{
		name: "has_term",
		kql:  `CloudAppEvents | where ObjectName has "confidential" | summarize n=count()`,
		sql:  `select count(*) as n from ev where regexp_matches(ObjectName, '(?i)(^|[^[:alnum:]])confidential([^[:alnum:]]|$)')`,
		cols: []string{"ObjectName"},
		floor: func(rec arrow.Record, st *floorState) {
			o := str(rec, 0)
			for i := 0; i < o.Len(); i++ {
				if hasTerm(o.Value(i), "confidential") {
					st.count++
				}
			}
		},
	},
}

// hasTerm reports whether term (lower case, alphanumeric) occurs in s,
// case-insensitively, with no alphanumeric character on either side.
func hasTerm(s, term string) bool {
	for off := 0; off+len(term) <= len(s); {
		j := indexFold(s[off:], term)
		if j < 0 {
			return false
		}
		j += off
		end := j + len(term)
		if (j == 0 || !alnum(s[j-1])) && (end == len(s) || !alnum(s[end])) {
			return true
		}
		off = j + 1
	}
	return false
}

func indexFold(s, t string) int {
	c0 := t[0]
	for i := 0; i+len(t) <= len(s); i++ {
		if s[i]|0x20 != c0 {
			continue
		}
		ok := true
		for k := 1; k < len(t); k++ {
			if s[i+k]|0x20 != t[k] {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

func alnum(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z' || c >= 0x80
}
