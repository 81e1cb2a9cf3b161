package prometheus

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/golden"
	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/federation"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// promLab is an environment with every kind of federation target.
const promLab = "testdata/lab"

// render renders env, failing the test on any diagnostic.
func render(t testing.TB, env *inventory.Environment) []layout.File {
	t.Helper()
	files, diags := Render(env)
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	return files
}

// renderPrometheusTo renders env's prometheus/ folder into dir and returns
// the path of prometheus.yml.
func renderPrometheusTo(t *testing.T, env *inventory.Environment, dir string) string {
	t.Helper()
	prefix := filepath.Dir(layout.PrometheusConfig(env.Name)) + "/"
	for _, f := range render(t, env) {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(f.Path, prefix)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		rendertest.WriteFile(t, p, string(f.Data))
	}
	return filepath.Join(dir, filepath.Base(layout.PrometheusConfig(env.Name)))
}

func TestPrometheusGolden(t *testing.T) {
	files := render(t, rendertest.LoadEnv(t, promLab))
	if len(files) != 3 {
		t.Fatalf("want prometheus.yml, one rules file and alertmanager.yml, got %d files", len(files))
	}
	for _, f := range files {
		rendertest.CheckFileGuarantees(t, f)
		golden.Assert(t, filepath.Join("testdata/golden", filepath.FromSlash(f.Path)), f.Data)
	}
}

// TestPrometheusPromtoolCheck has promtool check the configuration (which
// loads its rule files too) and the rules of every example environment and
// of the lab fixture.
func TestPrometheusPromtoolCheck(t *testing.T) {
	promtool := tooltest.Look(t, "promtool")
	envs := rendertest.LoadInventory(t, rendertest.Examples()).Environments
	envs = append(envs, rendertest.LoadEnv(t, promLab))
	for _, env := range envs {
		if env.EnabledApp("prometheus") == nil {
			continue // no central Prometheus, no files (TestPrometheusOnlyWithTheCentralApp)
		}
		t.Run(env.Name, func(t *testing.T) {
			config := renderPrometheusTo(t, env, t.TempDir())
			rendertest.RunTool(t, promtool, "check", "config", config)
			rendertest.RunTool(t, promtool, "check", "rules", filepath.Join(filepath.Dir(config), layout.PrometheusRulesRef))
		})
	}
}

// TestPrometheusRuleUnitTests fires, and keeps silent, every alert of the
// rendered rules with promtool's unit tests
// (testdata/federation.rules.test.yml, written for the lab fixture's 30s
// scrape timeout).
func TestPrometheusRuleUnitTests(t *testing.T) {
	promtool := tooltest.Look(t, "promtool")
	dir := t.TempDir()
	config := renderPrometheusTo(t, rendertest.LoadEnv(t, promLab), dir)
	rulesDir := filepath.Dir(filepath.Join(filepath.Dir(config), layout.PrometheusRulesRef))
	test, err := os.ReadFile("testdata/federation.rules.test.yml")
	if err != nil {
		t.Fatal(err)
	}
	rendertest.WriteFile(t, filepath.Join(rulesDir, "federation.rules.test.yml"), string(test))
	rules, err := federation.Rules(mustFederation(t, rendertest.LoadEnv(t, promLab)))
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
	rendertest.RunTool(t, promtool, "test", "rules", filepath.Join(rulesDir, "federation.rules.test.yml"))
}

// TestPrometheusTwoThousandClusters renders an environment of 2,000
// workload clusters and has promtool accept it.
func TestPrometheusTwoThousandClusters(t *testing.T) {
	promtool := tooltest.Look(t, "promtool")
	inv := copyLab(t)
	var b strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&b, "workload_cluster \"scale%04d\" {\n  labels = { tier = \"shared\" }\n}\n", i)
	}
	rendertest.WriteFile(t, filepath.Join(inv, "lab", "scale.hcl"), b.String())
	env := rendertest.LoadEnv(t, inv)
	fed := mustFederation(t, env)
	var targets int
	for _, j := range fed.Jobs {
		targets += len(j.Targets)
	}
	if want := 2000 + 5; targets != want { // the lab's 4 federated clusters and the hub
		t.Fatalf("federation has %d targets, want %d", targets, want)
	}
	config := renderPrometheusTo(t, env, t.TempDir())
	rendertest.RunTool(t, promtool, "check", "config", config)
}

// TestPrometheusNewClusterAddsOneEntry checks the reviewability promise: a
// new cluster's PR changes prometheus.yml by one inserted static_configs
// entry and moves nothing else.
func TestPrometheusNewClusterAddsOneEntry(t *testing.T) {
	inv := copyLab(t)
	before := promConfigData(t, rendertest.LoadEnv(t, inv))
	rendertest.WriteFile(t, filepath.Join(inv, "lab", "new.hcl"), "workload_cluster \"aaaa1112\" {\n  labels = { tier = \"shared\" }\n}\n")
	after := promConfigData(t, rendertest.LoadEnv(t, inv))

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
	data := promConfigData(t, rendertest.LoadEnv(t, promLab))
	if strings.Contains(data, "dddd4444") {
		t.Errorf("cluster dddd4444 has federate = false but is a target:\n%s", data)
	}
	if !strings.Contains(data, "clusterID: eeee5555") {
		t.Errorf("federated cluster eeee5555 is missing:\n%s", data)
	}
}

func mustFederation(t *testing.T, env *inventory.Environment) *federation.Model {
	t.Helper()
	f, err := federation.New(env)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func promConfigData(t *testing.T, env *inventory.Environment) string {
	t.Helper()
	return string(rendertest.FileData(t, render(t, env), layout.PrometheusConfig(env.Name)))
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

// BenchmarkPrometheusTwoThousandClusters measures rendering the federation
// of a large environment.
func BenchmarkPrometheusTwoThousandClusters(b *testing.B) {
	env := rendertest.LoadEnv(b, promLab)
	for i := range 2000 {
		env.WorkloadClusters = append(env.WorkloadClusters, &inventory.WorkloadCluster{
			ID: fmt.Sprintf("scale%04d", i), Federate: true,
			PrometheusURL: fmt.Sprintf("http://scale%04d.prometheus.internal.lab.example.com:80", i),
			Labels:        map[string]string{"tier": "shared"},
		})
	}
	b.ResetTimer()
	for b.Loop() {
		render(b, env)
	}
}
