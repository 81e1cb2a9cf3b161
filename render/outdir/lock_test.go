package outdir

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/render/layout"
)

func TestWriteAndCheckRefuseWhileLocked(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	unlock, err := lockOut(openRoot(t, out), true)
	if err != nil {
		t.Fatal(err)
	}
	_, werr := Write(out, replaced(sampleFiles(), "prod/README.md", "# v2\n"), WriteOptions{})
	_, cerr := Check(out, sampleFiles(), CheckOptions{})
	for name, err := range map[string]error{"Write": werr, "Check": cerr} {
		var locked *lockedError
		if !errors.As(err, &locked) || !strings.Contains(err.Error(), fmt.Sprintf("locked by pid %d on ", os.Getpid())) {
			t.Errorf("%s while locked: %v, want a *lockedError naming pid %d", name, err, os.Getpid())
		}
	}
	if read(t, out, "prod/README.md") != "# prod\n" {
		t.Error("Write changed a file while locked")
	}
	unlock()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
}

// Two checks share the lock; the lock file is neither drift nor owned.
func TestChecksShareTheLockAndTheLockFileIsNoDrift(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	unlock, err := lockOut(openRoot(t, out), false)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if d := mustCheck(t, out, sampleFiles(), CheckOptions{}); !d.Clean() {
		t.Errorf("drift with the lock file present: %+v", d.Files())
	}
	for _, p := range manifestPaths(t, out) {
		if p == layout.LockName {
			t.Error("the manifest lists the lock file")
		}
	}
}

// A check on an out/ that no render ever locked takes no lock and creates
// nothing: it must work on a read-only checkout.
func TestCheckCreatesNoLockFile(t *testing.T) {
	out := t.TempDir()
	mustCheck(t, out, sampleFiles(), CheckOptions{})
	if exists(t, out, layout.LockName) {
		t.Error("Check created the lock file")
	}
}
