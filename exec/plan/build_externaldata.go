package plan

import (
	"net/http"
	"strings"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ExternalHTTPClient fetches externaldata http(s) URIs (tests swap it);
// requests carry the query context, so the query timeout applies.
var ExternalHTTPClient = http.DefaultClient

// externalData builds `externaldata (cols) [uris] with (format=..., ignoreFirstRecord=...)`.
// Records that cannot be read are reported to the catalog's problems.
func (b *Builder) externalData(e *ast.ExternalData) (ops.Operator, error) {
	decl := make([]types.Column, len(e.Columns))
	for i, c := range e.Columns {
		decl[i] = types.Column{Name: c.Name.Name, Type: c.Type}
	}
	var uris []string
	for _, u := range e.URIs {
		s, ok := constText(u)
		if !ok {
			return nil, Errorf(u, "externaldata: a URI must be a string literal")
		}
		uris = append(uris, s)
	}
	opts := ops.ExternalOptions{Client: ExternalHTTPClient}
	for _, o := range e.With {
		v, _ := constText(o.Value)
		switch strings.ToLower(o.Name) {
		case "format":
			opts.Format = strings.ToLower(v)
		case "ignorefirstrecord":
			opts.IgnoreFirstRecord = strings.EqualFold(v, "true")
		}
	}
	if b.env.Catalog != nil {
		opts.Report = b.env.Catalog.Report
	}
	return ops.NewExternalData(b.Mem(), kernels.Schema(&types.Schema{Columns: decl}), decl, uris, opts), nil
}

// constText is the text of a string/bool literal or a bare word.
func constText(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.Literal:
		switch v := x.Value.(type) {
		case string:
			return v, true
		case bool:
			if v {
				return "true", true
			}
			return "false", true
		}
		return x.Raw, x.Raw != ""
	case *ast.Ident:
		return x.Name, true
	case *ast.Paren:
		return constText(x.X)
	}
	return "", false
}
