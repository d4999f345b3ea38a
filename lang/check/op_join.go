package check

import (
	"strconv"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// JoinInfo is the Out().Ref of a checked join or lookup: its kind and the
// resolved equality keys (left column i == right column i).
type JoinInfo struct {
	Kind      string // canonical kind: innerunique, inner, leftouter, ... (lookup: leftouter|inner)
	LeftKeys  []string
	RightKeys []string
}

var joinKinds = map[string]string{
	"": "innerunique", "innerunique": "innerunique", "inner": "inner", "leftouter": "leftouter",
	"rightouter": "rightouter", "fullouter": "fullouter", "leftanti": "leftanti", "anti": "leftanti",
	"leftantisemi": "leftanti", "rightanti": "rightanti", "rightantisemi": "rightanti",
	"leftsemi": "leftsemi", "rightsemi": "rightsemi",
}

func init() {
	RegisterOp("join", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		j := op.(*ast.Join)
		return c.joinLike(op, j.Options, j.Right, j.On, in, sc, false)
	})
	RegisterOp("lookup", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		j := op.(*ast.Lookup)
		return c.joinLike(op, j.Options, j.Right, j.On, in, sc, true)
	})
}

// OptionText returns the text of an option value: a bare word or a literal.
func OptionText(e ast.Expr) string { return optText(e) }

// FindOption returns the option called name (case-insensitive) or nil.
func FindOption(opts []*ast.Option, name string) *ast.Option {
	for _, o := range opts {
		if strings.EqualFold(o.Name, name) {
			return o
		}
	}
	return nil
}

func (c *Checker) joinLike(op ast.Op, opts []*ast.Option, right ast.Expr, on []ast.Expr, in *types.Schema, sc *Scope, lookup bool) *types.Schema {
	rs := c.Tabular(right, sc)
	if rs == nil {
		rs = &types.Schema{Open: true}
	}
	info := &JoinInfo{}
	kind := ""
	if o := FindOption(opts, "kind"); o != nil {
		kind = strings.ToLower(OptionText(o.Value))
	}
	if lookup {
		switch kind {
		case "", "leftouter":
			info.Kind = "leftouter"
		case "inner":
			info.Kind = "inner"
		default:
			c.Errorf(op, "bad-kind", "lookup supports kind=leftouter or kind=inner, not %s", kind)
			info.Kind = "leftouter"
		}
	} else {
		k, ok := joinKinds[kind]
		if !ok {
			c.Errorf(op, "bad-kind", "unknown join kind %q", kind)
			k = "innerunique"
		}
		info.Kind = k
	}
	if len(on) == 0 {
		c.Errorf(op, "no-keys", "%s needs `on` keys", op.OpName())
	}
	for _, e := range on {
		c.joinKey(e, in, rs, info)
	}
	op.Out().Ref = info
	if lookup {
		return LookupSchema(in, rs, info.RightKeys)
	}
	return JoinSchema(in, rs, info.Kind)
}

func (c *Checker) joinKey(e ast.Expr, ls, rs *types.Schema, info *JoinInfo) {
	switch x := e.(type) {
	case *ast.Paren:
		c.joinKey(x.X, ls, rs, info)
		return
	case *ast.Ident:
		lk := c.joinCol(x, x.Name, ls, "left")
		rk := c.joinCol(x, x.Name, rs, "right")
		x.Info().Type = lk
		x.Info().Ref = &ColumnRef{Name: x.Name}
		c.joinTypes(x, lk, rk)
		info.LeftKeys = append(info.LeftKeys, x.Name)
		info.RightKeys = append(info.RightKeys, x.Name)
		return
	case *ast.Binary:
		if x.Op == "and" {
			c.joinKey(x.L, ls, rs, info)
			c.joinKey(x.R, ls, rs, info)
			return
		}
		if x.Op == "==" {
			ls1, ln := sideCol(x.L)
			rs1, rn := sideCol(x.R)
			if ls1 == "$right" && rs1 == "$left" {
				ls1, ln, rs1, rn = rs1, rn, ls1, ln
			}
			if ls1 == "$left" && rs1 == "$right" {
				lk := c.joinCol(x.L, ln, ls, "left")
				rk := c.joinCol(x.R, rn, rs, "right")
				c.joinTypes(x, lk, rk)
				x.Info().Type = types.Bool
				info.LeftKeys = append(info.LeftKeys, ln)
				info.RightKeys = append(info.RightKeys, rn)
				return
			}
		}
	}
	c.Errorf(e, "bad-join-key", "join keys must be column names or `$left.Col == $right.Col` comparisons")
}

func sideCol(e ast.Expr) (side, name string) {
	if m, ok := e.(*ast.Member); ok {
		if id, ok := m.X.(*ast.Ident); ok && m.Name != nil {
			return strings.ToLower(id.Name), m.Name.Name
		}
	}
	return "", ""
}

func (c *Checker) joinCol(n ast.Node, name string, s *types.Schema, side string) types.Kind {
	i := s.Index(name)
	if i < 0 {
		if s.Open {
			return types.Unknown
		}
		c.ErrorHint(n, "unknown-column", Suggest(name, s.Names()), "the %s side of the join has no column %s", side, name)
		return types.Unknown
	}
	return s.Columns[i].Type
}

func (c *Checker) joinTypes(n ast.Node, l, r types.Kind) {
	if l == r || l == types.Unknown || r == types.Unknown || (l.IsNumeric() && r.IsNumeric()) {
		return
	}
	c.Errorf(n, "key-types", "join key types differ: %s and %s", l, r)
}

// joinOutputs reports which sides' columns a join kind outputs.
func joinOutputs(kind string) (left, right bool) {
	switch kind {
	case "leftanti", "leftsemi":
		return true, false
	case "rightanti", "rightsemi":
		return false, true
	}
	return true, true
}

// JoinSchema is a join's output schema: left columns then right columns,
// a right column whose name is taken getting the first free numeric suffix.
func JoinSchema(l, r *types.Schema, kind string) *types.Schema {
	lo, ro := joinOutputs(kind)
	out := &types.Schema{}
	used := map[string]bool{}
	if lo {
		for _, col := range l.Columns {
			out.Columns = append(out.Columns, col)
			used[col.Name] = true
		}
		out.Open = out.Open || l.Open
		if l.Open {
			out.OpenType = l.OpenType
		}
	}
	if ro {
		for _, col := range r.Columns {
			n := col.Name
			for i := 1; used[n]; i++ {
				n = col.Name + strconv.Itoa(i)
			}
			used[n] = true
			out.Columns = append(out.Columns, types.Column{Name: n, Type: col.Type})
		}
		if r.Open {
			if out.Open && out.OpenType != r.OpenType {
				out.OpenType = types.Unknown // open on both sides, differently
			} else {
				out.OpenType = r.OpenType
			}
		}
		out.Open = out.Open || r.Open
	}
	return out
}

// LookupSchema is lookup's output schema: the left columns, then the right
// columns other than its keys (renamed on clashes).
func LookupSchema(l, r *types.Schema, rkeys []string) *types.Schema {
	keys := map[string]bool{}
	for _, k := range rkeys {
		keys[k] = true
	}
	rr := &types.Schema{Open: r.Open, OpenType: r.OpenType}
	for _, col := range r.Columns {
		if !keys[col.Name] {
			rr.Columns = append(rr.Columns, col)
		}
	}
	return JoinSchema(l, rr, "leftouter")
}
