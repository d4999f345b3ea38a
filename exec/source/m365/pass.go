package m365

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// A file is read once: a splitter (one goroutine, in file order) cuts it
// into records, workers (one per core) decode each record — the AuditData
// JSON, the mapping to every output table, the problems — and build Arrow
// records, and the results are merged back in file order: problems are
// reported as they come (so they are all known when Read returns, before
// anything is written), the decoded rows are kept for the scans. They are
// kept in memory up to memoryBudget per file, beyond that in an unlinked
// temporary Arrow IPC file (LZ4), so a scan of either table reads them
// back instead of parsing the file again.

// item is one record as cut by a splitter: either the problem that makes
// it unreadable (found while splitting) or the work that decodes it, run
// on a worker.
type item struct {
	bad    *catalog.Problem
	decode func() (*record, *catalog.Problem)
}

// splitFn cuts a file into items, in file order.
type splitFn func(f *source.File, emit func(item) error) error

const (
	// chunkRecords is how many records a worker decodes at a time (and
	// the rows of the cached Arrow records).
	chunkRecords = 2048
	// memoryBudget bounds the decoded rows of one file kept in memory;
	// beyond it they go to a temporary file.
	memoryBudget = 256 << 20
)

// tunables (tests lower them).
var (
	passChunk  = chunkRecords
	passBudget = int64(memoryBudget)
)

// readOnce reads f in one pass through mappers and returns one part per
// mapper, scanned from the decoded rows.
func readOnce(f *source.File, opts *source.Options, split splitFn, mappers []*mapper) ([]source.Part, error) {
	d := newDecoded(mappers)
	if err := d.run(f, opts, split); err != nil {
		d.discard()
		return nil, err
	}
	if err := d.finish(); err != nil {
		d.discard()
		return nil, &source.Error{File: f.Path, Reason: "keeping the decoded rows: " + err.Error()}
	}
	parts := make([]source.Part, len(mappers))
	for i, m := range mappers {
		t := d.tables[i]
		parts[i] = source.Part{
			Table:  m.table,
			Schema: m.schema,
			Rows:   t.rows,
			Open: func(ctx context.Context, req source.ScanRequest) (catalog.RecordReader, error) {
				return t.open(f.Path, req)
			},
		}
	}
	return parts, nil
}

// decoded is the rows of a file's tables.
type decoded struct {
	mappers []*mapper
	tables  []*tableCache
	mem     int64 // bytes held in memory
	spilled bool
}

func newDecoded(mappers []*mapper) *decoded {
	d := &decoded{mappers: mappers}
	for _, m := range mappers {
		d.tables = append(d.tables, &tableCache{schema: m.schema})
	}
	return d
}

// chunk is a run of consecutive items and, once done is closed, what
// decoding them gave.
type chunk struct {
	items    []item
	done     chan struct{}
	recs     []arrow.Record // one per table (nil: no rows)
	problems []catalog.Problem
	err      error
}

func (d *decoded) run(f *source.File, opts *source.Options, split splitFn) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	order := make(chan *chunk, 2*workers)
	work := make(chan *chunk, 2*workers)
	var splitErr error
	go func() {
		defer close(order)
		defer close(work)
		cur := &chunk{done: make(chan struct{})}
		flush := func() error {
			select {
			case order <- cur:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case work <- cur:
			case <-ctx.Done():
				close(cur.done) // the merger waits for it
				return ctx.Err()
			}
			cur = &chunk{items: make([]item, 0, passChunk), done: make(chan struct{})}
			return nil
		}
		splitErr = split(f, func(it item) error {
			cur.items = append(cur.items, it)
			if len(cur.items) >= passChunk {
				return flush()
			}
			return nil
		})
		if splitErr == nil && len(cur.items) > 0 {
			splitErr = flush()
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				if ctx.Err() == nil {
					d.decode(f, c)
				}
				close(c.done)
			}
		}()
	}
	var err error
	for c := range order {
		<-c.done
		if err == nil {
			err = d.merge(opts, c)
			if err != nil {
				cancel()
			}
		}
		if err != nil {
			release(c.recs)
		}
	}
	wg.Wait()
	if err != nil {
		return err
	}
	if splitErr != nil && !errors.Is(splitErr, context.Canceled) {
		return splitErr
	}
	return nil
}

// decode runs on a worker.
func (d *decoded) decode(f *source.File, c *chunk) {
	rows := make([][][]any, len(d.mappers))
	for i := range rows {
		rows[i] = make([][]any, 0, len(c.items))
	}
	for _, it := range c.items {
		if it.bad != nil {
			c.problems = append(c.problems, *it.bad)
			continue
		}
		r, bad := it.decode()
		if bad != nil {
			c.problems = append(c.problems, *bad)
			continue
		}
		for i, m := range d.mappers {
			w := m.slots(r)
			for _, p := range w.problems {
				c.problems = append(c.problems, catalog.Problem{File: f.Path, Line: r.n, Field: m.table + "." + p.Field, Reason: p.Reason})
			}
			rows[i] = append(rows[i], w.slots)
		}
	}
	c.recs = make([]arrow.Record, len(d.mappers))
	for i, m := range d.mappers {
		if len(rows[i]) == 0 {
			continue
		}
		rec, ok := slotsRecord(m.schema, m.index, rows[i])
		if !ok {
			// A value slotsRecord does not know: convert as BagPart does.
			rec, c.err = bagsRecord(m.schema, slotBags(m.schema, m.index, rows[i]))
			if c.err != nil {
				return
			}
		}
		c.recs[i] = rec
	}
}

// slotBags turns rows of slots into the bags BagPart converts.
func slotBags(schema *arrow.Schema, index map[string]int, rows [][]any) []*types.Bag {
	bags := make([]*types.Bag, len(rows))
	for r, slots := range rows {
		b := types.NewBag(len(slots))
		for _, fl := range schema.Fields() {
			v := slots[index[fl.Name]]
			if t, ok := v.(nsTime); ok {
				v = time.Unix(0, int64(t)).UTC().Format(time.RFC3339Nano)
			}
			if v != nil {
				b.Set(fl.Name, v)
			}
		}
		bags[r] = b
	}
	return bags
}

// slotsRecord builds the Arrow record of rows of slots with the
// conversions a source.BagPart scan makes of the values the mapping
// stores (coerce): strings (nil is "" in a string column), JSON text of
// dynamic values, int64 (int32 in int columns, null when out of range),
// float64, bool, datetimes (nsTime), canonical guids. ok is false if a
// value is of another form; nothing is built then.
func slotsRecord(schema *arrow.Schema, index map[string]int, rows [][]any) (rec arrow.Record, ok bool) {
	mem := memory.DefaultAllocator
	fields := schema.Fields()
	arrs := make([]arrow.Array, 0, len(fields))
	defer func() {
		if !ok {
			for _, a := range arrs {
				a.Release()
			}
		}
	}()
	n := len(rows)
	for _, fl := range fields {
		k := kernels.KindOf(fl)
		j := index[fl.Name]
		b := array.NewBuilder(mem, kernels.ArrowType(k))
		b.Reserve(n)
		good := true
		switch bb := b.(type) {
		case *array.StringBuilder:
			texts := make([]string, n)
			size := 0
			for r, slots := range rows {
				switch v := slots[j].(type) {
				case nil:
				case string:
					texts[r] = v
				default:
					if k != types.Dynamic {
						good = false
					} else {
						texts[r] = types.FormatDynamic(v)
					}
				}
				size += len(texts[r])
			}
			if k == types.Dynamic {
				for r, slots := range rows {
					if s, ok := slots[j].(string); ok {
						texts[r] = types.FormatDynamic(s)
						size += len(texts[r]) - len(s)
					}
				}
			}
			if !good || (k != types.String && k != types.Dynamic && k != types.Guid) {
				good = false
				break
			}
			bb.ReserveData(size)
			for r, slots := range rows {
				if slots[j] == nil && k != types.String {
					bb.AppendNull()
				} else {
					bb.Append(texts[r])
				}
			}
		case *array.BooleanBuilder:
			for _, slots := range rows {
				switch v := slots[j].(type) {
				case nil:
					bb.AppendNull()
				case bool:
					bb.Append(v)
				default:
					good = false
				}
			}
		case *array.Int64Builder:
			for _, slots := range rows {
				switch v := slots[j].(type) {
				case nil:
					bb.AppendNull()
				case int64:
					bb.Append(v)
				default:
					good = false
				}
			}
		case *array.Int32Builder:
			for _, slots := range rows {
				switch v := slots[j].(type) {
				case nil:
					bb.AppendNull()
				case int64:
					if v >= math.MinInt32 && v <= math.MaxInt32 {
						bb.Append(int32(v))
					} else {
						bb.AppendNull()
					}
				default:
					good = false
				}
			}
		case *array.Float64Builder:
			for _, slots := range rows {
				switch v := slots[j].(type) {
				case nil:
					bb.AppendNull()
				case float64:
					bb.Append(v)
				case int64:
					bb.Append(float64(v))
				default:
					good = false
				}
			}
		case *array.TimestampBuilder:
			for _, slots := range rows {
				switch v := slots[j].(type) {
				case nil:
					bb.AppendNull()
				case nsTime:
					bb.Append(arrow.Timestamp(v))
				default:
					good = false
				}
			}
		default:
			good = false
		}
		if good && k == types.Long {
			_, good = b.(*array.Int64Builder)
		}
		if !good {
			b.Release()
			return nil, false
		}
		arrs = append(arrs, b.NewArray())
		b.Release()
	}
	rec = array.NewRecord(schema, arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec, true
}

// bagsRecord converts rows to an Arrow record of schema exactly as a
// source.BagPart scan does.
func bagsRecord(schema *arrow.Schema, bags []*types.Bag) (arrow.Record, error) {
	if len(bags) == 0 {
		return nil, nil
	}
	p := source.BagPart("", schema, int64(len(bags)), func(_ source.ScanRequest, yield func(*types.Bag) error) error {
		for _, b := range bags {
			if err := yield(b); err != nil {
				return err
			}
		}
		return nil
	})
	ctx := context.Background()
	rd, err := p.Open(ctx, source.ScanRequest{Schema: schema, BatchRows: len(bags), Mem: memory.DefaultAllocator})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	rec, err := rd.Next(ctx)
	if err == nil && (rec == nil || rec.NumRows() != int64(len(bags))) {
		err = fmt.Errorf("%d rows built, %d expected", rowsOf(rec), len(bags))
	}
	return rec, err
}

func rowsOf(rec arrow.Record) int64 {
	if rec == nil {
		return 0
	}
	return rec.NumRows()
}

// merge runs in file order: it reports the chunk's problems and keeps its
// rows.
func (d *decoded) merge(opts *source.Options, c *chunk) error {
	if c.err != nil {
		return c.err
	}
	for _, p := range c.problems {
		if err := opts.Problem(p); err != nil {
			return err
		}
	}
	for i, rec := range c.recs {
		if rec == nil {
			continue
		}
		t := d.tables[i]
		t.rows += rec.NumRows()
		if d.spilled {
			err := t.write(rec)
			rec.Release()
			if err != nil {
				return err
			}
			continue
		}
		t.recs = append(t.recs, rec)
		d.mem += recordBytes(rec)
	}
	if !d.spilled && d.mem > passBudget {
		return d.spill()
	}
	return nil
}

// spill moves the rows kept in memory to temporary files; the rows that
// follow go there too.
func (d *decoded) spill() error {
	d.spilled = true
	for _, t := range d.tables {
		recs := t.recs
		t.recs = nil
		var err error
		for _, rec := range recs {
			if err == nil {
				err = t.write(rec)
			}
			rec.Release()
		}
		if err != nil {
			return err
		}
	}
	d.mem = 0
	return nil
}

func (d *decoded) finish() error {
	for _, t := range d.tables {
		if err := t.finish(); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoded) discard() {
	for _, t := range d.tables {
		release(t.recs)
		t.recs = nil
		if t.file != nil {
			t.file.Close()
			t.file = nil
		}
	}
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		if r != nil {
			r.Release()
		}
	}
}

// tableCache is the decoded rows of one table: in memory (recs), or in an
// unlinked temporary Arrow IPC file.
type tableCache struct {
	schema *arrow.Schema
	rows   int64
	recs   []arrow.Record

	file *os.File // the spill file (already removed from its directory)
	out  *posWriter
	w    *ipc.FileWriter
	size int64
}

func (t *tableCache) write(rec arrow.Record) error {
	if t.w == nil {
		f, err := os.CreateTemp("", "kqlhunt-m365-*.arrow")
		if err != nil {
			return err
		}
		os.Remove(f.Name()) // unlinked: the space is freed when f is closed
		t.file = f
		// The file lives as long as the table (scans read it back).
		runtime.SetFinalizer(t, func(t *tableCache) {
			if t.file != nil {
				t.file.Close()
			}
		})
		t.out = &posWriter{w: bufio.NewWriterSize(f, 1<<20)}
		t.w, err = ipc.NewFileWriter(t.out, ipc.WithSchema(t.schema), ipc.WithLZ4())
		if err != nil {
			return err
		}
	}
	return t.w.Write(rec)
}

func (t *tableCache) finish() error {
	if t.w == nil {
		return nil
	}
	if err := t.w.Close(); err != nil {
		return err
	}
	if err := t.out.w.Flush(); err != nil {
		return err
	}
	t.size = t.out.pos
	t.w, t.out = nil, nil
	return nil
}

// posWriter is a buffered io.WriteSeeker for ipc.FileWriter, which only
// asks for the current position.
type posWriter struct {
	w   *bufio.Writer
	pos int64
}

func (p *posWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.pos += int64(n)
	return n, err
}

func (p *posWriter) Seek(offset int64, whence int) (int64, error) {
	if offset == 0 && whence == io.SeekCurrent {
		return p.pos, nil
	}
	return 0, errors.New("posWriter: only the current position can be asked for")
}

// open scans the table's decoded rows in the requested schema.
func (t *tableCache) open(path string, req source.ScanRequest) (catalog.RecordReader, error) {
	r := &cacheReader{t: t, path: path, req: req}
	if r.req.BatchRows <= 0 {
		r.req.BatchRows = source.DefaultBatchRows
	}
	if t.file != nil {
		fr, err := ipc.NewFileReader(io.NewSectionReader(t.file, 0, t.size), ipc.WithAllocator(memory.DefaultAllocator))
		if err != nil {
			return nil, &source.Error{File: path, Reason: "reading the decoded rows back: " + err.Error()}
		}
		r.fr = fr
		r.n = fr.NumRecords()
	} else {
		r.n = len(t.recs)
	}
	return r, nil
}

type cacheReader struct {
	t    *tableCache
	path string
	req  source.ScanRequest
	fr   *ipc.FileReader
	n    int // records
	next int // next record
	cur  arrow.Record
	off  int64 // rows of cur already returned
}

func (r *cacheReader) Schema() *arrow.Schema { return r.req.Schema }

func (r *cacheReader) Next(ctx context.Context) (arrow.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.cur == nil {
		if r.next >= r.n {
			r.Close()
			return nil, nil
		}
		if r.fr != nil {
			rec, err := r.fr.RecordAt(r.next)
			if err != nil {
				return nil, &source.Error{File: r.path, Reason: "reading the decoded rows back: " + err.Error()}
			}
			r.cur = rec
		} else {
			r.cur = r.t.recs[r.next]
			r.cur.Retain()
		}
		r.next++
		r.off = 0
	}
	n := r.cur.NumRows()
	end := min(n, r.off+int64(r.req.BatchRows))
	var part arrow.Record
	if r.off == 0 && end == n {
		part = r.cur
		r.cur = nil
	} else {
		part = r.cur.NewSlice(r.off, end)
		r.off = end
		if end == n {
			r.cur.Release()
			r.cur = nil
		}
	}
	defer part.Release()
	return source.Conform(part, r.req.Schema, r.req.Mem), nil
}

func (r *cacheReader) Close() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.fr != nil {
		r.fr.Close()
		r.fr = nil
	}
	r.next = r.n
}

// String describes where the rows are (for tests and notes).
func (t *tableCache) String() string {
	if t.file != nil {
		return fmt.Sprintf("%d rows in a %d-byte temporary file", t.rows, t.size)
	}
	return fmt.Sprintf("%d rows in memory", t.rows)
}

// recordBytes is the size of a record's buffers.
func recordBytes(rec arrow.Record) int64 {
	var n int64
	var walk func(d arrow.ArrayData)
	walk = func(d arrow.ArrayData) {
		for _, b := range d.Buffers() {
			if b != nil {
				n += int64(b.Len())
			}
		}
		for _, c := range d.Children() {
			walk(c)
		}
	}
	for _, col := range rec.Columns() {
		walk(col.Data())
	}
	return n
}
