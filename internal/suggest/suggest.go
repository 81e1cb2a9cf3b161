package suggest

import (
	"fmt"
	"strings"

	"github.com/agext/levenshtein"
)

// maxDistance is the edit distance below which a candidate counts as
// meant: the threshold HCL uses for misspelt argument names, so the
// loader's suggestions and HCL's own agree.
const maxDistance = 3

// Closest returns the candidate nearest to given, or "" when none is
// within maxDistance edits. Letters that differ only in case count as
// equal, so "PUBLIC" finds "public". Ties go to the earlier candidate, so
// callers pass candidates in a stable order.
func Closest(given string, candidates []string) string {
	if given == "" {
		return "" // everything short is "close" to nothing
	}
	best, bestDist := "", maxDistance
	for _, c := range candidates {
		if c == given {
			continue
		}
		d := levenshtein.Distance(given, c, nil)
		if lower := levenshtein.Distance(strings.ToLower(given), strings.ToLower(c), nil); lower < d {
			d = lower
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// DidYouMean returns ` Did you mean "x"?` for the closest candidate, to
// end a message that refuses given, or "" when none is close.
func DidYouMean(given string, candidates []string) string {
	if best := Closest(given, candidates); best != "" {
		return fmt.Sprintf(" Did you mean %q?", best)
	}
	return ""
}

// Clause returns `; did you mean "x"?` for the closest candidate, to end
// a one-line error (lower case, no full stop), or "" when none is close.
func Clause(given string, candidates []string) string {
	if best := Closest(given, candidates); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}
