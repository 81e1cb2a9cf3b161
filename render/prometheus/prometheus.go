package prometheus

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/alertmanager"
	"github.com/mattermost/fleetgen/render/internal/emit"
	"github.com/mattermost/fleetgen/render/internal/federation"
	"github.com/mattermost/fleetgen/render/layout"
)

// Render renders env's central Prometheus configuration, which federates
// every workload cluster, its alerting rules and, with an alerting block,
// its Alertmanager's configuration: copies of what the prometheus app's
// chart runs, so an environment without that app gets none. Nothing in
// them is a user mistake validation lets through, so it returns no
// diagnostics; an inventory validation should have refused makes it panic.
func Render(env *inventory.Environment) ([]layout.File, hcl.Diagnostics) {
	if p := env.EnabledApp("prometheus"); p == nil || p.Chart != "prometheus" {
		return nil, nil
	}
	fed, err := federation.New(env)
	if err != nil {
		// Validation refuses every prometheus_url the model cannot use.
		panic(fmt.Sprintf("environment %q: %v: validation let it through", env.Name, err))
	}
	rules, err := federation.Rules(fed)
	if err != nil {
		// Validation refuses a scrape_timeout Prometheus cannot parse.
		panic(fmt.Sprintf("environment %q: %v: validation let it through", env.Name, err))
	}
	files := []layout.File{
		file(layout.PrometheusConfig(env.Name), env.Name, federation.ConfigOf(fed, []string{layout.PrometheusRulesRef})),
		file(layout.PrometheusRules(env.Name), env.Name, rules),
	}
	if cfg, _, ok := alertmanager.Of(env); ok {
		files = append(files, file(layout.AlertmanagerConfig(env.Name), env.Name, cfg))
	}
	return files, nil
}

// file is v as the YAML file at p. The documents are typed and hold only
// strings, so an encoding failure is a bug of ours.
func file(p, env string, v any) layout.File {
	data, err := emit.YAML(env, v)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", p, err))
	}
	return layout.File{Path: p, Mode: layout.ModeFile, Data: data}
}
