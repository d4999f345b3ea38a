package check

import (
	"fmt"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// patternCall resolves an invocation of a declared pattern, `p("a")` or
// `p("a").path` / `p("a").["path"]` (path is the member name, nil when
// absent): the arguments must be constant strings, and the mapping whose
// argument values and path equal them is checked as an inline view (Ref
// *Inline on the call, or on the path name). ok is false when the callee
// is not a pattern.
func (c *Checker) patternCall(e *ast.Call, path *ast.Ident, sc *Scope) (*types.Schema, bool) {
	if e.Name == nil || e.Recv != nil {
		return nil, false
	}
	b := sc.lookup(e.Name.Name)
	if b == nil || b.pattern == nil {
		return nil, false
	}
	p := b.pattern
	var args []string
	for _, a := range e.Args {
		c.Scalar(a, nil, sc)
		s, ok := a.Info().Const.(string)
		if !ok {
			c.Errorf(a, "not-constant", "pattern %s takes constant string arguments", p.Name.Name)
			return &types.Schema{Open: true}, true
		}
		args = append(args, s)
	}
	ref := patternRef(p.Name.Name, args, path)
	if !p.Defined {
		c.Errorf(e, "pattern-undefined", "pattern %s is declared but not defined; pattern references: [%s]", p.Name.Name, ref)
		return &types.Schema{Open: true}, true
	}
	if len(args) != len(p.Params) {
		c.Errorf(e, "bad-args", "pattern %s takes %d argument(s), got %d", p.Name.Name, len(p.Params), len(args))
		return &types.Schema{Open: true}, true
	}
	if (p.Path != nil) != (path != nil) {
		if p.Path != nil {
			c.Errorf(e, "bad-args", "pattern %s needs a path: %s(...).%s", p.Name.Name, p.Name.Name, p.Path.Name.Name)
		} else {
			c.Errorf(path, "bad-args", "pattern %s has no path argument", p.Name.Name)
		}
		return &types.Schema{Open: true}, true
	}
	for _, m := range p.Maps {
		if !sameStrings(m.Args, args) || (path != nil && (!m.HasPath || m.Path != path.Name)) {
			continue
		}
		schema := c.block(m.Body, nil, newScope(sc))
		inl := &Inline{Body: m.Body}
		if path != nil {
			path.Info().Ref = inl
		} else {
			e.Info().Ref = inl
		}
		return schema, true
	}
	c.Errorf(e, "pattern-undefined", "one or more pattern references were not declared: [%s]", ref)
	return &types.Schema{Open: true}, true
}

func patternRef(name string, args []string, path *ast.Ident) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + a + "'"
	}
	s := fmt.Sprintf("%s(%s)", name, strings.Join(q, ", "))
	if path != nil {
		s += ".['" + path.Name + "']"
	}
	return s
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
