package workflows

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/internal/tooltest"
)

// workflowStep returns the run: script and env: of the step of job whose
// name starts with name, in the workflow file.
func workflowStep(t *testing.T, file, job, name string) (string, map[string]string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string
				Run  string
				Env  map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	for _, s := range wf.Jobs[job].Steps {
		if strings.HasPrefix(s.Name, name) {
			return s.Run, s.Env
		}
	}
	t.Fatalf("%s: job %s has no step %q", file, job, name)
	return "", nil
}

// applyStep is workflowStep of apply.yml.
func applyStep(t *testing.T, job, name string) (string, map[string]string) {
	t.Helper()
	return workflowStep(t, "apply.yml", job, name)
}

// fakeBin writes an executable script into a folder put first on PATH.
func fakeBin(t *testing.T, bin, name, script string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/usr/bin/env bash\nset -eu\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// runStep runs a step's script with bash -e as GitHub does, with env.
func runStep(t *testing.T, script, cwd string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	cmd.Dir = cwd
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestApplyTerraformStep runs the Terraform job's loop with a fake make:
// the layers in order, each through `make apply` (init, plan -out, apply
// of that plan), and nothing after the first failure.
func TestApplyTerraformStep(t *testing.T) {
	script, env := applyStep(t, "terraform", "Apply the layers in order")
	if env["LAYERS"] != "${{ join(matrix.apply, ' ') }}" || env["ENV_NAME"] != "${{ matrix.env }}" {
		t.Fatalf("the step's env changed: %v", env)
	}
	bin, work := t.TempDir(), t.TempDir()
	log := filepath.Join(work, "make.log")
	fakeBin(t, bin, "make", `echo "$*" >>"`+log+`"; [[ "$*" != *"LAYER=$FAIL_LAYER"* ]]`+"\n")
	for _, tc := range []struct {
		fail string
		want []string
	}{
		{"none", []string{"apply ENV=prod LAYER=1-cluster", "apply ENV=prod LAYER=2-cluster-post-installation", "apply ENV=prod LAYER=3-route53-registration"}},
		{"2-cluster-post-installation", []string{"apply ENV=prod LAYER=1-cluster", "apply ENV=prod LAYER=2-cluster-post-installation"}},
	} {
		os.Remove(log)
		out, err := runStep(t, script, work, "PATH="+bin+":"+os.Getenv("PATH"), "ENV_NAME=prod",
			"LAYERS=1-cluster 2-cluster-post-installation 3-route53-registration", "FAIL_LAYER="+tc.fail)
		if (err != nil) != (tc.fail != "none") {
			t.Errorf("fail %s: err %v\n%s", tc.fail, err, out)
		}
		got, _ := os.ReadFile(log)
		if diff := cmp.Diff(tc.want, strings.Split(strings.TrimSpace(string(got)), "\n")); diff != "" {
			t.Errorf("fail %s: make calls (-want +got):\n%s", tc.fail, diff)
		}
	}
}

// TestApplyHAStep runs the HA job's loop on the rendered example cluster
// with a fake ssh that unpacks what it is sent into a folder per host and
// a fake sudo: the nodes in ordinal order, each with its host key pinned
// from the rendered known_hosts, its folder copied whole, its apply.sh run,
// and nothing after the first failure.
func TestApplyHAStep(t *testing.T) {
	tooltest.Look(t, "jq", "tar", "diff")
	script, _ := applyStep(t, "ha", "Apply the nodes one at a time")
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin, hosts := t.TempDir(), t.TempDir()
	log := filepath.Join(hosts, "ssh.log")
	// ssh [options] user@host command: log, then run the command in a
	// home folder per host with a sudo that only records what it runs.
	argsLog := filepath.Join(hosts, "ssh-args.log") // each call's arguments but the command, tab-separated
	fakeBin(t, bin, "ssh", `
args=("$@"); dest=${args[$#-2]}; cmd=${args[$#-1]}
echo "$*" >>"`+log+`"
(IFS=$'\t'; echo "${args[*]:0:$#-1}") >>"`+argsLog+`"
export HOME="`+hosts+`/$dest" FAKE_HOST=$dest; mkdir -p "$HOME"
bash -c "$cmd"
`)
	fakeBin(t, bin, "sudo", `echo "$FAKE_HOST sudo $*" >>"`+log+`"; [[ "$FAKE_HOST" != *"@$FAIL_ADDRESS" ]]`+"\n")
	fakeBin(t, bin, "sleep", "")

	nodes := func(names ...string) string {
		var n []map[string]any
		addr := map[string]string{"mm1": "10.10.250.146", "mm2": "10.10.250.231", "mm3": "10.10.250.165"}
		for _, name := range names {
			n = append(n, map[string]any{"name": name, "address": addr[name], "port": 22, "pinned": name != "unpinned", "dir": "out/dev/ha/legacy/" + name})
		}
		b, _ := json.Marshal(n)
		return string(b)
	}
	var runWith func(t *testing.T, nodesJSON, fail string, env ...string) (string, []string, error)
	run := func(t *testing.T, nodesJSON, fail string) (string, []string, error) {
		return runWith(t, nodesJSON, fail, "SSH_KEY=not-a-key", "SSH_USER=", "PAUSE=")
	}
	runWith = func(t *testing.T, nodesJSON, fail string, env ...string) (string, []string, error) {
		os.Remove(log)
		out, err := runStep(t, script, root, append([]string{"PATH=" + bin + ":" + os.Getenv("PATH"), "RUNNER_TEMP=" + t.TempDir(),
			"ENV_NAME=dev", "CLUSTER=legacy", "NODES=" + nodesJSON, "KNOWN_HOSTS=out/dev/ha/legacy/known_hosts",
			"FAIL_ADDRESS=" + fail}, env...)...)
		logged, _ := os.ReadFile(log)
		return out, strings.Split(strings.TrimSpace(string(logged)), "\n"), err
	}

	t.Run("all nodes", func(t *testing.T) {
		os.Remove(argsLog)
		out, logged, err := run(t, nodes("mm1", "mm2", "mm3"), "none")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		var sudo []string
		for _, l := range logged {
			if !strings.HasPrefix(l, "-F /dev/null ") { // not an ssh command line: fake sudo's
				sudo = append(sudo, l)
				continue
			}
			for _, want := range []string{"-o StrictHostKeyChecking=yes", "-o UserKnownHostsFile=out/dev/ha/legacy/known_hosts", "-o GlobalKnownHostsFile=/dev/null", "-p 22", "-o BatchMode=yes",
				"-o IdentitiesOnly=yes", "-o IdentityAgent=none", "-o ForwardAgent=no", "-o ClearAllForwardings=yes", "-o UpdateHostKeys=no"} {
				if !strings.Contains(l, want) {
					t.Errorf("ssh without %q: %s", want, l)
				}
			}
		}
		checkSSHConfig(t, argsLog)
		want := []string{
			"fleetgen@10.10.250.146 sudo -n /fleetgen-legacy/apply.sh --restart",
			"fleetgen@10.10.250.231 sudo -n /fleetgen-legacy/apply.sh --restart",
			"fleetgen@10.10.250.165 sudo -n /fleetgen-legacy/apply.sh --restart",
		}
		for i := range sudo {
			sudo[i] = strings.Replace(sudo[i], hosts+"/"+strings.Fields(sudo[i])[0], "", 1)
		}
		if diff := cmp.Diff(want, sudo); diff != "" {
			t.Errorf("apply.sh runs, in ordinal order (-want +got):\n%s", diff)
		}
		// Each node received its own folder, whole.
		for name, addr := range map[string]string{"mm1": "10.10.250.146", "mm3": "10.10.250.165"} {
			diff, err := exec.Command("diff", "-r", filepath.Join(root, "out/dev/ha/legacy", name), filepath.Join(hosts, "fleetgen@"+addr, "fleetgen-legacy")).CombinedOutput()
			if err != nil {
				t.Errorf("%s did not receive its folder: %v\n%s", name, err, diff)
			}
		}
	})

	// A change every node must agree on: four passes over the nodes, each
	// whole before the next; the folders are copied once.
	t.Run("full stop", func(t *testing.T) {
		out, logged, err := runWith(t, nodes("mm1", "mm2", "mm3"), "none", "SSH_KEY=k", "SSH_USER=", "PAUSE=", `FULL_STOP=["EnableGossipEncryption"]`)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if !strings.Contains(out, "::warning::cluster legacy needs a full stop (EnableGossipEncryption changed)") {
			t.Errorf("no warning of the full stop:\n%s", out)
		}
		var sudo []string
		copies := 0
		for _, l := range logged {
			if strings.HasPrefix(l, "-F /dev/null ") {
				if strings.Contains(l, "rm -rf ~/fleetgen-legacy") {
					copies++
				}
				continue
			}
			sudo = append(sudo, strings.Replace(l, hosts+"/"+strings.Fields(l)[0], "", 1))
		}
		var want []string
		for _, flag := range []string{" --stop", "", " --start", " --restart"} {
			for _, addr := range []string{"10.10.250.146", "10.10.250.231", "10.10.250.165"} {
				want = append(want, "fleetgen@"+addr+" sudo -n /fleetgen-legacy/apply.sh"+flag)
			}
		}
		if diff := cmp.Diff(want, sudo); diff != "" {
			t.Errorf("the passes of a full stop (-want +got):\n%s", diff)
		}
		if copies != 3 {
			t.Errorf("the node folders were copied %d times, want once each", copies)
		}
		// A node that fails a pass stops the job there: no later pass.
		out, logged, err = runWith(t, nodes("mm1", "mm2", "mm3"), "10.10.250.231", "SSH_KEY=k", "SSH_USER=", "PAUSE=", `FULL_STOP=["EnableGossipEncryption"]`)
		if err == nil || strings.Contains(strings.Join(logged, "\n"), "--start") || strings.Contains(strings.Join(logged, "\n"), "10.10.250.165 sudo") {
			t.Errorf("a failed --stop on mm2 must end the job before mm3 and before any start: %v\n%s", err, strings.Join(logged, "\n"))
		}
	})

	t.Run("stops at the first failure", func(t *testing.T) {
		os.Remove(argsLog)
		out, logged, err := run(t, nodes("mm1", "mm2", "mm3"), "10.10.250.231")
		if err == nil {
			t.Fatalf("a failed apply.sh must fail the job\n%s", out)
		}
		if strings.Contains(strings.Join(logged, "\n"), "10.10.250.165") {
			t.Errorf("mm3 was contacted after mm2 failed:\n%s", strings.Join(logged, "\n"))
		}
	})

	t.Run("unpinned node", func(t *testing.T) {
		// Last in ordinal order: the nodes before it are not touched either.
		out, logged, err := run(t, nodes("mm1", "mm2", "unpinned"), "none")
		if err == nil || !strings.Contains(out, "::error::no host_key in the inventory for unpinned") || len(logged) != 1 || logged[0] != "" {
			t.Errorf("a node without a pinned host key must stop the job before any ssh: %v\n%s\n%q", err, out, logged)
		}
	})

	// Bad input fails the job before any connection instead of applying
	// nothing and passing (jq in a process substitution hid its failure).
	for _, tc := range []struct {
		name, nodes, want string
		env               []string
	}{
		{"nodes not JSON", "{not json", "parse error", []string{"SSH_KEY=k"}},
		{"no node", "[]", "::error::no node to apply in cluster legacy", []string{"SSH_KEY=k"}},
		{"empty key", nodes("mm1"), "::error::secrets.HA_SSH_KEY is empty in environment dev", []string{"SSH_KEY="}},
		{"bad user", nodes("mm1"), "::error::vars.HA_SSH_USER must be a user name", []string{"SSH_KEY=k", "SSH_USER=-oProxyCommand=x"}},
		{"bad pause", nodes("mm1"), "vars.HA_NODE_PAUSE_SECONDS a number of seconds", []string{"SSH_KEY=k", "PAUSE=1m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, logged, err := runWith(t, tc.nodes, "none", tc.env...)
			if err == nil || !strings.Contains(out, tc.want) || len(logged) != 1 || logged[0] != "" {
				t.Errorf("want a failure with %q and no ssh: %v\n%s\n%q", tc.want, err, out, logged)
			}
		})
	}
}

// TestRefuseStale runs .github/scripts/refuse-stale.sh, the first step of
// the apply jobs after the checkout, with the real curl against a
// loopback stand-in of GitHub's REST API: a commit older than the last
// successful push run is refused ("Re-run failed jobs" of an old run
// would roll the newer one back), any other is let through, an API
// failure fails the job, and the token never is on curl's command line.
func TestRefuseStale(t *testing.T) {
	realCurl := tooltest.Look(t, "curl", "jq", "bash")
	script, err := filepath.Abs("../../.github/scripts/refuse-stale.sh")
	if err != nil {
		t.Fatal(err)
	}
	head, newer := strings.Repeat("a", 40), strings.Repeat("b", 40)
	runs := `{"workflow_runs":[{"head_sha":"` + newer + `"}]}`
	var answer struct{ runs, compare string }
	var requests []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests = append(requests, r.URL.RequestURI())
		switch {
		case r.Header.Get("Authorization") != "Bearer secret-token":
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		case r.URL.Path == "/repos/o/r/actions/workflows/apply.yml/runs" && answer.runs != "":
			io.WriteString(w, answer.runs)
		case strings.HasPrefix(r.URL.Path, "/repos/o/r/compare/") && answer.compare != "":
			io.WriteString(w, answer.compare)
		default:
			http.Error(w, `{"message":"Resource not accessible by integration"}`, http.StatusForbidden)
		}
	}))
	defer api.Close()
	// curl on PATH logs its arguments, then is the real one.
	bin := t.TempDir()
	argv := filepath.Join(bin, "curl.argv")
	fakeBin(t, bin, "curl", `echo "$*" >>"`+argv+`"; exec "`+realCurl+`" "$@"`+"\n")

	for _, tc := range []struct {
		name, runs, compare, fail string
		compared                  bool
	}{
		{name: "newer than the last applied", runs: runs, compare: `{"status":"ahead"}`, compared: true},
		{name: "older than the last applied", runs: runs, compare: `{"status":"behind"}`, compared: true,
			fail: "::error::" + head + " is older than " + newer + ", which a later run already applied"},
		{name: "after a force push", runs: runs, compare: `{"status":"diverged"}`, compared: true},
		{name: "no successful run", runs: `{"workflow_runs":[]}`},
		{name: "the last applied commit itself", runs: `{"workflow_runs":[{"head_sha":"` + head + `"}]}`},
		{name: "unexpected answer", runs: runs, compare: `{"message":"?"}`, compared: true, fail: `unexpected status "null"`},
		{name: "the API refuses", fail: "403"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answer.runs, answer.compare, requests = tc.runs, tc.compare, nil
			os.Remove(argv)
			out, err := runStep(t, script, t.TempDir(), "PATH="+bin+":"+os.Getenv("PATH"),
				"GH_TOKEN=secret-token", "HEAD_SHA="+head, "BRANCH=main", "GITHUB_API_URL="+api.URL,
				"GITHUB_REPOSITORY=o/r", "GITHUB_WORKFLOW_REF=o/r/.github/workflows/apply.yml@refs/heads/main")
			if (err != nil) != (tc.fail != "") || !strings.Contains(out, tc.fail) {
				t.Fatalf("err %v, want failure with %q\n%s", err, tc.fail, out)
			}
			if len(requests) == 0 || requests[0] != "/repos/o/r/actions/workflows/apply.yml/runs?branch=main&event=push&status=success&per_page=1" {
				t.Errorf("not the last successful push run of this workflow's file on the branch: %q", requests)
			}
			if got := slices.Contains(requests, "/repos/o/r/compare/"+newer+"..."+head); got != tc.compared {
				t.Errorf("compare called %v, want %v: %q", got, tc.compared, requests)
			}
			if logged, _ := os.ReadFile(argv); len(logged) == 0 || strings.Contains(string(logged), "secret-token") {
				t.Errorf("the token is on curl's command line (visible in ps), or curl was not run: %s", logged)
			}
		})
	}
}

// TestApplyJobsRefuseStale: both apply jobs run refuse-stale.sh right
// after the checkout, before credentials are minted or a node touched,
// with the permission it needs.
func TestApplyJobsRefuseStale(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(dir, "apply.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Permissions map[string]string
			Steps       []struct {
				Uses, Run string
				Env       map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"terraform", "ha"} {
		job := wf.Jobs[name]
		if len(job.Steps) < 3 || !strings.HasPrefix(job.Steps[0].Uses, "actions/checkout@") ||
			job.Steps[1].Run != ".github/scripts/refuse-stale.sh" || job.Steps[1].Env["HEAD_SHA"] != "${{ needs.affected.outputs.head }}" {
			t.Errorf("job %s: want checkout, then refuse-stale.sh with HEAD_SHA, then the rest: %+v", name, job.Steps)
		}
		if job.Permissions["actions"] != "read" {
			t.Errorf("job %s: refuse-stale.sh needs actions: read: %v", name, job.Permissions)
		}
	}
}

// checkSSHConfig gives the arguments the HA step passed to ssh to the real
// OpenSSH client (ssh -G: the configuration it would connect with, no
// connection) and checks that it accepts them all and that they pin the
// host key and keep the key to this connection. (-F /dev/null, which
// keeps the runner's ssh_config out, is checked on the command line: ssh
// reads ~/.ssh/config from the password database's home, which a test
// cannot point elsewhere.)
func checkSSHConfig(t *testing.T, argsLog string) {
	t.Helper()
	bin := tooltest.Look(t, "ssh")
	data, err := os.ReadFile(argsLog)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("ssh was not called")
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "-F\t/dev/null\t") {
			t.Errorf("ssh without -F /dev/null first: %q", l)
		}
		out, err := exec.Command(bin, append([]string{"-G"}, strings.Split(l, "\t")...)...).Output()
		if err != nil {
			t.Fatalf("ssh -G %s: %v", l, err)
		}
		got := map[string]string{}
		for _, kv := range strings.Split(string(out), "\n") {
			if k, v, ok := strings.Cut(kv, " "); ok {
				got[k] = v
			}
		}
		for k, want := range map[string]string{
			"stricthostkeychecking": "true", "userknownhostsfile": "out/dev/ha/legacy/known_hosts",
			"globalknownhostsfile": "/dev/null", "updatehostkeys": "false", "batchmode": "yes",
			"identitiesonly": "yes", "identityagent": "none", "forwardagent": "no", "clearallforwardings": "yes",
			"user": "fleetgen", "port": "22", "hostname": "10.10.250.",
		} {
			if got[k] != want && (k != "hostname" || !strings.HasPrefix(got[k], want)) {
				t.Errorf("ssh %s: %s is %q, want %q", l, k, got[k], want)
			}
		}
	}
}
