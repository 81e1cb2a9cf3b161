package helm

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/golden"
	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/emit"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/prometheus"
)

// helmLab has every known app, a custom one, and overrides.
const helmLab = "testdata/lab"

// promLab, the prometheus family's fixture, has every kind of federation
// target.
const promLab = "../prometheus/testdata/lab"

// render renders env's values files, failing the test on any diagnostic.
func render(t testing.TB, env *inventory.Environment) []layout.File {
	t.Helper()
	files, diags := Render(env)
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	return files
}

// helmValues renders env's values files and decodes them by app name.
func helmValues(t *testing.T, env *inventory.Environment) map[string]map[string]any {
	t.Helper()
	files := render(t, env)
	out := map[string]map[string]any{}
	for _, f := range files {
		var v map[string]any
		if err := yaml.Unmarshal(f.Data, &v); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		out[strings.TrimSuffix(filepath.Base(f.Path), ".values.yaml")] = v
	}
	return out
}

// dig returns the value at a path of keys, and whether it exists.
func dig(v any, keys ...string) (any, bool) {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func mustDig(t *testing.T, v any, keys ...string) any {
	t.Helper()
	got, ok := dig(v, keys...)
	if !ok {
		t.Fatalf("no %s in %v", strings.Join(keys, "."), v)
	}
	return got
}

func TestHelmGolden(t *testing.T) {
	env := rendertest.LoadEnv(t, helmLab)
	var names []string
	for _, f := range render(t, env) {
		rendertest.CheckFileGuarantees(t, f)
		if f.Path != layout.HelmValues(env.Name, strings.TrimSuffix(filepath.Base(f.Path), ".values.yaml")) {
			t.Errorf("%s is not where layout puts a values file", f.Path)
		}
		names = append(names, filepath.Base(f.Path))
		golden.Assert(t, filepath.Join("testdata/golden", filepath.FromSlash(f.Path)), f.Data)
	}
	want := []string{"eck-operator", "elasticsearch", "fluent-bit", "fluentd", "grafana", "kibana", "loki", "nginx", "nginx-internal", "prometheus", "prometheus-client"}
	for i := range want {
		want[i] += ".values.yaml"
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("values files (-want +got):\n%s", diff)
	}
}

// TestHelmOverrides checks Helm's -f semantics on the lab's overrides.
func TestHelmOverrides(t *testing.T) {
	v := helmValues(t, rendertest.LoadEnv(t, helmLab))
	g := v["grafana"]
	// null removes a generated key.
	if _, ok := dig(g, "sidecar", "dashboards", "provider"); ok {
		t.Error("grafana: sidecar.dashboards.provider = null did not remove the generated provider")
	}
	// A nested map is merged: the generated keys stay beside the user's.
	if got := mustDig(t, g, "ingress", "enabled"); got != true {
		t.Errorf("grafana: ingress.enabled = %v, want the generated true kept", got)
	}
	if got := mustDig(t, g, "ingress", "ingressClassName"); got != "nginx" {
		t.Errorf("grafana: ingress.ingressClassName = %v, want the public class", got)
	}
	if got := mustDig(t, g, "ingress", "annotations", "nginx.org/basic-auth-secret"); got != "grafana-basic-auth" {
		t.Errorf("grafana: the user's annotation is missing: %v", got)
	}
	// A list is replaced, not appended to.
	if diff := cmp.Diff([]any{"dashboards.lab.example.com"}, mustDig(t, g, "ingress", "hosts")); diff != "" {
		t.Errorf("grafana: ingress.hosts (-want +got):\n%s", diff)
	}
	// The generated sibling of a removed key is untouched.
	if got, _ := dig(g, "sidecar", "dashboards", "enabled"); got != true {
		t.Errorf("grafana: sidecar.dashboards.enabled = %v, want the generated true kept", got)
	}
	// Numbers keep their type: 2 stays an integer, 0.5 a float.
	if got := mustDig(t, g, "replicas"); got != 2 {
		t.Errorf("grafana: replicas = %#v, want the integer 2", got)
	}
	if got := mustDig(t, v["loki"], "ratio"); got != 0.5 {
		t.Errorf("loki: ratio = %#v, want 0.5", got)
	}
	// A null for a key fleetgen does not generate stays, so Helm removes
	// the chart's own default in turn.
	if got, ok := dig(g, "testFramework"); !ok || got != nil {
		t.Errorf("grafana: testFramework = %v (present %v), want null kept", got, ok)
	}
	// A null removes a generated subchart switch of the central Prometheus.
	p := v["prometheus"]
	if _, ok := dig(p, "kube-state-metrics"); ok {
		t.Error("prometheus: kube-state-metrics = null did not remove the generated key")
	}
	if got := mustDig(t, p, "server", "retention"); got != "30d" {
		t.Errorf("prometheus: server.retention = %v", got)
	}
	if _, ok := dig(p, "server", "global", "external_labels", "environment"); !ok {
		t.Error("prometheus: merging server replaced the generated server.global")
	}
	if got := mustDig(t, p, "server", "ingress", "annotations", "nginx.org/client-max-body-size"); got != "1m" {
		t.Errorf("prometheus: ingress annotation = %v", got)
	}
	if _, ok := dig(p, "server", "ingress", "hosts"); !ok {
		t.Error("prometheus: merging server.ingress lost the generated hosts")
	}
}

// TestHelmCentralPrometheusIsPrometheusYML checks that the central chart's
// server config is the configuration of prometheus/prometheus.yml: the
// same global section and scrape jobs, only the rules' path differs.
func TestHelmCentralPrometheusIsPrometheusYML(t *testing.T) {
	for _, dir := range []string{helmLab, promLab} {
		env := rendertest.LoadEnv(t, dir)
		promFiles, diags := prometheus.Render(env)
		if len(diags) > 0 {
			t.Fatal(diags.Error())
		}
		var file map[string]any
		if err := yaml.Unmarshal(rendertest.FileData(t, promFiles, layout.PrometheusConfig(env.Name)), &file); err != nil {
			t.Fatal(err)
		}
		p := helmValues(t, env)["prometheus"]
		chart := mustDig(t, p, "serverFiles", "prometheus.yml").(map[string]any)
		if diff := cmp.Diff(file["global"], mustDig(t, p, "server", "global")); diff != "" {
			t.Errorf("%s: server.global differs from prometheus.yml's global (-file +chart):\n%s", dir, diff)
		}
		if diff := cmp.Diff(file["scrape_configs"], chart["scrape_configs"]); diff != "" {
			t.Errorf("%s: the chart's scrape_configs differ from prometheus.yml's (-file +chart):\n%s", dir, diff)
		}
		if diff := cmp.Diff([]any{chartRulesFile}, chart["rule_files"]); diff != "" {
			t.Errorf("%s: rule_files (-want +got):\n%s", dir, diff)
		}
		if _, ok := chart["global"]; ok {
			t.Errorf("%s: serverFiles prometheus.yml has its own global; the chart writes server.global there", dir)
		}
	}
}

// TestHelmChartConfigPromtool rebuilds the prometheus.yml and rules the
// central chart mounts from its values, as its ConfigMap template does,
// and has promtool check them.
func TestHelmChartConfigPromtool(t *testing.T) {
	promtool := tooltest.Look(t, "promtool")
	p := helmValues(t, rendertest.LoadEnv(t, helmLab))["prometheus"]
	dir := t.TempDir()
	rules, err := yaml.Marshal(mustDig(t, p, "serverFiles", "alerting_rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(dir, "alerting_rules.yml")
	rendertest.WriteFile(t, rulesPath, string(rules))
	config := map[string]any{"global": mustDig(t, p, "server", "global")}
	for k, v := range mustDig(t, p, "serverFiles", "prometheus.yml").(map[string]any) {
		config[k] = v
	}
	config["rule_files"] = []any{rulesPath} // /etc/config in the pod
	data, err := yaml.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	configPath := filepath.Join(dir, "prometheus.yml")
	rendertest.WriteFile(t, configPath, string(data))
	out := rendertest.RunTool(t, promtool, "check", "config", configPath)
	if !strings.Contains(out, "SUCCESS: 1 rule files found") {
		t.Errorf("promtool did not load the rules:\n%s", out)
	}
}

func TestHelmIngress(t *testing.T) {
	v := helmValues(t, rendertest.LoadEnv(t, helmLab))
	for _, c := range []struct {
		app  string
		path []string
		want any
	}{
		{"prometheus", []string{"server", "ingress", "ingressClassName"}, "nginx-internal"},
		{"prometheus", []string{"server", "ingress", "hosts"}, []any{"prometheus.internal.lab.example.com"}},
		{"kibana", []string{"elasticsearchRef", "name"}, "mattermost-cm-elasticsearch"},
		{"kibana", []string{"config", "server", "publicBaseUrl"}, "https://kibana.internal.lab.example.com"},
		{"nginx-internal", []string{"controller", "ingressClass", "name"}, "nginx-internal"},
		{"nginx-internal", []string{"controller", "service", "annotations", awsLBScheme}, "internal"},
		{"nginx-internal", []string{"controller", "service", "annotations", awsLBInternal}, "true"},
		{"nginx", []string{"controller", "ingressClass", "name"}, "nginx"},
		{"nginx", []string{"controller", "service", "annotations", awsLBScheme}, "internet-facing"},
		{"nginx", []string{"controller", "replicaCount"}, 2},
		{"grafana", []string{"datasources", "datasources.yaml", "datasources"}, []any{map[string]any{
			"name": "Prometheus", "uid": "prometheus", "type": "prometheus", "access": "proxy", "isDefault": true,
			"url": "http://mattermost-cm-prometheus-server.monitoring.svc:80"}}},
		{"fluentd", []string{"volumes"}, []any{map[string]any{"name": "elasticsearch-ca", "secret": map[string]any{"secretName": "mattermost-cm-elasticsearch-es-http-certs-public"}}}},
	} {
		if diff := cmp.Diff(c.want, mustDig(t, v[c.app], c.path...)); diff != "" {
			t.Errorf("%s: %s (-want +got):\n%s", c.app, strings.Join(c.path, "."), diff)
		}
	}
	if _, ok := dig(v["nginx"], "controller", "service", "annotations", awsLBInternal); ok {
		t.Error("the public ingress controller is marked internal")
	}
	// The ECK charts' Ingress would present ECK's own certificate Secret;
	// fleetgen renders those Ingresses in k8s/ instead (render/argocd).
	for _, app := range []string{"kibana", "elasticsearch"} {
		if _, ok := dig(v[app], "ingress"); ok {
			t.Errorf("%s: the ECK chart's ingress is configured", app)
		}
	}
}

// TestHelmIngressTLS: every ingress fleetgen generates puts its host under
// TLS, in the shape its chart reads (a list of {hosts, secretName} for the
// prometheus and grafana charts; the ECK apps' are in k8s/), so no app,
// least of all a public one behind basic authentication, is served in
// clear text.
func TestHelmIngressTLS(t *testing.T) {
	v := helmValues(t, rendertest.LoadEnv(t, helmLab))
	for _, c := range []struct {
		app     string
		ingress []string
		want    any
	}{
		{"prometheus", []string{"server", "ingress"}, []any{map[string]any{"hosts": []any{"prometheus.internal.lab.example.com"}}}},
		// The lab replaces grafana's ingress.hosts, not its tls: lists are
		// replaced whole, so the generated TLS host stays.
		{"grafana", []string{"ingress"}, []any{map[string]any{"hosts": []any{"grafana.lab.example.com"}}}},
	} {
		got := mustDig(t, v[c.app], append(c.ingress, "tls")...)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: %s.tls (-want +got):\n%s", c.app, strings.Join(c.ingress, "."), diff)
		}
	}
}

// TestHelmPublicIngressOnlyWithPublicApps: no internet-facing load balancer
// when nothing is public.
func TestHelmPublicIngressOnlyWithPublicApps(t *testing.T) {
	env := rendertest.LoadEnv(t, helmLab)
	for _, a := range env.Apps {
		a.Visibility = inventory.VisibilityPrivate
	}
	if _, ok := helmValues(t, env)["nginx"]; ok {
		t.Error("nginx values rendered although no app is public")
	}
}

func TestCtyToGo(t *testing.T) {
	v := cty.ObjectVal(map[string]cty.Value{
		"int":    cty.NumberIntVal(3),
		"big":    cty.NumberFloatVal(math.Pow(2, 70)),
		"float":  cty.NumberFloatVal(1.25),
		"bool":   cty.True,
		"null":   cty.NullVal(cty.String),
		"list":   cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(1)}),
		"nested": cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")}),
	})
	got, err := ctyToGo(v)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"int": int64(3), "big": math.Pow(2, 70), "float": 1.25, "bool": true, "null": nil,
		"list": []any{"a", int64(1)}, "nested": map[string]any{"k": "v"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := ctyToGo(cty.UnknownVal(cty.String)); err == nil {
		t.Error("an unknown value converted without error")
	}
}

// TestHelmExamplesRender renders the example environments' values: one
// file per enabled app, each a YAML mapping.
func TestHelmExamplesRender(t *testing.T) {
	for _, env := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		files := valuesFiles(render(t, env))
		var enabled int
		for _, a := range env.Apps {
			if a.Enabled {
				enabled++
			}
		}
		if len(files) != enabled {
			t.Errorf("%s: %d values files for %d enabled apps", env.Name, len(files), enabled)
		}
		for _, f := range files {
			var v map[string]any
			if err := yaml.Unmarshal(f.Data, &v); err != nil {
				t.Errorf("%s: %v", f.Path, err)
			}
		}
	}
}

// TestHelmIngressNGINXChart: an environment that keeps the community
// ingress-nginx chart gets that chart's values schema, and its annotations
// are the accepted ones.
func TestHelmIngressNGINXChart(t *testing.T) {
	env := rendertest.LoadEnv(t, helmLab)
	for _, a := range env.Apps {
		switch a.Name {
		case "nginx", "nginx-internal":
			a.Chart, a.Repository = chartIngressNGINX, "https://kubernetes.github.io/ingress-nginx"
		case "prometheus":
			a.Values = cty.NilVal // its F5 annotation does not fit this controller
		case "grafana":
			a.Values = cty.ObjectVal(map[string]cty.Value{"ingress": cty.ObjectVal(map[string]cty.Value{
				"annotations": cty.ObjectVal(map[string]cty.Value{"nginx.ingress.kubernetes.io/auth-url": cty.StringVal("https://auth.example.com")}),
			})})
		}
	}
	v := helmValues(t, env)
	for _, c := range []struct {
		app  string
		path []string
		want any
	}{
		{"nginx-internal", []string{"controller", "ingressClassResource"}, map[string]any{
			"name": "nginx-internal", "enabled": true, "default": false, "controllerValue": "k8s.io/nginx-internal"}},
		{"nginx-internal", []string{"controller", "ingressClass"}, "nginx-internal"},
		{"nginx", []string{"controller", "ingressClassResource", "controllerValue"}, "k8s.io/nginx"},
		{"nginx", []string{"controller", "service", "annotations", awsLBScheme}, "internet-facing"},
		{"grafana", []string{"ingress", "annotations", "nginx.ingress.kubernetes.io/auth-url"}, "https://auth.example.com"},
	} {
		if diff := cmp.Diff(c.want, mustDig(t, v[c.app], c.path...)); diff != "" {
			t.Errorf("%s: %s (-want +got):\n%s", c.app, strings.Join(c.path, "."), diff)
		}
	}

}

// TestHelmOtherChartGetsNoGeneratedValues: fleetgen does not guess the
// values schema of a chart it does not know.
func TestHelmOtherChartGetsNoGeneratedValues(t *testing.T) {
	env := rendertest.LoadEnv(t, helmLab)
	for _, a := range env.Apps {
		if a.Name == "grafana" {
			a.Chart = "my-grafana"
		}
	}
	g := helmValues(t, env)["grafana"]
	if _, ok := dig(g, "datasources"); ok {
		t.Error("grafana with another chart still got the grafana chart's datasources")
	}
	if got := mustDig(t, g, "replicas"); got != 2 {
		t.Errorf("the inventory's values are lost: replicas = %v", got)
	}
}

// TestHelmOverrideShapeMismatch: replacing a generated object with a
// string is an error, not a warning Helm would only log.
func TestHelmOverrideShapeMismatch(t *testing.T) {
	env := rendertest.LoadEnv(t, helmLab)
	for _, a := range env.Apps {
		if a.Name == "grafana" {
			a.Values = cty.ObjectVal(map[string]cty.Value{"ingress": cty.StringVal("off")})
		}
	}
	files, diags := Render(env)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail, "values.ingress") || diags[0].Subject == nil {
		t.Fatalf("want one diagnostic naming values.ingress, got %v", diags)
	}
	if files != nil {
		t.Errorf("%d files rendered with an error", len(files))
	}
}

// TestHelmCollectsEveryValuesProblem: every app whose values do not fit
// has its diagnostic, at its own values, and the others keep theirs.
func TestHelmCollectsEveryValuesProblem(t *testing.T) {
	env := rendertest.LoadEnv(t, helmLab)
	bad := map[string]cty.Value{
		"grafana":        cty.ObjectVal(map[string]cty.Value{"ingress": cty.StringVal("off")}),
		"prometheus":     cty.ObjectVal(map[string]cty.Value{"server": cty.ListVal([]cty.Value{cty.StringVal("x")})}),
		"nginx-internal": cty.StringVal("not an object"),
	}
	var wantAt []hcl.Range
	for _, a := range env.Apps {
		if v, ok := bad[a.Name]; ok {
			a.Values = v
			wantAt = append(wantAt, a.ValuesRange)
		}
	}
	values, diags := Values(env)
	if len(diags) != len(bad) {
		t.Fatalf("%d diagnostics, want one per app (%d): %v", len(diags), len(bad), diags)
	}
	for i, d := range diags {
		if d.Severity != hcl.DiagError || d.Summary != "Values that do not fit the chart's" || d.Subject == nil || *d.Subject != wantAt[i] {
			t.Errorf("diagnostic %d: %s at %v, want an error at %v", i, d.Summary, d.Subject, wantAt[i])
		}
	}
	for _, a := range env.DeliveredApps() {
		if _, isBad := bad[a.Name]; isBad == (values[a] != nil) {
			t.Errorf("%s: values %v, want them exactly when the app's values fit", a.Name, values[a] != nil)
		}
	}
}

// TestHelmValuesAreTheFiles: Values, which the hydrate family renders the
// charts with, are byte for byte the files Render writes, one per
// delivered app.
func TestHelmValuesAreTheFiles(t *testing.T) {
	for _, env := range append(rendertest.LoadInventory(t, rendertest.Examples()).Environments, rendertest.LoadEnv(t, helmLab)) {
		values, diags := Values(env)
		if len(diags) > 0 {
			t.Fatal(diags.Error())
		}
		files := valuesFiles(render(t, env))
		if len(values) != len(env.DeliveredApps()) || len(files) != len(values) {
			t.Fatalf("%s: %d values and %d files for %d delivered apps", env.Name, len(values), len(files), len(env.DeliveredApps()))
		}
		for _, a := range env.DeliveredApps() {
			if got := rendertest.FileData(t, files, layout.HelmValues(env.Name, a.Name)); !bytes.Equal(got, values[a]) {
				t.Errorf("%s/%s: the values file differs from Values", env.Name, a.Name)
			}
		}
	}
}

// TestHelmFluentdOutsideElasticsearchNamespace: fluentd reads ECK's Secrets,
// so it must share Elasticsearch's namespace; validation reports otherwise
// (inventory fixture fluentd-outside-elasticsearch-namespace), and past
// validation the renderer panics rather than point fluentd at Secrets it
// cannot read.
func TestHelmFluentdOutsideElasticsearchNamespace(t *testing.T) {
	env := rendertest.LoadEnv(t, helmLab)
	for _, a := range env.Apps {
		if a.Name == "fluentd" {
			a.Namespace = "elsewhere"
		}
	}
	rendertest.WantPanic(t, func() { Render(env) }, `"elsewhere"`)
}

// TestHelmFluentdEnvLeavesChartVariables: the fluentd chart (0.6.0 on)
// writes FLUENTD_CONF into the container's env before the values' env, so
// the generated env must not repeat it: the container would get the
// variable twice, which server-side apply refuses as a duplicate key.
func TestHelmFluentdEnvLeavesChartVariables(t *testing.T) {
	env := mustDig(t, helmValues(t, rendertest.LoadEnv(t, helmLab))["fluentd"], "env").([]any)
	var names []string
	for _, e := range env {
		names = append(names, mustDig(t, e, "name").(string))
	}
	if diff := cmp.Diff([]string{"FLUENT_ELASTICSEARCH_PASSWORD"}, names); diff != "" {
		t.Errorf("fluentd env names (-want +got):\n%s", diff)
	}
}

// TestCentralPrometheusConfigTooLarge renders an environment of so many
// federated clusters that the chart's ConfigMap would pass 1 MiB: render
// fails with a diagnostic at the federation block giving the size.
func TestCentralPrometheusConfigTooLarge(t *testing.T) {
	env := rendertest.LoadEnv(t, scaledLab(t, 6000))
	_, diags := Render(env)
	if len(diags) != 1 {
		t.Fatalf("Render: %v, want one diagnostic", diags)
	}
	diag := diags[0]
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
	if _, diags := Render(rendertest.LoadEnv(t, scaledLab(t, 2000))); len(diags) > 0 {
		t.Fatalf("2,000 clusters: %v", diags)
	}
}

// scaledLab is a copy of the Prometheus lab with n more workload clusters.
func scaledLab(t *testing.T, n int) string {
	t.Helper()
	inv := t.TempDir()
	if err := os.CopyFS(inv, os.DirFS(promLab)); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "workload_cluster \"scale%05d\" {\n  labels = { tier = \"shared\" }\n}\n", i)
	}
	rendertest.WriteFile(t, filepath.Join(inv, "lab", "scale.hcl"), b.String())
	return inv
}

// TestServerFilesFitInTheirValuesFile backs the shortcut of
// generator.values, which measures the chart's ConfigMap only when the
// values file passes its limit: the serverFiles in the ConfigMap (each key
// and its value as YAML) are never larger than the values file that holds
// them, for the examples' and a 2,000-cluster lab's central Prometheus and
// for serverFiles of every shape a user could set.
func TestServerFilesFitInTheirValuesFile(t *testing.T) {
	var all []map[string]any
	for _, env := range append(rendertest.LoadInventory(t, rendertest.Examples()).Environments, rendertest.LoadEnv(t, scaledLab(t, 2000))) {
		app := env.EnabledApp("prometheus")
		if app == nil {
			continue
		}
		gen := (&generator{env: env, fed: mustFederation(env)}).centralPrometheusValues(app)
		merged, err := mergeValues(gen, app.Values)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, merged)
	}
	if len(all) < 2 {
		t.Fatalf("only %d central Prometheus values: the test proves little", len(all))
	}
	long := strings.Repeat("a long line of words ", 20)
	all = append(all, map[string]any{"serverFiles": map[string]any{
		"scalar":    "x",
		"number":    int64(7),
		"null":      nil,
		"empty map": map[string]any{},
		"empty":     []any{},
		"text":      "line one\n  indented\nlast\n",
		"lead":      "  leading spaces\nand lines",
		"long":      long,
		"escapes":   "tab\there \x01 \u2028 é \"q\" 'q'",
		"nested":    []any{[]any{[]any{"deep", map[string]any{"k": long}}}, map[string]any{"list": []any{}, "map": map[string]any{}}},
		"x":         map[string]any{"prometheus.yml": map[string]any{"a": []any{"true", "1.0", "~", "- x", ": y"}}},
	}})
	for _, values := range all {
		data, err := emit.YAML("prod", values)
		if err != nil {
			t.Fatal(err)
		}
		if size := serverFilesSize(values); size == 0 || size > len(data) {
			t.Errorf("serverFiles of %d bytes in a values file of %d bytes:\n%s", size, len(data), data)
		}
	}
}

// valuesFiles are the files of out/<env>/helm/ among files.
func valuesFiles(files []layout.File) []layout.File {
	var out []layout.File
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".values.yaml") && strings.Contains(f.Path, "/helm/") {
			out = append(out, f)
		}
	}
	return out
}

// TestUtilities: with a provisioner and an Elasticsearch on the private
// ingress, the provisioner's utilities tree holds Fluent Bit's values for
// every cluster it creates and one per workload cluster of the inventory,
// naming it; each ships to Elasticsearch's private host over verified TLS
// as the user of the cluster's Secret, and holds no credential.
func TestUtilities(t *testing.T) {
	var prod *inventory.Environment
	for _, env := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		if env.Name == "prod" {
			prod = env
		}
	}
	if prod == nil || len(prod.WorkloadClusters) == 0 {
		t.Fatal("the examples' prod has no workload clusters")
	}
	files := render(t, prod)
	want := []string{"prod/utilities/fluent-bit_values.yaml"}
	for _, wc := range prod.WorkloadClusters {
		want = append(want, "prod/utilities/clusters/"+wc.ID+"/fluent-bit_values.yaml")
	}
	var got []string
	for _, f := range files {
		if strings.HasPrefix(f.Path, layout.Utilities(prod.Name)+"/") {
			got = append(got, f.Path)
			rendertest.CheckFileGuarantees(t, f)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("utilities files (-want +got):\n%s", diff)
	}
	for i, p := range want {
		var v map[string]any
		if err := yaml.Unmarshal(rendertest.FileData(t, files, p), &v); err != nil {
			t.Fatal(err)
		}
		outputs := mustDig(t, v, "config", "outputs").(string)
		for _, line := range []string{"Host elasticsearch.internal.prod.cloud.example.com", "Port 443", "tls.verify On", "HTTP_Passwd ${ES_PASSWORD}", "Suppress_Type_Name On"} {
			if !strings.Contains(outputs, "    "+line+"\n") {
				t.Errorf("%s: outputs lack %q:\n%s", p, line, outputs)
			}
		}
		filters := mustDig(t, v, "config", "filters").(string)
		if i > 0 && !strings.Contains(filters, "Add cluster_id "+prod.WorkloadClusters[i-1].ID+"\n") {
			t.Errorf("%s: filters do not name the cluster:\n%s", p, filters)
		}
		if i == 0 && strings.Contains(filters, "cluster_id") {
			t.Errorf("%s: the file for every cluster names one", p)
		}
		env := mustDig(t, v, "env").([]any)
		if len(env) != 2 || mustDig(t, env[1].(map[string]any), "valueFrom", "secretKeyRef", "name") != WorkloadShipperSecret {
			t.Errorf("%s: credentials not from the Secret %s: %v", p, WorkloadShipperSecret, env)
		}
	}
	// Without a provisioner, nothing: no one would read the tree.
	prod.Provisioner = nil
	for _, f := range render(t, prod) {
		if strings.HasPrefix(f.Path, layout.Utilities(prod.Name)+"/") {
			t.Errorf("%s rendered without a provisioner", f.Path)
		}
	}
}
