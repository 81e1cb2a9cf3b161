package prometheus

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// alertmanagerFile is env's rendered alertmanager.yml, or nil.
func alertmanagerFile(t *testing.T, env *inventory.Environment) []byte {
	t.Helper()
	for _, f := range render(t, env) {
		if f.Path == layout.AlertmanagerConfig(env.Name) {
			return f.Data
		}
	}
	return nil
}

// TestAlertmanagerAmtool has the real `amtool check-config` (Debian's
// prometheus-alertmanager) accept the Alertmanager configuration of every
// example environment with an alerting block and of the lab, with every
// receiver it declares, after showing on a configuration with an unknown
// receiver that the check can fail.
func TestAlertmanagerAmtool(t *testing.T) {
	amtool := tooltest.Look(t, "amtool")
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yml")
	rendertest.WriteFile(t, bad, "route:\n  receiver: nobody\nreceivers:\n  - name: somebody\n")
	if out, err := exec.Command(amtool, "check-config", bad).CombinedOutput(); err == nil {
		t.Fatalf("amtool accepted a route to an undeclared receiver:\n%s", out)
	}

	envs := rendertest.LoadInventory(t, rendertest.Examples()).Environments
	envs = append(envs, rendertest.LoadEnv(t, promLab))
	checked := 0
	for _, env := range envs {
		data := alertmanagerFile(t, env)
		if env.Alerting == nil {
			if data != nil {
				t.Errorf("%s has no alerting block but renders alertmanager.yml", env.Name)
			}
			continue
		}
		if data == nil {
			t.Errorf("%s has an alerting block but renders no alertmanager.yml", env.Name)
			continue
		}
		checked++
		path := filepath.Join(dir, env.Name+".yml")
		rendertest.WriteFile(t, path, string(data))
		out := rendertest.RunTool(t, amtool, "check-config", path)
		want := len(env.Alerting.Receivers)
		if w := env.Alerting.WatchdogReceiver; w == "" || w == inventory.WatchdogDiscard {
			want++ // the Watchdog's discarding receiver
		}
		if m := regexp.MustCompile(`(\d+) receivers`).FindStringSubmatch(out); m == nil || m[1] != strconv.Itoa(want) {
			t.Errorf("%s: amtool found other than %d receivers:\n%s", env.Name, want, out)
		}
	}
	if checked < 3 {
		t.Errorf("checked %d alerting configurations; dev, prod and the lab have one each", checked)
	}
}

// TestAlertmanagerRoutes checks on the lab what the routing tree
// does with alerts, with amtool's own router (`config routes test`): the
// Watchdog never reaches people, critical federation alerts page, the
// rest go to the default receiver.
func TestAlertmanagerRoutes(t *testing.T) {
	amtool := tooltest.Look(t, "amtool")
	path := filepath.Join(t.TempDir(), "alertmanager.yml")
	rendertest.WriteFile(t, path, string(alertmanagerFile(t, rendertest.LoadEnv(t, promLab))))
	for _, c := range []struct {
		labels []string
		want   string
	}{
		{[]string{"alertname=Watchdog", "severity=none"}, inventory.WatchdogDiscard},
		{[]string{"alertname=FederatedClusterDown", "severity=critical", "clusterID=aaaa1111"}, "oncall"},
		{[]string{"alertname=FederationScrapeSlow", "severity=warning"}, "team"},
		{[]string{"alertname=Other", "severity=critical"}, "team"}, // the second matcher does not match
	} {
		args := append([]string{"config", "routes", "test", "--config.file=" + path}, c.labels...)
		// The receivers are the last line; amtool may warn before it.
		lines := strings.Split(strings.TrimSpace(rendertest.RunTool(t, amtool, args...)), "\n")
		out := lines[len(lines)-1]
		if out != c.want {
			t.Errorf("amtool config routes test %s: got %q, want %q", strings.Join(c.labels, " "), out, c.want)
		}
	}
}

// TestPrometheusOnlyWithTheCentralApp: prometheus/ holds copies of what
// the central prometheus app runs, so an environment without it (sandbox)
// renders none.
func TestPrometheusOnlyWithTheCentralApp(t *testing.T) {
	for _, env := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		files := render(t, env)
		if central := env.EnabledApp("prometheus") != nil; central != (len(files) > 0) {
			t.Errorf("%s: central prometheus app %v, %d files rendered", env.Name, central, len(files))
		}
	}
}
