package helm

import (
	"path"
	"path/filepath"
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
