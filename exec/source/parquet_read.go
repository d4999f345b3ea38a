package source

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
)

// Parquet scans read row group by row group: each row group has its own
// dictionaries (pqarrow cannot put a batch spanning two into one record),
// and files of several row groups are read by up to GOMAXPROCS row groups
// at once, each on its own file reader, the records merged back in file
// order (rgMerge).

// rgReader reads some row groups of one open file.
type rgReader struct {
	next  func() (arrow.Record, error)
	close func()
}

// openRowGroups returns a reader of row groups rgs of pr: the late
// reader when the scan has string columns it can decode itself
// (parquet_late.go), else pqarrow's record reader; parallel: pqarrow
// decodes the columns of a batch concurrently (when row groups are not
// already read concurrently).
func openRowGroups(ctx context.Context, pr *file.Reader, pages func() *file.Reader, req ScanRequest, rgs []int, parallel bool) (rgReader, error) {
	if m, err := pqarrow.NewSchemaManifest(pr.MetaData().Schema, pr.MetaData().KeyValueMetadata(), nil); err == nil {
		if late, early, direct := planLate(pr, m, req); late != nil || direct != nil {
			lr, err := newLateReader(ctx, pr, req, late, early, direct, parallel)
			lr.pages = pages
			if err != nil {
				return rgReader{}, err
			}
			lr.rgs = rgs
			return rgReader{next: lr.next, close: lr.close}, nil
		}
	}
	props := pqarrow.ArrowReadProperties{BatchSize: int64(req.BatchRows), Parallel: parallel}
	if req.Dict {
		for _, c := range dictLeaves(pr, req.Schema) {
			props.SetReadDict(c, true)
		}
	}
	fr, err := pqarrow.NewFileReader(pr, props, req.Mem)
	if err != nil {
		return rgReader{}, err
	}
	// Read only the requested columns (the projection pushed down by
	// the planner); conform picks columns by name.
	leaves := parquetLeaves(fr.Manifest, req.Schema)
	var rr pqarrow.RecordReader
	i := 0
	return rgReader{next: func() (arrow.Record, error) {
		for {
			if rr == nil {
				if i >= len(rgs) {
					return nil, nil
				}
				var err error
				rr, err = fr.GetRecordReader(ctx, leaves, rgs[i:i+1])
				if err != nil {
					return nil, err
				}
				i++
			}
			if rr.Next() {
				rec := rr.Record()
				rec.Retain()
				return rec, nil
			}
			err := rr.Err()
			rr.Release()
			rr = nil
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
		}
	}, close: func() {
		if rr != nil {
			rr.Release()
			rr = nil
		}
	}}, nil
}

func allRowGroups(n int) []int {
	rgs := make([]int, n)
	for i := range rgs {
		rgs[i] = i
	}
	return rgs
}

// pageReaders returns a factory of readers of the file of pr, each with
// page buffers of its own rotPool (for one column reader of
// parquet_dict.go each).
func pageReaders(ra *lockedReader, pr *file.Reader) func() *file.Reader {
	return func() *file.Reader {
		ra.mu.Lock() // the reader seeks to find the file size
		defer ra.mu.Unlock()
		// buffered stream: pages are read from the file into their own
		// buffers (after a small buffer for the page header) instead of
		// the whole column chunk being read into one buffer and copied
		// into a second before each page is copied out of it
		props := parquet.NewReaderProperties(&rotPool{})
		props.BufferedStreamEnabled = true
		props.BufferSize = pageStreamBuf
		p, err := file.NewParquetReader(ra.r, file.WithMetadata(pr.MetaData()), file.WithReadProps(props))
		if err != nil {
			return pr
		}
		return p
	}
}

// streamProps are the reader properties of pqarrow's readers: a
// buffered stream, as for the page-level readers.
func streamProps() *parquet.ReaderProperties {
	props := parquet.NewReaderProperties(memory.DefaultAllocator)
	props.BufferedStreamEnabled = true
	props.BufferSize = pageStreamBuf
	return props
}

// pageStreamBuf is the read buffer of the page-level column readers.
const pageStreamBuf = 64 << 10

// lockedReader serialises the creation of readers of one file: Parquet
// readers seek (reads themselves are ReadAt, safe concurrently).
type lockedReader struct {
	mu sync.Mutex
	r  readerAtSeeker
}

// openParquet opens a scan of a Parquet file.
func openParquet(ctx context.Context, f *File, req ScanRequest) (catalog.RecordReader, error) {
	ra, _, done, err := f.ReaderAt()
	if err != nil {
		return nil, err
	}
	lr := &lockedReader{r: ra}
	pr, err := file.NewParquetReader(ra, file.WithReadProps(streamProps()))
	if err != nil {
		done()
		return nil, &Error{File: f.Path, Reason: "parquet: " + err.Error()}
	}
	nrg := pr.NumRowGroups()
	workers := min(runtime.GOMAXPROCS(0), nrg)
	if workers <= 1 {
		r, err := openRowGroups(ctx, pr, pageReaders(lr, pr), req, allRowGroups(nrg), runtime.GOMAXPROCS(0) > 1)
		if err != nil {
			pr.Close()
			done()
			return nil, &Error{File: f.Path, Reason: "parquet: " + err.Error()}
		}
		return &conformReader{req: req, path: f.Path, next: r.next, close: func() { r.close(); pr.Close(); done() }}, nil
	}
	md := pr.MetaData()
	m := &rgMerge{nrg: nrg, window: workers, depth: mergeDepth(pr, req), open: func(rg int) (rgReader, func(), error) {
		// a reader of its own (the footer parsed once); not closed, as
		// closing would close the shared file
		lr.mu.Lock() // the reader seeks to find the file size
		rpr, err := file.NewParquetReader(ra, file.WithMetadata(md), file.WithReadProps(streamProps()))
		lr.mu.Unlock()
		if err != nil {
			return rgReader{}, nil, err
		}
		r, err := openRowGroups(ctx, rpr, pageReaders(lr, rpr), req, []int{rg}, false)
		if err != nil {
			return rgReader{}, nil, err
		}
		return r, func() {}, nil
	}}
	return &conformReader{req: req, path: f.Path, next: m.next, close: func() { m.close(); pr.Close(); done() }}, nil
}

// mergeBudget bounds the bytes of decoded records a row group read ahead
// may hold while the one before it is consumed.
const mergeBudget = 64 << 20

// mergeDepth is how many records a row group read ahead may queue: the
// budget over the uncompressed size of a batch of the columns read (all
// of a row group at most).
func mergeDepth(pr *file.Reader, req ScanRequest) int {
	md := pr.MetaData()
	if pr.NumRowGroups() == 0 {
		return 2
	}
	rg := md.RowGroup(0)
	rows := rg.NumRows()
	if rows <= 0 {
		return 2
	}
	var size int64
	sc := md.Schema
	for i := 0; i < rg.NumColumns(); i++ {
		path := sc.Column(i).ColumnPath()
		if len(path) == 0 || !req.Schema.HasField(path[0]) {
			continue
		}
		if cc, err := rg.ColumnChunk(i); err == nil {
			size += cc.TotalUncompressedSize()
		}
	}
	batches := int((rows + int64(req.BatchRows) - 1) / int64(req.BatchRows))
	perBatch := size / int64(batches)
	if req.Filter != nil {
		perBatch /= 4 // filtered records are smaller; a guess
	}
	d := batches
	if perBatch > 0 {
		d = min(d, int(mergeBudget/perBatch))
	}
	return max(d, 2)
}

// rgMerge reads row groups concurrently, window at a time, and returns
// their records in row group order.
type rgMerge struct {
	nrg, window, depth int
	open               func(rg int) (rgReader, func(), error)

	chans   []chan rgItem
	cur     int
	started int
	stop    chan struct{}
	wg      sync.WaitGroup
}

type rgItem struct {
	rec arrow.Record
	err error
}

func (m *rgMerge) startNext() {
	rg := m.started
	m.started++
	ch := make(chan rgItem, m.depth)
	m.chans[rg] = ch
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer close(ch)
		send := func(it rgItem) bool {
			select {
			case ch <- it:
				return true
			case <-m.stop:
				if it.rec != nil {
					it.rec.Release()
				}
				return false
			}
		}
		r, closeFile, err := m.open(rg)
		if err != nil {
			send(rgItem{err: err})
			return
		}
		defer closeFile()
		defer r.close()
		for {
			rec, err := r.next()
			if err != nil {
				send(rgItem{err: err})
				return
			}
			if rec == nil || !send(rgItem{rec: rec}) {
				return
			}
		}
	}()
}

func (m *rgMerge) next() (arrow.Record, error) {
	if m.stop == nil {
		m.stop = make(chan struct{})
		m.chans = make([]chan rgItem, m.nrg)
		for m.started < min(m.window, m.nrg) {
			m.startNext()
		}
	}
	for m.cur < m.nrg {
		it, ok := <-m.chans[m.cur]
		if !ok {
			m.chans[m.cur] = nil
			m.cur++
			if m.started < m.nrg {
				m.startNext()
			}
			continue
		}
		if it.err != nil {
			return nil, it.err
		}
		return it.rec, nil
	}
	return nil, nil
}

func (m *rgMerge) close() {
	if m.stop == nil {
		return
	}
	close(m.stop)
	m.wg.Wait()
	for _, ch := range m.chans {
		if ch == nil {
			continue
		}
		for it := range ch {
			if it.rec != nil {
				it.rec.Release()
			}
		}
	}
	m.stop = nil
	m.cur = m.nrg
}
