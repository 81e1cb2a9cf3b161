package outdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/render/layout"
)

func TestWriteAndCheckRefuseWhileLocked(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	unlock, _, err := lockOut(openRoot(t, out), true)
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
	unlock, _, err := lockOut(openRoot(t, out), false)
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

// The message names the process that holds the lock now, from the
// kernel's table, not a name a dead run left in the file.
func TestLockedMessageNamesTheLiveHolder(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	stale := "pid 999999 on gone (fleetgen render), since 2026-01-01T00:00:00Z"
	if err := os.WriteFile(filepath.Join(out, layout.LockName), []byte(stale+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unlock, _, err := lockOut(openRoot(t, out), false) // a check holds it
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, werr := Write(out, sampleFiles(), WriteOptions{})
	var locked *lockedError
	if !errors.As(werr, &locked) {
		t.Fatalf("Write while a check reads: %v", werr)
	}
	msg := werr.Error()
	if !strings.Contains(msg, fmt.Sprintf("pid %d (", os.Getpid())) || !strings.Contains(msg, "reading (a check)") || strings.Contains(msg, "999999") {
		t.Errorf("the message does not name the live holder: %s", msg)
	}
}

// A run that died holding the lock left its name in the file (a clean
// release empties it): the next render takes the lock over and says so.
func TestStaleLockTakenOverWithNotice(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, sampleFiles(), WriteOptions{})
	if got := read(t, out, layout.LockName); got != "" {
		t.Errorf("a clean release left %q in the lock file", got)
	}
	stale := "pid 999999 on gone (fleetgen render), since 2026-01-01T00:00:00Z"
	if err := os.WriteFile(filepath.Join(out, layout.LockName), []byte(stale+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Write(out, sampleFiles(), WriteOptions{})
	if err != nil || rep.TookOver != stale {
		t.Fatalf("took over %q (%v), want %q", rep.TookOver, err, stale)
	}
	if !strings.Contains(rep.String(), "took over the lock of a run that died holding it: "+stale) {
		t.Errorf("the render's summary says nothing of it: %s", rep)
	}
	if rep, err := Write(out, sampleFiles(), WriteOptions{}); err != nil || rep.TookOver != "" {
		t.Errorf("after a clean release: took over %q (%v)", rep.TookOver, err)
	}
}
