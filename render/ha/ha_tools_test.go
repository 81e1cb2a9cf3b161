package ha

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/templates"
)

// These tests check the rendered files with their real consumers:
// iptables-restore, ufw's own init script, bash, shellcheck. CI runs them as
// root with FLEETGEN_REQUIRE_TOOLS=1, so a missing tool fails there instead
// of skipping silently.

// allHAFiles renders every cluster of every fixture.
func allHAFiles(t *testing.T) []layout.File {
	t.Helper()
	var files []layout.File
	for _, dir := range haFixtures {
		files = append(files, renderEnv(t, rendertest.LoadEnv(t, dir))...)
	}
	return files
}

func haFilesNamed(t *testing.T, suffix string) []layout.File {
	var out []layout.File
	for _, f := range allHAFiles(t) {
		if strings.HasSuffix(f.Path, suffix) {
			out = append(out, f)
		}
	}
	return out
}

// TestHAAfterRulesRestoreTest: iptables-restore --test accepts every
// rendered after.rules. It runs in a fresh network namespace, never on the
// host's tables.
func TestHAAfterRulesRestoreTest(t *testing.T) {
	tooltest.NeedRoot(t)
	unshare := tooltest.Look(t, "unshare", "iptables-restore")
	for _, f := range haFilesNamed(t, "/after.rules") {
		cmd := exec.Command(unshare, "-n", "iptables-restore", "--test")
		cmd.Stdin = bytes.NewReader(f.Data)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: iptables-restore --test: %v\n%s", f.Path, err, out)
		}
	}
}

// ufwReloadScript enables Debian's ufw with the rules folder $1
// bind-mounted over /etc/ufw, reloads it twice, as an operator would, then
// prints the tables. It runs under unshare -n -m: private network and
// mount namespaces, so neither the host's firewall nor its /etc/ufw is
// touched.
const ufwReloadScript = `set -eu
mount --bind "$1" /etc/ufw
ufw --force enable
ufw reload
ufw reload
echo '#### filter'
iptables-save -t filter
echo '#### nat'
iptables-save -t nat
`

// TestHAAfterRulesUFWReload enables the real ufw with each node's
// after.rules (which holds the node's allow rules), reloads it twice, and
// checks that fleetgen's filter rules are exactly the rendered ones, each
// once and in order, and that the nat OUTPUT chain holds exactly one copy
// of each DNAT rule and nothing else.
func TestHAAfterRulesUFWReload(t *testing.T) {
	tooltest.NeedRoot(t)
	unshare := tooltest.Look(t, "unshare", "iptables-save", "mount", "ufw")
	if _, err := os.Stat("/lib/ufw/ufw-init"); err != nil {
		tooltest.Missing(t, "ufw is not installed: %v", err)
	}
	var nodes []*nodeView
	files := map[string]layout.File{}
	for _, dir := range haFixtures {
		env := rendertest.LoadEnv(t, dir)
		for _, c := range env.HAClusters {
			view := newClusterView(env.Name, c)
			// The ufw command takes seconds per call, and the nodes of a
			// cluster differ only in addresses: its first node.
			nodes = append(nodes, view.Nodes[0])
		}
		maps.Copy(files, renderHA(t, dir))
	}
	// Each node has its own namespaces, so the nodes load in parallel.
	for _, n := range nodes {
		t.Run(strings.TrimPrefix(n.Dir, "lab/ha/"), func(t *testing.T) {
			t.Parallel()
			rules := filepath.Join(t.TempDir(), "ufw")
			haUfwRulesDir(t, rules, files[n.Dir+"/etc/ufw/after.rules"].Data)
			out, err := exec.Command(unshare, "-n", "-m", "sh", "-c", ufwReloadScript, "sh", rules).CombinedOutput()
			if err != nil {
				t.Fatalf("%s: ufw start and reload: %v\n%s", n.Dir, err, out)
			}
			filter, nat, _ := strings.Cut(string(out), "#### nat")
			var ours []string
			for _, l := range haLinesWith(filter, "-A ") {
				if strings.Contains(l, `--comment "fleetgen `) {
					ours = append(ours, l)
				}
			}
			if want := append(haSavedPeerChains(n), haSavedAllows(n)...); strings.Join(ours, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: fleetgen's filter rules after ufw enable and two reloads:\n%s\nwant:\n%s", n.Dir, strings.Join(ours, "\n"), strings.Join(want, "\n"))
			}
			// The peer-only chains come first, once, however often ufw reloads.
			for _, chain := range []string{"input", "output"} {
				jumps := haLinesWith(filter, "-A ufw-before-"+chain+" ")
				jump := "-A ufw-before-" + chain + " -j fleetgen-peers-" + strings.TrimSuffix(chain, "put")
				if len(jumps) == 0 || jumps[0] != jump || len(haLinesWith(filter, jump)) != 1 {
					t.Errorf("%s: ufw-before-%s should start with %q, once:\n%s", n.Dir, chain, jump, strings.Join(jumps, "\n"))
				}
			}
			want := haSavedDNAT(n)
			if got := haLinesWith(nat, "-A OUTPUT"); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s: nat OUTPUT after ufw enable and two reloads:\n%s\nwant:\n%s", n.Dir, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// haUfwRulesDir makes an /etc/ufw for the test: the package's stock rules
// and application profiles, our after.rules, and a ufw.conf that skips
// ufw's sysctl file (sysctl settings are not all per network namespace).
func haUfwRulesDir(t *testing.T, dir string, afterRules []byte) {
	t.Helper()
	const stock = "/usr/share/ufw/iptables"
	entries, err := os.ReadDir(stock)
	if err != nil {
		tooltest.Missing(t, "ufw's stock rules: %v", err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(stock, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		haWriteFile(t, filepath.Join(dir, e.Name()), string(b), 0o640)
	}
	haWriteFile(t, filepath.Join(dir, "after.rules"), string(afterRules), 0o640)
	haWriteFile(t, filepath.Join(dir, "ufw.conf"), "ENABLED=no\nLOGLEVEL=low\nIPT_SYSCTL=\n", 0o644)
	if err := os.CopyFS(filepath.Join(dir, "applications.d"), os.DirFS("/etc/ufw/applications.d")); err != nil {
		tooltest.Missing(t, "ufw's application profiles: %v", err)
	}
}

// haSavedAllows are a node's ACCEPT rules as iptables-save prints them.
func haSavedAllows(n *nodeView) []string {
	var out []string
	for _, a := range n.Allows {
		out = append(out, fmt.Sprintf(`-A ufw-after-input -s %s/32 -p %s -m %s --dport %d -m comment --comment "fleetgen %s %s %s" -j ACCEPT`,
			a.Address, a.Proto, a.Proto, a.Port, n.Cluster.Name, a.Peer, a.What))
	}
	return out
}

// haSavedPeerChains are a node's peer-only chains as iptables-save prints
// them, but for their loopback rule, which has no comment.
func haSavedPeerChains(n *nodeView) []string {
	var out []string
	for _, dir := range []struct{ chain, flag, what string }{{"in", "-s", "from"}, {"out", "-d", "to"}} {
		for _, p := range n.Peers {
			out = append(out, fmt.Sprintf(`-A fleetgen-peers-%s %s %s/32 -m comment --comment "fleetgen %s %s" -j RETURN`, dir.chain, dir.flag, p.Address, n.Cluster.Name, p.Name))
		}
		for _, g := range n.Guarded {
			out = append(out, fmt.Sprintf(`-A fleetgen-peers-%s -p %s -m %s --dport %d -m comment --comment "fleetgen %s: %s %s peers only" -j DROP`, dir.chain, g.Proto, g.Proto, g.Port, n.Cluster.Name, g.What, dir.what))
		}
	}
	return out
}

// haSavedDNAT are a node's DNAT rules as iptables-save prints them.
func haSavedDNAT(n *nodeView) []string {
	if !n.Cluster.SSHTunnels {
		return nil
	}
	var out []string
	for _, p := range n.Peers {
		for _, f := range p.Forwards {
			out = append(out, fmt.Sprintf("-A OUTPUT -d %s/32 -p tcp -m tcp --dport %d -j DNAT --to-destination 127.0.0.1:%d", p.Address, f.Remote, f.Local))
		}
	}
	return out
}

// TestHAAfterRulesStock: the stock part of every after.rules is the
// vendored copy, and the vendored copy is what the installed ufw package
// ships (so a ufw update that changes it fails here).
func TestHAAfterRulesStock(t *testing.T) {
	const begin = "# ---- begin ufw stock after.rules (Debian ufw 0.36.2), verbatim ----\n"
	const end = "# ---- end ufw stock after.rules ----\n"
	for _, f := range haFilesNamed(t, "/after.rules") {
		_, rest, ok1 := strings.Cut(string(f.Data), begin)
		stock, _, ok2 := strings.Cut(rest, end)
		if !ok1 || !ok2 {
			t.Fatalf("%s: no stock part between the markers", f.Path)
		}
		if stock != templates.StockUFWAfterRules() {
			t.Errorf("%s: the stock part differs from templates/ufw/after.rules.stock", f.Path)
		}
	}
	pkg, err := os.ReadFile("/usr/share/ufw/iptables/after.rules")
	if err != nil {
		tooltest.Missing(t, "cannot compare with the ufw package's after.rules: %v", err)
	}
	if string(pkg) != templates.StockUFWAfterRules() {
		t.Errorf("templates/ufw/after.rules.stock differs from the installed ufw package's; copy the new one and review the rendered rules")
	}
}

// TestHAScriptsShellcheck: every rendered script parses (bash -n) and is
// shellcheck clean at style severity.
func TestHAScriptsShellcheck(t *testing.T) {
	bash := tooltest.Look(t, "bash")
	shellcheck := tooltest.Look(t, "shellcheck")
	dir := t.TempDir()
	var paths []string
	for i, f := range haFilesNamed(t, ".sh") {
		p := filepath.Join(dir, fmt.Sprintf("%03d-%s", i, filepath.Base(f.Path)))
		haWriteFile(t, p, string(f.Data), 0o755)
		if out, err := exec.Command(bash, "-n", p).CombinedOutput(); err != nil {
			t.Errorf("%s: bash -n: %v\n%s", f.Path, err, out)
		}
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		t.Fatal("no scripts rendered")
	}
	out, err := exec.Command(shellcheck, append([]string{"-S", "style"}, paths...)...).CombinedOutput()
	if err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
}

// TestHAApplyScript runs a node's apply.sh as root into a temporary root,
// twice: the first run installs every file with its mode and owner, the
// second changes nothing and says so. The fixture's tunnel_user "daemon"
// and service_user "bin" exist on every Debian machine.
func TestHAApplyScript(t *testing.T) {
	tooltest.NeedRoot(t)
	bash := tooltest.Look(t, "bash")
	files := renderHA(t, haApply)
	node := "lab/ha/apply/a1"
	src := haWriteNodeFolder(t, files, node)
	root := t.TempDir()

	out := haRunApply(t, bash, src, "--root", root)
	for _, want := range []string{"installed /etc/ufw/after.rules", "not reloading ufw", "restart needed: systemctl restart mattermost"} {
		if !strings.Contains(out, want) {
			t.Errorf("first run should say %q:\n%s", want, out)
		}
	}
	want := map[string]struct {
		mode  fs.FileMode
		owner string
	}{
		"etc/ufw/after.rules": {0o640, "root"},
		"etc/systemd/system/mattermost.service.d/fleetgen-tunnels.conf": {0o644, "root"},
		"etc/systemd/system/mattermost.service.d/fleetgen-cluster.conf": {0o644, "root"},
		"usr/local/lib/fleetgen/apply/pre_start.sh":                     {0o755, "root"},
		"usr/local/lib/fleetgen/apply/tunnel.sh":                        {0o755, "root"},
		"usr/local/lib/fleetgen/apply/health.sh":                        {0o755, "root"},
		"usr/local/lib/fleetgen/apply":                                  {0o755 | fs.ModeDir, "root"},
		"etc/fleetgen/apply/peers":                                      {0o644, "root"},
		"etc/fleetgen/apply":                                            {0o755 | fs.ModeDir, "root"},
		"etc/systemd/system/fleetgen-tunnel@.service":                   {0o644, "root"},
		"etc/ssh/fleetgen/daemon.authorized_keys":                       {0o644, "root"},
		"etc/ssh/fleetgen":                                              {0o755 | fs.ModeDir, "root"},
		"etc/ssh/sshd_config.d/fleetgen-tunnel.conf":                    {0o644, "root"},
		"home/daemon/.ssh/known_hosts":                                  {0o600, "daemon"},
		"home/daemon/.ssh":                                              {0o700 | fs.ModeDir, "daemon"},
	}
	installed := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			installed[rel] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for rel, w := range want {
		p := filepath.Join(root, rel)
		info, err := os.Lstat(p)
		if err != nil {
			t.Errorf("%s not installed: %v", rel, err)
			continue
		}
		delete(installed, rel)
		if info.Mode() != w.mode {
			t.Errorf("%s: mode %v, want %v", rel, info.Mode(), w.mode)
		}
		if got := haOwnerName(t, info); got != w.owner {
			t.Errorf("%s: owner %s, want %s", rel, got, w.owner)
		}
		if !info.IsDir() && string(haMustRead(t, p)) != string(files[node+"/"+rel].Data) {
			t.Errorf("%s: installed content differs from the rendered file", rel)
		}
	}
	if len(installed) != 0 {
		t.Errorf("unexpected files installed (temporary files left?): %v", installed)
	}

	if out := haRunApply(t, bash, src, "--root", root); !strings.Contains(out, "nothing to change") || strings.Contains(out, "installed") {
		t.Errorf("second run should change nothing:\n%s", out)
	}

	// A drifted file: --dry-run reports it and leaves it alone.
	drifted := filepath.Join(root, "etc/ufw/after.rules")
	haWriteFile(t, drifted, "edited by hand\n", 0o640)
	if out := haRunApply(t, bash, src, "--root", root, "--dry-run"); !strings.Contains(out, "would install /etc/ufw/after.rules") || strings.Contains(out, "would install /opt") {
		t.Errorf("dry run should report after.rules only:\n%s", out)
	}
	if string(haMustRead(t, drifted)) != "edited by hand\n" {
		t.Error("--dry-run changed a file")
	}

	// Peer a2 leaves: apply.sh finds it in the installed peers file and
	// would end its connections (live only), and restarts nothing.
	env := rendertest.LoadEnv(t, haApply)
	c := env.HAClusters[0]
	c.Nodes = slices.DeleteFunc(c.Nodes, func(n *inventory.Node) bool { return n.Name == "a2" })
	without := map[string]layout.File{}
	for _, f := range renderEnv(t, env) {
		without[f.Path] = f
	}
	out = haRunApply(t, bash, haWriteNodeFolder(t, without, node), "--root", root)
	if !strings.Contains(out, "not ending the connections of removed peer a2: --root is not /") || strings.Contains(out, "restart needed") {
		t.Errorf("a removed peer: want its connections ended and no restart:\n%s", out)
	}
}

// TestHAApplyScriptMissingOwner: an owner that does not exist stops
// apply.sh before it changes anything.
func TestHAApplyScriptMissingOwner(t *testing.T) {
	tooltest.NeedRoot(t)
	bash := tooltest.Look(t, "bash")
	env := rendertest.LoadEnv(t, haApply)
	env.HAClusters[0].TunnelUser = "fleetgen-no-such-user"
	files := map[string]layout.File{}
	for _, f := range renderEnv(t, env) {
		files[f.Path] = f
	}
	src := haWriteNodeFolder(t, files, "lab/ha/apply/a1")
	root := t.TempDir()
	cmd := exec.Command(bash, filepath.Join(src, "apply.sh"), "--root", root)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "user fleetgen-no-such-user does not exist") {
		t.Errorf("want a failure naming the missing user, got %v:\n%s", err, out)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("apply.sh changed %s before failing", root)
	}
}

// haWriteNodeFolder writes a node's rendered folder to a temporary folder,
// with the modes fleetgen renders, as an operator's copy would be.
func haWriteNodeFolder(t *testing.T, files map[string]layout.File, node string) string {
	t.Helper()
	dir := t.TempDir()
	for p, f := range files {
		if rel, ok := strings.CutPrefix(p, node+"/"); ok {
			haWriteFile(t, filepath.Join(dir, rel), string(f.Data), f.Mode)
		}
	}
	return dir
}

func haRunApply(t *testing.T, bash, src string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bash, append([]string{filepath.Join(src, "apply.sh")}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("apply.sh %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func haOwnerName(t *testing.T, info fs.FileInfo) string {
	t.Helper()
	uid := info.Sys().(*syscall.Stat_t).Uid
	out, err := exec.Command("id", "-nu", fmt.Sprint(uid)).Output()
	if err != nil {
		t.Fatalf("id -nu %d: %v", uid, err)
	}
	return strings.TrimSpace(string(out))
}

func haMustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHAApplyScriptLegacyKeys: the keys file earlier versions wrote in
// the tunnel user's home is removed once the root-owned one is installed;
// a file fleetgen did not write is left alone.
func TestHAApplyScriptLegacyKeys(t *testing.T) {
	tooltest.NeedRoot(t)
	bash := tooltest.Look(t, "bash")
	files := renderHA(t, haApply)
	src := haWriteNodeFolder(t, files, "lab/ha/apply/a1")
	for _, tc := range []struct {
		name, content string
		removed       bool
	}{
		{"written by fleetgen", "# Generated by fleetgen from environments/lab. Do not edit.\nssh-ed25519 AAAA old\n", true},
		{"written by hand", "ssh-ed25519 AAAA mine\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			legacy := filepath.Join(root, "home/daemon/.ssh/authorized_keys")
			haWriteFile(t, legacy, tc.content, 0o600)
			out := haRunApply(t, bash, src, "--root", root)
			_, err := os.Stat(legacy)
			if gone := errors.Is(err, fs.ErrNotExist); gone != tc.removed {
				t.Errorf("legacy keys removed = %v, want %v:\n%s", gone, tc.removed, out)
			}
		})
	}
}

// TestHASSHDDropIn asks the real sshd what it makes of the rendered
// drop-in, included the way Debian's sshd_config includes it: the tunnel
// user's keys come from the root-owned file and it may only forward
// locally, while every other user keeps the main file's settings (a Match
// block must not leak out of its file).
func TestHASSHDDropIn(t *testing.T) {
	tooltest.NeedRoot(t)
	sshd := tooltest.Look(t, "sshd")
	keygen := tooltest.Look(t, "ssh-keygen")
	files := renderHA(t, haApply)
	dir := t.TempDir()
	haWriteFile(t, filepath.Join(dir, "d/fleetgen-tunnel.conf"), string(files["lab/ha/apply/a1/etc/ssh/sshd_config.d/fleetgen-tunnel.conf"].Data), 0o644)
	haWriteFile(t, filepath.Join(dir, "sshd_config"), "Include "+dir+"/d/*.conf\nX11Forwarding yes\nAllowTcpForwarding yes\n", 0o644)
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, "hostkey")).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	effective := func(user string) map[string]string {
		out, err := exec.Command(sshd, "-T", "-f", filepath.Join(dir, "sshd_config"), "-h", filepath.Join(dir, "hostkey"),
			"-C", "user="+user+",host=peer,addr=10.0.0.2").CombinedOutput()
		if err != nil {
			t.Fatalf("sshd -T for %s: %v\n%s", user, err, out)
		}
		m := map[string]string{}
		for line := range strings.Lines(string(out)) {
			k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
			m[k] = v
		}
		return m
	}
	tunnel := effective("daemon")
	for k, want := range map[string]string{
		"authorizedkeysfile": "/etc/ssh/fleetgen/daemon.authorized_keys",
		"allowtcpforwarding": "local", "x11forwarding": "no", "permittty": "no",
		"allowagentforwarding": "no", "permittunnel": "no", "permitlisten": "none",
	} {
		if tunnel[k] != want {
			t.Errorf("tunnel user: %s = %q, want %q", k, tunnel[k], want)
		}
	}
	other := effective("root")
	if other["x11forwarding"] != "yes" || other["allowtcpforwarding"] != "yes" || other["authorizedkeysfile"] != ".ssh/authorized_keys .ssh/authorized_keys2" {
		t.Errorf("the drop-in changed another user's settings: x11forwarding=%q allowtcpforwarding=%q authorizedkeysfile=%q",
			other["x11forwarding"], other["allowtcpforwarding"], other["authorizedkeysfile"])
	}
}

// TestHAApplyStopStart: the passes of a full cluster stop that install
// nothing. --stop stops the service (a stand-in systemctl records it),
// --dry-run says so and runs nothing, and the modes refuse --root,
// --restart and each other.
func TestHAApplyStopStart(t *testing.T) {
	tooltest.NeedRoot(t)
	bash := tooltest.Look(t, "bash")
	src := haWriteNodeFolder(t, renderHA(t, haApply), "lab/ha/apply/a1")
	bin := t.TempDir()
	calls := filepath.Join(bin, "calls")
	haWriteFile(t, filepath.Join(bin, "systemctl"), "#!/bin/sh\necho \"systemctl $*\" >>"+calls+"\n", 0o755)
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bash, append([]string{filepath.Join(src, "apply.sh")}, args...)...)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("--stop", "--dry-run"); err != nil || !strings.Contains(out, "would run: systemctl stop mattermost") {
		t.Errorf("--stop --dry-run: %v\n%s", err, out)
	}
	if _, err := os.Stat(calls); err == nil {
		t.Error("--dry-run ran systemctl")
	}
	if out, err := run("--stop"); err != nil || !strings.Contains(out, "run: systemctl stop mattermost") {
		t.Errorf("--stop: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(calls); string(got) != "systemctl stop -- mattermost\n" {
		t.Errorf("--stop ran %q, want systemctl stop of the service only", got)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--stop", "--root", t.TempDir()}, "not with --root"},
		{[]string{"--start", "--restart"}, "do not go together"},
		{[]string{"--stop", "--start"}, "give one of --stop and --start"},
	} {
		if out, err := run(tc.args...); err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("apply.sh %v: %v, want a refusal with %q\n%s", tc.args, err, tc.want, out)
		}
	}
}
