package syntax

import (
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
)

// Parse parses a whole KQL text. It returns the (possibly partial) tree and
// the syntax errors found. PLACEHOLDER: being written.
func Parse(src *lang.Source) (*ast.Query, lang.List) {
	var l lang.List
	l.Errorf(lang.Span{}, "syntax", "the parser is not written yet")
	return &ast.Query{}, l
}
