package render

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// TestRenderedGivesEachEnvironmentOnce: Options.Rendered is called once
// per environment, with exactly that environment's files, the very slices
// Render returns (so a Prefetcher's comparison stays valid), and the
// calls together cover every file.
func TestRenderedGivesEachEnvironmentOnce(t *testing.T) {
	inv := rendertest.LoadInventory(t, rendertest.Examples())
	var mu sync.Mutex
	got := map[string][]layout.File{}
	files, diags := Render(inv, Options{Charts: rendertest.ExampleCharts(t, inv), Rendered: func(env []layout.File) {
		if len(env) == 0 {
			t.Error("Rendered called with no files")
			return
		}
		name, _, _ := strings.Cut(env[0].Path, "/")
		mu.Lock()
		defer mu.Unlock()
		if _, twice := got[name]; twice {
			t.Errorf("Rendered called twice for %s", name)
		}
		got[name] = env
	}})
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	if len(got) != len(inv.Environments) || len(inv.Environments) < 2 {
		t.Fatalf("Rendered called for %d environments, want the %d of the examples", len(got), len(inv.Environments))
	}
	byPath := map[string]layout.File{}
	for name, env := range got {
		for _, f := range env {
			if e, _, _ := strings.Cut(f.Path, "/"); e != name {
				t.Errorf("%s given with environment %s", f.Path, name)
			}
			byPath[f.Path] = f
		}
	}
	if len(byPath) != len(files) {
		t.Errorf("Rendered gave %d files, Render returned %d", len(byPath), len(files))
	}
	for _, f := range files {
		g, ok := byPath[f.Path]
		if !ok {
			t.Errorf("%s returned but never given to Rendered", f.Path)
			continue
		}
		if len(f.Data) > 0 && &g.Data[0] != &f.Data[0] || g.Mode != f.Mode {
			t.Errorf("%s: Rendered got another copy of the file than Render returned", f.Path)
		}
	}
	if !slices.IsSortedFunc(files, func(a, b layout.File) int { return strings.Compare(a.Path, b.Path) }) {
		t.Error("Render's files are not sorted")
	}
}
