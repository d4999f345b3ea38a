package check_test

import (
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/schemas"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
)

// corpusDir holds the real hunting queries (read-only, outside the
// repository); the mutation test skips when it is absent.
const corpusDir = "../../../shared/corpus/queries"

// site is one name a mutation can misspell: a column reference or the
// name of a built-in function call.
type site struct {
	span lang.Span
	name string
	fn   bool
}

// collectSites walks the exported fields of the tree (not the checker's
// annotations, so not the clones of inlined function bodies) and returns
// the column references and built-in function names, in source order.
func collectSites(tree *ast.Query, known map[string]bool) []site {
	var out []site
	ast.Inspect(tree, func(p any) bool {
		switch n := p.(type) {
		case *ast.Ident:
			// a name accepted only because its row's schema is open
			// (a watchlist, an undeclared plugin output) cannot be
			// checked: it is no site
			if r, ok := n.Info().Ref.(*check.ColumnRef); ok && !r.Open && !n.Quoted && !strings.HasPrefix(n.Name, "$") {
				out = append(out, site{span: n.Span(), name: n.Name})
			}
			return false
		case *ast.Call:
			if n.Name != nil && n.Recv == nil && n.Info().Overload != "" && n.Info().Ref == nil {
				out = append(out, site{span: n.Name.Span(), name: n.Name.Name, fn: true})
			}
		}
		return true
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].span.Start < out[j].span.Start })
	return out
}

// misspell doubles the middle letter of name: a typing slip at edit
// distance 1 (ActionType → ActionTType).
func misspell(name string) string {
	m := len(name) / 2
	return name[:m+1] + name[m:]
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// TestMutantsRejected takes corpus queries that check clean, misspells one
// referenced column or built-in function (a deterministic choice per
// query) and asserts that ≥ 99 % of the mutants are rejected with an error
// at the misspelt name whose suggestion names the original.
func TestMutantsRejected(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.kql"))
	if len(files) == 0 {
		t.Skip("no shared corpus")
	}
	sort.Slice(files, func(i, j int) bool { return hash(files[i]) < hash(files[j]) })
	tables := schemas.Builtin()
	if extra, err := schemas.LoadDir("../../../shared/schemas"); err == nil {
		tables = tables.Merge(extra)
	}
	known := map[string]bool{}
	for _, n := range tables.Names() {
		s, _ := tables.Table(n)
		for _, c := range s.Columns {
			known[c.Name] = true
		}
	}
	const want = 300
	var mutants, rejected, cols, fns int
	var failures []string
	for _, f := range files {
		if mutants == want {
			break
		}
		text, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		src := lang.NewSource(f, string(text))
		tree, diags := syntax.Parse(src)
		if diags.HasErrors() {
			continue
		}
		if check.Check(tree, &check.Env{Tables: tables}).HasErrors() {
			continue
		}
		sites := collectSites(tree, known)
		if len(sites) == 0 {
			continue
		}
		s := sites[hash(filepath.Base(f))%uint32(len(sites))]
		if string(text[s.span.Start:s.span.End]) != s.name {
			continue // a name written differently from its spelling (escapes)
		}
		bad := misspell(s.name)
		if known[bad] {
			continue // the slip is another real name: not a misspelling
		}
		mtext := string(text[:s.span.Start]) + bad + string(text[s.span.End:])
		msrc := lang.NewSource(f, mtext)
		mtree, mdiags := syntax.Parse(msrc)
		mutants++
		if s.fn {
			fns++
		} else {
			cols++
		}
		if mdiags.HasErrors() {
			failures = append(failures, filepath.Base(f)+": "+bad+": parse error "+mdiags[0].Msg)
			continue
		}
		cd := check.Check(mtree, &check.Env{Tables: tables})
		ok := false
		for _, d := range cd {
			if d.Severity == lang.SevError && d.Span.Start == s.span.Start && strings.Contains(d.Hint, s.name) {
				ok = true
				break
			}
		}
		if ok {
			rejected++
			continue
		}
		msg := "accepted"
		if cd.HasErrors() {
			msg = cd[0].Msg + " [" + cd[0].Hint + "]"
		}
		failures = append(failures, filepath.Base(f)+": "+s.name+" → "+bad+": "+msg)
	}
	if mutants < want {
		t.Fatalf("only %d mutants from the corpus, want %d", mutants, want)
	}
	rate := float64(rejected) / float64(mutants)
	t.Logf("%d mutants (%d columns, %d functions): %d rejected at the right place with the original suggested (%.1f%%)", mutants, cols, fns, rejected, 100*rate)
	for _, f := range failures {
		t.Log("not caught: " + f)
	}
	if rate < 0.99 {
		t.Errorf("mutation rejection rate %.1f%% < 99%%", 100*rate)
	}
}
