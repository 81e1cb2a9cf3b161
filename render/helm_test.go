package render

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/golden"
	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory"
)

// helmLab has every known app, a custom one, and overrides.
const helmLab = "testdata/helm/lab"

// helmValues renders env's values files and decodes them by app name.
func helmValues(t *testing.T, env *inventory.Environment) map[string]map[string]any {
	t.Helper()
	files, err := Helm(env)
	if err != nil {
		t.Fatal(err)
	}
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
	files, err := Helm(loadEnv(t, helmLab))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		checkFileGuarantees(t, f)
		names = append(names, filepath.Base(f.Path))
		golden.Assert(t, filepath.Join("testdata/helm/golden", filepath.FromSlash(f.Path)), f.Data)
	}
	want := []string{"elasticsearch", "fluentd", "grafana", "kibana", "loki", "mattermost-cloud", "nginx", "nginx-internal", "prometheus", "prometheus-client"}
	for i := range want {
		want[i] += ".values.yaml"
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("values files (-want +got):\n%s", diff)
	}
}

// TestHelmOverrides checks Helm's -f semantics on the lab's overrides.
func TestHelmOverrides(t *testing.T) {
	v := helmValues(t, loadEnv(t, helmLab))
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
		env := loadEnv(t, dir)
		var file map[string]any
		if err := yaml.Unmarshal([]byte(promConfigData(t, env)), &file); err != nil {
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
	p := helmValues(t, loadEnv(t, helmLab))["prometheus"]
	dir := t.TempDir()
	rules, err := yaml.Marshal(mustDig(t, p, "serverFiles", "alerting_rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	rulesPath := filepath.Join(dir, "alerting_rules.yml")
	writeFile(t, rulesPath, string(rules))
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
	writeFile(t, configPath, string(data))
	out := runTool(t, promtool, "check", "config", configPath)
	if !strings.Contains(out, "SUCCESS: 1 rule files found") {
		t.Errorf("promtool did not load the rules:\n%s", out)
	}
}

func TestHelmIngress(t *testing.T) {
	v := helmValues(t, loadEnv(t, helmLab))
	for _, c := range []struct {
		app  string
		path []string
		want any
	}{
		{"prometheus", []string{"server", "ingress", "ingressClassName"}, "nginx-internal"},
		{"prometheus", []string{"server", "ingress", "hosts"}, []any{"prometheus.internal.lab.example.com"}},
		{"kibana", []string{"ingress", "className"}, "nginx-internal"},
		{"kibana", []string{"ingress", "hosts"}, []any{map[string]any{"host": "kibana.internal.lab.example.com", "path": "/"}}},
		{"kibana", []string{"elasticsearchRef", "name"}, "mattermost-cm-elasticsearch"},
		{"elasticsearch", []string{"ingress", "hosts"}, []any{map[string]any{"host": "elasticsearch.internal.lab.example.com", "path": "/"}}},
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
}

// TestHelmIngressTLS: every ingress fleetgen generates puts its host under
// TLS, in the shape its chart reads (a list of {hosts, secretName} for the
// prometheus and grafana charts, tls.enabled for the ECK ones), so no app,
// least of all a public one behind basic authentication, is served in
// clear text.
func TestHelmIngressTLS(t *testing.T) {
	v := helmValues(t, loadEnv(t, helmLab))
	for _, c := range []struct {
		app     string
		ingress []string
		want    any
	}{
		{"prometheus", []string{"server", "ingress"}, []any{map[string]any{"hosts": []any{"prometheus.internal.lab.example.com"}}}},
		// The lab replaces grafana's ingress.hosts, not its tls: lists are
		// replaced whole, so the generated TLS host stays.
		{"grafana", []string{"ingress"}, []any{map[string]any{"hosts": []any{"grafana.lab.example.com"}}}},
		{"kibana", []string{"ingress"}, map[string]any{"enabled": true}},
		{"elasticsearch", []string{"ingress"}, map[string]any{"enabled": true}},
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
	env := loadEnv(t, helmLab)
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
	for _, env := range loadInventory(t, "../environments").Environments {
		files, err := Helm(env)
		if err != nil {
			t.Fatalf("%s: %v", env.Name, err)
		}
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
	env := loadEnv(t, helmLab)
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
		{"kibana", []string{"ingress", "annotations"}, map[string]any{"nginx.ingress.kubernetes.io/backend-protocol": "HTTPS"}},
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
	env := loadEnv(t, helmLab)
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
	env := loadEnv(t, helmLab)
	for _, a := range env.Apps {
		if a.Name == "grafana" {
			a.Values = cty.ObjectVal(map[string]cty.Value{"ingress": cty.StringVal("off")})
		}
	}
	_, err := Helm(env)
	if err == nil || !strings.Contains(err.Error(), "values.ingress") {
		t.Fatalf("want an error naming values.ingress, got %v", err)
	}
}

// TestHelmFluentdOutsideElasticsearchNamespace: fluentd reads ECK's Secrets,
// so it must share Elasticsearch's namespace; validation reports otherwise
// (inventory fixture fluentd-outside-elasticsearch-namespace), and past
// validation the renderer panics rather than point fluentd at Secrets it
// cannot read.
func TestHelmFluentdOutsideElasticsearchNamespace(t *testing.T) {
	env := loadEnv(t, helmLab)
	for _, a := range env.Apps {
		if a.Name == "fluentd" {
			a.Namespace = "elsewhere"
		}
	}
	wantPanic(t, func() { Helm(env) }, `"elsewhere"`)
}

// TestHelmFluentdEnvLeavesChartVariables: the fluentd chart (0.6.0 on)
// writes FLUENTD_CONF into the container's env before the values' env, so
// the generated env must not repeat it: the container would get the
// variable twice, which server-side apply refuses as a duplicate key.
func TestHelmFluentdEnvLeavesChartVariables(t *testing.T) {
	env := mustDig(t, helmValues(t, loadEnv(t, helmLab))["fluentd"], "env").([]any)
	var names []string
	for _, e := range env {
		names = append(names, mustDig(t, e, "name").(string))
	}
	if diff := cmp.Diff([]string{"FLUENT_ELASTICSEARCH_PASSWORD"}, names); diff != "" {
		t.Errorf("fluentd env names (-want +got):\n%s", diff)
	}
}
