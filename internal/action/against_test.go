package action

import (
	"context"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mattermost/fleetgen/internal/tooltest"
)

// TestCheckAgainstKeepsOnlyWhatTheCommitLacks: a check for an explanation
// against a commit (check --against) keeps the bytes of exactly the files
// the commit does not hold as rendered, and explains as a check keeping
// every byte does.
func TestCheckAgainstKeepsOnlyWhatTheCommitLacks(t *testing.T) {
	tooltest.IsolateGit(t)
	repo := t.TempDir()
	if err := os.CopyFS(filepath.Join(repo, "environments"), os.DirFS("../../environments")); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	git("init", "-q", "-b", "main")
	c := &Config{InventoryDir: filepath.Join(repo, "environments"), OutDir: filepath.Join(repo, "out"), ChartsDir: "../../charts", Envs: []string{"dev", "prod"}}
	if _, err := (&Render{Config: c}).Run(); err != nil {
		t.Fatal(err)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "rendered")
	replaceIn(t, filepath.Join(repo, "environments", "dev", "workload-clusters.hcl"), `labels = { tier = "shared" }`, `labels = { tier = "shared-2" }`)

	ctx := context.Background()
	explainer := &Explain{Config: c, Against: "HEAD", Dir: repo}
	base, err := explainer.OpenBase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := (&Check{Config: c, Keep: base.Changed}).Run()
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, f := range res.Files {
		disk, err := os.ReadFile(filepath.Join(c.OutDir, filepath.FromSlash(f.Path))) // out/ is the commit's
		data, whole := f.Content()
		switch {
		case whole:
			kept++
			if err == nil && string(disk) == string(data) {
				t.Errorf("%s: the commit holds it as rendered, yet its bytes were kept", f.Path)
			}
		case err != nil || sha256.Sum256(disk) != *f.Sum:
			t.Errorf("%s: its bytes were let go, yet the commit does not hold it as rendered (%v)", f.Path, err)
		}
	}
	if kept == 0 || kept == len(res.Files) {
		t.Fatalf("%d of %d files kept their bytes: want those the label change touches", kept, len(res.Files))
	}
	explainer.Base = base
	got, err := explainer.Of(ctx, res.Files, res.Drift)
	if err != nil {
		t.Fatal(err)
	}
	all, err := (&Check{Config: c, Keep: func(string, []byte) bool { return true }}).Run()
	if err != nil {
		t.Fatal(err)
	}
	want, err := (&Explain{Config: c, Against: "HEAD", Dir: repo}).Of(ctx, all.Files, all.Drift)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("explanation (-every byte kept +only the changed files'):\n%s", diff)
	}
	if len(got.Environments) == 0 {
		t.Error("the label change explains nothing")
	}
}
