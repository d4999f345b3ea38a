package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// bytesMessages is an ipc.MessageReader over an Arrow IPC stream held in
// memory (a mapped shared-memory file): message bodies are slices of it, not
// copies. The records ipc.Reader builds from them copy each buffer into the
// allocator, so nothing refers to the bytes once the file has been read.
type bytesMessages struct {
	b   []byte
	off int
}

func (r *bytesMessages) Retain()  {}
func (r *bytesMessages) Release() {}

func (r *bytesMessages) Message() (msg *ipc.Message, err error) {
	defer func() {
		if p := recover(); p != nil {
			msg, err = nil, fmt.Errorf("arrow/ipc: bad message: %v", p)
		}
	}()
	if r.off+4 > len(r.b) {
		return nil, io.EOF
	}
	n := int64(binary.LittleEndian.Uint32(r.b[r.off:]))
	r.off += 4
	if n == 0xFFFFFFFF {
		if r.off+4 > len(r.b) {
			return nil, errors.New("arrow/ipc: truncated message length")
		}
		n = int64(int32(binary.LittleEndian.Uint32(r.b[r.off:])))
		r.off += 4
	}
	if n == 0 {
		return nil, io.EOF
	}
	if n < 0 || int64(r.off)+n > int64(len(r.b)) {
		return nil, errors.New("arrow/ipc: truncated message metadata")
	}
	meta := memory.NewBufferBytes(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	probe := ipc.NewMessage(meta, memory.NewBufferBytes(nil))
	bl := probe.BodyLen()
	if bl < 0 || int64(r.off)+bl > int64(len(r.b)) {
		return nil, errors.New("arrow/ipc: truncated message body")
	}
	body := memory.NewBufferBytes(r.b[r.off : r.off+int(bl)])
	r.off += int(bl)
	return ipc.NewMessage(meta, body), nil
}
