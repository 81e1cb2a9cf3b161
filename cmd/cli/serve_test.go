package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/registration"
)

// The arguments the rendered Deployment runs are ones fleetgen serve
// takes: a flag it does not know makes cobra fail before --help.
func TestRenderedServeArgsAreServeFlags(t *testing.T) {
	inv, _, diags := inventory.Load("../../environments", "prod")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	env := inv.Environments[0]
	if env.Registration == nil {
		t.Fatal("the prod example has no registration block")
	}
	args := registration.Args(env)
	var stdout, stderr bytes.Buffer
	if code := run(append(args, "--help"), &stdout, &stderr); code != exitOK || !strings.Contains(stdout.String(), "fleetgen serve") {
		t.Fatalf("fleetgen %s --help: exit %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	if code := run(append(args, "--no-such-flag", "--help"), &stdout, &stderr); code == exitOK {
		t.Fatal("an unknown flag passed: the check above proves nothing")
	}
}

// serve refuses to start without a usable secret or a single --env, and
// says why, before it opens anything.
func TestServeRefusesBadSetup(t *testing.T) {
	short := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(short, []byte("short\n"), 0o600)
	data := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--repo", "x", "--secret-file", short}, "exactly one --env"},
		{[]string{"serve", "--env", "prod", "--repo", "x", "--secret-file", short, "--data-dir", data}, "use at least 16"},
		{[]string{"serve", "--env", "prod", "--repo", "x", "--secret-file", filepath.Join(data, "none"), "--data-dir", data}, "--secret-file"},
		{[]string{"serve", "--env", "prod", "--secret-file", short}, `required flag(s) "repo"`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tc.args, &stdout, &stderr); code == exitOK || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("fleetgen %s: exit %d, stderr %q; want %q", strings.Join(tc.args, " "), code, stderr.String(), tc.want)
		}
	}
}
