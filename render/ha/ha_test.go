package ha

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"golang.org/x/crypto/ssh"

	"github.com/mattermost/fleetgen/internal/golden"
	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/templates"
)

// The HA fixtures, each an inventory folder with one environment "lab".
const (
	haRecipe   = "testdata/recipe"   // the published recipe's 3-node 5.31 cluster
	haVersions = "testdata/versions" // 8-node 10.11, 7.8 with ssh_port 2222, 5.37 without tunnels
	haApply    = "testdata/apply"    // owners that exist on Debian, for running apply.sh
)

var haFixtures = []string{haRecipe, haVersions, haApply}

// renderEnv renders every HA cluster of env, one Render per cluster as
// the orchestrator runs them.
func renderEnv(t *testing.T, env *inventory.Environment) []layout.File {
	t.Helper()
	var files []layout.File
	for _, c := range env.HAClusters {
		fs, diags := Render(env, c)
		if len(diags) > 0 {
			t.Fatalf("Render(%s, %s): %s", env.Name, c.Name, diags.Error())
		}
		files = append(files, fs...)
	}
	return files
}

// renderHA renders every cluster of a fixture and indexes the files by path.
func renderHA(t *testing.T, dir string) map[string]layout.File {
	t.Helper()
	byPath := map[string]layout.File{}
	for _, f := range renderEnv(t, rendertest.LoadEnv(t, dir)) {
		byPath[f.Path] = f
	}
	return byPath
}

// haFileData returns the content of a rendered file, failing when it is absent.
func haFileData(t *testing.T, files map[string]layout.File, path string) string {
	t.Helper()
	f, ok := files[path]
	if !ok {
		t.Fatalf("%s was not rendered; have %v", path, slices.Sorted(maps.Keys(files)))
	}
	return string(f.Data)
}

// haLinesWith returns the lines of s that start with prefix, trimmed.
func haLinesWith(s, prefix string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// The recipe's expectations, written out by hand: the "doc" layout gives the
// i-th peer of a node i*10000+port, peers in ordinal order, and each peer's
// streaming port before its gossip port, as the published recipe lists them.
var recipeTunnels = map[string][]struct {
	peer, address string
	local, remote int
}{
	"mm1": {{"mm2", "10.10.250.231", 18075, 8075}, {"mm2", "10.10.250.231", 18074, 8074}, {"mm3", "10.10.250.165", 28075, 8075}, {"mm3", "10.10.250.165", 28074, 8074}},
	"mm2": {{"mm1", "10.10.250.146", 18075, 8075}, {"mm1", "10.10.250.146", 18074, 8074}, {"mm3", "10.10.250.165", 28075, 8075}, {"mm3", "10.10.250.165", 28074, 8074}},
	"mm3": {{"mm1", "10.10.250.146", 18075, 8075}, {"mm1", "10.10.250.146", 18074, 8074}, {"mm2", "10.10.250.231", 28075, 8075}, {"mm2", "10.10.250.231", 28074, 8074}},
}

// TestHARecipeTunnels checks the published recipe's example exactly: the
// DNAT rules of after.rules and the -L forwards of pre_start.sh.
func TestHARecipeTunnels(t *testing.T) {
	files := renderHA(t, haRecipe)
	for node, tunnels := range recipeTunnels {
		var wantDNAT, wantL []string
		for _, tn := range tunnels {
			wantDNAT = append(wantDNAT, fmt.Sprintf("-A OUTPUT -p tcp -d %s --dport %d -j DNAT --to-destination 127.0.0.1:%d", tn.address, tn.remote, tn.local))
			wantL = append(wantL, fmt.Sprintf("-L '127.0.0.1:%d:%s:%d'", tn.local, tn.address, tn.remote))
		}
		rules := haFileData(t, files, "lab/ha/recipe/"+node+"/etc/ufw/after.rules")
		if diff := cmp.Diff(wantDNAT, haLinesWith(rules, "-A OUTPUT")); diff != "" {
			t.Errorf("%s: DNAT rules (-want +got):\n%s", node, diff)
		}
		script := haFileData(t, files, "lab/ha/recipe/"+node+"/usr/local/lib/fleetgen/recipe/pre_start.sh")
		got := haLinesWith(script, "-L ")
		for i := range got {
			got[i] = strings.TrimSuffix(strings.TrimSuffix(got[i], " &"), ` \`)
		}
		if diff := cmp.Diff(wantL, got); diff != "" {
			t.Errorf("%s: pre_start.sh forwards (-want +got):\n%s", node, diff)
		}
	}
}

// TestHAPreStartRuns runs node 1's pre_start.sh of the recipe with a fake
// ssh that records its arguments: one ssh per peer with exactly the recipe's
// forwards and the pinned options, peers in parallel, and a failed peer
// logged (stderr and logger) while the script still exits 0.
// On another machine (a fake ip without mm1's address) it refuses to
// start: exit 1, the reason, no tunnel opened.
func TestHAPreStartRuns(t *testing.T) {
	bash := tooltest.Look(t, "bash", "timeout")
	files := renderHA(t, haRecipe)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	script := filepath.Join(dir, "pre_start.sh")
	haWriteFile(t, script, haFileData(t, files, "lab/ha/recipe/mm1/usr/local/lib/fleetgen/recipe/pre_start.sh"), 0o755)
	// The fake ssh takes a second, records one argument per line and fails
	// for mm3, as an unreachable peer does.
	haWriteFile(t, filepath.Join(bin, "ssh"), `#!/bin/sh
sleep 1
{ printf '%s\n' "$@"; echo ----; } >"$FAKE_LOG.$$"
case "$*" in *10.10.250.165*) exit 255 ;; esac
`, 0o755)
	haWriteFile(t, filepath.Join(bin, "logger"), "#!/bin/sh\nprintf '%s\\n' \"$*\" >>\"$FAKE_LOG.logger\"\n", 0o755)
	// This machine is node mm1: pre_start.sh refuses to start elsewhere.
	haWriteFile(t, filepath.Join(bin, "ip"), "#!/bin/sh\necho '2: eth0    inet 10.10.250.146/24 brd 10.10.250.255 scope global eth0'\n", 0o755)

	cmd := exec.Command(bash, script)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "FAKE_LOG="+filepath.Join(dir, "log"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("pre_start.sh must always exit 0, got %v; stderr:\n%s", err, stderr.String())
	}
	if elapsed := time.Since(start); elapsed > 1900*time.Millisecond {
		t.Errorf("two peers whose ssh takes 1s each took %v: they are not connected in parallel", elapsed)
	}

	calls, _ := filepath.Glob(filepath.Join(dir, "log.[0-9]*"))
	var got [][]string
	for _, c := range calls {
		b, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Split(strings.TrimSuffix(string(b), "\n----\n"), "\n"))
	}
	slices.SortFunc(got, func(a, b []string) int { return strings.Compare(a[len(a)-1], b[len(b)-1]) })
	common := []string{"-F", "/dev/null", "-N",
		"-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
		"-o", "UserKnownHostsFile=/home/mattermost/.ssh/known_hosts", "-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "IdentitiesOnly=yes", "-i", "/home/mattermost/.ssh/fleetgen_tunnel",
		"-o", "ExitOnForwardFailure=yes", "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=3",
		"-o", "ConnectTimeout=10", "-p", "22", "-f", "-M", "-S", "", "-o", "ControlPersist=no"}
	want := [][]string{
		haWithSocket(common, "/home/mattermost/.ssh/fleetgen-tunnel-3.ctl", "-L", "127.0.0.1:28075:10.10.250.165:8075", "-L", "127.0.0.1:28074:10.10.250.165:8074", "--", "mattermost@10.10.250.165"),
		haWithSocket(common, "/home/mattermost/.ssh/fleetgen-tunnel-2.ctl", "-L", "127.0.0.1:18075:10.10.250.231:8075", "-L", "127.0.0.1:18074:10.10.250.231:8074", "--", "mattermost@10.10.250.231"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ssh invocations (-want +got):\n%s", diff)
	}

	const failure = "cannot open the SSH tunnel to peer mm3 (10.10.250.165)"
	if !strings.Contains(stderr.String(), failure) || strings.Contains(stderr.String(), "mm2 (") {
		t.Errorf("stderr should report mm3 and only mm3, got:\n%s", stderr.String())
	}
	logged, err := os.ReadFile(filepath.Join(dir, "log.logger"))
	if err != nil || !strings.Contains(string(logged), "-t fleetgen-tunnels") || !strings.Contains(string(logged), failure) {
		t.Errorf("logger should get the failure tagged fleetgen-tunnels, got %q (%v)", logged, err)
	}

	// On a machine that is not mm1 (another node's folder was applied),
	// starting is unsafe: it exits 1, says why, and opens no tunnel.
	haWriteFile(t, filepath.Join(bin, "ip"), "#!/bin/sh\necho '2: eth0    inet 10.10.250.231/24 brd 10.10.250.255 scope global eth0'\n", 0o755)
	for _, c := range calls {
		os.Remove(c)
	}
	cmd = exec.Command(bash, script)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "FAKE_LOG="+filepath.Join(dir, "log"))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "not starting mattermost: this machine does not have the address 10.10.250.146 of node mm1") {
		t.Errorf("pre_start.sh on the wrong machine: want exit 1 and the reason, got %v:\n%s", err, out)
	}
	if again, _ := filepath.Glob(filepath.Join(dir, "log.[0-9]*")); len(again) != 0 {
		t.Errorf("pre_start.sh on the wrong machine opened tunnels: %v", again)
	}
}

func haWithSocket(common []string, socket string, rest ...string) []string {
	args := slices.Clone(common)
	args[slices.Index(args, "-S")+1] = socket
	return append(args, rest...)
}

// TestHARecipeGolden pins every file of the recipe's cluster. A diff here
// is a review item: run go test ./render/ha -run Golden -update and read it.
func TestHARecipeGolden(t *testing.T) {
	files := renderHA(t, haRecipe)
	if len(files) != 4+3*10 {
		t.Errorf("want a README, a known_hosts, cluster-settings.json, cluster.json and 10 files for each of 3 nodes, got %d files", len(files))
	}
	for path, f := range files {
		golden.Assert(t, "testdata/golden/"+path, f.Data)
	}
}

// TestHAVersions covers the ClusterSettings keys per version, the ordinal
// layout of a large cluster, a non-standard SSH port, a separate tunnel
// account and a cluster without tunnels.
func TestHAVersions(t *testing.T) {
	files := renderHA(t, haVersions)

	t.Run("big: 8 nodes, 10.11", func(t *testing.T) {
		for i := 1; i <= 8; i++ {
			haFileData(t, files, fmt.Sprintf("lab/ha/big/app%d/apply.sh", i))
		}
		got := haSettings(t, haFileData(t, files, "lab/ha/big/cluster-settings.json"))
		want := map[string]any{
			"Enable": true, "ClusterName": "big", "UseIPAddress": true, "GossipPort": 8074.0,
			"EnableGossipCompression": false, "EnableGossipEncryption": true,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ClusterSettings (-want +got):\n%s", diff)
		}
		// The node's own settings: environment variables of its service.
		env := haLinesWith(haFileData(t, files, "lab/ha/big/app3/etc/systemd/system/mattermost.service.d/fleetgen-cluster.conf"), "Environment=")
		if diff := cmp.Diff([]string{"Environment=MM_CLUSTERSETTINGS_ADVERTISEADDRESS=10.11.0.13", "Environment=MM_CLUSTERSETTINGS_OVERRIDEHOSTNAME=app3"}, env); diff != "" {
			t.Errorf("app3's own ClusterSettings (-want +got):\n%s", diff)
		}
		facts, err := ReadFacts([]byte(haFileData(t, files, "lab/ha/big/cluster.json")))
		if err != nil || facts.MattermostVersion != "10.11.2" || !facts.SSHTunnels || !slices.Contains(facts.FullStop, "EnableGossipEncryption") {
			t.Errorf("cluster.json: %+v, %v", facts, err)
		}
		// "ordinal": the local port of peer P is 18000 + 10 * ordinal(P).
		rules := haFileData(t, files, "lab/ha/big/app3/etc/ufw/after.rules")
		dnat := haLinesWith(rules, "-A OUTPUT")
		if len(dnat) != 7 || dnat[0] != "-A OUTPUT -p tcp -d 10.11.0.11 --dport 8074 -j DNAT --to-destination 127.0.0.1:18010" ||
			dnat[6] != "-A OUTPUT -p tcp -d 10.11.0.18 --dport 8074 -j DNAT --to-destination 127.0.0.1:18080" {
			t.Errorf("app3 DNAT rules:\n%s", strings.Join(dnat, "\n"))
		}
		// Supervised (the default): tunnel.sh opens the tunnels, one unit per peer.
		if !strings.Contains(haFileData(t, files, "lab/ha/big/app3/usr/local/lib/fleetgen/big/tunnel.sh"), "-L '127.0.0.1:18040:10.11.0.14:8074'") {
			t.Error("app3 tunnel.sh does not forward 18040 to app4")
		}
		dropIn := haFileData(t, files, "lab/ha/big/app3/etc/systemd/system/mattermost.service.d/fleetgen-tunnels.conf")
		wants := "Wants=fleetgen-tunnel@app1.service fleetgen-tunnel@app2.service fleetgen-tunnel@app4.service fleetgen-tunnel@app5.service fleetgen-tunnel@app6.service fleetgen-tunnel@app7.service fleetgen-tunnel@app8.service"
		if len(haLinesWith(dropIn, wants)) != 1 || len(haLinesWith(dropIn, "After=fleetgen-tunnel@app1.service ")) != 1 {
			t.Errorf("app3 drop-in should want and follow one tunnel unit per peer:\n%s", dropIn)
		}
	})

	t.Run("mid: 7.8, ssh_port 2222, tunnel_user mmtunnel", func(t *testing.T) {
		got := haSettings(t, haFileData(t, files, "lab/ha/mid/cluster-settings.json"))
		if got["EnableExperimentalGossipEncryption"] != true || got["EnableGossipCompression"] != true {
			t.Errorf("7.8 wants EnableExperimentalGossipEncryption and compression on, got %v", got)
		}
		for _, absent := range []string{"EnableGossipEncryption", "StreamingPort"} {
			if _, ok := got[absent]; ok {
				t.Errorf("7.8 has no %s, got %v", absent, got)
			}
		}
		kh := haFileData(t, files, "lab/ha/mid/mid1/home/mmtunnel/.ssh/known_hosts")
		if len(haLinesWith(kh, "[10.12.0.2]:2222 ssh-ed25519 ")) != 1 {
			t.Errorf("known_hosts needs [address]:port for ssh_port 2222:\n%s", kh)
		}
		// The cluster's known_hosts pins every node, itself included, for CI.
		ckh := haFileData(t, files, "lab/ha/mid/known_hosts")
		if got := haLinesWith(ckh, "[10.12.0."); len(got) != 2 || !strings.HasPrefix(got[0], "[10.12.0.1]:2222 ssh-ed25519 ") ||
			!strings.HasSuffix(got[0], " mid1") || !strings.HasSuffix(got[1], " mid2") {
			t.Errorf("cluster known_hosts wants [address]:2222 <key> <node> per node, in ordinal order:\n%s", ckh)
		}
		dropIn := haFileData(t, files, "lab/ha/mid/mid1/etc/systemd/system/mattermost.service.d/fleetgen-tunnels.conf")
		if want := "ExecStartPre=+/usr/sbin/runuser -u mmtunnel -- /usr/local/lib/fleetgen/mid/pre_start.sh"; len(haLinesWith(dropIn, want)) != 1 {
			t.Errorf("drop-in should run pre_start.sh as mmtunnel:\n%s", dropIn)
		}
		if len(haLinesWith(haFileData(t, files, "lab/ha/mid/mid1/etc/ufw/after.rules"), "-A ufw-after-input -s 10.12.0.2/32 -p tcp --dport 2222 ")) != 1 {
			t.Error("after.rules does not allow ssh_port 2222 from mid2")
		}
	})

	t.Run("plain: no tunnels, 5.37", func(t *testing.T) {
		var p1 []string
		for path := range files {
			if strings.HasPrefix(path, "lab/ha/plain/p1/") {
				p1 = append(p1, strings.TrimPrefix(path, "lab/ha/plain/p1/"))
			}
		}
		slices.Sort(p1)
		want := []string{"apply.sh", "etc/fleetgen/plain/peers", "etc/systemd/system/mattermost.service.d/fleetgen-cluster.conf",
			"etc/ufw/after.rules", "usr/local/lib/fleetgen/plain/health.sh"}
		if diff := cmp.Diff(want, p1); diff != "" {
			t.Errorf("files without tunnels (-want +got):\n%s", diff)
		}
		ckh := haFileData(t, files, "lab/ha/plain/known_hosts")
		if got := haLinesWith(ckh, "# p"); len(got) != 3 || !strings.HasPrefix(got[0], "# p1 (10.13.0.1): no host_key") {
			t.Errorf("cluster known_hosts without host keys wants one comment per node:\n%s", ckh)
		}
		rules := haFileData(t, files, "lab/ha/plain/p1/etc/ufw/after.rules")
		if strings.Contains(rules, "*nat") {
			t.Error("without tunnels after.rules must not touch the nat table")
		}
		want = []string{
			`-A ufw-after-input -s 10.13.0.2/32 -p tcp --dport 8074 -m comment --comment "fleetgen plain p2 gossip" -j ACCEPT`,
			`-A ufw-after-input -s 10.13.0.2/32 -p udp --dport 8074 -m comment --comment "fleetgen plain p2 gossip" -j ACCEPT`,
			`-A ufw-after-input -s 10.13.0.2/32 -p tcp --dport 8075 -m comment --comment "fleetgen plain p2 streaming" -j ACCEPT`,
		}
		if diff := cmp.Diff(want, haLinesWith(rules, "-A ufw-after-input -s 10.13.0.2/")); diff != "" {
			t.Errorf("direct allow rules (-want +got):\n%s", diff)
		}
		got := haSettings(t, haFileData(t, files, "lab/ha/plain/cluster-settings.json"))
		if got["StreamingPort"] != 8075.0 || got["EnableExperimentalGossipEncryption"] != true {
			t.Errorf("5.37 wants StreamingPort and EnableExperimentalGossipEncryption, got %v", got)
		}
	})
}

func haSettings(t *testing.T, doc string) map[string]any {
	t.Helper()
	var v struct{ ClusterSettings map[string]any }
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("cluster-settings.json: %v\n%s", err, doc)
	}
	return v.ClusterSettings
}

// TestHADeterministic renders every cluster of every fixture twice from
// separate loads and checks the guarantees of every rendered file: same
// bytes, sorted, modes, LF and a final newline, the header where a comment
// syntax exists.
func TestHADeterministic(t *testing.T) {
	for _, dir := range haFixtures {
		env, again := rendertest.LoadEnv(t, dir), rendertest.LoadEnv(t, dir)
		for i, c := range env.HAClusters {
			first, _ := Render(env, c)
			second, _ := Render(again, again.HAClusters[i])
			if diff := cmp.Diff(first, second); diff != "" {
				t.Fatalf("%s %s renders differently twice:\n%s", dir, c.Name, diff)
			}
			if !slices.IsSortedFunc(first, func(a, b layout.File) int { return strings.Compare(a.Path, b.Path) }) {
				t.Errorf("%s %s: files are not sorted by path", dir, c.Name)
			}
			header := templates.Header(env.Name)
			for _, f := range first {
				rendertest.CheckFileGuarantees(t, f)
				checkHAHeader(t, f, header)
			}
		}
	}
}

// checkHAHeader checks the exact first lines of a rendered file: the
// header in the comment syntax of its format, after a script's shebang.
func checkHAHeader(t *testing.T, f layout.File, header string) {
	t.Helper()
	lines := strings.SplitN(string(f.Data), "\n", 3)
	switch {
	case strings.HasSuffix(f.Path, ".json"):
		// JSON has no comments, so no header.
	case strings.HasSuffix(f.Path, ".md"):
		if lines[0] != "<!-- "+header+" -->" {
			t.Errorf("%s: first line %q, want the header", f.Path, lines[0])
		}
	case strings.HasSuffix(f.Path, ".sh"):
		if lines[0] != "#!/usr/bin/env bash" || lines[1] != "# "+header {
			t.Errorf("%s: want a shebang, then the header; got %q", f.Path, lines[:2])
		}
	default:
		if lines[0] != "# "+header {
			t.Errorf("%s: first line %q, want the header", f.Path, lines[0])
		}
	}
}

// TestHASSHFiles parses authorized_keys and known_hosts with Go's ssh
// package: every peer's key is there, with exactly the restrictions it
// needs.
func TestHASSHFiles(t *testing.T) {
	env := rendertest.LoadEnv(t, haRecipe)
	files := renderHA(t, haRecipe)
	c := env.HAClusters[0]
	for _, n := range c.Nodes {
		base := "lab/ha/recipe/" + n.Name + "/home/mattermost/.ssh/"
		rest := []byte(haFileData(t, files, "lab/ha/recipe/"+n.Name+"/etc/ssh/fleetgen/mattermost.authorized_keys"))
		for _, p := range c.Peers(n) {
			key, comment, options, r, err := ssh.ParseAuthorizedKey(rest)
			if err != nil {
				t.Fatalf("%s authorized_keys: %v", n.Name, err)
			}
			rest = r
			want, wantComment := haParseKey(t, p.TunnelKey)
			if !bytes.Equal(key.Marshal(), want.Marshal()) || comment != wantComment {
				t.Errorf("%s: authorized key %q %q, want %s's", n.Name, comment, ssh.FingerprintSHA256(key), p.Name)
			}
			wantOpts := []string{"restrict", "port-forwarding", `command="/bin/false"`, `from="` + p.Address + `"`,
				`permitopen="` + n.Address + `:8075"`, `permitopen="` + n.Address + `:8074"`, `permitlisten="127.0.0.1:1"`}
			if diff := cmp.Diff(wantOpts, options); diff != "" {
				t.Errorf("%s: options of %s's key (-want +got):\n%s", n.Name, p.Name, diff)
			}
		}
		if len(bytes.TrimSpace(rest)) != 0 {
			t.Errorf("%s authorized_keys: unexpected extra lines %q", n.Name, rest)
		}

		rest = []byte(haFileData(t, files, base+"known_hosts"))
		for _, p := range c.Peers(n) {
			_, hosts, key, _, r, err := ssh.ParseKnownHosts(rest)
			if err != nil {
				t.Fatalf("%s known_hosts: %v", n.Name, err)
			}
			rest = r
			want, _ := haParseKey(t, p.HostKey)
			if !slices.Equal(hosts, []string{p.Address}) || !bytes.Equal(key.Marshal(), want.Marshal()) {
				t.Errorf("%s known_hosts: %v %s, want %s's host key", n.Name, hosts, ssh.FingerprintSHA256(key), p.Name)
			}
		}
	}
}

func haParseKey(t *testing.T, s string) (ssh.PublicKey, string) {
	t.Helper()
	key, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(s))
	if err != nil {
		t.Fatalf("fixture key %q: %v", s, err)
	}
	return key, comment
}

// TestHAValidationRefusesUnsafeValues: the values that would escape their
// place in a path or a rule of the rendered files are the inventory's
// mistakes, refused by validation, the one place those rules live; the
// renderer relies on it and checks none of them again.
func TestHAValidationRefusesUnsafeValues(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(haRecipe, "lab", "ha-recipe.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	env, err := os.ReadFile(filepath.Join(haRecipe, "lab", "environment.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	const anchor = `  tunnel_supervision = "recipe"` + "\n"
	for _, tc := range []struct {
		name, old, new, summary string
	}{
		{"relative install_dir", anchor, anchor + `  install_dir = "opt/mattermost"` + "\n", "Invalid path"},
		{"install_dir /", anchor, anchor + `  install_dir = "/"` + "\n", "Invalid path"},
		{"dotdot home", anchor, anchor + `  tunnel_user_home = "/home/../etc"` + "\n", "Invalid path"},
		{"home /", anchor, anchor + `  tunnel_user_home = "/"` + "\n", "Invalid path"},
		{"service with slash", anchor, anchor + `  service_name = "../mattermost"` + "\n", "Invalid systemd unit name"},
		{"service ..", anchor, anchor + `  service_name = ".."` + "\n", "Invalid systemd unit name"},
		{"service template", anchor, anchor + `  service_name = "mattermost@"` + "\n", "Invalid systemd unit name"},
		{"IPv6 address", `"10.10.250.146"`, `"fd00::1"`, "Unsupported node address"},
		{"node name with slash", `node "mm1"`, `node "../mm1"`, "Invalid node name"},
		{"key with a newline", `mattermost@mm2"`, `mattermost@mm2\nssh-ed25519 AAAA attacker"`, "Invalid SSH tunnel key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !bytes.Contains(src, []byte(tc.old)) {
				t.Fatalf("the fixture lost %q", tc.old)
			}
			dir := filepath.Join(t.TempDir(), "lab")
			haWriteFile(t, filepath.Join(dir, "environment.hcl"), string(env), 0o644)
			haWriteFile(t, filepath.Join(dir, "ha-recipe.hcl"), strings.Replace(string(src), tc.old, tc.new, 1), 0o644)
			_, _, diags := inventory.Load(filepath.Dir(dir))
			if !slices.ContainsFunc(diags, func(d *hcl.Diagnostic) bool { return d.Severity == hcl.DiagError && d.Summary == tc.summary }) {
				t.Errorf("validation does not refuse it with %q: %v", tc.summary, diags)
			}
		})
	}
}

// TestHAPanicsPastValidation: a value validation should have refused, set
// after it ran, is our bug; wherever it lands in the view (checkLines),
// the renderer panics, naming it, rather than let it add a line to a file.
func TestHAPanicsPastValidation(t *testing.T) {
	for _, tc := range []struct {
		field string
		set   func(c *inventory.HACluster)
	}{
		{"Peers[0].TunnelKey", func(c *inventory.HACluster) { c.Nodes[1].TunnelKey += "\nssh-ed25519 AAAA attacker" }},
		{"Nodes[0].Address", func(c *inventory.HACluster) { c.Nodes[0].Address += "\r" }},
		{"Peers[0].Name", func(c *inventory.HACluster) { c.Nodes[1].Name += "\x7f" }},
		{"ServiceName", func(c *inventory.HACluster) { c.ServiceName += "\n[Service]" }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			env := rendertest.LoadEnv(t, haRecipe)
			tc.set(env.HAClusters[0])
			rendertest.WantPanic(t, func() { Render(env, env.HAClusters[0]) }, "control character", "validation", tc.field)
		})
	}
}

func haWriteFile(t *testing.T, path, data string, mode os.FileMode) {
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

// TestHAControlSocketRoom: the room validation leaves for tunnel_user_home
// and the ordinal is exactly what a control socket path may take, so a
// validated inventory never makes ssh fail on a long socket path.
// Past it, which validation refuses, the renderer panics.
func TestHAControlSocketRoom(t *testing.T) {
	home := "/" + strings.Repeat("h", inventory.ControlSocketRoom-1-4)
	if sock := controlSocket(path.Join(home, ".ssh"), 6553); len(sock) != maxControlSocketPath {
		t.Errorf("at the room's limit the socket path is %d bytes, want exactly %d: %s", len(sock), maxControlSocketPath, sock)
	}
	env := rendertest.LoadEnv(t, haRecipe)
	env.HAClusters[0].TunnelUserHome = "/home/" + strings.Repeat("x", 80)
	rendertest.WantPanic(t, func() { Render(env, env.HAClusters[0]) }, "tunnel_user_home", "passed validation")
}

// TestHARemovingANodeChangesOnlyItsLines removes a middle node of the
// 8-node "ordinal" cluster, as `fleetgen remove node` leaves it (the
// others keep their ordinals), and checks every remaining node's files:
// every line that goes names the removed node, or is the bracket of its
// block in tunnel.sh; no line comes but the Wants=/After= lines that list
// the remaining peers; so no port, unit or rule of another peer changes.
func TestHARemovingANodeChangesOnlyItsLines(t *testing.T) {
	env := rendertest.LoadEnv(t, haVersions)
	var big *inventory.HACluster
	for _, c := range env.HAClusters {
		if c.Name == "big" {
			big = c
		}
	}
	before := map[string]layout.File{}
	for _, f := range renderCluster1(t, env, big) {
		before[f.Path] = f
	}
	gone := big.Node("app4")
	big.Nodes = slices.DeleteFunc(big.Nodes, func(n *inventory.Node) bool { return n == gone })
	after := renderCluster1(t, env, big)
	structural := []string{"\tforwards=(", "\t)", "\t;;"}
	for _, f := range after {
		if layout.Locate(f.Path).Node == "" {
			continue // the cluster's README lists every node
		}
		old, ok := before[f.Path]
		if !ok {
			t.Errorf("%s: new file", f.Path)
			continue
		}
		oldLines, newLines := strings.Split(string(old.Data), "\n"), strings.Split(string(f.Data), "\n")
		for _, l := range multisetMinus(oldLines, newLines) {
			if !strings.Contains(l, gone.Name) && !strings.Contains(l, gone.Address) && !slices.Contains(structural, l) {
				t.Errorf("%s: the line %q went, but it does not name app4", f.Path, l)
			}
		}
		for _, l := range multisetMinus(newLines, oldLines) {
			if !strings.HasPrefix(l, "Wants=") && !strings.HasPrefix(l, "After=") {
				t.Errorf("%s: the line %q came with app4's removal", f.Path, l)
			}
		}
	}
}

// renderCluster1 renders one cluster of env.
func renderCluster1(t *testing.T, env *inventory.Environment, c *inventory.HACluster) []layout.File {
	t.Helper()
	files, diags := Render(env, c)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	return files
}

// multisetMinus is a without one copy of each line of b.
func multisetMinus(a, b []string) []string {
	count := map[string]int{}
	for _, l := range b {
		count[l]++
	}
	var out []string
	for _, l := range a {
		if count[l] > 0 {
			count[l]--
			continue
		}
		out = append(out, l)
	}
	return out
}
