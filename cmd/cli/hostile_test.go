package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/render/layout"
)

// These tests give fleetgen render a hostile out/ for real: a read-only
// mount and a full file system, each a mount in a mount namespace the test
// creates with unshare, so the host's mounts are never touched. They need
// root (CI runs as root and requires them).

// inMountNamespace runs script with sh in a new mount namespace, with the
// fleetgen binary on $PATH, in repo, and returns its exit code and output.
func inMountNamespace(t *testing.T, repo, script string) (int, string) {
	t.Helper()
	unshare := tooltest.Look(t, "unshare", "mount")
	cmd := exec.Command(unshare, "--mount", "--propagation", "private", "sh", "-euc", script)
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	if exitErr, ok := err.(*exec.ExitError); ok {
		return exitErr.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// TestRenderOnReadOnlyOutChangesNothing renders onto out/ bind-mounted
// read-only: a clear error naming the file system, and out/ as it was.
func TestRenderOnReadOnlyOutChangesNothing(t *testing.T) {
	tooltest.NeedRoot(t)
	repo := t.TempDir()
	out := filepath.Join(repo, "out")
	writeBigInventory(t, repo, bigShape{first: 0, count: 3, nodes: 3, tunnelUser: "mattermost"})
	mustRun(t, repo, 0, "render")
	writeBigInventory(t, repo, bigShape{first: 1, count: 3, nodes: 3, tunnelUser: "tunnel"})
	before := statTree(t, out)

	code, output := inMountNamespace(t, repo, `
mount --bind out out
mount -o remount,bind,ro out
set +e
fleetgen render
echo "exit $?"`)
	if code != 0 || !strings.Contains(output, "exit 1") || !strings.Contains(output, "read-only file system") {
		t.Errorf("render on a read-only out/: want exit 1 and an error naming the read-only file system, got:\n%s", output)
	}
	after := statTree(t, out)
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed", p)
		}
	}
	if len(after) != len(before) {
		t.Errorf("out/ had %d entries, now %d", len(before), len(after))
	}
	mustRun(t, repo, 0, "render")
	mustRun(t, repo, 0, "check")
}

// TestRenderOnFullDiskChangesNothing renders onto a tmpfs too small for
// the new tree. The new files are staged as temporary files while the
// inventory renders, before the journal and before any file changes, so
// the disk fills up there: render fails with a clear error and out/ is
// exactly as it was, no temporary file left; the next render, with room
// again, writes the new tree. (A render stopped part way, after the
// journal, is the crash test's.)
func TestRenderOnFullDiskChangesNothing(t *testing.T) {
	tooltest.NeedRoot(t)
	repo := t.TempDir()
	out := filepath.Join(repo, "out")
	saved := filepath.Join(repo, "saved")
	shapeA := bigShape{first: 0, count: 10, nodes: 3, tunnelUser: "mattermost"}
	shapeB := bigShape{first: 1, count: 10, nodes: 3, tunnelUser: "tunnel"}
	writeBigInventory(t, repo, shapeB)
	mustRun(t, repo, 0, "render")
	treeB := readTree(t, out)
	writeBigInventory(t, repo, shapeA)
	mustRun(t, repo, 0, "render")
	treeA := readTree(t, out)
	writeBigInventory(t, repo, shapeB)
	if err := os.Rename(out, saved); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}

	// Room for the old tree and 256 KiB more, while the new tree needs
	// hundreds of new files.
	code, output := inMountNamespace(t, repo, `
mount -t tmpfs -o size=64m,mode=0755 tmpfs out
cp -a saved/. out/
used=$(df --output=used -k out | tail -n 1)
mount -o remount,size=$((used + 256))k out
set +e
fleetgen render
echo "exit $?"
set -e
rm -rf saved/* saved/.[!.]*
cp -a out/. saved/`)
	if code != 0 || !strings.Contains(output, "exit 1") || !strings.Contains(output, "no space left on device") || strings.Contains(output, "part way") {
		t.Fatalf("render on a full disk: want exit 1 and \"no space left on device\", before any change, got:\n%s", output)
	}
	os.Remove(out)
	if err := os.Rename(saved, out); err != nil {
		t.Fatal(err)
	}
	after := readTree(t, out)
	delete(after, layout.LockName)
	delete(treeA, layout.LockName)
	if diff := cmp.Diff(treeA, after); diff != "" {
		t.Errorf("out/ changed by a render that failed on a full disk (-before +after):\n%s", diff)
	}
	r := mustRun(t, repo, 0, "render")
	if strings.Contains(r.stdout, "interrupted") {
		t.Errorf("render after the full disk: %q, but nothing was interrupted", r.stdout)
	}
	got := readTree(t, out)
	delete(got, layout.LockName)
	delete(treeB, layout.LockName)
	if diff := cmp.Diff(treeB, got); diff != "" {
		t.Errorf("render with room again (-want +got):\n%s", diff)
	}
	mustRun(t, repo, 0, "check")
}
