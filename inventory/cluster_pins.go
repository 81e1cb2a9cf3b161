package inventory

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/mattermost/fleetgen/internal/suggest"
)

// The EKS add-ons fleetgen installs in the C&C cluster (render/terraform):
// EBS volumes for the PersistentVolumeClaims, and the Pod Identity agent
// that gives the EBS driver its own AWS role.
const (
	AddonEBSCSI      = "aws-ebs-csi-driver"
	AddonPodIdentity = "eks-pod-identity-agent"
)

// ManagedAddons are the add-ons cluster.addon_versions may pin, sorted.
var ManagedAddons = []string{AddonEBSCSI, AddonPodIdentity}

var (
	// nodeReleaseVersion is an EKS optimized AMI release as node groups
	// name it: the Kubernetes version it ships and the build date.
	nodeReleaseVersion = regexp.MustCompile(`^(1\.(?:0|[1-9][0-9]*))\.(?:0|[1-9][0-9]*)-[0-9]{8}$`)
	addonVersion       = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+-eksbuild\.[0-9]+$`)
)

// clusterPins checks the node group's AMI release and the add-on versions.
// Both are optional (EKS then picks its default when the node group or
// add-on is created, and Terraform keeps it), but pinned ones must be well
// formed, and a pinned set must pin every add-on fleetgen installs.
func (c *checker) clusterPins(cl *Cluster) {
	if set(cl.NodeReleaseVersionRange) {
		m := nodeReleaseVersion.FindStringSubmatch(cl.NodeReleaseVersion)
		switch {
		case m == nil:
			c.errorf(cl.NodeReleaseVersionRange, "Invalid node release version",
				`The node_release_version %q is not an EKS optimized AMI release: it is "<Kubernetes version>-<build date>", such as "1.33.5-20251120" (aws ssm get-parameter --name /aws/service/eks/optimized-ami/<version>/amazon-linux-2023/x86_64/standard/recommended/release_version lists the newest).`, cl.NodeReleaseVersion)
		case kubernetesVer.re.MatchString(cl.KubernetesVersion) && m[1] != cl.KubernetesVersion:
			c.errorf(cl.NodeReleaseVersionRange, "Node release version of another Kubernetes version",
				"The node_release_version %q ships Kubernetes %s, but the cluster runs %s: EKS refuses a node group release of another version. Pin a %s release, or change both together.", cl.NodeReleaseVersion, m[1], cl.KubernetesVersion, cl.KubernetesVersion)
		}
	}
	if !set(cl.AddonVersionsRange) {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(cl.AddonVersions)) {
		v := cl.AddonVersions[name]
		if !slices.Contains(ManagedAddons, name) {
			c.errorf(cl.AddonVersionsRange, "Unknown EKS add-on",
				"The addon_versions pin %q, which fleetgen does not install; it installs %s.%s", name, strings.Join(ManagedAddons, " and "), suggest.DidYouMean(name, ManagedAddons))
			continue
		}
		if !addonVersion.MatchString(v) {
			c.errorf(cl.AddonVersionsRange, "Invalid add-on version",
				`The version %q of the add-on %q is not an EKS add-on version: it is "v<semver>-eksbuild.<n>", such as "v1.2.3-eksbuild.1" (aws eks describe-addon-versions --addon-name %s --kubernetes-version %s lists them).`, v, name, name, cl.KubernetesVersion)
		}
	}
	for _, name := range ManagedAddons {
		if _, ok := cl.AddonVersions[name]; !ok {
			c.errorf(cl.AddonVersionsRange, "Missing add-on version",
				"The addon_versions pin some add-ons but not %q: pin every one fleetgen installs (%s), or none.", name, strings.Join(ManagedAddons, ", "))
		}
	}
}
