package terraform

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/mattermost/fleetgen/internal/golden"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/cluster"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// tfMulti is three environments made to stress the Terraform renderer: two
// share a state bucket, one has a public API endpoint, one a public app,
// one no host at all; alpha's role ARN and Git revision contain "${" and
// "%{".
const tfMulti = "testdata/multi"

// tfInventories are every inventory the Terraform tests render.
var tfInventories = []string{rendertest.Examples(), tfMulti}

// renderTerraform renders the Terraform layers of every environment of an
// inventory folder.
func renderTerraform(t *testing.T, dir string) (*inventory.Inventory, []layout.File) {
	t.Helper()
	inv := rendertest.LoadInventory(t, dir)
	var files []layout.File
	for _, env := range inv.Environments {
		fs, diags := Render(env)
		if len(diags) > 0 {
			t.Fatalf("Render(%s): %s", env.Name, diags.Error())
		}
		files = append(files, fs...)
	}
	if len(files) == 0 {
		t.Fatalf("%s rendered no Terraform files", dir)
	}
	return inv, files
}

// parseTF parses a rendered file; any diagnostic, warnings included, fails.
func parseTF(t *testing.T, f layout.File) *hclsyntax.Body {
	t.Helper()
	file, diags := hclparse.NewParser().ParseHCL(f.Data, f.Path)
	if len(diags) > 0 {
		t.Fatalf("%s does not reparse: %s", f.Path, diags.Error())
	}
	return file.Body.(*hclsyntax.Body)
}

// layerDir is the folder of one layer of env.
func layerDir(env, layer string) string { return path.Dir(layout.TerraformFile(env, layer, "main.tf")) }

// layerBodies parses each layer of each environment into one list of
// bodies, by layerDir.
func layerBodies(t *testing.T, files []layout.File) map[string][]*hclsyntax.Body {
	t.Helper()
	layers := map[string][]*hclsyntax.Body{}
	for _, f := range files {
		if path.Ext(f.Path) != ".tf" {
			continue // plan.tfvars, plan.tfbackend: read by planFilesOf
		}
		dir := path.Dir(f.Path) // layerDir
		layers[dir] = append(layers[dir], parseTF(t, f))
	}
	return layers
}

// planFilesOf is the attributes of a layer's plan.tfvars and
// plan.tfbackend, as literals, by file name; files that are not there are
// missing from the map.
func planFilesOf(t *testing.T, files []layout.File, dir string) map[string]map[string]cty.Value {
	t.Helper()
	out := map[string]map[string]cty.Value{}
	for _, f := range files {
		name := path.Base(f.Path)
		if path.Dir(f.Path) != dir || (name != PlanVarFile && name != PlanBackendFile) {
			continue
		}
		attrs := map[string]cty.Value{}
		for n, a := range parseTF(t, f).Attributes {
			attrs[n] = literal(t, a.Expr)
		}
		out[name] = attrs
	}
	return out
}

func blocksOf(bodies []*hclsyntax.Body, typ string, labels ...string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range bodies {
		for _, blk := range b.Blocks {
			if blk.Type == typ && slices.Equal(blk.Labels[:min(len(labels), len(blk.Labels))], labels) {
				out = append(out, blk)
			}
		}
	}
	return out
}

// literal evaluates an expression without any variables or functions: it
// fails for anything that is not a literal, interpolations included.
func literal(t *testing.T, e hclsyntax.Expression) cty.Value {
	t.Helper()
	v, diags := e.Value(nil)
	if diags.HasErrors() {
		t.Fatalf("%s: not a literal: %s", e.Range(), diags.Error())
	}
	return v
}

func attrValue(t *testing.T, b *hclsyntax.Body, name string) cty.Value {
	t.Helper()
	a, ok := b.Attributes[name]
	if !ok {
		t.Fatalf("%s: no attribute %s", b.SrcRange, name)
	}
	return literal(t, a.Expr)
}

// withRole evaluates an attribute with var.role_arn set to role, and
// nothing else: it fails for any other reference or function.
func withRole(t *testing.T, b *hclsyntax.Body, name string, role cty.Value) cty.Value {
	t.Helper()
	a, ok := b.Attributes[name]
	if !ok {
		t.Fatalf("%s: no attribute %s", b.SrcRange, name)
	}
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{roleVar: role})}}
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", a.Expr.Range(), diags.Error())
	}
	return v
}

func TestTerraformGolden(t *testing.T) {
	_, files := renderTerraform(t, tfMulti)
	for _, f := range files {
		golden.Assert(t, path.Join("testdata/golden", f.Path), f.Data)
	}
}

// TestTerraformLayout checks every environment gets the three layers with
// the same files, each a 0644 .tf file.
func TestTerraformLayout(t *testing.T) {
	for _, dir := range tfInventories {
		inv, files := renderTerraform(t, dir)
		var got []string
		for _, f := range files {
			got = append(got, f.Path)
			if f.Mode != layout.ModeFile {
				t.Errorf("%s: mode %v", f.Path, f.Mode)
			}
		}
		for _, env := range inv.Environments {
			for _, layer := range layout.Layers {
				for _, name := range []string{"terraform.tf", "providers.tf", "main.tf"} {
					p := layout.TerraformFile(env.Name, layer, name)
					if !slices.Contains(got, p) {
						t.Errorf("%s: missing %s", dir, p)
					}
				}
			}
		}
	}
}

// TestTerraformReparseAndFormat checks every rendered file parses without
// any diagnostic, is left unchanged by hclwrite.Format, and starts with the
// generated-by header.
func TestTerraformReparseAndFormat(t *testing.T) {
	for _, dir := range tfInventories {
		_, files := renderTerraform(t, dir)
		for _, f := range files {
			parseTF(t, f)
			if got := hclwrite.Format(f.Data); !bytes.Equal(got, f.Data) {
				t.Errorf("%s is not formatted: hclwrite.Format changes it to\n%s", f.Path, got)
			}
			rendertest.CheckFileGuarantees(t, f)
		}
	}
}

// credentialAttrs are attribute names that would put a credential, or a
// file holding one, into a configuration. "token" is allowed only as the
// EKS auth data source's short-lived token.
var credentialAttrs = []string{
	"access_key", "secret_key", "token", "session_token", "profile",
	"shared_credentials_file", "shared_credentials_files", "shared_config_files",
	"config_path", "config_paths", "config_context", "client_certificate", "client_key",
	"password", "username",
}

// TestTerraformNoCredentials walks every attribute, nested blocks and object
// keys included, for credential attributes.
func TestTerraformNoCredentials(t *testing.T) {
	for _, dir := range tfInventories {
		_, files := renderTerraform(t, dir)
		tokens := 0
		for _, f := range files {
			tokens += checkNoCredentials(t, f.Path, parseTF(t, f))
			if bytes.Contains(f.Data, []byte("AKIA")) || bytes.Contains(f.Data, []byte("kubeconfig")) {
				t.Errorf("%s mentions an access key or a kubeconfig", f.Path)
			}
		}
		if tokens == 0 {
			t.Errorf("%s: no EKS token found: the walk does not see provider attributes", dir)
		}
	}
}

// checkNoCredentials reports credential attributes in a body and returns
// how many EKS tokens it saw.
func checkNoCredentials(t *testing.T, file string, body *hclsyntax.Body) int {
	tokens := 0
	var walkExpr func(name string, e hclsyntax.Expression)
	check := func(name string, e hclsyntax.Expression) {
		if !slices.Contains(credentialAttrs, name) {
			walkExpr(name, e)
			return
		}
		if name == "token" && isEKSToken(e) {
			tokens++
			return
		}
		t.Errorf("%s:%d: credential attribute %q", file, e.Range().Start.Line, name)
	}
	walkExpr = func(_ string, e hclsyntax.Expression) {
		obj, ok := e.(*hclsyntax.ObjectConsExpr)
		if !ok {
			return
		}
		for _, item := range obj.Items {
			key, diags := item.KeyExpr.Value(nil)
			if diags.HasErrors() || key.Type() != cty.String {
				t.Errorf("%s: object key at %s is not a literal", file, item.KeyExpr.Range())
				continue
			}
			check(key.AsString(), item.ValueExpr)
		}
	}
	var walkBody func(b *hclsyntax.Body)
	walkBody = func(b *hclsyntax.Body) {
		for name, a := range b.Attributes {
			check(name, a.Expr)
		}
		for _, blk := range b.Blocks {
			walkBody(blk.Body)
		}
	}
	walkBody(body)
	return tokens
}

func isEKSToken(e hclsyntax.Expression) bool {
	st, ok := e.(*hclsyntax.ScopeTraversalExpr)
	if !ok {
		return false
	}
	return traversalString(st.Traversal) == "data.aws_eks_cluster_auth.this.token"
}

func traversalString(tr hcl.Traversal) string {
	return strings.TrimSpace(string(hclwrite.TokensForTraversal(tr).Bytes()))
}

// TestTerraformAssumeRole checks which role every layer assumes. Applied
// as rendered, the aws provider, the s3 backend and remote state reads
// assume the environment's role_arn (var.role_arn defaults to it). With a
// plan_role_arn, plan.tfvars sets var.role_arn to it and plan.tfbackend
// makes the backend assume it, so a plan with both uses that role
// everywhere; without one the layer has no plan files.
func TestTerraformAssumeRole(t *testing.T) {
	planned := 0
	for _, dir := range tfInventories {
		inv, files := renderTerraform(t, dir)
		layers := layerBodies(t, files)
		for _, env := range inv.Environments {
			for _, layer := range layout.Layers {
				bodies := layers[layerDir(env.Name, layer)]
				deployer := cty.StringVal(env.Terraform.RoleARN)
				where := env.Name + " " + layer

				vars := blocksOf(bodies, "variable", roleVar)
				if len(vars) != 1 || !attrValue(t, vars[0].Body, "default").RawEquals(deployer) {
					t.Fatalf("%s: no variable %q defaulting to %s", where, roleVar, deployer.AsString())
				}
				plan := planFilesOf(t, files, layerDir(env.Name, layer))
				var planRole cty.Value
				switch {
				case env.Terraform.PlanRoleARN == "" && len(plan) > 0:
					t.Errorf("%s: plan files without a plan_role_arn", where)
				case env.Terraform.PlanRoleARN == "":
				case len(plan) != 2:
					t.Fatalf("%s: plan files %v, want %s and %s", where, plan, PlanVarFile, PlanBackendFile)
				default:
					planned++
					planRole = cty.StringVal(env.Terraform.PlanRoleARN)
					if got := plan[PlanVarFile]; len(got) != 1 || !got[roleVar].RawEquals(planRole) {
						t.Errorf("%s: %s is %#v, want only %s = %s", where, PlanVarFile, got, roleVar, planRole.AsString())
					}
					got := plan[PlanBackendFile]
					if len(got) != 1 || !got["assume_role"].GetAttr("role_arn").RawEquals(planRole) {
						t.Errorf("%s: %s is %#v, want only assume_role of %s", where, PlanBackendFile, got, planRole.AsString())
					}
				}

				if got := backendOf(t, bodies); !got.GetAttr("assume_role").GetAttr("role_arn").RawEquals(deployer) {
					t.Errorf("%s: backend assumes %#v", where, got.GetAttr("assume_role"))
				}
				for _, role := range []cty.Value{deployer, planRole} {
					if role == cty.NilVal {
						continue
					}
					providers := blocksOf(bodies, "provider", "aws")
					if len(providers) != 1 {
						t.Fatalf("%s: %d aws providers", where, len(providers))
					}
					ar := blocksOf([]*hclsyntax.Body{providers[0].Body}, "assume_role")
					if len(ar) != 1 || !withRole(t, ar[0].Body, "role_arn", role).RawEquals(role) {
						t.Errorf("%s: provider aws does not assume %s", where, role.AsString())
					}
					remote := blocksOf(bodies, "data", "terraform_remote_state")
					if want := wantRemoteStates(env, layer); len(remote) != want {
						t.Fatalf("%s: %d remote states, want %d", where, len(remote), want)
					}
					for _, r := range remote {
						cfg := withRole(t, r.Body, "config", role)
						if !cfg.GetAttr("assume_role").GetAttr("role_arn").RawEquals(role) {
							t.Errorf("%s: remote state assumes %#v", where, cfg.GetAttr("assume_role"))
						}
					}
				}
			}
		}
	}
	if planned == 0 {
		t.Error("no test inventory has a plan_role_arn")
	}
}

// backendOf is the s3 backend's settings of a layer as an object.
func backendOf(t *testing.T, bodies []*hclsyntax.Body) cty.Value {
	t.Helper()
	tb := blocksOf(bodies, "terraform")
	if len(tb) != 1 {
		t.Fatalf("%d terraform blocks", len(tb))
	}
	be := blocksOf([]*hclsyntax.Body{tb[0].Body}, "backend", "s3")
	if len(be) != 1 {
		t.Fatalf("%d s3 backends", len(be))
	}
	attrs := map[string]cty.Value{}
	for name, a := range be[0].Body.Attributes {
		attrs[name] = literal(t, a.Expr)
	}
	if len(be[0].Body.Blocks) > 0 {
		t.Errorf("backend has nested blocks; the s3 backend takes assume_role as an attribute")
	}
	return cty.ObjectVal(attrs)
}

// TestTerraformStateKeys checks that no two layers of any environment of
// all test inventories (two of which share a bucket) write one state
// object, and that layers 2 and 3 read layer 1's state with exactly the
// settings layer 1 writes it with.
func TestTerraformStateKeys(t *testing.T) {
	seen := map[string]string{}
	for _, dir := range tfInventories {
		inv, files := renderTerraform(t, dir)
		layers := layerBodies(t, files)
		for _, env := range inv.Environments {
			clusterBackend := backendOf(t, layers[layerDir(env.Name, layout.LayerCluster)])
			for _, layer := range layout.Layers {
				bodies := layers[layerDir(env.Name, layer)]
				be := backendOf(t, bodies)
				object := be.GetAttr("bucket").AsString() + "/" + be.GetAttr("key").AsString()
				where := fmt.Sprintf("%s %s %s", dir, env.Name, layer)
				if prev, ok := seen[object]; ok {
					t.Errorf("%s and %s share the state object s3://%s", prev, where, object)
				}
				seen[object] = where
				if !be.GetAttr("encrypt").RawEquals(cty.True) {
					t.Errorf("%s: state not encrypted", where)
				}
				for _, r := range blocksOf(bodies, "data", "terraform_remote_state") {
					if cfg := withRole(t, r.Body, "config", cty.StringVal(env.Terraform.RoleARN)); !cfg.RawEquals(clusterBackend) {
						t.Errorf("%s: remote state config\n%#v\ndiffers from 1-cluster's backend\n%#v", where, cfg, clusterBackend)
					}
				}
			}
		}
	}
	if want := 3 * (3 + 3); len(seen) != want {
		t.Errorf("%d state objects, want %d", len(seen), want)
	}
}

// TestTerraformEscaping renders alpha, whose role ARNs and Git revision hold
// "${" and "%{": the files must spell them "$${" and "%%{", and each value
// must read back, as a literal, exactly as the inventory has it.
func TestTerraformEscaping(t *testing.T) {
	inv, files := renderTerraform(t, tfMulti)
	alpha := inv.Environments[0]
	role, revision := alpha.Terraform.RoleARN, alpha.GitOps.Revision
	if !strings.Contains(role, "${") || !strings.Contains(role, "%{") || !strings.Contains(revision, "${") || !strings.Contains(revision, "%{") {
		t.Fatalf("fixture lost its template sequences: %q, %q", role, revision)
	}
	layers := layerBodies(t, files)
	for _, f := range files {
		want := `role/$${deploy}/%%{endif}/fleet-deployer"`
		if name := path.Base(f.Path); name == PlanVarFile || name == PlanBackendFile {
			want = `role/$${plan}/fleet-plan"` // its value is checked by TestTerraformAssumeRole
		}
		if strings.HasPrefix(f.Path, "alpha/") && bytes.Contains(f.Data, []byte("role/")) && !bytes.Contains(f.Data, []byte(want)) {
			t.Errorf("%s: role ARN not escaped as $${ and %%%%{", f.Path)
		}
	}
	for _, layer := range layout.Layers {
		bodies := layers[layerDir("alpha", layer)]
		if got := backendOf(t, bodies).GetAttr("assume_role").GetAttr("role_arn"); got.AsString() != role {
			t.Errorf("%s: backend role reads back as %q, want %q", layer, got.AsString(), role)
		}
	}
	main := layers[layerDir("alpha", layout.LayerCluster)]
	entry := blocksOf(main, "resource", "aws_eks_access_entry", "deployer")
	if len(entry) != 1 || attrValue(t, entry[0].Body, "principal_arn").AsString() != role {
		t.Errorf("access entry principal does not read back as %q", role)
	}

	post := layers[layerDir("alpha", layout.LayerPost)]
	root := blocksOf(post, "resource", "helm_release", "root_application")
	if len(root) != 1 {
		t.Fatal("no root_application release")
	}
	values := root[0].Body.Attributes["values"].Expr.(*hclsyntax.TupleConsExpr).Exprs[0].(*hclsyntax.FunctionCallExpr)
	app := literal(t, values.Args[0]).GetAttr("applications").GetAttr(cluster.RootApplication)
	if got := app.GetAttr("source").GetAttr("targetRevision").AsString(); got != revision {
		t.Errorf("root Application revision reads back as %q, want %q", got, revision)
	}
}

// TestTerraformAPIEndpoint checks the private endpoint is always on and the
// public one only with api_access = "public_and_private", limited to
// api_allowed_cidrs.
func TestTerraformAPIEndpoint(t *testing.T) {
	for _, dir := range tfInventories {
		inv, files := renderTerraform(t, dir)
		layers := layerBodies(t, files)
		for _, env := range inv.Environments {
			cluster := blocksOf(layers[layerDir(env.Name, layout.LayerCluster)], "resource", "aws_eks_cluster", "this")
			if len(cluster) != 1 {
				t.Fatalf("%s: %d clusters", env.Name, len(cluster))
			}
			vpc := blocksOf([]*hclsyntax.Body{cluster[0].Body}, "vpc_config")[0].Body
			public := env.Network.APIAccess == inventory.APIPublicAndPrivate
			if !attrValue(t, vpc, "endpoint_private_access").True() {
				t.Errorf("%s: private endpoint off", env.Name)
			}
			if attrValue(t, vpc, "endpoint_public_access").True() != public {
				t.Errorf("%s: public endpoint %v with api_access %q", env.Name, !public, env.Network.APIAccess)
			}
			cidrs, ok := vpc.Attributes["public_access_cidrs"]
			switch {
			case public && (!ok || !slices.Equal(stringsOf(literal(t, cidrs.Expr)), env.Network.APIAllowedCIDRs)):
				t.Errorf("%s: public_access_cidrs is not api_allowed_cidrs", env.Name)
			case !public && ok:
				t.Errorf("%s: public_access_cidrs set on a private endpoint", env.Name)
			}
		}
	}
	// The fixture must cover both cases for this test to mean anything.
	inv := rendertest.LoadInventory(t, tfMulti)
	if inv.Environments[0].Network.APIAccess != inventory.APIPublicAndPrivate || inv.Environments[1].Network.APIAccess != inventory.APIPrivate {
		t.Fatal("fixture no longer has one public and one private endpoint")
	}
}

// TestTerraformRecords checks layer 3 registers exactly the enabled apps
// with a host, each in the zone of its visibility, pointing at the ingress
// of that visibility.
func TestTerraformRecords(t *testing.T) {
	inv, files := renderTerraform(t, tfMulti)
	layers := layerBodies(t, files)
	want := map[string]map[string]map[string]string{ // env -> zone resource -> app -> fqdn
		"alpha": {"private": {"grafana": "dashboards.internal.alpha.example.com"}},
		"beta":  {"public": {"kibana": "logs.beta.example.com"}},
		"gamma": {},
	}
	services := map[string]string{
		"alpha/private": "network/ingress-internal-controller",
		"beta/public":   "network/public-ingress-nginx-nginx-ingress-controller",
	}
	for _, env := range inv.Environments {
		bodies := layers[layerDir(env.Name, layout.LayerRoute53)]
		records := blocksOf(bodies, "resource", "aws_route53_record")
		if len(records) != len(want[env.Name]) {
			t.Errorf("%s: %d record resources, want %d", env.Name, len(records), len(want[env.Name]))
		}
		for _, r := range records {
			zone := r.Labels[1]
			got := map[string]string{}
			for k, v := range attrValue(t, r.Body, "for_each").AsValueMap() {
				got[k] = v.AsString()
			}
			if fmt.Sprint(got) != fmt.Sprint(want[env.Name][zone]) {
				t.Errorf("%s %s records: %v, want %v", env.Name, zone, got, want[env.Name][zone])
			}
			zoneID := env.DNS.PrivateZoneID
			if zone == "public" {
				zoneID = env.DNS.PublicZoneID
			}
			if attrValue(t, r.Body, "zone_id").AsString() != zoneID {
				t.Errorf("%s %s: wrong zone", env.Name, zone)
			}
			target := traversalString(r.Body.Attributes["records"].Expr.(*hclsyntax.TupleConsExpr).Exprs[0].(*hclsyntax.ScopeTraversalExpr).Traversal)
			if !strings.HasPrefix(target, "data.kubernetes_service_v1."+zone+"_ingress.") {
				t.Errorf("%s %s: records point at %s", env.Name, zone, target)
			}
			svc := blocksOf(bodies, "data", "kubernetes_service_v1", zone+"_ingress")
			if len(svc) != 1 {
				t.Fatalf("%s: no %s ingress service", env.Name, zone)
			}
			md := svc[0].Body.Blocks[0].Body
			if got := attrValue(t, md, "namespace").AsString() + "/" + attrValue(t, md, "name").AsString(); got != services[env.Name+"/"+zone] {
				t.Errorf("%s %s: ingress service %s, want %s", env.Name, zone, got, services[env.Name+"/"+zone])
			}
		}
	}
}

// TestTerraformHostWithoutIngress: an app with a host but no ingress to
// point it at is a user mistake validation reports (inventory fixture
// ingress-controller-not-enabled); past validation it is our bug, so the
// renderer panics, naming both, instead of writing a record to nowhere.
func TestTerraformHostWithoutIngress(t *testing.T) {
	inv := rendertest.LoadInventory(t, tfMulti)
	alpha := inv.Environments[0]
	for _, a := range alpha.Apps {
		if a.Name == internalIngressApp {
			a.Enabled = false
		}
	}
	rendertest.WantPanic(t, func() { Render(alpha) }, "grafana", `"nginx-internal"`)
}

// TestTerraformNamespaces: Argo CD's namespace and each enabled app's, once.
func TestTerraformNamespaces(t *testing.T) {
	inv := rendertest.LoadInventory(t, tfMulti)
	for i, want := range [][]string{
		{"gitops", "network"},                              // grafana moved into Argo CD's namespace; prometheus disabled
		{"argocd", "elastic-system", "logging", "network"}, // kibana and elasticsearch share one; the ECK operator has its own
		{"argocd"}, // no apps
	} {
		if got := namespaces(inv.Environments[i]); !slices.Equal(got, want) {
			t.Errorf("%s: namespaces %v, want %v", inv.Environments[i].Name, got, want)
		}
	}
}

func TestIngressServiceName(t *testing.T) {
	obj := func(kv ...any) cty.Value {
		m := map[string]cty.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1].(cty.Value)
		}
		return cty.ObjectVal(m)
	}
	long := strings.Repeat("a", 70)
	for _, c := range []struct {
		chart   string
		release string
		values  cty.Value
		want    string
	}{
		{"nginx-ingress", "mattermost-cm-nginx-internal", cty.NilVal, "mattermost-cm-nginx-internal-nginx-ingress-controller"},
		{"nginx-ingress", "edge-nginx-ingress", cty.NilVal, "edge-nginx-ingress-controller"},
		{"nginx-ingress", "x", obj("serviceNameOverride", cty.StringVal("edge-lb")), "edge-lb"},
		{"ingress-nginx", "x", obj("serviceNameOverride", cty.StringVal("edge-lb")), "x-ingress-nginx-controller"},
		{"ingress-nginx", "mattermost-cm-nginx-internal", cty.NilVal, "mattermost-cm-nginx-internal-ingress-nginx-controller"},
		{"ingress-nginx", "public-ingress-nginx", cty.NilVal, "public-ingress-nginx-controller"},
		{"ingress-nginx", "x", obj("fullnameOverride", cty.StringVal("edge")), "edge-controller"},
		{"ingress-nginx", "x", obj("nameOverride", cty.StringVal("ing")), "x-ing-controller"},
		{"ingress-nginx", "x", obj("controller", obj("name", cty.StringVal("ctl"))), "x-ingress-nginx-ctl"},
		{"ingress-nginx", "x", obj("controller", cty.StringVal("not an object")), "x-ingress-nginx-controller"},
		{"ingress-nginx", long, cty.NilVal, strings.Repeat("a", 63)},
		{"ingress-nginx", strings.Repeat("b", 62), cty.NilVal, strings.Repeat("b", 62)},
	} {
		app := &inventory.App{Name: "nginx", Chart: c.chart, Release: c.release, Values: c.values}
		if got := ingressServiceName(app); got != c.want {
			t.Errorf("chart %s release %q values %#v: %q, want %q", c.chart, c.release, c.values, got, c.want)
		}
	}
}

// stringsOf is a list or tuple of strings as a slice.
func stringsOf(v cty.Value) []string {
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e.AsString())
	}
	return out
}

// TestTerraformVolumes: EKS has no EBS provisioner of its own and, from
// 1.30, no default StorageClass, so without these the PersistentVolumeClaims
// of Prometheus and Elasticsearch would stay Pending. Layer 1 installs the
// EBS CSI driver add-on with credentials for its controller's service
// account only (Pod Identity, a role only pods.eks.amazonaws.com assumes);
// layer 2 makes encrypted gp3 of that driver the default class.
func TestTerraformVolumes(t *testing.T) {
	for _, dir := range tfInventories {
		inv, files := renderTerraform(t, dir)
		layers := layerBodies(t, files)
		for _, env := range inv.Environments {
			cluster := layers[layerDir(env.Name, layout.LayerCluster)]
			csi := blocksOf(cluster, "resource", "aws_eks_addon", "ebs_csi")
			if len(csi) != 1 {
				t.Fatalf("%s: %d EBS CSI add-ons", env.Name, len(csi))
			}
			if got := attrValue(t, csi[0].Body, "addon_name").AsString(); got != "aws-ebs-csi-driver" {
				t.Errorf("%s: add-on %q", env.Name, got)
			}
			pia := blocksOf([]*hclsyntax.Body{csi[0].Body}, "pod_identity_association")
			if len(pia) != 1 || attrValue(t, pia[0].Body, "service_account").AsString() != "ebs-csi-controller-sa" {
				t.Errorf("%s: the EBS CSI controller gets no Pod Identity for its service account", env.Name)
			}
			if len(blocksOf(cluster, "resource", "aws_eks_addon", "pod_identity_agent")) != 1 {
				t.Errorf("%s: Pod Identity without its agent add-on", env.Name)
			}
			trust := blocksOf(cluster, "resource", "aws_iam_role", "ebs_csi")
			if len(trust) != 1 {
				t.Fatalf("%s: %d EBS CSI roles", env.Name, len(trust))
			}
			src := string(trust[0].Range().SliceBytes(rendertest.FileData(t, files, layout.TerraformFile(env.Name, layout.LayerCluster, "main.tf"))))
			if !strings.Contains(src, `Service = "pods.eks.amazonaws.com"`) || !strings.Contains(src, `"sts:TagSession"`) {
				t.Errorf("%s: the EBS CSI role is not one for EKS Pod Identity:\n%s", env.Name, src)
			}

			post := layers[layerDir(env.Name, layout.LayerPost)]
			sc := blocksOf(post, "resource", "kubernetes_storage_class_v1")
			if len(sc) != 1 {
				t.Fatalf("%s: %d storage classes", env.Name, len(sc))
			}
			md := blocksOf([]*hclsyntax.Body{sc[0].Body}, "metadata")[0].Body
			if got := attrValue(t, md, "annotations").GetAttr("storageclass.kubernetes.io/is-default-class"); got != cty.StringVal("true") {
				t.Errorf("%s: the storage class is not the default", env.Name)
			}
			if got := attrValue(t, sc[0].Body, "storage_provisioner").AsString(); got != "ebs.csi.aws.com" {
				t.Errorf("%s: provisioner %q", env.Name, got)
			}
			if got := attrValue(t, sc[0].Body, "parameters").GetAttr("encrypted"); got != cty.StringVal("true") {
				t.Errorf("%s: volumes not encrypted", env.Name)
			}
		}
	}
}

// TestTerraformNodesIMDSv2: the nodes require IMDSv2 with a hop limit of 1,
// so no pod reaches the instance metadata service for the node role's
// credentials, and their root volume is encrypted; the node group takes
// both from its launch template (disk_size would conflict with it).
func TestTerraformNodesIMDSv2(t *testing.T) {
	for _, dir := range tfInventories {
		inv, files := renderTerraform(t, dir)
		layers := layerBodies(t, files)
		for _, env := range inv.Environments {
			cluster := layers[layerDir(env.Name, layout.LayerCluster)]
			lt := blocksOf(cluster, "resource", "aws_launch_template", "node")
			if len(lt) != 1 {
				t.Fatalf("%s: %d node launch templates", env.Name, len(lt))
			}
			md := blocksOf([]*hclsyntax.Body{lt[0].Body}, "metadata_options")[0].Body
			if attrValue(t, md, "http_tokens") != cty.StringVal("required") || !attrValue(t, md, "http_put_response_hop_limit").Equals(cty.NumberIntVal(1)).True() {
				t.Errorf("%s: IMDS is not v2-only with hop limit 1", env.Name)
			}
			ebs := blocksOf([]*hclsyntax.Body{blocksOf([]*hclsyntax.Body{lt[0].Body}, "block_device_mappings")[0].Body}, "ebs")[0].Body
			if attrValue(t, ebs, "encrypted") != cty.StringVal("true") || !attrValue(t, ebs, "volume_size").Equals(cty.NumberIntVal(int64(env.Cluster.VolumeSizeGB))).True() {
				t.Errorf("%s: root volume not encrypted or not volume_size_gb", env.Name)
			}
			ng := blocksOf(cluster, "resource", "aws_eks_node_group", "default")[0].Body
			if _, ok := ng.Attributes["disk_size"]; ok {
				t.Errorf("%s: disk_size beside a launch template", env.Name)
			}
			ref := blocksOf([]*hclsyntax.Body{ng}, "launch_template")
			if len(ref) != 1 || traversalString(ref[0].Body.Attributes["id"].Expr.(*hclsyntax.ScopeTraversalExpr).Traversal) != "aws_launch_template.node.id" {
				t.Errorf("%s: the node group does not use the launch template", env.Name)
			}
		}
	}
}

// TestTerraformRootApplication reads the root Application back from layer
// 2 of every environment: it syncs the folder of the environment's
// Applications as the repository holds it (the argocd family renders its
// kustomization at layout.ArgoCD), from the inventory's repository and
// revision, into Argo CD's namespace of the cluster Argo CD runs in.
func TestTerraformRootApplication(t *testing.T) {
	for _, dir := range tfInventories {
		inv, files := renderTerraform(t, dir)
		layers := layerBodies(t, files)
		for _, env := range inv.Environments {
			root := blocksOf(layers[layerDir(env.Name, layout.LayerPost)], "resource", "helm_release", "root_application")
			if len(root) != 1 {
				t.Fatalf("%s: %d root_application releases", env.Name, len(root))
			}
			values := root[0].Body.Attributes["values"].Expr.(*hclsyntax.TupleConsExpr).Exprs[0].(*hclsyntax.FunctionCallExpr)
			apps := literal(t, values.Args[0]).GetAttr("applications")
			if n := apps.LengthInt(); n != 1 || !apps.Type().HasAttribute(cluster.RootApplication) {
				t.Fatalf("%s: applications %#v, want only %q", env.Name, apps, cluster.RootApplication)
			}
			app := apps.GetAttr(cluster.RootApplication)
			if f := app.GetAttr("finalizers"); !f.RawEquals(cty.TupleVal([]cty.Value{cty.StringVal("resources-finalizer.argocd.argoproj.io")})) {
				t.Errorf("%s: root Application finalizers %#v: deleting it would leave its Applications behind", env.Name, f)
			}
			src, dst := app.GetAttr("source"), app.GetAttr("destination")
			g := env.GitOps
			for _, c := range []struct{ what, got, want string }{
				{"source path", src.GetAttr("path").AsString(), "out/" + env.Name + "/argocd"},
				{"source path", src.GetAttr("path").AsString(), layout.Committed(layout.ArgoCD(env.Name))},
				{"repoURL", src.GetAttr("repoURL").AsString(), g.RepoURL},
				{"targetRevision", src.GetAttr("targetRevision").AsString(), g.Revision},
				{"namespace", app.GetAttr("namespace").AsString(), g.ArgoCDNamespace},
				{"project", app.GetAttr("project").AsString(), g.Project},
				{"destination server", dst.GetAttr("server").AsString(), cluster.InClusterServer},
				{"destination namespace", dst.GetAttr("namespace").AsString(), g.ArgoCDNamespace},
			} {
				if c.got != c.want {
					t.Errorf("%s: root Application %s %q, want %q", env.Name, c.what, c.got, c.want)
				}
			}
		}
	}
}
