package wire

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

func record(mem memory.Allocator, vals ...int64) arrow.Record {
	schema := arrow.NewSchema([]arrow.Field{{Name: "N", Type: arrow.PrimitiveTypes.Int64}, {Name: "S", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, v := range vals {
		b.Field(0).(*array.Int64Builder).Append(v)
		b.Field(1).(*array.StringBuilder).Append(strings.Repeat("x", int(v)))
	}
	return b.NewRecord()
}

func TestShmRoundTrip(t *testing.T) {
	for _, mapped := range []bool{false, true} {
		t.Run(map[bool]string{false: "heap", true: "mapped"}[mapped], func(t *testing.T) { testShmRoundTrip(t, mapped) })
	}
}

func testShmRoundTrip(t *testing.T, mapped bool) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	dir := t.TempDir()
	w := NewShmWriter(dir, mem)
	for _, vals := range [][]int64{{1, 2}, {3}, {4, 5, 6}} {
		rec := record(mem, vals...)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	ref, err := w.Flush()
	if err != nil {
		t.Fatal(err)
	}
	if !IsShmRef(ref) || w.Pending() {
		t.Fatalf("ref %q pending %v", ref, w.Pending())
	}
	r, err := OpenShm(dir, ref, mem, mapped)
	if err != nil {
		t.Fatal(err)
	}
	if r.z == nil {
		t.Fatal("a flat schema must be read without copying")
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the file must be removed once open: %v", left)
	}
	var got []string
	for {
		rec, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil {
			break
		}
		n := rec.Column(0).(*array.Int64)
		s := rec.Column(1).(*array.String)
		var parts []string
		for i := 0; i < int(rec.NumRows()); i++ {
			parts = append(parts, s.Value(i)+"/"+string(rune('0'+n.Value(i))))
		}
		got = append(got, strings.Join(parts, ","))
		// Zero copy: the strings point into the file's bytes.
		if v := s.Value(0); !inside(unsafe.StringData(v), r.data) {
			t.Errorf("string %q was copied out of the file", v)
		}
		rec.Release()
	}
	if want := "x/1,xx/2 xxx/3 xxxx/4,xxxxx/5,xxxxxx/6"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	if mapped && r.data == nil {
		t.Error("Close must keep a mapping the records alias")
	}
	r.Unmap()
	mem.AssertSize(t, 0) // nothing was allocated for the arrays
}

func inside(p *byte, b []byte) bool {
	a := uintptr(unsafe.Pointer(p))
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return a >= base && a < base+uintptr(len(b))
}

// TestZeroCopyStringsOutliveTheReader: in heap mode a string taken from a
// record stays correct after the record, the reader and the file are gone.
func TestZeroCopyStringsOutliveTheReader(t *testing.T) {
	mem := memory.NewGoAllocator()
	dir := t.TempDir()
	w := NewShmWriter(dir, mem)
	rec := record(mem, 3, 7)
	w.Write(rec)
	rec.Release()
	ref, _ := w.Flush()
	r, err := OpenShm(dir, ref, mem, false)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := r.Next()
	kept := got.Column(1).(*array.String).Value(1)
	got.Release()
	for rec, _ := r.Next(); rec != nil; rec, _ = r.Next() {
		rec.Release()
	}
	r.Unmap()
	runtime.GC()
	big := make([][]byte, 64) // churn the heap
	for i := range big {
		big[i] = bytes.Repeat([]byte{'y'}, 1<<16)
	}
	runtime.GC()
	if kept != "xxxxxxx" {
		t.Fatalf("kept string is %q", kept)
	}
}

func TestZeroCopyNulls(t *testing.T) {
	mem := memory.NewGoAllocator()
	dir := t.TempDir()
	schema := arrow.NewSchema([]arrow.Field{{Name: "S", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "B", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}, {Name: "T", Type: arrow.FixedWidthTypes.Timestamp_ns, Nullable: true}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	for i := 0; i < 10; i++ {
		if i%3 == 0 {
			b.Field(0).AppendNull()
			b.Field(1).AppendNull()
			b.Field(2).AppendNull()
			continue
		}
		b.Field(0).(*array.StringBuilder).Append(strconv.Itoa(i))
		b.Field(1).(*array.BooleanBuilder).Append(i%2 == 0)
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(i * 1000))
	}
	rec := b.NewRecord()
	b.Release()
	w := NewShmWriter(dir, mem)
	w.Write(rec)
	ref, _ := w.Flush()
	r, err := OpenShm(dir, ref, mem, false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Next()
	if err != nil || got == nil {
		t.Fatal(err)
	}
	if !array.RecordEqual(rec, got) {
		t.Fatalf("got %v, want %v", got, rec)
	}
	got.Release()
	rec.Release()
}

func TestZeroCopyRejectsBadBuffers(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "S", Type: arrow.BinaryTypes.String}}, nil)
	body := make([]byte, 16)
	for i, o := range []uint32{0, 3, 2} { // offsets going backwards
		binary.LittleEndian.PutUint32(body[4*i:], o)
	}
	cases := map[string]batchMeta{
		"backwards offsets": {length: 2, nodes: [][2]int64{{2, 0}}, buffers: [][2]int64{{0, 0}, {0, 12}, {12, 4}}},
		"outside the body":  {length: 2, nodes: [][2]int64{{2, 0}}, buffers: [][2]int64{{0, 0}, {0, 12}, {12, 40}}},
		"short offsets":     {length: 5, nodes: [][2]int64{{5, 0}}, buffers: [][2]int64{{0, 0}, {0, 12}, {12, 4}}},
		"missing buffers":   {length: 2, nodes: [][2]int64{{2, 0}}, buffers: [][2]int64{{0, 0}}},
		"nulls without map": {length: 2, nodes: [][2]int64{{2, 1}}, buffers: [][2]int64{{0, 0}, {0, 12}, {12, 4}}},
		"row count":         {length: 3, nodes: [][2]int64{{2, 0}}, buffers: [][2]int64{{0, 0}, {0, 12}, {12, 4}}},
	}
	for name, bm := range cases {
		if rec, err := buildRecord(schema, bm, body, false, nil); err == nil {
			rec.Release()
			t.Errorf("%s: no error", name)
		}
	}
	// Trusted input skips the per-row order check, not the bounds.
	if rec, err := buildRecord(schema, cases["backwards offsets"], body, true, nil); err != nil {
		t.Errorf("trusted: %v", err)
	} else {
		rec.Release()
	}
	if rec, err := buildRecord(schema, cases["outside the body"], body, true, nil); err == nil {
		rec.Release()
		t.Error("trusted: a buffer outside the body must still be an error")
	}
	binary.LittleEndian.PutUint32(body[8:], 4)
	rec, err := buildRecord(schema, cases["backwards offsets"], body, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := rec.Column(0).(*array.String); s.Value(0) != "\x00\x00\x00" || s.Value(1) != "\x00" {
		t.Errorf("got %q %q", s.Value(0), s.Value(1))
	}
	rec.Release()
}

func TestShmBadInput(t *testing.T) {
	mem := memory.NewGoAllocator()
	dir := t.TempDir()
	for _, ref := range []string{shmMagic + "../etc/passwd", shmMagic, shmMagic + "nope.arrow"} {
		if _, err := OpenShm(dir, []byte(ref), mem, false); err == nil {
			t.Errorf("%q: no error", ref)
		}
	}
	// Garbage and a truncated stream are errors, not panics.
	good := NewShmWriter(dir, mem)
	rec := record(mem, 1, 2, 3)
	good.Write(rec)
	rec.Release()
	ref, _ := good.Flush()
	data, _ := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(string(ref), shmMagic)))
	for i, name := range []string{"garbage", "truncated"} {
		b := map[string][]byte{"garbage": []byte(strings.Repeat("\xff\x00garbage", 100)), "truncated": data[:len(data)/2]}[name]
		mapped := i == 1
		os.WriteFile(filepath.Join(dir, name), b, 0o600)
		r, err := OpenShm(dir, []byte(shmMagic+name), mem, mapped)
		for err == nil {
			var rec arrow.Record
			if rec, err = r.Next(); rec == nil && err == nil {
				break
			}
			if rec != nil {
				rec.Release()
			}
		}
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestShmSweep(t *testing.T) {
	base := t.TempDir()
	// A directory of a process that cannot exist, one of ours, one unrelated.
	dead := filepath.Join(base, shmDirPrefix+"x-y-2147483646-123")
	ours := filepath.Join(base, shmDirPrefix+"rarity-"+strconv.Itoa(os.Getpid())+"-456")
	other := filepath.Join(base, "kqlhunt-other-1-2")
	for _, d := range []string{dead, ours, other} {
		if err := os.MkdirAll(filepath.Join(d, "call-1"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	sweepShm(base)
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the dead host's directory is still there: %v", err)
	}
	for _, d := range []string{ours, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
}
