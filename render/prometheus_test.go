package render

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/golden"
	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory"
)

// promLab is an environment with every kind of federation target.
const promLab = "testdata/prometheus/lab"

// loadEnv loads an inventory folder's only environment, failing on any
// diagnostic.
func loadEnv(t *testing.T, dir string) *inventory.Environment {
	t.Helper()
	inv := loadInventory(t, dir)
	if len(inv.Environments) != 1 {
		t.Fatalf("%s: want one environment, got %d", dir, len(inv.Environments))
	}
	return inv.Environments[0]
}

// renderPrometheusTo renders env's prometheus/ folder into dir and returns
// the path of prometheus.yml.
func renderPrometheusTo(t *testing.T, env *inventory.Environment, dir string) string {
	t.Helper()
	files, err := Prometheus(env)
	if err != nil {
		t.Fatal(err)
	}
	prefix := env.Name + "/prometheus/"
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(f.Path, prefix)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "prometheus.yml")
}

func TestPrometheusGolden(t *testing.T) {
	files, err := Prometheus(loadEnv(t, promLab))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("want prometheus.yml and one rules file, got %d files", len(files))
	}
	for _, f := range files {
		checkFileGuarantees(t, f)
		golden.Assert(t, filepath.Join("testdata/prometheus/golden", filepath.FromSlash(f.Path)), f.Data)
	}
}

// TestPrometheusPromtoolCheck has promtool check the configuration (which
// loads its rule files too) and the rules of every example environment and
// of the lab fixture.
func TestPrometheusPromtoolCheck(t *testing.T) {
	promtool := tooltest.Look(t, "promtool")
	envs := loadInventory(t, "../environments").Environments
	envs = append(envs, loadEnv(t, promLab))
	for _, env := range envs {
		t.Run(env.Name, func(t *testing.T) {
			config := renderPrometheusTo(t, env, t.TempDir())
			runTool(t, promtool, "check", "config", config)
			runTool(t, promtool, "check", "rules", filepath.Join(filepath.Dir(config), promRulesFile))
		})
	}
}

// TestPrometheusRuleUnitTests fires, and keeps silent, every alert of the
// rendered rules with promtool's unit tests
// (testdata/prometheus/federation.rules.test.yml, written for the lab
// fixture's 30s scrape timeout).
func TestPrometheusRuleUnitTests(t *testing.T) {
	promtool := tooltest.Look(t, "promtool")
	dir := t.TempDir()
	config := renderPrometheusTo(t, loadEnv(t, promLab), dir)
	rulesDir := filepath.Join(filepath.Dir(config), "rules")
	test, err := os.ReadFile("testdata/prometheus/federation.rules.test.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rulesDir, "federation.rules.test.yml"), test, 0o644); err != nil {
		t.Fatal(err)
	}
	rules, err := federationRules(mustFederation(t, loadEnv(t, promLab)))
	if err != nil {
		t.Fatal(err)
	}
	// Every alert must be exercised by the unit tests.
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if !strings.Contains(string(test), "alertname: "+r.Alert+"\n") {
				t.Errorf("alert %s has no promtool unit test", r.Alert)
			}
		}
	}
	runTool(t, promtool, "test", "rules", filepath.Join(rulesDir, "federation.rules.test.yml"))
}

// TestPrometheusTwoThousandClusters renders an environment of 2,000
// workload clusters and has promtool accept it.
func TestPrometheusTwoThousandClusters(t *testing.T) {
	promtool := tooltest.Look(t, "promtool")
	inv := copyLab(t)
	var b strings.Builder
	for i := range 2000 {
		b.WriteString(fmt.Sprintf("workload_cluster \"scale%04d\" {\n  labels = { tier = \"shared\" }\n}\n", i))
	}
	writeFile(t, filepath.Join(inv, "lab", "scale.hcl"), b.String())
	env := loadEnv(t, inv)
	fed := mustFederation(t, env)
	var targets int
	for _, j := range fed.Jobs {
		targets += len(j.Targets)
	}
	if want := 2000 + 5; targets != want { // the lab's 4 federated clusters and the hub
		t.Fatalf("federation has %d targets, want %d", targets, want)
	}
	config := renderPrometheusTo(t, env, t.TempDir())
	runTool(t, promtool, "check", "config", config)
}

// TestPrometheusNewClusterAddsOneEntry checks the reviewability promise: a
// new cluster's PR changes prometheus.yml by one inserted static_configs
// entry and moves nothing else.
func TestPrometheusNewClusterAddsOneEntry(t *testing.T) {
	inv := copyLab(t)
	before := promConfigData(t, loadEnv(t, inv))
	writeFile(t, filepath.Join(inv, "lab", "new.hcl"), "workload_cluster \"aaaa1112\" {\n  labels = { tier = \"shared\" }\n}\n")
	after := promConfigData(t, loadEnv(t, inv))

	want := "      - targets:\n          - aaaa1112.prometheus.internal.lab.example.com:80\n        labels:\n          clusterID: aaaa1112\n          environment: lab\n          tier: shared\n"
	if strings.Count(after, want) != 1 {
		t.Fatalf("the new cluster is not exactly one entry %q:\n%s", want, after)
	}
	if removed := strings.Replace(after, want, "", 1); removed != before {
		t.Errorf("adding a cluster changed more than its own entry:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// The entry lands in order, before the next cluster's.
	if strings.Index(after, "clusterID: aaaa1112") > strings.Index(after, "clusterID: eeee5555") {
		t.Errorf("the new cluster is not sorted by ID:\n%s", after)
	}
}

func TestPrometheusLeavesOutUnfederated(t *testing.T) {
	data := promConfigData(t, loadEnv(t, promLab))
	if strings.Contains(data, "dddd4444") {
		t.Errorf("cluster dddd4444 has federate = false but is a target:\n%s", data)
	}
	if !strings.Contains(data, "clusterID: eeee5555") {
		t.Errorf("federated cluster eeee5555 is missing:\n%s", data)
	}
}

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

func TestFederationHubNeedsClientApp(t *testing.T) {
	env := loadEnv(t, promLab)
	if !hasTarget(mustFederation(t, env), "hub") {
		t.Fatal("the hub's client Prometheus is not federated")
	}
	for _, a := range env.Apps {
		if a.Name == "prometheus-client" {
			a.Enabled = false
		}
	}
	if hasTarget(mustFederation(t, env), "hub") {
		t.Error("the hub is federated although prometheus-client is disabled")
	}
}

func hasTarget(f *federation, id string) bool {
	for _, j := range f.Jobs {
		for _, tg := range j.Targets {
			if tg.ClusterID == id {
				return true
			}
		}
	}
	return false
}

func mustFederation(t *testing.T, env *inventory.Environment) *federation {
	t.Helper()
	f, err := newFederation(env)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func promConfigData(t *testing.T, env *inventory.Environment) string {
	t.Helper()
	files, err := Prometheus(env)
	if err != nil {
		t.Fatal(err)
	}
	return string(fileData(t, files, env.Name+"/prometheus/prometheus.yml"))
}

// copyLab copies the lab fixture into a temporary inventory folder a test
// may add files to.
func copyLab(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(promLab)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// runTool runs a program and fails the test with its output when it fails.
func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestFederationHubClusterIDCollision: a clusterID used twice is a user
// mistake validation reports (inventory fixture
// hub-cluster-id-is-workload-cluster); if one ever reached the renderer it
// would be our bug, so it panics rather than render two targets that
// Prometheus cannot tell apart.
func TestFederationHubClusterIDCollision(t *testing.T) {
	env := loadEnv(t, promLab)
	env.Federation.HubClusterID = "aaaa1111"
	wantPanic(t, func() { newFederation(env) }, `"aaaa1111"`)
}

// BenchmarkPrometheusTwoThousandClusters measures rendering the federation
// of a large environment.
func BenchmarkPrometheusTwoThousandClusters(b *testing.B) {
	inv, _, diags := inventory.Load(promLab)
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	env := inv.Environments[0]
	for i := range 2000 {
		env.WorkloadClusters = append(env.WorkloadClusters, &inventory.WorkloadCluster{
			ID: fmt.Sprintf("scale%04d", i), Federate: true,
			PrometheusURL: fmt.Sprintf("http://scale%04d.prometheus.internal.lab.example.com:80", i),
			Labels:        map[string]string{"tier": "shared"},
		})
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Prometheus(env); err != nil {
			b.Fatal(err)
		}
	}
}
