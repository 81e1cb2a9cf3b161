package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// bigEnvironment is the environment.hcl of the generated repositories.
const bigEnvironment = `environment "big" {
  account_id = "111122223333"
  region     = "us-east-1"
  terraform {
    state_bucket = "fleetgen-big-state"
    role_arn     = "arn:aws:iam::111122223333:role/fleet-deployer"
    module_ref   = "v1.6.0"
  }
  network {
    vpc_id             = "vpc-0a1b2c3d4e5f60718"
    private_subnet_ids = ["subnet-0a11b22c33d44e551", "subnet-0a11b22c33d44e552"]
  }
  dns {
    private_zone_id = "Z0BIG1234567890ABCDEF"
    private_domain  = "internal.big.example.com"
  }
  cluster {
    kubernetes_version = "1.30"
    instance_type      = "t3.large"
    min_size           = 1
    desired_size       = 1
    max_size           = 2
  }
  gitops {
    repo_url = "https://github.com/example/fleet.git"
  }
}
`

// A bigShape says which HA clusters a generated inventory has: clusters
// first..first+count-1, each with nodes nodes, all using tunnelUser.
type bigShape struct {
	first, count, nodes int
	tunnelUser          string
}

// writeBigInventory replaces environments/ under repo with a generated
// inventory of shape s. Keys are derived from the cluster and node numbers,
// so the same cluster always renders the same files.
func writeBigInventory(t *testing.T, repo string, s bigShape) {
	t.Helper()
	dir := filepath.Join(repo, "environments", "big")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for c := s.first; c < s.first+s.count; c++ {
		fmt.Fprintf(&b, "ha_cluster \"c%03d\" {\n  mattermost_version = \"10.11.4\"\n  tunnel_user = %q\n", c, s.tunnelUser)
		for n := 1; n <= s.nodes; n++ {
			fmt.Fprintf(&b, "  node \"mm%d\" {\n    address    = \"10.%d.%d.%d\"\n    host_key   = %q\n    tunnel_key = %q\n  }\n",
				n, 100+c/250, c%250, n, testKey(c, n, "host"), testKey(c, n, "tunnel"))
		}
		b.WriteString("}\n")
	}
	for name, data := range map[string]string{"environment.hcl": bigEnvironment, "ha.hcl": b.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// testKey is a deterministic ed25519 public key in authorized_keys form.
func testKey(cluster, node int, role string) string {
	seed := sha256.Sum256(fmt.Appendf(nil, "%s/%d/%d", role, cluster, node))
	pub, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(seed[:]).Public())
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

// fleetgenResult is the outcome of one run of the fleetgen binary.
type fleetgenResult struct {
	code           int
	stdout, stderr string
}

// runFleetgen runs the fleetgen binary testscript put on $PATH, in repo,
// with extra environment variables, bounded by a deadline.
func runFleetgen(t *testing.T, repo string, env []string, args ...string) fleetgenResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "fleetgen", args...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := fleetgenResult{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && exitErr.ExitCode() >= 0:
		r.code = exitErr.ExitCode()
	case errors.As(err, &exitErr):
		r.code = -1 // killed by a signal
	default:
		t.Fatalf("fleetgen %v: %v", args, err)
	}
	return r
}

// mustRun runs fleetgen and fails the test unless it exits with want.
func mustRun(t *testing.T, repo string, want int, args ...string) fleetgenResult {
	t.Helper()
	r := runFleetgen(t, repo, nil, args...)
	if r.code != want {
		t.Fatalf("fleetgen %v exited %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, want, r.stdout, r.stderr)
	}
	return r
}

// readTree maps every regular file under dir (relative, slash-separated) to
// its content.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		tree[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}
