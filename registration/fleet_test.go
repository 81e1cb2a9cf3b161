package registration_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/fleetgen/internal/action"
	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory/edit"
	"github.com/mattermost/fleetgen/registration"
)

// testEnv is the example environment the tests register clusters in.
const testEnv = "prod"

// registerNamespace is what the push key may write, enforced by the
// server side's update hook as a GitHub ruleset would (docs/registration.md).
const registerNamespace = "refs/heads/fleetgen/register/"

// A fleet is a fleet repository served by a real git daemon on loopback:
// a copy of this repository's example inventory, out/ and charts/.
type fleet struct {
	URL  string // git://127.0.0.1:port/fleet.git
	bare string

	cloneRoot string
	clones    map[string]string // checkouts by commit
}

func newFleet(t *testing.T) *fleet {
	t.Helper()
	tooltest.IsolateGit(t)
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"environments", "out", "charts"} {
		run(t, "", "cp", "-a", filepath.Join("..", d), work)
	}
	os.Remove(filepath.Join(work, "out", ".fleetgen.lock"))
	run(t, work, "git", "init", "--quiet", "-b", "main")
	run(t, work, "git", "add", "-A")
	run(t, work, "git", "commit", "--quiet", "-m", "fleet")
	f := &fleet{bare: filepath.Join(dir, "srv", "fleet.git"), cloneRoot: filepath.Join(dir, "clones"), clones: map[string]string{}}
	run(t, "", "git", "clone", "--quiet", "--bare", work, f.bare)
	hook := "#!/bin/sh\ncase \"$1\" in " + registerNamespace + "*) exit 0 ;; esac\n" +
		"echo \"this key may push only " + registerNamespace + "*, not $1\" >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(f.bare, "hooks", "update"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	daemon := exec.Command("git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack", "--informative-errors",
		"--listen=127.0.0.1", fmt.Sprintf("--port=%d", port), "--base-path="+filepath.Dir(f.bare), filepath.Dir(f.bare))
	// Its own process group, so that the connections it forked go with it.
	daemon.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := daemon.Start(); err != nil {
		tooltest.Missing(t, "git daemon: %v", err)
	}
	t.Cleanup(func() { syscall.Kill(-daemon.Process.Pid, syscall.SIGKILL); daemon.Wait() })
	f.URL = fmt.Sprintf("git://127.0.0.1:%d/fleet.git", port)
	waitFor(t, 10*time.Second, "git daemon answers", func() bool {
		return exec.Command("git", "ls-remote", f.URL).Run() == nil
	})
	return f
}

// branch returns the commit the registration branch points at, or "".
func (f *fleet) branch(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "-C", f.bare, "rev-parse", "--verify", "--quiet", registerNamespace+testEnv).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// merge does what merging the pull request does: main becomes the branch.
func (f *fleet) merge(t *testing.T, commit string) {
	run(t, "", "git", "-C", f.bare, "update-ref", "refs/heads/main", commit)
}

// clone checks out commit in a new clone.
func (f *fleet) clone(t *testing.T, commit string) string {
	t.Helper()
	if dir, ok := f.clones[commit]; ok {
		return dir
	}
	defer func() { f.clones[commit] = filepath.Join(f.cloneRoot, commit) }()
	dir := filepath.Join(f.cloneRoot, commit)
	run(t, "", "git", "clone", "--quiet", "--no-checkout", f.URL, dir)
	run(t, dir, "git", "fetch", "--quiet", "origin", "+refs/heads/*:refs/remotes/origin/*")
	run(t, dir, "git", "checkout", "--quiet", "--detach", commit)
	return dir
}

// clusters lists the workload clusters of testEnv in a checkout.
func clusters(t *testing.T, dir string) []string {
	t.Helper()
	folder, err := edit.ReadFolder(filepath.Join(dir, "environments", testEnv))
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := edit.Names(folder)
	slices.Sort(ids)
	return ids
}

// checkRendered runs fleetgen check's action on a checkout: out/ must be
// what its inventory renders.
func checkRendered(t *testing.T, dir string) {
	t.Helper()
	cfg := &action.Config{InventoryDir: filepath.Join(dir, "environments"), OutDir: filepath.Join(dir, "out"),
		ChartsDir: filepath.Join(dir, "charts"), Envs: []string{testEnv}}
	res, err := (&action.Check{Config: cfg}).Run()
	if err != nil {
		t.Fatalf("check of the pushed branch: %v", err)
	}
	if !res.Drift.Clean() {
		var buf bytes.Buffer
		res.Drift.WriteText(&buf)
		t.Fatalf("the pushed branch's out/ is not what its inventory renders:\n%s", buf.String())
	}
}

func newService(t *testing.T, f *fleet, data string) *registration.Service {
	t.Helper()
	ledger, err := registration.OpenLedger(data, testEnv)
	if err != nil {
		t.Fatal(err)
	}
	return &registration.Service{
		Ledger: ledger,
		Publisher: &registration.Publisher{
			Repo: f.URL, Dir: filepath.Join(data, "checkout"), Base: "main", Branch: strings.TrimPrefix(registerNamespace, "refs/heads/") + testEnv,
			Env: testEnv, InventoryDir: "environments", OutDir: "out", ChartsDir: "charts", Author: "fleetgen registration <r@example.com>",
		},
		Secret: []byte(testSecret), MaxBody: 4096,
		Quiet: 300 * time.Millisecond, MaxWait: 5 * time.Second, Retry: 200 * time.Millisecond,
	}
}

const testSecret = "0123456789abcdef-test-secret"

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !ok() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}

// post sends one event body; it returns the status code, or 0 when the
// request did not get an answer.
func post(client *http.Client, url, secret, body string) int {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url+registration.EventsPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(registration.DefaultSecretHeader, secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func execIn(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}
