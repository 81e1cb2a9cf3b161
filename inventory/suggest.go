package inventory

import (
	"fmt"

	"github.com/agext/levenshtein"
)

// didYouMean returns ` Did you mean "x"?` for the candidate closest to
// given, or "" when none is close: the same threshold HCL uses for
// misspelt argument names.
func didYouMean(given string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein.Distance(given, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", best)
}

// DidYouMean is didYouMean for the edit commands, which refuse a name that
// does not exist with the same hint the loader gives.
func DidYouMean(given string, candidates []string) string {
	return didYouMean(given, candidates)
}
