package expr

import (
	"strings"
	"testing"
)

func TestJSONGet(t *testing.T) {
	doc := `{"a": 1, "b": {"c": [10, {"d": "x,}"}]}, "e\"q": true, "n": null}`
	cases := []struct {
		key  string
		want string
		ok   bool
	}{
		{"a", "1", true},
		{"b", `{"c": [10, {"d": "x,}"}]}`, true},
		{`e"q`, "true", true},
		{"n", "null", true},
		{"zz", "", false},
	}
	for _, c := range cases {
		got, ok := jsonGet(doc, c.key)
		if got != c.want || ok != c.ok {
			t.Errorf("jsonGet(%q) = %q, %v; want %q, %v", c.key, got, ok, c.want, c.ok)
		}
	}
	if _, ok := jsonGet(`[1,2]`, "a"); ok {
		t.Errorf("jsonGet on an array should fail")
	}
}

func TestJSONIndex(t *testing.T) {
	arr := `[1, "two", [3, 4], {"five": 5}]`
	cases := []struct {
		idx  int64
		want string
		ok   bool
	}{
		{0, "1", true}, {1, `"two"`, true}, {2, "[3, 4]", true}, {3, `{"five": 5}`, true},
		{-1, `{"five": 5}`, true}, {-4, "1", true}, {4, "", false}, {-5, "", false},
	}
	for _, c := range cases {
		got, ok := jsonIndex(arr, c.idx)
		if got != c.want || ok != c.ok {
			t.Errorf("jsonIndex(%d) = %q, %v; want %q, %v", c.idx, got, ok, c.want, c.ok)
		}
	}
	if got := compactJSON("[3, 4]"); got != "[3,4]" {
		t.Errorf("compactJSON = %q", got)
	}
}

func TestHasSpaceMatchesContainsAny(t *testing.T) {
	for _, s := range []string{"", "a", "[1, 2]", "{\"a\":\"x\ty\"}", "\x01\x1f", "\r", "\n", "é\u00a0", "\"\\u0020\"", "x\x00"} {
		if got, want := hasSpace(s), strings.ContainsAny(s, " \t\r\n"); got != want {
			t.Errorf("hasSpace(%q) = %v, want %v", s, got, want)
		}
	}
}
