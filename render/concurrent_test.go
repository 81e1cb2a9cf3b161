package render

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mattermost/fleetgen/internal/synthfleet"
	"github.com/mattermost/fleetgen/inventory"
)

// TestRenderersAreSafeForConcurrentUse runs every renderer of every
// environment several times at once, all on the same inventory, and
// compares each result with a serial render. A renderer that shares mutable
// state (a lazy cache, a template it changes, the inventory it reads) shows
// up here as a difference or, under -race, as a data race: RenderWith may
// run the renderers of several environments and clusters in parallel.
func TestRenderersAreSafeForConcurrentUse(t *testing.T) {
	examples := loadInventory(t, "../environments")
	opts := exampleOptions(t, examples)
	fleet := t.TempDir()
	shape := synthfleet.Shape{Environments: 2, WorkloadClusters: 12, HAClusters: 3, MinNodes: 3, MaxNodes: 5}
	if err := synthfleet.Write(fleet, shape); err != nil {
		t.Fatal(err)
	}
	synthetic := loadInventory(t, filepath.Join(fleet, "environments"))

	type job struct {
		name   string
		render func() ([]File, error)
	}
	var jobs []job
	for _, inv := range []*inventory.Inventory{examples, synthetic} {
		for _, env := range inv.Environments {
			for i, r := range renderers {
				jobs = append(jobs, job{fmt.Sprintf("%s/renderer %d", env.Name, i), func() ([]File, error) { return r(env) }})
			}
			jobs = append(jobs, job{env.Name + "/readme", func() ([]File, error) { return environmentReadme(env) }})
			jobs = append(jobs, job{env.Name + "/ha", func() ([]File, error) { return HA(env) }})
			jobs = append(jobs, job{env.Name + "/hydrate", func() ([]File, error) { return Hydrate(env, opts.Charts) }})
		}
	}
	want := make([][]File, len(jobs))
	for i, j := range jobs {
		files, err := j.render()
		if err != nil {
			t.Fatalf("%s: %v", j.name, err)
		}
		want[i] = files
	}

	const copies = 3
	got := make([][]File, copies*len(jobs))
	errs := make([]error, len(got))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for k := range got {
		wg.Go(func() {
			<-start
			got[k], errs[k] = jobs[k%len(jobs)].render()
		})
	}
	close(start)
	wg.Wait()
	for k := range got {
		j := jobs[k%len(jobs)]
		if errs[k] != nil {
			t.Errorf("%s, concurrently: %v", j.name, errs[k])
			continue
		}
		if diff := cmp.Diff(want[k%len(jobs)], got[k]); diff != "" {
			t.Errorf("%s: the concurrent render differs from the serial one (-serial +concurrent):\n%s", j.name, diff)
		}
	}
}
