package prsummary_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/affected"
	"github.com/mattermost/fleetgen/internal/action"
	"github.com/mattermost/fleetgen/internal/testkey"
	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/prsummary"
)

// tfEnv runs terraform (or tofu) alone: no CLI configuration of the
// machine's (tofu warns on standard output, ahead of show -json, about one
// named but missing), no checkpoint call.
var tfEnv = []string{"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE=/dev/null"}

func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), tfEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func edit(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s has no %q", file, old)
	}
	os.WriteFile(file, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644)
}

func editRe(t *testing.T, file, re, repl string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r := regexp.MustCompile(re)
	if !r.Match(data) {
		t.Fatalf("%s has no match for %s", file, re)
	}
	os.WriteFile(file, r.ReplaceAll(data, []byte(repl)), 0o644)
}

// realPlan makes a real saved plan with the terraform (or tofu) binary and
// returns `terraform show -json` of it. The rendered layers need AWS (their
// providers assume the environment's role), so the plan is of a layer of
// the built-in terraform_data resource: one created, one updated, one
// replaced and one destroyed.
func realPlan(t *testing.T) []byte {
	t.Helper()
	tf := tooltest.TerraformFormatter(t)
	dir := t.TempDir()
	write := func(src string) { os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644) }
	write(`
resource "terraform_data" "kept" { input = "v1" }
resource "terraform_data" "replaced" { triggers_replace = ["a"] }
resource "terraform_data" "gone" {}
`)
	run(t, dir, tf, "init", "-input=false", "-no-color")
	run(t, dir, tf, "apply", "-input=false", "-auto-approve", "-no-color")
	write(`
resource "terraform_data" "kept" { input = "v2" }
resource "terraform_data" "replaced" { triggers_replace = ["b"] }
resource "terraform_data" "new" {}
`)
	run(t, dir, tf, "plan", "-input=false", "-no-color", "-out=plan.bin")
	show := exec.Command(tf, "show", "-json", "plan.bin")
	show.Dir = dir
	show.Env = append(os.Environ(), tfEnv...)
	out, err := show.Output()
	if err != nil {
		t.Fatalf("%s show -json: %v", tf, err)
	}
	return out
}

func TestReadPlanCountsAsTerraformDoes(t *testing.T) {
	p, err := prsummary.ReadPlan(realPlan(t))
	if err != nil {
		t.Fatal(err)
	}
	// terraform plan says "Plan: 2 to add, 1 to change, 2 to destroy."
	if p.Add != 2 || p.Change != 1 || p.Destroy != 2 {
		t.Errorf("got %s, want 2 to add, 1 to change, 2 to destroy", p)
	}
	want := []string{"create terraform_data.new", "destroy terraform_data.gone", "replace terraform_data.replaced", "update terraform_data.kept"}
	if strings.Join(p.Actions, "|") != strings.Join(want, "|") {
		t.Errorf("actions %q, want %q", p.Actions, want)
	}
	if _, err := prsummary.ReadPlan([]byte(`{"resource_changes":[]}`)); err == nil {
		t.Error("a JSON document without format_version was read as a plan")
	}
}

// A pull request that changes a Terraform layer, an Application (and a
// hydrated app's objects) and an HA cluster's nodes gets a summary that
// says so, with the real plan's counts, and "plan not available" with the
// reason where the workflow had no credentials.
func TestSummaryOfAChange(t *testing.T) {
	tooltest.IsolateGit(t)
	repo := t.TempDir()
	for _, d := range []string{"environments", "out", "charts"} {
		run(t, "", "cp", "-a", filepath.Join("..", d), repo)
	}
	os.Remove(filepath.Join(repo, "out", ".fleetgen.lock"))
	run(t, repo, "git", "init", "--quiet", "-b", "main")
	run(t, repo, "git", "add", "-A")
	run(t, repo, "git", "commit", "--quiet", "-m", "base")

	edit(t, filepath.Join(repo, "environments/prod/environment.hcl"), "desired_size       = 3", "desired_size       = 4")
	editRe(t, filepath.Join(repo, "environments/prod/environment.hcl"), `(app "grafana" \{\s*version\s*=\s*)"[^"]+"`, `${1}"99.0.0"`)
	// app3's tunnel key is rotated: the peers' authorized keys change.
	edit(t, filepath.Join(repo, "environments/prod/ha-acme.hcl"), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKD1P0FF0qVzTsAq0mVmlUhKpdDpmrDoi20T2pBKD2A5 mattermost@prod-app3", testkey.Named("rotated app3"))
	edit(t, filepath.Join(repo, "environments/sandbox/environment.hcl"), "replicaCount = 2", "replicaCount = 3")
	cfg := &action.Config{InventoryDir: filepath.Join(repo, "environments"), OutDir: filepath.Join(repo, "out"), ChartsDir: filepath.Join(repo, "charts")}
	if _, err := (&action.Render{Config: cfg}).Run(); err != nil {
		t.Fatal(err)
	}
	run(t, repo, "git", "add", "-A")
	run(t, repo, "git", "commit", "--quiet", "-m", "change")

	plans := t.TempDir()
	os.MkdirAll(filepath.Join(plans, "prod"), 0o755)
	os.WriteFile(filepath.Join(plans, "prod", "1-cluster.json"), realPlan(t), 0o644)
	os.WriteFile(filepath.Join(plans, "prod", "2-cluster-post-installation.unavailable"), []byte("no read-only role for prod (vars.FLEETGEN_PLAN_ROLE_ARN_PROD is not set)\n"), 0o644)

	s, err := prsummary.Build(context.Background(), prsummary.Options{Dir: repo, OutDir: "out", Base: "HEAD~1", Head: "HEAD", Plans: plans})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := s.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	t.Log(md)
	for _, want := range []string{
		prsummary.Marker,
		"### prod",
		"| `1-cluster` | 2 to add, 1 to change, 2 to destroy |",
		"| `2-cluster-post-installation` (unchanged; applied after an earlier layer) | plan not available: no read-only role for prod (vars.FLEETGEN_PLAN_ROLE_ARN_PROD is not set) |",
		"replace terraform_data.replaced",
		"- `grafana`: Application changed",
		"**HA acme**: apply.sh on 7 node(s), one at a time, each waiting for the health gate\n",
		"- firewall and tunnels only, no restart: app1, app2, app4, app5, app6, app7, app8\n",
		"### sandbox",
		"- `hello`: values, objects changed <details><summary>1 objects</summary>",
		"~ Deployment ",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the summary lacks %q", want)
		}
	}
	if strings.Contains(md, "### dev") {
		t.Error("the summary names dev, which the change does not touch")
	}
}

// A change the nodes cannot roll through says so, with the settings.
func TestSummaryOfAFullStop(t *testing.T) {
	s := &prsummary.Summary{Environments: []prsummary.Environment{{Name: "prod", HA: []affected.HACluster{{
		Cluster: "acme", FullStop: true, FullStopBecause: []string{"EnableGossipEncryption"},
		Nodes: []affected.HANode{{Name: "app1", Restart: true}, {Name: "app2", Restart: true}},
	}}}}}
	var b bytes.Buffer
	s.WriteMarkdown(&b)
	for _, want := range []string{
		"**HA acme**: apply.sh on 2 node(s), **needs a full cluster stop** (EnableGossipEncryption changes)",
		"- Mattermost restarts on: app1, app2\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, b.String())
		}
	}
}
