package wire

// bytesMessages is an ipc.MessageReader over an Arrow IPC stream held in
// memory (a shared-memory file, mapped or read into the heap): message
// bodies are slices of it, not copies (see zerocopy.go).
type bytesMessages struct {
	b   []byte
	off int
}

func (r *bytesMessages) Retain()  {}
func (r *bytesMessages) Release() {}
