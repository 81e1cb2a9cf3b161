package alertmanager

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// Values is the alertmanager subchart's section of the prometheus chart's
// values: config (the chart writes it as alertmanager.yml; Helm merges the
// chart's default route into it key by key, and every key of the default
// route is set here) and the Secret mounts the notifiers read.
func Values(cfg Config, mounts []SecretMount) map[string]any {
	return map[string]any{
		"config":            mapOf(cfg),
		"extraSecretMounts": mapOf(mounts),
	}
}

// mapOf is v as YAML reads it back: maps, lists and scalars, which Helm's
// coalescing needs. v holds only strings, bools and lists of them.
func mapOf(v any) any {
	data, err := yaml.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("alertmanager: %v", err))
	}
	var out any
	if err := yaml.Unmarshal(data, &out); err != nil {
		panic(fmt.Sprintf("alertmanager: %v", err))
	}
	return out
}
