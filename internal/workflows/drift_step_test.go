package workflows

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/tooltest"
)

// TestDriftStep runs ci.yml's drift check as GitHub would on a pull
// request: full history checked out, the base sha in BASE_SHA, on a
// repository whose second commit moves an HA node of the example dev
// environment. The check, of dev alone (the environment changed), passes
// and its summary says so and explains the change against the base
// before anything else. Every push to the main branch is checked in full
// (drift-main).
func TestDriftStep(t *testing.T) {
	tooltest.Look(t, "bash")
	tooltest.IsolateGit(t)
	data, err := os.ReadFile(filepath.Join(dir, "ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			If    string
			Steps []struct {
				Name, Uses, Run string
				With, Env       map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	var script string
	var env map[string]string
	for _, s := range wf.Jobs["drift"].Steps {
		if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["fetch-depth"] != "0" {
			t.Errorf("drift: the checkout must fetch the history (fetch-depth: 0), got %q", s.With["fetch-depth"])
		}
		if s.Name == "fleetgen check" {
			script, env = s.Run, s.Env
		}
	}
	if script == "" || env["BASE_SHA"] != "${{ github.event.pull_request.base.sha }}" {
		t.Fatalf("drift: no fleetgen check step fed the base sha: %q %v", script, env)
	}
	mainJob := wf.Jobs["drift-main"]
	full := false
	for _, s := range mainJob.Steps {
		if strings.Contains(s.Run, "fleetgen check") {
			full = !strings.Contains(s.Run, "--changed-since") && !strings.Contains(s.Run, "--env") && s.Env["FLEETGEN_CACHE"] == "off"
		}
	}
	if mainJob.If != "github.event_name == 'push'" || !full {
		t.Errorf("drift-main: want a full check, without a render cache, of every push to the main branch: %+v", mainJob)
	}

	repo := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(repo, "bin/fleetgen"), "../../cmd/fleetgen")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if err := os.CopyFS(filepath.Join(repo, "environments/dev"), os.DirFS("../../environments/dev")); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(repo, ".gitignore"), []byte("/bin/\n/out/.fleetgen.lock\n"), 0o644); err != nil { // as this repository's
		t.Fatal(err)
	}
	run("bin/fleetgen", "render")
	git("add", ".gitignore", "environments", "out")
	git("commit", "-q", "-m", "base")
	base := git("rev-parse", "HEAD")
	ha := filepath.Join(repo, "environments/dev/ha-legacy.hcl")
	hcl, err := os.ReadFile(ha)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ha, []byte(strings.Replace(string(hcl), `"10.10.250.165"`, `"10.10.250.166"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	run("bin/fleetgen", "render")
	git("add", "environments", "out")
	git("commit", "-q", "-m", "pull request")

	summary := filepath.Join(t.TempDir(), "summary.md")
	out, err := runStep(t, script, repo, "BASE_SHA="+base, "GITHUB_STEP_SUMMARY="+summary)
	if err != nil {
		t.Fatalf("the drift step failed: %v\n%s", err, out)
	}
	got, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	want := "✅ fleetgen check: `out` matches the inventory.\n\n" +
		"checked the environments changed since " + base + ": dev; the others are as they were there\n\n" +
		"### What this changes\n\nCompared with `out/` at `" + base + "`:\n\n**dev**\n\n" +
		"- HA legacy: node mm3 address 10.10.250.165 → 10.10.250.166 → 3 nodes' firewall and tunnels change\n"
	if string(got) != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}
