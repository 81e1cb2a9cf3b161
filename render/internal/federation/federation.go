package federation

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/mattermost/fleetgen/inventory"
)

// Model is the one model of what the central Prometheus scrapes. Both
// prometheus/prometheus.yml and the central chart's server config are
// emitted from it, so the two cannot disagree.
type Model struct {
	Environment    string
	ScrapeInterval string
	ScrapeTimeout  string
	Match          []string
	// Jobs are sorted by name; Prometheus sets scheme and metrics path per
	// job, so targets that differ in either need a job of their own.
	Jobs []Job
}

// Job is one scrape job: every target shares its scheme and path.
type Job struct {
	Name        string
	Scheme      string
	MetricsPath string
	// Targets are sorted by cluster ID, so a new cluster adds one entry and
	// moves nothing.
	Targets []Target
}

// Target is one client Prometheus the central one federates.
type Target struct {
	ClusterID string
	Address   string            // host:port
	Labels    map[string]string // clusterID, environment and the cluster's own labels
}

// federateJobName is the job of plain-HTTP targets without a path prefix,
// the common case; the rules and the docs refer to it.
const federateJobName = "federate"

// New builds the federation model of env: every workload cluster
// with federate = true, plus the C&C cluster's own client Prometheus
// (labelled hub_cluster_id) when the prometheus-client app runs.
func New(env *inventory.Environment) (*Model, error) {
	fed := env.Federation
	f := &Model{
		Environment:    env.Name,
		ScrapeInterval: fed.ScrapeInterval,
		ScrapeTimeout:  fed.ScrapeTimeout,
		Match:          slices.Clone(fed.Match),
	}
	jobs := map[string]*Job{}
	seen := map[string]bool{}
	add := func(id, rawURL string, labels map[string]string) error {
		if seen[id] {
			// Validation refuses a hub_cluster_id that is also a workload
			// cluster's ID, and duplicate workload clusters.
			panic(fmt.Sprintf("federation: two targets have clusterID %q: validation let it through", id))
		}
		seen[id] = true
		scheme, addr, metricsPath, err := federationEndpoint(rawURL)
		if err != nil {
			return fmt.Errorf("workload cluster %q: %w", id, err)
		}
		name := federationJobName(scheme, metricsPath)
		j, ok := jobs[name]
		if !ok {
			j = &Job{Name: name, Scheme: scheme, MetricsPath: metricsPath}
			jobs[name] = j
		}
		all := map[string]string{"clusterID": id, "environment": env.Name}
		maps.Copy(all, labels)
		all["clusterID"], all["environment"] = id, env.Name // reserved: validation rejects them as cluster labels
		j.Targets = append(j.Targets, Target{ClusterID: id, Address: addr, Labels: all})
		return nil
	}
	for _, wc := range env.WorkloadClusters {
		if !wc.Federate {
			continue
		}
		if err := add(wc.ID, wc.PrometheusURL, wc.Labels); err != nil {
			return nil, err
		}
	}
	if hub, ok := hubClientURL(env); ok {
		if err := add(fed.HubClusterID, hub, nil); err != nil {
			return nil, err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(jobs)) {
		j := jobs[name]
		slices.SortFunc(j.Targets, func(a, b Target) int { return cmp.Compare(a.ClusterID, b.ClusterID) })
		f.Jobs = append(f.Jobs, *j)
	}
	return f, nil
}

// federationEndpoint splits a client's prometheus_url into what a scrape
// job needs. A path in the URL is a prefix the client is served under
// (--web.route-prefix or a reverse proxy), so its federation endpoint is
// <prefix>/federate. The port is made explicit, so the target says where it
// really goes.
func federationEndpoint(raw string) (scheme, addr, metricsPath string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", fmt.Errorf("prometheus_url %q: %w", raw, err)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Hostname() == "" {
		return "", "", "", fmt.Errorf("prometheus_url %q: want scheme://host[:port][/prefix]", raw)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if port == "" {
		return "", "", "", fmt.Errorf("prometheus_url %q: scheme must be http or https", raw)
	}
	prefix := strings.TrimSuffix(u.EscapedPath(), "/")
	switch {
	case strings.Contains(prefix, "%"):
		return "", "", "", fmt.Errorf("prometheus_url %q: the path prefix must not need escaping", raw)
	case path.Base(prefix) == "federate":
		return "", "", "", fmt.Errorf("prometheus_url %q: give the client Prometheus' base URL; fleetgen appends /federate", raw)
	}
	host := u.Hostname()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return u.Scheme, host + ":" + port, path.Join("/", prefix, "federate"), nil
}

// federationJobName names the job of a scheme and metrics path: "federate"
// for the common http + /federate, otherwise with the scheme and the prefix,
// so every (scheme, path) pair gets a distinct, readable name.
func federationJobName(scheme, metricsPath string) string {
	name := federateJobName
	if scheme != "http" {
		name += "-" + scheme
	}
	return name + strings.TrimSuffix(metricsPath, "/federate")
}

// hubClientURL is the in-cluster URL of the C&C cluster's own client
// Prometheus: the service the prometheus-community chart names
// <release>-server, port 80. There is none unless hub_cluster_id is set and
// the prometheus-client app is enabled.
func hubClientURL(env *inventory.Environment) (string, bool) {
	if env.Federation.HubClusterID == "" {
		return "", false
	}
	app := env.EnabledApp("prometheus-client")
	if app == nil {
		return "", false
	}
	return "http://" + ServerService(app) + ":80", true
}

// ServerService is the cluster DNS name of a prometheus chart
// release's server Service.
func ServerService(app *inventory.App) string {
	return app.Release + "-server." + app.Namespace + ".svc"
}
