package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/compute"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Late materialisation of Parquet scans (issue 12). When the scan carries
// a pushed-down filter (ScanRequest.Filter), each row group is read in two
// steps: the filter's columns (and the columns that are cheap to read
// whole) through pqarrow, the filter's string columns as dictionaries
// when the file has them; the predicate is evaluated on them; then the
// other top-level string columns ("late" columns: BYTE_ARRAY leaves,
// typically big JSON text such as RawEventData) are decoded with the
// low-level column reader, whose values point into the decompressed pages,
// and only the kept rows' bytes are copied into the Arrow array. A query
// keeping 3 % of the rows no longer copies 97 % of its JSON text.

// lateCol is one column read late.
type lateCol struct {
	field  int // index in req.Schema
	leaf   int // Parquet leaf column
	maxDef int16

	pr       *file.Reader // its own reader (page buffers recycled: rotPool)
	pager    file.PageReader
	dictOffs []int32 // the chunk's dictionary page: value i is dictData[dictOffs[i]:dictOffs[i+1]]
	dictData []byte
	left     int // levels left in the current data page
	defs     hybrid
	plain    []byte // PLAIN values of the current page (when not dictionary-encoded)
	idx      hybrid // dictionary indices of the current page
	lv, iv   []uint32
	avg      int // average value size so far (sizing)
}

type lateReader struct {
	ctx     context.Context
	pr      *file.Reader
	fr      *pqarrow.FileReader
	req     ScanRequest
	early   ScanRequest // req restricted to the early columns (dictionary reads allowed)
	leaves  []int       // Parquet leaves of the early columns
	filter  []int       // indices of the filter's columns in early.Schema
	earlyAt []int       // per req field: index in early.Schema, or -1 (late)
	late    []lateCol
	pq      ScanRequest         // the early columns read by pqarrow
	pqAt    []int               // per early field: its index in pq.Schema, or -1 (direct)
	direct  []*dictCol          // early columns read from their dictionary pages
	terms   []*dictTerm         // the dictionary-index filter path (parquet_dictfilter.go), or nil
	rgs     []int               // the row groups read
	pages   func() *file.Reader // readers for the page-level column readers (one each)

	stop    chan struct{}
	items   chan earlyItem
	lateOut []chan lateItem
	wg      sync.WaitGroup
}

// planLate returns the late columns of a filtered scan, or nil when late
// materialisation does not apply (no filter, or no column worth reading
// late).
func planLate(pr *file.Reader, m *pqarrow.SchemaManifest, req ScanRequest) (late []lateCol, earlyFields []int, direct map[int]int) {
	if m == nil || (req.Filter != nil && len(req.Filter.Columns) == 0) {
		return nil, nil, nil
	}
	inFilter := map[string]bool{}
	if req.Filter != nil {
		for _, c := range req.Filter.Columns {
			if !req.Schema.HasField(c) {
				return nil, nil, nil
			}
			inFilter[c] = true
		}
	}
	dict := map[int]bool{}
	if req.Dict {
		for _, c := range dictLeaves(pr, req.Schema) {
			dict[c] = true
		}
	}
	sc := pr.MetaData().Schema
	for i, f := range req.Schema.Fields() {
		leaf := -1
		if f.Type.ID() == arrow.STRING {
			for j := range m.Fields {
				sf := &m.Fields[j]
				if sf.Field.Name == f.Name && sf.ColIndex >= 0 && len(sf.Children) == 0 && sf.Field.Type.ID() == arrow.STRING {
					leaf = sf.ColIndex
					break
				}
			}
		}
		if leaf >= 0 && (inFilter[f.Name] || dict[leaf]) {
			// a filter or dictionary column: early, from its pages when
			// they are all dictionary-encoded (parquet_dict.go)
			if kernels.KindOf(f) == types.String && dictDirect(pr, leaf) {
				if direct == nil {
					direct = map[int]int{}
				}
				direct[len(earlyFields)] = leaf
			}
			leaf = -1
		}
		if leaf >= 0 {
			c := sc.Column(leaf)
			if c.PhysicalType() != parquet.Types.ByteArray || c.MaxRepetitionLevel() != 0 || c.MaxDefinitionLevel() > 1 {
				leaf = -1
			}
		}
		if leaf < 0 {
			earlyFields = append(earlyFields, i)
			continue
		}
		late = append(late, lateCol{field: i, leaf: leaf, maxDef: sc.Column(leaf).MaxDefinitionLevel()})
	}
	if len(late) == 0 && len(direct) == 0 {
		return nil, nil, nil
	}
	return late, earlyFields, direct
}

func newLateReader(ctx context.Context, pr *file.Reader, req ScanRequest, late []lateCol, earlyFields []int, direct map[int]int, parallel bool) (*lateReader, error) {
	r := &lateReader{ctx: ctx, pr: pr, req: req, late: late}
	fs := make([]arrow.Field, len(earlyFields))
	r.earlyAt = make([]int, req.Schema.NumFields())
	for i := range r.earlyAt {
		r.earlyAt[i] = -1
	}
	for j, i := range earlyFields {
		fs[j] = req.Schema.Field(i)
		r.earlyAt[i] = j
	}
	r.early = ScanRequest{Schema: arrow.NewSchema(fs, nil), BatchRows: req.BatchRows, Mem: req.Mem, Dict: true}
	// early columns read by pqarrow (the others from their dictionary pages)
	var pfs []arrow.Field
	r.pqAt = make([]int, len(fs))
	for j, f := range fs {
		if leaf, ok := direct[j]; ok {
			r.pqAt[j] = -1
			r.direct = append(r.direct, &dictCol{field: j, leaf: leaf, maxDef: pr.MetaData().Schema.Column(leaf).MaxDefinitionLevel()})
			continue
		}
		r.pqAt[j] = len(pfs)
		pfs = append(pfs, f)
	}
	r.pq = ScanRequest{Schema: arrow.NewSchema(pfs, nil), BatchRows: req.BatchRows, Mem: req.Mem, Dict: true}
	props := pqarrow.ArrowReadProperties{BatchSize: int64(req.BatchRows), Parallel: parallel}
	// the filter's string columns (and, when allowed, the others) as
	// dictionaries: the predicate runs once per entry
	dictWant := r.pq.Schema
	if !req.Dict {
		var dfs []arrow.Field
		if req.Filter != nil {
			for _, c := range req.Filter.Columns {
				if idx := r.pq.Schema.FieldIndices(c); len(idx) > 0 {
					dfs = append(dfs, pfs[idx[0]])
				}
			}
		}
		dictWant = arrow.NewSchema(dfs, nil)
	}
	for _, c := range dictLeaves(pr, dictWant) {
		props.SetReadDict(c, true)
	}
	fr, err := pqarrow.NewFileReader(pr, props, req.Mem)
	if err != nil {
		return nil, err
	}
	r.fr = fr
	r.leaves = parquetLeaves(fr.Manifest, r.pq.Schema)
	if r.leaves == nil { // every early field: list them all the same
		r.leaves = parquetLeaves(fr.Manifest, nil)
	}
	if req.Filter != nil {
		for _, c := range req.Filter.Columns {
			r.filter = append(r.filter, r.early.Schema.FieldIndices(c)[0])
		}
	}
	r.planDictFilter()
	return r, nil
}

// earlyItem is one batch of early columns with the rows the filter keeps.
type earlyItem struct {
	rg    int
	n     int
	early arrow.Record // conformed early columns (nil on error)
	sel   []int32
	err   error
}

type lateItem struct {
	arr arrow.Array
	err error
}

// start runs the pipeline: one goroutine reads the early columns and
// evaluates the filter, one per late column decodes it for the kept rows;
// next assembles the records in order.
func (r *lateReader) start() {
	r.stop = make(chan struct{})
	r.items = make(chan earlyItem, 2)
	r.lateOut = make([]chan lateItem, len(r.late))
	lateIn := make([]chan earlyItem, len(r.late))
	for i := range r.late {
		r.lateOut[i] = make(chan lateItem, 2)
		lateIn[i] = make(chan earlyItem, 2)
	}
	r.wg.Add(1 + len(r.late))
	go func() {
		defer r.wg.Done()
		defer close(r.items)
		defer func() {
			for _, c := range lateIn {
				close(c)
			}
		}()
		send := func(it earlyItem) bool {
			for _, c := range lateIn {
				select {
				case c <- earlyItem{rg: it.rg, n: it.n, sel: it.sel, err: it.err}:
				case <-r.stop:
					if it.early != nil {
						it.early.Release()
					}
					return false
				}
			}
			select {
			case r.items <- it:
				return true
			case <-r.stop:
				if it.early != nil {
					it.early.Release()
				}
				return false
			}
		}
		defer func() {
			for _, c := range r.direct {
				c.release()
			}
		}()
		for _, rg := range r.rgs {
			for _, c := range r.direct {
				if err := c.open(r.pages, rg); err != nil {
					send(earlyItem{err: err})
					return
				}
			}
			if r.pq.Schema.NumFields() == 0 {
				// no column for pqarrow: batches of the row group's rows
				rows := int(r.pr.MetaData().RowGroup(rg).NumRows())
				fast := r.dictFilterRG(rg)
				for off := 0; off < rows; off += r.req.BatchRows {
					n := min(r.req.BatchRows, rows-off)
					var it earlyItem
					if fast {
						it = r.dictFilterBatch(rg, n)
					} else {
						it = r.filterBatch(rg, nil, n)
					}
					if !send(it) || it.err != nil {
						return
					}
				}
				continue
			}
			rr, err := r.fr.GetRecordReader(r.ctx, r.leaves, []int{rg})
			if err != nil {
				send(earlyItem{err: err})
				return
			}
			for rr.Next() {
				it := r.filterBatch(rg, rr.Record(), int(rr.Record().NumRows()))
				if !send(it) || it.err != nil {
					rr.Release()
					return
				}
			}
			err = rr.Err()
			rr.Release()
			if err != nil && !errors.Is(err, io.EOF) {
				send(earlyItem{err: err})
				return
			}
		}
	}()
	for i := range r.late {
		go func(c *lateCol, in <-chan earlyItem, out chan<- lateItem) {
			defer r.wg.Done()
			defer close(out)
			rg := -1
			for it := range in {
				var li lateItem
				if it.err != nil {
					return
				}
				if it.rg != rg {
					rg = it.rg
					li.err = c.open(r.pages, rg)
				}
				if li.err == nil {
					li.arr, li.err = c.read(it.n, it.sel)
				}
				select {
				case out <- li:
				case <-r.stop:
					if li.arr != nil {
						li.arr.Release()
					}
					return
				}
				if li.err != nil {
					return
				}
			}
		}(&r.late[i], lateIn[i], r.lateOut[i])
	}
}

func (r *lateReader) close() {
	if r.stop == nil {
		return
	}
	close(r.stop)
	r.wg.Wait()
	// release what the goroutines had queued
	for it := range r.items {
		if it.early != nil {
			it.early.Release()
		}
	}
	for _, c := range r.lateOut {
		for li := range c {
			if li.arr != nil {
				li.arr.Release()
			}
		}
	}
	r.stop = nil
}

// filterBatch conforms one record of early columns and evaluates the
// filter on it.
func (r *lateReader) filterBatch(rg int, raw arrow.Record, n int) earlyItem {
	early, err := r.earlyRecord(raw, n)
	if err != nil {
		return earlyItem{err: err}
	}
	if r.req.Filter == nil {
		return earlyItem{rg: rg, n: n, early: early, sel: allRows(n)}
	}
	fcols := make([]arrow.Array, len(r.filter))
	ffs := make([]arrow.Field, len(r.filter))
	for i, j := range r.filter {
		fcols[i] = early.Column(j)
		ffs[i] = early.Schema().Field(j)
	}
	frec := array.NewRecord(arrow.NewSchema(ffs, nil), fcols, int64(n))
	sel, err := r.req.Filter.Eval(frec)
	frec.Release()
	if err != nil {
		early.Release()
		return earlyItem{err: err}
	}
	return earlyItem{rg: rg, n: n, early: early, sel: sel}
}

// earlyRecord is the batch of early columns: pqarrow's record raw (nil
// when pqarrow reads none) conformed, and the next n rows of the columns
// read from their dictionary pages.
func (r *lateReader) earlyRecord(raw arrow.Record, n int) (arrow.Record, error) {
	var pq arrow.Record
	if raw != nil {
		pq = conform(raw, r.pq)
		defer pq.Release()
	}
	fs := r.early.Schema.Fields()
	cols := make([]arrow.Array, len(fs))
	di := 0
	for j := range fs {
		if k := r.pqAt[j]; k >= 0 {
			cols[j] = pq.Column(k)
			cols[j].Retain()
		} else {
			a, err := r.direct[di].read(r.req.Mem, n)
			di++
			if err != nil {
				for _, c := range cols[:j] {
					c.Release()
				}
				return nil, err
			}
			cols[j] = a
		}
		fs[j].Type = cols[j].DataType()
	}
	rec := array.NewRecord(arrow.NewSchema(fs, nil), cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}

// next returns the next non-empty filtered record, nil at the end.
func (r *lateReader) next() (arrow.Record, error) {
	if r.stop == nil {
		r.start()
	}
	for {
		it, ok := <-r.items
		if !ok {
			return nil, nil
		}
		if it.err != nil {
			return nil, it.err
		}
		lates := make([]arrow.Array, len(r.late))
		var err error
		for i, c := range r.lateOut {
			li, ok := <-c
			if !ok {
				err = fmt.Errorf("parquet: late column reader stopped")
			} else if li.err != nil {
				err = li.err
			}
			lates[i] = li.arr
		}
		var rec arrow.Record
		if err == nil && len(it.sel) > 0 {
			rec, err = r.assemble(it, lates)
		}
		it.early.Release()
		for _, a := range lates {
			if a != nil {
				a.Release()
			}
		}
		if err != nil || rec != nil {
			return rec, err
		}
	}
}

// assemble builds the output record of a batch from its kept early rows
// and its late arrays.
func (r *lateReader) assemble(it earlyItem, lates []arrow.Array) (arrow.Record, error) {
	sel, n, early := it.sel, it.n, it.early
	fields := r.req.Schema.Fields()
	cols := make([]arrow.Array, len(fields))
	defer func() {
		for _, a := range cols {
			if a != nil {
				a.Release()
			}
		}
	}()
	dictTypes := false
	li := 0
	for i := range fields {
		j := r.earlyAt[i]
		if j < 0 {
			lates[li].Retain()
			cols[i] = lates[li]
			li++
			continue
		}
		a, err := takeRows(r.req.Mem, early.Column(j), sel, n)
		if err != nil {
			return nil, err
		}
		if d, _ := kernels.StringDict(a); d != nil {
			if !r.req.Dict || kernels.KindOf(fields[i]) != types.String {
				p := kernels.DecodeDict(r.req.Mem, a)
				a.Release()
				a = p
			} else {
				fields[i] = dictField(fields[i], a.DataType())
				dictTypes = true
			}
		}
		cols[i] = a
	}
	schema := r.req.Schema
	if dictTypes {
		md := schema.Metadata()
		schema = arrow.NewSchema(fields, &md)
	}
	return array.NewRecord(schema, cols, int64(len(sel))), nil
}

// allRows is the selection of every row of n.
func allRows(n int) []int32 {
	sel := make([]int32, n)
	for i := range sel {
		sel[i] = int32(i)
	}
	return sel
}

func int32Bytes(s []int32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*4)
}

// takeRows returns the rows sel of a (n rows); a itself (retained) when
// sel is every row.
func takeRows(mem memory.Allocator, a arrow.Array, sel []int32, n int) (arrow.Array, error) {
	if len(sel) == n {
		a.Retain()
		return a, nil
	}
	switch x := a.(type) {
	case *array.Dictionary:
		idx, err := takeRows(mem, x.Indices(), sel, n)
		if err != nil {
			return nil, err
		}
		defer idx.Release()
		return array.NewDictionaryArray(x.DataType(), idx, x.Dictionary()), nil
	case *array.String:
		size := 0
		for _, i := range sel {
			size += x.ValueLen(int(i))
		}
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.Reserve(len(sel))
		b.ReserveData(size)
		for _, i := range sel {
			if x.IsNull(int(i)) {
				b.AppendNull()
			} else {
				b.Append(x.Value(int(i)))
			}
		}
		return b.NewArray(), nil
	}
	ib := array.NewInt32Builder(mem)
	ib.AppendValues(sel, nil)
	ix := ib.NewArray()
	ib.Release()
	defer ix.Release()
	out, err := compute.TakeArray(context.Background(), a, ix)
	if err != nil {
		return nil, fmt.Errorf("take %v: %w", a.DataType(), err)
	}
	return out, nil
}
