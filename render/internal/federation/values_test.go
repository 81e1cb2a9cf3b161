package federation

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/synthfleet"
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
	for _, dir := range []string{"../environments", filepath.Join(fleet, "environments")} {
		for _, env := range loadInventory(t, dir).Environments {
			fed, err := New(env)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Rules(fed)
			if err != nil {
				t.Fatal(err)
			}
			configs = append(configs, ConfigOf(fed, []string{chartRulesFile}))
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

// TestServerFilesFitInTheirValuesFile backs the shortcut of
// helmEnv.values, which measures the chart's ConfigMap only when the values
// file passes its limit: the serverFiles in the ConfigMap (each key and its
// value as YAML) are never larger than the values file that holds them,
// for the examples' and a 2,000-cluster lab's central Prometheus and for
// serverFiles of every shape a user could set.
func TestServerFilesFitInTheirValuesFile(t *testing.T) {
	var all []map[string]any
	for _, env := range append(loadInventory(t, "../environments").Environments, loadEnv(t, scaledLab(t, 2000))) {
		app := env.EnabledApp("prometheus")
		if app == nil {
			continue
		}
		fed, err := New(env)
		if err != nil {
			t.Fatal(err)
		}
		gen, err := (&helmEnv{env: env, fed: fed}).centralPrometheusValues(app)
		if err != nil {
			t.Fatal(err)
		}
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
		data, err := marshalYAML("prod", values)
		if err != nil {
			t.Fatal(err)
		}
		size, err := serverFilesSize(values)
		if err != nil {
			t.Fatal(err)
		}
		if size == 0 || size > len(data) {
			t.Errorf("serverFiles of %d bytes in a values file of %d bytes:\n%s", size, len(data), data)
		}
	}
}
