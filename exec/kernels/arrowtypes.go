package kernels

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// MetaKQLType is the Arrow field metadata key recording a column's KQL type.
// It distinguishes KQL types that share a physical Arrow type: string, guid
// and dynamic are all arrow.String (dynamic holds JSON text, guid the
// canonical lower-case hyphenated text), decimal is arrow.Float64.
const MetaKQLType = "kql.type"

// ArrowType returns the physical Arrow type used for a KQL kind.
func ArrowType(k types.Kind) arrow.DataType {
	switch k {
	case types.Bool:
		return arrow.FixedWidthTypes.Boolean
	case types.Int:
		return arrow.PrimitiveTypes.Int32
	case types.Long:
		return arrow.PrimitiveTypes.Int64
	case types.Real, types.Decimal:
		return arrow.PrimitiveTypes.Float64
	case types.DateTime:
		return &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}
	case types.TimeSpan:
		return &arrow.DurationType{Unit: arrow.Nanosecond}
	default: // string, guid, dynamic, unknown
		return arrow.BinaryTypes.String
	}
}

// Field returns the Arrow field for a KQL column.
func Field(name string, k types.Kind) arrow.Field {
	return arrow.Field{
		Name:     name,
		Type:     ArrowType(k),
		Nullable: true,
		Metadata: arrow.NewMetadata([]string{MetaKQLType}, []string{k.String()}),
	}
}

// KindOf returns the KQL kind of an Arrow field: from its metadata when
// present, else inferred from the physical type.
func KindOf(f arrow.Field) types.Kind {
	if i := f.Metadata.FindKey(MetaKQLType); i >= 0 {
		if k, ok := types.ParseKind(f.Metadata.Values()[i]); ok {
			return k
		}
	}
	return KindOfArrow(f.Type)
}

// KindOfArrow infers a KQL kind from a physical Arrow type.
func KindOfArrow(t arrow.DataType) types.Kind {
	switch t.ID() {
	case arrow.BOOL:
		return types.Bool
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.UINT8, arrow.UINT16:
		return types.Int
	case arrow.INT64, arrow.UINT32, arrow.UINT64:
		return types.Long
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		return types.Real
	case arrow.DECIMAL128, arrow.DECIMAL256:
		return types.Decimal
	case arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64:
		return types.DateTime
	case arrow.DURATION:
		return types.TimeSpan
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		return types.String
	case arrow.DICTIONARY:
		return KindOfArrow(t.(*arrow.DictionaryType).ValueType)
	case arrow.LIST, arrow.LARGE_LIST, arrow.STRUCT, arrow.MAP, arrow.FIXED_SIZE_LIST:
		return types.Dynamic
	}
	return types.Dynamic
}

// Schema builds an Arrow schema from a KQL schema.
func Schema(s *types.Schema) *arrow.Schema {
	fs := make([]arrow.Field, len(s.Columns))
	for i, c := range s.Columns {
		fs[i] = Field(c.Name, c.Type)
	}
	return arrow.NewSchema(fs, nil)
}

// KQLSchema builds a KQL schema from an Arrow schema.
func KQLSchema(s *arrow.Schema) *types.Schema {
	out := &types.Schema{Columns: make([]types.Column, s.NumFields())}
	for i, f := range s.Fields() {
		out.Columns[i] = types.Column{Name: f.Name, Type: KindOf(f)}
	}
	return out
}
