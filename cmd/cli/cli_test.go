package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mattermost/fleetgen/internal/rendercache"
	"github.com/mattermost/fleetgen/internal/tooltest"
)

func TestMain(m *testing.M) {
	// The tests that run fleetgen in this process use no render cache, so
	// they never write to the user's; each script has one of its own
	// (TestScripts), which the fleetgen it runs inherits.
	if _, set := os.LookupEnv(rendercache.EnvVar); !set {
		os.Setenv(rendercache.EnvVar, "off")
	}
	testscript.Main(m, map[string]func(){
		"fleetgen": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the command-line scenarios of testdata/script: exit
// codes, diagnostics on stderr, and what is (not) written to out/. The
// hydration scripts reach a chart repository served on loopback, at
// $REPO_URL, whose TLS certificate is $REPO_CA.
func TestScripts(t *testing.T) {
	repo := scriptChartRepo(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO_URL", repo.URL)
			env.Setenv("REPO_CA", repo.CAFile)
			env.Setenv(rendercache.EnvVar, filepath.Join(env.Getenv("TMPDIR"), "fleetgen-cache"))
			return nil
		},
		Condition: haveTool,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":     cmdExits,
			"expandenv": cmdExpandEnv,
			"tamper":    cmdTamper,
		},
	})
}

// cmdExits runs a command and asserts its exact exit code, keeping its
// stdout and stderr for the next stdout/stderr assertions:
//
//	exits 2 fleetgen check
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			ts.Fatalf("exits: %v", err)
		}
		got = exitErr.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d\nstdout:\n%s\nstderr:\n%s", args[1], got, want, ts.ReadFile("stdout"), ts.ReadFile("stderr"))
	}
}

// haveTool is the script condition [have:PROGRAM]: whether PROGRAM is
// installed. Under FLEETGEN_REQUIRE_TOOLS=1 (CI) a missing program fails
// the script instead, like tooltest.Look:
//
//	[!have:fish] skip 'fish is not installed'
func haveTool(cond string) (bool, error) {
	name, ok := strings.CutPrefix(cond, "have:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if _, err := exec.LookPath(name); err != nil {
		if tooltest.Required() {
			return false, fmt.Errorf("%s is not installed (FLEETGEN_REQUIRE_TOOLS=1)", name)
		}
		return false, nil
	}
	return true, nil
}

// TestRepositoryIsCurrent is the CI drift check on this repository's own
// inventory: the committed out/ must be what environments/ renders.
func TestRepositoryIsCurrent(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"check"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("fleetgen check exited %d: run 'make render' and commit out/\n%s%s", code, stdout.String(), stderr.String())
	}
}

// A binary built from a git checkout, as make build builds it, says which
// module version and commit it is; test binaries carry no build stamp, so
// this builds the real one.
func TestVersionFromBuildInfo(t *testing.T) {
	tooltest.IsolateGit(t)
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		tooltest.Missing(t, "not a git checkout: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "fleetgen")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", bin, "../fleetgen")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^fleetgen v\S+ \(git ` + strings.TrimSpace(string(head)) + `, \d{4}-\d\d-\d\dT\S+Z(, modified)?\)\n$`)
	if !re.Match(out) {
		t.Errorf("fleetgen version printed %q; want the module version and commit %s", out, strings.TrimSpace(string(head)))
	}
}
