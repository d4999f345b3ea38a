package host

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/plugins/sdk"
)

// holdPinned runs the echo plugin over 8 batches of 5000 rows and holds
// its output, which must be read in place (at least one output slot pinned).
func holdPinned(t *testing.T, h *Host, mem memory.Allocator) ([]arrow.Record, *proc) {
	t.Helper()
	out, err := h.Evaluate(context.Background(), "echo", nil, newSumInput(mem, 8, 5000), mem)
	if err != nil {
		t.Fatal(err)
	}
	held := holdOutput(t, out)
	p := h.running["echo"]
	if slots, _ := p.arenaOut.Pinned(); slots == 0 {
		t.Fatal("no output slot is pinned: the records were copied")
	}
	return held, p
}

// holdOutput reads an output stream to its end and Closes it, keeping
// every record (as a downstream sort or summarize materialises them).
func holdOutput(t *testing.T, out *Output) []arrow.Record {
	t.Helper()
	defer out.Close()
	var recs []arrow.Record
	for {
		rec, err := out.Next()
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil {
			return recs
		}
		recs = append(recs, rec)
	}
}

// heldSums is readSums over held records.
func heldSums(recs []arrow.Record) (rows int, sumN int64, sumScore float64, err error) {
	for _, rec := range recs {
		users, ns, scores := rec.Column(0).(*array.String), rec.Column(1).(*array.Int64), rec.Column(2).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			if want := fmt.Sprintf("user%d", ns.Value(i)%7); users.Value(i) != want {
				return rows, sumN, sumScore, fmt.Errorf("row %d: User %q with N %d", rows, users.Value(i), ns.Value(i))
			}
			sumN += ns.Value(i)
			sumScore += scores.Value(i)
			rows++
		}
	}
	return rows, sumN, sumScore, nil
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

var factor3 = []sdk.Arg{{Name: "factor", Kind: "real", Value: "3"}}

// Output records alias the plugin's output arena (pinned slots): records
// held after their call ends keep their data while later calls run through
// the same, small, arena (whose slots the plugin must reuse), and every
// slot comes back once released: many calls later the arena has not grown
// and nothing is pinned.
func TestPinnedOutputOutlivesCall(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	h, err := New(Options{Dirs: []string{pluginDir}, Timeout: 30 * time.Second, ArenaBytes: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	held, p := holdPinned(t, h, mem)
	// Later calls, with another factor, fill the output arena many times over.
	for call := 0; call < 12; call++ {
		out, err := h.Evaluate(context.Background(), "echo", factor3, newSumInput(mem, 8, 5000), mem)
		if err != nil {
			t.Fatal(err)
		}
		rows, sumN, sumScore := sumOutput(t, out)
		wantN, wantScore := expectedSums(8, 5000)
		if rows != 40000 || sumN != wantN || sumScore != wantScore*1.5 {
			t.Fatalf("call %d: %d rows, sum N %d (want %d), sum Score %g (want %g)", call, rows, sumN, wantN, sumScore, wantScore*1.5)
		}
		rows, sumN, sumScore, err = heldSums(held)
		if err != nil || rows != 40000 || sumN != wantN || sumScore != wantScore {
			t.Fatalf("held records after call %d: %d rows, sum N %d (want %d), sum Score %g (want %g), %v", call, rows, sumN, wantN, sumScore, wantScore, err)
		}
	}
	if h.running["echo"] != p {
		t.Fatal("the plugin process was restarted")
	}
	release(held)
	if slots, bytes := p.arenaOut.Pinned(); slots != 0 || bytes != 0 {
		t.Fatalf("%d slots (%d bytes) still pinned after every record was released", slots, bytes)
	}
	// Slots come back: calls whose records are released as they are read
	// keep pinning (the arena is not exhausted into the files fallback)
	// and the arena does not grow.
	size := p.arenaOut.Size()
	for call := 0; call < 50; call++ {
		out, err := h.Evaluate(context.Background(), "echo", nil, newSumInput(mem, 8, 5000), mem)
		if err != nil {
			t.Fatal(err)
		}
		first, err := out.Next()
		if err != nil || first == nil {
			t.Fatalf("call %d: first record: %v", call, err)
		}
		if slots, _ := p.arenaOut.Pinned(); slots == 0 {
			t.Fatalf("call %d: the first record's slot is not pinned", call)
		}
		first.Release()
		rows, _, _ := sumOutput(t, out)
		if rows != 40000-5000 {
			t.Fatalf("call %d: %d rows after the first record", call, rows)
		}
		if slots, _ := p.arenaOut.Pinned(); slots != 0 {
			t.Fatalf("call %d: %d slots pinned after the call", call, slots)
		}
	}
	if p.arenaOut.Size() != size {
		t.Errorf("the output arena grew from %d to %d bytes", size, p.arenaOut.Size())
	}
	mem.AssertSize(t, 0)
}

// A consumer that holds everything pins at most its share of the arena:
// past it, output slots are copied, and the rows are the same.
func TestPinnedOutputBound(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	h, err := New(Options{Dirs: []string{pluginDir}, Timeout: 30 * time.Second, ArenaBytes: 2 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var held []arrow.Record
	for call := 0; call < 6; call++ {
		out, err := h.Evaluate(context.Background(), "echo", nil, newSumInput(mem, 20, 5000), mem)
		if err != nil {
			t.Fatal(err)
		}
		recs := holdOutput(t, out)
		rows, sumN, sumScore, err := heldSums(recs)
		wantN, wantScore := expectedSums(20, 5000)
		if err != nil || rows != 100000 || sumN != wantN || sumScore != wantScore {
			t.Fatalf("call %d: %d rows, sum N %d (want %d), sum Score %g (want %g), %v", call, rows, sumN, wantN, sumScore, wantScore, err)
		}
		held = append(held, recs...)
		p := h.running["echo"]
		if _, bytes := p.arenaOut.Pinned(); bytes > p.arenaOut.Max()/arenaPinShare {
			t.Fatalf("call %d: %d bytes pinned, more than half the %d-byte arena", call, bytes, p.arenaOut.Max())
		}
	}
	release(held)
	if slots, _ := h.running["echo"].arenaOut.Pinned(); slots != 0 {
		t.Fatalf("%d slots still pinned", slots)
	}
	mem.AssertSize(t, 0)
}

// A plugin process that dies while the host holds records aliasing its
// output arena: the host closes its arenas, the records stay readable (the
// mapping lives until their last release, even after the host's Close),
// and then no descriptor is left.
func TestPinnedOutputSurvivesCrash(t *testing.T) {
	before := arenaFDs(t)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	h, err := New(Options{Dirs: []string{pluginDir}, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	held, p := holdPinned(t, h, mem)
	if err := syscall.Kill(p.client.ReattachConfig().Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for i := 0; !p.client.Exited(); i++ {
		if i == 1000 {
			t.Fatal("the killed plugin never exited")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The next call finds it dead, closes its arenas and starts another.
	out, err := h.Evaluate(context.Background(), "echo", factor3, newSumInput(mem, 8, 5000), mem)
	if err != nil {
		t.Fatal(err)
	}
	if rows, _, _ := sumOutput(t, out); rows != 40000 {
		t.Fatalf("echo after the crash: %d rows", rows)
	}
	if !p.arenaIn.Closed() || !p.arenaOut.Closed() {
		t.Fatal("the dead process's arenas are still open")
	}
	h.Close()
	wantN, wantScore := expectedSums(8, 5000)
	rows, sumN, sumScore, err := heldSums(held)
	if err != nil || rows != 40000 || sumN != wantN || sumScore != wantScore {
		t.Fatalf("held records: %d rows, sum N %d (want %d), sum Score %g (want %g), %v", rows, sumN, wantN, sumScore, wantScore, err)
	}
	if n := arenaFDs(t); n != before+1 {
		t.Errorf("%d arena descriptors open while records alias a dead process's arena, want %d", n, before+1)
	}
	release(held)
	if slots, _ := p.arenaOut.Pinned(); slots != 0 {
		t.Fatalf("%d slots still pinned", slots)
	}
	if n := arenaFDs(t); n != before {
		t.Errorf("%d arena descriptors open after the last release, %d before", n, before)
	}
	mem.AssertSize(t, 0)
}
