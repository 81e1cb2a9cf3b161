package rendertest

import (
	"path"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/mattermost/fleetgen/render/layout"
)

// KustomizeBuild builds the kustomization in dir (relative to out/) with
// kustomize's library, as Argo CD does, from an in-memory copy of the
// files under dir, and fails the test when it does not build.
func KustomizeBuild(t testing.TB, files []layout.File, dir string) resmap.ResMap {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	for _, f := range files {
		if !strings.HasPrefix(f.Path, dir+"/") {
			continue
		}
		if err := fs.MkdirAll(path.Dir("/" + f.Path)); err != nil {
			t.Fatal(err)
		}
		if err := fs.WriteFile("/"+f.Path, f.Data); err != nil {
			t.Fatal(err)
		}
	}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, "/"+dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	return m
}
