package render

import (
	"fmt"
	"path"

	"github.com/mattermost/fleetgen/inventory"
)

// promRulesFile is the rules file beside prometheus.yml, as rule_files names
// it (relative paths are resolved against the configuration file's folder).
const promRulesFile = "rules/federation.rules.yml"

// Prometheus renders <env>/prometheus/prometheus.yml, the central
// Prometheus configuration that federates every workload cluster, and its
// alerting rules.
func Prometheus(env *inventory.Environment) ([]File, error) {
	fed, err := newFederation(env)
	if err != nil {
		return nil, err
	}
	config, err := marshalYAML(env.Name, promConfigOf(fed, []string{promRulesFile}))
	if err != nil {
		return nil, fmt.Errorf("prometheus.yml: %w", err)
	}
	rules, err := federationRules(fed)
	if err != nil {
		return nil, err
	}
	rulesData, err := marshalYAML(env.Name, rules)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", promRulesFile, err)
	}
	dir := path.Join(env.Name, "prometheus")
	return []File{
		{Path: path.Join(dir, "prometheus.yml"), Mode: ModeFile, Data: config},
		{Path: path.Join(dir, promRulesFile), Mode: ModeFile, Data: rulesData},
	}, nil
}
