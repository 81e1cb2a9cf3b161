package inventory

import (
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestDocsCountInvalidFixtures holds the number of invalid fixtures the
// README and docs/reliability.md state to the fixtures there are.
func TestDocsCountInvalidFixtures(t *testing.T) {
	entries, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []struct{ file, pattern string }{
		{"../README.md", `\((\d+) under\s+` + "`inventory/testdata/invalid/`"},
		{"../docs/reliability.md", "`inventory/testdata/invalid/` holds (\\d+) fixtures"},
	} {
		data, err := os.ReadFile(doc.file)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(doc.pattern).FindSubmatch(data)
		if m == nil {
			t.Errorf("%s no longer states the number of invalid fixtures (%s)", doc.file, doc.pattern)
			continue
		}
		if n, _ := strconv.Atoi(string(m[1])); n != len(entries) {
			t.Errorf("%s says %d invalid fixtures; testdata/invalid holds %d", doc.file, n, len(entries))
		}
	}
}
