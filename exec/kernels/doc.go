// Package kernels holds the implementations of the functions declared in
// lang/funcs, bound by overload ID. Scalar kernels work on whole Arrow
// arrays (or scalars) at a time; aggregate kernels keep per-group state that
// partial aggregations merge.
//
// Families live in one file each (strings.go, datetime.go, ...) and register
// from init functions with RegisterScalar / RegisterAggregate.
package kernels
