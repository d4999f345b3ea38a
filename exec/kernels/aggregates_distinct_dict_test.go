package kernels

import (
	"hash/fnv"
	"testing"
)

// hashString keeps the values of hash/fnv's FNV-1a (hll() sketches hold them).
func TestHashStringIsFNV1a(t *testing.T) {
	for _, s := range []string{"", "a", "10.0.0.1", "acct-00001", "ü€\x00\xff", string(make([]byte, 300))} {
		h := fnv.New64a()
		_, _ = h.Write([]byte(s))
		if got, want := hashString(s), mix64(h.Sum64()); got != want {
			t.Errorf("hashString(%q) = %x, want %x", s, got, want)
		}
	}
}
