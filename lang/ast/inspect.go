package ast

import "reflect"

// Inspect walks node and everything its exported fields reach (nodes,
// slices, options), calling f for each non-nil pointer once, parents
// first. When f returns false the pointer's own fields are not walked.
// Unexported fields (such as the checker's annotations behind Info and
// Out) are not followed.
func Inspect(node any, f func(p any) bool) {
	NewInspector(f).Walk(node)
}

// An Inspector walks several roots with one visited set: a pointer reached
// from two roots (a let statement used twice, say) is visited once.
type Inspector struct {
	f    func(p any) bool
	seen map[uintptr]bool
}

// NewInspector returns an Inspector calling f as Inspect does.
func NewInspector(f func(p any) bool) *Inspector {
	return &Inspector{f: f, seen: map[uintptr]bool{}}
}

// Walk walks node and what it reaches, skipping pointers already visited.
func (in *Inspector) Walk(node any) { in.walk(reflect.ValueOf(node)) }

func (in *Inspector) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			in.walk(v.Elem())
		}
	case reflect.Pointer:
		if v.IsNil() || in.seen[v.Pointer()] {
			return
		}
		in.seen[v.Pointer()] = true
		if in.f(v.Interface()) {
			in.walk(v.Elem())
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if t.Field(i).IsExported() {
				in.walk(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			in.walk(v.Index(i))
		}
	}
}
