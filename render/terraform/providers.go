package terraform

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
)

// awsProvider writes provider "aws": the environment's region, the role
// Terraform assumes (never keys, profiles or credential files: the caller's
// own identity, e.g. CI's OIDC session, only needs sts:AssumeRole), the
// account it must be in, and tags on everything it creates.
//
// The role is var.role_arn, the deployer by default: a pull request's plan
// passes its read-only role instead (planFiles).
func awsProvider(f *tfFile, env *inventory.Environment, layer string) {
	v := f.block("variable", roleVar)
	v.str("description", "The role Terraform assumes, for the aws provider and the remote state it reads: the deployer (terraform.role_arn). Only a pull request's plan sets it, to the read-only plan role (-var-file=plan.tfvars).")
	v.raw("type", hclwrite.TokensForIdentifier("string"))
	v.str("default", env.Terraform.RoleARN)
	v.boolean("nullable", false)

	p := f.block("provider", "aws")
	p.str("region", env.Region)
	p.val("allowed_account_ids", strs([]string{env.AccountID}))
	ar := p.block("assume_role")
	ar.ref("role_arn", ref("var", roleVar))
	ar.str("session_name", sessionName(env, layer))
	dt := p.block("default_tags")
	dt.val("tags", strMap(map[string]string{
		"environment": env.Name,
		"managed-by":  "fleetgen",
		"deployment":  env.DeploymentName,
		"layer":       layer,
	}))
}

// roleVar is the variable holding the role the aws provider assumes.
const roleVar = "role_arn"

// Files of a layer that only a pull request's plan reads (never loaded by
// Terraform on its own: not *.tf, not terraform.tfvars or *.auto.tfvars).
const (
	PlanVarFile     = "plan.tfvars"
	PlanBackendFile = "plan.tfbackend"
)

// planFiles are the layer's plan files, when the inventory names a plan
// role: plan.tfvars sets var.role_arn to it, plan.tfbackend makes the s3
// backend assume it (-backend-config: a backend block holds no variable).
// Everything else about the layer stays as applied, so the plan shows
// what the apply will do.
func planFiles(env *inventory.Environment, layer string) []*tfFile {
	role := env.Terraform.PlanRoleARN
	if role == "" {
		return nil
	}
	vars := newTFFile(PlanVarFile)
	vars.f.Body().SetAttributeValue(roleVar, cty.StringVal(role))
	backend := newTFFile(PlanBackendFile)
	a := backendRole(env, layer, lit(cty.StringVal(role)), "-plan-state")
	backend.f.Body().SetAttributeRaw(a.Name, a.Expr)
	return []*tfFile{vars, backend}
}

// remoteCluster reads the outputs of 1-cluster with the same backend
// settings that layer writes them with.
func remoteCluster(f *tfFile, env *inventory.Environment) {
	rs := f.block("data", "terraform_remote_state", "cluster")
	rs.str("backend", "s3")
	rs.raw("config", object(backendConfig(env, layout.LayerCluster, expr(ref("var", roleVar)), "-state")...))
}

// clusterOutput is data.terraform_remote_state.cluster.outputs.<name>.
func clusterOutput(name string) hcl.Traversal {
	return ref("data", "terraform_remote_state", "cluster", "outputs", name)
}

var (
	eksCluster     = ref("data", "aws_eks_cluster", "this")
	eksClusterAuth = ref("data", "aws_eks_cluster_auth", "this")
)

// eksDataSources look the cluster up by the name 1-cluster exported; the
// auth data source yields a short-lived token for the Kubernetes and Helm
// providers, so no kubeconfig is ever written to disk.
func eksDataSources(f *tfFile) {
	c := f.block("data", "aws_eks_cluster", "this")
	c.ref("name", clusterOutput("cluster_name"))
	a := f.block("data", "aws_eks_cluster_auth", "this")
	a.ref("name", clusterOutput("cluster_name"))
}

// kubernetesConnection is host, CA and token of the cluster, shared by the
// kubernetes provider and the helm provider's kubernetes attribute.
func kubernetesConnection() []objectAttr {
	return []objectAttr{
		{"host", expr(attr(eksCluster, "endpoint"))},
		{"cluster_ca_certificate", call("base64decode",
			expr(attr(index(attr(eksCluster, "certificate_authority"), cty.NumberIntVal(0)), "data")))},
		{"token", expr(attr(eksClusterAuth, "token"))},
	}
}

// kubernetesProvider writes provider "kubernetes" authenticated by token.
func kubernetesProvider(f *tfFile) {
	p := f.block("provider", "kubernetes")
	for _, a := range kubernetesConnection() {
		p.raw(a.Name, a.Expr)
	}
}

// helmProvider writes provider "helm". Helm provider 3 made kubernetes an
// attribute (kubernetes = {…}) instead of a nested block.
func helmProvider(f *tfFile) {
	p := f.block("provider", "helm")
	p.raw("kubernetes", object(kubernetesConnection()...))
}
