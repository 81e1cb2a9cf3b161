package argocd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/helm"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// k8sFiles renders env's k8s/ folder.
func k8sFiles(t *testing.T, env *inventory.Environment) []layout.File {
	t.Helper()
	files := under(render(t, env), layout.K8s(env.Name))
	for _, f := range files {
		rendertest.CheckFileGuarantees(t, f)
	}
	return files
}

// k8sObjects renders env's k8s/ folder and builds it with kustomize's
// library, as Argo CD does.
func k8sObjects(t *testing.T, env *inventory.Environment) []map[string]any {
	t.Helper()
	dir := layout.K8s(env.Name)
	stream, err := rendertest.KustomizeBuild(t, k8sFiles(t, env), dir).AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(stream))
	var objs []map[string]any
	for {
		var o map[string]any
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			return objs
		} else if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
}

// TestK8sDashboards: with Grafana, k8s/ builds to one ConfigMap per
// dashboard in Grafana's namespace, labelled for the sidecar the grafana
// values turn on, with a stable name, holding the dashboard's JSON.
func TestK8sDashboards(t *testing.T) {
	env := rendertest.LoadEnv(t, helmLab)
	grafana := env.EnabledApp("grafana")
	var objs []map[string]any
	for _, o := range k8sObjects(t, env) {
		if o["kind"] == "ConfigMap" {
			objs = append(objs, o)
		}
	}
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
	values, diags := helm.Values(env)
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	var grafanaValues map[string]any
	if err := yaml.Unmarshal(values[grafana], &grafanaValues); err != nil {
		t.Fatal(err)
	}
	sidecar := mustDig(t, grafanaValues, "sidecar", "dashboards")
	if got := fmt.Sprint(mustDig(t, sidecar, "label"), "=", mustDig(t, sidecar, "labelValue")); got != "grafana_dashboard=1" {
		t.Errorf("grafana sidecar watches %s", got)
	}
	if _, ok := sidecar.(map[string]any)["searchNamespace"]; ok {
		t.Error("grafana sidecar searches beyond its own namespace")
	}
}

// mustDig returns the value at a path of keys of nested maps.
func mustDig(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no %s in %v", strings.Join(keys, "."), v)
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("no %s in %v", strings.Join(keys, "."), m)
		}
	}
	return v
}

// TestK8sWithoutGrafana: an environment without Grafana still gets a
// kustomization, which builds to nothing.
func TestK8sWithoutGrafana(t *testing.T) {
	var env *inventory.Environment
	for _, e := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		if e.EnabledApp("grafana") == nil {
			env = e
		}
	}
	if env == nil {
		t.Fatal("every example environment has Grafana")
	}
	files := k8sFiles(t, env)
	if len(files) != 1 || path.Base(files[0].Path) != layout.Kustomization {
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

// TestK8sECKIngresses: an ECK app with a host gets its Ingress in k8s/,
// not from its chart: the app's class, its host under TLS with no
// secretName (the controller's declared certificate), HTTPS to ECK's
// service on its port, and the annotations the inventory gives the
// app's ingress (a public Kibana's authentication).
func TestK8sECKIngresses(t *testing.T) {
	env := rendertest.LoadEnv(t, helmLab)
	kibana := env.EnabledApp("kibana")
	kibana.Values = cty.ObjectVal(map[string]cty.Value{"ingress": cty.ObjectVal(map[string]cty.Value{
		"annotations": cty.MapVal(map[string]cty.Value{"nginx.org/basic-auth-secret": cty.StringVal("kibana-auth")}),
	})})
	got := map[string]map[string]any{}
	for _, o := range k8sObjects(t, env) {
		if o["kind"] == "Ingress" {
			got[o["metadata"].(map[string]any)["name"].(string)] = o
		}
	}
	for _, c := range []struct {
		app, service string
		port         int
		annotations  map[string]any
	}{
		{"kibana", "mattermost-cm-kibana-kb-http", 5601, map[string]any{"nginx.org/ssl-services": "mattermost-cm-kibana-kb-http", "nginx.org/basic-auth-secret": "kibana-auth"}},
		{"elasticsearch", "mattermost-cm-elasticsearch-es-http", 9200, map[string]any{"nginx.org/ssl-services": "mattermost-cm-elasticsearch-es-http"}},
	} {
		app := env.EnabledApp(c.app)
		ing, ok := got[app.Release]
		if !ok {
			t.Errorf("no Ingress %s in k8s/: %v", app.Release, got)
			continue
		}
		host := env.HostName(app)
		md := ing["metadata"].(map[string]any)
		if md["namespace"] != app.Namespace {
			t.Errorf("%s: namespace %v", c.app, md["namespace"])
		}
		if diff := cmp.Diff(c.annotations, md["annotations"]); diff != "" {
			t.Errorf("%s: annotations (-want +got):\n%s", c.app, diff)
		}
		spec := ing["spec"].(map[string]any)
		wantSpec := map[string]any{
			"ingressClassName": app.IngressApp(),
			"tls":              []any{map[string]any{"hosts": []any{host}}},
			"rules": []any{map[string]any{"host": host, "http": map[string]any{"paths": []any{map[string]any{
				"path": "/", "pathType": "Prefix",
				"backend": map[string]any{"service": map[string]any{"name": c.service, "port": map[string]any{"number": c.port}}},
			}}}}},
		}
		if diff := cmp.Diff(wantSpec, spec); diff != "" {
			t.Errorf("%s: spec (-want +got):\n%s", c.app, diff)
		}
	}
}
