// Package types defines KQL's scalar and tabular types, literal values, and
// the parsing and Kusto-exact formatting of datetime, timespan, guid and
// dynamic values. It knows nothing of Arrow.
package types

import "strings"

// Kind is a KQL scalar type.
type Kind uint8

const (
	Unknown Kind = iota // error recovery: compatible with everything
	Bool
	Int
	Long
	Real
	Decimal
	String
	DateTime
	TimeSpan
	Guid
	Dynamic
	Null // the type of an untyped null literal before promotion
)

var kindNames = [...]string{"unknown", "bool", "int", "long", "real", "decimal", "string", "datetime", "timespan", "guid", "dynamic", "null"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind maps a KQL type name (including aliases such as double, int64,
// boolean, date, time, uniqueid) to its Kind.
func ParseKind(name string) (Kind, bool) {
	switch strings.ToLower(name) {
	case "bool", "boolean":
		return Bool, true
	case "int", "int32":
		return Int, true
	case "long", "int64":
		return Long, true
	case "real", "double", "float":
		return Real, true
	case "decimal":
		return Decimal, true
	case "string":
		return String, true
	case "datetime", "date":
		return DateTime, true
	case "timespan", "time":
		return TimeSpan, true
	case "guid", "uuid", "uniqueid":
		return Guid, true
	case "dynamic":
		return Dynamic, true
	}
	return Unknown, false
}

// IsNumeric reports whether k is int, long, real or decimal.
func (k Kind) IsNumeric() bool { return k == Int || k == Long || k == Real || k == Decimal }

// Column is a named, typed column of a tabular schema.
type Column struct {
	Name string
	Type Kind
}

// Schema is the ordered column list of a tabular value.
type Schema struct {
	Columns []Column
	// Open marks a schema whose columns are not fully known (e.g. a table
	// without a declared schema, or `(*)` tabular parameters); lookups of
	// unknown names then succeed with type dynamic/unknown instead of failing.
	Open bool
	// OpenType is the type of the unlisted columns of an Open schema when
	// it is known (a Sentinel watchlist's own columns are strings); the
	// zero value (Unknown) means dynamic.
	OpenType Kind
}

// Index returns the position of the column named name, or -1.
func (s *Schema) Index(name string) int {
	if s == nil {
		return -1
	}
	for i, c := range s.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Names returns the column names in order.
func (s *Schema) Names() []string {
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = c.Name
	}
	return out
}
