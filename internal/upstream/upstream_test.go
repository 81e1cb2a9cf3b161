package upstream

import (
	"strings"
	"testing"
)

func locate(t *testing.T) *Data {
	t.Helper()
	d, err := Locate()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestVersions(t *testing.T) {
	d := locate(t)
	for _, tc := range []struct{ repo, chart, version, newest string }{
		{"https://argoproj.github.io/argo-helm", "argo-cd", "9.1.0", "10.1.1"},
		{"https://prometheus-community.github.io/helm-charts", "prometheus", "25.27.0", "29.27.0"},
		{"https://helm.elastic.co", "eck-operator", "3.5.0", "3.5.0"},
		{"https://helm.elastic.co", "eck-kibana", "0.20.0", "0.20.0"},
		{"oci://ghcr.io/nginx/charts", "nginx-ingress", "2.4.4", "2.6.4"},
		{"ghcr.io/nginx/charts", "nginx-ingress", "2.6.4", "2.6.4"},
		{"https://fluent.github.io/helm-charts", "fluent-bit", "0.58.1", "0.58.1"},
	} {
		if _, err := d.Lookup(tc.repo, tc.chart, tc.version); err != nil {
			t.Errorf("Lookup(%s, %s, %s): %v", tc.repo, tc.chart, tc.version, err)
		}
		vs, err := d.Versions(tc.repo, tc.chart)
		if err != nil || len(vs) == 0 || vs[0].Version != tc.newest {
			t.Errorf("Versions(%s, %s) = %v, %v; want newest %s", tc.repo, tc.chart, vs[:min(len(vs), 1)], err, tc.newest)
		}
	}
	if _, err := d.Lookup("https://helm.mattermost.com", "mattermost-cloud", "0.19.0"); err == nil || IsNotCovered(err) {
		t.Errorf("mattermost-cloud 0.19.0: got %v, want a missing chart", err)
	}
	if _, err := d.Lookup("https://helm.elastic.co", "eck-operator", "3.6.0-SNAPSHOT"); err == nil {
		t.Error("a snapshot version counts as published")
	}
	if _, err := d.Lookup("https://charts.example.com/x", "x", "1.0.0"); !IsNotCovered(err) {
		t.Errorf("unknown repository: got %v, want *NotCoveredError", err)
	}
}

func TestChartAndSchema(t *testing.T) {
	d := locate(t)
	c, err := d.Chart("nginx-ingress", "2.6.4")
	if err != nil {
		t.Fatal(err)
	}
	if c.AppVersion != "5.5.4" || c.Schema == nil {
		t.Fatalf("nginx-ingress 2.6.4: appVersion %q, schema %v", c.AppVersion, c.Schema != nil)
	}
	// The schema requires top-level keys only the defaults supply.
	if err := c.ValidateValues(map[string]any{}); err == nil {
		t.Error("empty values validate without the defaults merged")
	}
	merged, err := MergeValues(c.Values, map[string]any{"controller": map[string]any{"replicaCount": 2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ValidateValues(merged); err != nil {
		t.Errorf("merged defaults: %v", err)
	}
	bad, _ := MergeValues(c.Values, map[string]any{"controller": map[string]any{"replicaCount": "two"}})
	if err := c.ValidateValues(bad); err == nil {
		t.Error("a string replicaCount validates")
	}
	if _, err := d.Chart("no-such-chart", "1.0.0"); !IsNotCovered(err) {
		t.Errorf("missing chart: %v", err)
	}
}

func TestCRDs(t *testing.T) {
	d := locate(t)
	crds, err := d.CRDs("argo-cd", "v3.5.1")
	if err != nil {
		t.Fatal(err)
	}
	var app *CRD
	for _, c := range crds {
		if c.Serves("argoproj.io/v1alpha1", "Application") {
			app = c
		}
	}
	if app == nil {
		t.Fatal("no Application CRD in argo-cd v3.5.1")
	}
	good := map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
		"metadata": map[string]any{"name": "x"},
		"spec": map[string]any{
			"project":     "default",
			"destination": map[string]any{"server": "https://kubernetes.default.svc"},
			"source":      map[string]any{"repoURL": "https://example.com/x.git", "path": "x"},
		},
	}
	if err := app.Validate(good); err != nil {
		t.Errorf("valid Application: %v", err)
	}
	good["spec"].(map[string]any)["destination"] = "nowhere"
	if err := app.Validate(good); err == nil || !strings.Contains(err.Error(), "destination") {
		t.Errorf("invalid Application: %v", err)
	}
	if _, err := d.CRDs("cloud-on-k8s", "v9.9.9"); !IsNotCovered(err) {
		t.Errorf("missing CRDs: %v", err)
	}
}
