// Package m365 reads Microsoft 365, Entra ID and Defender XDR exports into
// the tables hunting queries use.
//
// Formats (registered with exec/source, detected by content):
//
//   - "ual-csv": Unified Audit Log CSV exports, the Purview audit search
//     (RecordId, CreationDate, RecordType, Operation, UserId, AuditData, ...)
//     and the older portal / Search-UnifiedAuditLog layout (CreationDate,
//     UserIds, Operations, AuditData).
//   - "o365-json": Office 365 Management Activity API records (the AuditData
//     objects) as a JSON array, JSON lines or concatenated objects, and
//     Search-UnifiedAuditLog results saved as JSON (AuditData nested).
//   - "officeactivity-csv": Sentinel OfficeActivity CSV exports and
//     projections; CloudAppEvents is derived from the same rows.
//   - "azure-json": Entra ID diagnostic-settings / Event Hub envelopes,
//     Defender XDR streaming API envelopes, Microsoft Graph directoryAudits /
//     signIns objects and Exchange message trace OData records, each record
//     routed to its table (SigninLogs, AuditLogs, EmailEvents, MessageTrace…).
//   - "message-trace-csv": Get-MessageTrace output saved as CSV.
//   - "sentinel-csv": other Log Analytics / Defender CSV exports, typed by
//     the schema of their table.
//
// A UAL file becomes two tables, OfficeActivity (the Sentinel shape) and
// CloudAppEvents (the Defender shape); docs/m365-mapping.md has every column
// mapping. Rows that cannot be read are reported with file, line and reason.
package m365

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Priority is the detection priority of the formats (above the generic
// CSV and JSON readers, which would otherwise take these files).
const Priority = 10

func init() {
	source.Register(ualCSV{}, Priority)
	source.Register(managementJSON{}, Priority)
	source.Register(officeCSV{}, Priority)
	source.Register(azureJSON{}, Priority)
	source.Register(messageTraceCSV{}, Priority)
	source.Register(sentinelCSV{}, Priority-1)
}

type ualCSV struct{}

func (ualCSV) Name() string { return "ual-csv" }

func (ualCSV) Detect(path string, head []byte) bool { return detectCSV(head) }

func (ualCSV) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	return readOnce(f, opts, splitCSV, newMappers())
}

type managementJSON struct{}

func (managementJSON) Name() string { return "o365-json" }

func (managementJSON) Detect(path string, head []byte) bool {
	switch source.Ext(path) {
	case ".csv", ".tsv", ".parquet", ".arrow", ".eml":
		return false
	}
	return detectJSON(head)
}

func (managementJSON) Read(f *source.File, opts *source.Options) ([]source.Part, error) {
	return readOnce(f, opts, splitJSON, newMappers())
}

// mapper is one output table.
type mapper struct {
	table  string
	cols   []column
	kinds  map[string]types.Kind
	schema *arrow.Schema
	index  map[string]int // column → position
	// fill maps a record into w (newRow or newSlotRow) and returns it.
	fill func(r *record, w *row) *row
}

// slots maps a record into one value per column (see slotsRecord).
func (m *mapper) slots(r *record) *row {
	return m.fill(r, newSlotRow(m.kinds, m.index))
}

func newMappers() []*mapper {
	var out []*mapper
	for _, t := range []string{OfficeActivity, CloudAppEvents} {
		m := &mapper{table: t, cols: tableColumns(t), schema: Schema(t)}
		m.kinds = make(map[string]types.Kind, len(m.cols))
		m.index = make(map[string]int, len(m.cols))
		for i, c := range m.cols {
			m.kinds[c.Name] = c.Kind
			m.index[c.Name] = i
		}
		switch t {
		case OfficeActivity:
			m.fill = func(r *record, w *row) *row { return officeActivity(r, m.cols, w) }
		default:
			m.fill = cloudAppEvents
		}
		out = append(out, m)
	}
	return out
}
