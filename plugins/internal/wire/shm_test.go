package wire

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
	r, err := OpenShm(dir, ref, mem)
	if err != nil {
		t.Fatal(err)
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
		rec.Release()
	}
	if want := "x/1,xx/2 xxx/3 xxxx/4,xxxxx/5,xxxxxx/6"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	mem.AssertSize(t, 0)
}

func TestShmBadInput(t *testing.T) {
	mem := memory.NewGoAllocator()
	dir := t.TempDir()
	for _, ref := range []string{shmMagic + "../etc/passwd", shmMagic, shmMagic + "nope.arrow"} {
		if _, err := OpenShm(dir, []byte(ref), mem); err == nil {
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
	for name, b := range map[string][]byte{"garbage": []byte(strings.Repeat("\xff\x00garbage", 100)), "truncated": data[:len(data)/2]} {
		os.WriteFile(filepath.Join(dir, name), b, 0o600)
		r, err := OpenShm(dir, []byte(shmMagic+name), mem)
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
