//go:build linux

package wire

import (
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// A pinned output slot: its records alias the slot (numbers) or a copy
// (strings); the plugin does not reuse the slot while any record is
// retained, and does once the last one is released; Close while pinned
// keeps the mapping until that release.
func TestArenaPinnedOutput(t *testing.T) {
	hostIn, hostOut, plugIn, plugOut := pair(t, 64<<20)
	mem := memory.NewGoAllocator()
	cell, _ := hostIn.AllocCell()
	w := NewOutputWriter(plugOut, plugIn, cell, mem)
	rec := testRecord(mem, 500, 7)
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	f, err := w.Flush()
	if err != nil {
		t.Fatal(err)
	}
	var done int64
	pin := func(r ArenaRef) (*memory.Buffer, error) {
		buf, ok, err := hostOut.Pin(r, 1<<30, func(n int64) { done += n })
		if !ok && err == nil {
			t.Fatal("not pinned under the limit")
		}
		return buf, err
	}
	r, err := OpenOutput("", hostOut, f, mem, pin)
	if err != nil {
		t.Fatal(err)
	}
	var held []arrow.Record
	for {
		rec, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil {
			break
		}
		held = append(held, rec)
	}
	r.Close()
	n := held[0].Column(1).(*array.Int64).Int64Values()
	if slot := hostOut.mem; len(n) == 0 || offsetIn(slot, unsafeBytes(n)) < arenaData {
		t.Fatal("the numbers do not alias the slot")
	}
	plugOut.Sweep()
	if plugOut.Used() == 0 {
		t.Fatal("the plugin freed a slot the host's records alias")
	}
	if slots, _ := hostOut.Pinned(); slots != 1 {
		t.Fatalf("%d slots pinned", slots)
	}
	hostOut.Close() // the plugin died: the records stay readable
	check := func() {
		s, n := held[0].Column(0).(*array.String), held[0].Column(1).(*array.Int64)
		for i := 0; i < 500; i++ {
			if n.Value(i) != int64(7+i) || s.Value(i) != fmt.Sprintf("v%d", 7+i) {
				t.Fatalf("row %d: %q, %d", i, s.Value(i), n.Value(i))
			}
		}
	}
	check()
	if done != 0 {
		t.Fatal("released before the last record")
	}
	held[0].Release()
	if slots, bytes := hostOut.Pinned(); slots != 0 || bytes != 0 || done == 0 {
		t.Fatalf("%d slots (%d bytes) pinned after the last release, done %d", slots, bytes, done)
	}
	if hostOut.f.Fd() != ^uintptr(0) {
		t.Error("the closed arena's file is still open after the last release")
	}
}

// Past the limit nothing is pinned.
func TestArenaPinLimit(t *testing.T) {
	_, hostOut, _, _ := pair(t, 4<<20)
	r := ArenaRef{Cell: Cell{1, 1}, Off: arenaData, Len: 4096}
	if err := hostOut.f.Truncate(arenaData + 8192); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := hostOut.Pin(r, 1000, nil); ok || err != nil {
		t.Fatalf("pinned past the limit: %v %v", ok, err)
	}
	buf, ok, err := hostOut.Pin(r, 4096, nil)
	if !ok || err != nil {
		t.Fatalf("not pinned: %v %v", ok, err)
	}
	if _, ok, _ := hostOut.Pin(r, 4096, nil); ok {
		t.Fatal("pinned past the limit with another slot pinned")
	}
	buf.Release()
	if slots, _ := hostOut.Pinned(); slots != 0 {
		t.Fatal("still pinned")
	}
}

func unsafeBytes(n []int64) []byte {
	return arrow.Int64Traits.CastToBytes(n)
}
