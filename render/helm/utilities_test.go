package helm

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
)

// TestUtilitiesAreEachClusterEncodedAlone: the per-cluster utilities files,
// encoded once with idMark and the ID put in its place, are byte for byte
// what encoding each cluster's values gives, for the example clusters and
// for IDs YAML would quote as a scalar of their own (numbers, booleans,
// null); and when an inventory value holds the mark, each file is still
// right (encoded alone).
func TestUtilitiesAreEachClusterEncodedAlone(t *testing.T) {
	var env *inventory.Environment
	for _, e := range rendertest.LoadInventory(t, rendertest.Examples()).Environments {
		if e.Name == "prod" {
			env = e
		}
	}
	es := env.EnabledApp("elasticsearch")
	if env.Provisioner == nil || es == nil || len(env.WorkloadClusters) == 0 {
		t.Fatal("the prod example has no utilities to render: the test proves nothing")
	}
	ids := []string{"0", "123", "1e3", "0x1f", "true", "no", "null", "y", "a-b", strings.Repeat("a", 63)}
	for _, id := range ids {
		env.WorkloadClusters = append(env.WorkloadClusters, &inventory.WorkloadCluster{ID: id})
	}
	check := func(what string) {
		t.Helper()
		files := utilities(env)
		if len(files) != len(env.WorkloadClusters)+1 {
			t.Fatalf("%s: %d utilities files for %d clusters", what, len(files), len(env.WorkloadClusters))
		}
		for i, wc := range env.WorkloadClusters {
			f := files[i+1]
			want := mustYAML(env.Name, f.rel, workloadFluentBitValues(env, es, wc.ID))
			if !bytes.Equal(f.data, want) {
				t.Errorf("%s: %s:\n%s\nwant, encoded alone:\n%s", what, f.rel, f.data, want)
			}
			if !bytes.Contains(f.data, []byte("Add cluster_id "+wc.ID+"\n")) {
				t.Errorf("%s: %s does not name cluster %s", what, f.rel, wc.ID)
			}
		}
	}
	check("example")
	env.DNS.PrivateDomain = idMark + "." + env.DNS.PrivateDomain // the host name holds the mark
	check("mark in the host name")
}
