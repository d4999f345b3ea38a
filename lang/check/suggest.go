package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang"
)

// suggest returns "did you mean X?" for the candidate nearest to name by
// case-insensitive edit distance, or "" when nothing is close.
func suggest(name string, cands []string) string {
	best, bestD := "", 1<<30
	ln := strings.ToLower(name)
	for _, c := range cands {
		if c == name {
			continue
		}
		d := lang.EditDistance(ln, strings.ToLower(c))
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
