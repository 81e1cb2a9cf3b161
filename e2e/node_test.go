package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// A node is one test host of the HA cluster. Its commands run in its
// network namespace and in a private mount namespace where its own folders
// stand in for /home, /opt, /usr/local/lib, /etc/ufw and /etc/ssh, a tmpfs for /run (sshd's
// privilege separation folder), and copies of /etc/passwd, group and
// shadow that also hold the tunnel user. Nothing on the host changes.
type node struct {
	lab     *lab
	name    string
	ns      string
	address string
	root    string // the node's disk: what apply.sh --root installs into
	users   string // folder with the passwd, group and shadow copies

	hostKey, tunnelKey string // private key files, made by ssh-keygen

	tunnels map[string]*tunnel // by peer name

	agent       *exec.Cmd // the gossip agent, when it runs
	membersFile string    // where the agent writes the members it sees
}

// A tunnel is a running tunnel.sh, as its systemd unit would run it.
type tunnel struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
}

// enterScript sets up a node's mount namespace and runs the command.
const enterScript = `set -e
root=$1 users=$2
shift 2
if [ -d "$root/.etc-work" ]; then
	# A node applied live: its /etc is the host's with the node's own
	# files over it, and every write lands in the node's disk.
	work=$(mktemp -d "$root/.etc-work/XXXXXX")
	mount -t overlay fleetgen-e2e-etc -o "lowerdir=/etc,upperdir=$root/etc,workdir=$work" /etc
fi
mount -t tmpfs -o mode=755 fleetgen-e2e-run /run
mkdir -m 755 /run/sshd
for f in passwd group shadow; do mount --bind "$users/$f" "/etc/$f"; done
mount --bind "$root/home" /home
mount --bind "$root/opt" /opt
mount --bind "$root/usr/local/lib" /usr/local/lib
mount --bind "$root/etc/ufw" /etc/ufw
mount --bind "$root/etc/ssh" /etc/ssh
exec "$@"
`

// command is name args run as root on the node.
func (n *node) command(name string, args ...string) *exec.Cmd {
	full := append([]string{"netns", "exec", n.ns, "unshare", "-m", "--propagation", "private",
		"sh", "-c", enterScript, "sh", n.root, n.users, name}, args...)
	return exec.Command("ip", full...)
}

// as is name args run on the node as user, the way systemd's User= would.
func (n *node) as(user, name string, args ...string) *exec.Cmd {
	return n.command("runuser", append([]string{"-u", user, "--", name}, args...)...)
}

// run runs a command on the node, bounded, and fails the test on error.
func (n *node) run(name string, args ...string) string {
	n.lab.t.Helper()
	out, err := runBounded(n.command(name, args...), time.Minute)
	if err != nil {
		n.lab.t.Fatalf("%s: %s %v: %v\n%s", n.name, name, args, err, out)
	}
	return out
}

// runBounded runs cmd, killing its process group after timeout.
func runBounded(cmd *exec.Cmd, timeout time.Duration) (string, error) {
	var buf syncBuffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	cmd.WaitDelay = time.Second
	timer := time.AfterFunc(timeout, func() {
		if cmd.Process != nil {
			cmd.Process.Kill()
		}
	})
	defer timer.Stop()
	err := cmd.Run()
	return buf.String(), err
}

// installLayout makes the folders the bind mounts need, ufw's /etc/ufw
// as Debian's package installs it, enabled, and /etc/ssh with Debian's
// stock sshd_config, which includes sshd_config.d/*.conf, where apply.sh
// puts fleetgen's drop-in.
func (n *node) installLayout(t *testing.T) {
	for _, d := range []string{"home", "opt/mattermost", "usr/local/lib", "etc/ufw", "etc/ssh/sshd_config.d"} {
		if err := os.MkdirAll(filepath.Join(n.root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for dest, src := range map[string]string{"sshd_config": stockSSHDConfig(t), "moduli": "/etc/ssh/moduli"} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(n.root, "etc/ssh", dest), string(b), 0o644)
	}
	const stock = "/usr/share/ufw/iptables"
	entries, err := os.ReadDir(stock)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(stock, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(n.root, "etc/ufw", e.Name()), string(b), 0o640)
	}
	// IPT_SYSCTL= skips ufw's sysctl file: not every setting in it is
	// per network namespace. The test enables ufw with its command.
	writeFile(t, filepath.Join(n.root, "etc/ufw/ufw.conf"), "ENABLED=no\nLOGLEVEL=low\nIPT_SYSCTL=\n", 0o644)
	if err := os.CopyFS(filepath.Join(n.root, "etc/ufw/applications.d"), os.DirFS("/etc/ufw/applications.d")); err != nil {
		t.Fatalf("ufw's application profiles: %v", err)
	}
}

// apply copies the node's rendered folder and runs its apply.sh into the
// node's disk, as an operator does; --root because the node's disk is a
// folder here. It returns apply.sh's output.
func (n *node) apply(t *testing.T, folder map[string][]byte) string {
	t.Helper()
	src := filepath.Join(n.root+".src", fmt.Sprint(time.Now().UnixNano()))
	for rel, data := range folder {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(rel, ".sh") {
			mode = 0o755
		}
		writeFile(t, filepath.Join(src, rel), string(data), mode)
	}
	return n.run("bash", filepath.Join(src, "apply.sh"), "--root", n.root)
}

// stockSSHDConfig is Debian's pristine sshd_config, which the host's own
// may have been changed from.
func stockSSHDConfig(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/share/openssh/sshd_config", "/etc/ssh/sshd_config"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("no sshd_config to start from")
	return ""
}

// installIdentity puts the node's tunnel key where the README tells
// operators to create it, owned by the tunnel user.
func (n *node) installIdentity(t *testing.T, user string) {
	t.Helper()
	key, err := os.ReadFile(n.tunnelKey)
	if err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(n.root, "home", user, ".ssh", "fleetgen_tunnel")
	writeFile(t, dest, string(key), 0o600)
	n.run("chown", user+":", "/home/"+user+"/.ssh/fleetgen_tunnel")
}

// startSSHD runs Debian's sshd with its stock configuration and the
// node's host key, and waits until it listens.
func (n *node) startSSHD(t *testing.T) {
	t.Helper()
	cmd := n.command("/usr/sbin/sshd", "-D", "-e", "-f", "/etc/ssh/sshd_config",
		"-h", n.hostKey, "-o", "PidFile=none", "-o", "ListenAddress="+n.address)
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	n.lab.start(cmd)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s: sshd's log:\n%s", n.name, log.String())
		}
	})
	n.waitListening(t, n.address+":22")
}

func (n *node) waitListening(t *testing.T, addr string) {
	t.Helper()
	eventually(t, 10*time.Second, n.name+": "+addr+" listens", func() error {
		out, err := output(5*time.Second, "ip", "netns", "exec", n.ns, "ss", "-Hltn", "src", addr)
		if err != nil || strings.TrimSpace(out) == "" {
			return fmt.Errorf("not listening (%v) %s", err, out)
		}
		return nil
	})
}

// localSocket is where the stand-in for Mattermost listens on a unix socket.
const localSocket = "/opt/mattermost/local.socket"

// startMattermost runs the stand-in for Mattermost on the node's cluster
// ports, on 8065 and on loopback (targets a peer must not reach through a
// tunnel), and waits until it listens.
func (n *node) startMattermost(t *testing.T) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// It runs in the node's mount namespace for the unix socket, which
	// stands in for Mattermost's local mode socket in a folder the
	// tunnel user can reach.
	cmd := n.command(self, "tcp:"+n.address+":8074", "tcp:"+n.address+":8075",
		"tcp:"+n.address+":8065", "tcp:127.0.0.1:8074", "udp:"+n.address+":8074", "unix:"+localSocket)
	cmd.Env = append(os.Environ(), helperEnv+"=listen")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &syncBuffer{}
	n.lab.start(cmd)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "listening\n" {
		t.Fatalf("%s: the Mattermost stand-in did not start: %q %v", n.name, line, err)
	}
}

// dial connects from the node to target ("tcp:ADDR:PORT" or "udp:…") and
// returns the line the listener answered.
func (n *node) dial(target string, timeout time.Duration) (string, error) {
	return n.lab.dial(n.ns, target, timeout)
}

// startTunnel runs the rendered tunnel.sh for peer as the tunnel user, as
// the unit fleetgen-tunnel@<peer>.service does.
func (n *node) startTunnel(t *testing.T, user, script, peer string) *tunnel {
	t.Helper()
	tn := &tunnel{stderr: &syncBuffer{}}
	tn.cmd = n.as(user, script, peer)
	tn.cmd.Stdout, tn.cmd.Stderr = tn.stderr, tn.stderr
	n.lab.start(tn.cmd)
	n.tunnels[peer] = tn
	return tn
}

// stopTunnels stops every tunnel of the node, as stopping Mattermost
// stops the units that are PartOf it.
func (n *node) stopTunnels() {
	for peer, tn := range n.tunnels {
		stop(tn.cmd)
		delete(n.tunnels, peer)
	}
}

// syncBuffer is a bytes.Buffer that a process and the test may use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
