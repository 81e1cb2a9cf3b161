package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mattermost/fleetgen/affected"
	"github.com/mattermost/fleetgen/internal/golden"
	"github.com/mattermost/fleetgen/internal/tooltest"
)

// affectedRepo is a git repository built by the test: the example
// inventory rendered by the real fleetgen, one commit per change.
type affectedRepo struct {
	t       *testing.T
	dir     string
	commits map[string]string // step name -> commit id
	golden  string            // testdata/affected, absolute: the test runs in dir
}

func newAffectedRepo(t *testing.T) *affectedRepo {
	t.Helper()
	tooltest.IsolateGit(t)
	goldenDir, err := filepath.Abs("testdata/affected")
	if err != nil {
		t.Fatal(err)
	}
	r := &affectedRepo{t: t, dir: t.TempDir(), commits: map[string]string{}, golden: goldenDir}
	r.git("init", "-q", "-b", "main")
	// The inventory and the chart cache its hydrated environment renders from.
	for _, dir := range []string{"environments", "charts"} {
		if err := os.CopyFS(filepath.Join(r.dir, dir), os.DirFS(filepath.Join("../..", dir))); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(r.dir)
	r.commit("init")
	return r
}

func (r *affectedRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// edit rewrites an inventory file (relative to environments/) by replacing
// old, which must occur, with new.
func (r *affectedRepo) edit(file, old, new string) {
	r.t.Helper()
	p := filepath.Join(r.dir, "environments", file)
	data, err := os.ReadFile(p)
	if err != nil {
		r.t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		r.t.Fatalf("%s does not contain %q", file, old)
	}
	if err := os.WriteFile(p, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit renders the inventory with the real fleetgen and commits
// everything as step.
func (r *affectedRepo) commit(step string) {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"render"}, &stdout, &stderr); code != exitOK {
		r.t.Fatalf("%s: fleetgen render exited %d\n%s", step, code, stderr.String())
	}
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", step)
	r.commits[step] = r.git("rev-parse", "HEAD")
}

// affected runs fleetgen affected and returns its exit code and output,
// with commit ids replaced by their step names so goldens stay stable.
func (r *affectedRepo) affected(args ...string) (int, string, string) {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"affected"}, args...), &stdout, &stderr)
	out := stdout.String()
	for step, id := range r.commits {
		out = strings.ReplaceAll(out, id, "<"+step+">")
	}
	return code, out, stderr.String()
}

// TestAffected builds a repository of real renders, one commit per kind of
// change, and pins the whole `fleetgen affected --format json` document of
// each (goldens under testdata/affected/, rewritten with -update), plus the
// facts the apply workflow relies on, asserted by hand.
func TestAffected(t *testing.T) {
	r := newAffectedRepo(t)

	r.edit("prod/workload-clusters.hcl", "# Workload clusters of prod, one block per cluster the provisioner made.\n",
		"# Workload clusters of prod, one block per cluster the provisioner made.\n\nworkload_cluster \"zz9new0cluster0added0by0test\" {\n  labels = { tier = \"shared\" }\n}\n")
	r.commit("workload")
	// mm3 moves: every node of the cluster gets new firewall rules.
	r.edit("dev/ha-legacy.hcl", `"10.10.250.165"`, `"10.10.250.166"`)
	r.commit("firewall")
	r.edit("dev/environment.hcl", `"t3.large"`, `"t3.xlarge"`)
	r.commit("terraform")
	stage, err := os.ReadFile(filepath.Join(r.dir, "environments/dev/environment.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(r.dir, "environments/stage"), os.DirFS(filepath.Join(r.dir, "environments/dev"))); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(r.dir, "environments/stage/ha-legacy.hcl")) // addresses are unique across environments
	if err := os.WriteFile(filepath.Join(r.dir, "environments/stage/environment.hcl"), bytes.ReplaceAll(stage, []byte("dev"), []byte("stage")), 0o644); err != nil {
		t.Fatal(err)
	}
	r.commit("add-env")
	// app8 leaves prod's acme cluster: the 7 others change, app8 is reported.
	acme, err := os.ReadFile(filepath.Join(r.dir, "environments/prod/ha-acme.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	app8 := regexp.MustCompile(`(?s)\n  node "app8" \{.*?\n  \}`)
	if !app8.Match(acme) {
		t.Fatal("ha-acme.hcl has no node app8")
	}
	if err := os.WriteFile(filepath.Join(r.dir, "environments/prod/ha-acme.hcl"), app8.ReplaceAll(acme, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	r.commit("remove-node")
	// Gossip encryption turned off: nodes that disagree cannot talk, so
	// the whole cluster stops; no node's own settings change.
	r.edit("prod/ha-acme.hcl", "mattermost_version = \"10.11.4\"\n", "mattermost_version = \"10.11.4\"\n  gossip_encryption  = false\n")
	r.commit("full-stop")
	if err := os.RemoveAll(filepath.Join(r.dir, "environments/dev")); err != nil {
		t.Fatal(err)
	}
	r.commit("remove-env")
	r.commit("nothing") // an empty commit: a re-run of the same tree

	decode := func(t *testing.T, out string) affected.Report {
		t.Helper()
		var rep affected.Report
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rep); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return rep
	}
	steps := []string{"init", "workload", "firewall", "terraform", "add-env", "remove-node", "full-stop", "remove-env", "nothing"}
	for i, step := range steps[1:] {
		t.Run(step, func(t *testing.T) {
			code, out, stderr := r.affected("--base", r.commits[steps[i]], "--head", r.commits[step], "--format", "json")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			golden.Assert(t, filepath.Join(r.golden, step+".json"), []byte(out))
			rep := decode(t, out)
			check := map[string]func(){
				"workload": func() {
					if len(rep.ArgoCD) != 1 || rep.ArgoCD[0].Env != "prod" || !slices.Contains(rep.ArgoCD[0].Files, "out/prod/prometheus/prometheus.yml") ||
						len(rep.Terraform)+len(rep.HA)+len(rep.Removed) != 0 {
						t.Errorf("a new workload cluster changes prod's Prometheus (Argo CD) and nothing else: %+v", rep)
					}
				},
				"firewall": func() {
					if len(rep.HA) != 1 || len(rep.HA[0].Nodes) != 3 || rep.HA[0].Nodes[2] != (affected.HANode{
						Name: "mm3", Address: "10.10.250.166", Port: 22, Pinned: true, Dir: "out/dev/ha/legacy/mm3", Restart: true}) ||
						rep.HA[0].Nodes[0].Restart || rep.HA[0].Nodes[1].Restart || rep.HA[0].FullStop ||
						rep.HA[0].KnownHosts != "out/dev/ha/legacy/known_hosts" || len(rep.Terraform) != 0 {
						t.Errorf("a moved node changes the firewall of its 3 nodes, in ordinal order, at the new address, and restarts Mattermost on itself alone (its own AdvertiseAddress): %+v", rep)
					}
				},
				"terraform": func() {
					if diff := cmp.Diff([]affected.Terraform{{Env: "dev", Dir: "out/dev/terraform", Layers: []string{"1-cluster"},
						Apply: []string{"1-cluster", "2-cluster-post-installation", "3-route53-registration"}}}, rep.Terraform); diff != "" || len(rep.HA)+len(rep.ArgoCD) != 0 {
						t.Errorf("the instance type is layer 1's alone, which the later layers read (-want +got):\n%s", diff)
					}
				},
				"add-env": func() {
					if !slices.Equal(rep.Added, []string{"stage"}) || len(rep.Terraform) != 1 ||
						!slices.Equal(rep.Terraform[0].Layers, []string{"1-cluster", "2-cluster-post-installation", "3-route53-registration"}) {
						t.Errorf("a new environment has every layer, in order: %+v", rep)
					}
				},
				"remove-node": func() {
					if diff := cmp.Diff([]affected.Removed{{Env: "prod", Kind: "ha-node", Cluster: "acme", Name: "app8"}}, rep.Removed); diff != "" || len(rep.HA) != 1 || len(rep.HA[0].Nodes) != 7 {
						t.Errorf("a removed node is reported, its 7 peers applied (-want +got):\n%s\n%+v", diff, rep)
					}
					for _, n := range rep.HA[0].Nodes {
						if n.Restart || rep.HA[0].FullStop {
							t.Errorf("removing a node restarts no other node and needs no full stop: %+v", rep.HA[0])
						}
					}
				},
				"full-stop": func() {
					if len(rep.HA) != 1 || !rep.HA[0].FullStop || !slices.Equal(rep.HA[0].FullStopBecause, []string{"EnableGossipEncryption"}) {
						t.Errorf("turning gossip encryption off needs a full stop: %+v", rep.HA)
					}
				},
				"remove-env": func() {
					if diff := cmp.Diff(affected.Report{
						Head: rep.Head, Base: rep.Base, Environments: []string{"dev"}, Added: []string{}, Terraform: []affected.Terraform{},
						ArgoCD: []affected.ArgoCD{}, HA: []affected.HACluster{}, Unknown: []string{},
						Removed: []affected.Removed{{Env: "dev", Kind: "environment", Name: "dev"}},
					}, rep); diff != "" {
						t.Errorf("a removed environment is reported and nothing applied (-want +got):\n%s", diff)
					}
				},
				"nothing": func() {
					if len(rep.Environments) != 0 {
						t.Errorf("the same tree needs nothing: %+v", rep)
					}
				},
			}
			check[step]()
		})
	}

	t.Run("range", func(t *testing.T) {
		// Several commits at once: the union, layer order kept.
		code, out, stderr := r.affected("--base", r.commits["workload"], "--head", r.commits["remove-node"], "--format", "json")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		golden.Assert(t, filepath.Join(r.golden, "range.json"), []byte(out))
	})

	t.Run("no base", func(t *testing.T) {
		// GitHub's github.event.before on a new branch: everything is new.
		code, out, stderr := r.affected("--base", strings.Repeat("0", 40), "--env", "stage", "--format", "json")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		golden.Assert(t, filepath.Join(r.golden, "no-base.json"), []byte(out))
		if rep := decode(t, out); rep.Base != "" || !slices.Equal(rep.Added, []string{"stage"}) || len(rep.Terraform) != 1 || len(rep.ArgoCD) != 1 {
			t.Errorf("no base: stage is new, with every layer and its Argo CD side: %+v", rep)
		}
	})

	t.Run("text", func(t *testing.T) {
		code, out, stderr := r.affected("--base", r.commits["init"], "--head", r.commits["remove-env"])
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		golden.Assert(t, filepath.Join(r.golden, "range.txt"), []byte(out))
	})

	t.Run("errors", func(t *testing.T) {
		shallow := t.TempDir()
		r.git("clone", "-q", "--depth", "1", "file://"+r.dir, shallow)
		for _, tc := range []struct {
			name, dir string
			args      []string
			stderr    string
		}{
			{"unknown ref", r.dir, []string{"--base", "no-such-ref"}, `fleetgen: --base "no-such-ref" is not a commit of this repository.` + "\n"},
			{"unknown head", r.dir, []string{"--base", "HEAD", "--head", "deadbeef"}, `fleetgen: --head "deadbeef" is not a commit of this repository.` + "\n"},
			{"option as ref", r.dir, []string{"--base=--output=x"}, `fleetgen: --base "--output=x" is not a commit of this repository.` + "\n"},
			{"shallow clone", shallow, []string{"--base", r.commits["init"]},
				`fleetgen: --base "` + r.commits["init"] + `" is not a commit of this repository. This clone is shallow: fetch the history (actions/checkout with fetch-depth: 0, or git fetch --unshallow).` + "\n"},
			{"not a repository", t.TempDir(), []string{"--base", "HEAD"}, "is not in a git repository: git rev-parse: fatal: not a git repository"},
			{"no base", r.dir, nil, `fleetgen: required flag(s) "base" not set` + "\n"},
			{"format", r.dir, []string{"--base", "HEAD", "--format", "yaml"}, `fleetgen: unknown --format "yaml": use text or json` + "\n"},
			{"unknown env", r.dir, []string{"--base", "HEAD", "--env", "qa"}, `fleetgen: --env "qa": no environment of that name in out at either commit` + "\n"},
			{"out outside", r.dir, []string{"--base", "HEAD", "--out", "../x"}, `fleetgen: --out "../x" must be a folder inside the repository` + "\n"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Chdir(tc.dir)
				var stdout, stderr bytes.Buffer
				code := run(append([]string{"affected"}, tc.args...), &stdout, &stderr)
				if code != exitError || stdout.Len() != 0 || !strings.Contains(stderr.String(), tc.stderr) {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, no stdout, stderr with %q", code, stdout.String(), stderr.String(), tc.stderr)
				}
			})
		}
	})
}
