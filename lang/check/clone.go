package check

import (
	"reflect"

	"github.com/kqlhunt/kqlhunt/lang/ast"
)

// Clone returns a deep copy of an AST subtree (a node, or a *ast.Block).
// Checker annotations are copied too; the checker overwrites them when it
// checks the copy. Literal values are shared (they are immutable).
func Clone(n any) any {
	if n == nil {
		return nil
	}
	v := reflect.ValueOf(n)
	return cloneValue(v).Interface()
}

var (
	typeOfNode = reflect.TypeOf((*ast.Node)(nil)).Elem()
)

func cloneValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Ptr:
		if v.IsNil() {
			return v
		}
		el := v.Elem()
		if el.Kind() != reflect.Struct || !v.Type().Implements(typeOfNode) && !isASTStruct(el.Type()) {
			return v
		}
		nv := reflect.New(el.Type())
		nv.Elem().Set(el) // shallow copy including unexported fields
		cloneFields(nv.Elem())
		return nv
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := cloneValue(v.Elem())
		nv := reflect.New(v.Type()).Elem()
		nv.Set(c)
		return nv
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		nv := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			nv.Index(i).Set(cloneValue(v.Index(i)))
		}
		return nv
	}
	return v
}

func isASTStruct(t reflect.Type) bool {
	return t.PkgPath() == reflect.TypeOf(ast.Query{}).PkgPath()
}

func cloneFields(s reflect.Value) {
	t := s.Type()
	for i := 0; i < s.NumField(); i++ {
		f := s.Field(i)
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if sf.Anonymous && f.Kind() == reflect.Struct {
			cloneFields(f)
			continue
		}
		switch f.Kind() {
		case reflect.Ptr, reflect.Interface, reflect.Slice:
			if sf.Name == "Value" && t == reflect.TypeOf(ast.Literal{}) {
				continue
			}
			f.Set(cloneValue(f))
		}
	}
}
