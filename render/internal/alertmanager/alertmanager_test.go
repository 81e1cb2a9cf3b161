package alertmanager

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/federation"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
)

// TestAlertNamesAreTheRules: every alert name the routing tree and the
// inhibit rule match exists in the federation rules, so renaming a rule
// cannot silently unroute the Watchdog or stop an inhibition.
func TestAlertNamesAreTheRules(t *testing.T) {
	var prod *inventory.Environment
	for _, env := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		if env.Name == "prod" {
			prod = env
		}
	}
	fed, err := federation.New(prod)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := federation.Rules(fed)
	if err != nil {
		t.Fatal(err)
	}
	alerts := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			alerts[r.Alert] = true
		}
	}
	cfg, _, ok := Of(prod)
	if !ok {
		t.Fatal("prod has an alerting block")
	}
	matchers := append([]string{}, cfg.Route.Routes[0].Matchers...)
	for _, ir := range cfg.InhibitRules {
		matchers = append(append(matchers, ir.SourceMatchers...), ir.TargetMatchers...)
	}
	names := regexp.MustCompile(`^alertname=~?"(.*)"$`)
	checked := 0
	for _, m := range matchers {
		sub := names.FindStringSubmatch(m)
		if sub == nil {
			t.Errorf("matcher %s names no alert", m)
			continue
		}
		for _, name := range strings.Split(sub[1], "|") {
			checked++
			if !alerts[name] {
				t.Errorf("matcher %s names %q, which no federation rule is", m, name)
			}
		}
	}
	if checked != 5 { // Watchdog, FederatedClusterDown and the three it inhibits
		t.Errorf("checked %d alert names, want 5", checked)
	}
}
