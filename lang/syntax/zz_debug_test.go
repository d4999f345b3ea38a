package syntax

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang"
)

func TestZZDebugCorpus(t *testing.T) {
	dir := os.Getenv("KQLDIR")
	if dir == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.kql"))
	fail := 0
	var b strings.Builder
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if notOneQuery(string(data)) {
			continue
		}
		src := lang.NewSource(filepath.Base(f), string(data))
		_, d := Parse(src)
		if d.HasErrors() {
			fail++
			b.WriteString(d.Render(src, 1))
		}
	}
	os.WriteFile("/tmp/ptry/fails.txt", []byte(b.String()), 0o644)
	fmt.Printf("files %d failed %d\n", len(files), fail)
}

func TestZZOne(t *testing.T) {
	q := os.Getenv("KQL")
	if q == "" {
		t.Skip()
	}
	src := lang.NewSource("q", q)
	_, d := Parse(src)
	fmt.Print(d.Render(src, 5))
}

func notOneQuery(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "//") {
			break
		}
		if strings.Contains(line, "notes:") && (strings.Contains(line, "multiple-queries") || strings.Contains(line, "placeholder") || strings.Contains(line, "possible-fragment")) {
			return true
		}
	}
	return false
}
