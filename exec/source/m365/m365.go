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

	"github.com/kqlhunt/kqlhunt/exec/catalog"
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
	return read(f, opts, eachCSV)
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
	return read(f, opts, eachJSON)
}

// mapper is one output table.
type mapper struct {
	table  string
	cols   []column
	kinds  map[string]types.Kind
	schema *arrow.Schema
	// build maps a record; want limits the columns (nil = all); check
	// only collects the problems.
	build func(r *record, want map[string]bool, check bool) *row
}

func newMappers() []*mapper {
	var out []*mapper
	for _, t := range []string{OfficeActivity, CloudAppEvents} {
		m := &mapper{table: t, cols: tableColumns(t), schema: Schema(t)}
		m.kinds = make(map[string]types.Kind, len(m.cols))
		for _, c := range m.cols {
			m.kinds[c.Name] = c.Kind
		}
		switch t {
		case OfficeActivity:
			m.build = func(r *record, want map[string]bool, check bool) *row {
				return officeActivity(r, m.cols, m.kinds, want, check)
			}
		default:
			m.build = func(r *record, want map[string]bool, check bool) *row { return cloudAppEvents(r, m.kinds, want, check) }
		}
		out = append(out, m)
	}
	return out
}

// read checks every record once (reporting what cannot be loaded) and
// returns the two tables, which re-read the file when scanned.
func read(f *source.File, opts *source.Options, each func(*source.File, eachFn) error) ([]source.Part, error) {
	mappers := newMappers()
	var rows int64
	err := each(f, func(r *record, bad *catalog.Problem) error {
		if bad != nil {
			return opts.Problem(*bad)
		}
		rows++
		for _, m := range mappers {
			for _, p := range m.build(r, nil, true).problems {
				if err := opts.Problem(catalog.Problem{File: f.Path, Line: r.n, Field: m.table + "." + p.Field, Reason: p.Reason}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	parts := make([]source.Part, 0, len(mappers))
	for _, m := range mappers {
		parts = append(parts, source.BagPart(m.table, m.schema, rows, func(req source.ScanRequest, yield func(*types.Bag) error) error {
			want := make(map[string]bool, req.Schema.NumFields())
			for _, fl := range req.Schema.Fields() {
				want[fl.Name] = true
			}
			return each(f, func(r *record, bad *catalog.Problem) error {
				if bad != nil {
					return nil // reported by read
				}
				return yield(m.build(r, want, false).bag)
			})
		}))
	}
	return parts, nil
}
