package kernels

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/funcs"
)

// FunctionsMarkdown renders docs/functions.md from the function registry:
// every function by kind, with its signatures, and whether each overload
// has a kernel. A test keeps the checked-in file equal to this output.
func FunctionsMarkdown() string {
	var b strings.Builder
	b.WriteString("# Functions\n\n")
	b.WriteString("Generated from the function registry (`lang/funcs`, kernels in `exec/kernels`) by\n")
	b.WriteString("`UPDATE_DOCS=1 go test ./exec/kernels -run TestFunctionsDoc`; do not edit by hand.\n")
	b.WriteString("Operators (`==`, `has`, `+`, …) are in the registry too, under the names the checker uses.\n")
	b.WriteString("An overload marked *(declared only)* type-checks but fails at run time with a clear error.\n\n")
	byKind := map[funcs.Kind][]*funcs.Func{}
	for _, f := range funcs.All() {
		byKind[f.Kind] = append(byKind[f.Kind], f)
	}
	kinds := []funcs.Kind{funcs.Scalar, funcs.Aggregate, funcs.Window, funcs.Plugin, funcs.Tabular}
	titles := map[funcs.Kind]string{funcs.Scalar: "Scalar functions and operators", funcs.Aggregate: "Aggregate functions",
		funcs.Window: "Window functions (serialized rows)", funcs.Plugin: "Plugins (`evaluate`)", funcs.Tabular: "Tabular functions"}
	total, implemented := 0, 0
	for _, k := range kinds {
		fs := byKind[k]
		if len(fs) == 0 {
			continue
		}
		sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
		fmt.Fprintf(&b, "## %s (%d)\n\n| function | signatures | description |\n|---|---|---|\n", titles[k], len(fs))
		for _, f := range fs {
			var sigs []string
			for _, o := range f.Overloads {
				total++
				s := "`" + f.Name + o.String() + "`"
				if HasKernel(o.ID) || k == funcs.Plugin || k == funcs.Tabular {
					implemented++
				} else {
					s += " *(declared only)*"
				}
				sigs = append(sigs, s)
			}
			name := "`" + f.Name + "`"
			if len(f.Aliases) > 0 {
				name += " (also " + strings.Join(f.Aliases, ", ") + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", escapeCell(name), escapeCell(strings.Join(sigs, "<br>")), escapeCell(f.Doc))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%d overloads, %d with a kernel.\n", total, implemented)
	return b.String()
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
