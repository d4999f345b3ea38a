// Package queries is the hunting-pack library: the packs under this
// directory (queries/<pack>/pack.yaml, one YAML per hunt, golden tests in
// queries/<pack>/testdata), embedded in the binary, and the loader and
// validator of hunt files — the library's and Sentinel hunting-query YAML
// files from elsewhere (DESIGN.md §7, docs/hunt.md).
//
//	lib, err := queries.Embedded()        // the packs built into kqlhunt
//	h := lib.Hunt("inbox-rules/suspicious-rule-actions")
//	src, binds, err := h.Source(queries.Bind{Values: map[string]string{"timeback": "30d"}})
//	... engine.Run(ctx, src, ...) ...
//
// A hunt's KQL is laid out by Source so that the query keeps the line and
// column numbers it has in the YAML file: positioned errors point into the
// hunt file.
package queries

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

//go:embed */pack.yaml */*.yaml */testdata/*.txtar
var libraryFS embed.FS

// Severities in increasing order.
var Severities = []string{"informational", "low", "medium", "high"}

// SeverityRank returns the position of s in Severities (-1 if unknown).
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

// EntityKinds are the entity kinds a hunt can declare.
var EntityKinds = []string{"user", "ip", "mailbox", "recipient", "sender", "host", "url", "file", "domain", "app"}

// Library is a set of packs.
type Library struct {
	Packs []*Pack
}

// Pack is a folder of hunts.
type Pack struct {
	ID          string
	Title       string
	Description string
	Playbook    string
	Tactics     []string
	Hunts       []*Hunt
	File        string // path of pack.yaml as shown in messages
}

// Param is a hunt parameter, bound as `let Name = Default;` before the query.
type Param struct {
	Name        string
	Type        string // KQL scalar type name as written
	Kind        types.Kind
	Default     string // a KQL scalar expression
	Description string
	Line        int // line of the parameter in the hunt file
}

// Entity maps an entity kind to the output column holding it.
type Entity struct {
	Kind   string
	Column string
}

// Hunt is one hunting query.
type Hunt struct {
	ID          string
	Name        string
	Description string
	Pack        string // pack id; "" for a file from elsewhere
	File        string // path of the YAML as shown in messages
	Tactics     []string
	Techniques  []string
	Tables      []string // requiredDataConnectors dataTypes (plus tables the query reads, after Validate)
	Query       string
	Severity    string
	Parameters  []Param
	Entities    []Entity
	Tests       []string // golden test paths relative to the pack directory
	Version     string
	External    bool // a Sentinel file from elsewhere (no kqlhunt keys required)

	// where the query text sits in File
	queryLine   int // 1-based line of the `query:` key
	queryIndent int // indentation of a block-literal query; -1 = not a block literal
	keyLines    map[string]int
	entityLines map[string]int // entity kind → line
	fsys        fs.FS          // the files the hunt came from
	dir         string         // the pack directory in fsys
	diskDir     string         // the pack directory on disk, when loaded from disk
}

// KeyLine returns the line of a top-level key in the hunt file (0 if absent).
func (h *Hunt) KeyLine(key string) int { return h.keyLines[key] }

// Problem is a defect of a hunt or pack file.
type Problem struct {
	File  string
	Line  int
	Field string
	Msg   string // may be several lines (a rendered query diagnostic)
}

func (p Problem) String() string {
	if p.File != "" && strings.HasPrefix(p.Msg, p.File+":") {
		return p.Msg // a rendered diagnostic, positioned already
	}
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is a list of problems; as an error it prints one per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Err returns nil when ps is empty.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// Embedded loads the library built into the binary. Problems in it are
// returned along with everything that loaded.
func Embedded() (*Library, error) {
	return loadLibrary(libraryFS, ".", "queries", "", false)
}

// LoadDir loads packs from disk: dir is either a pack (it has pack.yaml) or
// a folder of packs.
func LoadDir(dir string) (*Library, error) {
	fsys := os.DirFS(dir)
	if _, err := fs.Stat(fsys, "pack.yaml"); err == nil {
		parent := filepath.Dir(filepath.Clean(dir))
		base := filepath.Base(filepath.Clean(dir))
		return loadLibrary(os.DirFS(parent), "", parent, base, true)
	}
	return loadLibrary(fsys, ".", dir, "", true)
}

// loadLibrary reads every pack directory of root in fsys (or only the
// pack called only). display is the prefix of paths in messages.
func loadLibrary(fsys fs.FS, root, display, only string, disk bool) (*Library, error) {
	lib := &Library{}
	var probs Problems
	var dirs []string
	if only != "" {
		dirs = []string{only}
	} else {
		ents, err := fs.ReadDir(fsys, root)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if !e.IsDir() || e.Name() == "testdata" || strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "_") {
				continue
			}
			if _, err := fs.Stat(fsys, path.Join(root, e.Name(), "pack.yaml")); err != nil {
				continue
			}
			dirs = append(dirs, path.Join(root, e.Name()))
		}
	}
	for _, d := range dirs {
		p, ps := loadPack(fsys, path.Clean(d), display, disk)
		probs = append(probs, ps...)
		if p != nil {
			lib.Packs = append(lib.Packs, p)
		}
	}
	sort.Slice(lib.Packs, func(i, j int) bool { return lib.Packs[i].ID < lib.Packs[j].ID })
	return lib, probs.Err()
}

// Hunts returns every hunt of every pack.
func (l *Library) Hunts() []*Hunt {
	var out []*Hunt
	for _, p := range l.Packs {
		out = append(out, p.Hunts...)
	}
	return out
}

// Pack returns the pack called id (nil if none).
func (l *Library) Pack(id string) *Pack {
	for _, p := range l.Packs {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// Hunt returns the hunt called id (nil if none).
func (l *Library) Hunt(id string) *Hunt {
	for _, h := range l.Hunts() {
		if h.ID == id {
			return h
		}
	}
	return nil
}

type rawPack struct {
	ID          string   `yaml:"id"`
	Title       string   `yaml:"title"`
	Description string   `yaml:"description"`
	Playbook    string   `yaml:"playbook"`
	Tactics     []string `yaml:"tactics"`
}

func loadPack(fsys fs.FS, dir, display string, disk bool) (*Pack, Problems) {
	var probs Problems
	shown := func(name string) string { return filepath.ToSlash(filepath.Join(display, dir, name)) }
	base := path.Base(dir)
	file := shown("pack.yaml")
	data, err := fs.ReadFile(fsys, path.Join(dir, "pack.yaml"))
	if err != nil {
		return nil, Problems{{File: file, Msg: err.Error()}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Problems{yamlProblem(file, err)}
	}
	var rp rawPack
	if err := root.Decode(&rp); err != nil {
		return nil, Problems{yamlProblem(file, err)}
	}
	lines := keyLines(&root)
	for _, k := range []string{"id", "title", "description"} {
		if _, ok := lines[k]; !ok {
			probs = append(probs, Problem{File: file, Field: k, Msg: "required key missing"})
		}
	}
	if rp.ID != "" && rp.ID != base {
		probs = append(probs, Problem{File: file, Line: lines["id"], Field: "id", Msg: fmt.Sprintf("pack id %q must be the directory name %q", rp.ID, base)})
	}
	p := &Pack{ID: base, Title: rp.Title, Description: strings.TrimSpace(rp.Description), Playbook: rp.Playbook, Tactics: rp.Tactics, File: file}
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, append(probs, Problem{File: file, Msg: err.Error()})
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || name == "pack.yaml" || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		hdata, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			probs = append(probs, Problem{File: shown(name), Msg: err.Error()})
			continue
		}
		h, ps := parseHunt(shown(name), hdata, base)
		probs = append(probs, ps...)
		if h == nil {
			continue
		}
		h.fsys, h.dir = fsys, dir
		if disk {
			h.diskDir = filepath.Join(display, dir)
		}
		short := strings.TrimSuffix(strings.TrimSuffix(name, ".yaml"), ".yml")
		if want := base + "/" + short; h.ID != want {
			probs = append(probs, Problem{File: h.File, Line: h.keyLines["id"], Field: "id", Msg: fmt.Sprintf("%q must be %q (<pack>/<file base name>)", h.ID, want)})
		}
		if len(h.Tests) == 0 {
			m, _ := fs.Glob(fsys, path.Join(dir, "testdata", short+".*.txtar"))
			for _, t := range m {
				h.Tests = append(h.Tests, strings.TrimPrefix(t, dir+"/"))
			}
		} else {
			for _, t := range h.Tests {
				if _, err := fs.Stat(fsys, path.Join(dir, t)); err != nil {
					probs = append(probs, Problem{File: h.File, Line: h.keyLines["tests"], Field: "tests", Msg: fmt.Sprintf("%s: no such file in the pack", t)})
				}
			}
		}
		p.Hunts = append(p.Hunts, h)
	}
	sort.Slice(p.Hunts, func(i, j int) bool { return p.Hunts[i].ID < p.Hunts[j].ID })
	return p, probs
}

// LoadFile loads one hunt file from elsewhere: a Sentinel hunting query
// (GUID id, no kqlhunt keys needed) or a kqlhunt hunt.
func LoadFile(file string) (*Hunt, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	h, probs := parseHunt(file, data, "")
	if len(probs) > 0 {
		return nil, probs
	}
	h.diskDir = filepath.Dir(file)
	h.fsys = os.DirFS(h.diskDir)
	h.dir = "."
	return h, nil
}

type rawParam struct {
	Name        string    `yaml:"name"`
	Type        string    `yaml:"type"`
	Default     yaml.Node `yaml:"default"`
	Description string    `yaml:"description"`
}

type rawHunt struct {
	ID                     string `yaml:"id"`
	Name                   string `yaml:"name"`
	Description            string `yaml:"description"`
	RequiredDataConnectors []struct {
		ConnectorID string   `yaml:"connectorId"`
		DataTypes   []string `yaml:"dataTypes"`
	} `yaml:"requiredDataConnectors"`
	Tactics            []string   `yaml:"tactics"`
	RelevantTechniques []string   `yaml:"relevantTechniques"`
	Query              string     `yaml:"query"`
	Severity           string     `yaml:"severity"`
	Parameters         []rawParam `yaml:"parameters"`
	Entities           yaml.Node  `yaml:"entities"`
	EntityMappings     []struct {
		EntityType    string `yaml:"entityType"`
		FieldMappings []struct {
			Identifier string `yaml:"identifier"`
			ColumnName string `yaml:"columnName"`
		} `yaml:"fieldMappings"`
	} `yaml:"entityMappings"`
	Tests   []string `yaml:"tests"`
	Version string   `yaml:"version"`
}

// knownKeys are the top-level keys of a hunt file; library hunts may use no others.
var knownKeys = map[string]bool{
	"id": true, "name": true, "description": true, "requiredDataConnectors": true, "tactics": true,
	"relevantTechniques": true, "query": true, "severity": true, "parameters": true, "entities": true,
	"entityMappings": true, "tests": true, "version": true, "kind": true, "tags": true, "metadata": true,
	"queryFrequency": true, "queryPeriod": true, "triggerOperator": true, "triggerThreshold": true,
	"status": true, "customDetails": true, "alertDetailsOverride": true, "eventGroupingSettings": true,
}

func yamlErr(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?(?:unmarshal errors:\n\s*)?line (\d+): (.*)$`)

// yamlProblem turns a YAML error into a problem at its line.
func yamlProblem(file string, err error) Problem {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return Problem{File: file, Line: n, Msg: "YAML: " + m[2]}
	}
	return Problem{File: file, Msg: "YAML: " + yamlErr(err)}
}

func keyLines(root *yaml.Node) map[string]int {
	out := map[string]int{}
	m := root
	if m.Kind == yaml.DocumentNode && len(m.Content) > 0 {
		m = m.Content[0]
	}
	if m.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		out[m.Content[i].Value] = m.Content[i].Line
	}
	return out
}

func mapValue(root *yaml.Node, key string) *yaml.Node {
	m := root
	if m.Kind == yaml.DocumentNode && len(m.Content) > 0 {
		m = m.Content[0]
	}
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// parseHunt parses one hunt file. pack is the pack id for library hunts
// ("" for files from elsewhere, which get Sentinel defaults).
func parseHunt(file string, data []byte, pack string) (*Hunt, Problems) {
	var probs Problems
	bad := func(line int, field, format string, args ...any) {
		probs = append(probs, Problem{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Problems{yamlProblem(file, err)}
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, Problems{{File: file, Msg: "not a hunt: expected a YAML mapping (id, name, query, ...)"}}
	}
	var r rawHunt
	if err := root.Decode(&r); err != nil {
		return nil, Problems{yamlProblem(file, err)}
	}
	lines := keyLines(&root)
	h := &Hunt{
		ID: r.ID, Name: r.Name, Description: strings.TrimSpace(r.Description), Pack: pack, File: file,
		Tactics: r.Tactics, Techniques: r.RelevantTechniques, Query: r.Query,
		Severity: strings.ToLower(strings.TrimSpace(r.Severity)), Tests: r.Tests, Version: r.Version,
		External: pack == "", keyLines: lines, queryLine: lines["query"], queryIndent: -1,
	}
	required := []string{"id", "name", "query"}
	if pack != "" {
		required = []string{"id", "name", "description", "requiredDataConnectors", "tactics", "relevantTechniques", "query", "severity", "entities"}
		for k, line := range lines {
			if !knownKeys[k] {
				bad(line, k, "unknown key (known: id, name, description, requiredDataConnectors, tactics, relevantTechniques, query, severity, parameters, entities, tests, version)")
			}
		}
	}
	for _, k := range required {
		if _, ok := lines[k]; !ok {
			bad(0, k, "required key missing")
		}
	}
	if strings.TrimSpace(r.Query) == "" && lines["query"] > 0 {
		bad(lines["query"], "query", "empty query")
	}
	if h.Severity == "" && pack == "" {
		h.Severity = "medium"
	}
	if h.Severity != "" && SeverityRank(h.Severity) < 0 {
		bad(lines["severity"], "severity", "%q is not one of informational, low, medium, high", r.Severity)
	}
	seenTable := map[string]bool{}
	for _, c := range r.RequiredDataConnectors {
		for _, t := range c.DataTypes {
			if !seenTable[t] {
				seenTable[t] = true
				h.Tables = append(h.Tables, t)
			}
		}
	}
	if pack != "" && len(h.Tables) == 0 && lines["requiredDataConnectors"] > 0 {
		bad(lines["requiredDataConnectors"], "requiredDataConnectors", "lists no dataTypes (the tables the hunt needs)")
	}
	for _, t := range h.Techniques {
		if !validTechnique(t) {
			bad(lines["relevantTechniques"], "relevantTechniques", "%q is not a MITRE ATT&CK technique id (T1234 or T1234.001)", t)
		}
	}
	// the query's position
	if qn := mapValue(&root, "query"); qn != nil {
		if qn.Style&yaml.LiteralStyle != 0 {
			h.queryLine = qn.Line
			h.queryIndent = blockIndent(data, qn.Line)
		}
	}
	// parameters
	if pn := mapValue(&root, "parameters"); pn != nil && pn.Kind == yaml.SequenceNode {
		seen := map[string]bool{}
		for i, rp := range r.Parameters {
			line := pn.Content[i].Line
			p := Param{Name: rp.Name, Type: rp.Type, Description: strings.TrimSpace(rp.Description), Line: line}
			if rp.Default.Kind == yaml.ScalarNode {
				p.Default = strings.TrimSpace(rp.Default.Value)
				if rp.Default.Tag == "!!str" && rp.Default.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && p.Default == "" {
					p.Default = `""`
				}
			}
			field := fmt.Sprintf("parameters[%d]", i)
			switch {
			case !isIdent(p.Name):
				bad(line, field+".name", "%q is not a KQL name", p.Name)
			case seen[p.Name]:
				bad(line, field+".name", "parameter %s is declared twice", p.Name)
			}
			seen[p.Name] = true
			k, ok := types.ParseKind(strings.TrimSpace(p.Type))
			if !ok || k == types.Unknown {
				bad(line, field+".type", "%q is not a KQL scalar type (string, long, int, real, bool, datetime, timespan, dynamic, guid)", p.Type)
			}
			p.Kind = k
			if p.Default == "" {
				bad(line, field+".default", "parameter %s has no default (a KQL scalar expression, e.g. ago(30d), \"\", dynamic([]))", p.Name)
			}
			h.Parameters = append(h.Parameters, p)
		}
	} else if pn != nil && pn.Kind != yaml.ScalarNode {
		bad(lines["parameters"], "parameters", "expected a list of {name, type, default, description}")
	}
	// entities
	if r.Entities.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(r.Entities.Content); i += 2 {
			k, v := r.Entities.Content[i], r.Entities.Content[i+1]
			kind := strings.ToLower(k.Value)
			if !contains(EntityKinds, kind) {
				bad(k.Line, "entities", "unknown entity kind %q (known: %s)", k.Value, strings.Join(EntityKinds, ", "))
				continue
			}
			if v.Kind != yaml.ScalarNode || v.Value == "" {
				bad(k.Line, "entities."+kind, "expected the name of an output column")
				continue
			}
			h.Entities = append(h.Entities, Entity{Kind: kind, Column: v.Value})
			if h.entityLines == nil {
				h.entityLines = map[string]int{}
			}
			h.entityLines[kind] = k.Line
		}
	} else if r.Entities.Kind != 0 && !(r.Entities.Kind == yaml.ScalarNode && r.Entities.Value == "") {
		bad(lines["entities"], "entities", "expected a mapping of entity kind to output column")
	}
	if len(h.Entities) == 0 {
		h.Entities = entitiesFromMappings(r)
	}
	if pack != "" && lines["entities"] > 0 && len(h.Entities) == 0 && len(probs) == 0 {
		bad(lines["entities"], "entities", "declares no entity")
	}
	return h, probs
}

// entitiesFromMappings maps Sentinel entityMappings onto entity kinds.
func entitiesFromMappings(r rawHunt) []Entity {
	var out []Entity
	seen := map[string]bool{}
	add := func(kind, col string) {
		if col != "" && !seen[kind] {
			seen[kind] = true
			out = append(out, Entity{Kind: kind, Column: col})
		}
	}
	for _, m := range r.EntityMappings {
		fields := map[string]string{}
		var first string
		for _, f := range m.FieldMappings {
			fields[strings.ToLower(f.Identifier)] = f.ColumnName
			if first == "" {
				first = f.ColumnName
			}
		}
		pick := func(ids ...string) string {
			for _, id := range ids {
				if c := fields[strings.ToLower(id)]; c != "" {
					return c
				}
			}
			return first
		}
		switch strings.ToLower(m.EntityType) {
		case "account":
			add("user", pick("FullName", "Name", "UPNSuffix", "AadUserId", "ObjectGuid", "Sid"))
		case "ip":
			add("ip", pick("Address"))
		case "mailbox":
			add("mailbox", pick("MailboxPrimaryAddress", "DisplayName"))
		case "mailmessage":
			if c := fields["recipient"]; c != "" {
				add("recipient", c)
			}
			if c := fields["sender"]; c != "" {
				add("sender", c)
			}
		case "host":
			add("host", pick("FullName", "HostName", "NetBiosName"))
		case "url":
			add("url", pick("Url"))
		case "file":
			add("file", pick("Name", "Directory"))
		case "dns":
			add("domain", pick("DomainName"))
		case "cloudapplication":
			add("app", pick("Name", "AppId"))
		}
	}
	return out
}

// blockIndent is the indentation of the first non-blank line after line
// (the content of a block scalar whose indicator is on line).
func blockIndent(data []byte, line int) int {
	ls := bytes.Split(data, []byte("\n"))
	for i := line; i < len(ls); i++ {
		l := bytes.TrimRight(ls[i], "\r")
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		return len(l) - len(bytes.TrimLeft(l, " "))
	}
	return -1
}

func validTechnique(t string) bool {
	if len(t) < 5 || t[0] != 'T' {
		return false
	}
	main, sub, hasSub := strings.Cut(t[1:], ".")
	if len(main) != 4 || !digits(main) {
		return false
	}
	return !hasSub || (len(sub) == 3 && digits(sub))
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func isIdent(s string) bool {
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return s != ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestFile opens one of the hunt's golden tests (a path from Tests).
func (h *Hunt) TestFile(name string) ([]byte, error) {
	return fs.ReadFile(h.fsys, path.Join(h.dir, name))
}

// TestPath is where a test file lives on disk ("" when the hunt is embedded
// and the file cannot be rewritten).
func (h *Hunt) TestPath(name string) string {
	if h.diskDir == "" {
		return ""
	}
	return filepath.Join(h.diskDir, filepath.FromSlash(name))
}
