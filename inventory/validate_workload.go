package inventory

import (
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

func (c *checker) workloadClusters(env *Environment) {
	seen := firstSeen{}
	for _, wc := range env.WorkloadClusters {
		c.check(workloadID, wc.ID, wc.IDRange)
		if earlier, dup := seen.dup(wc.ID, wc.IDRange); dup {
			c.errorf(wc.IDRange, "Duplicate workload cluster",
				"The workload cluster %q was already declared at %s; each cluster is declared once per environment.", wc.ID, earlier)
		}
		if set(wc.PrometheusURLRange) {
			c.httpURL("Invalid Prometheus URL", "prometheus_url", wc.PrometheusURL, wc.PrometheusURLRange, "http", "https")
		}
		for _, name := range slices.Sorted(maps.Keys(wc.Labels)) {
			c.labelName(name, wc.LabelsRange)
		}
	}
}

// labelName checks an extra target label of a workload cluster.
func (c *checker) labelName(name string, rng hcl.Range) {
	if !c.check(promLabelName, name, rng) {
		return
	}
	switch {
	case strings.HasPrefix(name, "__"):
		c.errorf(rng, "Reserved label name", "The label name %q starts with \"__\", which Prometheus reserves for its own use.", name)
	case name == "clusterID" || name == "environment":
		c.errorf(rng, "Reserved label name", "The label %q is set by fleetgen on every federation target and cannot be overridden.", name)
	}
}
