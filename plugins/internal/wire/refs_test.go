package wire

import (
	"reflect"
	"testing"
)

func TestRefFrames(t *testing.T) {
	rb := RefBatch{Name: shmMagic + "batch-1.arrow", Cols: []int{0, 2, -1}, Recs: []int64{4, 5, 7}}
	b := rb.Encode()
	if string(b) != "KQLHUNT-SHMX:batch-1.arrow|0,2,d|4,5,7" || !IsRefFrame(b) || IsShmRef(b) {
		t.Fatalf("frame %q", b)
	}
	got, err := ParseRefFrame(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := (RefBatch{Name: "batch-1.arrow", Cols: []int{0, 2, -1}, Recs: []int64{4, 5, 7}}); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if string(got.ShmRef()) != shmMagic+"batch-1.arrow" {
		t.Errorf("ShmRef %q", got.ShmRef())
	}
	// No data column: no file.
	only := RefBatch{Cols: []int{1, 0}, Recs: []int64{0}}
	if got, err := ParseRefFrame(only.Encode()); err != nil || got.Name != "" || !reflect.DeepEqual(got.Cols, only.Cols) {
		t.Fatalf("%q: %+v %v", only.Encode(), got, err)
	}
	for _, bad := range []string{"KQLHUNT-SHMX:", "KQLHUNT-SHMX:a|d|x", "KQLHUNT-SHMX:a|-1|0", "KQLHUNT-SHMX:-|d|0", "KQLHUNT-SHMX:a|0|0", "KQLHUNT-SHMX:a|d|0|1"} {
		if _, err := ParseRefFrame([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestRetainedFrames(t *testing.T) {
	f := RetainedFrame(12, []byte(shmMagic+"batch-9.arrow"))
	if string(f) != "KQLHUNT-SHMR:12:batch-9.arrow" || IsShmRef(f) {
		t.Fatalf("frame %q", f)
	}
	first, ref, ok, err := ParseRetained(f)
	if !ok || err != nil || first != 12 || string(ref) != shmMagic+"batch-9.arrow" {
		t.Fatalf("got %d %q %v %v", first, ref, ok, err)
	}
	if _, _, ok, _ := ParseRetained([]byte(shmMagic + "x")); ok {
		t.Error("a plain reference is not retained")
	}
	if _, _, ok, err := ParseRetained([]byte("KQLHUNT-SHMR:-1:x")); !ok || err == nil {
		t.Errorf("negative record number: %v %v", ok, err)
	}
}
