package edit

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

const workloads = `# Workload clusters of test.

# The shared one.
workload_cluster "aaa" {
  labels = { tier = "shared" } # keep
}

workload_cluster "bbb" {
  # Draining.
  federate   = false
}
# trailing comment
`

const ha = `ha_cluster "blue" {
  mattermost_version = "10.11.4"

  node "mm1" {
    address = "10.0.0.1"
  }
  # the second
  node "mm2" {
    address     =   "10.0.0.2"    # odd alignment kept
  }
}
`

func folder(files ...string) *Folder {
	f := &Folder{Dir: "env/test", Name: "test"}
	for i := 0; i < len(files); i += 2 {
		f.Files = append(f.Files, File{Path: filepath.Join("env/test", files[i]), Data: []byte(files[i+1]), Mode: 0o600})
	}
	return f
}

func TestEdits(t *testing.T) {
	tests := []struct {
		name   string
		folder *Folder
		edit   func(*Folder) (Change, error)
		path   string
		want   string
	}{{
		name:   "add workload cluster after the last",
		folder: folder("wc.hcl", workloads),
		edit: func(f *Folder) (Change, error) {
			return AddWorkloadCluster(f, WorkloadCluster{ID: "ccc", Labels: map[string]string{"tier": "dedicated", "customer": "acme"}, PrometheusURL: "https://x:443", NoFederate: true})
		},
		path: "env/test/wc.hcl",
		want: strings.Replace(workloads, "}\n# trailing", `}

workload_cluster "ccc" {
  prometheus_url = "https://x:443"
  labels         = { customer = "acme", tier = "dedicated" }
  federate       = false
}
# trailing`, 1),
	}, {
		name:   "add the first workload cluster to an existing file",
		folder: folder("environment.hcl", "environment \"test\" {}\n", "workload-clusters.hcl", "# header\n"),
		edit:   func(f *Folder) (Change, error) { return AddWorkloadCluster(f, WorkloadCluster{ID: "x"}) },
		path:   "env/test/workload-clusters.hcl",
		want:   "# header\n\nworkload_cluster \"x\" {\n}\n",
	}, {
		name:   "remove a middle block with its comment",
		folder: folder("wc.hcl", workloads+"\nworkload_cluster \"ccc\" {\n}\n"),
		edit:   func(f *Folder) (Change, error) { return RemoveWorkloadCluster(f, "aaa") },
		path:   "env/test/wc.hcl",
		want:   strings.Replace(workloads+"\nworkload_cluster \"ccc\" {\n}\n", "# The shared one.\nworkload_cluster \"aaa\" {\n  labels = { tier = \"shared\" } # keep\n}\n\n", "", 1),
	}, {
		name:   "remove the first block of a file",
		folder: folder("wc.hcl", "workload_cluster \"a\" {\n}\n\nworkload_cluster \"b\" {\n}\n"),
		edit:   func(f *Folder) (Change, error) { return RemoveWorkloadCluster(f, "a") },
		path:   "env/test/wc.hcl",
		want:   "workload_cluster \"b\" {\n}\n",
	}, {
		name:   "add a node after the last, indented like it",
		folder: folder("ha.hcl", ha),
		edit: func(f *Folder) (Change, error) {
			return AddNode(f, Node{Cluster: "blue", Name: "mm3", Address: "10.0.0.3", Ordinal: 7, HostKey: "ssh-ed25519 AAAA", TunnelKey: "ssh-ed25519 BBBB t@3"})
		},
		path: "env/test/ha.hcl",
		want: strings.Replace(ha, "  }\n}\n", `  }
  node "mm3" {
    address    = "10.0.0.3"
    ordinal    = 7
    host_key   = "ssh-ed25519 AAAA"
    tunnel_key = "ssh-ed25519 BBBB t@3"
  }
}
`, 1),
	}, {
		name:   "add the first node of a cluster",
		folder: folder("ha.hcl", "ha_cluster \"x\" {\n  mattermost_version = \"10.11.4\"\n}\n"),
		edit:   func(f *Folder) (Change, error) { return AddNode(f, Node{Cluster: "x", Name: "a", Address: "10.0.0.1"}) },
		path:   "env/test/ha.hcl",
		want:   "ha_cluster \"x\" {\n  mattermost_version = \"10.11.4\"\n\n  node \"a\" {\n    address = \"10.0.0.1\"\n    ordinal = 1\n  }\n}\n",
	}, {
		name:   "add the first node of a cluster on one line",
		folder: folder("ha.hcl", "  ha_cluster \"x\" {  mattermost_version = \"10.11.4\" } # one line\n"),
		edit:   func(f *Folder) (Change, error) { return AddNode(f, Node{Cluster: "x", Name: "a", Address: "10.0.0.1"}) },
		path:   "env/test/ha.hcl",
		want:   "  ha_cluster \"x\" {\n    mattermost_version = \"10.11.4\"\n\n    node \"a\" {\n      address = \"10.0.0.1\"\n      ordinal = 1\n    }\n  } # one line\n",
	}, {
		name:   "add the first node of an empty cluster",
		folder: folder("ha.hcl", "ha_cluster \"x\" {}\n"),
		edit:   func(f *Folder) (Change, error) { return AddNode(f, Node{Cluster: "x", Name: "a", Address: "10.0.0.1"}) },
		path:   "env/test/ha.hcl",
		want:   "ha_cluster \"x\" {\n  node \"a\" {\n    address = \"10.0.0.1\"\n    ordinal = 1\n  }\n}\n",
	}, {
		name:   "add a node: the next ordinal after the highest, written or by position",
		folder: folder("ha.hcl", ha),
		edit: func(f *Folder) (Change, error) {
			return AddNode(f, Node{Cluster: "blue", Name: "mm3", Address: "10.0.0.3"})
		},
		path: "env/test/ha.hcl",
		want: strings.Replace(ha, "  }\n}\n", "  }\n  node \"mm3\" {\n    address = \"10.0.0.3\"\n    ordinal = 3\n  }\n}\n", 1),
	}, {
		name: "remove a middle node: the nodes after it keep their ordinals",
		folder: folder("ha.hcl", `ha_cluster "c" {
  node "a" {
    address    = "10.0.0.1"
    tunnel_key = "k"
  }
  node "b" {
    address    = "10.0.0.2"
    tunnel_key = "k"
  }
  node "c" {
    address    = "10.0.0.3"
    tunnel_key = "k"
  }
  node "d" {
    address = "10.0.0.4"
    ordinal = 9
  }
}
`),
		edit: func(f *Folder) (Change, error) { return RemoveNode(f, "c", "b") },
		path: "env/test/ha.hcl",
		want: `ha_cluster "c" {
  node "a" {
    address    = "10.0.0.1"
    tunnel_key = "k"
  }
  node "c" {
    address    = "10.0.0.3"
    ordinal    = 3
    tunnel_key = "k"
  }
  node "d" {
    address = "10.0.0.4"
    ordinal = 9
  }
}
`,
	}, {
		name:   "remove a node with its comment",
		folder: folder("ha.hcl", ha),
		edit:   func(f *Folder) (Change, error) { return RemoveNode(f, "blue", "mm2") },
		path:   "env/test/ha.hcl",
		want:   strings.Replace(ha, "  # the second\n  node \"mm2\" {\n    address     =   \"10.0.0.2\"    # odd alignment kept\n  }\n", "", 1),
	}, {
		name:   "remove the first node keeps the blank line above the nodes",
		folder: folder("ha.hcl", ha),
		edit:   func(f *Folder) (Change, error) { return RemoveNode(f, "blue", "mm1") },
		path:   "env/test/ha.hcl",
		// mm2's ordinal was its position: it is written, so it stays 2.
		want: strings.Replace(strings.Replace(ha, "  node \"mm1\" {\n    address = \"10.0.0.1\"\n  }\n", "", 1),
			"    # odd alignment kept\n", "    # odd alignment kept\n    ordinal     = 2\n", 1),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.edit(tt.folder)
			if err != nil {
				t.Fatal(err)
			}
			if c.Path != tt.path || c.Mode != 0o600 || c.Created {
				t.Errorf("change of %s mode %v created %v, want %s mode 0600 not created", c.Path, c.Mode, c.Created, tt.path)
			}
			if diff := cmp.Diff(tt.want, string(c.Data)); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
			if _, diags := hclsyntax.ParseConfig(c.Data, c.Path, hcl.InitialPos); diags.HasErrors() {
				t.Errorf("result does not parse: %s", diags)
			}
		})
	}
}

// Adding then removing a block gives back the original bytes, the last
// block of a file or of a cluster alike.
func TestRoundTrip(t *testing.T) {
	for _, src := range []string{workloads, "workload_cluster \"a\" {\n}\n", "workload_cluster \"a\" {}"} {
		f := folder("wc.hcl", src)
		c, err := AddWorkloadCluster(f, WorkloadCluster{ID: "new", Labels: map[string]string{"a": "b"}})
		if err != nil {
			t.Fatal(err)
		}
		f.Files[0].Data = c.Data
		c, err = RemoveWorkloadCluster(f, "new")
		if err != nil {
			t.Fatal(err)
		}
		if src == "workload_cluster \"a\" {}" {
			src += "\n" // the one byte added: a file ends with a newline
		}
		if string(c.Data) != src {
			t.Errorf("round trip of %q gave %q", src, c.Data)
		}
	}
	f := folder("ha.hcl", ha)
	c, _ := AddNode(f, Node{Cluster: "blue", Name: "mm3", Address: "10.0.0.3"})
	f.Files[0].Data = c.Data
	c, _ = RemoveNode(f, "blue", "mm3")
	if string(c.Data) != ha {
		t.Errorf("node round trip gave %q", c.Data)
	}
}

func TestAddWorkloadClusterCreatesFile(t *testing.T) {
	c, err := AddWorkloadCluster(folder("environment.hcl", "environment \"test\" {}\n"), WorkloadCluster{ID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	want := "# Workload clusters of test, one block per cluster the provisioner made.\n\nworkload_cluster \"x\" {\n}\n"
	if !c.Created || c.Path != "env/test/workload-clusters.hcl" || string(c.Data) != want || c.Mode != 0o644 {
		t.Errorf("got %+v %q", c, c.Data)
	}
}

func TestRefusals(t *testing.T) {
	f := folder("ha.hcl", ha, "wc.hcl", workloads)
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"duplicate workload cluster", second(AddWorkloadCluster(f, WorkloadCluster{ID: "bbb"})), `workload_cluster "bbb" already exists at env/test/wc.hcl:8`},
		{"unknown workload cluster", second(RemoveWorkloadCluster(f, "bbc")), `there is no workload_cluster "bbc" in env/test. Did you mean "bbb"?`},
		{"duplicate node", second(AddNode(f, Node{Cluster: "blue", Name: "mm1"})), `ha_cluster "blue": node "mm1" already exists at env/test/ha.hcl:4`},
		{"unknown cluster", second(AddNode(f, Node{Cluster: "bleu", Name: "mm9"})), `there is no ha_cluster "bleu" in env/test. Did you mean "blue"?`},
		{"unknown node", second(RemoveNode(f, "blue", "mm4")), `there is no node "mm4" in ha_cluster "blue". Did you mean "mm1"?`},
		{"syntax error", second(RemoveNode(folder("x.hcl", "ha_cluster {"), "blue", "mm1")), `x.hcl:1,`},
		{"bad name", second(NewEnvironment("env", "Bad_Name", nil)), `the environment name "Bad_Name" is not valid`},
		{"credential", second(AddWorkloadCluster(folder("x.hcl", "# AKIAIOSFODNN7EXAMPLE\n"), WorkloadCluster{ID: "a"})), `Credential in inventory`},
		{"deep nesting", second(AddWorkloadCluster(folder("x.hcl", "a = "+strings.Repeat("[", 200000)), WorkloadCluster{ID: "a"})), `Value nested too deeply`},
	} {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, tt.err, tt.want)
		}
	}
}

func second(_ Change, err error) error { return err }

func TestNewEnvironmentFrom(t *testing.T) {
	src := `# About prod.
environment "prod" {
  account_id = "444455556666" # the account
  region     = "us-east-1"

  network {
    vpc_id             = "vpc-0f9e8d7c6b5a40312"
    private_subnet_ids = ["subnet-0f11e22d33c44b551", "subnet-0f11e22d33c44b552"]
    public_subnet_ids  = []
  }
}

workload_cluster "not-copied" {
}
`
	c, err := NewEnvironment("env", "staging", folder("environment.hcl", src))
	if err != nil {
		t.Fatal(err)
	}
	want := `# The staging environment, scaffolded by "fleetgen new environment" from test.
# Every "FILL-IN" is a value of this environment only: replace each;
# "fleetgen validate --env staging" lists those left.
environment "staging" {
  account_id = "FILL-IN" # the account
  region     = "us-east-1"

  network {
    vpc_id             = "FILL-IN"
    private_subnet_ids = ["FILL-IN", "FILL-IN"]
    public_subnet_ids  = []
  }
}
`
	if diff := cmp.Diff(want, string(c.Data)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if c.Path != filepath.Join("env", "staging", "environment.hcl") || !c.Created {
		t.Errorf("change %s created %v", c.Path, c.Created)
	}
}

func TestNewEnvironmentTemplate(t *testing.T) {
	c, err := NewEnvironment("env", "staging", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, diags := hclsyntax.ParseConfig(c.Data, c.Path, hcl.InitialPos); diags.HasErrors() {
		t.Fatalf("template does not parse: %s", diags)
	}
	if !bytes.Contains(c.Data, []byte(`environment "staging" {`)) {
		t.Errorf("template not labelled:\n%s", c.Data)
	}
}

// A file that fails the loader's screens is refused, and the sources kept
// for printing its lines have the credential masked.
func TestScreenedSources(t *testing.T) {
	_, err := RemoveWorkloadCluster(folder("x.hcl", "# AKIAIOSFODNN7EXAMPLE\n"), "a")
	var syntax *SyntaxError
	if !errors.As(err, &syntax) {
		t.Fatalf("error %v, want a SyntaxError", err)
	}
	if src := syntax.Sources["env/test/x.hcl"]; len(src) == 0 || bytes.Contains(src, []byte("AKIA")) {
		t.Errorf("sources: %q", src)
	}
}

// A file with CRLF line endings gets CRLF in what is inserted.
func TestCRLF(t *testing.T) {
	src := "workload_cluster \"a\" {\r\n}\r\n\r\nworkload_cluster \"b\" {\r\n}\r\n"
	c, err := AddWorkloadCluster(folder("wc.hcl", src), WorkloadCluster{ID: "c", NoFederate: true})
	if err != nil {
		t.Fatal(err)
	}
	want := src + "\r\nworkload_cluster \"c\" {\r\n  federate = false\r\n}\r\n"
	if string(c.Data) != want {
		t.Errorf("got %q, want %q", c.Data, want)
	}
	f := folder("wc.hcl", string(c.Data))
	c, _ = RemoveWorkloadCluster(f, "c")
	if string(c.Data) != src {
		t.Errorf("round trip gave %q", c.Data)
	}
}
