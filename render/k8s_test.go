package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/inventory"
)

// k8sObjects renders env's k8s/ folder and builds it with kustomize.
func k8sObjects(t *testing.T, env *inventory.Environment) []map[string]any {
	t.Helper()
	files, err := K8s(env)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		checkFileGuarantees(t, f)
	}
	return decodeObjects(t, krustyBuild(t, files, env.Name+"/k8s"))
}

// renderedDashboards are the Grafana dashboards out/<env>/k8s delivers, by
// ConfigMap data key, as kustomize builds them.
func renderedDashboards(t *testing.T, env *inventory.Environment) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, o := range k8sObjects(t, env) {
		md := o["metadata"].(map[string]any)
		labels, _ := md["labels"].(map[string]any)
		if o["kind"] != "ConfigMap" || labels[dashboardLabel] != dashboardLabelValue {
			continue
		}
		for k, v := range o["data"].(map[string]any) {
			out[k] = v.(string)
		}
	}
	return out
}

// TestK8sDashboards: with Grafana, k8s/ builds to one ConfigMap per
// dashboard in Grafana's namespace, labelled for the sidecar the grafana
// values turn on, with a stable name, holding the dashboard's JSON.
func TestK8sDashboards(t *testing.T) {
	env := loadEnv(t, helmLab)
	grafana := env.EnabledApp("grafana")
	objs := k8sObjects(t, env)
	if len(objs) != len(dashboards) {
		t.Fatalf("k8s/ builds to %d objects, want one per dashboard (%d)", len(objs), len(dashboards))
	}
	cm := objs[0]
	md := cm["metadata"].(map[string]any)
	if md["name"] != "fleetgen-dashboard-federation" || md["namespace"] != grafana.Namespace {
		t.Errorf("ConfigMap %v/%v, want fleetgen-dashboard-federation (no hash suffix) in %s", md["namespace"], md["name"], grafana.Namespace)
	}
	labels := md["labels"].(map[string]any)
	if labels["grafana_dashboard"] != "1" || labels["app.kubernetes.io/managed-by"] != "fleetgen" {
		t.Errorf("ConfigMap labels %v", labels)
	}
	data := cm["data"].(map[string]any)["federation.json"].(string)
	if data != federationDashboard || !json.Valid([]byte(data)) {
		t.Error("the ConfigMap does not hold the federation dashboard's JSON")
	}
	// The grafana values look for exactly that label.
	sidecar := mustDig(t, helmValues(t, env)["grafana"], "sidecar", "dashboards")
	if got := fmt.Sprint(mustDig(t, sidecar, "label"), "=", mustDig(t, sidecar, "labelValue")); got != "grafana_dashboard=1" {
		t.Errorf("grafana sidecar watches %s", got)
	}
	if _, ok := dig(sidecar, "searchNamespace"); ok {
		t.Error("grafana sidecar searches beyond its own namespace")
	}
}

// TestK8sWithoutGrafana: an environment without Grafana still gets a
// kustomization, which builds to nothing.
func TestK8sWithoutGrafana(t *testing.T) {
	env := loadEnv(t, promLab)
	files, err := K8s(env)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || filepath.Base(files[0].Path) != kustomizationFile {
		t.Fatalf("files %v, want the kustomization alone", files)
	}
	var k map[string]any
	if err := yaml.Unmarshal(files[0].Data, &k); err != nil {
		t.Fatal(err)
	}
	if r, ok := k["resources"].([]any); !ok || len(r) != 0 {
		t.Errorf("resources %v, want []", k["resources"])
	}
	if objs := k8sObjects(t, env); len(objs) != 0 {
		t.Errorf("k8s/ builds to %d objects, want none", len(objs))
	}
}

// TestCentralPrometheusConfigTooLarge renders an environment of so many
// federated clusters that the chart's ConfigMap would pass 1 MiB: render
// fails with a diagnostic at the federation block giving the size.
func TestCentralPrometheusConfigTooLarge(t *testing.T) {
	inv := scaledLab(t, 6000)
	env := loadEnv(t, inv)
	_, err := Helm(env)
	var diag *hcl.Diagnostic
	if !errors.As(err, &diag) {
		t.Fatalf("Helm: %v, want a diagnostic", err)
	}
	if diag.Summary != "Central Prometheus configuration too large" || !strings.Contains(diag.Detail, "1048576 bytes") {
		t.Errorf("diagnostic %q: %s", diag.Summary, diag.Detail)
	}
	if diag.Subject == nil || *diag.Subject != env.Federation.DeclRange || !strings.HasSuffix(diag.Subject.Filename, "environment.hcl") {
		t.Errorf("diagnostic at %v, want the federation block %v", diag.Subject, env.Federation.DeclRange)
	}
	var size int
	if _, err := fmt.Sscanf(diag.Detail[strings.Index(diag.Detail, "is ")+3:], "%d bytes", &size); err != nil || size <= configMapLimit {
		t.Errorf("size %d (%v) in %q", size, err, diag.Detail)
	}
	t.Logf("6,000 clusters: %d bytes", size)
}

// TestCentralPrometheusConfigSize: the size the guard counts grows with
// the clusters, and 2,000 clusters fit.
func TestCentralPrometheusConfigSize(t *testing.T) {
	inv := scaledLab(t, 2000)
	if _, err := Helm(loadEnv(t, inv)); err != nil {
		t.Fatalf("2,000 clusters: %v", err)
	}
}

// scaledLab is a copy of the Prometheus lab with n more workload clusters.
func scaledLab(t *testing.T, n int) string {
	t.Helper()
	inv := copyLab(t)
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "workload_cluster \"scale%05d\" {\n  labels = { tier = \"shared\" }\n}\n", i)
	}
	writeFile(t, filepath.Join(inv, "lab", "scale.hcl"), b.String())
	return inv
}
