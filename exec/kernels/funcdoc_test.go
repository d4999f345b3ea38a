package kernels

import (
	"os"
	"strings"
	"testing"
)

// TestFunctionsDoc keeps docs/functions.md equal to the registry.
func TestFunctionsDoc(t *testing.T) {
	const path = "../../docs/functions.md"
	want := FunctionsMarkdown()
	if os.Getenv("UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("docs/functions.md is out of date with the registry; run UPDATE_DOCS=1 go test ./exec/kernels -run TestFunctionsDoc")
	}
	for _, name := range []string{"`strlen`", "`dcount`", "`datetime_diff`", "`bag_keys`", "`ipv4_is_private`", "`row_number`"} {
		if !strings.Contains(want, name) {
			t.Errorf("functions.md lacks %s", name)
		}
	}
}
