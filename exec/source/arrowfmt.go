package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
)

// Binary columnar formats: Parquet and Arrow IPC (file and stream). Their
// columns map to KQL kinds by the "kql.type" metadata when present, else by
// physical type (kernels.KindOf); records are converted to the canonical
// Arrow type of each kind (conform.go).

var (
	parquetMagic = []byte("PAR1")
	arrowMagic   = []byte("ARROW1")
	ipcStreamCon = []byte{0xff, 0xff, 0xff, 0xff}
)

type parquetFormat struct{}
type arrowFormat struct{}

func init() {
	Register(parquetFormat{}, 0)
	Register(arrowFormat{}, 0)
}

func (parquetFormat) Name() string { return "parquet" }

func (parquetFormat) Detect(path string, head []byte) bool {
	return bytes.HasPrefix(head, parquetMagic)
}

func (parquetFormat) Read(f *File, opts *Options) ([]Part, error) {
	ra, _, done, err := f.ReaderAt()
	if err != nil {
		return nil, err
	}
	defer done()
	pr, err := file.NewParquetReader(ra)
	if err != nil {
		return nil, &Error{File: f.Path, Reason: "parquet: " + err.Error()}
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: DefaultBatchRows}, opts.mem())
	if err != nil {
		return nil, &Error{File: f.Path, Reason: "parquet: " + err.Error()}
	}
	schema, err := fr.Schema()
	if err != nil {
		return nil, &Error{File: f.Path, Reason: "parquet: " + err.Error()}
	}
	rows := pr.NumRows()
	return []Part{{
		Schema: kqlSchema(schema),
		Rows:   rows,
		Open: func(ctx context.Context, req ScanRequest) (catalog.RecordReader, error) {
			return openParquet(ctx, f, req)
		},
	}}, nil
}

func (arrowFormat) Name() string { return "arrow" }

func (arrowFormat) Detect(path string, head []byte) bool {
	if bytes.HasPrefix(head, arrowMagic) {
		return true
	}
	switch Ext(path) {
	case ".arrow", ".arrows", ".ipc", ".feather":
		return bytes.HasPrefix(head, ipcStreamCon)
	}
	return false
}

func (arrowFormat) Read(f *File, opts *Options) ([]Part, error) {
	if bytes.HasPrefix(f.Head, arrowMagic) {
		ra, _, done, err := f.ReaderAt()
		if err != nil {
			return nil, err
		}
		defer done()
		fr, err := ipc.NewFileReader(ra, ipc.WithAllocator(opts.mem()))
		if err != nil {
			return nil, &Error{File: f.Path, Reason: "arrow file: " + err.Error()}
		}
		defer fr.Close()
		var rows int64
		for i := 0; i < fr.NumRecords(); i++ {
			rec, err := fr.RecordAt(i)
			if err != nil {
				return nil, &Error{File: f.Path, Reason: fmt.Sprintf("arrow file: record batch %d: %v", i, err)}
			}
			rows += rec.NumRows()
			rec.Release()
		}
		return []Part{{
			Schema: kqlSchema(fr.Schema()),
			Rows:   rows,
			Open: func(ctx context.Context, req ScanRequest) (catalog.RecordReader, error) {
				ra, _, done, err := f.ReaderAt()
				if err != nil {
					return nil, err
				}
				fr, err := ipc.NewFileReader(ra, ipc.WithAllocator(req.Mem))
				if err != nil {
					done()
					return nil, &Error{File: f.Path, Reason: "arrow file: " + err.Error()}
				}
				i := 0
				return &conformReader{req: req, path: f.Path, next: func() (arrow.Record, error) {
					if i >= fr.NumRecords() {
						return nil, nil
					}
					rec, err := fr.RecordAt(i)
					i++
					return rec, err
				}, close: func() { fr.Close(); done() }}, nil
			},
		}}, nil
	}
	rc, err := f.OpenBinary()
	if err != nil {
		return nil, err
	}
	r, err := ipc.NewReader(rc, ipc.WithAllocator(opts.mem()))
	if err != nil {
		rc.Close()
		return nil, &Error{File: f.Path, Reason: "arrow stream: " + err.Error()}
	}
	schema := kqlSchema(r.Schema())
	r.Release()
	rc.Close()
	return []Part{{
		Schema: schema,
		Rows:   -1,
		Open: func(ctx context.Context, req ScanRequest) (catalog.RecordReader, error) {
			rc, err := f.OpenBinary()
			if err != nil {
				return nil, err
			}
			r, err := ipc.NewReader(rc, ipc.WithAllocator(req.Mem))
			if err != nil {
				rc.Close()
				return nil, &Error{File: f.Path, Reason: "arrow stream: " + err.Error()}
			}
			return &conformReader{req: req, path: f.Path, next: func() (arrow.Record, error) {
				if !r.Next() {
					if err := r.Err(); err != nil && !errors.Is(err, io.EOF) {
						return nil, err
					}
					return nil, nil
				}
				rec := r.Record()
				rec.Retain()
				return rec, nil
			}, close: func() { r.Release(); rc.Close() }}, nil
		},
	}}, nil
}

// kqlSchema maps an Arrow schema to the canonical KQL fields.
func kqlSchema(s *arrow.Schema) *arrow.Schema {
	fs := make([]arrow.Field, s.NumFields())
	for i, f := range s.Fields() {
		fs[i] = kernels.Field(f.Name, kernels.KindOf(f))
	}
	return arrow.NewSchema(fs, nil)
}

// parquetLeaves returns the leaf column indices of the top-level fields of
// m named in want, or nil (all columns) when every field is wanted.
func parquetLeaves(m *pqarrow.SchemaManifest, want *arrow.Schema) []int {
	if m == nil || want == nil || want.NumFields() >= len(m.Fields) {
		return nil
	}
	var leaves []int
	var walk func(f *pqarrow.SchemaField)
	walk = func(f *pqarrow.SchemaField) {
		if f.ColIndex >= 0 {
			leaves = append(leaves, f.ColIndex)
		}
		for i := range f.Children {
			walk(&f.Children[i])
		}
	}
	for i := range m.Fields {
		if want.HasField(m.Fields[i].Field.Name) {
			walk(&m.Fields[i])
		}
	}
	if len(leaves) == 0 {
		// Only the row count is needed: read the narrowest leaf.
		for i := range m.Fields {
			walk(&m.Fields[i])
			if len(leaves) > 0 {
				return leaves[:1]
			}
		}
	}
	return leaves
}
