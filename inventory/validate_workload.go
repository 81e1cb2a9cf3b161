package inventory

import (
	"maps"
	"net/url"
	"path"
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
		if set(wc.PrometheusURLRange) && c.httpURL("Invalid Prometheus URL", "prometheus_url", wc.PrometheusURL, wc.PrometheusURLRange, "http", "https") {
			c.federationPrefix(wc.PrometheusURL, wc.PrometheusURLRange)
		}
		if hub := env.Federation.HubClusterID; hub != "" && wc.ID == hub {
			c.errorf(env.Federation.HubClusterIDRange, "Hub cluster ID taken by a workload cluster",
				"The hub_cluster_id %q is also the ID of the workload cluster declared at %s; the clusterID label must tell the two apart.", hub, wc.IDRange)
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

// federationPrefix checks the path of a prometheus_url: a prefix the client
// Prometheus is served under, to which fleetgen appends /federate.
func (c *checker) federationPrefix(s string, rng hcl.Range) {
	u, err := url.Parse(s)
	if err != nil {
		return // httpURL reported it
	}
	prefix := strings.TrimSuffix(u.EscapedPath(), "/")
	switch {
	case strings.Contains(prefix, "%"):
		c.errorf(rng, "Invalid Prometheus URL", "The prometheus_url %q has a path that needs escaping; its path is the prefix the client Prometheus is served under.", s)
	case path.Base(prefix) == "federate":
		c.errorf(rng, "Invalid Prometheus URL", "The prometheus_url %q ends in /federate; give the client Prometheus' base URL, fleetgen appends /federate.", s)
	}
}
