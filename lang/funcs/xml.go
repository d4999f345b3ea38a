package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// parse_xml() and the deprecated arraylength() alias of array_length().
// Kernels: exec/kernels/xml.go.

func init() {
	Register(&Func{Name: "parse_xml", Kind: Scalar,
		Doc:     "an XML string as a dynamic value: elements become properties, attributes @name, element text #text, repeated elements arrays; null when not XML",
		Example: `parse_xml("<e a='1'>x</e>")`,
		Overloads: []*Overload{{ID: "parse_xml", Args: []Arg{{Name: "xml", Types: types.Set(types.String)}},
			Result: Fixed(types.Dynamic)}}})
	Register(&Func{Name: "arraylength", Kind: Scalar,
		Doc:     "deprecated name of array_length(): the number of elements of an array (null if not an array)",
		Example: `arraylength(dynamic([1, 2]))`,
		Overloads: []*Overload{{ID: "arraylength", Args: []Arg{{Name: "array", Types: types.Set(types.Dynamic)}},
			Result: Fixed(types.Long)}}})
}
