package federation

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/synthfleet"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
)

// TestPrometheusValuesAreTheYAMLReadBack holds the map forms of the
// Prometheus documents to what their YAML text reads back as (the way the
// chart's values were built before): the same keys, omissions and types,
// for every environment of the examples and of a synthetic fleet, and for
// documents with every optional field empty or set and values YAML could
// read as another type.
func TestPrometheusValuesAreTheYAMLReadBack(t *testing.T) {
	fleet := t.TempDir()
	if err := synthfleet.Write(fleet, synthfleet.Shape{Environments: 1, WorkloadClusters: 5, HAClusters: 1, MinNodes: 2, MaxNodes: 2}); err != nil {
		t.Fatal(err)
	}
	var configs []Config
	var rules []RuleFile
	for _, dir := range []string{rendertest.Examples(), filepath.Join(fleet, "environments")} {
		for _, env := range rendertest.LoadInventory(t, dir).Environments {
			fed, err := New(env)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Rules(fed)
			if err != nil {
				t.Fatal(err)
			}
			configs = append(configs, ConfigOf(fed, []string{"/etc/config/alerting_rules.yml"}))
			rules = append(rules, r)
		}
	}
	configs = append(configs, Config{}, Config{
		Global:    Global{ScrapeInterval: "1.0", ScrapeTimeout: "true", ExternalLabels: map[string]string{"a": "null", "b": "", "c": "x\ny"}},
		RuleFiles: []string{},
		ScrapeConfigs: []ScrapeConfig{
			{JobName: "bare", StaticConfigs: []StaticConfig{{}, {Targets: []string{}, Labels: map[string]string{}}}},
			{JobName: "full", HonorLabels: true, Scheme: "https", MetricsPath: "/p", Params: map[string][]string{"match[]": {"{a=\"b\"}"}, "none": nil},
				ScrapeInterval: "1m", ScrapeTimeout: "10s", StaticConfigs: []StaticConfig{{Targets: []string{"h:1", "0x10"}, Labels: map[string]string{"n": "012"}}}},
		},
	})
	rules = append(rules, RuleFile{}, RuleFile{Groups: []RuleGroup{{Name: "g"}, {Name: "h", Rules: []AlertRule{{Alert: "A"}, {Alert: "B", Expr: "up == 0", For: "5m", Labels: map[string]string{"severity": "~"}, Annotations: map[string]string{"summary": "yes"}}}}}})

	for _, c := range configs {
		if diff := cmp.Diff(readBack(t, c), c.Values()); diff != "" {
			t.Errorf("Config %v: values() differs from the YAML read back (-yaml +values):\n%s", c.ScrapeConfigs, diff)
		}
	}
	for _, r := range rules {
		if diff := cmp.Diff(readBack(t, r), r.Values()); diff != "" {
			t.Errorf("RuleFile: values() differs from the YAML read back (-yaml +values):\n%s", diff)
		}
	}
}

// readBack is v written as YAML and read back into maps.
func readBack(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
