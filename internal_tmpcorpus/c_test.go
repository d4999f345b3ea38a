package tmp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestCorpus(t *testing.T) {
	cat := check.MapCatalog{}
	files, _ := filepath.Glob("/work/shared/schemas/*.json")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var s struct {
			Table   string
			Columns []struct{ Name, Type string }
		}
		json.Unmarshal(b, &s)
		sch := &types.Schema{}
		for _, c := range s.Columns {
			k, ok := types.ParseKind(c.Type)
			if !ok {
				k = types.Dynamic
			}
			sch.Columns = append(sch.Columns, types.Column{Name: c.Name, Type: k})
		}
		cat[s.Table] = sch
	}
	qs, _ := filepath.Glob("/work/shared/corpus/queries/*.kql")
	counts := map[string]int{}
	examples := map[string]string{}
	ok, parsed := 0, 0
	num := regexp.MustCompile(`[A-Za-z_0-9]+`)
	_ = num
	for _, q := range qs {
		b, _ := os.ReadFile(q)
		if strings.Contains(string(b), "// notes:") {
			continue
		}
		src := lang.NewSource(q, string(b))
		tree, d := syntax.Parse(src)
		if d.HasErrors() {
			continue
		}
		parsed++
		var diags lang.List
		func() {
			defer func() {
				if r := recover(); r != nil {
					diags.Errorf(lang.Span{}, "panic", "PANIC %v", r)
				}
			}()
			diags = check.Check(tree, &check.Env{Tables: cat})
		}()
		if !diags.HasErrors() {
			ok++
			continue
		}
		m := diags[0].Msg
		key := m
		if i := strings.Index(m, " "); i > 0 {
			w := strings.Fields(m)
			if len(w) > 2 {
				key = w[0] + " " + w[1]
			}
		}
		if strings.HasPrefix(m, "unknown column") || strings.HasPrefix(m, "unknown table") || strings.HasPrefix(m, "unknown function") || strings.HasPrefix(m, "operator ") {
			key = m
		}
		counts[key]++
		if _, ok := examples[key]; !ok {
			examples[key] = diags[0].Render(src)
		}
	}
	fmt.Printf("parsed %d, checked ok %d\n", parsed, ok)
	type kv struct {
		k string
		n int
	}
	var l []kv
	for k, n := range counts {
		l = append(l, kv{k, n})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].n > l[j].n })
	for i, x := range l {
		if i > 60 {
			break
		}
		fmt.Printf("%4d %s\n", x.n, x.k)
	}
	for i, x := range l {
		if i > 70 {
			break
		}
		fmt.Println(examples[x.k])
	}
}
