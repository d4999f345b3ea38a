package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	flatbuffers "github.com/google/flatbuffers/go"
)

// This file decodes the record batches of an Arrow IPC stream held in one
// byte slice without copying: every buffer of every array is a sub-slice of
// the stream. arrow v17's IPC reader copies each buffer into its allocator;
// for the flat types kqlhunt exchanges (strings, numbers, bools, times)
// zeroCopy builds the arrays itself from the batch metadata. Other schemas
// (nested, dictionary, compressed) go through arrow's reader.
//
// The arrays alias the slice: they are valid as long as it is. A slice in
// Go's heap (the host reads each file into one) keeps them valid for as long
// as anything refers to them, strings from array.String.Value included.

// zeroCopy reads the batches after the schema message.
type zeroCopy struct {
	msgs   *bytesMessages
	schema *arrow.Schema
	// trusted skips the per-row check of string offsets (the plugin trusts
	// the host); bounds of buffers, lengths and the last offset are always
	// checked.
	trusted bool
	// parent, when the stream is a pinned arena slot: fixed-width buffers
	// are slices of it (reference counted), string buffers are copied.
	parent *memory.Buffer
}

// zeroCopyable reports whether every field of s has a type zeroCopy builds.
func zeroCopyable(s *arrow.Schema) bool {
	for _, f := range s.Fields() {
		if bufferCount(f.Type) == 0 {
			return false
		}
	}
	return true
}

// bufferCount is the number of IPC buffers of a top-level array of type dt,
// or 0 when zeroCopy does not build that type.
func bufferCount(dt arrow.DataType) int {
	switch dt.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.TIMESTAMP, arrow.DURATION,
		arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64:
		return 2
	case arrow.STRING, arrow.BINARY:
		return 3
	}
	return 0
}

// Flatbuffer layout of the IPC metadata (format/Message.fbs, Schema.fbs):
// vtable slots are 4 + 2*field id.
const (
	slotMessageHeaderType = 6  // Message.header_type (ubyte)
	slotMessageHeader     = 8  // Message.header (union)
	slotMessageBodyLength = 10 // Message.bodyLength (long)
	slotBatchLength       = 4  // RecordBatch.length (long)
	slotBatchNodes        = 6  // RecordBatch.nodes ([FieldNode], 16-byte structs)
	slotBatchBuffers      = 8  // RecordBatch.buffers ([Buffer], 16-byte structs)
	slotBatchCompression  = 10 // RecordBatch.compression (table)
	headerRecordBatch     = 3  // MessageHeader.RecordBatch
)

// batchMeta is what a RecordBatch message says about its body.
type batchMeta struct {
	length  int64
	nodes   [][2]int64 // length, null count
	buffers [][2]int64 // offset, length
}

// parseBatch reads a RecordBatch message's metadata; it panics (recovered
// by the caller) on metadata that is not a flatbuffer.
func parseBatch(meta []byte) (batchMeta, error) {
	var bm batchMeta
	if len(meta) < 8 {
		return bm, errors.New("arrow/ipc: truncated message metadata")
	}
	msg := flatbuffers.Table{Bytes: meta, Pos: flatbuffers.GetUOffsetT(meta)}
	if o := msg.Offset(slotMessageHeaderType); o == 0 || msg.GetByte(msg.Pos+flatbuffers.UOffsetT(o)) != headerRecordBatch {
		return bm, errors.New("arrow/ipc: expected a record batch message")
	}
	o := msg.Offset(slotMessageHeader)
	if o == 0 {
		return bm, errors.New("arrow/ipc: record batch message without a header")
	}
	var rb flatbuffers.Table
	msg.Union(&rb, flatbuffers.UOffsetT(o))
	if rb.Offset(slotBatchCompression) != 0 {
		return bm, errors.New("arrow/ipc: compressed batch")
	}
	bm.length = rb.GetInt64Slot(slotBatchLength, 0)
	structs := func(slot flatbuffers.VOffsetT) [][2]int64 {
		o := rb.Offset(slot)
		if o == 0 {
			return nil
		}
		n := rb.VectorLen(flatbuffers.UOffsetT(o))
		start := rb.Vector(flatbuffers.UOffsetT(o))
		if n < 0 || int(start)+16*n > len(meta) {
			panic("vector out of bounds")
		}
		out := make([][2]int64, n)
		for i := range out {
			p := start + flatbuffers.UOffsetT(16*i)
			out[i] = [2]int64{rb.GetInt64(p), rb.GetInt64(p + 8)}
		}
		return out
	}
	bm.nodes = structs(slotBatchNodes)
	bm.buffers = structs(slotBatchBuffers)
	return bm, nil
}

// messageBodyLength reads Message.bodyLength.
func messageBodyLength(meta []byte) int64 {
	msg := flatbuffers.Table{Bytes: meta, Pos: flatbuffers.GetUOffsetT(meta)}
	return msg.GetInt64Slot(slotMessageBodyLength, 0)
}

// next returns the next record, or (nil, io.EOF) at the end of the stream.
func (z *zeroCopy) next() (arrow.Record, error) {
	meta, body, err := z.msgs.raw()
	if err != nil {
		return nil, err
	}
	bm, err := parseBatch(meta)
	if err != nil {
		return nil, err
	}
	return buildRecord(z.schema, bm, body, z.trusted, z.parent)
}

// buildRecord makes the arrays of one batch over body, checking every
// buffer against the body and the types' needs, so that a malformed batch
// is an error here rather than a panic in whoever reads the arrays.
//
// With parent (body lies in its bytes), the fixed-width buffers are slices
// of parent, holding a reference to it, and string and binary buffers are
// copied before they are checked: the writer may still change parent's
// bytes, which must not change what was checked.
func buildRecord(schema *arrow.Schema, bm batchMeta, body []byte, trusted bool, parent *memory.Buffer) (arrow.Record, error) {
	n := schema.NumFields()
	if len(bm.nodes) != n || bm.length < 0 {
		return nil, fmt.Errorf("arrow/ipc: batch of %d columns for a schema of %d", len(bm.nodes), n)
	}
	cols := make([]arrow.Array, 0, n)
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	ib := 0
	buffer := func() ([]byte, error) {
		if ib >= len(bm.buffers) {
			return nil, errors.New("arrow/ipc: too few buffers")
		}
		off, ln := bm.buffers[ib][0], bm.buffers[ib][1]
		ib++
		if off < 0 || ln < 0 || off > int64(len(body)) || ln > int64(len(body))-off {
			return nil, errors.New("arrow/ipc: buffer outside the message body")
		}
		return body[off : off+ln : off+ln], nil
	}
	for i := 0; i < n; i++ {
		dt := schema.Field(i).Type
		length, nulls := bm.nodes[i][0], bm.nodes[i][1]
		if length != bm.length || nulls < 0 || nulls > length {
			release()
			return nil, fmt.Errorf("arrow/ipc: column %d has %d rows (%d nulls) in a batch of %d", i, length, nulls, bm.length)
		}
		bufs := make([]*memory.Buffer, bufferCount(dt))
		variable := dt.ID() == arrow.STRING || dt.ID() == arrow.BINARY
		for j := range bufs {
			b, err := buffer()
			if err != nil {
				release()
				return nil, err
			}
			if len(b) > 0 {
				if parent != nil && variable {
					b = bytes.Clone(b)
				}
				bufs[j] = memory.NewBufferBytes(b)
			}
		}
		if err := checkBuffers(dt, int(length), int(nulls), bufs, trusted); err != nil {
			release()
			return nil, fmt.Errorf("arrow/ipc: column %d: %w", i, err)
		}
		if nulls == 0 {
			bufs[0] = nil
		}
		if parent != nil && !variable {
			for j, b := range bufs {
				if b != nil {
					bufs[j] = memory.SliceBuffer(parent, offsetIn(parent.Bytes(), b.Bytes()), b.Len())
				}
			}
		}
		d := array.NewData(dt, int(length), bufs, nil, int(nulls), 0)
		cols = append(cols, array.MakeFromData(d))
		d.Release()
		if parent != nil && !variable {
			for _, b := range bufs {
				if b != nil {
					b.Release() // the array holds its own reference
				}
			}
		}
	}
	rec := array.NewRecord(schema, cols, bm.length)
	release()
	return rec, nil
}

// offsetIn is the offset of sub in b, a slice of b.
func offsetIn(b, sub []byte) int {
	off := int(uintptr(unsafe.Pointer(unsafe.SliceData(sub))) - uintptr(unsafe.Pointer(unsafe.SliceData(b))))
	if off < 0 || off+len(sub) > len(b) {
		panic("wire: buffer outside its slot")
	}
	return off
}

func blen(b *memory.Buffer) int {
	if b == nil {
		return 0
	}
	return b.Len()
}

// checkBuffers verifies the buffers of one array are large enough and, for
// strings, that the offsets are in order and inside the data.
func checkBuffers(dt arrow.DataType, length, nulls int, bufs []*memory.Buffer, trusted bool) error {
	if nulls > 0 && blen(bufs[0]) < (length+7)/8 {
		return errors.New("validity bitmap too short")
	}
	switch dt.ID() {
	case arrow.STRING, arrow.BINARY:
		if length == 0 {
			bufs[1] = memory.NewBufferBytes(make([]byte, 4))
			return nil
		}
		if blen(bufs[1]) < 4*(length+1) {
			return errors.New("offsets too short")
		}
		offs := bufs[1].Bytes()
		prev := int32(binary.LittleEndian.Uint32(offs))
		if prev < 0 {
			return errors.New("negative offset")
		}
		if trusted {
			if last := int32(binary.LittleEndian.Uint32(offs[4*length:])); last < prev || int(last) > blen(bufs[2]) {
				return errors.New("offsets past the data")
			}
			return nil
		}
		for k := 1; k <= length; k++ {
			o := int32(binary.LittleEndian.Uint32(offs[4*k:]))
			if o < prev {
				return errors.New("offsets out of order")
			}
			prev = o
		}
		if int(prev) > blen(bufs[2]) {
			return errors.New("offsets past the data")
		}
	default:
		bits := dt.(arrow.FixedWidthDataType).BitWidth()
		if blen(bufs[1]) < (length*bits+7)/8 {
			return errors.New("values too short")
		}
	}
	return nil
}

// raw returns the metadata and body of the next message, or io.EOF.
func (r *bytesMessages) raw() (meta, body []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			meta, body, err = nil, nil, fmt.Errorf("arrow/ipc: bad message: %v", p)
		}
	}()
	if r.off+4 > len(r.b) {
		return nil, nil, io.EOF
	}
	n := int64(binary.LittleEndian.Uint32(r.b[r.off:]))
	r.off += 4
	if n == 0xFFFFFFFF {
		if r.off+4 > len(r.b) {
			return nil, nil, errors.New("arrow/ipc: truncated message length")
		}
		n = int64(int32(binary.LittleEndian.Uint32(r.b[r.off:])))
		r.off += 4
	}
	if n == 0 {
		return nil, nil, io.EOF
	}
	if n < 8 || int64(r.off)+n > int64(len(r.b)) {
		return nil, nil, errors.New("arrow/ipc: truncated message metadata")
	}
	meta = r.b[r.off : r.off+int(n)]
	r.off += int(n)
	bl := messageBodyLength(meta)
	if bl < 0 || int64(r.off)+bl > int64(len(r.b)) {
		return nil, nil, errors.New("arrow/ipc: truncated message body")
	}
	body = r.b[r.off : r.off+int(bl)]
	r.off += int(bl)
	return meta, body, nil
}

// Message implements ipc.MessageReader (for the schema, and for the
// streams zeroCopy does not build).
func (r *bytesMessages) Message() (*ipc.Message, error) {
	meta, body, err := r.raw()
	if err != nil {
		return nil, err
	}
	return ipc.NewMessage(memory.NewBufferBytes(meta), memory.NewBufferBytes(body)), nil
}
