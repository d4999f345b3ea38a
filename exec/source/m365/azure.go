package m365

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// azureJSON reads the JSON shapes Microsoft's log pipelines emit outside
// the Unified Audit Log, routing every record to its table:
//
//   - the Azure Monitor diagnostic-settings / Event Hub envelope of Entra ID
//     (time, category, operationName, properties{}) → SigninLogs,
//     AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs,
//     AADManagedIdentitySignInLogs, AuditLogs, MicrosoftGraphActivityLogs,
//     AADUserRiskEvents, AADRiskyUsers, … by category (entra.go);
//   - the Defender XDR streaming API envelope (category
//     AdvancedHunting-<Table>, properties{}) → that Advanced Hunting table
//     (defender.go);
//   - Microsoft Graph auditLogs/directoryAudits and signIns objects (also
//     inside a {"value": [...]} page) → AuditLogs / SigninLogs;
//   - Exchange message trace records of the Reporting Web Service
//     (OData, /Date(ms)/ times; also {"d": {"results": [...]}}) → MessageTrace
//     (msgtrace.go).
//
// A file may mix them. Records of none of these shapes are reported and
// skipped.
type azureJSON struct{}

func (azureJSON) Name() string { return "azure-json" }

func (azureJSON) Detect(path string, head []byte) bool {
	switch source.Ext(path) {
	case ".csv", ".tsv", ".parquet", ".arrow", ".eml":
		return false
	}
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) > 0 && t[0] == '[' {
		t = bytes.TrimLeft(t[1:], " \t\r\n")
	}
	if len(t) == 0 || t[0] != '{' {
		return false
	}
	v, err := types.ParseDynamic(string(firstObject(t)))
	b, ok := v.(*types.Bag)
	if err != nil || !ok {
		return false
	}
	b = unwrapFirst(b)
	return b != nil && shapeOf(newObj(b)) != shapeNone
}

// firstObject returns the text of the first JSON object of t (which starts
// with '{'), or all of t when it cannot be delimited.
func firstObject(t []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(t))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return t
	}
	return raw
}

// unwrapFirst returns the first record of a batch (pageRecords), else b
// itself.
func unwrapFirst(b *types.Bag) *types.Bag {
	if list, ok := pageRecords(b); ok {
		for _, e := range list {
			if eb, ok := e.(*types.Bag); ok {
				return eb
			}
		}
		return nil
	}
	return b
}

// pageRecords recognises a batch of records: an Azure Monitor Event Hub
// message ({"records": [...]}), a Graph page ({"@odata.context", "value":
// [...]}) or an OData verbose result ({"d": {"results": [...]}}).
func pageRecords(b *types.Bag) ([]any, bool) {
	if v, ok := b.Get("records"); ok && b.Len() == 1 {
		if list, ok := v.([]any); ok {
			return list, true
		}
	}
	if v, ok := b.Get("value"); ok {
		if list, ok := v.([]any); ok {
			if _, ctx := b.Get("@odata.context"); ctx || b.Len() <= 3 {
				return list, true
			}
		}
	}
	if v, ok := b.Get("d"); ok && b.Len() == 1 {
		if d, ok := v.(*types.Bag); ok {
			if r, ok := d.Get("results"); ok {
				if list, ok := r.([]any); ok {
					return list, true
				}
			}
		}
	}
	return nil, false
}

// shape is what kind of record an object is.
type shape int

const (
	shapeNone shape = iota
	shapeEnvelope
	shapeDefender
	shapeGraphAudit
	shapeGraphSignIn
	shapeMessageTrace
)

func shapeOf(o *obj) shape {
	cat := o.str("category")
	if p, ok := o.get("properties"); ok {
		// Some pipelines write properties as JSON text.
		if s, isText := p.(string); isText {
			if pv := jsonText(s); pv != any(s) {
				if pb, ok := pv.(*types.Bag); ok {
					for _, k := range o.b.Keys() {
						if strings.EqualFold(k, "properties") {
							o.b.Set(k, pb)
						}
					}
				}
			}
		}
	}
	if p, ok := o.get("properties"); ok {
		if _, isBag := p.(*types.Bag); isBag && cat != "" {
			if strings.HasPrefix(strings.ToLower(cat), "advancedhunting-") {
				return shapeDefender
			}
			if o.has("time") || o.has("operationName") {
				return shapeEnvelope
			}
		}
	}
	// Graph objects are camelCase and message trace records PascalCase:
	// keys are matched exactly, so that Sentinel-shaped rows (PascalCase
	// CreatedDateTime, IPAddress, …) stay with the generic readers.
	has := func(k string) bool { _, ok := o.b.Get(k); return ok }
	switch {
	case has("activityDisplayName") && has("activityDateTime"):
		return shapeGraphAudit
	case has("createdDateTime") && has("ipAddress") && (has("userPrincipalName") || has("servicePrincipalId") || has("appId")):
		return shapeGraphSignIn
	case has("MessageTraceId") && has("SenderAddress") && has("RecipientAddress"):
		return shapeMessageTrace
	}
	return shapeNone
}

func (azureJSON) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	return readRouted(f, opts, eachAzure, routeAzure)
}

// eachAzure calls fn for every record of the file (page wrappers unwrapped).
func eachAzure(f *source.File, fn func(n int, o *obj, bad *catalog.Problem) error) error {
	return source.EachJSON(f, func(n int, v any, err error) error {
		if err != nil {
			return fn(n, nil, &catalog.Problem{File: f.Path, Line: n, Reason: "record skipped: " + err.Error()})
		}
		b, ok := v.(*types.Bag)
		if !ok {
			return fn(n, nil, &catalog.Problem{File: f.Path, Line: n, Reason: fmt.Sprintf("record skipped: a JSON %s, not an object", types.DynamicTypeName(v))})
		}
		if list, ok := pageRecords(b); ok {
			for i, e := range list {
				eb, ok := e.(*types.Bag)
				if !ok {
					if err := fn(n, nil, &catalog.Problem{File: f.Path, Line: n, Reason: fmt.Sprintf("record skipped: element %d of the batch is a JSON %s, not an object", i+1, types.DynamicTypeName(e))}); err != nil {
						return err
					}
					continue
				}
				if err := fn(n, newObj(eb), nil); err != nil {
					return err
				}
			}
			return nil
		}
		return fn(n, newObj(b), nil)
	})
}

// routeAzure maps one record to its table.
func routeAzure(o *obj) mapped {
	switch shapeOf(o) {
	case shapeDefender:
		return defenderRow(o)
	case shapeEnvelope:
		return entraEnvelope(o)
	case shapeGraphAudit:
		return entraRow(AuditLogs, "", nil, o)
	case shapeGraphSignIn:
		return entraRow(graphSignInTable(o), "", nil, o)
	case shapeMessageTrace:
		return messageTraceRow(o)
	}
	return mapped{skip: "record skipped: not an Entra diagnostic / Event Hub, Defender streaming, Graph directoryAudit / signIn or message trace record"}
}

// ---- routed multi-table reading ----

// mapped is one record mapped to a table row.
type mapped struct {
	table string
	vals  *types.Bag // column → value (dynamic), before conversion to the column type
	// extras lets keys outside the table's schema become extra columns
	// (typed from their values) instead of being left out.
	extras bool
	issue  string // reported; the row is still loaded
	skip   string // reported; the row is not loaded
}

// tableDef is one output table of a routed read: the schema columns, then
// extra columns found in the data.
type tableDef struct {
	name   string
	cols   []column
	kinds  map[string]types.Kind
	extras []string
	weak   map[string]bool // extra columns seen only with null values so far
	rows   int64
}

func newTableDef(name string) *tableDef {
	d := &tableDef{name: name, cols: tableColumns(name), kinds: map[string]types.Kind{}, weak: map[string]bool{}}
	for _, c := range d.cols {
		d.kinds[c.Name] = c.Kind
	}
	return d
}

// addExtra records a value of a column outside the schema, widening its type.
func (d *tableDef) addExtra(col string, v any) {
	k, seen := d.kinds[col]
	if !seen {
		d.extras = append(d.extras, col)
		d.weak[col] = true
	}
	if v == nil {
		if !seen {
			d.kinds[col] = types.String
		}
		return
	}
	vk := valueKind(col, v)
	switch {
	case !seen || d.weak[col]:
		d.kinds[col] = vk
		delete(d.weak, col)
	case k == vk:
	case (k == types.Long && vk == types.Real) || (k == types.Real && vk == types.Long):
		d.kinds[col] = types.Real
	case k == types.DateTime && vk == types.String:
		d.kinds[col] = types.String
	case k == types.String && vk == types.DateTime:
	default:
		d.kinds[col] = types.Dynamic
	}
}

// valueKind is the column type a JSON value suggests; strings are datetime
// in columns named like times when they parse as one.
func valueKind(col string, v any) types.Kind {
	switch x := v.(type) {
	case bool:
		return types.Bool
	case int64:
		return types.Long
	case float64:
		return types.Real
	case string:
		if looksTimeColumn(col) {
			if _, ok := parseTime(x); ok {
				return types.DateTime
			}
		}
		return types.String
	}
	return types.Dynamic
}

func looksTimeColumn(col string) bool {
	return col == "Timestamp" || col == "TimeGenerated" || strings.HasSuffix(col, "Time") || strings.HasSuffix(col, "DateTime") || strings.HasSuffix(col, "Date") || strings.HasSuffix(col, "Timestamp")
}

func (d *tableDef) arrowSchema() *arrow.Schema {
	fields := make([]arrow.Field, 0, len(d.cols)+len(d.extras))
	for _, c := range d.cols {
		fields = append(fields, kernels.Field(c.Name, c.Kind))
	}
	for _, e := range d.extras {
		fields = append(fields, kernels.Field(e, d.kinds[e]))
	}
	return arrow.NewSchema(fields, nil)
}

// convert turns a row's values into the bag a scan yields (check: only
// collect the problems). want limits the columns (nil = all).
func (d *tableDef) convert(m mapped, want map[string]bool, check bool) *row {
	w := newRow(d.kinds, want)
	w.check = check
	for i := 0; i < m.vals.Len(); i++ {
		k, v := m.vals.At(i)
		kind, ok := d.kinds[k]
		if !ok {
			continue
		}
		if kind == types.Dynamic {
			v = jsonText(v)
		}
		w.set(k, v)
	}
	return w
}

// jsonText parses a string holding a JSON object or array (how many
// exports write dynamic values); other values are returned as they are.
func jsonText(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	t := strings.TrimSpace(s)
	if len(t) < 2 || (t[0] != '{' && t[0] != '[') {
		return v
	}
	if pv, err := types.ParseDynamic(t); err == nil {
		return pv
	}
	return v
}

// readRouted reads a file whose records each go to one table: a first pass
// routes every record, reports what cannot be loaded and types the extra
// columns; each table's scan reads the file again.
func readRouted(f *source.File, opts *source.Options, each func(*source.File, func(int, *obj, *catalog.Problem) error) error, route func(*obj) mapped) ([]source.Part, error) {
	defs := map[string]*tableDef{}
	var order []string
	err := each(f, func(n int, o *obj, bad *catalog.Problem) error {
		if bad != nil {
			if err := opts.Problem(*bad); err != nil || o == nil {
				return err
			}
		}
		m := route(o)
		if m.skip != "" {
			return opts.Problem(catalog.Problem{File: f.Path, Line: n, Reason: m.skip})
		}
		d := defs[m.table]
		if d == nil {
			d = newTableDef(m.table)
			defs[m.table] = d
			order = append(order, m.table)
		}
		d.rows++
		if m.issue != "" {
			if err := opts.Problem(catalog.Problem{File: f.Path, Line: n, Reason: m.issue}); err != nil {
				return err
			}
		}
		if m.extras || len(d.cols) == 0 {
			for i := 0; i < m.vals.Len(); i++ {
				k, v := m.vals.At(i)
				if _, declared := schemaKind(d, k); !declared {
					d.addExtra(k, v)
				}
			}
		}
		for _, p := range d.convert(m, nil, true).problems {
			if err := opts.Problem(catalog.Problem{File: f.Path, Line: n, Field: m.table + "." + p.Field, Reason: p.Reason}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(order) == 1 && opts.TableName() != source.TableName(f.Path) {
		// Bound under a name of its own (--data NAME=PATH): a file of a
		// single table takes that name.
		opts.Notef("%s: %s rows bound as %s", f.Path, order[0], opts.TableName())
	}
	parts := make([]source.Part, 0, len(order))
	for _, name := range order {
		d := defs[name]
		partName := name
		if len(order) == 1 && opts.TableName() != source.TableName(f.Path) {
			partName = ""
		}
		parts = append(parts, source.BagPart(partName, d.arrowSchema(), d.rows, func(req source.ScanRequest, yield func(*types.Bag) error) error {
			want := make(map[string]bool, req.Schema.NumFields())
			for _, fl := range req.Schema.Fields() {
				want[fl.Name] = true
			}
			return each(f, func(n int, o *obj, bad *catalog.Problem) error {
				if o == nil {
					return nil // reported by the first pass
				}
				m := route(o)
				if m.skip != "" || m.table != d.name {
					return nil
				}
				return yield(d.convert(m, want, false).bag)
			})
		}))
	}
	return parts, nil
}

// schemaKind is the declared kind of a schema column of d.
func schemaKind(d *tableDef, col string) (types.Kind, bool) {
	for _, c := range d.cols {
		if c.Name == col {
			return c.Kind, true
		}
	}
	return types.Unknown, false
}

// ---- case-insensitive objects ----

// obj is a JSON object whose keys are also found case-insensitively
// (Panther lower-cases some envelope keys).
type obj struct {
	b     *types.Bag
	lower map[string]string
}

func newObj(b *types.Bag) *obj { return &obj{b: b} }

func (o *obj) get(key string) (any, bool) {
	if o == nil || o.b == nil {
		return nil, false
	}
	if v, ok := o.b.Get(key); ok {
		return v, true
	}
	if o.lower == nil {
		o.lower = make(map[string]string, o.b.Len())
		for _, k := range o.b.Keys() {
			lk := strings.ToLower(k)
			if _, dup := o.lower[lk]; !dup {
				o.lower[lk] = k
			}
		}
	}
	if k, ok := o.lower[strings.ToLower(key)]; ok {
		return o.b.Get(k)
	}
	return nil, false
}

// val is get without the flag; null and absent are both nil.
func (o *obj) val(key string) any {
	v, _ := o.get(key)
	return v
}

func (o *obj) has(key string) bool {
	_, ok := o.get(key)
	return ok
}

// str is the key's value as text ("" when absent or null).
func (o *obj) str(key string) string {
	switch x := o.val(key).(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		return types.FormatDynamic(x)
	}
}

// sub returns the object under key, or nil.
func (o *obj) sub(key string) *obj {
	if b, ok := o.val(key).(*types.Bag); ok {
		return newObj(b)
	}
	return nil
}

// first returns the first non-null value among keys.
func (o *obj) first(keys ...string) any {
	for _, k := range keys {
		if v := o.val(k); v != nil {
			return v
		}
	}
	return nil
}
