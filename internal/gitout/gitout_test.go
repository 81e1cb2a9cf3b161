package gitout

import (
	"context"
	"crypto/sha1"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/tooltest"
)

func gitRun(t *testing.T, dir string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestBlobsAndHash shows that the ids Hash computes are the ids git
// stores, in a SHA-1 and a SHA-256 repository, so comparing them finds
// exactly the files that differ.
func TestBlobsAndHash(t *testing.T) {
	tooltest.IsolateGit(t)
	for _, format := range []string{"sha1", "sha256"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			gitRun(t, dir, "", "init", "-q", "--object-format="+format, "-b", "main")
			files := map[string]string{"out/prod/a.yaml": "a: 1\n", "out/prod/empty": "", "out/dev/x/y.tf": "z\x00binary", "other/b": "no"}
			for name, data := range files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			gitRun(t, dir, "", "add", "-A")
			gitRun(t, dir, "", "commit", "-q", "-m", "x")
			ctx := context.Background()
			r, err := Open(ctx, dir, "out")
			if err != nil {
				t.Fatal(err)
			}
			blobs, err := r.Blobs(ctx, "HEAD")
			if err != nil {
				t.Fatal(err)
			}
			if len(blobs) != 3 {
				t.Fatalf("want the 3 files of out/, got %v", blobs)
			}
			hash, err := r.Hash(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for rel, b := range blobs {
				data := files["out/"+rel]
				if got := hash([]byte(data)); got != b.ID {
					t.Errorf("%s: hash %s, git stores %s", rel, got, b.ID)
				}
				if want := gitRun(t, dir, data, "hash-object", "--stdin"); b.ID != want {
					t.Errorf("%s: ls-tree %s, hash-object %s", rel, b.ID, want)
				}
				if b.Mode != "100644" {
					t.Errorf("%s: mode %s", rel, b.Mode)
				}
			}
			if format == "sha1" && blobID(sha1.New(), []byte("a: 1\n")) != blobs["prod/a.yaml"].ID {
				t.Error("blobID differs from git's SHA-1 id")
			}
			read, err := r.ReadAll(ctx, "HEAD", []string{"prod/empty", "dev/x/y.tf", "prod/a.yaml"})
			if err != nil {
				t.Fatal(err)
			}
			for rel, data := range read {
				if string(data) != files["out/"+rel] {
					t.Errorf("ReadAll %s: %q", rel, data)
				}
			}
			if len(read) != 3 {
				t.Errorf("ReadAll: %d files", len(read))
			}
			if _, err := r.ReadAll(ctx, "HEAD", []string{"prod/missing"}); err == nil {
				t.Error("ReadAll of a missing file: no error")
			}
			if hash([]byte("a: 2\n")) == blobs["prod/a.yaml"].ID {
				t.Error("different content, same id")
			}
		})
	}
}
