package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory"
)

// TestHATunnels builds a three-node HA cluster out of network namespaces,
// installs what fleetgen renders for it with the rendered apply.sh, runs
// Debian's sshd and ufw on every node, the rendered tunnel.sh for every
// peer (as its systemd unit would) and the rendered pre_start.sh, and
// proves on the real programs what the files claim.
func TestHATunnels(t *testing.T) {
	t.Parallel() // its own namespaces, users and files
	l := newLab(t)
	nodes := newNodes(t, l, 3)
	rendered := renderCluster(t, inventory.SupervisionSystemd, nodes)
	installCluster(t, nodes, rendered)
	n1, n2, n3 := nodes[0], nodes[1], nodes[2]

	t.Run("systemd units verify", func(t *testing.T) { verifyUnits(t, n1) })

	t.Run("no sysctl needed", func(t *testing.T) {
		// Everything below runs with the kernel's defaults: no forwarding
		// and no routing of 127/8 from outside loopback.
		for _, n := range nodes {
			for _, key := range []string{"net/ipv4/ip_forward", "net/ipv4/conf/all/route_localnet"} {
				if v := strings.TrimSpace(n.run("cat", "/proc/sys/"+key)); v != "0" {
					t.Errorf("%s: %s = %s, the test wants the default 0", n.name, key, v)
				}
			}
		}
	})

	// Before ufw runs, the outsider reaches the stand-in directly; after,
	// it must not: that is the filter the tunnels have to get through.
	if out, err := l.dial(l.bridge, "tcp:"+n2.address+":8074", 2*time.Second); err != nil {
		t.Fatalf("control: the outsider cannot reach mm2's gossip port before ufw starts: %v %s", err, out)
	}
	for _, n := range nodes {
		n.run("ufw", "--force", "enable")
	}
	t.Run("direct TCP to the cluster ports is dropped", func(t *testing.T) {
		for _, port := range []string{"8074", "8075"} {
			if out, err := l.dial(l.bridge, "tcp:"+n2.address+":"+port, time.Second); err == nil {
				t.Errorf("the outsider reached mm2:%s directly through ufw: %s", port, out)
			}
		}
		// Between the nodes too: without mm1's DNAT rules its traffic
		// goes to mm2 directly, and mm2's ufw drops it. ufw reload puts
		// the rules back.
		n1.run("iptables", "-t", "nat", "-F", "OUTPUT")
		for _, port := range []string{"8074", "8075"} {
			if out, err := n1.dial("tcp:"+n2.address+":"+port, time.Second); err == nil {
				t.Errorf("mm1 reached mm2:%s directly through ufw: %s", port, out)
			}
		}
		n1.run("ufw", "reload")
		if nat := n1.run("iptables-save", "-t", "nat"); strings.Count(nat, "-j DNAT") != 4 {
			t.Errorf("mm1's nat table after ufw reload, want 4 DNAT rules (2 peers, 2 ports):\n%s", nat)
		}
	})

	startTunnels(t, nodes)
	t.Run("every ordered pair talks through the tunnels", func(t *testing.T) {
		checkPairs(t, nodes)
	})

	t.Run("gossip UDP passes the firewall from peers", func(t *testing.T) {
		if out, err := n3.dial("udp:"+n1.address+":8074", 2*time.Second); err != nil || !strings.Contains(out, "from="+n3.address) {
			t.Errorf("mm3 -> mm1 gossip UDP: %v %q", err, out)
		}
	})

	t.Run("tunnel key restrictions", func(t *testing.T) { checkKeyRestrictions(t, n1, n2, n3) })
	t.Run("the cluster known_hosts pins every node", func(t *testing.T) {
		checkClusterKnownHosts(t, rendered[""]["known_hosts"], n1, n2, n3)
	})

	t.Run("a killed tunnel comes back", func(t *testing.T) {
		tn := n1.tunnels[n2.name]
		old := sshOf(t, tn)
		if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		eventually(t, 20*time.Second, "mm1 -> mm2 through a new tunnel", func() error {
			if pid := sshPid(tn); pid == 0 || pid == old {
				return fmt.Errorf("no new ssh yet")
			}
			return throughTunnel(n1, n2, "8074")
		})
		if !strings.Contains(tn.stderr.String(), "fleetgen-tunnels: the SSH tunnel to peer mm2 ("+n2.address+") ended") {
			t.Errorf("the dropped tunnel was not logged:\n%s", tn.stderr.String())
		}
	})

	t.Run("a peer that is down", func(t *testing.T) {
		l.setLink(3, "down")
		// Restarting Mattermost on mm1 restarts its tunnel units.
		stop(n1.tunnels[n3.name].cmd)
		n1.startTunnel(t, tunnelUser, binDir+"/tunnel.sh", n3.name)
		start := time.Now()
		out, err := preStart(n1)
		elapsed := time.Since(start)
		if err != nil {
			t.Fatalf("pre_start.sh with mm3 down: %v\n%s", err, out)
		}
		if elapsed > 25*time.Second {
			t.Errorf("pre_start.sh took %v with a peer down", elapsed)
		}
		if !strings.Contains(out, "fleetgen-tunnels: the SSH tunnel to peer mm3 ("+n3.address+") is not up") || strings.Contains(out, "peer mm2") {
			t.Errorf("pre_start.sh should report mm3 and only mm3:\n%s", out)
		}
		l.setLink(3, "up")
		eventually(t, 40*time.Second, "mm1 -> mm3 once mm3 is back", func() error { return throughTunnel(n1, n3, "8074") })
	})

	t.Run("a removed node loses its access", func(t *testing.T) {
		// The README's order: stop Mattermost (and so its tunnels) on the
		// node that leaves, then re-apply the others.
		n3.stopTunnels()
		folders := renderCluster(t, inventory.SupervisionSystemd, []*node{n1, n2})
		for _, n := range []*node{n1, n2} {
			n.apply(t, folders[n.name])
			n.run("ufw", "reload") // apply.sh runs it when ufw is active and --root is /
			n.stopTunnels()
			// systemctl restart mattermost restarts every tunnel unit that
			// is PartOf it, the removed peer's too: that one must end.
			n.startTunnel(t, tunnelUser, binDir+"/tunnel.sh", n3.name)
			for _, p := range []*node{n1, n2} {
				if p != n {
					n.startTunnel(t, tunnelUser, binDir+"/tunnel.sh", p.name)
				}
			}
			gone := n.tunnels[n3.name]
			err := waitExit(gone.cmd, 10*time.Second)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 64 {
				t.Errorf("%s: tunnel.sh for the removed peer should exit 64, got %v:\n%s", n.name, err, gone.stderr.String())
			}
			delete(n.tunnels, n3.name)
			if out, err := preStart(n); err != nil || strings.Contains(out, "fleetgen-tunnels") {
				t.Errorf("%s: pre_start.sh after the removal: %v\n%s", n.name, err, out)
			}
		}
		checkPairs(t, []*node{n1, n2})
		for _, n := range []*node{n1, n2} {
			if out, err := n3.dial("tcp:"+n.address+":22", time.Second); err == nil {
				t.Errorf("mm3 still reaches %s's sshd: %s", n.name, out)
			}
			if out, err := n3.dial("udp:"+n.address+":8074", time.Second); err == nil {
				t.Errorf("mm3 still reaches %s's gossip UDP port: %s", n.name, out)
			}
			if nat := n.run("iptables-save", "-t", "nat"); strings.Contains(nat, n3.address) {
				t.Errorf("%s: the nat table still sends traffic to mm3:\n%s", n.name, nat)
			}
			// Its key is refused too, even where the firewall lets it in.
			n.run("iptables", "-I", "ufw-before-input", "1", "-s", n3.address, "-p", "tcp", "--dport", "22", "-j", "ACCEPT")
			if out, code := sshAs(n3, n3.tunnelKey, n, nil, "true"); code != 255 || !strings.Contains(out, "Permission denied") {
				t.Errorf("mm3's tunnel key on %s: exit %d, want a refusal (255):\n%s", n.name, code, out)
			}
		}
	})
}

// installCluster installs each node's rendered folder with its apply.sh
// and the node's tunnel key, and starts sshd and the stand-in for
// Mattermost; ufw is not enabled yet.
func installCluster(t *testing.T, nodes []*node, folders map[string]map[string][]byte) {
	t.Helper()
	for _, n := range nodes {
		n.apply(t, folders[n.name])
		n.installIdentity(t, tunnelUser)
		n.startSSHD(t)
		n.startMattermost(t)
	}
}

// verifyUnits checks the installed tunnel units and Mattermost's drop-in
// with systemd-analyze verify, on the node where their scripts exist;
// mattermost.service itself is a stand-in, Mattermost ships its own.
func verifyUnits(t *testing.T, n *node) {
	analyze := tooltest.Look(t, "systemd-analyze")
	units := filepath.Join(n.root, "etc/systemd/system")
	writeFile(t, filepath.Join(units, "mattermost.service"),
		"[Service]\nUser="+tunnelUser+"\nExecStart=/bin/sleep infinity\n", 0o644)
	args := []string{"SYSTEMD_UNIT_PATH=" + units + ":", analyze, "verify", "mattermost.service"}
	for _, p := range []string{"mm2", "mm3"} {
		args = append(args, "fleetgen-tunnel@"+p+".service")
	}
	out, err := runBounded(n.command("env", args...), time.Minute)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// startTunnels starts every node's tunnel to every peer and runs its
// pre_start.sh, which must find them all up and say nothing.
func startTunnels(t *testing.T, nodes []*node) {
	t.Helper()
	for _, n := range nodes {
		for _, p := range nodes {
			if p != n {
				n.startTunnel(t, tunnelUser, binDir+"/tunnel.sh", p.name)
			}
		}
	}
	for _, n := range nodes {
		out, err := preStart(n)
		if err != nil || strings.Contains(out, "fleetgen-tunnels") {
			t.Fatalf("%s: pre_start.sh with every peer up: %v\n%s", n.name, err, out)
		}
	}
}

// preStart runs the node's rendered pre_start.sh as the tunnel user, as
// the ExecStartPre= of the drop-in does.
func preStart(n *node) (string, error) {
	return runBounded(n.as(tunnelUser, binDir+"/pre_start.sh"), time.Minute)
}

// checkPairs: from every node to every peer, on both cluster ports.
func checkPairs(t *testing.T, nodes []*node) {
	t.Helper()
	for _, from := range nodes {
		for _, to := range nodes {
			if from == to {
				continue
			}
			for _, port := range []string{"8074", "8075"} {
				if err := throughTunnel(from, to, port); err != nil {
					t.Errorf("%s -> %s:%s: %v", from.name, to.name, port, err)
				}
			}
		}
	}
}

// throughTunnel connects from one node to a peer's address and port, as
// Mattermost does, and checks that the peer's listener saw the connection
// come from the peer's own sshd: it went through the tunnel, the filter
// that drops direct TCP notwithstanding.
func throughTunnel(from, to *node, port string) error {
	out, err := from.dial("tcp:"+to.address+":"+port, 3*time.Second)
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	if want := fmt.Sprintf("port=%s from=%s proc=", port, to.address); !fromSSHD(out, want) {
		return fmt.Errorf("the listener saw %q, want %q followed by sshd", out, want)
	}
	return nil
}

// fromSSHD reports whether the stand-in's line is prefix followed by sshd's
// process name: "sshd", or "sshd-session" from OpenSSH 9.8.
func fromSSHD(line, prefix string) bool {
	proc, ok := strings.CutPrefix(line, prefix)
	return ok && (proc == "sshd" || proc == "sshd-session")
}

// sshOf returns the pid of the ssh a running tunnel.sh started.
func sshOf(t *testing.T, tn *tunnel) int {
	t.Helper()
	var pid int
	eventually(t, 10*time.Second, "the tunnel's ssh", func() error {
		if pid = sshPid(tn); pid == 0 {
			return fmt.Errorf("no ssh in the tunnel's process group")
		}
		return nil
	})
	return pid
}

// sshPid finds the tunnel's ssh among the processes of its process group.
func sshPid(tn *tunnel) int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp …; comm may hold spaces, not ")".
		open, rest, _ := strings.Cut(string(b), " (")
		comm, fields, _ := strings.Cut(rest, ") ")
		f := strings.Fields(fields)
		if comm == "ssh" && len(f) > 2 && f[2] == strconv.Itoa(tn.cmd.Process.Pid) {
			pid, _ := strconv.Atoi(open)
			return pid
		}
	}
	return 0
}

// waitExit waits a bounded time for a background command to end.
func waitExit(cmd *exec.Cmd, within time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		stop(cmd)
		return fmt.Errorf("still running after %v", within)
	}
}
