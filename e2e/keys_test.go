package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sshAs runs ssh on node from, as root, with the private key, to the
// tunnel user on node to, checking to's host key against the known_hosts
// installed on from. It returns the output and ssh's exit code (255: ssh
// itself failed, such as a refused key).
func sshAs(from *node, key string, to *node, extra []string, remote ...string) (string, int) {
	args := []string{"-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "UserKnownHostsFile=" + home + "/.ssh/known_hosts", "-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-i", key, "-o", "ConnectTimeout=5"}
	args = append(append(args, extra...), "--", tunnelUser+"@"+to.address)
	out, err := runBounded(from.command("ssh", append(args, remote...)...), 15*time.Second)
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		code = -1
	}
	return out, code
}

// checkKeyRestrictions: mm1's tunnel key, authorized on mm2, can do what a
// tunnel needs and nothing else, and only from mm1's address.
func checkKeyRestrictions(t *testing.T, n1, n2, n3 *node) {
	key := n1.root + home + "/.ssh/fleetgen_tunnel"

	t.Run("no command", func(t *testing.T) {
		out, code := sshAs(n1, key, n2, nil, "echo", "RAN-$((6*7))")
		if strings.Contains(out, "RAN-42") || code != 1 {
			t.Errorf("the tunnel key ran a command on mm2 (exit %d):\n%s", code, out)
		}
	})

	t.Run("no shell", func(t *testing.T) {
		cmd := n1.command("ssh", "-tt", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
			"-o", "UserKnownHostsFile="+home+"/.ssh/known_hosts", "-o", "IdentitiesOnly=yes", "-i", key,
			"--", tunnelUser+"@"+n2.address)
		cmd.Stdin = strings.NewReader("echo SHELL-$((6*7))\nexit\n")
		out, _ := runBounded(cmd, 30*time.Second)
		if strings.Contains(out, "SHELL-42") {
			t.Errorf("the tunnel key got a shell on mm2:\n%s", out)
		}
	})

	t.Run("only the cluster ports", func(t *testing.T) {
		// One ssh with forwards to the allowed port and to targets the
		// key must not reach; the stand-in listens on all of them.
		fwd := map[string]string{
			"19001": n2.address + ":8074", // allowed: the control
			"19002": n2.address + ":8065",
			"19003": "127.0.0.1:8074",
			"19004": n2.address + ":22",
			"19006": localSocket, // a unix socket: permitopen does not cover these
		}
		var extra []string
		for local, target := range fwd {
			extra = append(extra, "-L", "127.0.0.1:"+local+":"+target)
		}
		extra = append(extra, "-N", "-o", "ExitOnForwardFailure=yes")
		cmd := n1.command("ssh", append(append([]string{"-F", "/dev/null", "-o", "BatchMode=yes",
			"-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + home + "/.ssh/known_hosts",
			"-o", "IdentitiesOnly=yes", "-i", key}, extra...), "--", tunnelUser+"@"+n2.address)...)
		n1.lab.start(cmd)
		defer stop(cmd)
		n1.waitListening(t, "127.0.0.1:19001")
		if out, err := n1.dial("tcp:127.0.0.1:19001", 3*time.Second); err != nil || !fromSSHD(out, "port=8074 from="+n2.address+" proc=") {
			t.Fatalf("control: the allowed forward does not work: %v %q", err, out)
		}
		for _, local := range []string{"19002", "19003", "19004", "19006"} {
			if out, err := n1.dial("tcp:127.0.0.1:"+local, 2*time.Second); err == nil {
				t.Errorf("the tunnel key forwarded to %s: %q", fwd[local], out)
			}
		}
	})

	t.Run("no remote forward", func(t *testing.T) {
		// -R would let a peer listen on mm2, for example on the local end
		// of one of mm2's own tunnels, or make unix sockets there.
		// authorized_keys allows only 127.0.0.1:1, which the unprivileged
		// tunnel user cannot bind: "none" is not valid there.
		for _, spec := range []string{"127.0.0.1:19005:127.0.0.1:22", "127.0.0.1:1:127.0.0.1:22", home + "/fwd.socket:127.0.0.1:22"} {
			out, code := sshAs(n1, key, n2, []string{"-N", "-o", "ExitOnForwardFailure=yes", "-R", spec})
			if code != 255 {
				t.Errorf("the tunnel key opened the remote forward %s on mm2 (exit %d):\n%s", spec, code, out)
			}
		}
	})

	t.Run("keys in the tunnel user's home grant nothing", func(t *testing.T) {
		// The tunnel user is usually Mattermost's: if Mattermost is
		// compromised, the account may write its own authorized_keys.
		// sshd reads the root-owned file the drop-in names instead.
		if out := n2.run("/usr/sbin/sshd", "-T", "-h", n2.hostKey, "-C", "user="+tunnelUser+",host=mm1,addr="+n1.address); !strings.Contains(out, "\nauthorizedkeysfile /etc/ssh/fleetgen/"+tunnelUser+".authorized_keys\n") {
			t.Fatalf("sshd on mm2 does not read the root-owned keys file for %s:\n%s", tunnelUser, out)
		}
		rogue := keygen(t, t.TempDir()+"/rogue", "rogue")
		pub, err := os.ReadFile(rogue + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		own := home + "/.ssh/authorized_keys"
		writeFile(t, n2.root+own, string(pub), 0o600)
		n2.run("chown", tunnelUser+":", own)
		if out, code := sshAs(n1, rogue, n2, nil, "echo", "RAN-$((6*7))"); code != 255 || strings.Contains(out, "RAN-42") {
			t.Errorf("a key the tunnel user added to its own authorized_keys logged in to mm2 (exit %d):\n%s", code, out)
		}
	})

	t.Run("only from its node", func(t *testing.T) {
		// mm3 may log in to mm2 (control), but not with mm1's key.
		if out, code := sshAs(n3, n3.root+home+"/.ssh/fleetgen_tunnel", n2, nil, "true"); code != 1 {
			t.Fatalf("control: mm3's own key should log in and run /bin/false (exit 1), got %d:\n%s", code, out)
		}
		if out, code := sshAs(n3, key, n2, nil, "true"); code != 255 || !strings.Contains(out, "Permission denied") {
			t.Errorf("mm1's key from mm3's address: exit %d, want a refusal:\n%s", code, out)
		}
	})
}

// checkClusterKnownHosts: the cluster's known_hosts, which the apply
// workflow connects with (StrictHostKeyChecking=yes), pins each node's real
// host key for OpenSSH, and a swapped key is refused.
func checkClusterKnownHosts(t *testing.T, known []byte, n1, n2, n3 *node) {
	key := n1.root + home + "/.ssh/fleetgen_tunnel"
	good := filepath.Join(t.TempDir(), "known_hosts")
	writeFile(t, good, string(known), 0o644)
	for _, to := range []*node{n2, n3} {
		// Exit 1 is the key's command (/bin/false): ssh got that far only
		// after it accepted the host key. 255 is ssh's own failure.
		if out, code := sshKnownHosts(n1, good, key, to); code != 1 {
			t.Errorf("ssh to %s with the cluster known_hosts: exit %d, want 1\n%s", to.name, code, out)
		}
	}
	swapped := strings.NewReplacer(n2.address+" ", n3.address+" ", n3.address+" ", n2.address+" ").Replace(string(known))
	bad := filepath.Join(t.TempDir(), "known_hosts")
	writeFile(t, bad, swapped, 0o644)
	if out, code := sshKnownHosts(n1, bad, key, n2); code != 255 || !strings.Contains(out, "Host key verification failed") {
		t.Errorf("ssh to mm2 pinned to mm3's key: exit %d, want 255 and a host key failure\n%s", code, out)
	}
}

func sshKnownHosts(from *node, knownHosts, key string, to *node) (string, int) {
	cmd := from.command("ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "UserKnownHostsFile="+knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-i", key, "-o", "ConnectTimeout=5", "--", tunnelUser+"@"+to.address, "true")
	out, err := runBounded(cmd, 15*time.Second)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return out, exit.ExitCode()
	case err != nil:
		return out, -1
	}
	return out, 0
}
