package terraform

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/tooltest"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// TestTerraformFmt runs `terraform fmt -check -recursive` on every rendered
// layer of the examples and of the test inventory, after checking on a
// badly formatted file that the check can fail.
func TestTerraformFmt(t *testing.T) {
	tool := tooltest.TerraformFormatter(t)
	t.Logf("checking with %s fmt", tool)
	fmtCheck := func(dir string) ([]byte, error) {
		cmd := exec.Command(tool, "fmt", "-check", "-recursive", "-diff", dir)
		// No CLI configuration file is needed for fmt; this silences the
		// warning about a missing ~/.terraformrc.
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null")
		return cmd.CombinedOutput()
	}

	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "main.tf"), []byte("locals {\n  a = 1\n  bb = 2\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := fmtCheck(bad); err == nil {
		t.Fatalf("%s fmt -check accepted a badly aligned file:\n%s", tool, out)
	}

	for _, dir := range tfInventories {
		_, files := renderTerraform(t, dir)
		root := t.TempDir()
		writeTree(t, root, files)
		if out, err := fmtCheck(root); err != nil {
			t.Errorf("%s fmt -check -recursive on %s's layers: %v\n%s", tool, dir, err, out)
		}
	}
}

// TestMakefileTerraformTargets checks what `make plan` and `make apply` run
// (with -n: nothing is executed, no credentials are needed) and that a
// missing or unknown ENV or LAYER stops make before any command.
func TestMakefileTerraformTargets(t *testing.T) {
	makeBin := tooltest.Look(t, "make")
	run := func(args ...string) (string, error) {
		cmd := exec.Command(makeBin, append([]string{"-n", "--no-print-directory", "-C", rendertest.Root()}, args...)...)
		cmd.Env = append(os.Environ(), "MAKEFLAGS=", "ENV=", "LAYER=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	layerCmds := func(env, verb string, layers ...string) string {
		var b strings.Builder
		for _, l := range layers {
			data := "TF_DATA_DIR=" + filepath.Join(rendertest.Root(), ".terraform", env, l)
			dir := " terraform -chdir=out/" + env + "/terraform/" + l
			b.WriteString(data + dir + " init -input=false\n")
			switch verb {
			case "plan":
				b.WriteString(data + dir + " plan -input=false\n")
			case "apply":
				b.WriteString(data + dir + " plan -input=false -out=" + data[len("TF_DATA_DIR="):] + "/fleetgen.tfplan\n")
				b.WriteString(data + dir + " apply -input=false " + data[len("TF_DATA_DIR="):] + "/fleetgen.tfplan\n")
			}
		}
		return b.String()
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "ENV=prod"}, layerCmds("prod", "plan", layout.Layers...)},
		{[]string{"plan", "ENV=dev", "LAYER=" + layout.LayerRoute53}, layerCmds("dev", "plan", layout.LayerRoute53)},
		{[]string{"apply", "ENV=dev"}, layerCmds("dev", "apply", layout.Layers...)},
	} {
		got, err := run(c.args...)
		if err != nil || got != c.want {
			t.Errorf("make -n %s: %v\n got:\n%s\nwant:\n%s", strings.Join(c.args, " "), err, got, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plan"}, "ENV is required"},
		{[]string{"apply", "ENV=staging"}, `unknown ENV "staging"`},
		{[]string{"apply", "ENV=prod dev"}, `unknown ENV "prod dev"`},
		{[]string{"plan", "ENV=prod", "LAYER=4-other"}, `unknown LAYER "4-other"`},
	} {
		got, err := run(c.args...)
		if err == nil || !strings.Contains(got, c.want) || strings.Contains(got, "terraform -chdir") {
			t.Errorf("make -n %s: %v\n%s\nwant a failure saying %q before any command", strings.Join(c.args, " "), err, got, c.want)
		}
	}
}

// writeTree writes rendered files under root, as they sit under out/.
func writeTree(t *testing.T, root string, files []layout.File) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
