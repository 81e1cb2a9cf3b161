package workflows

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/tooltest"
)

// TestApplyAffectedStep runs the affected job's script with the real
// fleetgen on a repository of two commits and a fake gh: which base it
// picks (the last successful run, the pushed range, everything), the job
// outputs that feed the matrices, the warnings and the step summary.
func TestApplyAffectedStep(t *testing.T) {
	tooltest.Look(t, "jq", "bash") // GitHub's runners have them
	tooltest.IsolateGit(t)
	script, _ := applyStep(t, "affected", "fleetgen affected")
	repo, bin := t.TempDir(), t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(repo, "bin/fleetgen"), "../../cmd/fleetgen")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(files map[string]string) {
		for name, data := range files {
			p := filepath.Join(repo, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		git("add", "-A")
		git("commit", "-q", "-m", "x")
	}
	// fleetgen affected reads git alone: a tree in out/'s layout is enough.
	git("init", "-q", "-b", "main")
	os.WriteFile(filepath.Join(repo, ".gitignore"), []byte("bin/\n"), 0o644)
	write(map[string]string{
		"out/prod/terraform/1-cluster/main.tf":             "a",
		"out/prod/helm/grafana.values.yaml":                "a",
		"out/prod/ha/acme/known_hosts":                     "10.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfpnB5+/KpQiWsdCiOCttATb6nWZUFMt8jgamsOFemr n1\n",
		"out/prod/ha/acme/n1/apply.sh":                     "a",
		"out/dev/terraform/1-cluster/main.tf":              "a",
		"out/dev/terraform/3-route53-registration/main.tf": "a",
	})
	first := git("rev-parse", "HEAD")
	write(map[string]string{
		"out/prod/terraform/1-cluster/main.tf": "b",
		"out/prod/helm/grafana.values.yaml":    "b",
		"out/prod/notes.txt":                   "not a path fleetgen renders",
	})
	git("rm", "-q", "-r", "out/dev/terraform/3-route53-registration")
	git("commit", "-q", "-m", "rm")
	head := git("rev-parse", "HEAD")

	// gh run list: prints GH_BASE ("" when no run succeeded), or fails
	// with GH_FAIL; its arguments are logged.
	ghLog := filepath.Join(bin, "gh.log")
	fakeBin(t, bin, "gh", `echo "$*" >>"`+ghLog+`"; [ -z "${GH_FAIL:-}" ] || { echo "HTTP 403: Resource not accessible by integration" >&2; exit 1; }; echo "${GH_BASE:-}"`+"\n")
	for _, tc := range []struct {
		name                        string
		env                         []string
		fail                        bool
		terraform, ha, out, summary string
	}{
		{
			name:      "last successful run",
			env:       []string{"EVENT=push", "GH_BASE=" + first},
			terraform: `terraform=[{"env":"prod","dir":"out/prod/terraform","layers":["1-cluster"],"apply":["1-cluster"]}]`,
			ha:        `ha=[]`,
			out:       "::warning::dev: terraform-layer 3-route53-registration is no longer rendered; it is not destroyed: see docs/apply.md",
			summary:   "- **prod**: [out/prod](https://github.com/o/r/tree/" + head + "/out/prod), changed:\n  - [`out/prod/helm/grafana.values.yaml`](https://github.com/o/r/tree/" + head + "/out/prod/helm/grafana.values.yaml)",
		},
		{
			// Not the pushed range: the changes of a first run that
			// failed (the commit before this push) would never be applied.
			name:      "no successful run: everything",
			env:       []string{"EVENT=push", "GH_BASE="},
			terraform: `terraform=[{"env":"dev","dir":"out/dev/terraform","layers":["1-cluster"],"apply":["1-cluster"]},{"env":"prod","dir":"out/prod/terraform","layers":["1-cluster"],"apply":["1-cluster"]}]`,
			ha:        `ha=[{"env":"prod","cluster":"acme","known_hosts":"out/prod/ha/acme/known_hosts","nodes":[{"name":"n1","address":"10.0.0.1","port":22,"pinned":true,"dir":"out/prod/ha/acme/n1","restart":false}],"full_stop":false,"full_stop_because":[]}]`,
			out:       "::notice::no successful run of deploy.yml on main: applying everything",
			summary:   "- **prod** HA cluster acme, one node at a time: n1",
		},
		{
			name:    "a path no job applies: warned, in the summary",
			env:     []string{"EVENT=push", "GH_BASE=" + first},
			out:     "::warning::out/prod/notes.txt changed but no job applies it",
			summary: "- **not applied by any job**: `out/prod/notes.txt`",
		},
		{
			name: "gh fails: the job fails, no guessed base",
			env:  []string{"EVENT=push", "GH_FAIL=1"},
			fail: true,
			out:  "HTTP 403",
		},
		{
			name:      "force push: everything, with a warning",
			env:       []string{"EVENT=push", "GH_BASE=" + strings.Repeat("1", 40)},
			terraform: `terraform=[{"env":"dev","dir":"out/dev/terraform","layers":["1-cluster"],"apply":["1-cluster"]},{"env":"prod","dir":"out/prod/terraform","layers":["1-cluster"],"apply":["1-cluster"]}]`,
			out:       "::warning::base commit 1111111111111111111111111111111111111111 is not in the history (force push?): applying everything",
		},
		{
			name:      "re-run of the last applied commit: nothing",
			env:       []string{"EVENT=push", "GH_BASE=" + head},
			terraform: "terraform=[]\n",
			ha:        "ha=[]\n",
			summary:   "Nothing Argo CD syncs changed.",
		},
		{
			name: "an older commit than the last applied: refused",
			env:  []string{"EVENT=push", "GH_BASE=" + head, "SHA=" + first},
			fail: true,
			out:  "::error::" + first + " is older than " + head + ", which was already applied",
		},
		{
			name:      "dispatch: one environment in full",
			env:       []string{"EVENT=workflow_dispatch", "INPUT_ENV=dev"},
			terraform: `terraform=[{"env":"dev","dir":"out/dev/terraform","layers":["1-cluster"],"apply":["1-cluster"]}]`,
			ha:        `ha=[]`,
			summary:   "(base none: everything)",
		},
		{
			name: "dispatch: unknown environment",
			env:  []string{"EVENT=workflow_dispatch", "INPUT_ENV=../prod"},
			fail: true,
			out:  `::error::no environment "../prod" in out/`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			output, summary := filepath.Join(tmp, "output"), filepath.Join(tmp, "summary")
			sha := head
			for _, e := range tc.env {
				if v, ok := strings.CutPrefix(e, "SHA="); ok {
					sha = v
				}
			}
			os.Remove(ghLog)
			out, err := runStep(t, script, repo, append([]string{"PATH=" + bin + ":" + os.Getenv("PATH"),
				"GITHUB_WORKFLOW_REF=o/r/.github/workflows/deploy.yml@refs/heads/main", // the file as if renamed
				"GITHUB_SHA=" + sha, "GITHUB_OUTPUT=" + output, "GITHUB_STEP_SUMMARY=" + summary, "RUNNER_TEMP=" + tmp,
				"GITHUB_SERVER_URL=https://github.com", "GITHUB_REPOSITORY=o/r", "BRANCH=main", "GH_TOKEN=x"}, tc.env...)...)
			if (err != nil) != tc.fail {
				t.Fatalf("err %v, want failure %v\n%s", err, tc.fail, out)
			}
			outputs, _ := os.ReadFile(output)
			sum, _ := os.ReadFile(summary)
			for _, want := range []struct{ where, text, in string }{
				{"outputs", tc.terraform, string(outputs)}, {"outputs", tc.ha, string(outputs)},
				{"log", tc.out, out}, {"summary", tc.summary, string(sum)},
			} {
				if !strings.Contains(want.in, want.text) {
					t.Errorf("%s without %q:\n%s", want.where, want.text, want.in)
				}
			}
			if gh, _ := os.ReadFile(ghLog); !strings.HasPrefix(string(gh), "run list --repo o/r --workflow deploy.yml --branch main --event push --status success ") && !strings.Contains(strings.Join(tc.env, " "), "workflow_dispatch") {
				t.Errorf("gh run list of this workflow's file (GITHUB_WORKFLOW_REF), successful pushes of the branch: %q", gh)
			}
			if !tc.fail && !strings.Contains(string(outputs), "head="+head+"\n") {
				t.Errorf("outputs without head=%s:\n%s", head, outputs)
			}
		})
	}
}
