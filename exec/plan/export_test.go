package plan

// SetSlowTopNested makes top-nested run one summarize per level (tests
// compare it with the fused aggregation).
func SetSlowTopNested(slow bool) { slowTopNested = slow }

// SetNoMvDrop makes mv-expand carry every input column (tests compare it
// with dropping the columns nothing after it reads).
func SetNoMvDrop(no bool) { noMvDrop = no }
