package check

import "strings"

// suggest returns "did you mean X?" for the candidate nearest to name by
// case-insensitive edit distance, or "" when nothing is close.
func suggest(name string, cands []string) string {
	best, bestD := "", 1<<30
	ln := strings.ToLower(name)
	for _, c := range cands {
		if c == name {
			continue
		}
		d := editDistance(ln, strings.ToLower(c))
		if d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	limit := len(name)/3 + 1
	if limit > 4 {
		limit = 4
	}
	if bestD > limit && !strings.EqualFold(best, name) {
		return ""
	}
	return "did you mean " + best + "?"
}

// Suggest is suggest for other packages.
func Suggest(name string, cands []string) string { return suggest(name, cands) }

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
