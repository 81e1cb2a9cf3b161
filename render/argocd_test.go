package render

import (
	"bytes"
	"errors"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/golden"
	"github.com/mattermost/fleetgen/inventory"
)

// decodeApplication decodes a rendered Application strictly: a field
// Argo CD's Application type does not have fails the test.
func decodeApplication(t *testing.T, f File) argoApplication {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	dec.KnownFields(true)
	var app argoApplication
	if err := dec.Decode(&app); err != nil {
		t.Fatalf("%s does not decode strictly as an Argo CD Application: %v", f.Path, err)
	}
	return app
}

// renderArgoCD renders env's argocd/ folder and returns its Applications
// by name and its kustomization.
func renderArgoCD(t *testing.T, env *inventory.Environment) (map[string]argoApplication, map[string]any) {
	t.Helper()
	files, err := ArgoCD(env)
	if err != nil {
		t.Fatal(err)
	}
	apps := map[string]argoApplication{}
	var kust map[string]any
	for _, f := range files {
		checkFileGuarantees(t, f)
		if path.Dir(f.Path) != path.Join(env.Name, "argocd") {
			t.Errorf("%s is outside %s/argocd", f.Path, env.Name)
		}
		if path.Base(f.Path) == kustomizationFile {
			if err := yaml.Unmarshal(f.Data, &kust); err != nil {
				t.Fatal(err)
			}
			continue
		}
		app := decodeApplication(t, f)
		if path.Base(f.Path) != app.Metadata.Name+".yaml" {
			t.Errorf("%s holds the Application %q", f.Path, app.Metadata.Name)
		}
		apps[app.Metadata.Name] = app
	}
	return apps, kust
}

// exampleEnvs are the repository's example environments, plus the helm
// lab (every known app, a custom one, a public nginx).
func exampleEnvs(t *testing.T) []*inventory.Environment {
	t.Helper()
	return append(loadInventory(t, "../environments").Environments, loadEnv(t, helmLab))
}

func TestArgoCDGolden(t *testing.T) {
	for _, env := range loadInventory(t, "../environments").Environments {
		for _, hydrate := range []bool{false, true} {
			env.GitOps.Hydrate = hydrate
			dir := "testdata/argocd/golden"
			if hydrate {
				dir = "testdata/argocd/golden-hydrated"
			}
			files, err := ArgoCD(env)
			if err != nil {
				t.Fatal(err)
			}
			if !hydrate {
				k8s, err := K8s(env)
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, k8s...)
			}
			for _, f := range files {
				golden.Assert(t, filepath.Join(dir, filepath.FromSlash(f.Path)), f.Data)
			}
		}
	}
}

// TestArgoCDApplications checks every Application of the examples, in both
// shapes, against the inventory: one per delivered app plus fleetgen-k8s,
// each listed by the kustomization, delivering the app's pinned chart with
// the values file Helm renders (or its hydrated manifests) to its
// namespace, with automated, pruning, self-healing sync.
func TestArgoCDApplications(t *testing.T) {
	for _, env := range exampleEnvs(t) {
		valuesFiles := map[string]bool{}
		helmFiles, err := Helm(env)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range helmFiles {
			valuesFiles[path.Join("out", f.Path)] = true
		}
		for _, hydrate := range []bool{false, true} {
			env.GitOps.Hydrate = hydrate
			apps, kust := renderArgoCD(t, env)
			delivered := DeliveredApps(env)
			var want []string
			for _, a := range delivered {
				want = append(want, a.Name+".yaml")
			}
			want = append(want, k8sAppName+".yaml")
			if diff := cmp.Diff(want, toStrings(t, kust["resources"])); diff != "" {
				t.Errorf("%s: kustomization resources (-want +got):\n%s", env.Name, diff)
			}
			if len(apps) != len(delivered)+1 {
				t.Errorf("%s: %d Applications, want %d", env.Name, len(apps), len(delivered)+1)
			}
			if _, ok := apps[rootAppName]; ok {
				t.Errorf("%s: an Application has the root Application's name", env.Name)
			}
			for name, a := range apps {
				checkApplicationCommon(t, env, a)
				if name == k8sAppName {
					checkSingleSource(t, env, a, K8sPath(env))
					if !a.Spec.SyncPolicy.Automated.AllowEmpty {
						t.Errorf("%s: fleetgen-k8s cannot prune its last object", env.Name)
					}
					continue
				}
				app := env.EnabledApp(name)
				if app == nil {
					t.Fatalf("%s: Application %q for no enabled app", env.Name, name)
				}
				if a.Spec.Destination.Namespace != app.Namespace {
					t.Errorf("%s/%s: destination namespace %q, want %q", env.Name, name, a.Spec.Destination.Namespace, app.Namespace)
				}
				if hydrate {
					checkSingleSource(t, env, a, path.Join("out", env.Name, "manifests", name))
					continue
				}
				checkChartSources(t, env, app, a, valuesFiles)
			}
		}
	}
}

func checkApplicationCommon(t *testing.T, env *inventory.Environment, a argoApplication) {
	t.Helper()
	id := env.Name + "/" + a.Metadata.Name
	if a.APIVersion != "argoproj.io/v1alpha1" || a.Kind != "Application" {
		t.Errorf("%s: %s %s", id, a.APIVersion, a.Kind)
	}
	if a.Metadata.Namespace != env.GitOps.ArgoCDNamespace || a.Spec.Project != env.GitOps.Project {
		t.Errorf("%s: namespace %q project %q, want %q %q", id, a.Metadata.Namespace, a.Spec.Project, env.GitOps.ArgoCDNamespace, env.GitOps.Project)
	}
	if !slices.Equal(a.Metadata.Finalizers, []string{"resources-finalizer.argocd.argoproj.io"}) {
		t.Errorf("%s: finalizers %v", id, a.Metadata.Finalizers)
	}
	if a.Spec.Destination.Server != "https://kubernetes.default.svc" || a.Spec.Destination.Name != "" {
		t.Errorf("%s: destination %+v, want the in-cluster API", id, a.Spec.Destination)
	}
	sp := a.Spec.SyncPolicy
	if sp == nil || sp.Automated == nil || !sp.Automated.Prune || !sp.Automated.SelfHeal {
		t.Fatalf("%s: sync policy %+v, want automated with prune and self-heal", id, sp)
	}
	if !slices.Contains(sp.SyncOptions, "CreateNamespace=true") || !slices.Contains(sp.SyncOptions, "ServerSideApply=true") {
		t.Errorf("%s: sync options %v", id, sp.SyncOptions)
	}
}

func checkSingleSource(t *testing.T, env *inventory.Environment, a argoApplication, wantPath string) {
	t.Helper()
	g := env.GitOps
	want := &argoApplicationSource{RepoURL: g.RepoURL, Path: wantPath, TargetRevision: g.Revision}
	if diff := cmp.Diff(want, a.Spec.Source); diff != "" || a.Spec.Sources != nil {
		t.Errorf("%s/%s: source (-want +got):\n%s(sources %v)", env.Name, a.Metadata.Name, diff, a.Spec.Sources)
	}
}

func checkChartSources(t *testing.T, env *inventory.Environment, app *inventory.App, a argoApplication, valuesFiles map[string]bool) {
	t.Helper()
	id := env.Name + "/" + app.Name
	if a.Spec.Source != nil || len(a.Spec.Sources) != 2 {
		t.Fatalf("%s: want two sources, got source %v sources %v", id, a.Spec.Source, a.Spec.Sources)
	}
	chart, values := a.Spec.Sources[0], a.Spec.Sources[1]
	if chart.Chart != app.Chart || chart.TargetRevision != app.Version || chart.Path != "" || chart.Ref != "" {
		t.Errorf("%s: chart source %+v, want chart %q at %q", id, chart, app.Chart, app.Version)
	}
	wantRepo := app.Repository
	if oci, ok := strings.CutPrefix(wantRepo, "oci://"); ok {
		wantRepo = oci
	}
	if chart.RepoURL != wantRepo {
		t.Errorf("%s: repoURL %q for the repository %q", id, chart.RepoURL, app.Repository)
	}
	if chart.Helm == nil || chart.Helm.ReleaseName != app.Release || len(chart.Helm.ValueFiles) != 1 {
		t.Fatalf("%s: helm %+v, want release %q and one values file", id, chart.Helm, app.Release)
	}
	vf, ok := strings.CutPrefix(chart.Helm.ValueFiles[0], "$"+values.Ref+"/")
	if !ok || !valuesFiles[vf] {
		t.Errorf("%s: values file %q is not a file Helm renders under the ref %q", id, chart.Helm.ValueFiles[0], values.Ref)
	}
	want := argoApplicationSource{RepoURL: env.GitOps.RepoURL, TargetRevision: env.GitOps.Revision, Ref: "values"}
	if diff := cmp.Diff(want, values); diff != "" {
		t.Errorf("%s: values source (-want +got):\n%s", id, diff)
	}
}

func toStrings(t *testing.T, v any) []string {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("%v is not a list", v)
	}
	var out []string
	for _, e := range list {
		out = append(out, e.(string))
	}
	return out
}

// TestArgoCDChartRepoURL: an OCI repository loses its scheme (Argo CD
// treats a scheme-less repoURL as an OCI registry), an HTTPS one is kept.
func TestArgoCDChartRepoURL(t *testing.T) {
	apps, _ := renderArgoCD(t, loadEnv(t, helmLab))
	for name, want := range map[string]string{
		"nginx":      "ghcr.io/nginx/charts",
		"prometheus": "https://prometheus-community.github.io/helm-charts",
		"loki":       "https://grafana.github.io/helm-charts",
	} {
		if got := apps[name].Spec.Sources[0].RepoURL; got != want {
			t.Errorf("%s: repoURL %q, want %q", name, got, want)
		}
	}
}

// TestArgoCDStrictDecodeCatchesUnknownFields proves the strict decode the
// other tests rely on: a field Argo CD does not have is an error.
func TestArgoCDStrictDecodeCatchesUnknownFields(t *testing.T) {
	files, err := ArgoCD(loadEnv(t, helmLab))
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(files[0].Data, []byte("  project:"), []byte("  projekt: x\n  project:"), 1)
	dec := yaml.NewDecoder(bytes.NewReader(bad))
	dec.KnownFields(true)
	var app argoApplication
	if err := dec.Decode(&app); err == nil || !strings.Contains(err.Error(), "projekt") {
		t.Fatalf("decoding an Application with an unknown field: %v, want an error naming it", err)
	}
}

// TestArgoCDReservedAppName: an app may not take the name of an
// Application fleetgen makes itself.
func TestArgoCDReservedAppName(t *testing.T) {
	for _, name := range []string{"root", "fleetgen-k8s"} {
		env := loadEnv(t, helmLab)
		env.Apps[len(env.Apps)-1].Name = name
		_, err := ArgoCD(env)
		var diag *hcl.Diagnostic
		if !errors.As(err, &diag) || diag.Summary != "Reserved app name" || diag.Subject == nil {
			t.Errorf("app %q: %v, want a Reserved app name diagnostic at the app", name, err)
		}
	}
}

// TestArgoCDRootApplication checks the root Application Terraform layer 2
// creates against what ArgoCD renders: it syncs the folder the
// kustomization is in, from this repository, into Argo CD's namespace.
func TestArgoCDRootApplication(t *testing.T) {
	for _, env := range exampleEnvs(t) {
		root := rootApplicationValues(env).GetAttr("applications").GetAttr(rootAppName)
		src := root.GetAttr("source")
		files, err := ArgoCD(env)
		if err != nil {
			t.Fatal(err)
		}
		kust := path.Join("out", files[len(files)-1].Path)
		if got := path.Join(src.GetAttr("path").AsString(), kustomizationFile); got != kust {
			t.Errorf("%s: root Application syncs %s, the kustomization is %s", env.Name, got, kust)
		}
		if src.GetAttr("repoURL").AsString() != env.GitOps.RepoURL || src.GetAttr("targetRevision").AsString() != env.GitOps.Revision {
			t.Errorf("%s: root Application source %#v", env.Name, src)
		}
		if root.GetAttr("namespace").AsString() != env.GitOps.ArgoCDNamespace {
			t.Errorf("%s: root Application in %s", env.Name, root.GetAttr("namespace").AsString())
		}
	}
}
