package source

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
)

// Format reads one kind of file. Formats are registered with Register and
// chosen by Detect.
type Format interface {
	// Name is the format's short name ("csv", "jsonl", "parquet", "ual", ...),
	// also accepted by Options.Format to force it.
	Name() string
	// Detect reports whether the file is in this format. path is the file
	// name (use Ext for its extension without compression suffixes); head
	// is the start of its content (see File.Head).
	Detect(path string, head []byte) bool
	// Read inspects the file and returns the tables it holds. Most formats
	// return one Part with Table "" (named by the binding or the file name);
	// an export format may return several named parts. Read reports the
	// rows it cannot load through opts.problem and, with opts.Strict,
	// returns the first one as an *Error.
	Read(f *File, opts *Options) ([]Part, error)
}

// Part is one table's worth of data from one file.
type Part struct {
	Table  string        // table name; "" = the binding's name
	Schema *arrow.Schema // fields built with kernels.Field
	Rows   int64         // rows it will produce, -1 if unknown
	// Weak marks columns whose type was guessed without evidence (every
	// value null or empty); when parts are concatenated the other parts'
	// type wins.
	Weak map[string]bool
	// Open streams the part's rows as records of the given schema: any
	// subset of the part's columns in any order, plus columns it lacks
	// (all null) and columns of a wider type than its own (converted
	// without loss: numbers to real, anything to string or dynamic).
	Open func(ctx context.Context, req ScanRequest) (catalog.RecordReader, error)
}

// ScanRequest is what Part.Open produces.
type ScanRequest struct {
	Schema    *arrow.Schema
	BatchRows int
	Mem       memory.Allocator
	// Dict: string columns that the format stores dictionary-encoded may
	// be returned as Arrow dictionary arrays (see catalog.ScanOptions.Dict);
	// the record's schema then has the dictionary type for those fields.
	Dict bool
	// Filter: a predicate the format may evaluate early to read the other
	// columns only for the rows it keeps (catalog.ScanOptions.Filter);
	// formats may ignore it.
	Filter *catalog.ScanFilter
}

type registered struct {
	f        Format
	priority int
	seq      int
}

var (
	regMu   sync.RWMutex
	formats []registered
)

// Register adds a format. Detectors run in decreasing priority (ties in
// registration order); the built-in generic formats have priority 0, so a
// specific export format (which also looks like CSV or JSON) registers
// with a positive priority.
func Register(f Format, priority int) {
	regMu.Lock()
	defer regMu.Unlock()
	formats = append(formats, registered{f, priority, len(formats)})
	sort.SliceStable(formats, func(i, j int) bool {
		if formats[i].priority != formats[j].priority {
			return formats[i].priority > formats[j].priority
		}
		return formats[i].seq < formats[j].seq
	})
}

// Detect returns the first registered format that recognises the file, or nil.
func Detect(path string, head []byte) Format {
	regMu.RLock()
	defer regMu.RUnlock()
	for _, r := range formats {
		if r.f.Detect(path, head) {
			return r.f
		}
	}
	return nil
}

// Lookup returns the registered format called name.
func Lookup(name string) Format {
	regMu.RLock()
	defer regMu.RUnlock()
	for _, r := range formats {
		if strings.EqualFold(r.f.Name(), name) {
			return r.f
		}
	}
	return nil
}

// FormatNames lists the registered formats by priority.
func FormatNames() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	var out []string
	for _, r := range formats {
		out = append(out, r.f.Name())
	}
	return out
}

// Compression names.
const (
	NoCompression = ""
	Gzip          = "gzip"
	Zstd          = "zstd"
)

// Text encodings.
const (
	UTF8    = "utf-8"
	UTF8BOM = "utf-8-bom"
	UTF16LE = "utf-16le"
	UTF16BE = "utf-16be"
)

// HeadSize is how much of a file's decoded content File.Head holds.
const HeadSize = 64 << 10

// File is one input file as a Format sees it.
type File struct {
	Path        string // as given (or the in-memory file's name)
	Compression string // NoCompression, Gzip or Zstd (detected by magic bytes)
	Encoding    string // UTF8, UTF8BOM, UTF16LE or UTF16BE (detected by BOM)
	// Head is the start (up to HeadSize bytes) of the content after
	// decompression and, for text with a BOM, after decoding to UTF-8
	// without the BOM.
	Head []byte

	data []byte // in-memory content (ReadBytes), else nil
}

var compressionSuffixes = []string{".gz", ".gzip", ".zst", ".zstd"}

// Ext returns the lower-case extension of path, ignoring compression
// suffixes: "a.jsonl.gz" → ".jsonl".
func Ext(path string) string {
	base := strings.ToLower(filepath.Base(path))
	for {
		trimmed := false
		for _, s := range compressionSuffixes {
			if strings.HasSuffix(base, s) && len(base) > len(s) {
				base = base[:len(base)-len(s)]
				trimmed = true
			}
		}
		if !trimmed {
			break
		}
	}
	return filepath.Ext(base)
}

// OpenFile opens a file on disk and detects its compression and encoding.
func OpenFile(path string) (*File, error) {
	f := &File{Path: path}
	if err := f.sniff(); err != nil {
		return nil, err
	}
	return f, nil
}

// NewFile wraps in-memory content as a File named name.
func NewFile(name string, data []byte) (*File, error) {
	f := &File{Path: name, data: data}
	if err := f.sniff(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) openRaw() (io.ReadCloser, error) {
	if f.data != nil {
		return io.NopCloser(bytes.NewReader(f.data)), nil
	}
	return os.Open(f.Path)
}

func (f *File) sniff() error {
	rc, err := f.openRaw()
	if err != nil {
		return fileError(f.Path, err)
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	magic, _ := br.Peek(4)
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		f.Compression = Gzip
	case len(magic) == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd:
		f.Compression = Zstd
	}
	r, closer, err := decompress(br, f.Compression)
	if err != nil {
		return &Error{File: f.Path, Reason: fmt.Sprintf("%s data: %v", f.Compression, err)}
	}
	defer closer()
	head := make([]byte, HeadSize)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return &Error{File: f.Path, Reason: fmt.Sprintf("reading: %v", err)}
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		f.Encoding = UTF8BOM
		head = head[3:]
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		f.Encoding = UTF16LE
		head = decodeUTF16(head)
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		f.Encoding = UTF16BE
		head = decodeUTF16(head)
	default:
		f.Encoding = UTF8
	}
	f.Head = head
	return nil
}

func decodeUTF16(b []byte) []byte {
	// An odd trailing byte (cut by HeadSize) is dropped.
	if len(b)%2 == 1 {
		b = b[:len(b)-1]
	}
	out, _, _ := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder(), b)
	return bytes.TrimPrefix(out, []byte{0xef, 0xbb, 0xbf})
}

func decompress(r io.Reader, c string) (io.Reader, func(), error) {
	switch c {
	case Gzip:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { zr.Close() }, nil
	case Zstd:
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, err
		}
		return zr, zr.Close, nil
	}
	return r, func() {}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }

// Open returns the decompressed content, decoded to UTF-8 without a BOM
// when the file is text with a BOM.
func (f *File) Open() (io.ReadCloser, error) {
	r, err := f.OpenBinary()
	if err != nil {
		return nil, err
	}
	var out io.Reader = r
	switch f.Encoding {
	case UTF8BOM:
		br := bufio.NewReaderSize(r, 64<<10)
		if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xef, 0xbb, 0xbf}) {
			br.Discard(3)
		}
		out = br
	case UTF16LE, UTF16BE:
		out = transform.NewReader(r, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	}
	return readCloser{out, r.Close}, nil
}

// OpenBinary returns the decompressed content, undecoded.
func (f *File) OpenBinary() (io.ReadCloser, error) {
	raw, err := f.openRaw()
	if err != nil {
		return nil, fileError(f.Path, err)
	}
	r, closer, err := decompress(bufio.NewReaderSize(raw, 64<<10), f.Compression)
	if err != nil {
		raw.Close()
		return nil, &Error{File: f.Path, Reason: fmt.Sprintf("%s data: %v", f.Compression, err)}
	}
	return readCloser{r, func() error { closer(); return raw.Close() }}, nil
}

// ReaderAt gives random access to the decompressed content (for Parquet and
// Arrow IPC files): the file itself when uncompressed, else the content
// decompressed into memory. Call the returned function when done.
func (f *File) ReaderAt() (readerAtSeeker, int64, func(), error) {
	if f.data != nil && f.Compression == NoCompression {
		return bytes.NewReader(f.data), int64(len(f.data)), func() {}, nil
	}
	if f.Compression == NoCompression {
		of, err := os.Open(f.Path)
		if err != nil {
			return nil, 0, nil, fileError(f.Path, err)
		}
		st, err := of.Stat()
		if err != nil {
			of.Close()
			return nil, 0, nil, fileError(f.Path, err)
		}
		return of, st.Size(), func() { of.Close() }, nil
	}
	rc, err := f.OpenBinary()
	if err != nil {
		return nil, 0, nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, 0, nil, &Error{File: f.Path, Reason: fmt.Sprintf("decompressing: %v", err)}
	}
	return bytes.NewReader(b), int64(len(b)), func() {}, nil
}

type readerAtSeeker interface {
	io.ReaderAt
	io.ReadSeeker
}

func fileError(path string, err error) error {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	return &Error{File: path, Reason: err.Error()}
}
