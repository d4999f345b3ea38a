package kernels

import "testing"

func TestSxRegexCache(t *testing.T) {
	a, err := sxRegex(`(?i)^fab\w+`)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sxRegex(`(?i)^fab\w+`)
	if a != b {
		t.Error("a constant pattern should compile once")
	}
	if !a.MatchString("FABRIKAM") || a.MatchString("xfab") {
		t.Error("wrong match")
	}
	if _, err := sxRegex(`(`); err == nil {
		t.Error("want an error for an invalid pattern")
	}
	// Kusto's regex dialect is RE2: backreferences are rejected
	if _, err := sxRegex(`(a)\1`); err == nil {
		t.Error("want an error for a backreference")
	}
}
