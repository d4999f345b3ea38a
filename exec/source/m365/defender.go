package m365

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/schemas"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// defenderRow maps a Defender XDR streaming API record
// ({"time", "tenantId", "operationName": "Publish",
// "category": "AdvancedHunting-<Table>", "properties": {<row>}}) to a row of
// <Table>: the properties are the row's columns under their own names,
// typed by the table's schema; properties the schema does not list become
// extra columns (the product adds columns before the documentation does).
// Timestamp (and TimeGenerated, when the schema has it) default to the
// envelope time.
//
// A record whose properties do not fit its category's schema (most keys are
// not columns of that table) is loaded under its category, as Defender
// routes it, but reported: its foreign keys are left out, and the problem
// names the table they fit.
func defenderRow(env *obj) mapped {
	cat := env.str("category")
	table := cat[strings.IndexByte(cat, '-')+1:]
	props := env.sub("properties")
	vals := types.NewBag(props.b.Len() + 2)
	for _, k := range props.b.Keys() {
		v, _ := props.b.Get(k)
		vals.Set(k, v)
	}
	m := mapped{table: table, vals: vals, extras: true}
	cols := tableColumns(table)
	if len(cols) > 0 {
		declared := make(map[string]bool, len(cols))
		for _, c := range cols {
			declared[c.Name] = true
		}
		known := 0
		for _, k := range props.b.Keys() {
			if declared[k] {
				known++
			}
		}
		unknown := props.b.Len() - known
		if unknown >= 5 && known*2 < props.b.Len() {
			m.extras = false
			m.issue = fmt.Sprintf("category %s, but the properties do not fit table %s: %d of their %d keys are not its columns; the row is loaded into %s without them", cat, table, unknown, props.b.Len(), table)
			if best := bestTable(props.b.Keys(), table); best != "" {
				m.issue += fmt.Sprintf(" (the properties are a %s row", best)
				if at := props.str("ActionType"); at != "" {
					m.issue += ", ActionType " + at
				}
				m.issue += ")"
			}
		}
		if declared["TimeGenerated"] && !props.has("TimeGenerated") {
			vals.Set("TimeGenerated", firstOf(props.val("Timestamp"), env.val("time")))
		}
	}
	if !props.has("Timestamp") {
		vals.Set("Timestamp", env.val("time"))
	}
	return m
}

// bestTable is the embedded schema that has the most of keys as columns
// (other than not), "" when none has most of them.
func bestTable(keys []string, not string) string {
	var names []string
	for n := range schemas.Builtin() {
		names = append(names, n)
	}
	sort.Strings(names)
	best, bestN := "", 0
	for _, n := range names {
		if n == not {
			continue
		}
		s := schemas.Builtin()[n]
		c := 0
		for _, k := range keys {
			if s.Index(k) >= 0 {
				c++
			}
		}
		if c > bestN {
			best, bestN = n, c
		}
	}
	if bestN*2 <= len(keys) {
		return ""
	}
	return best
}
