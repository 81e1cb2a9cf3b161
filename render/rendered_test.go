package render

import (
	"crypto/sha256"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// TestRenderedGivesEachEnvironmentOnce: Options.Rendered is called once
// per environment, HA-only ones included, with exactly that environment's
// files, and Render returns, sorted, what the calls gave back: a
// Prefetcher's comparison stays valid and the bytes it lets go stay gone.
func TestRenderedGivesEachEnvironmentOnce(t *testing.T) {
	inv := rendertest.LoadInventory(t, rendertest.Examples())
	inv.Environments[0].HAOnly = true // its C&C side is not rendered
	var mu sync.Mutex
	got := map[string][]layout.File{}
	files, diags := Render(inv, Options{Charts: rendertest.ExampleCharts(t, inv), Rendered: func(env []layout.File) []layout.File {
		if len(env) == 0 {
			t.Error("Rendered called with no files")
			return env
		}
		name, _, _ := strings.Cut(env[0].Path, "/")
		gave := slices.Clone(env)
		for i := 0; i < len(gave); i += 2 {
			sum := sha256.Sum256(gave[i].Data)
			gave[i].Data, gave[i].Sum = nil, &sum
		}
		mu.Lock()
		defer mu.Unlock()
		if _, twice := got[name]; twice {
			t.Errorf("Rendered called twice for %s", name)
		}
		got[name] = gave
		return gave
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
	released := 0
	for _, f := range files {
		g, ok := byPath[f.Path]
		if !ok {
			t.Errorf("%s returned but never given to Rendered", f.Path)
			continue
		}
		if f.Sum != nil {
			released++
		}
		if f.Sum != g.Sum || len(f.Data) > 0 && &g.Data[0] != &f.Data[0] || g.Mode != f.Mode {
			t.Errorf("%s: Render returned another file than Rendered gave back", f.Path)
		}
	}
	if released == 0 {
		t.Error("no file came back with its bytes let go")
	}
	if !slices.IsSortedFunc(files, func(a, b layout.File) int { return strings.Compare(a.Path, b.Path) }) {
		t.Error("Render's files are not sorted")
	}
}
