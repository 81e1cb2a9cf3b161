package inventory

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
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

// Troubleshooting is the page with one entry per diagnostic; its layout is
// explained at the top of the page itself.
const troubleshooting = "../docs/troubleshooting.md"

// Sections of the troubleshooting page. Entries ("#### " headings) under
// inventorySection must each be the summary of a diagnostic a fixture of
// testdata/invalid expects; entries under otherSection are messages met
// outside inventory validation (render, check, the edit commands, charts,
// git) and no fixture produces them.
const (
	inventorySection = "## Inventory diagnostics"
	otherSection     = "## Other messages"
)

// A troubleshootingEntry is one "#### " heading of the page.
type troubleshootingEntry struct {
	section  string // the "## " heading above it
	printed  string // the heading's text: the message as fleetgen prints it
	location string // page:line, for test messages
}

// troubleshootingEntries reads the entries of the page, skipping fenced
// examples, where an HCL or shell comment is no heading.
func troubleshootingEntries(t *testing.T) []troubleshootingEntry {
	t.Helper()
	data, err := os.ReadFile(troubleshooting)
	if err != nil {
		t.Fatal(err)
	}
	var entries []troubleshootingEntry
	section, fenced := "", false
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "```"):
			fenced = !fenced
		case fenced:
		case strings.HasPrefix(line, "## "):
			section = line
		case strings.HasPrefix(line, "#### "):
			entries = append(entries, troubleshootingEntry{
				section:  section,
				printed:  strings.TrimSpace(strings.TrimPrefix(line, "#### ")),
				location: fmt.Sprintf("%s:%d", troubleshooting, i+1),
			})
		}
	}
	return entries
}

var fixtureSummary = regexp.MustCompile(`: (ERROR|WARNING): (.+)$`)

// TestTroubleshootingCoversDiagnostics holds docs/troubleshooting.md to the
// fixtures: every summary a fixture expects has an entry under "Inventory
// diagnostics", and every entry there is a summary some fixture expects.
// A new validation rule with its fixture fails here until its entry is
// written.
func TestTroubleshootingCoversDiagnostics(t *testing.T) {
	fixtures := map[string][]string{} // summary -> the fixtures expecting it
	for _, dir := range caseDirs(t, "testdata/invalid") {
		for _, key := range expectedDiagnostics(t, dir) {
			m := fixtureSummary.FindStringSubmatch(key)
			if m == nil {
				t.Fatalf("%s: cannot read the summary of %q", dir, key)
			}
			if name := filepath.Base(dir); !slices.Contains(fixtures[m[2]], name) {
				fixtures[m[2]] = append(fixtures[m[2]], name)
			}
		}
	}

	documented := map[string]string{} // entry heading -> its section
	for _, e := range troubleshootingEntries(t) {
		if earlier, dup := documented[e.printed]; dup {
			t.Errorf("%s: the entry %q is there twice (also under %q); a summary has one entry", e.location, e.printed, earlier)
		}
		documented[e.printed] = e.section
		switch e.section {
		case inventorySection:
			if fixtures[e.printed] == nil {
				t.Errorf("%s: the entry %q is under %q, but no fixture of inventory/testdata/invalid expects that summary: "+
					"correct it to the summary fleetgen prints, or move it under %q if fleetgen prints it outside inventory validation",
					e.location, e.printed, inventorySection, otherSection)
			}
		case otherSection:
			if fixtures[e.printed] != nil {
				t.Errorf("%s: the entry %q is an inventory diagnostic (fixtures %s); move it under %q",
					e.location, e.printed, strings.Join(fixtures[e.printed], ", "), inventorySection)
			}
		default:
			t.Errorf("%s: the entry %q is under neither %q nor %q", e.location, e.printed, inventorySection, otherSection)
		}
	}

	var missing []string
	for _, summary := range slices.Sorted(maps.Keys(fixtures)) {
		if documented[summary] != inventorySection {
			missing = append(missing, fmt.Sprintf("#### %s\t(expected by %s)", summary, strings.Join(fixtures[summary], ", ")))
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s has no entry under %q for %d summaries the fixtures expect; add these headings, each with what it means and the fix:\n%s",
			troubleshooting, inventorySection, len(missing), strings.Join(missing, "\n"))
	}
}

// headingPlaceholder is a part of an "Other messages" heading that varies
// (`<file>`, `"<name>"`), or the " / " between messages of one entry.
var headingPlaceholder = regexp.MustCompile(`"?<[^>]+>"?|\s/\s`)

// TestTroubleshootingOtherMessagesInSource keeps the entries under "Other
// messages", which no fixture produces, true to the program: every fixed
// part of each heading (the text between its <placeholders>) must be in
// fleetgen's own code or templates, so a reworded message fails here until
// its entry follows.
func TestTroubleshootingOtherMessagesInSource(t *testing.T) {
	var source strings.Builder
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		slashed := filepath.ToSlash(path)
		if d.IsDir() {
			switch {
			case d.Name() == ".git" || d.Name() == "testdata":
				return filepath.SkipDir
			case slices.Contains([]string{"../out", "../docs", "../environments", "../charts"}, slashed):
				return filepath.SkipDir // output, the docs themselves, data
			}
			return nil
		}
		code := strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")
		if code || strings.HasPrefix(slashed, "../templates/") || strings.HasPrefix(slashed, "../.github/workflows/") || strings.HasPrefix(slashed, "../.github/scripts/") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			// Go strings escape their quotes; the message prints them plain.
			source.WriteString(strings.ReplaceAll(string(data), `\"`, `"`))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	var others int
	for _, e := range troubleshootingEntries(t) {
		if e.section != otherSection {
			continue
		}
		others++
		for _, part := range headingPlaceholder.Split(e.printed, -1) {
			part = strings.Trim(part, " .,:;")
			if len(part) >= 4 && !strings.Contains(source.String(), part) {
				t.Errorf("%s: %q is in no message of fleetgen's code or templates: reword the entry as fleetgen prints the message now, or remove it if fleetgen no longer prints it",
					e.location, part)
			}
		}
	}
	if others == 0 {
		t.Errorf("%s has no entry under %q", troubleshooting, otherSection)
	}
}
