package plan

// SetSlowTopNested makes top-nested run one summarize per level (tests
// compare it with the fused aggregation).
func SetSlowTopNested(slow bool) { slowTopNested = slow }
