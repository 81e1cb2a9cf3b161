package explain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mattermost/fleetgen/internal/testkey"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render"
	"github.com/mattermost/fleetgen/render/layout"
)

// renderExamples renders the environments of dir (dev and prod: no
// chart cache needed) in memory, as path -> content.
func renderExamples(t *testing.T, dir string) map[string]string {
	t.Helper()
	inv, _, diags := inventory.Load(dir, "dev", "prod")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	files, rdiags := render.Render(inv, render.Options{})
	if len(rdiags) > 0 {
		t.Fatal(rdiags)
	}
	m := map[string]string{}
	for _, f := range files {
		m[f.Path] = string(f.Data)
	}
	return m
}

// edit replaces old with new in the file, which must contain it.
func edit(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestExamples explains real changes of the example inventory: a
// workload cluster, an HA node with fresh keys, gossip encryption turned
// off, a chart version and a Kubernetes version in prod; a node removed in
// dev. Both trees are what fleetgen renders.
func TestExamples(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../environments")); err != nil {
		t.Fatal(err)
	}
	before := renderExamples(t, dir)

	prod := filepath.Join(dir, "prod")
	edit(t, filepath.Join(prod, "workload-clusters.hcl"), `workload_cluster "b7kq2m9x4w8r1t6y3u5i0o2p4a" {`,
		"workload_cluster \"q1w2e3r4t5y6u7i8o9p0a1s2d3\" {\n  labels = { tier = \"shared\" }\n}\n\n"+`workload_cluster "b7kq2m9x4w8r1t6y3u5i0o2p4a" {`)
	edit(t, filepath.Join(prod, "ha-acme.hcl"), `mattermost_version = "10.11.4"`, "mattermost_version = \"10.11.4\"\n  gossip_encryption  = false\n"+
		"  node \"app9\" {\n    address    = \"10.20.0.19\"\n    host_key   = \""+testkey.Public(t, "")+"\"\n    tunnel_key = \""+testkey.Public(t, "mattermost@prod-app9")+"\"\n  }\n")
	edit(t, filepath.Join(prod, "environment.hcl"), "version    = \"12.11.1\"", "version    = \"12.12.0\"")
	edit(t, filepath.Join(prod, "environment.hcl"), `kubernetes_version = "1.33"`, `kubernetes_version = "1.34"`)
	data, err := os.ReadFile(filepath.Join(dir, "dev", "ha-legacy.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(data), `  node "mm3" {`)
	if err := os.WriteFile(filepath.Join(dir, "dev", "ha-legacy.hcl"), append(data[:i:i], "}\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	after := renderExamples(t, dir)

	r := Explain(trees(before, after))
	got := map[string][]string{"prod": lines(r, "prod"), "dev": lines(r, "dev")}
	want := map[string][]string{
		"prod": {
			"⚠ HA acme: gossip encryption turned off → needs a full cluster stop (all nodes stopped, then started)",
			"+ 1 federation target: q1w2e3r4t5y6u7i8o9p0a1s2d3",
			"HA acme: node app9 added (10.20.0.19) → 9 nodes' firewall and tunnels change",
			"app grafana: chart grafana 12.11.1 → 12.12.0",
			"workload log shipping: values added for 1 cluster: q1w2e3r4t5y6u7i8o9p0a1s2d3",
			`Terraform 1-cluster: aws_eks_cluster.this: version "1.33" → "1.34"`,
		},
		"dev": {
			"⚠ HA legacy: node mm3 removed → each other node cuts it off when applied (its established connections too, without restarting Mattermost); stop Mattermost on it afterwards",
			"HA legacy: firewall and tunnels change on 2 nodes (after.rules, fleetgen-tunnels.conf, health.sh, known_hosts, mattermost.authorized_keys, peers and 2 more)",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, e := range r.Environments {
		for _, s := range e.Statements {
			if s.Kind == KindOther {
				t.Errorf("%s: a change left unexplained: %s", e.Name, s.Text)
			}
		}
	}
	checkCovered(t, trees(before, after), r)
}

// checkCovered asserts that every changed file of a changed environment is
// in the paths of a statement, READMEs aside (they describe the rest).
func checkCovered(t *testing.T, tr Trees, r *Report) {
	t.Helper()
	covered := map[string]bool{}
	status := map[string]string{}
	for _, e := range r.Environments {
		status[e.Name] = e.Status
		for _, s := range e.Statements {
			for _, p := range s.Paths {
				covered[p] = true
			}
		}
	}
	for _, c := range tr.Changes {
		env := layout.Locate(c.Path).Env
		if env == "" || covered[c.Path] || filepath.Base(c.Path) == "README.md" {
			continue
		}
		t.Errorf("%s changed, in no statement's paths", c.Path)
	}
}
