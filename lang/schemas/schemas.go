// Package schemas holds the column lists of the tables hunters query —
// Defender Advanced Hunting and Sentinel / Log Analytics tables, copied from
// their documentation (tables/*.json, one file per table: {"table", "source",
// "columns": [{"name", "type", "description"}]}) — and loads more from a
// directory in the same format (`kqlhunt check --schemas DIR`).
package schemas

import (
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

//go:embed tables/*.json
var tablesFS embed.FS

// Doc is one schema file.
type Doc struct {
	Table   string `json:"table"`
	Source  string `json:"source"`
	Columns []struct {
		Name        string `json:"name"`
		Type        string `json:"type"`
		Description string `json:"description"`
	} `json:"columns"`
}

// Set is a collection of table schemas by name.
type Set map[string]*types.Schema

var (
	once    sync.Once
	builtin Set
	loadErr error
)

// Builtin returns the embedded schemas. A bad embedded file is a build
// defect that TestBuiltin catches; it yields an empty set here.
func Builtin() Set {
	once.Do(func() {
		builtin = Set{}
		ents, err := tablesFS.ReadDir("tables")
		if err != nil {
			loadErr = err
			return
		}
		for _, e := range ents {
			data, err := tablesFS.ReadFile("tables/" + e.Name())
			if err != nil {
				loadErr = err
				return
			}
			if err := builtin.add("tables/"+e.Name(), data); err != nil {
				loadErr = err
				return
			}
		}
	})
	return builtin
}

// Lookup returns the embedded schema of table.
func Lookup(table string) (*types.Schema, bool) {
	s, ok := Builtin()[table]
	return s, ok
}

// LoadDir reads every *.json schema file of dir into a new Set.
func LoadDir(dir string) (Set, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no *.json schema files", dir)
	}
	out := Set{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := out.add(f, data); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s Set) add(file string, data []byte) error {
	var doc Doc
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	if doc.Table == "" {
		doc.Table = strings.TrimSuffix(filepath.Base(file), ".json")
	}
	sc := &types.Schema{}
	for i, c := range doc.Columns {
		k, ok := types.ParseKind(c.Type)
		if !ok {
			return fmt.Errorf("%s: column %d (%s) has unknown type %q", file, i+1, c.Name, c.Type)
		}
		sc.Columns = append(sc.Columns, types.Column{Name: c.Name, Type: k})
	}
	addTimeAliases(doc.Table, sc)
	s[doc.Table] = sc
	return nil
}

// defenderPrefixes and defenderTables name the Microsoft Defender XDR
// Advanced Hunting tables. In Defender their event time is Timestamp; when
// Sentinel ingests them they also carry TimeGenerated, and the unified
// Advanced Hunting accepts both. The Log Analytics reference pages list only
// TimeGenerated for some of them (DeviceInfo, DeviceEvents, AlertInfo, …) and
// the Defender pages only Timestamp for others, so a table of this family
// gets whichever of the two its document lacks.
var (
	defenderPrefixes = []string{"Device", "Email", "Identity", "Alert", "Behavior", "Url", "Message", "Exposure"}
	defenderTables   = map[string]bool{
		"CloudAppEvents": true, "AADSignInEventsBeta": true, "AADSpnSignInEventsBeta": true,
		"EntraIdSignInEvents": true, "EntraIdSpnSignInEvents": true, "OAuthAppInfo": true,
		"CloudAuditEvents": true, "AgentsInfo": true, "DataSecurityEvents": true,
		"GraphAPIAuditEvents": true, "CampaignInfo": true, "FileMaliciousContentInfo": true,
	}
)

// IsDefenderTable reports whether table belongs to the Defender XDR
// Advanced Hunting family (see defenderPrefixes).
func IsDefenderTable(table string) bool {
	if defenderTables[table] {
		return true
	}
	for _, p := range defenderPrefixes {
		if strings.HasPrefix(table, p) && len(table) > len(p) && table[len(p)] >= 'A' && table[len(p)] <= 'Z' {
			return true
		}
	}
	return false
}

func addTimeAliases(table string, sc *types.Schema) {
	if !IsDefenderTable(table) {
		return
	}
	hasTS, hasTG := false, false
	for _, c := range sc.Columns {
		switch c.Name {
		case "Timestamp":
			hasTS = true
		case "TimeGenerated":
			hasTG = true
		}
	}
	if !hasTS && !hasTG {
		return // a snapshot table (DeviceTvm*KB, ExposureGraph*) has neither
	}
	if !hasTS {
		sc.Columns = append([]types.Column{{Name: "Timestamp", Type: types.DateTime}}, sc.Columns...)
	}
	if !hasTG {
		sc.Columns = append(sc.Columns, types.Column{Name: "TimeGenerated", Type: types.DateTime})
	}
}

// Union returns a set with the tables of s and of other, where a table in
// both gets the union of their columns: other's columns first, in other's
// order, then the columns only s has, in s's order. When both declare a
// column, other's type wins unless either side says dynamic, and then the
// column is dynamic (the rule of ../shared/schemas/README.md for tables
// documented in two places). `kqlhunt check --schemas DIR` uses it to add a
// directory's schemas to the built-in ones. Neither input is modified.
func (s Set) Union(other Set) Set {
	out := Set{}
	for k, v := range s {
		out[k] = v
	}
	for k, v := range other {
		base, ok := out[k]
		if !ok || base == nil || v == nil {
			out[k] = v
			continue
		}
		out[k] = unionSchema(v, base)
	}
	return out
}

// unionSchema merges the columns of first and then second (see Union).
func unionSchema(first, second *types.Schema) *types.Schema {
	sc := &types.Schema{Open: first.Open || second.Open, OpenType: first.OpenType}
	idx := map[string]int{}
	for _, c := range first.Columns {
		if _, dup := idx[c.Name]; dup {
			continue
		}
		idx[c.Name] = len(sc.Columns)
		sc.Columns = append(sc.Columns, c)
	}
	for _, c := range second.Columns {
		if i, ok := idx[c.Name]; ok {
			if c.Type == types.Dynamic {
				sc.Columns[i].Type = types.Dynamic
			}
			continue
		}
		idx[c.Name] = len(sc.Columns)
		sc.Columns = append(sc.Columns, c)
	}
	return sc
}

// Merge returns a set with the tables of s and then of other: a table in
// both is other's, whole (other wins). Tables bound to data use it: their
// columns are the data's.
func (s Set) Merge(other Set) Set {
	out := Set{}
	for k, v := range s {
		out[k] = v
	}
	for k, v := range other {
		out[k] = v
	}
	return out
}

// Names returns the table names, sorted.
func (s Set) Names() []string {
	out := make([]string, 0, len(s))
	for n := range s {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Table implements the checker's table lookup.
func (s Set) Table(name string) (*types.Schema, bool) {
	t, ok := s[name]
	return t, ok
}

// Err reports a problem reading the embedded schemas (for tests).
func Err() error {
	Builtin()
	return loadErr
}
