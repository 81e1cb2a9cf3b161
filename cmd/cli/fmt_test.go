package cli

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/inventory"
)

// fmt --diff realigns lines without adding or removing any, so every hunk
// starts on the same line on both sides; go-udiff before v0.4.2 numbered
// the new side of a hunk after a joined one wrongly ("@@ -25,18 +15,18 @@").
func TestFmtDiffHunkLines(t *testing.T) {
	var before, after strings.Builder
	for i := range 40 {
		line := fmt.Sprintf("  x%d = 1\n", i)
		switch i {
		case 2, 9, 30: // three changes: the first two join one hunk
			before.WriteString(fmt.Sprintf("  x%d=1\n", i))
		default:
			before.WriteString(line)
		}
		after.WriteString(line)
	}
	var out strings.Builder
	writeFmtDiff(&out, inventory.Formatted{Path: "e/a.hcl", Original: []byte(before.String()), Result: []byte(after.String())})
	hunks := regexp.MustCompile(`(?m)^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$`).FindAllStringSubmatch(out.String(), -1)
	if len(hunks) != 2 {
		t.Fatalf("want 2 hunks, got:\n%s", out.String())
	}
	for _, h := range hunks {
		if h[1] != h[3] || h[2] != h[4] {
			t.Errorf("hunk %s: the new side is numbered differently from the old, though no line was added or removed:\n%s", h[0], out.String())
		}
	}
}
