package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/testkey"
)

// TestEditExamples edits this repository's own inventory (a copy): a
// workload cluster into every environment and a node into every HA cluster,
// then formats (the edited files are still canonical), renders and
// checks; removing them all gives back every file byte for
// byte and a render that matches the committed out/ again.
func TestEditExamples(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"environments", "charts", "out"} {
		if err := os.CopyFS(filepath.Join(dir, d), os.DirFS(filepath.Join("../..", d))); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	before := snapshot(t, "environments")
	fleetgen := func(args ...string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != exitOK {
			t.Fatalf("fleetgen %s exited %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
		}
	}
	for _, env := range []string{"dev", "prod", "sandbox"} {
		fleetgen("add", "workload-cluster", "edittest1", "--env", env, "--label", "tier=shared")
	}
	nodes := map[string]string{"dev": "legacy/edit9", "prod": "acme/edit9"}
	addresses := map[string]string{"dev": "10.10.250.199", "prod": "10.20.0.199"}
	for env, node := range nodes {
		fleetgen("add", "node", node, "--env", env, "--address", addresses[env],
			"--host-key", testkey.Public(t, ""), "--tunnel-key", testkey.Public(t, "mattermost@edit9"))
	}
	// The edits keep the files in fmt's canonical layout.
	fleetgen("fmt", "--check")
	fleetgen("render")
	fleetgen("check")
	for _, node := range []string{"dev/ha/legacy/edit9", "prod/ha/acme/edit9"} {
		if _, err := os.Stat(filepath.Join("out", node)); err != nil {
			t.Errorf("the added node was not rendered: %v", err)
		}
	}

	for env, node := range nodes {
		fleetgen("remove", "node", node, "--env", env)
	}
	for _, env := range []string{"dev", "prod", "sandbox"} {
		fleetgen("remove", "workload-cluster", "edittest1", "--env", env)
	}
	// sandbox had no workload cluster: its workload-clusters.hcl was
	// created and is left with its header only.
	created := filepath.Join("environments", "sandbox", "workload-clusters.hcl")
	if _, ok := before[created]; !ok {
		if err := os.Remove(created); err != nil {
			t.Fatalf("add workload-cluster did not create %s: %v", created, err)
		}
	}
	after := snapshot(t, "environments")
	for path, data := range before {
		if !bytes.Equal(after[path], data) {
			t.Errorf("%s differs after add then remove:\n%s", path, after[path])
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d files after, %d before", len(after), len(before))
	}
	fleetgen("render")
	fleetgen("check")
}

func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[path], err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// The edit commands complete the names of the --env environment: the
// workload cluster IDs and nodes to remove, the HA clusters to add a node to,
// the environments to copy.
func TestEditCompletion(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"remove", "workload-cluster", "--env", "dev", ""}, []string{"c5ge4ktqubdnzp7rxw8gay1pqe", "k9d8w3hxjfbrxq1m5n7tyz2c4a", "zq3mfs8a4hbtkwe1x9c6r5gu7y"}},
		{[]string{"remove", "workload-cluster", "--env", "dev", "k"}, []string{"k9d8w3hxjfbrxq1m5n7tyz2c4a"}},
		{[]string{"remove", "workload-cluster", ""}, nil},
		{[]string{"remove", "node", "--env", "prod", "acme/app1"}, []string{"acme/app1"}},
		{[]string{"add", "node", "--env", "prod", "a"}, []string{"acme/"}},
		{[]string{"new", "environment", "x", "--from", "d"}, []string{"dev"}},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"__complete"}, tt.args...), &stdout, &stderr); code != exitOK {
			t.Fatalf("%v: exit %d: %s", tt.args, code, stderr.String())
		}
		var got []string
		for _, line := range strings.Split(stdout.String(), "\n") {
			if line != "" && !strings.HasPrefix(line, ":") && !strings.HasPrefix(line, "-") {
				got = append(got, line)
			}
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%v: completed %q, want %q", tt.args, got, tt.want)
		}
	}
}
