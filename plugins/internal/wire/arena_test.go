//go:build linux

package wire

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"golang.org/x/sys/unix"
)

// pair makes a host's arenas and the plugin's view of them (a second
// mapping of the same memory files, as a plugin process gets).
func pair(t *testing.T, max int64) (hostIn, hostOut, plugIn, plugOut *Arena) {
	t.Helper()
	hostIn, hostOut, err := NewArenaPair("test", max)
	if err != nil {
		t.Fatal(err)
	}
	// The plugin's descriptors are copies of the host's, as inherited.
	infd, err1 := unix.Dup(int(hostIn.File().Fd()))
	outfd, err2 := unix.Dup(int(hostOut.File().Fd()))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	plugIn, plugOut, err = OpenArenaPair(fmt.Sprintf("%d,%d", infd, outfd))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		plugIn.Close()
		plugOut.Close()
		hostIn.Close()
		hostOut.Close()
	})
	return
}

func testRecord(mem memory.Allocator, rows int, base int64) arrow.Record {
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}, {Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := 0; i < rows; i++ {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("v%d", base+int64(i)))
		b.Field(1).(*array.Int64Builder).Append(base + int64(i))
	}
	return b.NewRecord()
}

// readAll reads every record a frame names and checks their rows.
func readAll(t *testing.T, a *Arena, ref []byte, mapped bool) (rows int, sum int64) {
	t.Helper()
	r, err := OpenBatch(t.TempDir(), a, ref, memory.NewGoAllocator(), mapped)
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil {
			return
		}
		s, n := rec.Column(0).(*array.String), rec.Column(1).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			if s.Value(i) != fmt.Sprintf("v%d", n.Value(i)) {
				t.Fatalf("row %d: %q, %d", rows, s.Value(i), n.Value(i))
			}
			sum += n.Value(i)
			rows++
		}
		rec.Release()
	}
}

// Input slots are the plugin's until it releases the call's cell; then
// the next call reuses the same bytes instead of growing the arena.
func TestArenaInputReuse(t *testing.T) {
	hostIn, _, plugIn, _ := pair(t, 64<<20)
	mem := memory.NewGoAllocator()
	var sizes []int64
	for call := 0; call < 3; call++ {
		cell, ok := hostIn.AllocCell()
		if !ok {
			t.Fatal("no cell")
		}
		w := NewInputWriter(hostIn, cell, mem)
		var frames [][]byte
		for b := 0; b < 4; b++ {
			rec := testRecord(mem, 1000, int64(b*1000))
			if w.Pending() && !w.Fits(rec) {
				t.Fatal("a small record does not fit its group")
			}
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			if b%2 == 1 {
				f, err := w.Flush()
				if err != nil {
					t.Fatal(err)
				}
				frames = append(frames, f)
			}
		}
		rows, sum := 0, int64(0)
		for _, f := range frames {
			if !IsArenaRef(f) {
				t.Fatalf("frame %q", f)
			}
			r, s := readAll(t, plugIn, f, true)
			rows, sum = rows+r, sum+s
		}
		if rows != 4000 || sum != 3999*4000/2 {
			t.Fatalf("call %d: %d rows, sum %d", call, rows, sum)
		}
		hostIn.Sweep()
		if hostIn.Used() == 0 {
			t.Fatal("slots freed before the plugin released them")
		}
		plugIn.EndInput(cell)
		hostIn.EndCall(cell)
		hostIn.Sweep()
		if used := hostIn.Used(); used != 0 {
			t.Fatalf("call %d: %d bytes in use after the release", call, used)
		}
		sizes = append(sizes, hostIn.Size())
	}
	if sizes[1] != sizes[0] || sizes[2] != sizes[0] {
		t.Errorf("the arena grew: %v", sizes)
	}
}

// Output slots are released one by one by the host's copy, and all at
// once by the host-done word of the call.
func TestArenaOutputRelease(t *testing.T) {
	hostIn, hostOut, plugIn, plugOut := pair(t, 64<<20)
	mem := memory.NewGoAllocator()
	cell, _ := hostIn.AllocCell()
	w := NewOutputWriter(plugOut, plugIn, cell, mem)
	write := func() []byte {
		rec := testRecord(mem, 500, 0)
		defer rec.Release()
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		f, err := w.Flush()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f1, f2 := write(), write()
	if rows, _ := readAll(t, hostOut, f1, false); rows != 500 {
		t.Fatalf("%d rows", rows)
	}
	plugOut.Sweep()
	used := plugOut.Used()
	if used == 0 {
		t.Fatal("the unread slot was freed")
	}
	hostIn.EndCall(cell) // the host will not read f2
	plugOut.Sweep()
	if plugOut.Used() != 0 {
		t.Fatalf("%d bytes in use after the call ended", plugOut.Used())
	}
	if _, err := OpenBatch("", hostOut, f2, mem, false); err != nil {
		t.Fatal(err) // still readable: nothing was written over it
	}
}

// Descriptors that do not fit the arena are errors, not panics.
func TestArenaBadRefs(t *testing.T) {
	hostIn, hostOut, _, _ := pair(t, 4<<20)
	for _, name := range []string{
		"@0.1:0:10",           // in the header
		"@0.1:65536:0",        // empty
		"@0.1:65536:99999999", // past the limit
		"@0.1:4194240:128",    // straddles the limit
		"@0.1:1048576:64",     // past the file's end
		"@0.1:-64:128",        // negative
		"@4096.1:65536:64",    // no such cell
		"@0.0:65536:64",       // generation 0
		"@x.1:65536:64", "@0.1:1:2:3", "@", "@0.1:a:b",
	} {
		_, err := OpenBatch("", hostOut, []byte(shmMagic+name), memory.NewGoAllocator(), false)
		if err == nil || !errors.Is(err, ErrBadArenaRef) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := OpenBatch("", nil, []byte(shmMagic+"@0.1:65536:64"), memory.NewGoAllocator(), false); err == nil || !strings.Contains(err.Error(), "without arenas") {
		t.Errorf("no arena: %v", err)
	}
	// A slot of garbage is an Arrow error.
	hostIn.mu.Lock()
	hostIn.growLocked(1 << 20)
	hostIn.mu.Unlock()
	copy(hostIn.mem[arenaData:], strings.Repeat("\xff", 256))
	if _, err := OpenBatch("", hostIn, []byte(shmMagic+"@0.1:65536:256"), memory.NewGoAllocator(), false); err == nil {
		t.Error("garbage slot: no error")
	}
}

// A full arena falls back to files; a record larger than the arena too.
func TestArenaFallback(t *testing.T) {
	hostIn, _, _, _ := pair(t, 256<<10)
	mem := memory.NewGoAllocator()
	cell, _ := hostIn.AllocCell()
	dir := t.TempDir()
	w := NewWriter(NewInputWriter(hostIn, cell, mem), dir, mem)
	rec := testRecord(mem, 20000, 0) // ~400 KB: larger than the arena
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	f, err := w.Flush()
	if err != nil {
		t.Fatal(err)
	}
	if IsArenaRef(f) {
		t.Fatalf("a record larger than the arena went into it: %q", f)
	}
	r, err := OpenBatch(dir, hostIn, f, mem, false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Next()
	if err != nil || got == nil || got.NumRows() != 20000 {
		t.Fatalf("%v %v", got, err)
	}
	got.Release()
	r.Close()
	// A small one goes into the arena.
	small := testRecord(mem, 10, 0)
	defer small.Release()
	if err := w.Write(small); err != nil {
		t.Fatal(err)
	}
	if f, _ = w.Flush(); !IsArenaRef(f) {
		t.Fatalf("a small record did not go into the arena: %q", f)
	}
	// An undelivered frame's slot is freed at once.
	w.Discard(f)
	hostIn.Sweep()
	if hostIn.Used() != 0 {
		t.Errorf("%d bytes in use after Discard", hostIn.Used())
	}
}
