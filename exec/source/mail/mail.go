// Package mail reads raw messages and mailbox-state exports into the
// project's own tables (see docs/sources-mail.md):
//
//   - "eml" and "mbox": RFC 5322 messages (.eml files, folders of them,
//     mbox files) → EmailHeaders, one row per message.
//   - "inbox-rules": Get-InboxRule exports (Microsoft-Extractor-Suite
//     MailboxRules.csv, Export-Csv, ConvertTo-Json) → InboxRules.
//   - "transport-rules": Get-TransportRule exports → TransportRules.
//   - "outlook-activities": the Outlook Activities API retriever's CSV and
//     the API's JSON records → OutlookActivities.
//
// Formats are registered with exec/source and detected by content, never
// by file name. Every message or row that cannot be read is reported
// through the source problem mechanism with file, line or record, field
// and reason.
package mail

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Priority is the detection priority of the formats: above the generic
// CSV/JSON readers and the M365 exports (which never claim these files).
const Priority = 20

// Table names.
const (
	EmailHeaders      = "EmailHeaders"
	InboxRules        = "InboxRules"
	TransportRules    = "TransportRules"
	OutlookActivities = "OutlookActivities"
)

func init() {
	source.Register(emlFormat{}, Priority)
	source.Register(mboxFormat{}, Priority)
	source.Register(inboxRulesFormat{}, Priority)
	source.Register(transportRulesFormat{}, Priority)
	source.Register(activitiesFormat{}, Priority)
}

// column is one column of a table this package produces.
type column struct {
	Name string
	Kind types.Kind
}

// Columns returns the columns of one of the package's tables (nil for
// another name).
func Columns(table string) []column {
	switch table {
	case EmailHeaders:
		return emailColumns
	case InboxRules:
		return inboxRuleColumns
	case TransportRules:
		return transportRuleColumns
	case OutlookActivities:
		return activityColumns
	}
	return nil
}

// Schema returns the Arrow schema of one of the package's tables.
func Schema(table string) *arrow.Schema {
	cols := Columns(table)
	fs := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fs[i] = kernels.Field(c.Name, c.Kind)
	}
	return arrow.NewSchema(fs, nil)
}

// tableFor is the table a file is bound under: the binding's own name
// when it has one (--data NAME=PATH), else the format's table.
func tableFor(f *source.File, opts *source.Options, table string) string {
	if n := opts.TableName(); n != "" && n != source.TableName(f.Path) {
		return n
	}
	return table
}

// problem is a record-level issue found while building a row.
type problem struct {
	Line   int
	Field  string
	Reason string
}

// eachRowFn receives one built row (nil when the record could not be
// loaded at all) and the problems found in it.
type eachRowFn func(row *types.Bag, probs []problem) error

// readParts runs each once to count the rows and report the problems, and
// returns a part that runs it again for every scan.
func readParts(f *source.File, opts *source.Options, table string, each func(fn eachRowFn) error) ([]source.Part, error) {
	var rows int64
	err := each(func(row *types.Bag, probs []problem) error {
		if row != nil {
			rows++
		}
		for _, p := range probs {
			if err := opts.Problem(catalog.Problem{File: f.Path, Line: p.Line, Field: p.Field, Reason: p.Reason}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	name := tableFor(f, opts, table)
	part := source.BagPart(name, Schema(table), rows, func(req source.ScanRequest, yield func(*types.Bag) error) error {
		return each(func(row *types.Bag, _ []problem) error {
			if row == nil {
				return nil
			}
			return yield(row)
		})
	})
	return []source.Part{part}, nil
}

// strs converts a string slice to a dynamic array (never nil).
func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
