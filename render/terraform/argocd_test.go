package terraform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/Masterminds/semver/v3"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// upstreamFile is a file of the upstream data set, ../shared/upstream/
// from the repository root; a missing one fails the test, saying so.
func upstreamFile(t *testing.T, rel string) []byte {
	t.Helper()
	p := filepath.Join(rendertest.Root(), "..", "shared", "upstream", filepath.FromSlash(rel))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("the upstream data set lacks %s (%v): the Argo CD charts cannot be checked without it", rel, err)
	}
	return data
}

// argoHelmIndex is the argo-helm repository's index of the data set: the
// releases of each chart, newest first, as Helm lists them.
func argoHelmIndex(t *testing.T) map[string][]struct{ Version, AppVersion string } {
	t.Helper()
	var index struct {
		Entries map[string][]struct {
			Version    string `yaml:"version"`
			AppVersion string `yaml:"appVersion"`
		} `yaml:"entries"`
	}
	if err := yaml.Unmarshal(upstreamFile(t, "indexes/argoproj.github.io_argo-helm.yaml"), &index); err != nil {
		t.Fatal(err)
	}
	out := map[string][]struct{ Version, AppVersion string }{}
	for chart, entries := range index.Entries {
		for _, e := range entries {
			out[chart] = append(out[chart], struct{ Version, AppVersion string }{e.Version, e.AppVersion})
		}
	}
	return out
}

// TestTerraformArgoCDCharts checks the Argo CD layer 2 installs against
// the argo-helm index of ../shared/upstream/: every rendered argo-cd and
// argocd-apps version exists there; the defaults are the newest releases
// there; the Argo CD each environment gets is of one of the three newest
// minor lines (Argo CD's supported releases) the index holds; and the
// chart's kubeVersion admits the cluster's Kubernetes version. gamma pins
// older releases than the defaults.
func TestTerraformArgoCDCharts(t *testing.T) {
	index := argoHelmIndex(t)
	release := func(chart, version string) (appVersion string) {
		t.Helper()
		entries, ok := index[chart]
		if !ok {
			t.Fatalf("the argo-helm index of the data set has no chart %q", chart)
		}
		for _, e := range entries {
			if e.Version == version {
				return e.AppVersion
			}
		}
		t.Errorf("%s %s is not in the argo-helm index of the data set: Helm could not install it", chart, version)
		return ""
	}
	newest := func(chart string) *semver.Version {
		var top *semver.Version
		for _, e := range index[chart] {
			v := semver.MustParse(e.Version)
			if v.Prerelease() == "" && (top == nil || v.GreaterThan(top)) {
				top = v
			}
		}
		return top
	}
	for chart, def := range map[string]string{inventory.ArgoCDChart: inventory.DefaultArgoCDChartVersion, inventory.ArgoCDAppsChart: inventory.DefaultArgoCDAppsChartVersion} {
		if n := newest(chart); n == nil || n.Original() != def {
			t.Errorf("the default %s is %s; the newest release in the data set is %v", chart, def, n)
		}
	}
	// Argo CD supports its three newest minor releases. The newest Argo CD
	// the data set knows is the newest of the index's charts or of the
	// Argo CD releases it holds CRDs of (v3.5.1, which no chart ships yet).
	newestApp := semver.MustParse(release(inventory.ArgoCDChart, newest(inventory.ArgoCDChart).Original()))
	crds, err := os.ReadDir(filepath.Join(rendertest.Root(), "..", "shared", "upstream", "argo-cd", "crds"))
	if err != nil {
		t.Fatalf("the upstream data set lacks argo-cd/crds: %v", err)
	}
	for _, d := range crds {
		if v, err := semver.NewVersion(d.Name()); err == nil && v.GreaterThan(newestApp) {
			newestApp = v
		}
	}

	var chartMeta struct {
		KubeVersion string `yaml:"kubeVersion"`
	}
	if err := yaml.Unmarshal(upstreamFile(t, "argo-helm/argo-cd/"+inventory.DefaultArgoCDChartVersion+"/Chart.yaml"), &chartMeta); err != nil {
		t.Fatal(err)
	}
	kube, err := semver.NewConstraint(chartMeta.KubeVersion)
	if err != nil {
		t.Fatal(err)
	}

	for _, dir := range tfInventories {
		inv, files := renderTerraform(t, dir)
		layers := layerBodies(t, files)
		for _, env := range inv.Environments {
			bodies := layers[layerDir(env.Name, layout.LayerPost)]
			pinned := map[string]string{inventory.ArgoCDChart: env.GitOps.ArgoCDChartVersion, inventory.ArgoCDAppsChart: env.GitOps.ArgoCDAppsChartVersion}
			for name, chart := range map[string]string{"argocd": inventory.ArgoCDChart, "root_application": inventory.ArgoCDAppsChart} {
				r := blocksOf(bodies, "resource", "helm_release", name)
				if len(r) != 1 {
					t.Fatalf("%s: %d helm_release %s", env.Name, len(r), name)
				}
				if got := attrValue(t, r[0].Body, "chart").AsString(); got != chart {
					t.Errorf("%s: helm_release %s installs %q, want %q", env.Name, name, got, chart)
				}
				if got := attrValue(t, r[0].Body, "repository").AsString(); got != inventory.ArgoCDHelmRepository {
					t.Errorf("%s: helm_release %s from %q", env.Name, name, got)
				}
				version := attrValue(t, r[0].Body, "version").AsString()
				if version != pinned[chart] {
					t.Errorf("%s: helm_release %s installs %s %s, the inventory pins %s", env.Name, name, chart, version, pinned[chart])
				}
				app := release(chart, version)
				if chart != inventory.ArgoCDChart || app == "" {
					continue
				}
				v := semver.MustParse(app)
				if v.Major() != newestApp.Major() || v.Minor()+2 < newestApp.Minor() {
					t.Errorf("%s: argo-cd %s deploys Argo CD %s, older than the three newest lines (newest %s)", env.Name, version, app, newestApp)
				}
				if version == inventory.DefaultArgoCDChartVersion {
					k := semver.MustParse(env.Cluster.KubernetesVersion + ".0")
					if !kube.Check(k) {
						t.Errorf("%s: argo-cd %s needs Kubernetes %s, the cluster runs %s", env.Name, version, chartMeta.KubeVersion, env.Cluster.KubernetesVersion)
					}
				}
			}
		}
	}
}
