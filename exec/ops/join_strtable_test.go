package ops

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// TestStrTableMatchesMap: the block probe of strTable must give the Go
// map's answer for every row: hits, misses, nulls, the empty key, keys of
// every length around the 8-byte words, shared prefixes, sliced arrays.
func TestStrTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, nkeys := range []int{0, 1, 7, 300, 5000} {
		groups := map[string]int32{}
		var keys []string
		for len(keys) < nkeys {
			k := fmt.Sprintf("%040d", rng.Intn(1e9))
			k = k[len(k)-rng.Intn(41):] // 0–40 bytes, shared prefixes
			if _, ok := groups[k]; !ok {
				groups[k] = int32(len(keys))
				keys = append(keys, k)
			}
		}
		tab := newStrTable(groups)
		b := array.NewStringBuilder(memory.DefaultAllocator)
		n := 3000
		for i := 0; i < n; i++ {
			switch r := rng.Intn(10); {
			case r == 0:
				b.AppendNull()
			case r < 6 && len(keys) > 0:
				b.Append(keys[rng.Intn(len(keys))])
			case r < 8 && len(keys) > 0:
				k := []byte(keys[rng.Intn(len(keys))] + "x")
				k[rng.Intn(len(k))] ^= 1 // near miss
				b.Append(string(k[:len(k)-rng.Intn(2)]))
			default:
				b.Append(fmt.Sprint(rng.Intn(1e6)))
			}
		}
		full := b.NewStringArray()
		for _, off := range []int{0, 1, 129} {
			a := array.NewSlice(full, int64(off), int64(n)).(*array.String)
			gs := make([]int32, a.Len())
			tab.lookup(a, gs, 77)
			for i := 0; i < a.Len(); i++ {
				want := int32(-1)
				if a.IsNull(i) {
					want = 77
				} else if g, ok := groups[a.Value(i)]; ok {
					want = g
				}
				if gs[i] != want {
					t.Fatalf("keys %d off %d row %d %q: got %d want %d", nkeys, off, i, a.Value(i), gs[i], want)
				}
			}
			a.Release()
		}
		full.Release()
	}
}

// TestJoinMapPath runs the join tests with the strTable probe disabled
// (the Go map path), so both probe paths meet the same expectations.
func TestJoinMapPath(t *testing.T) {
	noStrTable = true
	defer func() { noStrTable = false }()
	t.Run("kinds", TestJoinKinds)
	t.Run("random", TestJoinRandomAgainstReference)
	t.Run("lookup", TestLookup)
	t.Run("dict", TestJoinDictionaryKey)
}
