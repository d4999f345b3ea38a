package wire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// MinorShm is the first protocol minor version with the shared-memory data
// plane: a batch frame may then carry, instead of Arrow IPC bytes, a
// reference to a file in the call's shared-memory directory holding an Arrow
// IPC stream of one or more batches. The host uses it only with a plugin
// whose Description.minor is at least MinorShm, and then passes the call's
// directory as the reserved argument ArgShmDir; a plugin sends references
// only when it got that argument. Otherwise batches go inline over gRPC as
// in minor 1, so older plugins and older hosts keep working.
const MinorShm = 2

// ArgShmDir is the reserved argument carrying the call's shared-memory
// directory. The host creates it for the call and removes it, with anything
// left in it, when the call ends or the plugin process stops, whatever the
// reason; a receiver removes each file as soon as it has opened it.
const ArgShmDir = "$shm_dir"

// shmMagic starts a batch frame that is a shared-memory reference. Arrow
// IPC streams start with 0xFFFFFFFF, so the two cannot be confused.
const shmMagic = "KQLHUNT-SHM1:"

// Group bounds: a sender writes batches into one shared-memory file until
// it holds GroupRows rows or GroupBytes bytes.
const (
	GroupRows  = 64 << 10
	GroupBytes = 8 << 20
)

// NewShmDir creates a private directory (for one plugin process) under
// /dev/shm when it exists (memory-backed), else under the temp directory.
// Its name carries the host's process id, so that directories left by a
// host that was killed are removed by the next one (sweepShm).
func NewShmDir(name string) (string, error) {
	bases := []string{os.TempDir()}
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		bases = []string{"/dev/shm", os.TempDir()}
	}
	var err error
	for _, base := range bases {
		sweepShm(base)
		var dir string
		if dir, err = os.MkdirTemp(base, fmt.Sprintf("%s%s-%d-", shmDirPrefix, name, os.Getpid())); err == nil {
			return dir, nil
		}
	}
	return "", err
}

const shmDirPrefix = "kqlhunt-plugin-"

// sweepShm removes the shared-memory directories of hosts that are gone.
func sweepShm(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, shmDirPrefix+"*"))
	for _, d := range dirs {
		parts := strings.Split(filepath.Base(d), "-")
		if len(parts) < 5 {
			continue
		}
		pid, err := strconv.Atoi(parts[len(parts)-2])
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if processGone(pid) {
			os.RemoveAll(d)
		}
	}
}

// IsShmRef reports whether a batch frame is a shared-memory reference.
func IsShmRef(b []byte) bool { return bytes.HasPrefix(b, []byte(shmMagic)) }

// ShmWriter groups records into an Arrow IPC stream in a file of the
// shared-memory directory.
type ShmWriter struct {
	dir  string
	mem  memory.Allocator
	f    *os.File
	bw   *bufio.Writer
	w    *ipc.Writer
	rows int64
	size int64
	// schema of the current file
	schema *arrow.Schema
}

// NewShmWriter writes into dir.
func NewShmWriter(dir string, mem memory.Allocator) *ShmWriter {
	return &ShmWriter{dir: dir, mem: mem}
}

// Pending reports whether records have been written since the last Flush.
func (w *ShmWriter) Pending() bool { return w.f != nil }

// Full reports whether the current file has reached the group bounds.
func (w *ShmWriter) Full() bool { return w.rows >= GroupRows || w.size >= GroupBytes }

// Fits reports whether rec can join the current file (same schema).
func (w *ShmWriter) Fits(rec arrow.Record) bool {
	return w.f == nil || rec.Schema().Equal(w.schema)
}

// Write appends rec to the current file, starting one if needed.
func (w *ShmWriter) Write(rec arrow.Record) error {
	if w.f == nil {
		f, err := os.CreateTemp(w.dir, "batch-*.arrow")
		if err != nil {
			return fmt.Errorf("shared memory: %w", err)
		}
		w.f = f
		w.bw = bufio.NewWriterSize(f, 64<<10) // big buffers bypass it
		w.w = ipc.NewWriter(w.bw, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(w.mem))
		w.schema = rec.Schema()
	}
	if err := w.w.Write(rec); err != nil {
		w.Abort()
		return fmt.Errorf("shared memory: %w", err)
	}
	w.rows += rec.NumRows()
	w.size += RecordBytes(rec)
	return nil
}

// Flush ends the current file and returns the frame that refers to it; the
// receiver removes the file once read. A sender that cannot deliver the
// frame calls Discard with it.
func (w *ShmWriter) Flush() ([]byte, error) {
	if w.f == nil {
		return nil, errors.New("shared memory: nothing to flush")
	}
	f, bw, iw := w.f, w.bw, w.w
	w.f, w.bw, w.w, w.rows, w.size = nil, nil, nil, 0, 0
	err := iw.Close()
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return nil, fmt.Errorf("shared memory: %w", err)
	}
	return []byte(shmMagic + filepath.Base(f.Name())), nil
}

// Abort drops the current file.
func (w *ShmWriter) Abort() {
	if w.f == nil {
		return
	}
	w.w.Close()
	w.f.Close()
	os.Remove(w.f.Name())
	w.f, w.bw, w.w, w.rows, w.size = nil, nil, nil, 0, 0
}

// Discard removes the file a reference frame names (when it could not be sent).
func Discard(dir string, ref []byte) {
	if p, err := shmPath(dir, ref); err == nil {
		os.Remove(p)
	}
}

func shmPath(dir string, ref []byte) (string, error) {
	name := strings.TrimPrefix(string(ref), shmMagic)
	if dir == "" {
		return "", errors.New("shared-memory batch without a shared-memory directory")
	}
	if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("bad shared-memory reference %q", name)
	}
	return filepath.Join(dir, name), nil
}

// ShmReader reads the records of one shared-memory file. The file is
// removed as soon as it is open.
type ShmReader struct {
	data   []byte // the file's bytes: a mapping, or a slice of Go's heap
	mapped bool
	r      *ipc.Reader // the schema; reads the batches when z is nil
	z      *zeroCopy   // builds the batches over data without copying
	// aliased: records handed out alias a mapping, which Close keeps.
	aliased bool
	done    bool
	// parent is the reader's reference to a pinned arena slot (see Pin):
	// the records' fixed-width buffers are sliced from it.
	parent *memory.Buffer
}

// OpenShm opens the file a reference frame names in dir.
//
// With mapped false the file is read into one Go byte slice (one copy by
// the kernel) and the records' arrays are built over it: they stay valid
// as long as anything refers to them, like any Go memory. With mapped true
// the file is mapped and the records alias the mapping: they, and every
// string or slice taken from them, are valid only until Unmap.
func OpenShm(dir string, ref []byte, mem memory.Allocator, mapped bool) (*ShmReader, error) {
	p, err := shmPath(dir, ref)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("shared-memory batch: %w", err)
	}
	os.Remove(p) // an open file (or a mapping) keeps the data readable
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("shared-memory batch: %w", err)
	}
	if st.Size() <= 0 || st.Size() > 1<<40 {
		return nil, fmt.Errorf("bad Arrow IPC batch: shared-memory file of %d bytes", st.Size())
	}
	s := &ShmReader{mapped: mapped}
	if mapped {
		s.data, err = mapFile(f, int(st.Size()))
	} else {
		s.data = make([]byte, st.Size())
		_, err = io.ReadFull(f, s.data)
	}
	if err != nil {
		s.data = nil
		return nil, fmt.Errorf("shared-memory batch: %w", err)
	}
	return s.start(mem)
}

// start reads the schema of the stream in s.data.
func (s *ShmReader) start(mem memory.Allocator) (r *ShmReader, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.Unmap()
			r, err = nil, fmt.Errorf("bad Arrow IPC batch: %v", p)
		}
	}()
	msgs := &bytesMessages{b: s.data}
	s.r, err = ipc.NewReaderFromMessageReader(msgs, ipc.WithAllocator(mem))
	if err != nil {
		s.Unmap()
		return nil, fmt.Errorf("bad Arrow IPC batch: %w", err)
	}
	if zeroCopyable(s.r.Schema()) {
		s.z = &zeroCopy{msgs: msgs, schema: s.r.Schema(), parent: s.parent}
	} else if s.parent != nil {
		// arrow's reader reads the slot piecewise: give it a private copy.
		msgs.b = bytes.Clone(msgs.b)
		s.data = msgs.b
		s.parent.Release()
		s.parent = nil
	}
	return s, nil
}

// OpenBatch opens what a shared-memory reference frame names: a file in
// dir (see OpenShm), or a slot of arena. With mapped true (the plugin) the
// records alias the slot, which the call holds until it ends; with mapped
// false (the host) the slot is copied into Go memory and released at once.
func OpenBatch(dir string, arena *Arena, ref []byte, mem memory.Allocator, mapped bool) (*ShmReader, error) {
	name := strings.TrimPrefix(string(ref), shmMagic)
	if !IsArenaName(name) {
		return OpenShm(dir, ref, mem, mapped)
	}
	if arena == nil {
		return nil, fmt.Errorf("%w: arena slot %s on a call without arenas", ErrBadArenaRef, name)
	}
	r, err := ParseArenaName(name)
	if err != nil {
		return nil, err
	}
	s := &ShmReader{}
	if mapped {
		s.data, err = arena.View(r)
	} else {
		s.data, err = arena.Copy(r)
	}
	if err != nil {
		return nil, err
	}
	return s.start(mem)
}

// OpenOutput is OpenBatch for the host: a slot of the output arena is
// pinned when pin gives a buffer over it (see Arena.Pin), and copied into
// Go memory and released at once when pin gives nil.
func OpenOutput(dir string, arena *Arena, ref []byte, mem memory.Allocator, pin func(ArenaRef) (*memory.Buffer, error)) (*ShmReader, error) {
	name := strings.TrimPrefix(string(ref), shmMagic)
	if !IsArenaName(name) || arena == nil || pin == nil {
		return OpenBatch(dir, arena, ref, mem, false)
	}
	r, err := ParseArenaName(name)
	if err != nil {
		return nil, err
	}
	buf, err := pin(r)
	if err != nil {
		return nil, err
	}
	if buf == nil {
		return OpenBatch(dir, arena, ref, mem, false)
	}
	s := &ShmReader{data: buf.Bytes(), parent: buf}
	return s.start(mem)
}

// TrustOffsets skips the per-row check of string offsets in the records
// still to be read (the plugin side, which trusts the host; the host checks
// everything a plugin sends).
func (s *ShmReader) TrustOffsets() {
	if s.z != nil {
		s.z.trusted = true
	}
}

// Bytes is the size of the file.
func (s *ShmReader) Bytes() int { return len(s.data) }

// Next returns the next record (owned by the caller), or nil at the end of
// the file, when the reader is closed.
func (s *ShmReader) Next() (rec arrow.Record, err error) {
	if s.done {
		return nil, nil
	}
	defer func() {
		if p := recover(); p != nil {
			s.Close()
			rec, err = nil, fmt.Errorf("bad Arrow IPC batch: %v", p)
		}
	}()
	if s.z != nil {
		rec, err := s.z.next()
		if err == nil {
			s.aliased = true
			return rec, nil
		}
		s.Close()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, fmt.Errorf("bad Arrow IPC batch: %w", err)
	}
	if s.r.Next() {
		rec := s.r.Record()
		rec.Retain()
		return rec, nil
	}
	err = s.r.Err()
	s.Close()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("bad Arrow IPC batch: %w", err)
	}
	return nil, nil
}

// Close ends reading. A mapping that records alias stays until Unmap;
// otherwise it is released now.
func (s *ShmReader) Close() {
	if s.done {
		return
	}
	s.done = true
	s.r.Release()
	if !s.mapped || !s.aliased {
		s.Unmap()
	}
}

// Unmap releases the mapping: records read from it must no longer be used.
// For a file read into the heap it only drops the reader's reference.
func (s *ShmReader) Unmap() {
	if s.data != nil && s.mapped {
		unmapFile(s.data)
	}
	s.data = nil
	if s.parent != nil {
		s.parent.Release() // records keep their own references to it
		s.parent = nil
	}
}

// RecordBytes is the size of a record's buffers.
func RecordBytes(rec arrow.Record) int64 {
	var n int64
	for _, c := range rec.Columns() {
		for _, b := range c.Data().Buffers() {
			if b != nil {
				n += int64(b.Len())
			}
		}
	}
	return n
}
