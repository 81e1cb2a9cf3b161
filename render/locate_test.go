package render

import (
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// TestLocateRendered classifies every file the renderers write for the
// examples (the sandbox's hydrated manifests included) and the test
// inventories: none may be unknown, or `fleetgen affected` would report
// it and no apply job would apply it. A new output folder fails here
// until Locate knows what applies it.
func TestLocateRendered(t *testing.T) {
	files := mustRender(t, rendertest.LoadInventory(t, rendertest.Examples()))
	// The test inventories of the families with the most variants.
	for _, dir := range []string{"helm/testdata/lab", "ha/testdata/versions", "ha/testdata/recipe"} {
		files = append(files, mustRender(t, rendertest.LoadInventory(t, dir))...)
	}
	kinds := map[layout.Kind]int{}
	for _, f := range files {
		loc := layout.Locate(f.Path)
		kinds[loc.Kind]++
		if loc.Kind == layout.KindUnknown {
			t.Errorf("layout.Locate(%q): unknown: no apply job would apply it", f.Path)
		}
		if env, _, _ := strings.Cut(f.Path, "/"); loc.Kind != layout.KindNone && loc.Env != env {
			t.Errorf("layout.Locate(%q): environment %q", f.Path, loc.Env)
		}
	}
	for k := layout.KindNone; k < layout.KindUnknown; k++ {
		if kinds[k] == 0 {
			t.Errorf("no rendered file of kind %s: the inventories no longer cover it", k)
		}
	}
}
