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

// deadEndpoint is where the AWS SDK is sent: a loopback port nothing
// listens on, so init fails at its first AWS call, after loading the
// configuration and the backend's settings, and never leaves the machine.
const deadEndpoint = "http://127.0.0.1:9"

// terraformInit runs `init` in dir with fake credentials and every AWS
// endpoint at deadEndpoint, and returns its output.
func terraformInit(t *testing.T, tool, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool, append([]string{"init", "-input=false", "-no-color"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"TF_CLI_CONFIG_FILE=/dev/null", "TF_DATA_DIR="+filepath.Join(t.TempDir(), "data"),
		"AWS_ACCESS_KEY_ID=fleetgen-test", "AWS_SECRET_ACCESS_KEY=fleetgen-test",
		"AWS_ENDPOINT_URL_STS="+deadEndpoint, "AWS_ENDPOINT_URL_S3="+deadEndpoint,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1", "AWS_PROFILE=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("%s init in %s succeeded without AWS:\n%s", tool, dir, out)
	}
	return string(out)
}

// TestTerraformBackendInit has the real terraform (or tofu) load every
// rendered layer and initialise its s3 backend: it must accept the
// configuration and the backend's settings (use_lockfile, assume_role as
// an object) without a warning, such as the deprecation of
// dynamodb_table, and get as far as assuming the role, at a dead loopback
// endpoint. A misspelt backend setting shows that the check can fail.
// With -backend-config=plan.tfbackend, as a pull request's plan runs it,
// the backend must assume the plan role instead (Terraform names the role
// it failed to assume). Providers are not installed (that needs the
// registry), so this is not `terraform validate`.
func TestTerraformBackendInit(t *testing.T) {
	tool := tooltest.TerraformFormatter(t)
	reachedAWS := func(out string) bool {
		return strings.Contains(out, "127.0.0.1:9") && strings.Contains(out, "AssumeRole")
	}

	bad := t.TempDir()
	rendertest.WriteFile(t, filepath.Join(bad, "terraform.tf"),
		"terraform {\n  backend \"s3\" {\n    bucket = \"b\"\n    key = \"k\"\n    region = \"us-east-1\"\n    use_lockfle = true\n  }\n}\n")
	if out := terraformInit(t, tool, bad); reachedAWS(out) || !strings.Contains(out, "use_lockfle") {
		t.Fatalf("%s init accepted a misspelt backend setting:\n%s", tool, out)
	}

	planned := 0
	for _, dir := range tfInventories {
		inv, files := renderTerraform(t, dir)
		root := t.TempDir()
		writeTree(t, root, files)
		for _, env := range inv.Environments {
			for _, layer := range layout.Layers {
				out := terraformInit(t, tool, filepath.Join(root, filepath.FromSlash(layerDir(env.Name, layer))))
				if !reachedAWS(out) || strings.Contains(out, "Warning") {
					t.Errorf("%s %s %s: %s init did not get to assuming the role without a warning:\n%s", dir, env.Name, layer, tool, out)
				}
				if env.Terraform.PlanRoleARN == "" {
					continue
				}
				planned++
				out = terraformInit(t, tool, filepath.Join(root, filepath.FromSlash(layerDir(env.Name, layer))), "-backend-config="+PlanBackendFile)
				if !reachedAWS(out) || strings.Contains(out, "Warning") || !strings.Contains(out, env.Terraform.PlanRoleARN) || strings.Contains(out, env.Terraform.RoleARN) {
					t.Errorf("%s %s %s: %s init -backend-config=%s did not get to assuming %s without a warning:\n%s", dir, env.Name, layer, tool, PlanBackendFile, env.Terraform.PlanRoleARN, out)
				}
			}
		}
	}
	if planned == 0 {
		t.Error("no layer was initialised with a plan role")
	}
}
