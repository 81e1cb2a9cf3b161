package terraform

import (
	"github.com/mattermost/fleetgen/inventory"
)

// EKS ships no EBS volume provisioner: since Kubernetes 1.23 the in-tree
// EBS plugin hands volumes to the EBS CSI driver, which is an add-on, and
// since EKS 1.30 no StorageClass is the default. Without both, the
// PersistentVolumeClaims of the central Prometheus and of Elasticsearch
// stay Pending forever. Layer 1 installs the driver, layer 2 makes an
// encrypted gp3 class the default.
const (
	ebsCSIAddon          = inventory.AddonEBSCSI
	ebsCSIServiceAccount = "ebs-csi-controller-sa"
	podIdentityAddon     = inventory.AddonPodIdentity
	ebsCSIProvisioner    = "ebs.csi.aws.com"
	defaultStorageName   = "gp3"
)

// ebsCSIPolicy is the AWS managed policy of the EBS CSI driver.
var ebsCSIPolicy = namedPolicy{"ebs_csi", "service-role/AmazonEBSCSIDriverPolicy"}

// clusterStorage installs the EBS CSI driver add-on. Its controller gets
// AWS credentials from EKS Pod Identity for its own service account only,
// not from the node role every pod on the node could use.
func clusterStorage(f *tfFile, env *inventory.Environment) {
	role(f, "ebs_csi", clusterName(env)+"-ebs-csi", "pods.eks.amazonaws.com", "sts:AssumeRole", "sts:TagSession")
	attachPolicy(f, ebsCSIPolicy, "ebs_csi")

	agent := f.block("resource", "aws_eks_addon", "pod_identity_agent")
	agent.ref("cluster_name", ref("aws_eks_cluster", "this", "name"))
	agent.str("addon_name", podIdentityAddon)
	addonVersion(agent, env, podIdentityAddon)
	agent.dependsOn(ref("aws_eks_node_group", "default"))

	csi := f.block("resource", "aws_eks_addon", "ebs_csi")
	csi.ref("cluster_name", ref("aws_eks_cluster", "this", "name"))
	csi.str("addon_name", ebsCSIAddon)
	addonVersion(csi, env, ebsCSIAddon)
	pia := csi.block("pod_identity_association")
	pia.ref("role_arn", ref("aws_iam_role", "ebs_csi", "arn"))
	pia.str("service_account", ebsCSIServiceAccount)
	csi.dependsOn(ref("aws_eks_addon", "pod_identity_agent"), ref("aws_iam_role_policy_attachment", ebsCSIPolicy.Resource))
}

// defaultStorageClass makes encrypted gp3 volumes of the EBS CSI driver the
// cluster's default, bound where the pod is scheduled (an EBS volume lives
// in one availability zone) and expandable when a disk fills up.
func defaultStorageClass(f *tfFile) {
	sc := f.block("resource", "kubernetes_storage_class_v1", defaultStorageName)
	md := sc.block("metadata")
	md.str("name", defaultStorageName)
	md.val("annotations", strMap(map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}))
	sc.str("storage_provisioner", ebsCSIProvisioner)
	sc.str("volume_binding_mode", "WaitForFirstConsumer")
	sc.boolean("allow_volume_expansion", true)
	sc.val("parameters", strMap(map[string]string{"type": "gp3", "encrypted": "true"}))
}

// addonVersion pins an add-on to the version cluster.addon_versions gives.
// Without one EKS installs its default for the cluster's Kubernetes
// version and Terraform keeps whatever is installed (docs/terraform.md).
func addonVersion(b tfBody, env *inventory.Environment, addon string) {
	if v, ok := env.Cluster.AddonVersions[addon]; ok {
		b.str("addon_version", v)
	}
}
