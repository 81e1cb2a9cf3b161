package edit

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/mattermost/fleetgen/inventory"
)

// FuzzEdit runs every edit on arbitrary file contents: it must never
// panic; an edit of a file that parses gives a file that parses; and adding
// a workload cluster or a node after its siblings then removing it gives
// back the file byte for byte.
func FuzzEdit(f *testing.F) {
	f.Add(workloads)
	f.Add(ha)
	f.Add("workload_cluster \"a\" {}")
	f.Add("ha_cluster \"blue\" { node \"mm1\" { address = \"x\" } }")
	for _, env := range []string{"dev", "prod"} {
		paths, _ := filepath.Glob(filepath.Join("../../environments", env, "*.hcl"))
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		// Screened first, as the loader does: the parser itself recurses
		// once per nesting level.
		parses := false
		if _, diags := inventory.Screen("x.hcl", []byte(src)); !diags.HasErrors() {
			_, diags := hclsyntax.ParseConfig([]byte(src), "x.hcl", hcl.InitialPos)
			parses = !diags.HasErrors()
		}
		edits := []func(*Folder) (Change, error){
			func(f *Folder) (Change, error) {
				return AddWorkloadCluster(f, WorkloadCluster{ID: "fz", Labels: map[string]string{"a": "b"}})
			},
			func(f *Folder) (Change, error) { return RemoveWorkloadCluster(f, "a") },
			func(f *Folder) (Change, error) {
				return AddNode(f, Node{Cluster: "blue", Name: "fz", Address: "10.0.0.9"})
			},
			func(f *Folder) (Change, error) { return RemoveNode(f, "blue", "mm1") },
			func(f *Folder) (Change, error) { return NewEnvironment("env", "fz", f) },
		}
		// Adding a workload cluster after others then removing it gives
		// back the file (the documented exception: a missing final newline).
		if parses && strings.HasSuffix(src, "\n") && strings.Contains(src, "workload_cluster") {
			f := folder("x.hcl", src)
			if c, err := AddWorkloadCluster(f, WorkloadCluster{ID: "fz"}); err == nil && !c.Created {
				f.Files[0].Data = c.Data
				if c, err := RemoveWorkloadCluster(f, "fz"); err != nil || string(c.Data) != src {
					t.Fatalf("add then remove of %q gave %q (%v)", src, c.Data, err)
				}
			}
		}
		// Likewise a node after the nodes of its cluster (declared once).
		if parses && strings.HasSuffix(src, "\n") && strings.Count(src, "ha_cluster") == 1 {
			f := folder("x.hcl", src)
			_, nodes := Names(f)
			hasNodes := slices.ContainsFunc(nodes, func(n string) bool { return strings.HasPrefix(n, "blue/") })
			if c, err := AddNode(f, Node{Cluster: "blue", Name: "fz", Address: "10.0.0.9"}); err == nil && hasNodes {
				f.Files[0].Data = c.Data
				if c, err := RemoveNode(f, "blue", "fz"); err != nil || string(c.Data) != src {
					t.Fatalf("add then remove of %q gave %q (%v)", src, c.Data, err)
				}
			}
		}
		for _, edit := range edits {
			c, err := edit(folder("x.hcl", src))
			if err != nil {
				continue
			}
			if _, diags := hclsyntax.ParseConfig(c.Data, "x.hcl", hcl.InitialPos); parses && diags.HasErrors() {
				t.Fatalf("the edit of a valid file does not parse:\n%s\n---\n%s", src, c.Data)
			}
		}
	})
}
