package registration_test

import (
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/argocd"
	"github.com/mattermost/fleetgen/render/layout"
)

// argocdK8s is the argocd family's k8s/ kustomization, which must list
// the registration folder.
func argocdK8s(t *testing.T, env *inventory.Environment) []layout.File {
	t.Helper()
	files, diags := argocd.Render(env)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var out []layout.File
	for _, f := range files {
		if strings.HasPrefix(f.Path, layout.K8s(env.Name)+"/") {
			out = append(out, f)
		}
	}
	return out
}
