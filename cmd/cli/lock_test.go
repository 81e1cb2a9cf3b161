package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/render/outdir"
)

// TestConcurrentRenderIsRefusedAndAStaleLockRecovers freezes a render with
// the lock held (SIGSTOP after its third change to out/, through the
// FLEETGEN_TEST_SIGNAL_AFTER hook), then shows that a second render and a
// check fail at once naming the holder's pid and change nothing, and that
// once the holder is SIGKILLed the lock it held is free: the next render
// succeeds and finishes the killed run's work.
func TestConcurrentRenderIsRefusedAndAStaleLockRecovers(t *testing.T) {
	repo := t.TempDir()
	out := filepath.Join(repo, "out")
	writeBigInventory(t, repo, bigShape{first: 0, count: 3, nodes: 3, tunnelUser: "mattermost"})
	mustRun(t, repo, 0, "render")
	writeBigInventory(t, repo, bigShape{first: 1, count: 3, nodes: 3, tunnelUser: "tunnel"})

	holder := exec.Command("fleetgen", "render")
	holder.Dir = repo
	holder.Env = append(os.Environ(), outdir.FailpointEnv+"=3:STOP")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	waitStopped(t, holder.Process.Pid)
	before := readTree(t, out)

	for _, cmd := range []string{"render", "check"} {
		r := runFleetgen(t, repo, nil, cmd)
		want := fmt.Sprintf("out is locked by pid %d on ", holder.Process.Pid)
		if r.code != exitError || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "fleetgen render") {
			t.Errorf("%s while another render holds the lock: exit %d, stderr %q; want exit 1 naming %q and its command", cmd, r.code, r.stderr, want)
		}
	}
	after := readTree(t, out)
	delete(before, layout.LockName)
	delete(after, layout.LockName)
	if len(before) != len(after) {
		t.Errorf("refused runs changed out/: %d files, then %d", len(before), len(after))
	}
	for p, data := range before {
		if after[p] != data {
			t.Errorf("refused runs changed %s", p)
		}
	}

	holder.Process.Signal(syscall.SIGKILL)
	holder.Wait()
	r := mustRun(t, repo, 0, "render")
	if !strings.Contains(r.stdout, "finished an interrupted render that had changed 2 files") {
		t.Errorf("render after a killed holder: %q, want it to finish the 2 changes the killed run made", r.stdout)
	}
	mustRun(t, repo, 0, "check")
}

// waitStopped polls /proc until pid is stopped, with a deadline.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		// The state follows the command name, which is in parentheses.
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && len(stat) > i+2 && stat[i+2] == 'T' {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d did not stop within a minute", pid)
}
