package source

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// conformReader converts records of a binary source to the requested
// schema: columns picked by name, missing ones null, other physical types
// converted to the canonical type of the column's kind.
type conformReader struct {
	req   ScanRequest
	path  string
	next  func() (arrow.Record, error)
	close func()
	done  bool
}

func (r *conformReader) Schema() *arrow.Schema { return r.req.Schema }

func (r *conformReader) Next(ctx context.Context) (arrow.Record, error) {
	if r.done {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rec, err := r.next()
	if err != nil {
		return nil, &Error{File: r.path, Reason: err.Error()}
	}
	if rec == nil {
		r.done = true
		return nil, nil
	}
	defer rec.Release()
	return conform(rec, r.req), nil
}

func (r *conformReader) Close() {
	if r.close != nil {
		r.close()
		r.close = nil
	}
	r.done = true
}

func conform(rec arrow.Record, req ScanRequest) arrow.Record {
	n := int(rec.NumRows())
	fields := req.Schema.Fields()
	arrs := make([]arrow.Array, len(fields))
	var dfields []arrow.Field // fields with dictionary types, when any
	for i, fl := range fields {
		k := kernels.KindOf(fl)
		var src arrow.Array
		if idx := rec.Schema().FieldIndices(fl.Name); len(idx) > 0 {
			src = rec.Column(idx[0])
		}
		switch {
		case src != nil && arrow.TypeEqual(src.DataType(), fl.Type):
			src.Retain()
			arrs[i] = src
		case src != nil && passDict(req, src, k):
			src.Retain()
			arrs[i] = src
			if dfields == nil {
				dfields = append([]arrow.Field(nil), fields...)
			}
			dfields[i] = dictField(fl, src.DataType())
		case src != nil && src.DataType().ID() == arrow.INT64 && (k == types.DateTime || k == types.TimeSpan):
			// Nanoseconds stored as int64 (Parquet cannot hold Arrow
			// durations; the kql.type metadata says what they are).
			d := array.NewData(fl.Type, src.Len(), src.Data().Buffers(), nil, src.NullN(), src.Data().Offset())
			arrs[i] = array.MakeFromData(d)
			d.Release()
		default:
			cb := newCellBuilder(req.Mem, k)
			cb.b.Reserve(n)
			for row := 0; row < n; row++ {
				if src == nil || src.IsNull(row) {
					cb.appendNull()
					continue
				}
				cb.appendText(cellString(src, row))
			}
			arrs[i] = cb.b.NewArray()
			cb.b.Release()
		}
	}
	schema := req.Schema
	if dfields != nil {
		md := req.Schema.Metadata()
		schema = arrow.NewSchema(dfields, &md)
	}
	out := array.NewRecord(schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return out
}

// cellString renders a non-null value of any Arrow type as text that the
// cell parsers read back: numbers in decimal, timestamps ISO 8601,
// durations as timespans, nested values as JSON.
func cellString(a arrow.Array, i int) string {
	switch arr := a.(type) {
	case *array.Boolean:
		return strconv.FormatBool(arr.Value(i))
	case *array.Int8:
		return strconv.FormatInt(int64(arr.Value(i)), 10)
	case *array.Int16:
		return strconv.FormatInt(int64(arr.Value(i)), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(arr.Value(i)), 10)
	case *array.Int64:
		return strconv.FormatInt(arr.Value(i), 10)
	case *array.Uint8:
		return strconv.FormatUint(uint64(arr.Value(i)), 10)
	case *array.Uint16:
		return strconv.FormatUint(uint64(arr.Value(i)), 10)
	case *array.Uint32:
		return strconv.FormatUint(uint64(arr.Value(i)), 10)
	case *array.Uint64:
		return strconv.FormatUint(arr.Value(i), 10)
	case *array.Float16:
		return strconv.FormatFloat(float64(arr.Value(i).Float32()), 'g', -1, 32)
	case *array.Float32:
		return strconv.FormatFloat(float64(arr.Value(i)), 'g', -1, 32)
	case *array.Float64:
		return types.FormatReal(arr.Value(i))
	case *array.String:
		return arr.Value(i)
	case *array.LargeString:
		return arr.Value(i)
	case *array.Binary:
		return base64.StdEncoding.EncodeToString(arr.Value(i))
	case *array.LargeBinary:
		return base64.StdEncoding.EncodeToString(arr.Value(i))
	case *array.Timestamp:
		unit := arr.DataType().(*arrow.TimestampType).Unit
		return types.FormatDateTime(int64(arr.Value(i)) * int64(unit.Multiplier()))
	case *array.Date32:
		return types.FormatDateTime(int64(arr.Value(i)) * types.Day)
	case *array.Date64:
		return types.FormatDateTime(int64(arr.Value(i)) * types.Millisecond)
	case *array.Duration:
		unit := arr.DataType().(*arrow.DurationType).Unit
		return types.FormatTimeSpan(int64(arr.Value(i)) * int64(unit.Multiplier()))
	case *array.Dictionary:
		return cellString(arr.Dictionary(), arr.GetValueIndex(i))
	}
	if b, err := json.Marshal(a.GetOneForMarshal(i)); err == nil {
		return string(b)
	}
	return a.ValueStr(i)
}
