package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ScanInfo is the Out().Ref of a checked scan. Step references
// `step.Col` in predicates and assignments are rewritten to identifiers
// named "step.Col", columns of Row.
type ScanInfo struct {
	MatchID  string
	Declared []types.Column
	Defaults []ast.Expr // per declared column (nil: null)
	Row      *types.Schema
	Steps    []ScanStepInfo
}

// ScanStepInfo is one checked step.
type ScanStepInfo struct {
	Name    string
	Output  string // all (default), last, none
	Assigns []int  // per step.Assigns item: index into Declared
}

func init() {
	RegisterOp("scan", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		return c.scan(op.(*ast.Scan), in, sc)
	})
}

func (c *Checker) scan(op *ast.Scan, in *types.Schema, sc *Scope) *types.Schema {
	info := &ScanInfo{}
	op.Out().Ref = info
	if o := FindOption(op.Options, "with_match_id"); o != nil {
		info.MatchID = OptionText(o.Value)
	}
	base := &types.Schema{Columns: append([]types.Column(nil), in.Columns...), Open: in.Open, OpenType: in.OpenType}
	for _, p := range op.Declare {
		if p.Name == nil {
			continue
		}
		k := types.Unknown
		if p.Type != nil {
			k = p.Type.Scalar
		}
		if p.Default != nil {
			dk := c.Scalar(p.Default, nil, sc)
			if k == types.Unknown {
				k = dk
			}
		}
		if k == types.Unknown || k == types.Null {
			k = types.Dynamic
		}
		col := types.Column{Name: p.Name.Name, Type: k}
		info.Declared = append(info.Declared, col)
		info.Defaults = append(info.Defaults, p.Default)
		if i := base.Index(col.Name); i >= 0 {
			base.Columns[i] = col
		} else {
			base.Columns = append(base.Columns, col)
		}
	}
	steps := map[string]bool{}
	row := &types.Schema{Columns: append([]types.Column(nil), base.Columns...), Open: base.Open, OpenType: base.OpenType}
	for _, st := range op.Steps {
		if st.Name == nil {
			continue
		}
		if steps[st.Name.Name] {
			c.Errorf(st.Name, "dup-step", "step %s is defined twice", st.Name.Name)
		}
		steps[st.Name.Name] = true
		for _, col := range base.Columns {
			row.Columns = append(row.Columns, types.Column{Name: st.Name.Name + "." + col.Name, Type: col.Type})
		}
	}
	info.Row = row
	for _, st := range op.Steps {
		if st.Name == nil {
			continue
		}
		si := ScanStepInfo{Name: st.Name.Name, Output: strings.ToLower(st.Output)}
		if si.Output == "" {
			si.Output = "all"
		}
		switch si.Output {
		case "all", "last", "none":
		default:
			c.Errorf(st, "bad-output", "step output must be all, last or none, not %s", st.Output)
		}
		st.Pred = rewriteStepRefs(st.Pred, steps)
		if k := c.Scalar(st.Pred, row, sc); k != types.Bool && k != types.Unknown && k != types.Dynamic {
			c.Errorf(st.Pred, "not-bool", "a step condition must be bool, got %s", k)
		}
		for _, a := range st.Assigns {
			a.X = rewriteStepRefs(a.X, steps)
			c.Scalar(a.X, row, sc)
			idx := -1
			if len(a.Names) > 0 {
				for i, d := range info.Declared {
					if d.Name == a.Names[0].Name {
						idx = i
					}
				}
			}
			if idx < 0 {
				c.Errorf(a, "not-declared", "scan can only assign columns it declares")
			}
			si.Assigns = append(si.Assigns, idx)
		}
		info.Steps = append(info.Steps, si)
	}
	out := &types.Schema{Columns: append([]types.Column(nil), base.Columns...), Open: base.Open, OpenType: base.OpenType}
	if info.MatchID != "" {
		out.Columns = append(out.Columns, types.Column{Name: info.MatchID, Type: types.Long})
	}
	return out
}

// rewriteStepRefs replaces `step.Col` member accesses by identifiers
// named "step.Col".
func rewriteStepRefs(e ast.Expr, steps map[string]bool) ast.Expr {
	r := func(x ast.Expr) ast.Expr { return rewriteStepRefs(x, steps) }
	switch x := e.(type) {
	case nil:
		return nil
	case *ast.Member:
		if id, ok := x.X.(*ast.Ident); ok && steps[id.Name] && x.Name != nil {
			return &ast.Ident{Pos: x.Pos, Name: id.Name + "." + x.Name.Name, Quoted: true}
		}
		x.X = r(x.X)
	case *ast.Binary:
		x.L, x.R = r(x.L), r(x.R)
	case *ast.Unary:
		x.X = r(x.X)
	case *ast.Paren:
		x.X = r(x.X)
	case *ast.Between:
		x.X, x.Lo, x.Hi = r(x.X), r(x.Lo), r(x.Hi)
	case *ast.InList:
		x.X = r(x.X)
		for i := range x.List {
			x.List[i] = r(x.List[i])
		}
	case *ast.Call:
		for i := range x.Args {
			x.Args[i] = r(x.Args[i])
		}
	case *ast.NamedArg:
		x.Value = r(x.Value)
	case *ast.Index:
		x.X, x.Index = r(x.X), r(x.Index)
	case *ast.Tuple:
		for i := range x.Items {
			x.Items[i] = r(x.Items[i])
		}
	}
	return e
}
