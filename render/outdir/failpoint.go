package outdir

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// FailpointEnv names the test hook that lets the crash and lock tests stop
// a real fleetgen process at an exact point of Write: "N:KILL" sends the
// process SIGKILL after its Nth change to out/ (the journal, each rename,
// each deletion, the manifest, the journal's removal), "N:STOP" sends
// SIGSTOP, freezing it with the lock held; "staged-N:KILL" after the Nth
// temporary file a Prefetcher staged while the inventory rendered, before
// the journal. Unset, it costs one string comparison per change. It is
// read once, at start-up.
const FailpointEnv = "FLEETGEN_TEST_SIGNAL_AFTER"

// stagedPrefix marks a failpoint counted in staged files, not changes.
const stagedPrefix = "staged-"

var (
	failpointStaged           = strings.HasPrefix(os.Getenv(FailpointEnv), stagedPrefix)
	failpointAt, failpointSig = parseFailpoint(strings.TrimPrefix(os.Getenv(FailpointEnv), stagedPrefix))
	changesDone, stagedDone   atomic.Int64
)

func parseFailpoint(v string) (int64, syscall.Signal) {
	n, sig, _ := strings.Cut(v, ":")
	at, err := strconv.ParseInt(n, 10, 64)
	if err != nil || at <= 0 {
		return 0, 0
	}
	switch sig {
	case "KILL":
		return at, syscall.SIGKILL
	case "STOP":
		return at, syscall.SIGSTOP
	}
	return 0, 0
}

// Hooks for unit tests that change out/ behind Write's back (race_test.go):
// afterPlan runs between the plan and the first change to out/, afterChange
// after each change. Nil outside tests.
var afterPlan, afterChange func()

// changed counts one change to out/ and fires the failpoint when it is due.
// A process that has signalled itself never goes on: it waits, holding
// failpointMu, for the signal to stop or kill it, so no other change can
// slip in while the kernel delivers it.
func changed() {
	if afterChange != nil {
		afterChange()
	}
	if failpointAt == 0 || failpointStaged {
		return
	}
	if changesDone.Add(1) == failpointAt {
		signalSelf()
	}
}

// stagedOne counts one staged temporary file and fires a "staged-"
// failpoint when it is due.
func stagedOne() {
	if failpointAt != 0 && failpointStaged && stagedDone.Add(1) == failpointAt {
		signalSelf()
	}
}

// signalSelf sends the failpoint's signal and never returns.
func signalSelf() {
	syscall.Kill(os.Getpid(), failpointSig)
	for {
		time.Sleep(time.Hour)
	}
}

// failpointMu makes the changes Write runs in parallel one at a time when
// the failpoint is armed, so "after the Nth change" is exact.
var failpointMu sync.Mutex

// change makes one change to out/ with do and counts it (see changed).
func change(do func() error) error { return counted(do, changed) }

// counted runs do and, when it succeeds, count, one at a time when the
// failpoint is armed.
func counted(do func() error, count func()) error {
	if failpointAt != 0 {
		failpointMu.Lock()
		defer failpointMu.Unlock()
	}
	if err := do(); err != nil {
		return err
	}
	count()
	return nil
}
