package e2e

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory"
)

// TestHAGossip runs a real gossip cluster through the rendered files: a
// memberlist agent (gossipAgent, a faithful stand-in for Mattermost's
// clustering) on every node's gossip port, TCP through the SSH tunnels
// (the nodes' ufw drops direct TCP between them), UDP allowed from peers
// only. The remaining nodes are applied live, as an operator does: the
// rendered apply.sh runs as root in the node's namespaces with its real
// ufw, conntrack and ss; only systemctl is a stand-in, whose requests the
// test carries out as systemd would (it starts and stops tunnel.sh). Every
// wait is bounded, and the times measured are logged.
func TestHAGossip(t *testing.T) {
	t.Parallel() // its own namespaces, users and files
	tooltest.Look(t, "conntrack")
	l := newLab(t)
	nodes := newNodes(t, l, 4)
	n1, n2, n3, n4 := nodes[0], nodes[1], nodes[2], nodes[3]
	for _, n := range nodes {
		n.liveEtc(t)
	}
	first := nodes[:3]
	rendered := renderCluster(t, inventory.SupervisionSystemd, first)
	for _, n := range first {
		n.apply(t, rendered[n.name])
		n.installIdentity(t, tunnelUser)
		n.startSSHD(t)
		n.run("ufw", "--force", "enable")
	}
	startTunnels(t, first)
	key := make([]byte, 32)
	rand.Read(key)
	for _, n := range first {
		n.startAgent(t, hex.EncodeToString(key), first)
	}

	start := time.Now()
	waitMembers(t, 30*time.Second, "the cluster forms", first, "mm1 mm2 mm3")
	t.Logf("the 3-node cluster formed in %v", time.Since(start).Round(10*time.Millisecond))

	t.Run("a killed tunnel comes back and the member stays", func(t *testing.T) {
		tn := n1.tunnels[n2.name]
		old := sshOf(t, tn)
		if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		killed := time.Now()
		eventually(t, 20*time.Second, "a new ssh for mm1's tunnel to mm2", func() error {
			if pid := sshPid(tn); pid == 0 || pid == old {
				return fmt.Errorf("no new ssh yet")
			}
			return nil
		})
		t.Logf("the tunnel came back in %v", time.Since(killed).Round(10*time.Millisecond))
		// mm2 stays a member of mm1's view all along, and afterwards.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if got := n1.members(); !strings.Contains(got, "mm2") {
				t.Fatalf("mm1 lost mm2 while its tunnel came back: members %q", got)
			}
		}
	})

	top := t // the agents outlive the subtests
	agents := map[string]int{}
	for _, n := range first {
		agents[n.name] = n.agent.Process.Pid
	}

	t.Run("a node added joins without any agent restarting", func(t *testing.T) {
		before := dnatByPeer(t, first)
		all := renderCluster(t, inventory.SupervisionSystemd, nodes)
		for _, n := range first {
			out := n.applyLive(t, all[n.name], "--restart", "--health-timeout", "20")
			if strings.Contains(out, "systemctl restart mattermost") || strings.Contains(out, "restart needed") {
				t.Errorf("%s: adding a peer restarts Mattermost:\n%s", n.name, out)
			}
			n.followSystemctl(t)
		}
		n4.apply(t, all[n4.name])
		n4.installIdentity(t, tunnelUser)
		n4.startSSHD(t)
		n4.run("ufw", "--force", "enable")
		for _, p := range first {
			n4.startTunnel(t, tunnelUser, binDir+"/tunnel.sh", p.name)
		}
		joined := time.Now()
		n4.startAgent(top, hex.EncodeToString(key), nodes)
		waitMembers(t, 30*time.Second, "mm4 joins", nodes, "mm1 mm2 mm3 mm4")
		t.Logf("mm4 joined in %v", time.Since(joined).Round(10*time.Millisecond))
		for _, n := range first {
			if n.agent.Process.Pid != agents[n.name] || n.agent.ProcessState != nil {
				t.Errorf("%s: its agent was restarted", n.name)
			}
		}
		after := dnatByPeer(t, first)
		for _, n := range first {
			for peer, rules := range before[n.name] {
				if after[n.name][peer] != rules {
					t.Errorf("%s: adding mm4 changed the DNAT rules of peer %s:\n%s\n→\n%s", n.name, peer, rules, after[n.name][peer])
				}
			}
		}
	})

	t.Run("a node removed while it runs is evicted and cannot rejoin", func(t *testing.T) {
		rest := []*node{n1, n3, n4}
		before := dnatByPeer(t, rest)
		// mm2's gossip flows with the nodes it formed the cluster with are
		// established: the firewall's allow rules alone would never see
		// them again.
		for _, n := range []*node{n1, n3} {
			out := n.run("conntrack", "-L", "-p", "udp", "--dport", "8074")
			if !slices.ContainsFunc(strings.Split(out, "\n"), func(l string) bool {
				return strings.Contains(l, "="+n2.address+" ") && strings.Contains(l, "ASSURED")
			}) {
				t.Errorf("%s: no established gossip flow from mm2 before the removal:\n%s", n.name, out)
			}
		}
		folders := renderCluster(t, inventory.SupervisionSystemd, rest)
		var first, applied time.Time
		for i, n := range rest {
			if i == 0 {
				first = time.Now()
			}
			out := n.applyLive(t, folders[n.name])
			if !strings.Contains(out, "end every connection of removed peer mm2 ("+n2.address+")") {
				t.Errorf("%s: apply.sh did not end mm2's connections:\n%s", n.name, out)
			}
			if strings.Contains(out, "systemctl restart mattermost") {
				t.Errorf("%s: removing a peer restarts Mattermost:\n%s", n.name, out)
			}
			n.followSystemctl(t)
			applied = time.Now()
			// mm2's SSH tunnel into this node, established long before, is gone.
			if ss := n.run("ss", "-Htn", "state", "established", "dst", n2.address); strings.Contains(ss, ":22 ") {
				t.Errorf("%s: mm2 still has an SSH connection after the apply:\n%s", n.name, ss)
			}
		}
		waitMembers(t, 30*time.Second, "mm2 evicted", rest, "mm1 mm3 mm4")
		t.Logf("mm2 was evicted by every remaining node %v after the first apply began, %v after the last apply",
			time.Since(first).Round(10*time.Millisecond), time.Since(applied).Round(10*time.Millisecond))
		// mm2 keeps running and keeps joining (every second): it stays out.
		for deadline := time.Now().Add(6 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			for _, n := range rest {
				if got := n.members(); strings.Contains(got, "mm2") {
					t.Fatalf("%s sees mm2 again: %q", n.name, got)
				}
			}
		}
		if n2.agent.ProcessState != nil {
			t.Error("mm2's agent stopped: the test wants it running, trying to rejoin")
		}
		after := dnatByPeer(t, rest)
		for _, n := range rest {
			for peer, rules := range after[n.name] {
				if before[n.name][peer] != rules {
					t.Errorf("%s: removing mm2 changed the DNAT rules of peer %s:\n%s\n→\n%s", n.name, peer, before[n.name][peer], rules)
				}
			}
		}
	})

	t.Run("a rolling apply stops at a node that does not become healthy", func(t *testing.T) {
		// mm3's Mattermost gossips but never answers its health check, as
		// one stuck starting up.
		stop(n3.agent)
		n3.startAgent(top, hex.EncodeToString(key), []*node{n1, n3, n4}, "FLEETGEN_E2E_NO_HEALTH=1")
		folders := renderCluster(t, inventory.SupervisionSystemd, []*node{n1, n3, n4})
		var reached []string
		var failure string
		for _, n := range []*node{n1, n3, n4} { // the README's roll, in ordinal order
			reached = append(reached, n.name)
			started := time.Now()
			out, err := n.applyLiveErr(t, folders[n.name], "--restart", "--health-timeout", "5")
			if err != nil {
				failure = out
				d := time.Since(started)
				t.Logf("the roll stopped at %s after %v (health timeout 5 s)", n.name, d.Round(10*time.Millisecond))
				if d > 20*time.Second {
					t.Errorf("the health gate took %v with a 5 s timeout", d)
				}
				break
			}
			if !strings.Contains(out, "node "+n.name+" is healthy") {
				t.Errorf("%s: apply.sh --restart passed without the health gate saying so:\n%s", n.name, out)
			}
		}
		if strings.Join(reached, " ") != "mm1 mm3" || !strings.Contains(failure, "node mm3 is not healthy") {
			t.Errorf("the roll reached %v; want it to stop at mm3 with a clear error:\n%s", reached, failure)
		}
	})

	t.Run("an upgrade of Mattermost keeps fleetgen's files working", func(t *testing.T) {
		// The documented upgrade replaces the install folder.
		n1.run("sh", "-c", "rm -rf /opt/mattermost && mkdir -p /opt/mattermost/bin /opt/mattermost/config")
		n1.stopTunnels()
		n1.startTunnel(t, tunnelUser, binDir+"/tunnel.sh", n3.name)
		n1.startTunnel(t, tunnelUser, binDir+"/tunnel.sh", n4.name)
		if out, err := preStart(n1); err != nil || strings.Contains(out, "fleetgen-tunnels") {
			t.Errorf("pre_start.sh after the upgrade: %v\n%s", err, out)
		}
		n1.waitListening(t, "127.0.0.1:18030")
		n1.waitListening(t, "127.0.0.1:18040")
	})
}

// liveEtc makes the node's /etc an overlay of the host's, so apply.sh can
// run live in the node's mount namespace and write only the node's disk.
func (n *node) liveEtc(t *testing.T) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(n.root, ".etc-work"), 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := runBounded(n.command("true"), time.Minute); err != nil {
		tooltest.Missing(t, "cannot mount an overlay over /etc in a mount namespace: %v\n%s", err, out)
	}
}

// applyLive copies the node's folder and runs its apply.sh as on the node
// itself (no --root), with systemctl a stand-in that logs its arguments.
func (n *node) applyLive(t *testing.T, folder map[string][]byte, args ...string) string {
	t.Helper()
	out, err := n.applyLiveErr(t, folder, args...)
	if err != nil {
		t.Fatalf("%s: apply.sh %v: %v\n%s", n.name, args, err, out)
	}
	return out
}

func (n *node) applyLiveErr(t *testing.T, folder map[string][]byte, args ...string) (string, error) {
	t.Helper()
	src := filepath.Join(n.root+".src", fmt.Sprint(time.Now().UnixNano()))
	for rel, data := range folder {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(rel, ".sh") {
			mode = 0o755
		}
		writeFile(t, filepath.Join(src, rel), string(data), mode)
	}
	bin := filepath.Join(n.root+".bin", "systemctl")
	writeFile(t, bin, "#!/bin/sh\nprintf '%s\\n' \"$*\" >>"+n.root+".systemctl.log\n", 0o755)
	cmd := n.command("bash", append([]string{filepath.Join(src, "apply.sh")}, args...)...)
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"))
	return runBounded(cmd, 2*time.Minute)
}

// followSystemctl does what systemd would for the systemctl calls apply.sh
// made since the last call: it starts, restarts and stops tunnel units.
func (n *node) followSystemctl(t *testing.T) {
	t.Helper()
	log := n.root + ".systemctl.log"
	b, err := os.ReadFile(log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	os.Remove(log)
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) < 2 || (f[0] != "stop" && f[0] != "restart" && f[0] != "start") {
			continue
		}
		for _, unit := range f[1:] {
			peer, ok := strings.CutPrefix(strings.TrimSuffix(unit, ".service"), "fleetgen-tunnel@")
			if !ok || unit == "--" {
				continue
			}
			if tn := n.tunnels[peer]; tn != nil {
				stop(tn.cmd)
				delete(n.tunnels, peer)
			}
			if f[0] != "stop" {
				n.startTunnel(t, tunnelUser, binDir+"/tunnel.sh", peer)
			}
		}
	}
}

// startAgent runs the gossip agent on the node, joining the other members.
func (n *node) startAgent(t *testing.T, key string, members []*node, env ...string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	n.membersFile = n.root + ".members"
	args := []string{n.name, n.address, "8074", key, n.membersFile}
	for _, p := range members {
		if p != n {
			args = append(args, p.address)
		}
	}
	cmd := n.command(self, args...)
	cmd.Env = append(append(os.Environ(), helperEnv+"=gossip"), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	log := &syncBuffer{}
	cmd.Stderr = log
	n.lab.start(cmd)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s: gossip agent's log:\n%s", n.name, log.String())
		}
	})
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "gossiping\n" {
		t.Fatalf("%s: the gossip agent did not start: %q %v\n%s", n.name, line, err, log.String())
	}
	n.agent = cmd
	t.Cleanup(func() { stop(cmd) }) // before the files it writes are removed
}

// members are the names the node's agent sees, space separated.
func (n *node) members() string {
	b, _ := os.ReadFile(n.membersFile)
	return strings.TrimSpace(string(b))
}

// waitMembers waits until every one of nodes sees exactly want.
func waitMembers(t *testing.T, within time.Duration, what string, nodes []*node, want string) {
	t.Helper()
	eventually(t, within, what, func() error {
		for _, n := range nodes {
			if got := n.members(); got != want {
				return fmt.Errorf("%s sees %q, want %q", n.name, got, want)
			}
		}
		return nil
	})
}

// dnatByPeer is each node's DNAT rules per peer address, from the live nat table.
func dnatByPeer(t *testing.T, nodes []*node) map[string]map[string]string {
	t.Helper()
	m := map[string]map[string]string{}
	for _, n := range nodes {
		m[n.name] = map[string]string{}
		for line := range strings.Lines(n.run("iptables-save", "-t", "nat")) {
			f := strings.Fields(line)
			if i := slices.Index(f, "-d"); i >= 0 && slices.Contains(f, "DNAT") {
				m[n.name][f[i+1]] += line
			}
		}
	}
	return m
}
