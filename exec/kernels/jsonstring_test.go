package kernels

import (
	"math/rand"
	"testing"
)

// skipStringScan is the left-to-right reference: a backslash escapes the
// next byte.
func skipStringScan(s string, i int) int {
	i++
	for i < len(s) {
		switch s[i] {
		case '\\':
			i += 2
			continue
		case '"':
			return i + 1
		}
		i++
	}
	return -1
}

func TestJSONStringEndMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	alpha := []byte(`"\\ab`)
	for n := 0; n < 200000; n++ {
		b := make([]byte, 1+rng.Intn(12))
		b[0] = '"'
		for k := 1; k < len(b); k++ {
			b[k] = alpha[rng.Intn(len(alpha))]
		}
		s := string(b)
		if got, want := JSONStringEnd(s, 0), skipStringScan(s, 0); got != want {
			t.Fatalf("%q: got %d want %d", s, got, want)
		}
	}
}
