package check

import (
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// TopHittersInfo is the Ref of a top-hitters operator: the documented
// equivalent pipe, already checked —
//
//	summarize approximate_count_V = count() by V | top N by approximate_count_V desc
//
// or, with `by S`, approximate_sum_V = sum(S). kqlhunt counts exactly (an
// exact count is a valid answer to the approximation the docs allow).
type TopHittersInfo struct {
	Ops []ast.Op
}

func init() { RegisterOp("top-hitters", checkTopHitters) }

func checkTopHitters(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
	t := op.(*ast.TopHitters)
	pos := ast.Pos{Sp: t.Span()}
	valName := "Column1"
	if id, ok := t.Of.(*ast.Ident); ok {
		valName = id.Name
	}
	agg := "approximate_count_" + valName
	call := &ast.Call{Pos: pos, Name: &ast.Ident{Pos: pos, Name: "count"}}
	if t.By != nil {
		agg = "approximate_sum_" + valName
		call = &ast.Call{Pos: pos, Name: &ast.Ident{Pos: pos, Name: "sum"}, Args: []ast.Expr{t.By}}
	}
	by := &ast.NamedExpr{Pos: ast.Pos{Sp: t.Of.Span()}, X: t.Of}
	if _, ok := t.Of.(*ast.Ident); !ok {
		by.Names = []*ast.Ident{{Pos: pos, Name: valName}}
	}
	sum := &ast.Summarize{OpBase: ast.OpBase{Pos: pos}, By: []*ast.NamedExpr{by},
		Aggs: []*ast.NamedExpr{{Pos: pos, Names: []*ast.Ident{{Pos: pos, Name: agg}}, X: call}}}
	top := &ast.Top{OpBase: ast.OpBase{Pos: pos}, N: t.N, By: []*ast.SortKey{{Pos: pos, X: &ast.Ident{Pos: pos, Name: agg}, Order: "desc"}}}
	info := &TopHittersInfo{Ops: []ast.Op{sum, top}}
	op.Out().Ref = info
	return c.Pipe(in, info.Ops, sc)
}
