package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestValidateCentralPrometheusTooLarge: an environment whose central
// Prometheus configuration would not fit in the chart's ConfigMap fails
// validate and render with the diagnostic at the federation block, and
// nothing is written.
func TestValidateCentralPrometheusTooLarge(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "environments", "big")
	if err := os.MkdirAll(inv, 0o755); err != nil {
		t.Fatal(err)
	}
	env := strings.TrimSuffix(bigEnvironment, "}\n") + "  federation {\n    scrape_interval = \"1m\"\n  }\n  app \"prometheus\" {\n    version = \"25.27.0\"\n  }\n}\n"
	var clusters strings.Builder
	for i := range 6000 {
		fmt.Fprintf(&clusters, "workload_cluster \"scale%05d\" {\n  labels = { tier = \"shared\" }\n}\n", i)
	}
	for name, data := range map[string]string{"environment.hcl": env, "clusters.hcl": clusters.String()} {
		if err := os.WriteFile(filepath.Join(inv, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	line := strings.Count(env[:strings.Index(env, "federation {")], "\n") + 1
	want := regexp.MustCompile(fmt.Sprintf(`(?m)^environments/big/environment\.hcl:%d:\d+: error: Central Prometheus configuration too large$`, line))
	out := filepath.Join(dir, "out")
	for _, cmd := range []string{"validate", "render"} {
		var stdout, stderr bytes.Buffer
		t.Chdir(dir)
		code := run([]string{cmd, "--inventory", "environments", "--out", out}, &stdout, &stderr)
		if code != exitError || !want.MatchString(stderr.String()) || !strings.Contains(stderr.String(), "1048576 bytes") {
			t.Errorf("%s: exit %d, stderr:\n%s", cmd, code, stderr.String())
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("render wrote %s: %v", out, err)
	}
}
