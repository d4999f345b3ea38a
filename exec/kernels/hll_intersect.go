package kernels

import "math"

// HllIntersections returns, for hll() sketches A0..An-1 (dynamic text),
// the estimated distinct counts of A0, A0∩A1, ..., A0∩...∩An-1 (the
// dcount_intersect plugin). Exact sets intersect exactly; otherwise the
// counts come from union estimates by inclusion–exclusion (clamped to 0).
func HllIntersections(texts []string) ([]int64, error) {
	n := len(texts)
	ps := make([]uint8, n)
	sets := make([][]uint64, n)
	regs := make([][]uint8, n)
	exact := true
	minP := uint8(255)
	for i, t := range texts {
		p, hs, rg, err := parseHll(t)
		if err != nil {
			return nil, err
		}
		ps[i], sets[i], regs[i] = p, hs, rg
		if rg != nil {
			exact = false
		}
		if p != 0 && p < minP {
			minP = p
		}
	}
	out := make([]int64, n)
	if exact {
		cur := map[uint64]bool{}
		for _, h := range sets[0] {
			cur[h] = true
		}
		out[0] = int64(len(cur))
		for i := 1; i < n; i++ {
			next := map[uint64]bool{}
			for _, h := range sets[i] {
				if cur[h] {
					next[h] = true
				}
			}
			cur = next
			out[i] = int64(len(cur))
		}
		return out, nil
	}
	// every sketch as registers of precision minP
	folded := make([][]uint8, n)
	for i := range texts {
		r := make([]uint8, 1<<minP)
		for _, h := range sets[i] {
			hllInsert(r, minP, h)
		}
		if regs[i] != nil {
			// sketches of a higher precision are folded approximately:
			// each register of the coarser index keeps the largest rank
			shift := ps[i] - minP
			for j, v := range regs[i] {
				if k := j >> shift; v > r[k] {
					r[k] = v
				}
			}
		}
		folded[i] = r
	}
	union := func(mask int) float64 {
		r := make([]uint8, 1<<minP)
		for i := 0; i < n; i++ {
			if mask&(1<<i) == 0 {
				continue
			}
			for j, v := range folded[i] {
				if v > r[j] {
					r[j] = v
				}
			}
		}
		return hllEstimate(r)
	}
	for k := 0; k < n; k++ {
		// |A0 ∩ ... ∩ Ak| = Σ over nonempty S ⊆ {0..k} (-1)^(|S|+1) |∪S|
		est := 0.0
		for mask := 1; mask < 1<<(k+1); mask++ {
			bits := 0
			for m := mask; m > 0; m &= m - 1 {
				bits++
			}
			if bits%2 == 1 {
				est += union(mask)
			} else {
				est -= union(mask)
			}
		}
		out[k] = int64(math.Max(0, math.Round(est)))
	}
	return out, nil
}
