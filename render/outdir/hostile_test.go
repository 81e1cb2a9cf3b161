package outdir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/render/layout"
)

// An owned file whose folder was replaced by a symlink to outside out/,
// where a file with the very same content waits: pruning it must not delete
// through the link. The path is forgotten, the outside file stays.
func TestWriteNeverDeletesThroughASymlinkedFolder(t *testing.T) {
	out := t.TempDir()
	outside := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	put(t, outside, "app.values.yaml", read(t, out, "prod/helm/app.values.yaml"))
	if err := os.RemoveAll(filepath.Join(out, "prod/helm")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(out, "prod/helm")); err != nil {
		t.Fatal(err)
	}
	r := mustWrite(t, out, without(sampleFiles(), "prod/helm/app.values.yaml"), WriteOptions{})
	if len(r.Removed) != 0 {
		t.Errorf("Removed = %v, want nothing", r.Removed)
	}
	if !exists(t, outside, "app.values.yaml") {
		t.Error("deleted a file outside out/ through a symlinked folder")
	}
	if exists(t, out, "prod/helm") && !isSymlink(t, filepath.Join(out, "prod/helm")) {
		t.Error("the symlink was replaced")
	}
}

// The lock file, the journal and the manifest are fleetgen's own files at
// the top of out/. Made symlinks to a file outside, none is followed to
// change that file: the lock is refused (openFile refuses symlinks), and a
// manifest kept outside out/ is an error, not read: it could claim any file.
func TestStateFileSymlinksAreNotFollowed(t *testing.T) {
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	const content = "do not touch\n"

	out := t.TempDir()
	put(t, outside, "victim", content)
	if err := os.Symlink(victim, filepath.Join(out, layout.LockName)); err != nil {
		t.Fatal(err)
	}
	_, err := Write(out, sampleFiles(), WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "cannot lock") {
		t.Errorf("Write with a symlinked lock file: %v, want a lock error", err)
	}
	if read(t, outside, "victim") != content {
		t.Error("wrote through the symlinked lock file")
	}

	// A link that stays inside out/ is refused too: truncating the lock
	// file to write the holder's name would empty an owned file.
	out = t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	os.Remove(filepath.Join(out, layout.LockName))
	if err := os.Symlink("prod/README.md", filepath.Join(out, layout.LockName)); err != nil {
		t.Fatal(err)
	}
	_, err = Write(out, sampleFiles(), WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "cannot lock") || read(t, out, "prod/README.md") != "# prod\n" {
		t.Errorf("Write with the lock file linked to an owned file: %v, want a lock error and the file intact", err)
	}

	out = t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	put(t, outside, "victim", read(t, out, layout.ManifestName))
	os.Remove(filepath.Join(out, layout.ManifestName))
	if err := os.Symlink(victim, filepath.Join(out, layout.ManifestName)); err != nil {
		t.Fatal(err)
	}
	_, err = Write(out, replaced(sampleFiles(), "prod/README.md", "# prod v2\n"), WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), layout.ManifestName) || !strings.Contains(err.Error(), "escapes") {
		t.Errorf("Write with a manifest symlinked out of out/: %v, want an error naming it", err)
	}
	if !isSymlink(t, filepath.Join(out, layout.ManifestName)) || read(t, out, "prod/README.md") != "# prod\n" {
		t.Error("Write changed out/ despite the error")
	}
	if strings.Contains(read(t, outside, "victim"), hashOf([]byte("# prod v2\n"))) {
		t.Error("wrote the manifest through the symlink")
	}
}

func isSymlink(t *testing.T, name string) bool {
	t.Helper()
	info, err := os.Lstat(name)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode()&os.ModeSymlink != 0
}
