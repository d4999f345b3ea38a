package source

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
)

// Dictionary-encoded string columns read straight from their pages
// (issue 12). For a flat string column chunk whose data pages are all
// dictionary-encoded, the dictionary page becomes one Arrow String array
// shared by every batch of the row group, and the data pages' RLE /
// bit-packed indices are decoded into Int32 indices: no per-row hashing
// into a dictionary builder (pqarrow's dictionary reads) and no string
// copies. Kernels that cache per dictionary (join, make-series) see one
// dictionary per row group.

// Parquet encoding and page type numbers (parquet.thrift).
const (
	encPlain     = 0
	encPlainDict = 2
	encRLE       = 3
	encRLEDict   = 8
)

// dictCol is one column read by the dictionary page reader.
type dictCol struct {
	field  int // index in the early schema
	leaf   int
	maxDef int16

	pr    *file.Reader // its own reader (page buffers recycled: rotPool)
	pager file.PageReader
	dict  arrow.Array
	typ   *arrow.DictionaryType
	left  int // levels left in the current data page
	defs  hybrid
	idx   hybrid
	lv    []uint32
	iv    []uint32
}

// dictDirect reports whether leaf col of pr can be read by dictCol: flat,
// at most optional, BYTE_ARRAY, and dictionary-encoded data pages only in
// every row group (by the chunks' page encoding statistics).
func dictDirect(pr *file.Reader, col int) bool {
	c := pr.MetaData().Schema.Column(col)
	if c.PhysicalType() != parquet.Types.ByteArray || c.MaxRepetitionLevel() != 0 || c.MaxDefinitionLevel() > 1 {
		return false
	}
	md := pr.MetaData()
	for rg := 0; rg < pr.NumRowGroups(); rg++ {
		cc, err := md.RowGroup(rg).ColumnChunk(col)
		if err != nil || !cc.HasDictionaryPage() {
			return false
		}
		stats := cc.EncodingStats()
		if len(stats) == 0 {
			return false
		}
		for _, st := range stats {
			switch pt, enc := int32(st.PageType), int32(st.Encoding); pt {
			case 0, 3: // data pages
				if enc != encRLEDict && enc != encPlainDict {
					return false
				}
			case 2: // dictionary page
				if enc != encPlain && enc != encPlainDict {
					return false
				}
			}
		}
	}
	return true
}

// open starts reading the column in row group rg.
func (c *dictCol) open(pages func() *file.Reader, rg int) error {
	if c.pr == nil {
		c.pr = pages()
	}
	pager, err := c.pr.RowGroup(rg).GetColumnPageReader(c.leaf)
	if err != nil {
		return err
	}
	c.pager, c.left = pager, 0
	if c.dict != nil {
		c.dict.Release()
		c.dict = nil
	}
	c.typ = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	return nil
}

func (c *dictCol) release() {
	if c.dict != nil {
		c.dict.Release()
		c.dict = nil
	}
}

// nextPage moves to the next data page (reading the dictionary page
// first).
func (c *dictCol) nextPage(mem memory.Allocator) error {
	for {
		if !c.pager.Next() {
			if err := c.pager.Err(); err != nil {
				return err
			}
			return fmt.Errorf("parquet: column %d ended early", c.leaf)
		}
		switch p := c.pager.Page().(type) {
		case *file.DictionaryPage:
			d, err := plainStrings(mem, p.Data(), int(p.NumValues()))
			if err != nil {
				return err
			}
			if c.dict != nil {
				c.dict.Release()
			}
			c.dict = d
		case *file.DataPageV1, *file.DataPageV2:
			if c.dict == nil {
				return fmt.Errorf("parquet: column %d: data page before its dictionary", c.leaf)
			}
			levels, data, enc, n, err := splitDataPage(c.leaf, p, c.maxDef)
			if err != nil {
				return err
			}
			if enc != encRLEDict && enc != encPlainDict {
				return fmt.Errorf("parquet: column %d: data page encoding %d is not a dictionary", c.leaf, enc)
			}
			if c.maxDef > 0 {
				c.defs = hybrid{data: levels, bw: 1}
			}
			if c.idx, err = indexRuns(c.leaf, data); err != nil {
				return err
			}
			c.left = n
			return nil
		}
	}
}

// indexRuns starts reading the dictionary indices of a data page's values:
// one byte of bit width, then RLE/bit-packed runs.
func indexRuns(leaf int, data []byte) (hybrid, error) {
	if len(data) == 0 {
		return hybrid{}, nil
	}
	bw := int(data[0])
	if bw > 32 {
		return hybrid{}, fmt.Errorf("parquet: column %d: bad index bit width %d", leaf, bw)
	}
	return hybrid{data: data[1:], bw: bw}, nil
}

// splitDataPage splits a v1 or v2 data page of a flat column into its
// definition levels (nil when maxDef is 0 for v1) and its values, with the
// values' encoding and the page's value count.
func splitDataPage(leaf int, pg file.Page, maxDef int16) (levels, data []byte, enc int32, n int, err error) {
	switch p := pg.(type) {
	case *file.DataPageV1:
		data, enc, n = p.Data(), int32(p.Encoding()), int(p.NumValues())
		if maxDef > 0 {
			if int32(p.DefinitionLevelEncoding()) != encRLE || len(data) < 4 {
				return nil, nil, 0, 0, fmt.Errorf("parquet: column %d: unsupported definition level encoding", leaf)
			}
			l := int(binary.LittleEndian.Uint32(data))
			if 4+l > len(data) {
				return nil, nil, 0, 0, fmt.Errorf("parquet: column %d: corrupt page", leaf)
			}
			levels, data = data[4:4+l], data[4+l:]
		}
	case *file.DataPageV2:
		data, enc, n = p.Data(), int32(p.Encoding()), int(p.NumValues())
		rl, dl := int(p.RepetitionLevelByteLen()), int(p.DefinitionLevelByteLen())
		if rl+dl > len(data) {
			return nil, nil, 0, 0, fmt.Errorf("parquet: column %d: corrupt page", leaf)
		}
		levels, data = data[rl:rl+dl], data[rl+dl:]
	default:
		return nil, nil, 0, 0, fmt.Errorf("parquet: column %d: not a data page", leaf)
	}
	return levels, data, enc, n, nil
}

// read returns the next n rows as a dictionary array.
func (c *dictCol) read(mem memory.Allocator, n int) (arrow.Array, error) {
	idxBuf := memory.NewResizableBuffer(mem)
	idxBuf.Resize(n * 4)
	out := arrow.Int32Traits.CastFromBytes(idxBuf.Bytes())
	var valid []byte
	nulls := 0
	if cap(c.lv) < n {
		c.lv = make([]uint32, n)
		c.iv = make([]uint32, n)
	}
	got := 0
	for got < n {
		if c.left == 0 {
			if err := c.nextPage(mem); err != nil {
				idxBuf.Release()
				return nil, err
			}
			continue
		}
		m := min(n-got, c.left)
		nonNull := m
		if c.maxDef > 0 {
			lv := c.lv[:m]
			if err := c.defs.decode(lv); err != nil {
				idxBuf.Release()
				return nil, fmt.Errorf("parquet: column %d: %w", c.leaf, err)
			}
			nonNull = 0
			for _, l := range lv {
				if l == uint32(c.maxDef) {
					nonNull++
				}
			}
		}
		iv := c.iv[:nonNull]
		if err := c.idx.decode(iv); err != nil {
			idxBuf.Release()
			return nil, fmt.Errorf("parquet: column %d: %w", c.leaf, err)
		}
		nd := uint32(c.dict.Len())
		if nonNull == m {
			for j, v := range iv {
				if v >= nd {
					idxBuf.Release()
					return nil, fmt.Errorf("parquet: column %d: dictionary index %d out of range", c.leaf, v)
				}
				out[got+j] = int32(v)
			}
			if valid != nil {
				bitutil.SetBitsTo(valid, int64(got), int64(m), true)
			}
		} else {
			if valid == nil {
				valid = make([]byte, bitutil.BytesForBits(int64(n)))
				bitutil.SetBitsTo(valid, 0, int64(got), true)
			}
			k := 0
			for j, l := range c.lv[:m] {
				if l == uint32(c.maxDef) {
					v := iv[k]
					k++
					if v >= nd {
						idxBuf.Release()
						return nil, fmt.Errorf("parquet: column %d: dictionary index %d out of range", c.leaf, v)
					}
					out[got+j] = int32(v)
					bitutil.SetBit(valid, got+j)
				} else {
					out[got+j] = 0
					nulls++
				}
			}
		}
		got += m
		c.left -= m
	}
	bufs := []*memory.Buffer{nil, idxBuf}
	if valid != nil {
		bufs[0] = memory.NewBufferBytes(valid)
	}
	d := array.NewData(arrow.PrimitiveTypes.Int32, n, bufs, nil, nulls, 0)
	idxBuf.Release()
	ind := array.MakeFromData(d)
	d.Release()
	defer ind.Release()
	return array.NewDictionaryArray(c.typ, ind, c.dict), nil
}

// plainStrings decodes n PLAIN byte arrays (4-byte length, bytes).
func plainStrings(mem memory.Allocator, data []byte, n int) (arrow.Array, error) {
	offsets := make([]int32, n+1)
	vals := make([]byte, 0, max(len(data)-4*n, 0))
	pos := 0
	for i := 0; i < n; i++ {
		if pos+4 > len(data) {
			return nil, fmt.Errorf("parquet: corrupt dictionary page")
		}
		l := int(binary.LittleEndian.Uint32(data[pos:]))
		pos += 4
		if l < 0 || pos+l > len(data) {
			return nil, fmt.Errorf("parquet: corrupt dictionary page")
		}
		vals = append(vals, data[pos:pos+l]...)
		pos += l
		offsets[i+1] = int32(len(vals))
	}
	d := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{nil, memory.NewBufferBytes(int32Bytes(offsets)), memory.NewBufferBytes(vals)}, nil, 0, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}

// hybrid decodes Parquet's RLE / bit-packed hybrid encoding of values of
// bw bits.
type hybrid struct {
	data []byte
	pos  int
	bw   int
	// current run
	rle    bool
	left   int    // values left in the run
	val    uint32 // RLE value
	packed []byte // bit-packed run's bytes
	pidx   int    // next value in the packed run
}

func (h *hybrid) decode(out []uint32) error {
	i := 0
	for i < len(out) {
		if h.left == 0 {
			if err := h.nextRun(); err != nil {
				return err
			}
		}
		m := min(len(out)-i, h.left)
		if h.rle {
			v := h.val
			for j := i; j < i+m; j++ {
				out[j] = v
			}
		} else {
			h.unpack(out[i : i+m])
		}
		i += m
		h.left -= m
	}
	return nil
}

func (h *hybrid) nextRun() error {
	if h.bw == 0 {
		// every value is 0 (a one-entry dictionary)
		h.rle, h.val, h.left = true, 0, 1<<30
		return nil
	}
	hdr, k := binary.Uvarint(h.data[h.pos:])
	if k <= 0 {
		return fmt.Errorf("corrupt RLE run")
	}
	h.pos += k
	if hdr&1 == 0 {
		nb := (h.bw + 7) / 8
		if h.pos+nb > len(h.data) {
			return fmt.Errorf("corrupt RLE run")
		}
		var v uint32
		for b := 0; b < nb; b++ {
			v |= uint32(h.data[h.pos+b]) << (8 * b)
		}
		h.pos += nb
		h.rle, h.val, h.left = true, v, int(hdr>>1)
		if h.left == 0 {
			return h.nextRun()
		}
		return nil
	}
	groups := int(hdr >> 1)
	nbytes := groups * h.bw
	if h.pos+nbytes > len(h.data) {
		// the last run may be cut short: keep what there is
		nbytes = len(h.data) - h.pos
	}
	h.rle, h.packed, h.pidx = false, h.data[h.pos:h.pos+nbytes], 0
	h.left = min(groups*8, nbytes*8/h.bw)
	h.pos += nbytes
	if h.left == 0 {
		return fmt.Errorf("corrupt bit-packed run")
	}
	return nil
}

// unpack reads the next len(out) values of the bit-packed run.
func (h *hybrid) unpack(out []uint32) {
	bw := h.bw
	mask := uint64(1)<<bw - 1
	p := h.packed
	for j := range out {
		bit := (h.pidx + j) * bw
		b := bit >> 3
		var w uint64
		if b+8 <= len(p) {
			w = binary.LittleEndian.Uint64(p[b:])
		} else {
			for k := 0; b+k < len(p); k++ {
				w |= uint64(p[b+k]) << (8 * k)
			}
		}
		out[j] = uint32((w >> (bit & 7)) & mask)
	}
	h.pidx += len(out)
}

// Late string columns are read from their pages too: the page reader
// decompresses, and the values of PLAIN pages (4-byte length, bytes) or
// of dictionary-encoded pages (indices into the chunk's dictionary page)
// are walked in place; only the kept rows' bytes are copied.

func (c *lateCol) open(pages func() *file.Reader, rg int) error {
	if c.pr == nil {
		c.pr = pages()
	}
	pager, err := c.pr.RowGroup(rg).GetColumnPageReader(c.leaf)
	if err != nil {
		return err
	}
	c.pager, c.left, c.dictOffs, c.dictData, c.plain = pager, 0, nil, nil, nil
	return nil
}

func (c *lateCol) nextPage() error {
	for {
		if !c.pager.Next() {
			if err := c.pager.Err(); err != nil {
				return err
			}
			return fmt.Errorf("parquet: column %d ended early", c.leaf)
		}
		pg := c.pager.Page()
		switch p := pg.(type) {
		case *file.DictionaryPage:
			n := int(p.NumValues())
			d := p.Data()
			offs := make([]int32, n+1)
			vals := make([]byte, 0, max(len(d)-4*n, 0))
			pos := 0
			for i := 0; i < n; i++ {
				if pos+4 > len(d) {
					return fmt.Errorf("parquet: column %d: corrupt dictionary page", c.leaf)
				}
				l := int(binary.LittleEndian.Uint32(d[pos:]))
				pos += 4
				if l < 0 || pos+l > len(d) {
					return fmt.Errorf("parquet: column %d: corrupt dictionary page", c.leaf)
				}
				vals = append(vals, d[pos:pos+l]...)
				pos += l
				offs[i+1] = int32(len(vals))
			}
			c.dictOffs, c.dictData = offs, vals
			continue
		case *file.DataPageV1, *file.DataPageV2:
		default:
			continue
		}
		levels, data, enc, n, err := splitDataPage(c.leaf, pg, c.maxDef)
		if err != nil {
			return err
		}
		c.left = n
		if c.maxDef > 0 {
			c.defs = hybrid{data: levels, bw: 1}
		}
		switch enc {
		case encPlain:
			c.plain = data
		case encRLEDict, encPlainDict:
			if c.dictOffs == nil {
				return fmt.Errorf("parquet: column %d: data page before its dictionary", c.leaf)
			}
			c.plain = nil
			if c.idx, err = indexRuns(c.leaf, data); err != nil {
				return err
			}
		default:
			return fmt.Errorf("parquet: column %d: unsupported encoding %d", c.leaf, enc)
		}
		return nil
	}
}

// read reads the next n rows of the column and returns the rows sel
// (ascending) as a String array.
func (c *lateCol) read(n int, sel []int32) (arrow.Array, error) {
	offsets := make([]int32, len(sel)+1)
	data := make([]byte, 0, len(sel)*max(c.avg, 8)*9/8)
	var valid []byte
	nulls := 0
	k := 0 // next selected position
	got := 0
	if cap(c.lv) < n {
		c.lv = make([]uint32, n)
		c.iv = make([]uint32, n)
	}
	for got < n {
		if c.left == 0 {
			if err := c.nextPage(); err != nil {
				return nil, err
			}
			continue
		}
		m := min(n-got, c.left)
		var lv []uint32
		nonNull := m
		if c.maxDef > 0 {
			lv = c.lv[:m]
			if err := c.defs.decode(lv); err != nil {
				return nil, fmt.Errorf("parquet: column %d: %w", c.leaf, err)
			}
			nonNull = 0
			for _, l := range lv {
				if l == uint32(c.maxDef) {
					nonNull++
				}
			}
		}
		var iv []uint32
		if c.plain == nil {
			iv = c.iv[:nonNull]
			if err := c.idx.decode(iv); err != nil {
				return nil, fmt.Errorf("parquet: column %d: %w", c.leaf, err)
			}
		}
		vi := 0
		pos := 0
		p := c.plain
		nd := len(c.dictOffs) - 1
		for j := 0; j < m; j++ {
			row := got + j
			isNull := lv != nil && lv[j] != uint32(c.maxDef)
			var v []byte
			if !isNull {
				if p != nil {
					if pos+4 > len(p) {
						return nil, fmt.Errorf("parquet: column %d: corrupt page", c.leaf)
					}
					l := int(binary.LittleEndian.Uint32(p[pos:]))
					if l < 0 || pos+4+l > len(p) {
						return nil, fmt.Errorf("parquet: column %d: corrupt page", c.leaf)
					}
					v = p[pos+4 : pos+4+l]
					pos += 4 + l
				} else {
					x := int(iv[vi])
					vi++
					if x >= nd {
						return nil, fmt.Errorf("parquet: column %d: dictionary index %d out of range", c.leaf, x)
					}
					v = c.dictData[c.dictOffs[x]:c.dictOffs[x+1]]
				}
			}
			if k >= len(sel) || int(sel[k]) != row {
				continue
			}
			if isNull {
				if valid == nil {
					valid = make([]byte, bitutil.BytesForBits(int64(len(sel))))
					bitutil.SetBitsTo(valid, 0, int64(k), true)
				}
				nulls++
			} else {
				data = append(data, v...)
				if valid != nil {
					bitutil.SetBit(valid, k)
				}
			}
			k++
			offsets[k] = int32(len(data))
		}
		if p != nil {
			c.plain = p[pos:]
		}
		got += m
		c.left -= m
	}
	if k > 0 {
		c.avg = len(data) / k
	}
	bufs := []*memory.Buffer{nil, memory.NewBufferBytes(int32Bytes(offsets)), memory.NewBufferBytes(data)}
	if valid != nil {
		bufs[0] = memory.NewBufferBytes(valid)
	}
	d := array.NewData(arrow.BinaryTypes.String, len(sel), bufs, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}
