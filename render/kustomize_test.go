package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/krusty"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// krustyBuild builds the kustomization in dir (relative to out/) from
// files with kustomize's library and returns its YAML stream.
func krustyBuild(t testing.TB, files []layout.File, dir string) []byte {
	t.Helper()
	fs, err := kustomizeFS(files, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, "/"+dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	out, err := m.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// decodeObjects decodes a YAML stream of Kubernetes objects.
func decodeObjects(t testing.TB, stream []byte) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(stream))
	var objs []map[string]any
	for {
		var o map[string]any
		if err := dec.Decode(&o); err != nil {
			if errors.Is(err, io.EOF) {
				return objs
			}
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
}

// renderExamples renders the repository's example inventory, with the
// committed chart cache its hydrated environment needs.
func renderExamples(t *testing.T) []layout.File {
	t.Helper()
	return mustRender(t, rendertest.LoadInventory(t, rendertest.Examples()))
}

// TestBuildKustomizationsExamples: every kustomization of the examples
// builds, and argocd/ builds to exactly its Applications and repository
// declarations.
func TestBuildKustomizationsExamples(t *testing.T) {
	files := renderExamples(t)
	if err := BuildKustomizations(files); err != nil {
		t.Fatal(err)
	}
	var kustomizations int
	for _, f := range files {
		if path.Base(f.Path) == layout.Kustomization {
			kustomizations++
		}
	}
	if kustomizations != 10 { // argocd/ and k8s/ of dev, prod and sandbox, provisioner/ of dev and prod, sandbox's manifests/hello/, prod's k8s/registration/
		t.Errorf("%d kustomizations, want 10", kustomizations)
	}
	for _, env := range []string{"dev", "prod", "sandbox"} {
		objs := decodeObjects(t, krustyBuild(t, files, env+"/argocd"))
		var apps int
		for _, f := range files {
			if path.Dir(f.Path) == env+"/argocd" && path.Base(f.Path) != layout.Kustomization {
				apps++
			}
		}
		if len(objs) != apps {
			t.Errorf("%s/argocd builds to %d objects, want its %d Applications", env, len(objs), apps)
		}
		for _, o := range objs {
			// Applications, and the declarations of the OCI chart
			// repositories they pull from.
			if o["kind"] != "Application" && o["kind"] != "Secret" {
				t.Errorf("%s/argocd builds a %v", env, o["kind"])
			}
		}
	}
}

// TestBuildKustomizationsFails: a kustomization kustomize cannot build is
// an error that names it and carries kustomize's message.
func TestBuildKustomizationsFails(t *testing.T) {
	files := renderExamples(t)
	for i, f := range files {
		if f.Path == "prod/k8s/kustomization.yaml" {
			files[i].Data = append(bytes.Clone(f.Data), []byte("resources:\n  - missing.yaml\n")...)
			files[i].Data = bytes.Replace(files[i].Data, []byte("resources: []\n"), nil, 1)
		}
	}
	err := BuildKustomizations(files)
	var kerr *KustomizeError
	if !errors.As(err, &kerr) || kerr.Path != "prod/k8s/kustomization.yaml" || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("got %v, want a KustomizeError for prod/k8s/kustomization.yaml naming missing.yaml", err)
	}
}

// TestKustomizeBuildReal builds every kustomization of the examples
// (argocd/, k8s/ and the hydrated manifests/<app>/) with the
// real kustomize program from the rendered tree on disk: it must succeed
// and give the same objects as the library fleetgen builds with.
func TestKustomizeBuildReal(t *testing.T) {
	kustomize := tooltest.Look(t, "kustomize")
	files := renderExamples(t)
	root := t.TempDir()
	writeTree(t, root, files)
	var dirs []string
	for _, f := range files {
		if path.Base(f.Path) == layout.Kustomization {
			dirs = append(dirs, path.Dir(f.Path))
		}
	}
	for _, want := range []string{"dev/argocd", "prod/k8s", "sandbox/argocd", "sandbox/k8s", "sandbox/manifests/hello"} {
		if !slices.Contains(dirs, want) {
			t.Fatalf("the examples have no kustomization in %s: %v", want, dirs)
		}
	}
	for _, dir := range dirs {
		out, err := exec.Command(kustomize, "build", filepath.Join(root, dir)).Output()
		if err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				t.Fatalf("kustomize build out/%s: %v\n%s", dir, err, exit.Stderr)
			}
			t.Fatal(err)
		}
		// kustomize's command sorts objects (--reorder legacy); the
		// library keeps the kustomization's order.
		byName := cmpopts.SortSlices(func(a, b map[string]any) bool { return objectName(a) < objectName(b) })
		if diff := cmp.Diff(decodeObjects(t, krustyBuild(t, files, dir)), decodeObjects(t, out), byName); diff != "" {
			t.Errorf("kustomize build out/%s differs from krusty's (-krusty +kustomize):\n%s", dir, diff)
		}
		if len(bytes.TrimSpace(out)) == 0 && dir != "sandbox/k8s" {
			t.Errorf("kustomize build out/%s is empty", dir)
		}
	}
}

// writeTree writes rendered files under root, as render does under out/.
func writeTree(t *testing.T, root string, files []layout.File) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// objectName is an object's kind, namespace and name.
func objectName(o map[string]any) string {
	md, _ := o["metadata"].(map[string]any)
	return fmt.Sprintf("%v/%v/%v", o["kind"], md["namespace"], md["name"])
}

// BenchmarkBuildKustomizations builds every kustomization of the examples.
func BenchmarkBuildKustomizations(b *testing.B) {
	files := mustRender(b, rendertest.LoadInventory(b, rendertest.Examples()))
	b.ResetTimer()
	for b.Loop() {
		if err := BuildKustomizations(files); err != nil {
			b.Fatal(err)
		}
	}
}
