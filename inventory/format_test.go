package inventory

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/tooltest"
)

// messyInventory has what hand edits leave: ragged alignment and spacing,
// bad indentation, comments in every position.
const messyInventory = `# Clusters made by the provisioner.
workload_cluster "one" {
  # federated with its own URL
  prometheus_url   =   "http://one.example.com:80"  # trailing comment
    labels = { tier = "shared",   team="a" }
}
ha_cluster "blue"   {
mattermost_version="10.11.2"
  node "mm1" {
      address = "10.0.0.1" /* inline */
  }
}
`

// TestFormatMatchesTerraformFmt checks fmt's output with terraform fmt
// (or tofu's, which formats alike) itself: every formatted file must pass
// its -check, and the messy input must fail it, so the check can fail.
func TestFormatMatchesTerraformFmt(t *testing.T) {
	tool := tooltest.TerraformFormatter(t)
	src := t.TempDir()
	messy := filepath.Join(src, "messy.hcl")
	if err := os.WriteFile(messy, []byte(messyInventory), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{messy}
	for _, glob := range []string{"testdata/valid/*/*/*.hcl", "../environments/*/*.hcl"} {
		matches, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, matches...)
	}
	if len(paths) < 10 {
		t.Fatalf("found %d inventory files to format; the globs are wrong", len(paths))
	}

	formatted, original := t.TempDir(), t.TempDir()
	for i, path := range paths {
		f, diags := FormatFile(path, Files{})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", path, diags)
		}
		// terraform fmt only reads .tf files; the layout rules are HCL's.
		name := strings.NewReplacer("/", "_", ".", "_").Replace(path) + ".tf"
		if err := os.WriteFile(filepath.Join(formatted, name), f.Result, 0o644); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := os.WriteFile(filepath.Join(original, name), f.Original, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	fmtCheck := func(dir string) ([]byte, error) {
		cmd := exec.Command(tool, "fmt", "-check", "-diff", dir)
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null")
		return cmd.CombinedOutput()
	}
	if out, err := fmtCheck(formatted); err != nil {
		t.Errorf("%s fmt -check disagrees with fleetgen fmt: %v\n%s", tool, err, out)
	}
	if out, err := fmtCheck(original); err == nil {
		t.Errorf("%s fmt -check accepted the messy input; the check cannot fail\n%s", tool, out)
	}
}

// TestFormatKeepsCommentsAndIsStable: formatting keeps every comment and a
// second pass changes nothing.
func TestFormatKeepsCommentsAndIsStable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "messy.hcl")
	if err := os.WriteFile(path, []byte(messyInventory), 0o644); err != nil {
		t.Fatal(err)
	}
	f, diags := FormatFile(path, Files{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if !f.Changed() {
		t.Fatal("the messy input was reported as formatted")
	}
	for _, comment := range []string{"# Clusters made by the provisioner.", "# federated with its own URL", "# trailing comment", "/* inline */"} {
		if !strings.Contains(string(f.Result), comment) {
			t.Errorf("comment %q lost:\n%s", comment, f.Result)
		}
	}
	if err := os.WriteFile(path, f.Result, 0o644); err != nil {
		t.Fatal(err)
	}
	again, diags := FormatFile(path, Files{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if again.Changed() {
		t.Errorf("a second format changed the file:\n%s", again.Result)
	}
}

// TestRepositoryInventoryIsFormatted mirrors CI's fmt --check on the
// example environments.
func TestRepositoryInventoryIsFormatted(t *testing.T) {
	sources, diags := Sources("../environments")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, s := range sources {
		for _, path := range s.Files {
			f, diags := FormatFile(path, Files{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if f.Changed() {
				t.Errorf("%s is not formatted: run fleetgen fmt", path)
			}
		}
	}
}
