package synthfleet_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/internal/synthfleet"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render"
)

// odd is a small shape whose counts differ from each other and from every
// default, so a count taken from the wrong field fails.
var odd = synthfleet.Shape{Environments: 3, WorkloadClusters: 7, HAClusters: 5, MinNodes: 2, MaxNodes: 4}

// TestLoadsCleanAndRenders: a synthetic fleet is a valid inventory of
// exactly its shape (no error and no warning), and it renders.
func TestLoadsCleanAndRenders(t *testing.T) {
	dir := t.TempDir()
	if err := synthfleet.Write(dir, odd); err != nil {
		t.Fatal(err)
	}
	inv, _, diags := inventory.Load(filepath.Join(dir, "environments"))
	if len(diags) > 0 {
		t.Fatalf("diagnostics on a synthetic fleet:\n%s", diags.Error())
	}
	if got := len(inv.Environments); got != odd.Environments {
		t.Fatalf("%d environments, want %d", got, odd.Environments)
	}
	wantNodes := []int{2, 3, 4, 2, 3} // sizes cycle from MinNodes to MaxNodes
	for _, env := range inv.Environments {
		if got := len(env.WorkloadClusters); got != odd.WorkloadClusters {
			t.Errorf("%s: %d workload clusters, want %d", env.Name, got, odd.WorkloadClusters)
		}
		if got := len(env.HAClusters); got != odd.HAClusters {
			t.Fatalf("%s: %d HA clusters, want %d", env.Name, got, odd.HAClusters)
		}
		for i, c := range env.HAClusters {
			if got := len(c.Nodes); got != wantNodes[i] || got != odd.Nodes(i) {
				t.Errorf("%s/%s: %d nodes, want %d", env.Name, c.Name, got, wantNodes[i])
			}
		}
	}
	out, rdiags := render.Render(inv, render.Options{})
	if len(rdiags) > 0 {
		t.Fatal(rdiags)
	}
	perEnv := map[string]int{}
	for _, f := range out {
		perEnv[strings.SplitN(f.Path, "/", 2)[0]]++
	}
	for _, env := range inv.Environments {
		if perEnv[env.Name] == 0 {
			t.Errorf("environment %s rendered no file", env.Name)
		}
	}
	if err := render.BuildKustomizations(out); err != nil {
		t.Fatal(err)
	}
}

// TestDeterministic: two writes of one shape are the same bytes, file for
// file, so timings and renders of a shape compare run after run.
func TestDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := synthfleet.Write(dir, odd); err != nil {
			t.Fatal(err)
		}
	}
	ta, tb := tree(t, a), tree(t, b)
	if len(ta) != odd.Environments*3 {
		t.Fatalf("%d files, want 3 per environment: %v", len(ta), ta)
	}
	for p, data := range ta {
		if !bytes.Equal(data, tb[p]) {
			t.Errorf("%s differs between two writes", p)
		}
	}
	if len(tb) != len(ta) {
		t.Errorf("%d files, then %d", len(ta), len(tb))
	}
}

func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestWriteRefuses: Write never mixes two fleets and rejects shapes it
// cannot write, before writing anything.
func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := synthfleet.Write(dir, synthfleet.Small); err != nil {
		t.Fatal(err)
	}
	err := synthfleet.Write(dir, synthfleet.Small)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second Write into one directory: %v, want an already-exists error", err)
	}
	for _, s := range []synthfleet.Shape{
		{Environments: 0, WorkloadClusters: 1, HAClusters: 1, MinNodes: 3, MaxNodes: 3},
		{Environments: 1, WorkloadClusters: -1, HAClusters: 1, MinNodes: 3, MaxNodes: 3},
		{Environments: 1, WorkloadClusters: 1, HAClusters: -1, MinNodes: 3, MaxNodes: 3},
		{Environments: 1, WorkloadClusters: 1, HAClusters: 1, MinNodes: 1, MaxNodes: 3},
		{Environments: 1, WorkloadClusters: 1, HAClusters: 1, MinNodes: 5, MaxNodes: 4},
		{Environments: 1, WorkloadClusters: 1, HAClusters: 251, MinNodes: 3, MaxNodes: 3},
		{Environments: 1, WorkloadClusters: 1, HAClusters: 1, MinNodes: 3, MaxNodes: 251},
	} {
		empty := t.TempDir()
		if err := synthfleet.Write(empty, s); err == nil {
			t.Errorf("Write(%+v) succeeded, want an error", s)
		}
		if entries, _ := os.ReadDir(empty); len(entries) > 0 {
			t.Errorf("Write(%+v) failed but left %d entries", s, len(entries))
		}
	}
}

// TestShapes: the reference fleet is the issue's, in the README's words,
// and each smaller fleet of a pair has half the environments of the larger.
func TestShapes(t *testing.T) {
	want := "10 environments × (500 workload clusters, 20 HA clusters of 3–15 nodes: 159 nodes)" // 3+…+15, then 3+…+9
	if got := synthfleet.Reference.String(); got != want {
		t.Errorf("Reference.String() = %q, want %q", got, want)
	}
	for full, half := range map[string]string{"double": "reference", "small": "small-half"} {
		f, err := synthfleet.Named(full)
		if err != nil {
			t.Fatal(err)
		}
		h, err := synthfleet.Named(half)
		if err != nil {
			t.Fatal(err)
		}
		if 2*h.Environments != f.Environments || h.WorkloadClusters != f.WorkloadClusters || h.HAClusters != f.HAClusters {
			t.Errorf("%s %v is not half of %s %v", half, h, full, f)
		}
	}
	if _, err := synthfleet.Named("huge"); err == nil || !strings.Contains(err.Error(), "reference") {
		t.Errorf("Named(huge): %v, want an error listing the names", err)
	}
	t.Setenv(synthfleet.BenchShapeVar, "")
	if name, s, err := synthfleet.BenchShape(); err != nil || name != "small" || s != synthfleet.Small {
		t.Errorf("BenchShape() unset = %q, %v, %v; want small", name, s, err)
	}
	t.Setenv(synthfleet.BenchShapeVar, "double")
	if name, s, err := synthfleet.BenchShape(); err != nil || name != "double" || s.Environments != 20 {
		t.Errorf("BenchShape() double = %q, %v, %v", name, s, err)
	}
}
