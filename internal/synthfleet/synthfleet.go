// Package synthfleet writes synthetic inventories of a chosen size, for the
// benchmarks and for tests that need a fleet larger than the examples.
//
// The output is a pure function of the Shape: the same shape always gives
// the same bytes, so renders of it can be compared and timed run after run.
package synthfleet

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Shape is the size of a synthetic fleet.
type Shape struct {
	Environments     int // environments env01, env02, …
	WorkloadClusters int // per environment
	HAClusters       int // per environment
	MinNodes         int // nodes of the smallest HA cluster (at least 2)
	MaxNodes         int // nodes of the largest; sizes cycle from MinNodes to MaxNodes
}

// Reference is the reference fleet of the performance targets (issue 22):
// 10 environments × 500 workload clusters × 20 HA clusters of 3 to 15 nodes,
// about 16,700 files and 48 MB rendered.
var Reference = Shape{Environments: 10, WorkloadClusters: 500, HAClusters: 20, MinNodes: 3, MaxNodes: 15}

// Scaled is s with its environments multiplied by num/den (at least one):
// every environment is the same size, so the whole fleet scales linearly.
func (s Shape) Scaled(num, den int) Shape {
	s.Environments = max(1, s.Environments*num/den)
	return s
}

// Nodes is the number of nodes of HA cluster c (0-based) of every environment.
func (s Shape) Nodes(c int) int {
	span := s.MaxNodes - s.MinNodes + 1
	if span < 1 {
		span = 1
	}
	return s.MinNodes + c%span
}

// String describes s in the words of the README's table.
func (s Shape) String() string {
	nodes := 0
	for c := range s.HAClusters {
		nodes += s.Nodes(c)
	}
	return fmt.Sprintf("%d environments × (%d workload clusters, %d HA clusters of %d–%d nodes: %d nodes)",
		s.Environments, s.WorkloadClusters, s.HAClusters, s.MinNodes, s.MaxNodes, nodes)
}

// Write writes the inventory of s under dir/environments, one folder per
// environment with the same three files as the examples. It refuses a dir
// whose environments/ already exists, so it never mixes two fleets.
func Write(dir string, s Shape) error {
	if s.Environments < 1 || s.HAClusters < 0 || s.WorkloadClusters < 0 || s.MinNodes < 2 || s.MaxNodes < s.MinNodes {
		return fmt.Errorf("synthfleet: impossible shape %+v", s)
	}
	if s.HAClusters > 250 || s.MaxNodes > 250 {
		return fmt.Errorf("synthfleet: at most 250 HA clusters of 250 nodes per environment (addresses are 10.<cluster>.0.<node>)")
	}
	root := filepath.Join(dir, "environments")
	if _, err := os.Stat(root); err == nil {
		return fmt.Errorf("synthfleet: %s already exists", root)
	}
	for e := 1; e <= s.Environments; e++ {
		name := fmt.Sprintf("env%02d", e)
		files := map[string]string{
			"environment.hcl":       environment(name, e),
			"workload-clusters.hcl": workloadClusters(name, s.WorkloadClusters),
			"ha.hcl":                haClusters(name, s),
		}
		envDir := filepath.Join(root, name)
		if err := os.MkdirAll(envDir, 0o755); err != nil {
			return err
		}
		for file, data := range files {
			if err := os.WriteFile(filepath.Join(envDir, file), []byte(data), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// environment is the environment block of environment number e: every app
// of the catalogue, with the same values as the prod example.
func environment(name string, e int) string {
	account := fmt.Sprintf("%012d", 100000000000+e)
	return fmt.Sprintf(`# Synthetic environment %[1]s, written by synthfleet.
environment %[1]q {
  account_id = %[2]q
  region     = "us-east-1"

  terraform {
    state_bucket = "fleetgen-synthetic-state-%[1]s"
    role_arn     = "arn:aws:iam::%[2]s:role/fleet-deployer"
    module_ref   = "v1.6.0"
  }

  network {
    vpc_id             = "vpc-0%016[3]x"
    private_subnet_ids = ["subnet-0%016[4]x", "subnet-0%016[5]x", "subnet-0%016[6]x"]
    public_subnet_ids  = ["subnet-0%016[7]x", "subnet-0%016[8]x", "subnet-0%016[9]x"]
  }

  dns {
    private_zone_id = "Z0PRIV%014[3]d"
    private_domain  = "internal.%[1]s.cloud.example.com"
    public_zone_id  = "Z0PUBL%014[3]d"
    public_domain   = "%[1]s.cloud.example.com"
  }

  cluster {
    kubernetes_version = "1.33"
    instance_type      = "m6i.xlarge"
    min_size           = 3
    desired_size       = 3
    max_size           = 6
    volume_size_gb     = 100
  }

  gitops {
    repo_url = "https://github.com/example/mattermost-fleet.git"
  }

  federation {
    scrape_interval = "30s"
    scrape_timeout  = "20s"
    hub_cluster_id  = "command-and-control-%[1]s"
  }

  app "prometheus" {
    version = "25.27.0"
    host    = "prometheus"
  }
  app "prometheus-client" {
    version = "25.27.0"
  }
  app "grafana" {
    version    = "8.5.1"
    host       = "grafana"
    visibility = "public"
    values = {
      admin = { existingSecret = "grafana-admin" }
      ingress = {
        annotations = {
          "nginx.org/basic-auth-secret" = "grafana-basic-auth"
          "nginx.org/basic-auth-realm"  = "Grafana"
        }
      }
    }
  }
  app "elasticsearch" {
    version = "0.20.0"
    host    = "elasticsearch"
  }
  app "kibana" {
    version = "0.20.0"
    host    = "kibana"
  }
  app "fluent-bit" {
    version = "0.58.1"
  }
  app "nginx-internal" {
    version = "2.4.4"
    values = {
      controller = { wildcardTLS = { secret = "network/wildcard-internal-tls" } }
    }
  }
  app "nginx" {
    version = "2.4.4"
    values = {
      controller = { wildcardTLS = { secret = "network/wildcard-public-tls" } }
    }
  }
  app "eck-operator" {
    version = "3.5.0"
  }
  provisioner {
    tag                = "v0.93.1"
    role_arn           = "arn:aws:iam::%[2]s:role/mattermost-provisioner"
    state_store        = "mattermost-kops-state-%[1]s"
    database_secret    = "mattermost-cloud-database"
    ssh_secret         = "mattermost-cloud-ssh"
    utilities_git_path = "out/%[1]s/utilities"
  }
}
`, name, account, e, 10*e+1, 10*e+2, 10*e+3, 10*e+4, 10*e+5, 10*e+6)
}

// workloadClusters is n workload_cluster blocks with provisioner-like IDs,
// mixing the forms operators write: labels, an explicit URL, not federated.
func workloadClusters(env string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Workload clusters of %s, written by synthfleet.\n", env)
	for i := range n {
		id := clusterID(env, i)
		fmt.Fprintf(&b, "\nworkload_cluster %q {\n", id)
		switch {
		case i%50 == 49:
			b.WriteString("  federate = false\n")
		case i%10 == 9:
			fmt.Fprintf(&b, "  prometheus_url = \"https://%s.prometheus.internal.%s.cloud.example.com:443\"\n", id, env)
		}
		if i%4 == 3 {
			fmt.Fprintf(&b, "  labels = { tier = \"dedicated\", customer = \"customer%d\" }\n", i)
		} else {
			b.WriteString("  labels = { tier = \"shared\" }\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// clusterID is a 26-character ID in the provisioner's alphabet, starting
// with a letter.
func clusterID(env string, i int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "workload/%s/%d", env, i))
	id := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))
	return "c" + id[:25]
}

// haClusters is s.HAClusters ha_cluster blocks, cluster c with s.Nodes(c)
// nodes on 10.<c>.0.<n>, each with its own derived host and tunnel key,
// and a Mattermost cluster name unique to the inventory (<env>-ha<c>).
func haClusters(env string, s Shape) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# HA clusters of %s, written by synthfleet.\n", env)
	for c := range s.HAClusters {
		fmt.Fprintf(&b, "\nha_cluster \"ha%02d\" {\n  mattermost_version = \"10.11.4\"\n  cluster_name       = \"%s-ha%02d\"\n", c+1, env, c+1)
		for n := 1; n <= s.Nodes(c); n++ {
			fmt.Fprintf(&b, "\n  node \"app%d\" {\n    address    = \"10.%d.0.%d\"\n    host_key   = %q\n    tunnel_key = %q\n  }\n",
				n, c+1, n, key(env, c, n, "host", ""), key(env, c, n, "tunnel", fmt.Sprintf(" mattermost@%s-ha%02d-app%d", env, c+1, n)))
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// key is a deterministic ed25519 public key in authorized_keys form.
func key(env string, cluster, node int, role, comment string) string {
	seed := sha256.Sum256(fmt.Appendf(nil, "%s/%s/%d/%d", role, env, cluster, node))
	pub, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(seed[:]).Public())
	if err != nil {
		panic(err) // an ed25519 key always converts
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + comment
}
