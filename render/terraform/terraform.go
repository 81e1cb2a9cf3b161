package terraform

import (
	"bytes"
	"fmt"
	"path"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/templates"
)

// Versions pinned in every layer. Terraform 1.11 is the first release whose
// s3 backend has both the assume_role block (1.6; the top-level role_arn is
// deprecated) and generally available S3-native locking (use_lockfile,
// experimental in 1.10), which deprecated DynamoDB locking (dynamodb_table).
const (
	terraformRequiredVersion = "~> 1.11"
	awsProviderVersion       = "~> 6.0"
	kubernetesProviderVer    = "~> 2.38"
	helmProviderVersion      = "~> 3.0"
)

// provider is one entry of required_providers.
type provider struct{ Name, Source, Version string }

var (
	providerAWS        = provider{"aws", "hashicorp/aws", awsProviderVersion}
	providerKubernetes = provider{"kubernetes", "hashicorp/kubernetes", kubernetesProviderVer}
	providerHelm       = provider{"helm", "hashicorp/helm", helmProviderVersion}
)

// Render renders the three root modules of env, one folder per layer
// (layout.TerraformFile). Each file is built with hclwrite from typed
// values, formatted, and parsed again. Validation refuses every inventory
// mistake this family could meet, so it reports none: a file that does
// not parse, or an inventory it cannot render, is a bug of fleetgen and
// panics instead of shipping.
func Render(env *inventory.Environment) ([]layout.File, hcl.Diagnostics) {
	layers := []struct {
		name  string
		build func(*inventory.Environment) []*tfFile
	}{
		{layout.LayerCluster, clusterLayer},
		{layout.LayerPost, postInstallLayer},
		{layout.LayerRoute53, route53Layer},
	}
	var files []layout.File
	for _, l := range layers {
		for _, tf := range append(l.build(env), planFiles(env, l.name)...) {
			p := layout.TerraformFile(env.Name, l.name, tf.Name)
			files = append(files, layout.File{Path: p, Mode: layout.ModeFile, Data: tfBytes(env.Name, p, tf)})
		}
	}
	return files, nil
}

// tfBytes is the file with the generated-by header, formatted as terraform
// fmt formats it, after checking that it parses: the renderers build every
// expression from typed values, so a file that does not parse is our bug.
func tfBytes(env, name string, tf *tfFile) []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# %s\n\n", templates.Header(env))
	buf.Write(tf.f.Bytes())
	data := hclwrite.Format(buf.Bytes())
	if _, diags := hclparse.NewParser().ParseHCL(data, name); diags.HasErrors() {
		panic(fmt.Sprintf("terraform: rendered %s does not parse: %s", name, diags.Error()))
	}
	return data
}

// stateKey is the object key of a layer's state in the state bucket. The
// deployment and environment names make it unique when several environments
// (or several deployments) share one bucket.
func stateKey(env *inventory.Environment, layer string) string {
	return path.Join(env.DeploymentName, env.Name, layer, "terraform.tfstate")
}

// terraformBlock writes the terraform block: the version constraint, every
// provider pinned, and the s3 backend of the layer.
func terraformBlock(f *tfFile, env *inventory.Environment, layer string, providers ...provider) {
	tb := f.block("terraform")
	tb.str("required_version", terraformRequiredVersion)
	rp := tb.block("required_providers")
	for _, p := range providers {
		rp.val(p.Name, cty.ObjectVal(map[string]cty.Value{
			"source":  cty.StringVal(p.Source),
			"version": cty.StringVal(p.Version),
		}))
	}
	tb.AppendNewline()
	backend := tb.block("backend", "s3")
	attrs := backendConfig(env, layer, lit(cty.StringVal(env.Terraform.RoleARN)), "-state")
	if lt := env.Terraform.LockTable; lt != "" {
		// Only while an environment moves off DynamoDB locking (lock_table
		// is deprecated, a warning): a run of the previous configuration
		// holds the DynamoDB lock, one of this configuration both locks,
		// so the two still exclude each other. Reading remote state takes
		// no lock, so remote state reads never name the table.
		attrs = slices.Insert(attrs, len(attrs)-1, objectAttr{"dynamodb_table", lit(cty.StringVal(lt))})
	}
	for _, a := range attrs {
		backend.raw(a.Name, a.Expr)
	}
}

// backendConfig is the s3 backend of a layer, as attributes: the backend
// block and terraform_remote_state's config must agree, so both come from
// here. Locking is S3-native (use_lockfile: a lock object beside the
// state), never DynamoDB's, which Terraform 1.11 deprecated. assume_role
// is an object attribute, not a block: the s3 backend (Terraform >= 1.6)
// rejects "assume_role {" with "Blocks of type assume_role are not
// expected here", and remote state config is an object anyway. role is
// the role_arn expression: a literal in the backend block, which can hold
// no variable, and var.role_arn where remote state is read.
func backendConfig(env *inventory.Environment, layer string, role hclwrite.Tokens, session string) []objectAttr {
	tf := env.Terraform
	attrs := []objectAttr{
		{"bucket", lit(cty.StringVal(tf.StateBucket))},
		{"key", lit(cty.StringVal(stateKey(env, layer)))},
		{"region", lit(cty.StringVal(tf.StateRegion))},
		{"encrypt", lit(cty.True)},
		{"use_lockfile", lit(cty.True)},
	}
	return append(attrs, backendRole(env, layer, role, session))
}

// backendRole is the s3 backend's assume_role: the deployer in the layer,
// the plan role in plan.tfbackend.
func backendRole(env *inventory.Environment, layer string, role hclwrite.Tokens, session string) objectAttr {
	return objectAttr{"assume_role", object(
		objectAttr{"role_arn", role},
		objectAttr{"session_name", lit(cty.StringVal(sessionName(env, layer+session)))},
	)}
}

// sessionName names the assumed-role session, so CloudTrail shows which
// environment and layer acted. STS allows 64 characters of [\w+=,.@-].
func sessionName(env *inventory.Environment, what string) string {
	s := "fleetgen-" + env.Name + "-" + what
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}
