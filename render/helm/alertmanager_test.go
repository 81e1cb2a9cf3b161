package helm

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/render/internal/alertmanager"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
)

// TestHelmAlertmanagerValues rebuilds the alertmanager.yml the bundled
// alertmanager subchart writes into its ConfigMap (its config value as
// YAML) and has the real amtool accept it; it checks that every file a
// notifier reads lies in a Secret the subchart mounts, and that the
// values hold the model render/prometheus writes to alertmanager.yml.
func TestHelmAlertmanagerValues(t *testing.T) {
	amtool := tooltest.Look(t, "amtool")
	env := rendertest.LoadEnv(t, helmLab)
	am := mustDig(t, helmValues(t, env)["prometheus"], "alertmanager").(map[string]any)

	cfg, mounts, ok := alertmanager.Of(env)
	if !ok {
		t.Fatal("the lab has an alerting block")
	}
	if diff := cmp.Diff(alertmanager.Values(cfg, mounts), am); diff != "" {
		t.Errorf("alertmanager values differ from the model (-model +values):\n%s", diff)
	}

	data, err := yaml.Marshal(am["config"])
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "alertmanager.yml")
	rendertest.WriteFile(t, file, string(data))
	rendertest.RunTool(t, amtool, "check-config", file)

	mounted := map[string]string{} // mount path -> Secret
	for _, m := range am["extraSecretMounts"].([]any) {
		m := m.(map[string]any)
		if m["readOnly"] != true || m["subPath"] != nil {
			t.Errorf("Secret mount %v: want read-only, without subPath (which would keep a rotated Secret from reaching the pod)", m)
		}
		mounted[m["mountPath"].(string)] = m["secretName"].(string)
	}
	var files []string
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ": "); ok && strings.HasSuffix(k, "_file") {
			files = append(files, v)
		}
	}
	want := map[string]string{
		"/etc/alertmanager/secrets/am-mattermost/url": "am-mattermost",
		"/etc/alertmanager/secrets/am-pagerduty/key":  "am-pagerduty",
	}
	if len(files) != len(want) {
		t.Errorf("notifiers read %v, want %d files", files, len(want))
	}
	for _, f := range files {
		if secret, ok := mounted[path.Dir(f)]; !ok || secret != want[f] {
			t.Errorf("%s is not in the mount of Secret %q (mounts %v)", f, want[f], mounted)
		}
	}
}

// TestHelmAlertmanagerChartData checks the examples' alerting against the
// prometheus chart each pins, from ../shared/upstream/: the chart bundles
// the alertmanager subchart (Chart.lock), enables it by default (so its
// ConfigMap template adds the alerting section that points Prometheus at
// it) and its values schema does not forbid the keys fleetgen sets. The
// subchart's own values.yaml is not in the data set, so config and
// extraSecretMounts are checked against nothing more.
func TestHelmAlertmanagerChartData(t *testing.T) {
	checked := 0
	for _, env := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		if env.Alerting == nil {
			continue
		}
		app := env.EnabledApp("prometheus")
		dir := filepath.Join(rendertest.Root(), "..", "shared", "upstream", "prometheus-community", "prometheus", app.Version)
		read := func(name string, v any) {
			t.Helper()
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("%s: the upstream data set lacks prometheus %s's %s (%v): its alerting cannot be checked", env.Name, app.Version, name, err)
			}
			if err := yaml.Unmarshal(data, v); err != nil {
				t.Fatal(err)
			}
		}
		var lock struct {
			Dependencies []struct{ Name, Version string } `yaml:"dependencies"`
		}
		read("Chart.lock", &lock)
		if !slices.ContainsFunc(lock.Dependencies, func(d struct{ Name, Version string }) bool { return d.Name == "alertmanager" }) {
			t.Errorf("%s: prometheus %s bundles no alertmanager subchart: %v", env.Name, app.Version, lock.Dependencies)
		}
		var defaults map[string]any
		read("values.yaml", &defaults)
		if enabled, _ := dig(defaults, "alertmanager", "enabled"); enabled != true {
			t.Errorf("%s: prometheus %s's alertmanager.enabled defaults to %v", env.Name, app.Version, enabled)
		}
		var schema map[string]any
		read("values.schema.json", &schema) // JSON is YAML
		if extra, ok := dig(schema, "properties", "alertmanager", "additionalProperties"); ok && extra == false {
			t.Errorf("%s: prometheus %s's schema forbids alertmanager keys it does not list", env.Name, app.Version)
		}
		values := helmValues(t, env)["prometheus"]
		if enabled, ok := dig(values, "alertmanager", "enabled"); ok && enabled != true {
			t.Errorf("%s: the values turn the Alertmanager off", env.Name)
		}
		for _, key := range []string{"config", "extraSecretMounts"} {
			if _, ok := dig(values, "alertmanager", key); !ok {
				t.Errorf("%s: no alertmanager.%s in the values", env.Name, key)
			}
		}
		checked++
	}
	if checked != 2 {
		t.Errorf("checked %d environments; dev and prod have alerting", checked)
	}
}
