package kernels

import (
	"testing"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// TestPlainJSONStringMatchesParse: the tostring fast path for dynamic JSON
// strings without escapes must give what parsing and formatting gives.
func TestPlainJSONStringMatchesParse(t *testing.T) {
	for _, s := range []string{
		`""`, `"a"`, `"ForwardTo"`, `"x@external.example"`, `"a\"b"`, `"a\\b"`,
		`"\u0041"`, `" "`, ` "a"`, `"a" `, `"a"b"`, `"`, `""""`, `"é✓"`, "\"\xff\"",
		`"tab	in"`, `"123"`, `123`, `null`, `"null"`, `true`, `["a"]`, `{"a":1}`,
		`'a'`, `"a\/b"`,
	} {
		got, ok := plainJSONString(s)
		if !ok {
			continue
		}
		v, null := dynamicText(s)
		if null {
			t.Fatalf("%q: fast path took a null", s)
		}
		if want := types.FormatValue(types.Dynamic, v); got != want {
			t.Fatalf("%q: fast %q, generic %q", s, got, want)
		}
	}
}
