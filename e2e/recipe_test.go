package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/fleetgen/inventory"
)

// TestHARecipeTunnels runs the published recipe's behaviour, kept as
// tunnel_supervision = "recipe": pre_start.sh opens every tunnel once with
// ssh -f. With a peer off the network it still exits 0 in bounded time and
// reports that peer; the tunnels to the others work, and a second run
// replaces them instead of failing on busy ports.
func TestHARecipeTunnels(t *testing.T) {
	t.Parallel() // its own namespaces, users and files
	l := newLab(t)
	nodes := newNodes(t, l, 3)
	installCluster(t, nodes, renderCluster(t, inventory.SupervisionRecipe, nodes))
	for _, n := range nodes {
		n.run("ufw", "--force", "enable")
	}
	n1, n2, n3 := nodes[0], nodes[1], nodes[2]
	l.setLink(3, "down")
	for run := 1; run <= 2; run++ {
		start := time.Now()
		out, err := recipePreStart(t, n1)
		if err != nil {
			t.Fatalf("run %d: pre_start.sh must exit 0 with a peer down: %v\n%s", run, err, out)
		}
		if elapsed := time.Since(start); elapsed > 40*time.Second {
			t.Errorf("run %d: pre_start.sh took %v with a peer down", run, elapsed)
		}
		if !strings.Contains(out, "fleetgen-tunnels: cannot open the SSH tunnel to peer mm3 ("+n3.address+")") || strings.Contains(out, "peer mm2") {
			t.Errorf("run %d: pre_start.sh should report mm3 and only mm3:\n%s", run, out)
		}
		for _, port := range []string{"8074", "8075"} {
			if err := throughTunnel(n1, n2, port); err != nil {
				t.Errorf("run %d: mm1 -> mm2:%s: %v", run, port, err)
			}
		}
	}
}

// recipePreStart runs the recipe's pre_start.sh as the tunnel user. Its
// output goes to a file: the ssh -f it leaves running keeps the file open,
// which a pipe would wait for.
func recipePreStart(t *testing.T, n *node) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pre_start.out")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd := n.as(tunnelUser, binDir+"/pre_start.sh")
	cmd.Stdout, cmd.Stderr = f, f
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		err = <-done
	}
	out, _ := os.ReadFile(path)
	return string(out), err
}
