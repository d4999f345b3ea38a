package plan

import "github.com/kqlhunt/kqlhunt/lang/ast"

// dictSafe reports whether a pipe's operators accept dictionary-encoded
// string columns from its table scan (catalog.ScanOptions.Dict): filters,
// extends, projections (projections decode pass-through dictionary
// columns at their boundary) and joins (the probe side's dictionary
// columns pass through; the build side is decoded) up to an aggregation
// that consumes them (summarize, count, a fused top-nested), after which
// no dictionary array remains. Pipes that end otherwise keep plain
// strings, so no dictionary reaches the writers.
func dictSafe(opList []ast.Op) bool {
	for _, op := range opList {
		switch op.(type) {
		case *ast.Where, *ast.Extend, *ast.Take, *ast.Join:
		case *ast.Summarize, *ast.Count:
			return true
		case *ast.TopNested:
			return topNestedFusable(op) // one aggregation (build_topnested_fused.go)
		default:
			return false
		}
	}
	return false
}
