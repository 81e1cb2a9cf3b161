package affected

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mattermost/fleetgen/internal/tooltest"
)

// testRepo is a git repository of hand-made trees in out/'s layout:
// Compute reads git alone, so the content of the files does not matter.
type testRepo struct {
	t   *testing.T
	dir string
}

func newTestRepo(t *testing.T) *testRepo {
	tooltest.IsolateGit(t)
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	out, err := exec.Command("git", append([]string{"-C", r.dir}, args...)...).CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files (path -> content; "" removes it) and commits them.
func (r *testRepo) commit(files map[string]string) string {
	r.t.Helper()
	for name, data := range files {
		p := filepath.Join(r.dir, name)
		if data == "" {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", "x")
	return r.git("rev-parse", "HEAD")
}

func (r *testRepo) compute(o Options) *Report {
	r.t.Helper()
	o.Dir = r.dir
	if o.OutDir == "" {
		o.OutDir = "out"
	}
	rep, err := Compute(context.Background(), o)
	if err != nil {
		r.t.Fatal(err)
	}
	return rep
}

const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfpnB5+/KpQiWsdCiOCttATb6nWZUFMt8jgamsOFemr"

// TestComputeEdges: what git hands Compute in the cases a workflow meets
// (a merge, a base newer than the head, no base) and the paths a plain
// split would misread.
func TestComputeEdges(t *testing.T) {
	r := newTestRepo(t)
	root := r.commit(map[string]string{
		"out/prod/terraform/1-cluster/main.tf":             "a",
		"out/prod/terraform/2-cluster-post-installation/x": "a",
		"out/dev/ha/legacy/known_hosts":                    "10.0.0.1 " + hostKey + " mm1\n",
		"out/dev/ha/legacy/mm1/apply.sh":                   "a",
	})

	t.Run("odd file names", func(t *testing.T) {
		// Names with a space and a newline: git's -z lists keep them whole.
		head := r.commit(map[string]string{"out/prod/terraform/1-cluster/a b\nc.tf": "a", "out/notes.txt": "stray"})
		rep := r.compute(Options{Base: root, Head: head})
		want := []Terraform{{Env: "prod", Dir: "out/prod/terraform", Layers: []string{"1-cluster"}, Apply: []string{"1-cluster", "2-cluster-post-installation"}}}
		if diff := cmp.Diff(want, rep.Terraform); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		// A file of out/ itself that fleetgen does not write is unknown,
		// not bookkeeping: no job applies it, so it is reported.
		if diff := cmp.Diff([]string{"out/notes.txt"}, rep.Unknown); diff != "" {
			t.Errorf("unknown (-want +got):\n%s", diff)
		}
		r.git("reset", "-q", "--hard", root)
	})

	t.Run("merge", func(t *testing.T) {
		// main changes prod's layer 1; a branch changes dev's node; the
		// merge against main's commit brings the branch's change alone.
		main := r.commit(map[string]string{"out/prod/terraform/1-cluster/main.tf": "b"})
		r.git("checkout", "-q", "-b", "side", root)
		r.commit(map[string]string{"out/dev/ha/legacy/mm1/apply.sh": "b"})
		r.git("checkout", "-q", "main")
		r.git("merge", "-q", "--no-ff", "-m", "merge", "side")
		merge := r.git("rev-parse", "HEAD")
		rep := r.compute(Options{Base: main, Head: merge})
		if len(rep.Terraform) != 0 || len(rep.HA) != 1 || rep.HA[0].Nodes[0] != (HANode{Name: "mm1", Address: "10.0.0.1", Port: 22, Pinned: true, Dir: "out/dev/ha/legacy/mm1"}) {
			t.Errorf("the merge from main's side: the branch's node alone: %+v", rep)
		}
		if rep := r.compute(Options{Base: root, Head: merge}); len(rep.Terraform) != 1 || len(rep.HA) != 1 {
			t.Errorf("the merge from before both: both changes: %+v", rep)
		}

		// A base newer than the head: the diff runs backwards, so what
		// the newer commit added is a removal. The apply workflow refuses
		// such a range before it calls affected.
		added := r.commit(map[string]string{"out/prod/terraform/3-route53-registration/main.tf": "a"})
		rep = r.compute(Options{Base: added, Head: merge})
		if diff := cmp.Diff([]Removed{{Env: "prod", Kind: RemovedLayer, Name: "3-route53-registration"}}, rep.Removed); diff != "" {
			t.Errorf("backwards (-want +got):\n%s", diff)
		}

		// No base: the empty tree, every environment added.
		rep = r.compute(Options{Base: strings.Repeat("0", 40), Head: merge})
		if diff := cmp.Diff([]string{"dev", "prod"}, rep.Added); diff != "" || rep.Base != "" || len(rep.Terraform) != 1 || len(rep.HA) != 1 {
			t.Errorf("no base (-want +got added):\n%s\n%+v", diff, rep)
		}
	})
}
