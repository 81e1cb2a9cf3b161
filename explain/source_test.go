package explain

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/outdir"
)

func renderFiles(m map[string]string) []layout.File {
	var files []layout.File
	for _, p := range slices.Sorted(maps.Keys(m)) {
		if layout.Locate(p).Env != "" {
			files = append(files, layout.File{Path: p, Mode: 0o644, Data: []byte(m[p])})
		}
	}
	return files
}

// withoutTop drops the files at the top of out/ (the manifest), which
// the sources leave out.
func withoutTop(m map[string]string) map[string]string {
	m = maps.Clone(m)
	maps.DeleteFunc(m, func(p, _ string) bool { return layout.Locate(p).Env == "" })
	return m
}

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commitTree replaces out/ in the repository with files and commits.
func commitTree(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	for p, data := range files {
		full := filepath.Join(dir, "out", p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "--allow-empty", "-m", "x")
	return gitIn(t, dir, "rev-parse", "HEAD")
}

// TestFromGit explains rendered files against out/ of two commits of a
// test repository: the changes are exactly the files that differ, with
// the old bytes read from the right commit.
func TestFromGit(t *testing.T) {
	tooltest.IsolateGit(t)
	dir := t.TempDir()
	gitIn(t, dir, "init", "-q", "-b", "main")
	cur := with(base, "prod/argocd/grafana.yaml", appYAML("grafana", "grafana", "8.6.0"), "dev/README.md", "",
		"dev/prometheus/prometheus.yml", "")
	first := commitTree(t, dir, base)
	second := commitTree(t, dir, cur)
	ctx := context.Background()

	tr, err := FromGit(ctx, dir, "out", first, renderFiles(cur), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(trees(withoutTop(base), withoutTop(cur)), withAgainst(tr, "")); diff != "" {
		t.Errorf("against the first commit (-want +got):\n%s", diff)
	}
	r := Explain(tr)
	if got := lines(r, "prod"); !slices.Equal(got, []string{"app grafana: chart grafana 8.5.1 → 8.6.0"}) {
		t.Errorf("prod: %q", got)
	}
	if r.Environments[0].Name != "dev" || r.Environments[0].Status != StatusRemoved || r.Against != first {
		t.Errorf("report: %+v", r)
	}

	tr, err = FromGit(ctx, dir, "out", second, renderFiles(cur), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Changes) != 0 || !slices.Equal(tr.Old, []string{"prod"}) {
		t.Errorf("against the second commit, the rendered files are the same: %+v", tr)
	}

	// --env: the other environments are neither compared nor reported.
	tr, err = FromGit(ctx, dir, "out", "main~1", renderFiles(withoutTop(filter(cur, "prod/"))), []string{"prod"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tr.Old, []string{"prod"}) || len(tr.Changes) != 1 || tr.Changes[0].Path != "prod/argocd/grafana.yaml" {
		t.Errorf("--env prod: %+v", tr)
	}

	_, err = FromGit(ctx, dir, "out", "no-such-ref", renderFiles(cur), nil)
	if err == nil || !strings.Contains(err.Error(), `--against "no-such-ref" is not a commit of this repository`) {
		t.Errorf("unknown ref: %v", err)
	}
}

func withAgainst(t Trees, against string) Trees {
	t.Against = against
	return t
}

func filter(m map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for p, d := range m {
		if strings.HasPrefix(p, prefix) {
			out[p] = d
		}
	}
	return out
}

// TestFromDrift explains rendered files against out/ on disk, written by
// outdir.Write, through outdir.Check's drift.
func TestFromDrift(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if _, err := outdir.Write(out, renderFiles(base), outdir.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// A folder of hand-written files is no environment of fleetgen's.
	if err := os.MkdirAll(filepath.Join(out, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "notes", "todo.md"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cur := with(base, "prod/argocd/grafana.yaml", appYAML("grafana", "grafana", "8.6.0"), "dev/README.md", "",
		"dev/prometheus/prometheus.yml", "", "stage/README.md", "# stage\n")
	files := renderFiles(cur)
	drift, err := outdir.Check(out, files, outdir.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Everything comes from what the check read under its lock: out/ is
	// not read again, so a render that starts meanwhile changes nothing.
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	tr := FromDrift(out, drift, files, nil)
	want := trees(withoutTop(base), withoutTop(cur))
	want.OutDir = out
	if diff := cmp.Diff(want, tr); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// No out/ yet: everything is new.
	missing := filepath.Join(t.TempDir(), "out")
	drift, err = outdir.Check(missing, files, outdir.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tr = FromDrift(missing, drift, files, nil)
	if len(tr.Old) != 0 || len(tr.Changes) != len(files) {
		t.Errorf("no out/: %d changes of %d files, old %v", len(tr.Changes), len(files), tr.Old)
	}
}

// TestGitBaseWithBytesLetGo: a check that keeps only the bytes of the
// files GitBase.Changed names gives the same trees as one that keeps
// every byte, and a file let go that the commit does not hold is refused.
func TestGitBaseWithBytesLetGo(t *testing.T) {
	tooltest.IsolateGit(t)
	dir := t.TempDir()
	gitIn(t, dir, "init", "-q", "-b", "main")
	cur := with(base, "prod/argocd/grafana.yaml", appYAML("grafana", "grafana", "8.6.0"), "dev/README.md", "")
	first := commitTree(t, dir, base)
	ctx := context.Background()
	b, err := OpenGitBase(ctx, dir, "out", first)
	if err != nil {
		t.Fatal(err)
	}
	all := renderFiles(cur)
	var letGo []layout.File
	kept := 0
	for _, f := range all {
		if b.Changed(f.Path, f.Data) {
			kept++
		} else {
			sum := [32]byte{1}
			f.Data, f.Sum = nil, &sum
		}
		letGo = append(letGo, f)
	}
	if kept == 0 || kept == len(all) {
		t.Fatalf("%d of %d files changed: the test needs some of each", kept, len(all))
	}
	want, err := FromGit(ctx, dir, "out", first, all, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Trees(ctx, letGo, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trees with the unchanged files' bytes let go (-every byte +let go):\n%s", diff)
	}

	sum := [32]byte{2}
	stray := layout.File{Path: "prod/new.yaml", Mode: 0o644, Sum: &sum}
	if _, err := b.Trees(ctx, append(letGo, stray), nil); err == nil || !strings.Contains(err.Error(), "prod/new.yaml") {
		t.Errorf("a file let go that the commit does not hold: %v", err)
	}
	if _, err := FromGit(ctx, dir, "out", first, letGo, nil); err != nil {
		t.Errorf("FromGit of files let go only where the commit holds them: %v", err)
	}
}
