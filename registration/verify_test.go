package registration_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/registration"
)

// Verify passes only a change fleetgen add/remove workload-cluster would
// make, and refuses anything else a registration branch could carry.
func TestVerifyRefusesMoreThanRegistrations(t *testing.T) {
	tooltest.IsolateGit(t)
	// What fleetgen add workload-cluster writes.
	const newCluster = `
workload_cluster "q1w2e3r4t5y6u7i8o9p0a1s2d3" {
}
`
	for _, tc := range []struct {
		name, file, old, new string
		want                 string // "" passes
	}{
		{"an added cluster, as add makes it", "environments/prod/workload-clusters.hcl", "", newCluster, ""},
		{"an added cluster, written otherwise", "environments/prod/workload-clusters.hcl", "", "\nworkload_cluster \"q1w2e3r4t5y6u7i8o9p0a1s2d3\" {}\n", "changes more than workload clusters"},
		{"an added cluster with a label", "environments/prod/workload-clusters.hcl", "", "\nworkload_cluster \"q1w2e3r4t5y6u7i8o9p0a1s2d3\" {\n  labels = { tier = \"shared\" }\n}\n", "changes more than workload clusters"},
		{"a label of a cluster changed", "environments/prod/workload-clusters.hcl", `tier = "dedicated", customer = "globex"`, `tier = "shared", customer = "globex"`, "changes more than workload clusters"},
		{"the environment block", "environments/prod/environment.hcl", `scrape_interval = "30s"`, `scrape_interval = "10s"`, "changes more than workload clusters"},
		{"another environment", "environments/dev/workload-clusters.hcl", "", newCluster, "outside environments/prod/"},
		{"code", "Makefile", "", "\n# x\n", "outside environments/prod/"},
		{"a workflow", ".github/workflows/ci.yml", "", "\n# x\n", "outside environments/prod/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range []string{"environments", "out", "charts", "Makefile", ".github"} {
				run(t, "", "cp", "-a", filepath.Join("..", d), dir)
			}
			run(t, dir, "git", "init", "--quiet", "-b", "main")
			run(t, dir, "git", "add", "-A")
			run(t, dir, "git", "commit", "--quiet", "-m", "base")
			p := filepath.Join(dir, tc.file)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			text := string(data)
			if tc.old == "" {
				text += tc.new
			} else if !strings.Contains(text, tc.old) {
				t.Fatalf("%s has no %q", tc.file, tc.old)
			} else {
				text = strings.Replace(text, tc.old, tc.new, 1)
			}
			os.WriteFile(p, []byte(text), 0o644)
			run(t, dir, "git", "commit", "--quiet", "-am", "change")
			v, err := registration.Verify(context.Background(), dir, "HEAD~1", "HEAD", "prod", "environments", "out")
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want == "" && (len(v.Added) != 1 || len(v.Removed) != 0):
				t.Errorf("got %+v, want one cluster added", v)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
