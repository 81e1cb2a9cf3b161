package argocd

import (
	"bytes"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/golden"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/helm"
	"github.com/mattermost/fleetgen/render/internal/cluster"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// helmLab, the helm family's fixture, has every known app, a custom one,
// and a public nginx.
const helmLab = "../helm/testdata/lab"

// render renders env, failing the test on any diagnostic.
func render(t *testing.T, env *inventory.Environment) []layout.File {
	t.Helper()
	files, diags := Render(env)
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	return files
}

// under are the files of files in the folder dir.
func under(files []layout.File, dir string) []layout.File {
	var out []layout.File
	for _, f := range files {
		if strings.HasPrefix(f.Path, dir+"/") {
			out = append(out, f)
		}
	}
	return out
}

// decodeApplication decodes a rendered Application strictly: a field
// Argo CD's Application type does not have fails the test.
func decodeApplication(t *testing.T, f layout.File) argoApplication {
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
	apps := map[string]argoApplication{}
	var kust map[string]any
	for _, f := range under(render(t, env), layout.ArgoCD(env.Name)) {
		rendertest.CheckFileGuarantees(t, f)
		if path.Dir(f.Path) != layout.ArgoCD(env.Name) {
			t.Errorf("%s is in a subfolder of %s", f.Path, layout.ArgoCD(env.Name))
		}
		if path.Base(f.Path) == layout.Kustomization {
			if err := yaml.Unmarshal(f.Data, &kust); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if bytes.Contains(f.Data, []byte("\nkind: Secret\n")) {
			continue // a repository declaration (TestArgoCDOCIRepositories)
		}
		app := decodeApplication(t, f)
		if f.Path != layout.Application(env.Name, app.Metadata.Name) {
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
	return append(rendertest.LoadInventory(t, rendertest.Examples()).Environments, rendertest.LoadEnv(t, helmLab))
}

// TestArgoCDGolden holds argocd/ and k8s/ of the examples to their
// goldens, and argocd/ of the examples hydrated (k8s/ does not change).
func TestArgoCDGolden(t *testing.T) {
	for _, env := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		for _, hydrate := range []bool{false, true} {
			env.GitOps.Hydrate = hydrate
			dir := "testdata/golden"
			files := render(t, env)
			if hydrate {
				dir = "testdata/golden-hydrated"
				files = under(files, layout.ArgoCD(env.Name))
			}
			for _, f := range files {
				golden.Assert(t, filepath.Join(dir, filepath.FromSlash(f.Path)), f.Data)
			}
		}
	}
}

// TestArgoCDFolders: Render writes argocd/, k8s/ and provisioner/ and
// nothing else.
func TestArgoCDFolders(t *testing.T) {
	for _, env := range exampleEnvs(t) {
		files := render(t, env)
		n := len(under(files, layout.ArgoCD(env.Name))) + len(under(files, layout.K8s(env.Name))) + len(under(files, layout.Provisioner(env.Name)))
		if n != len(files) {
			t.Errorf("%s: %d of %d files outside argocd/, k8s/ and provisioner/", env.Name, len(files)-n, len(files))
		}
	}
}

// TestArgoCDApplications checks every Application of the examples, in both
// shapes, against the inventory: one per delivered app plus fleetgen-k8s,
// each listed by the kustomization, delivering the app's pinned chart with
// the values file the helm family renders (or its hydrated manifests) to
// its namespace, with automated, pruning, self-healing sync.
func TestArgoCDApplications(t *testing.T) {
	for _, env := range exampleEnvs(t) {
		valuesFiles := map[string]bool{}
		helmFiles, diags := helm.Render(env)
		if len(diags) > 0 {
			t.Fatal(diags.Error())
		}
		for _, f := range helmFiles {
			valuesFiles[layout.Committed(f.Path)] = true
		}
		for _, hydrate := range []bool{false, true} {
			env.GitOps.Hydrate = hydrate
			apps, kust := renderArgoCD(t, env)
			delivered := env.DeliveredApps()
			var want []string
			for _, a := range delivered {
				want = append(want, a.Name+".yaml")
			}
			want = append(want, cluster.K8sApplication+".yaml")
			extra := 1
			if env.Provisioner != nil {
				want = append(want, inventory.ProvisionerApp+".yaml")
				extra++
			}
			for _, r := range ociRepositories(env) {
				want = append(want, r.Metadata.Name+".yaml")
			}
			if diff := cmp.Diff(want, toStrings(t, kust["resources"])); diff != "" {
				t.Errorf("%s: kustomization resources (-want +got):\n%s", env.Name, diff)
			}
			if len(apps) != len(delivered)+extra {
				t.Errorf("%s: %d Applications, want %d", env.Name, len(apps), len(delivered)+extra)
			}
			if _, ok := apps[cluster.RootApplication]; ok {
				t.Errorf("%s: an Application has the root Application's name", env.Name)
			}
			for name, a := range apps {
				checkApplicationCommon(t, env, a)
				if name == cluster.K8sApplication {
					checkSingleSource(t, env, a, "out/"+env.Name+"/k8s")
					if !a.Spec.SyncPolicy.Automated.AllowEmpty {
						t.Errorf("%s: fleetgen-k8s cannot prune its last object", env.Name)
					}
					continue
				}
				if name == inventory.ProvisionerApp {
					checkSingleSource(t, env, a, "out/"+env.Name+"/provisioner")
					if a.Spec.Destination.Namespace != env.Provisioner.Namespace {
						t.Errorf("%s: provisioner destination %q", env.Name, a.Spec.Destination.Namespace)
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
		t.Errorf("%s: values file %q is not a file the helm family renders under the ref %q", id, chart.Helm.ValueFiles[0], values.Ref)
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
	apps, _ := renderArgoCD(t, rendertest.LoadEnv(t, helmLab))
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
	env := rendertest.LoadEnv(t, helmLab)
	f := under(render(t, env), layout.ArgoCD(env.Name))[0]
	bad := bytes.Replace(f.Data, []byte("  project:"), []byte("  projekt: x\n  project:"), 1)
	dec := yaml.NewDecoder(bytes.NewReader(bad))
	dec.KnownFields(true)
	var app argoApplication
	if err := dec.Decode(&app); err == nil || !strings.Contains(err.Error(), "projekt") {
		t.Fatalf("decoding an Application with an unknown field: %v, want an error naming it", err)
	}
}
