package charts

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mattermost/fleetgen/internal/charttest"
	"github.com/mattermost/fleetgen/internal/golden"
)

// The sandbox environment's chart is committed in the repository's chart
// cache, packaged from its source under testdata/charts/hello. The archive
// must be exactly that source, packaged deterministically, and the lock
// must record its digest; -update repackages it and rewrites the lock.
func TestExampleChartIsItsSource(t *testing.T) {
	const cacheDir = "../../charts"
	ref := Ref{Repository: "https://charts.example.com/fleetgen", Chart: "hello", Version: "0.1.0"}
	archive, err := charttest.Package("../../testdata/charts/hello")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join(cacheDir, ref.FileName()), archive)
	if golden.Update() {
		c, err := Open(cacheDir)
		if err != nil {
			t.Fatal(err)
		}
		c.lock.set(Entry{Repository: ref.Repository, Chart: ref.Chart, Version: ref.Version, File: ref.FileName(), Digest: Digest(archive)})
		if err := os.WriteFile(filepath.Join(cacheDir, LockFile), c.lock.marshal(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Open(cacheDir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.Load(ref)
	if err != nil {
		t.Fatalf("the committed cache does not verify: %v", err)
	}
	if Digest(data) != Digest(archive) {
		t.Fatal("the cache holds another archive than the source's")
	}
}
