package check

import (
	"fmt"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Warnings: likely mistakes that Kusto accepts. They never fail a check.
//
//   - join without kind=: Kusto's default is innerunique, which keeps one
//     row per left key before joining — a surprise for readers of SQL.
//   - has / contains / startswith ... on a column that is not a string:
//     the value is converted to text first, so `Port has "44"` matches 443.
//   - == / != between a string and a number or bool constant: the string
//     side is converted, as the service does; quoting the constant says
//     what is meant and keeps the comparison a plain string comparison.

var textOps = map[string]bool{
	"has": true, "!has": true, "has_cs": true, "!has_cs": true, "hasprefix": true, "hassuffix": true,
	"contains": true, "!contains": true, "contains_cs": true, "!contains_cs": true,
	"startswith": true, "!startswith": true, "endswith": true, "!endswith": true,
	"startswith_cs": true, "endswith_cs": true,
}

func (c *Checker) warnings(q *ast.Query) {
	ast.Inspect(q, func(p any) bool {
		switch n := p.(type) {
		case *ast.Join:
			c.warnJoin(n)
		case *ast.Binary:
			c.warnBinary(n)
		}
		return true
	})
}

func (c *Checker) warnf(n ast.Node, code, hint, format string, args ...any) {
	c.diags.Add(lang.Diagnostic{Span: n.Span(), Severity: lang.SevWarning, Code: code, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func (c *Checker) warnJoin(j *ast.Join) {
	for _, o := range j.Options {
		if strings.EqualFold(o.Name, "kind") {
			return
		}
	}
	c.warnf(j, "join-innerunique", "write kind=innerunique to keep this behaviour, or kind=inner for every match",
		"join without kind= is innerunique: only one left row per key is joined")
}

func (c *Checker) warnBinary(b *ast.Binary) {
	op := strings.ToLower(b.Op)
	lk := b.L.Info().Type
	if textOps[op] {
		switch lk {
		case types.String, types.Dynamic, types.Unknown, types.Null, types.Guid:
			return
		}
		c.warnf(b, "text-op-on-"+lk.String(), "convert it with tostring() to say so, or compare the value",
			"%s on a %s value converts it to text first", b.Op, lk)
		return
	}
	if op != "==" && op != "!=" {
		return
	}
	rk := b.R.Info().Type
	str, other := b.L, b.R
	if rk == types.String {
		str, other = b.R, b.L
		lk, rk = rk, lk
	}
	if lk != types.String || !(rk.IsNumeric() || rk == types.Bool) {
		return
	}
	lit, ok := other.(*ast.Literal)
	if !ok {
		return
	}
	name := "string"
	if id, ok := str.(*ast.Ident); ok {
		name = "string " + id.Name
	}
	c.warnf(b, "string-number-compare", fmt.Sprintf("write %s \"%s\"", b.Op, lit.Raw),
		"comparing %s with %s %s: the string is converted", name, rk, lit.Raw)
}
