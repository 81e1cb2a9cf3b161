package action

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/render/outdir"
)

// scopeRepo is a git repository of the examples, rendered and committed;
// the test's working directory is its top, as in CI.
func scopeRepo(t *testing.T) (*Config, func(args ...string) string) {
	t.Helper()
	tooltest.IsolateGit(t)
	charts, err := filepath.Abs("../../charts")
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	if err := os.CopyFS(filepath.Join(repo, "environments"), os.DirFS("../../environments")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo)
	git := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("git", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	c := &Config{InventoryDir: "environments", OutDir: "out", ChartsDir: charts}
	if _, err := (&Render{Config: c}).Run(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(".gitignore", []byte("out/.fleetgen.lock\n"), 0o644)
	git("add", "-A")
	git("commit", "-q", "-m", "rendered")
	return c, git
}

// TestChangedSince: the environments a check since a commit covers are
// those whose inventory folder (untracked files too), folder of out/
// (untracked files aside) or manifest entries changed; a change anywhere
// else, untracked files too, covers them all.
func TestChangedSince(t *testing.T) {
	c, git := scopeRepo(t)
	ctx := context.Background()
	scope := func() Scope {
		t.Helper()
		s, err := c.ChangedSince(ctx, ".", "HEAD")
		if err != nil {
			t.Fatal(err)
		}
		if s.Commit != git("rev-parse", "HEAD") {
			t.Errorf("Commit %s, want HEAD's", s.Commit)
		}
		return s
	}
	reset := func() {
		t.Helper()
		git("reset", "-q", "--hard")
		git("clean", "-q", "-fd")
	}
	if s := scope(); s.All || len(s.Envs) != 0 {
		t.Errorf("nothing changed: %+v", s)
	}
	for _, tc := range []struct {
		what   string
		change func()
		want   []string // nil: All
	}{
		{"an inventory file", func() {
			replaceIn(t, "environments/dev/workload-clusters.hcl", `labels = { tier = "shared" }`, `labels = { tier = "shared-2" }`)
		}, []string{"dev"}},
		{"a file of out/ edited", func() { os.WriteFile("out/prod/README.md", []byte("edited\n"), 0o644) }, []string{"prod"}},
		{"a file of out/ removed, one added, an untracked one (left out)", func() {
			os.Remove("out/prod/README.md")
			os.WriteFile("out/dev/new.yaml", []byte("kind: New\n"), 0o644)
			git("add", "out/dev/new.yaml")
			os.WriteFile("out/sandbox/stray.yaml", []byte("kind: Stray\n"), 0o644)
		}, []string{"dev", "prod"}},
		{"an untracked inventory file", func() { os.WriteFile("environments/sandbox/more.hcl", nil, 0o644) }, []string{"sandbox"}},
		{"an environment removed", func() { os.RemoveAll("environments/dev") }, []string{"dev"}},
		{"a manifest entry", func() {
			data, _ := os.ReadFile("out/.fleetgen-manifest.json")
			at := strings.Index(string(data), `"prod/README.md"`)
			mode := at + strings.Index(string(data[at:]), `"mode": "0644"`)
			if at < 0 || mode < at {
				t.Fatalf("no entry of prod/README.md with mode 0644 in the manifest")
			}
			edited := string(data[:mode]) + `"mode": "0755"` + string(data[mode+len(`"mode": "0644"`):])
			os.WriteFile("out/.fleetgen-manifest.json", []byte(edited), 0o644)
		}, []string{"prod"}},
		{"a file outside the inventory and out/", func() { os.WriteFile("notes.txt", []byte("x\n"), 0o644) }, nil},
		{"a file of out/ itself", func() { os.WriteFile("out/NOTES.md", []byte("x\n"), 0o644); git("add", "out/NOTES.md") }, nil},
		{"an untracked file outside out/", func() { os.MkdirAll("tools", 0o755); os.WriteFile("tools/x.go", []byte("package x\n"), 0o644) }, nil},
		{"an inventory file outside an environment", func() { os.WriteFile("environments/x.hcl", nil, 0o644) }, nil},
	} {
		t.Run(tc.what, func(t *testing.T) {
			defer reset()
			tc.change()
			s := scope()
			if tc.want == nil {
				if !s.All {
					t.Errorf("scope %+v, want every environment", s)
				}
			} else if s.All || !slices.Equal(s.Envs, tc.want) {
				t.Errorf("scope %+v, want %v", s, tc.want)
			}
		})
	}
	if _, err := c.ChangedSince(ctx, ".", "no-such-ref"); err == nil || !strings.Contains(err.Error(), `--changed-since "no-such-ref" is not a commit`) {
		t.Errorf("unknown ref: %v", err)
	}
}

// TestCheckInScope: a check in a scope renders and compares its
// environments only: drift there is reported, drift elsewhere (here
// committed with the base, which CI's full check of the main branch
// would have refused) is not, and a removed environment's files are.
func TestCheckInScope(t *testing.T) {
	c, git := scopeRepo(t)
	os.WriteFile("out/prod/README.md", []byte("drift committed with the base\n"), 0o644)
	git("commit", "-q", "-am", "drift in prod")
	replaceIn(t, "environments/dev/workload-clusters.hcl", `labels = { tier = "shared" }`, `labels = { tier = "shared-2" }`)
	s, err := c.ChangedSince(context.Background(), ".", "HEAD")
	if err != nil || !slices.Equal(s.Envs, []string{"dev"}) {
		t.Fatalf("scope %+v, %v", s, err)
	}
	paths := func(scope *Scope) []string {
		t.Helper()
		res, err := (&Check{Config: c, Scope: scope}).Run()
		if err != nil {
			t.Fatal(err)
		}
		var envs []string // of the drift, the manifest aside
		for _, f := range res.Drift.Files() {
			if env, _, ok := strings.Cut(f.Path, "/"); ok {
				envs = append(envs, env)
			}
		}
		return slices.Compact(envs)
	}
	if got := paths(&s); !slices.Equal(got, []string{"dev"}) {
		t.Errorf("drift in the scope of dev: %v, want dev alone", got)
	}
	// The same found while the inventory loads.
	since := &Check{Config: c, ChangedSince: "HEAD"}
	res, err := since.Run()
	if err != nil || since.Scope == nil || !slices.Equal(since.Scope.Envs, []string{"dev"}) {
		t.Fatalf("check --changed-since HEAD: %v, scope %+v", err, since.Scope)
	}
	if files := res.Drift.Files(); len(files) == 0 || slices.ContainsFunc(files, func(f outdir.FileDrift) bool { return strings.HasPrefix(f.Path, "prod/") }) {
		t.Errorf("check --changed-since HEAD: drift %+v, want dev's alone", files)
	}
	if got := paths(nil); !slices.Equal(got, []string{"dev", "prod"}) {
		t.Errorf("drift of a full check: %v, want dev and prod", got)
	}
	if res, err := (&Check{Config: c, Scope: &Scope{}}).Run(); err != nil || !res.Drift.Clean() {
		t.Errorf("a scope of no environment: %v, drift %+v, want none compared", err, res.Drift.Files())
	}
	git("checkout", "-q", "--", "environments")
	os.RemoveAll("environments/dev")
	s, err = c.ChangedSince(context.Background(), ".", "HEAD")
	if err != nil || !slices.Equal(s.Envs, []string{"dev"}) {
		t.Fatalf("scope %+v, %v", s, err)
	}
	res, err = (&Check{Config: c, Scope: &s}).Run()
	if err != nil {
		t.Fatal(err)
	}
	if files := res.Drift.Files(); len(files) == 0 || !strings.HasPrefix(files[len(files)-1].Path, "dev/") {
		t.Errorf("a removed environment's files: drift %+v, want them orphaned", files)
	}
}
