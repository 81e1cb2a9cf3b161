package inventory

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Inventory is every environment of one inventory folder, sorted by name.
// Load fills in defaults, so renderers read the effective values directly.
type Inventory struct {
	Environments []*Environment
	// Unfinished are the environments set aside because they still hold
	// Placeholder values and nothing else wrong (a warning says which);
	// Environments leaves them out.
	Unfinished []string
}

// Environment is one folder of environments/: its environment block plus
// the workload and HA clusters declared beside it.
type Environment struct {
	Name      string    `hcl:"name,label"`
	NameRange hcl.Range `hcl:"name,label_range"`
	DeclRange hcl.Range `hcl:",def_range"`

	AccountID           string    `hcl:"account_id"`
	AccountIDRange      hcl.Range `hcl:"account_id,attr_value_range"`
	Region              string    `hcl:"region"`
	RegionRange         hcl.Range `hcl:"region,attr_value_range"`
	DeploymentName      string    `hcl:"deployment_name,optional"`
	DeploymentNameRange hcl.Range `hcl:"deployment_name,attr_value_range"`

	Terraform   Terraform    `hcl:"terraform,block"`
	Network     Network      `hcl:"network,block"`
	DNS         DNS          `hcl:"dns,block"`
	Cluster     Cluster      `hcl:"cluster,block"`
	GitOps      GitOps       `hcl:"gitops,block"`
	Federation  *Federation  `hcl:"federation,block"`
	Alerting    *Alerting    `hcl:"alerting,block"`
	Apps        []*App       `hcl:"app,block"`
	Provisioner *Provisioner `hcl:"provisioner,block"`
	// Registration is the service that turns provisioner events into
	// inventory changes; nil: none.
	Registration *Registration `hcl:"registration,block"`

	// Dir is the environment's folder as given to Load.
	Dir string
	// Digest is the SHA-256 of Dir and of the environment's files as
	// parsed, names and bytes: all the environment is made of, since
	// nothing outside its folder changes it (package rendercache keys
	// its renders by it).
	Digest [32]byte
	// HAOnly is an environment of self-hosted HA clusters alone: its folder
	// holds ha_cluster blocks and no environment block, so it has no C&C
	// cluster, Terraform, Argo CD or apps, and renders its HA files only.
	HAOnly bool
	// WorkloadClusters and HAClusters come from every file of Dir, sorted by name.
	WorkloadClusters []*WorkloadCluster
	HAClusters       []*HACluster
}

// Terraform says where each layer keeps its state and which role it assumes.
type Terraform struct {
	DeclRange hcl.Range `hcl:",def_range"`

	StateBucket      string    `hcl:"state_bucket"`
	StateBucketRange hcl.Range `hcl:"state_bucket,attr_value_range"`
	StateRegion      string    `hcl:"state_region,optional"`
	StateRegionRange hcl.Range `hcl:"state_region,attr_value_range"`
	LockTable        string    `hcl:"lock_table,optional"`
	LockTableRange   hcl.Range `hcl:"lock_table,attr_value_range"`
	RoleARN          string    `hcl:"role_arn"`
	RoleARNRange     hcl.Range `hcl:"role_arn,attr_value_range"`
	// PlanRoleARN is the read-only role a pull request's plan assumes
	// instead of RoleARN; "" when pull requests are not planned.
	PlanRoleARN       string    `hcl:"plan_role_arn,optional"`
	PlanRoleARNRange  hcl.Range `hcl:"plan_role_arn,attr_value_range"`
	ModuleSource      string    `hcl:"module_source,optional"`
	ModuleSourceRange hcl.Range `hcl:"module_source,attr_value_range"`
	ModuleRef         string    `hcl:"module_ref"`
	ModuleRefRange    hcl.Range `hcl:"module_ref,attr_value_range"`
}

// API endpoint access of the C&C cluster.
const (
	APIPrivate          = "private"
	APIPublicAndPrivate = "public_and_private"
)

// Network is the VPC the C&C cluster lives in.
type Network struct {
	DeclRange hcl.Range `hcl:",def_range"`

	VPCID                 string    `hcl:"vpc_id"`
	VPCIDRange            hcl.Range `hcl:"vpc_id,attr_value_range"`
	PrivateSubnetIDs      []string  `hcl:"private_subnet_ids"`
	PrivateSubnetIDsRange hcl.Range `hcl:"private_subnet_ids,attr_value_range"`
	PublicSubnetIDs       []string  `hcl:"public_subnet_ids,optional"`
	PublicSubnetIDsRange  hcl.Range `hcl:"public_subnet_ids,attr_value_range"`
	APIAccess             string    `hcl:"api_access,optional"`
	APIAccessRange        hcl.Range `hcl:"api_access,attr_value_range"`
	APIAllowedCIDRs       []string  `hcl:"api_allowed_cidrs,optional"`
	APIAllowedCIDRsRange  hcl.Range `hcl:"api_allowed_cidrs,attr_value_range"`
}

// DNS holds the Route53 zones apps are registered in.
type DNS struct {
	DeclRange hcl.Range `hcl:",def_range"`

	PrivateZoneID      string    `hcl:"private_zone_id"`
	PrivateZoneIDRange hcl.Range `hcl:"private_zone_id,attr_value_range"`
	PrivateDomain      string    `hcl:"private_domain"`
	PrivateDomainRange hcl.Range `hcl:"private_domain,attr_value_range"`
	PublicZoneID       string    `hcl:"public_zone_id,optional"`
	PublicZoneIDRange  hcl.Range `hcl:"public_zone_id,attr_value_range"`
	PublicDomain       string    `hcl:"public_domain,optional"`
	PublicDomainRange  hcl.Range `hcl:"public_domain,attr_value_range"`
}

// Cluster is the command and control EKS cluster.
type Cluster struct {
	DeclRange hcl.Range `hcl:",def_range"`

	KubernetesVersion      string    `hcl:"kubernetes_version"`
	KubernetesVersionRange hcl.Range `hcl:"kubernetes_version,attr_value_range"`
	InstanceType           string    `hcl:"instance_type"`
	InstanceTypeRange      hcl.Range `hcl:"instance_type,attr_value_range"`
	MinSize                int       `hcl:"min_size"`
	MinSizeRange           hcl.Range `hcl:"min_size,attr_value_range"`
	DesiredSize            int       `hcl:"desired_size"`
	DesiredSizeRange       hcl.Range `hcl:"desired_size,attr_value_range"`
	MaxSize                int       `hcl:"max_size"`
	MaxSizeRange           hcl.Range `hcl:"max_size,attr_value_range"`
	VolumeSizeGB           int       `hcl:"volume_size_gb,optional"`
	VolumeSizeGBRange      hcl.Range `hcl:"volume_size_gb,attr_value_range"`
	// NodeReleaseVersion and AddonVersions pin what EKS would otherwise
	// choose when the node group or add-on is created (cluster_pins.go).
	NodeReleaseVersion      string            `hcl:"node_release_version,optional"`
	NodeReleaseVersionRange hcl.Range         `hcl:"node_release_version,attr_value_range"`
	AddonVersions           map[string]string `hcl:"addon_versions,optional"`
	AddonVersionsRange      hcl.Range         `hcl:"addon_versions,attr_value_range"`
}

// GitOps tells Argo CD where this repository is.
type GitOps struct {
	DeclRange hcl.Range `hcl:",def_range"`

	RepoURL              string    `hcl:"repo_url"`
	RepoURLRange         hcl.Range `hcl:"repo_url,attr_value_range"`
	Revision             string    `hcl:"revision,optional"`
	RevisionRange        hcl.Range `hcl:"revision,attr_value_range"`
	ArgoCDNamespace      string    `hcl:"argocd_namespace,optional"`
	ArgoCDNamespaceRange hcl.Range `hcl:"argocd_namespace,attr_value_range"`
	Project              string    `hcl:"project,optional"`
	ProjectRange         hcl.Range `hcl:"project,attr_value_range"`
	// Hydrate makes fleetgen render each app's chart into
	// out/<env>/manifests/<app>/ and point the Applications there, so a
	// PR's diff shows every Kubernetes object that will change.
	Hydrate      bool      `hcl:"hydrate,optional"`
	HydrateRange hcl.Range `hcl:"hydrate,attr_value_range"`
	// The charts layer 2 installs Argo CD and the root Application with
	// (argocd.go).
	ArgoCDChartVersion          string    `hcl:"argocd_chart_version,optional"`
	ArgoCDChartVersionRange     hcl.Range `hcl:"argocd_chart_version,attr_value_range"`
	ArgoCDAppsChartVersion      string    `hcl:"argocd_apps_chart_version,optional"`
	ArgoCDAppsChartVersionRange hcl.Range `hcl:"argocd_apps_chart_version,attr_value_range"`
}

// Federation configures how the central Prometheus scrapes workload clusters.
// Load always sets Environment.Federation, with defaults when the block is absent.
type Federation struct {
	DeclRange hcl.Range `hcl:",def_range"`

	ScrapeInterval      string    `hcl:"scrape_interval,optional"`
	ScrapeIntervalRange hcl.Range `hcl:"scrape_interval,attr_value_range"`
	ScrapeTimeout       string    `hcl:"scrape_timeout,optional"`
	ScrapeTimeoutRange  hcl.Range `hcl:"scrape_timeout,attr_value_range"`
	Match               []string  `hcl:"match,optional"`
	MatchRange          hcl.Range `hcl:"match,attr_value_range"`
	HubClusterID        string    `hcl:"hub_cluster_id,optional"`
	HubClusterIDRange   hcl.Range `hcl:"hub_cluster_id,attr_value_range"`
}

// App visibility: private apps get records in the private zone only.
const (
	VisibilityPrivate = "private"
	VisibilityPublic  = "public"
)

// App is one Helm-delivered application of the C&C cluster.
type App struct {
	Name      string    `hcl:"name,label"`
	NameRange hcl.Range `hcl:"name,label_range"`
	DeclRange hcl.Range `hcl:",def_range"`

	Version         string    `hcl:"version"`
	VersionRange    hcl.Range `hcl:"version,attr_value_range"`
	Host            string    `hcl:"host,optional"`
	HostRange       hcl.Range `hcl:"host,attr_value_range"`
	Visibility      string    `hcl:"visibility,optional"`
	VisibilityRange hcl.Range `hcl:"visibility,attr_value_range"`
	// Values are the operator's overrides, an object, or cty.NilVal when absent.
	Values          cty.Value `hcl:"values,optional"`
	ValuesRange     hcl.Range `hcl:"values,attr_value_range"`
	Chart           string    `hcl:"chart,optional"`
	ChartRange      hcl.Range `hcl:"chart,attr_value_range"`
	Repository      string    `hcl:"repository,optional"`
	RepositoryRange hcl.Range `hcl:"repository,attr_value_range"`
	Namespace       string    `hcl:"namespace,optional"`
	NamespaceRange  hcl.Range `hcl:"namespace,attr_value_range"`
	Release         string    `hcl:"release,optional"`
	ReleaseRange    hcl.Range `hcl:"release,attr_value_range"`
	Enabled         bool      `hcl:"enabled,optional"`
	EnabledRange    hcl.Range `hcl:"enabled,attr_value_range"`

	// Known is true for the apps of the table in docs/inventory.md, whose chart,
	// repository and namespace have defaults.
	Known bool
}

// Provisioner is the Mattermost provisioner (mattermost/mattermost-cloud)
// of the C&C cluster. No chart of it is published, so fleetgen renders it
// as plain Kubernetes objects (out/<env>/provisioner/), which an Argo CD
// Application syncs. nil when the environment runs none.
type Provisioner struct {
	DeclRange hcl.Range `hcl:",def_range"`

	Image                 string    `hcl:"image,optional"`
	ImageRange            hcl.Range `hcl:"image,attr_value_range"`
	Tag                   string    `hcl:"tag"`
	TagRange              hcl.Range `hcl:"tag,attr_value_range"`
	Namespace             string    `hcl:"namespace,optional"`
	NamespaceRange        hcl.Range `hcl:"namespace,attr_value_range"`
	RoleARN               string    `hcl:"role_arn"`
	RoleARNRange          hcl.Range `hcl:"role_arn,attr_value_range"`
	StateStore            string    `hcl:"state_store"`
	StateStoreRange       hcl.Range `hcl:"state_store,attr_value_range"`
	DatabaseSecret        string    `hcl:"database_secret"`
	DatabaseSecretRange   hcl.Range `hcl:"database_secret,attr_value_range"`
	SSHSecret             string    `hcl:"ssh_secret"`
	SSHSecretRange        hcl.Range `hcl:"ssh_secret,attr_value_range"`
	UtilitiesGitURL       string    `hcl:"utilities_git_url,optional"`
	UtilitiesGitURLRange  hcl.Range `hcl:"utilities_git_url,attr_value_range"`
	UtilitiesGitPath      string    `hcl:"utilities_git_path,optional"`
	UtilitiesGitPathRange hcl.Range `hcl:"utilities_git_path,attr_value_range"`
}

// Public reports whether the app is registered in the public zone.
func (a *App) Public() bool { return a.Visibility == VisibilityPublic }

// WorkloadCluster is one Mattermost Cloud cluster made by the provisioner.
type WorkloadCluster struct {
	ID        string    `hcl:"id,label"`
	IDRange   hcl.Range `hcl:"id,label_range"`
	DeclRange hcl.Range `hcl:",def_range"`

	PrometheusURL      string            `hcl:"prometheus_url,optional"`
	PrometheusURLRange hcl.Range         `hcl:"prometheus_url,attr_value_range"`
	Labels             map[string]string `hcl:"labels,optional"`
	LabelsRange        hcl.Range         `hcl:"labels,attr_value_range"`
	Federate           bool              `hcl:"federate,optional"`
	FederateRange      hcl.Range         `hcl:"federate,attr_value_range"`
}

// Tunnel port layouts of an HA cluster.
const (
	PortsOrdinal = "ordinal"
	PortsDoc     = "doc"
)

// Values of ha_cluster.tunnel_supervision: who keeps the SSH tunnels open.
const (
	// SupervisionSystemd runs one systemd unit per peer whose script
	// reconnects a tunnel that drops; pre_start.sh only waits for them.
	SupervisionSystemd = "systemd"
	// SupervisionRecipe is the published recipe: pre_start.sh starts each
	// tunnel once with `ssh -f`, and a tunnel that drops stays down.
	SupervisionRecipe = "recipe"
)

// HACluster is a self-hosted Mattermost High Availability cluster.
type HACluster struct {
	Name      string    `hcl:"name,label"`
	NameRange hcl.Range `hcl:"name,label_range"`
	DeclRange hcl.Range `hcl:",def_range"`

	MattermostVersion      string    `hcl:"mattermost_version"`
	MattermostVersionRange hcl.Range `hcl:"mattermost_version,attr_value_range"`
	ClusterName            string    `hcl:"cluster_name,optional"`
	ClusterNameRange       hcl.Range `hcl:"cluster_name,attr_value_range"`
	SSHTunnels             bool      `hcl:"ssh_tunnels,optional"`
	SSHTunnelsRange        hcl.Range `hcl:"ssh_tunnels,attr_value_range"`
	GossipEncryption       bool      `hcl:"gossip_encryption,optional"`
	GossipEncryptionRange  hcl.Range `hcl:"gossip_encryption,attr_value_range"`
	GossipCompression      bool      `hcl:"gossip_compression,optional"`
	GossipCompressionRange hcl.Range `hcl:"gossip_compression,attr_value_range"`
	GossipPort             int       `hcl:"gossip_port,optional"`
	GossipPortRange        hcl.Range `hcl:"gossip_port,attr_value_range"`
	StreamingPort          int       `hcl:"streaming_port,optional"`
	StreamingPortRange     hcl.Range `hcl:"streaming_port,attr_value_range"`
	SSHPort                int       `hcl:"ssh_port,optional"`
	SSHPortRange           hcl.Range `hcl:"ssh_port,attr_value_range"`
	TunnelUser             string    `hcl:"tunnel_user,optional"`
	TunnelUserRange        hcl.Range `hcl:"tunnel_user,attr_value_range"`
	TunnelUserHome         string    `hcl:"tunnel_user_home,optional"`
	TunnelUserHomeRange    hcl.Range `hcl:"tunnel_user_home,attr_value_range"`
	ServiceUser            string    `hcl:"service_user,optional"`
	ServiceUserRange       hcl.Range `hcl:"service_user,attr_value_range"`
	ServiceName            string    `hcl:"service_name,optional"`
	ServiceNameRange       hcl.Range `hcl:"service_name,attr_value_range"`
	InstallDir             string    `hcl:"install_dir,optional"`
	InstallDirRange        hcl.Range `hcl:"install_dir,attr_value_range"`
	TunnelPorts            string    `hcl:"tunnel_ports,optional"`
	TunnelPortsRange       hcl.Range `hcl:"tunnel_ports,attr_value_range"`
	TunnelPortBase         int       `hcl:"tunnel_port_base,optional"`
	TunnelPortBaseRange    hcl.Range `hcl:"tunnel_port_base,attr_value_range"`
	TunnelSupervision      string    `hcl:"tunnel_supervision,optional"`
	TunnelSupervisionRange hcl.Range `hcl:"tunnel_supervision,attr_value_range"`
	// PublicAddresses lets nodes have public addresses: an operator's
	// explicit choice, since the cluster ports are then one firewall
	// mistake away from the Internet.
	PublicAddresses      bool      `hcl:"public_addresses,optional"`
	PublicAddressesRange hcl.Range `hcl:"public_addresses,attr_value_range"`

	// Nodes are in ordinal order after Load.
	Nodes []*Node `hcl:"node,block"`

	// Version is MattermostVersion parsed; valid after Load succeeds.
	Version Version
}

// Node is one Mattermost server of an HA cluster.
type Node struct {
	Name      string    `hcl:"name,label"`
	NameRange hcl.Range `hcl:"name,label_range"`
	DeclRange hcl.Range `hcl:",def_range"`

	Address        string    `hcl:"address"`
	AddressRange   hcl.Range `hcl:"address,attr_value_range"`
	Ordinal        int       `hcl:"ordinal,optional"`
	OrdinalRange   hcl.Range `hcl:"ordinal,attr_value_range"`
	HostKey        string    `hcl:"host_key,optional"`
	HostKeyRange   hcl.Range `hcl:"host_key,attr_value_range"`
	TunnelKey      string    `hcl:"tunnel_key,optional"`
	TunnelKeyRange hcl.Range `hcl:"tunnel_key,attr_value_range"`
	// OS is the node's operating system, such as "ubuntu-24.04"; optional,
	// checked against the systems the rendered files support.
	OS      string    `hcl:"os,optional"`
	OSRange hcl.Range `hcl:"os,attr_value_range"`
}

// set reports whether an attribute was written in the inventory: gohcl
// leaves the range of an absent attribute zero.
func set(r hcl.Range) bool { return r.Filename != "" }
