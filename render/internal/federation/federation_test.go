package federation

import (
	"testing"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
)

func TestFederationEndpoint(t *testing.T) {
	for _, c := range []struct {
		url, scheme, addr, path, job string
	}{
		{"http://a.example.com", "http", "a.example.com:80", "/federate", "federate"},
		{"http://a.example.com:9090/", "http", "a.example.com:9090", "/federate", "federate"},
		{"https://a.example.com", "https", "a.example.com:443", "/federate", "federate-https"},
		{"https://a.example.com:8443/prom/", "https", "a.example.com:8443", "/prom/federate", "federate-https/prom"},
		{"http://a.example.com/a/b", "http", "a.example.com:80", "/a/b/federate", "federate/a/b"},
		{"http://[fd00::1]:9090", "http", "[fd00::1]:9090", "/federate", "federate"},
	} {
		scheme, addr, path, err := federationEndpoint(c.url)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if scheme != c.scheme || addr != c.addr || path != c.path {
			t.Errorf("%s: got %s %s %s, want %s %s %s", c.url, scheme, addr, path, c.scheme, c.addr, c.path)
		}
		if job := federationJobName(scheme, path); job != c.job {
			t.Errorf("%s: job %q, want %q", c.url, job, c.job)
		}
	}
	for _, bad := range []string{"ftp://a.example.com", "http://u:p@a.example.com", "http://a.example.com/?x=1", "http://a.example.com/a%20b", "http:///x", "http://a.example.com/federate", "https://a.example.com/prom/federate/"} {
		if _, _, _, err := federationEndpoint(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestFederationHubNeedsClientApp: the C&C cluster's own client
// Prometheus is a target only while the prometheus-client app runs.
func TestFederationHubNeedsClientApp(t *testing.T) {
	env := exampleWithHub(t)
	hub := env.Federation.HubClusterID
	if !hasTarget(mustNew(t, env), hub) {
		t.Fatal("the hub's client Prometheus is not federated")
	}
	for _, a := range env.Apps {
		if a.Name == "prometheus-client" {
			a.Enabled = false
		}
	}
	if hasTarget(mustNew(t, env), hub) {
		t.Error("the hub is federated although prometheus-client is disabled")
	}
}

// TestFederationHubClusterIDCollision: a clusterID used twice is a user
// mistake validation reports (inventory fixture
// hub-cluster-id-is-workload-cluster); if one ever reached the model it
// would be our bug, so it panics rather than make two targets that
// Prometheus cannot tell apart.
func TestFederationHubClusterIDCollision(t *testing.T) {
	env := exampleWithHub(t)
	id := env.WorkloadClusters[0].ID
	env.Federation.HubClusterID = id
	rendertest.WantPanic(t, func() { New(env) }, `"`+id+`"`)
}

// exampleWithHub is the first example environment whose federation has
// the hub's client Prometheus and a workload cluster.
func exampleWithHub(t *testing.T) *inventory.Environment {
	t.Helper()
	for _, env := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		if env.Federation.HubClusterID != "" && env.EnabledApp("prometheus-client") != nil && len(env.WorkloadClusters) > 0 {
			return env
		}
	}
	t.Fatal("no example environment federates its hub and a workload cluster")
	return nil
}

func hasTarget(f *Model, id string) bool {
	for _, j := range f.Jobs {
		for _, tg := range j.Targets {
			if tg.ClusterID == id {
				return true
			}
		}
	}
	return false
}

func mustNew(t *testing.T, env *inventory.Environment) *Model {
	t.Helper()
	f, err := New(env)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
