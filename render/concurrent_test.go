package render

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/internal/synthfleet"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// TestRenderersAreSafeForConcurrentUse runs every job of every
// environment several times at once, all on the same inventory, and
// compares each result with a serial render. A renderer that shares mutable
// state (a lazy cache, a template it changes, the inventory it reads) shows
// up here as a difference or, under -race, as a data race: Render runs the
// jobs of several environments and clusters in parallel.
func TestRenderersAreSafeForConcurrentUse(t *testing.T) {
	examples := rendertest.LoadInventory(t, rendertest.Examples())
	fleet := t.TempDir()
	shape := synthfleet.Shape{Environments: 2, WorkloadClusters: 12, HAClusters: 3, MinNodes: 3, MaxNodes: 5}
	if err := synthfleet.Write(fleet, shape); err != nil {
		t.Fatal(err)
	}
	synthetic := rendertest.LoadInventory(t, filepath.Join(fleet, "environments"))

	var jobs []job
	for _, inv := range []*inventory.Inventory{examples, synthetic} {
		js, _ := jobsOf(inv, Options{Charts: rendertest.ExampleCharts(t, inv)})
		jobs = append(jobs, js...)
	}
	want := make([][]layout.File, len(jobs))
	for i, j := range jobs {
		files, diags := j()
		if len(diags) > 0 {
			t.Fatalf("job %d: %s", i, diags.Error())
		}
		want[i] = files
	}

	const copies = 3
	got := make([][]layout.File, copies*len(jobs))
	diags := make([]hcl.Diagnostics, len(got))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for k := range got {
		wg.Go(func() {
			<-start
			got[k], diags[k] = jobs[k%len(jobs)]()
		})
	}
	close(start)
	wg.Wait()
	for k := range got {
		name := fmt.Sprintf("job %d", k%len(jobs))
		if len(diags[k]) > 0 {
			t.Errorf("%s, concurrently: %s", name, diags[k].Error())
			continue
		}
		if diff := cmp.Diff(want[k%len(jobs)], got[k]); diff != "" {
			t.Errorf("%s: the concurrent render differs from the serial one (-serial +concurrent):\n%s", name, diff)
		}
	}
}
