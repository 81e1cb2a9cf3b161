package inventory

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mattermost/fleetgen/internal/badinv"
)

// TestFileSystemCorpus loads every broken inventory of badinv, the cases git
// cannot hold, and compares the diagnostics (file, line, summary) with the
// expected ones: nothing more, nothing less, and never a panic or a hang.
func TestFileSystemCorpus(t *testing.T) {
	for _, c := range badinv.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			if c.NeedUser && os.Geteuid() == 0 {
				t.Skip("root reads files whatever their permission bits: cmd/cli TestUnreadableInventoryAsAnotherUser runs this case as nobody")
			}
			dir := filepath.Join(t.TempDir(), "environments")
			if err := c.Build(dir); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(filepath.Join(dir, "prod"), 0o755) }) // so TempDir can remove it
			inv, _, diags := Load(dir)
			var got []string
			for _, d := range diags {
				got = append(got, badinv.Diag{File: filepath.ToSlash(must(filepath.Rel(dir, d.Subject.Filename))), Line: d.Subject.Start.Line, Summary: d.Summary}.String())
			}
			var want []string
			for _, d := range c.Want {
				want = append(want, d.String())
			}
			slices.Sort(got)
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if inv != nil {
				t.Error("Load returned an inventory")
			}
		})
	}
}
