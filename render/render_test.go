package render

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/testkey"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// mustRender renders inv, with the example charts for its hydrated
// environments, and fails the test on any diagnostic.
func mustRender(t testing.TB, inv *inventory.Inventory) []layout.File {
	t.Helper()
	files, diags := Render(inv, Options{Charts: rendertest.ExampleCharts(t, inv)})
	if len(diags) > 0 {
		t.Fatalf("render: %s", diags.Error())
	}
	return files
}

// TestRenderExamplesDeterministic renders the repository's example
// inventory twice and checks the guarantees every rendered file keeps.
func TestRenderExamplesDeterministic(t *testing.T) {
	inv := rendertest.LoadInventory(t, rendertest.Examples())
	first := mustRender(t, inv)
	again := rendertest.LoadInventory(t, rendertest.Examples())
	second := mustRender(t, again)
	if len(first) != len(second) {
		t.Fatalf("two renders gave %d and %d files", len(first), len(second))
	}
	for i := range first {
		a, b := first[i], second[i]
		if a.Path != b.Path || a.Mode != b.Mode || !bytes.Equal(a.Data, b.Data) {
			t.Errorf("render is not deterministic: %s differs between runs", a.Path)
		}
		if i > 0 && first[i-1].Path >= a.Path {
			t.Errorf("files not sorted by path: %s after %s", a.Path, first[i-1].Path)
		}
		rendertest.CheckFileGuarantees(t, a)
	}
}

// TestRenderFortyNodeOrdinalCluster renders a 40-node cluster with the
// ordinal layout: every node gets 39 tunnels on unique, valid local ports.
func TestRenderFortyNodeOrdinalCluster(t *testing.T) {
	dir := t.TempDir()
	writeLargeInventory(t, dir, 40)
	files := mustRender(t, rendertest.LoadInventory(t, dir))
	forward := regexp.MustCompile(`-L '127\.0\.0\.1:(\d+):10\.1\.0\.(\d+):8074'`)
	dnat := regexp.MustCompile(`(?m)^-A OUTPUT -p tcp -d 10\.1\.0\.(\d+) --dport 8074 -j DNAT --to-destination 127\.0\.0\.1:(\d+)$`)
	scripts := 0
	for _, f := range files {
		if !strings.HasSuffix(f.Path, "/usr/local/lib/fleetgen/large/tunnel.sh") { // supervised: the default
			continue
		}
		scripts++
		node := strings.Split(f.Path, "/")[3]
		rules := rendertest.FileData(t, files, strings.Replace(f.Path, "usr/local/lib/fleetgen/large/tunnel.sh", "etc/ufw/after.rules", 1))
		forwards := forward.FindAllStringSubmatch(string(f.Data), -1)
		dnats := dnat.FindAllStringSubmatch(string(rules), -1)
		if len(forwards) != 39 || len(dnats) != 39 {
			t.Fatalf("%s: %d forwards and %d DNAT rules, want 39 each", node, len(forwards), len(dnats))
		}
		seen := map[string]bool{}
		for i, m := range forwards {
			port := m[1]
			p, err := strconv.Atoi(port)
			if err != nil {
				t.Fatal(err)
			}
			if p < 1024 || p > 65535 || p == 8065 || p == 8067 || p == 8074 || p == 22 {
				t.Errorf("%s: invalid local port %d", node, p)
			}
			if seen[port] {
				t.Errorf("%s: local port %s used twice", node, port)
			}
			seen[port] = true
			// The firewall sends each peer's traffic into that peer's tunnel.
			if dnats[i][1] != m[2] || dnats[i][2] != port {
				t.Errorf("%s: DNAT %v does not match forward %v", node, dnats[i][1:], m[1:])
			}
		}
	}
	if scripts != 40 {
		t.Errorf("rendered %d pre_start.sh, want 40", scripts)
	}
}

// writeLargeInventory writes environment "big" with one ordinal HA cluster
// of n nodes, each with freshly generated public keys.
func writeLargeInventory(t testing.TB, dir string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`environment "big" {
  account_id = "111122223333"
  region     = "us-east-1"
  terraform {
    state_bucket = "big-state"
    role_arn     = "arn:aws:iam::111122223333:role/deployer"
    module_ref   = "v1.6.0"
  }
  network {
    vpc_id             = "vpc-0a1b2c3d"
    private_subnet_ids = ["subnet-0a1b2c3d", "subnet-1a1b2c3d"]
  }
  dns {
    private_zone_id = "Z0BIG"
    private_domain  = "internal.big.example.com"
  }
  cluster {
    kubernetes_version = "1.30"
    instance_type      = "t3.large"
    min_size           = 1
    desired_size       = 1
    max_size           = 1
  }
  gitops {
    repo_url = "https://github.com/example/fleet.git"
  }
}

ha_cluster "large" {
  mattermost_version = "10.11.4"
`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  node \"n%d\" {\n    address    = \"10.1.0.%d\"\n    host_key   = %q\n    tunnel_key = %q\n  }\n",
			i, i, testkey.Public(t, ""), testkey.Public(t, ""))
	}
	b.WriteString("}\n")
	if err := os.MkdirAll(filepath.Join(dir, "big"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "big", "big.hcl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRenderHAOnlyEnvironment: a folder of ha_cluster blocks alone, as a
// self-hosted operator has, validates and renders its HA files and a
// README, and nothing of a C&C side.
func TestRenderHAOnlyEnvironment(t *testing.T) {
	inv := rendertest.LoadInventory(t, "../inventory/testdata/valid/ha-only")
	files, diags := Render(inv, Options{})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	var ha int
	for _, f := range files {
		switch {
		case f.Path == "selfhosted/README.md":
			if s := string(f.Data); !strings.Contains(s, "no command\nand control cluster") || strings.Contains(s, "## Terraform") || !strings.Contains(s, "[ha/acme/]") {
				t.Errorf("the README of an HA-only environment:\n%s", s)
			}
		case strings.HasPrefix(f.Path, "selfhosted/ha/acme/"):
			ha++
		default:
			t.Errorf("an HA-only environment renders %s", f.Path)
		}
	}
	if ha == 0 {
		t.Error("no HA file rendered")
	}
}
