package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/fleetgen/internal/tooltest"
)

// A lab is a set of test hosts: one network namespace each, joined by a
// bridge that lives in a namespace of its own, which is also the outsider
// host (an address on the same network that is no cluster node). Every
// name carries a random tag, and Cleanup kills every process in the
// namespaces and deletes them, even when the test fails.
type lab struct {
	t      *testing.T
	tag    string
	bridge string // namespace of the bridge and the outsider
	nss    []string
	procs  []*exec.Cmd
}

// The test network: only ever configured inside the lab's namespaces.
const (
	subnet   = "10.231.0."
	outsider = subnet + "99"
)

func newLab(t *testing.T) *lab {
	t.Helper()
	tooltest.NeedRoot(t)
	tooltest.Look(t, "ip", "unshare", "mount", "ss", "runuser", "ssh", "ssh-keygen", "bash", "iptables", "iptables-save")
	if _, err := os.Stat("/usr/sbin/sshd"); err != nil {
		tooltest.Missing(t, "sshd (openssh-server) is not installed: %v", err)
	}
	tooltest.Look(t, "ufw")
	b := make([]byte, 3)
	rand.Read(b)
	l := &lab{t: t, tag: "fge2e" + hex.EncodeToString(b)}
	l.bridge = l.tag + "-br"
	if out, err := exec.Command("ip", "netns", "add", l.bridge).CombinedOutput(); err != nil {
		tooltest.Missing(t, "cannot create a network namespace: %v\n%s", err, out)
	}
	l.nss = append(l.nss, l.bridge)
	t.Cleanup(l.cleanup)
	l.ip(l.bridge, "link", "set", "lo", "up")
	l.ip(l.bridge, "link", "add", "br0", "type", "bridge")
	l.ip(l.bridge, "addr", "add", outsider+"/24", "dev", "br0")
	l.ip(l.bridge, "link", "set", "br0", "up")
	return l
}

// addHost makes the namespace of host i (address subnet.i) and plugs it
// into the bridge.
func (l *lab) addHost(i int) (ns, address string) {
	ns = fmt.Sprintf("%s-n%d", l.tag, i)
	address = fmt.Sprintf("%s%d", subnet, i)
	l.run("ip", "netns", "add", ns)
	l.nss = append(l.nss, ns)
	port := fmt.Sprintf("n%d", i)
	l.ip(l.bridge, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
	l.ip(l.bridge, "link", "set", port, "master", "br0", "up")
	l.ip(ns, "link", "set", "lo", "up")
	l.ip(ns, "addr", "add", address+"/24", "dev", "eth0")
	l.ip(ns, "link", "set", "eth0", "up")
	return ns, address
}

// setLink takes host i off the network or puts it back, as a dead host or
// a cut cable would.
func (l *lab) setLink(i int, state string) {
	l.ip(l.bridge, "link", "set", fmt.Sprintf("n%d", i), state)
}

func (l *lab) ip(ns string, args ...string) {
	l.run("ip", append([]string{"-n", ns}, args...)...)
}

func (l *lab) run(name string, args ...string) string {
	l.t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		l.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// start runs cmd in the background in a process group of its own, so
// cleanup can stop it with all its children.
func (l *lab) start(cmd *exec.Cmd) *exec.Cmd {
	l.t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// sshd's session processes leave its process group and may hold its
	// output open: do not wait for them once the command is gone.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		l.t.Fatalf("%v: %v", cmd.Args, err)
	}
	l.procs = append(l.procs, cmd)
	return cmd
}

// stop kills a background command with its process group and reaps it.
func stop(cmd *exec.Cmd) {
	if cmd.Process == nil || cmd.ProcessState != nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
}

func (l *lab) cleanup() {
	// sshd's session processes leave its process group: kill everything
	// left in the namespaces by pid, then the commands, then delete them.
	for _, ns := range l.nss {
		pids, _ := exec.Command("ip", "netns", "pids", ns).Output()
		for _, p := range strings.Fields(string(pids)) {
			var pid int
			fmt.Sscan(p, &pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for _, c := range l.procs {
		stop(c)
	}
	for _, ns := range l.nss {
		if out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput(); err != nil {
			l.t.Errorf("ip netns del %s: %v\n%s", ns, err, out)
		}
	}
}

// dial runs the test binary's dial helper in namespace ns: it connects to
// target ("tcp:ADDR:PORT" or "udp:…") and returns the line the listener
// answered.
func (l *lab) dial(ns, target string, timeout time.Duration) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	cmd := exec.Command("ip", "netns", "exec", ns, self, target, timeout.String())
	cmd.Env = append(os.Environ(), helperEnv+"=dial")
	out, err := runBounded(cmd, timeout+10*time.Second)
	return strings.TrimSpace(out), err
}

// eventually polls check until it returns nil or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v: %v", what, within, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// output runs cmd with a bound and returns its combined output.
func output(ctxTimeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ctxTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.String(), err
}

func writeFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
