package terraform

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
)

// clusterName is the EKS cluster's name: the deployment and the environment,
// so two environments can share an account.
func clusterName(env *inventory.Environment) string {
	return env.DeploymentName + "-" + env.Name
}

// The managed policies of the cluster and node roles, by the resource name
// of their attachment.
var (
	clusterPolicies = []namedPolicy{{"cluster", "AmazonEKSClusterPolicy"}}
	nodePolicies    = []namedPolicy{
		{"node_worker", "AmazonEKSWorkerNodePolicy"},
		{"node_cni", "AmazonEKS_CNI_Policy"},
		{"node_ecr", "AmazonEC2ContainerRegistryReadOnly"},
	}
)

type namedPolicy struct{ Resource, Policy string }

// clusterLayer is 1-cluster: the EKS cluster in the inventory's VPC with a
// private API endpoint, its IAM roles, secrets encryption, cluster access
// for the deployer role (access entries, not the aws-auth ConfigMap) and
// one managed node group. It uses plain AWS provider resources, not the
// module at module_source/module_ref, whose interface fleetgen cannot check:
// every argument here is one whose meaning is documented by the provider.
func clusterLayer(env *inventory.Environment) []*tfFile {
	tfBlock := newTFFile("terraform.tf")
	terraformBlock(tfBlock, env, layout.LayerCluster, providerAWS)

	prov := newTFFile("providers.tf")
	awsProvider(prov, env, layout.LayerCluster)
	prov.block("data", "aws_partition", "current")

	main := newTFFile("main.tf")
	clusterNetwork(main, env)
	clusterIAM(main, env)
	clusterEKS(main, env)
	clusterAccess(main, env)
	clusterNodes(main, env)
	clusterStorage(main, env)

	out := newTFFile("outputs.tf")
	output(out, "cluster_name", "name of the EKS cluster, read by the later layers", expr(ref("aws_eks_cluster", "this", "name")))
	output(out, "cluster_arn", "ARN of the EKS cluster", expr(ref("aws_eks_cluster", "this", "arn")))
	output(out, "cluster_security_group_id", "security group EKS made for the control plane and nodes",
		expr(attr(index(ref("aws_eks_cluster", "this", "vpc_config"), cty.NumberIntVal(0)), "cluster_security_group_id")))
	output(out, "node_role_arn", "IAM role of the nodes", expr(ref("aws_iam_role", "node", "arn")))
	output(out, "oidc_issuer", "OIDC issuer of the cluster, for IAM roles of service accounts",
		expr(attr(index(attr(index(ref("aws_eks_cluster", "this", "identity"), cty.NumberIntVal(0)), "oidc"), cty.NumberIntVal(0)), "issuer")))
	return []*tfFile{tfBlock, prov, main, out}
}

// partitionARN is format("arn:%s:<rest>", data.aws_partition.current.partition),
// so the layer also works in aws-us-gov and aws-cn.
func partitionARN(rest string) hclwrite.Tokens {
	return call("format", lit(cty.StringVal("arn:%s:"+rest)), expr(ref("data", "aws_partition", "current", "partition")))
}

// clusterNetwork reads the VPC (its CIDR may reach the private endpoint),
// tags the subnets so Kubernetes load balancers find them, and adds the
// security group that opens the API to the VPC.
func clusterNetwork(f *tfFile, env *inventory.Environment) {
	f.block("data", "aws_vpc", "this").str("id", env.Network.VPCID)

	tagSubnets(f, "private_subnets", env.Network.PrivateSubnetIDs, env, "kubernetes.io/role/internal-elb")
	if len(env.Network.PublicSubnetIDs) > 0 {
		tagSubnets(f, "public_subnets", env.Network.PublicSubnetIDs, env, "kubernetes.io/role/elb")
	}

	sg := f.block("resource", "aws_security_group", "cluster_api")
	sg.str("name", clusterName(env)+"-api")
	sg.str("description", "Kubernetes API of "+clusterName(env)+" from inside its VPC")
	sg.str("vpc_id", env.Network.VPCID)

	in := f.block("resource", "aws_vpc_security_group_ingress_rule", "cluster_api_from_vpc")
	in.ref("security_group_id", ref("aws_security_group", "cluster_api", "id"))
	in.str("description", "HTTPS to the private API endpoint from the VPC")
	in.ref("cidr_ipv4", ref("data", "aws_vpc", "this", "cidr_block"))
	in.str("ip_protocol", "tcp")
	in.num("from_port", 443)
	in.num("to_port", 443)
}

// tagSubnets marks subnets for the cluster and for one kind of load
// balancer: one aws_ec2_tag per subnet and tag, since the subnets are not
// managed here.
func tagSubnets(f *tfFile, name string, ids []string, env *inventory.Environment, role string) {
	for _, tag := range []struct{ suffix, key, value string }{
		{"_cluster", "kubernetes.io/cluster/" + clusterName(env), "shared"},
		{"_role", role, "1"},
	} {
		r := f.block("resource", "aws_ec2_tag", name+tag.suffix)
		r.raw("for_each", call("toset", lit(strs(ids))))
		r.ref("resource_id", ref("each", "value"))
		r.str("key", tag.key)
		r.str("value", tag.value)
	}
}

// clusterIAM writes the cluster and node roles and their managed policies.
func clusterIAM(f *tfFile, env *inventory.Environment) {
	role(f, "cluster", clusterName(env)+"-cluster", "eks.amazonaws.com")
	role(f, "node", clusterName(env)+"-node", "ec2.amazonaws.com")
	for _, p := range clusterPolicies {
		attachPolicy(f, p, "cluster")
	}
	for _, p := range nodePolicies {
		attachPolicy(f, p, "node")
	}
}

// role writes an IAM role that the AWS service may assume, with the given
// actions (sts:AssumeRole when none: EKS Pod Identity also needs
// sts:TagSession).
func role(f *tfFile, resource, name, service string, actions ...string) {
	action := cty.StringVal("sts:AssumeRole")
	if len(actions) > 0 {
		action = strs(actions)
	}
	r := f.block("resource", "aws_iam_role", resource)
	r.str("name", name)
	r.raw("assume_role_policy", call("jsonencode", lit(cty.ObjectVal(map[string]cty.Value{
		"Version": cty.StringVal("2012-10-17"),
		"Statement": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"Effect":    cty.StringVal("Allow"),
			"Action":    action,
			"Principal": cty.ObjectVal(map[string]cty.Value{"Service": cty.StringVal(service)}),
		})}),
	}))))
}

func attachPolicy(f *tfFile, p namedPolicy, roleResource string) {
	r := f.block("resource", "aws_iam_role_policy_attachment", p.Resource)
	r.ref("role", ref("aws_iam_role", roleResource, "name"))
	r.raw("policy_arn", partitionARN("iam::aws:policy/"+p.Policy))
}

func attachments(ps []namedPolicy) []hcl.Traversal {
	ts := make([]hcl.Traversal, len(ps))
	for i, p := range ps {
		ts[i] = ref("aws_iam_role_policy_attachment", p.Resource)
	}
	return ts
}

// clusterEKS writes the KMS key for Kubernetes secrets and the cluster. The
// private endpoint is always on; the public one only with
// api_access = "public_and_private", and then only from api_allowed_cidrs.
func clusterEKS(f *tfFile, env *inventory.Environment) {
	k := f.block("resource", "aws_kms_key", "eks")
	k.str("description", "Kubernetes secrets of "+clusterName(env))
	k.boolean("enable_key_rotation", true)
	k.num("deletion_window_in_days", 30)

	c := f.block("resource", "aws_eks_cluster", "this")
	c.str("name", clusterName(env))
	c.str("version", env.Cluster.KubernetesVersion)
	c.ref("role_arn", ref("aws_iam_role", "cluster", "arn"))
	c.val("enabled_cluster_log_types", strs([]string{"api", "audit", "authenticator"}))

	ac := c.block("access_config")
	ac.str("authentication_mode", "API")
	ac.boolean("bootstrap_cluster_creator_admin_permissions", false)

	vc := c.block("vpc_config")
	vc.val("subnet_ids", strs(env.Network.PrivateSubnetIDs))
	vc.raw("security_group_ids", list(expr(ref("aws_security_group", "cluster_api", "id"))))
	vc.boolean("endpoint_private_access", true)
	public := env.Network.APIAccess == inventory.APIPublicAndPrivate
	vc.boolean("endpoint_public_access", public)
	if public {
		vc.val("public_access_cidrs", strs(env.Network.APIAllowedCIDRs))
	}

	ec := c.block("encryption_config")
	ec.val("resources", strs([]string{"secrets"}))
	ec.block("provider").ref("key_arn", ref("aws_kms_key", "eks", "arn"))

	c.dependsOn(attachments(clusterPolicies)...)
}

// clusterAccess gives the deployer role (the one every layer assumes)
// cluster admin through an access entry, so layers 2 and 3 can install
// Argo CD and read services; the cluster's creator gets no implicit admin.
func clusterAccess(f *tfFile, env *inventory.Environment) {
	e := f.block("resource", "aws_eks_access_entry", "deployer")
	e.ref("cluster_name", ref("aws_eks_cluster", "this", "name"))
	e.str("principal_arn", env.Terraform.RoleARN)
	e.str("type", "STANDARD")

	a := f.block("resource", "aws_eks_access_policy_association", "deployer")
	a.ref("cluster_name", ref("aws_eks_cluster", "this", "name"))
	a.ref("principal_arn", ref("aws_eks_access_entry", "deployer", "principal_arn"))
	a.raw("policy_arn", partitionARN("eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"))
	a.block("access_scope").str("type", "cluster")
}

// nodeRootDevice is the root volume of the EKS optimized Amazon Linux
// AMIs, the node group's default.
const nodeRootDevice = "/dev/xvda"

// clusterNodes writes the managed node group in the private subnets, from
// a launch template that requires IMDSv2 with a hop limit of 1: a pod's
// packets to the instance metadata service take a second hop, so no pod
// can take the node role's credentials (its CNI policy may rewrite the
// VPC's network interfaces); the add-ons that need AWS get their own role
// through Pod Identity. The template also owns the encrypted root volume,
// since a node group with a launch template may not set disk_size.
func clusterNodes(f *tfFile, env *inventory.Environment) {
	cl := env.Cluster
	lt := f.block("resource", "aws_launch_template", "node")
	lt.str("name", clusterName(env)+"-node")
	lt.boolean("update_default_version", true)
	md := lt.block("metadata_options")
	md.str("http_endpoint", "enabled")
	md.str("http_tokens", "required")
	md.num("http_put_response_hop_limit", 1)
	bd := lt.block("block_device_mappings")
	bd.str("device_name", nodeRootDevice)
	ebs := bd.block("ebs")
	ebs.num("volume_size", cl.VolumeSizeGB)
	ebs.str("volume_type", "gp3")
	ebs.str("encrypted", "true")

	n := f.block("resource", "aws_eks_node_group", "default")
	n.ref("cluster_name", ref("aws_eks_cluster", "this", "name"))
	n.str("node_group_name", "default")
	n.ref("node_role_arn", ref("aws_iam_role", "node", "arn"))
	n.val("subnet_ids", strs(env.Network.PrivateSubnetIDs))
	n.val("instance_types", strs([]string{cl.InstanceType}))
	if cl.NodeReleaseVersion != "" {
		// The AMI release; changing it rolls the nodes, one at a time
		// (update_config). Unset, EKS picks the newest at creation.
		n.str("release_version", cl.NodeReleaseVersion)
	}
	lr := n.block("launch_template")
	lr.ref("id", ref("aws_launch_template", "node", "id"))
	lr.ref("version", ref("aws_launch_template", "node", "latest_version"))
	sc := n.block("scaling_config")
	sc.num("desired_size", cl.DesiredSize)
	sc.num("min_size", cl.MinSize)
	sc.num("max_size", cl.MaxSize)
	n.block("update_config").num("max_unavailable", 1)
	n.dependsOn(attachments(nodePolicies)...)
}

// output writes one output with its description.
func output(f *tfFile, name, description string, value hclwrite.Tokens) {
	o := f.block("output", name)
	o.str("description", description)
	o.raw("value", value)
}
