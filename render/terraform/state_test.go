package terraform

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// wantRemoteStates is how many remote states a layer of env reads: layer 2
// reads layer 1's to reach the cluster, layer 3 only when it has records
// to point at the cluster's load balancers.
func wantRemoteStates(env *inventory.Environment, layer string) int {
	private, public := hostRecords(env)
	if layer == layout.LayerPost || layer == layout.LayerRoute53 && len(private)+len(public) > 0 {
		return 1
	}
	return 0
}

// TestTerraformNoUnusedRemoteState: every terraform_remote_state a layer
// declares is read by some expression of the layer, and every provider
// in required_providers is configured or used; sandbox's layer 3, which
// has no record, reads no remote state and has no Kubernetes provider.
func TestTerraformNoUnusedRemoteState(t *testing.T) {
	declared := regexp.MustCompile(`(?m)^data "terraform_remote_state" "([a-z_]+)"`)
	for _, dir := range tfInventories {
		inv, files := renderTerraform(t, dir)
		text := map[string]string{}
		for _, f := range files {
			text[layerDirOf(f)] += string(f.Data)
		}
		for _, env := range inv.Environments {
			for _, layer := range layout.Layers {
				all := text[layerDir(env.Name, layer)]
				for _, m := range declared.FindAllStringSubmatch(all, -1) {
					if !strings.Contains(all, "data.terraform_remote_state."+m[1]+".") {
						t.Errorf("%s %s: remote state %q is declared but never read", env.Name, layer, m[1])
					}
				}
				if strings.Contains(all, "kubernetes = {\n      source") && !strings.Contains(all, `provider "kubernetes"`) {
					t.Errorf("%s %s: requires the kubernetes provider but never configures it", env.Name, layer)
				}
			}
		}
	}
	env := rendertest.LoadInventory(t, rendertest.Examples()).Environments
	for _, e := range env {
		if e.Name != "sandbox" {
			continue
		}
		fs, _ := Render(e)
		for _, f := range fs {
			if layerDirOf(f) == layerDir("sandbox", layout.LayerRoute53) &&
				(strings.Contains(string(f.Data), "terraform_remote_state") || strings.Contains(string(f.Data), "kubernetes")) {
				t.Errorf("sandbox's %s reads the cluster though it has no record:\n%s", f.Path, f.Data)
			}
		}
		return
	}
	t.Fatal("no sandbox example")
}

func layerDirOf(f layout.File) string {
	return f.Path[:strings.LastIndex(f.Path, "/")]
}

// TestTerraformLocking: every backend and every remote state read locks
// with S3's lock file and names no DynamoDB table; an environment still
// moving off a lock_table (deprecated) names it in its backends only.
func TestTerraformLocking(t *testing.T) {
	check := func(inv *inventory.Inventory, files []layout.File, migrating bool) {
		layers := layerBodies(t, files)
		for _, env := range inv.Environments {
			for _, layer := range layout.Layers {
				bodies := layers[layerDir(env.Name, layer)]
				be := backendOf(t, bodies)
				if !be.GetAttr("use_lockfile").RawEquals(cty.True) {
					t.Errorf("%s %s: backend without use_lockfile = true", env.Name, layer)
				}
				table := be.Type().HasAttribute("dynamodb_table")
				if table != migrating || migrating && !be.GetAttr("dynamodb_table").RawEquals(cty.StringVal(env.Terraform.LockTable)) {
					t.Errorf("%s %s: backend names a DynamoDB table: %v, want %v", env.Name, layer, table, migrating)
				}
				for _, r := range blocksOf(bodies, "data", "terraform_remote_state") {
					cfg := withRole(t, r.Body, "config", cty.StringVal(env.Terraform.RoleARN))
					if !cfg.GetAttr("use_lockfile").RawEquals(cty.True) || cfg.Type().HasAttribute("dynamodb_table") {
						t.Errorf("%s %s: remote state config %#v: want use_lockfile = true and no dynamodb_table", env.Name, layer, cfg)
					}
				}
			}
		}
	}
	for _, dir := range tfInventories {
		inv, files := renderTerraform(t, dir)
		check(inv, files, false)
	}
	inv := rendertest.LoadInventory(t, rendertest.Examples())
	var files []layout.File
	for _, env := range inv.Environments {
		env.Terraform.LockTable = "terraform-locks"
		fs, _ := Render(env)
		files = append(files, fs...)
	}
	check(inv, files, true)
}

// TestTerraformPins: alpha pins its node group's AMI release and its
// add-ons, which land in layer 1; beta pins nothing, and its node group
// and add-ons carry no version (EKS's choice at creation).
func TestTerraformPins(t *testing.T) {
	inv, files := renderTerraform(t, tfMulti)
	layers := layerBodies(t, files)
	for _, env := range inv.Environments {
		bodies := layers[layerDir(env.Name, layout.LayerCluster)]
		ng := blocksOf(bodies, "resource", "aws_eks_node_group", "default")
		if len(ng) != 1 {
			t.Fatalf("%s: %d node groups", env.Name, len(ng))
		}
		got, ok := optionalString(t, ng[0].Body, "release_version")
		if want := env.Cluster.NodeReleaseVersion; ok != (want != "") || got != want {
			t.Errorf("%s: node group release_version %q (%v), want %q", env.Name, got, ok, want)
		}
		addons := blocksOf(bodies, "resource", "aws_eks_addon")
		if len(addons) != len(inventory.ManagedAddons) {
			t.Errorf("%s: %d add-ons, want %d", env.Name, len(addons), len(inventory.ManagedAddons))
		}
		for _, a := range addons {
			name := attrValue(t, a.Body, "addon_name").AsString()
			got, ok := optionalString(t, a.Body, "addon_version")
			want, pinned := env.Cluster.AddonVersions[name]
			if ok != pinned || got != want {
				t.Errorf("%s: add-on %s version %q (%v), want %q (%v)", env.Name, name, got, ok, want, pinned)
			}
		}
	}
	if a := inv.Environments[0]; a.Name != "alpha" || a.Cluster.NodeReleaseVersion == "" || len(a.Cluster.AddonVersions) == 0 {
		t.Errorf("alpha should pin its node release and add-ons")
	}
}

func optionalString(t *testing.T, b *hclsyntax.Body, name string) (string, bool) {
	t.Helper()
	if _, ok := b.Attributes[name]; !ok {
		return "", false
	}
	return attrValue(t, b, name).AsString(), true
}
