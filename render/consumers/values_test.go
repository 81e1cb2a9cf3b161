package consumers

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/upstream"
)

// unknownKeys are the values fleetgen writes that a chart's default
// values.yaml does not have, by chart and dotted path (a subtree), each
// with the reason the chart still reads it. Anything else a values file
// sets that the defaults lack fails the test.
var unknownKeys = map[string]map[string]string{
	"prometheus": {
		"server.global":                   "the chart writes it verbatim as prometheus.yml's global section (templates/cm.yaml); its content is Prometheus' own, checked with promtool by render/prometheus",
		"serverFiles":                     "files the chart mounts as they are: their content is Prometheus' own configuration, checked with promtool by render/prometheus",
		"server.fullnameOverride":         "read by the chart's prometheus.server.fullname helper, documented in values.yaml only as a comment",
		"server.ingress.ingressClassName": "read by templates/ingress.yaml, documented in values.yaml only as a comment",
		// The data set lacks the alertmanager subchart's values.yaml;
		// render/prometheus checks the configuration with amtool and runs
		// the real Alertmanager with it and the Secret mounts.
		"alertmanager.config":            "the bundled alertmanager subchart's config: Alertmanager's own configuration, written verbatim into its ConfigMap",
		"alertmanager.extraSecretMounts": "the bundled alertmanager subchart's Secret volumes (read-only, by path), where the receivers' *_file credentials are",
	},
	"grafana": {
		"datasources":              "a map of provisioning files the chart writes verbatim (datasources.yaml is Grafana's own format)",
		"ingress.ingressClassName": "read by templates/ingress.yaml, documented in values.yaml only as a comment",
	},
	"eck-elasticsearch": {
		"fullnameOverride": "read by the chart's elasticsearch.fullname helper, documented in values.yaml only as a comment",
	},
	"eck-kibana": {
		"fullnameOverride": "read by the chart's kibana.fullname helper, documented in values.yaml only as a comment",
		"elasticsearchRef": "the Kibana resource's spec.elasticsearchRef, passed through to the custom resource (documented as a comment)",
		"config":           "the Kibana resource's spec.config (kibana.yml settings), passed through to the custom resource",
	},
}

// usedUnknown records the entries of unknownKeys a values file needed.
var usedUnknown = map[string]bool{}

// allowedUnknown reports whether path is under an entry of unknownKeys.
func allowedUnknown(chart, path string) bool {
	for prefix := range unknownKeys[chart] {
		if path == prefix || strings.HasPrefix(path, prefix+".") {
			usedUnknown[chart+" "+prefix] = true
			return true
		}
	}
	return false
}

// unknown lists the paths of override that defaults lacks. A default that
// is an empty map or null is free-form: anything under it is the chart's
// to pass through (annotations, labels, extra settings).
func unknown(chart, prefix string, defaults, override map[string]any) []string {
	var out []string
	for k, v := range override {
		p := strings.TrimPrefix(prefix+"."+k, ".")
		if allowedUnknown(chart, p) {
			continue
		}
		d, ok := defaults[k]
		if !ok {
			out = append(out, p)
			continue
		}
		dm, dIsMap := d.(map[string]any)
		om, oIsMap := v.(map[string]any)
		if dIsMap && oIsMap && len(dm) > 0 {
			out = append(out, unknown(chart, p, dm, om)...)
		}
	}
	slices.Sort(out)
	return out
}

// TestValuesFitCharts: every values file fleetgen writes (out/<env>/helm/,
// and the inline values of Terraform's helm_releases), merged over the
// chart's default values as Helm merges them, validates against the
// chart's values.schema.json where it has one (references to online
// documents dropped), and sets no key the chart's values.yaml lacks unless
// unknownKeys says why the chart reads it.
func TestValuesFitCharts(t *testing.T) {
	d := data(t)
	var checked int
	for _, env := range envs {
		t.Run(env, func(t *testing.T) {
			for _, s := range chartSources(t, env) {
				values, file := s.Values, s.Owner
				if s.ValuesFile != "" {
					values, file = readValues(t, s.ValuesFile), "out/"+s.ValuesFile
				}
				if values == nil {
					continue
				}
				c, err := d.Chart(s.Chart, s.Version)
				if err != nil {
					t.Errorf("%s: %v", file, err)
					continue
				}
				checked++
				checkValues(t, c, file, values)
			}
		})
	}
	if checked == 0 {
		t.Error("no values file checked")
	}
	checked = 0
	for _, env := range envs {
		files, _ := filepath.Glob(filepath.Join(outDir(), env, "utilities", "*_values.yaml"))
		more, _ := filepath.Glob(filepath.Join(outDir(), env, "utilities", "clusters", "*", "*_values.yaml"))
		for _, f := range append(files, more...) {
			rel, _ := filepath.Rel(outDir(), f)
			checkUtilityValues(t, d, filepath.ToSlash(rel))
			checked++
		}
	}
	if checked == 0 {
		t.Error("no utilities values file checked: prod's provisioner installs Fluent Bit from out/prod/utilities")
	}
	for chart, entries := range unknownKeys {
		for prefix := range entries {
			if !usedUnknown[chart+" "+prefix] {
				t.Errorf("unknownKeys lists %s %s, which no values file sets: remove it", chart, prefix)
			}
		}
	}
}

// TestUnknownKeysCatchesTypos proves the key check the test relies on.
func TestUnknownKeysCatchesTypos(t *testing.T) {
	defaults := map[string]any{"server": map[string]any{"replicas": 1, "annotations": map[string]any{}}}
	override := map[string]any{"server": map[string]any{"replicaz": 2, "annotations": map[string]any{"a": "b"}}, "global": map[string]any{"x": 1}}
	got := fmt.Sprint(unknown("prometheus", "", defaults, override))
	if got != "[global server.replicaz]" {
		t.Errorf("unknown = %s, want [global server.replicaz] (only server.global is listed)", got)
	}
}

// utilityCharts are the charts the provisioner installs from each values
// file of its utilities tree, by file name.
var utilityCharts = map[string]struct{ repoURL, chart string }{
	"fluent-bit_values.yaml": {"https://fluent.github.io/helm-charts", "fluent-bit"},
}

// checkUtilityValues checks a values file of out/<env>/utilities against
// the newest version of its chart in the data set: the provisioner
// installs the version a cluster's utility metadata names, which
// docs/monitoring.md says to set to it.
func checkUtilityValues(t *testing.T, d *upstream.Data, rel string) {
	t.Helper()
	u, ok := utilityCharts[path.Base(rel)]
	if !ok {
		t.Errorf("out/%s: no chart known for this utilities file", rel)
		return
	}
	versions, err := d.Versions(u.repoURL, u.chart)
	if err != nil || len(versions) == 0 {
		t.Errorf("out/%s: chart %s: %v", rel, u.chart, err)
		return
	}
	c, err := d.Chart(u.chart, versions[0].Version)
	if err != nil {
		t.Errorf("out/%s: %v", rel, err)
		return
	}
	checkValues(t, c, "out/"+rel, readValues(t, rel))
}

// checkValues checks the values of file, merged over chart c's defaults as
// Helm merges them, against c's values.schema.json, and their keys
// against c's default values.yaml.
func checkValues(t *testing.T, c *upstream.Chart, file string, values map[string]any) {
	t.Helper()
	merged, err := upstream.MergeValues(c.Values, values)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ValidateValues(merged); err != nil {
		t.Errorf("%s does not fit %s/values.schema.json: %v", file, c.Dir, err)
	}
	for _, p := range unknown(c.Name, "", c.Values, values) {
		t.Errorf("%s sets %s, which %s/values.yaml does not have (a typo, or a value of another chart version?); if the chart reads it anyway, add it to unknownKeys with the reason", file, p, c.Dir)
	}
}
