package inventory

import "github.com/hashicorp/hcl/v2"

// Registration is the registration service (fleetgen serve) of an
// environment: it runs in the C&C cluster, takes the provisioner's cluster
// events and pushes them as inventory changes (docs/registration.md).
type Registration struct {
	DeclRange hcl.Range `hcl:",def_range"`

	// Image is fleetgen's container image, pinned by digest.
	Image      string    `hcl:"image"`
	ImageRange hcl.Range `hcl:"image,attr_value_range"`
	// PushURL is the SSH URL the service pushes its branch to; its key can
	// push only that branch namespace.
	PushURL      string    `hcl:"push_url"`
	PushURLRange hcl.Range `hcl:"push_url,attr_value_range"`
	// KnownHosts are the git server's SSH host keys, known_hosts lines.
	KnownHosts      []string  `hcl:"known_hosts"`
	KnownHostsRange hcl.Range `hcl:"known_hosts,attr_value_range"`

	Namespace                   string    `hcl:"namespace,optional"`
	NamespaceRange              hcl.Range `hcl:"namespace,attr_value_range"`
	ProvisionerNamespace        string    `hcl:"provisioner_namespace,optional"`
	ProvisionerNamespaceRange   hcl.Range `hcl:"provisioner_namespace,attr_value_range"`
	ProvisionerEnvironment      string    `hcl:"provisioner_environment,optional"`
	ProvisionerEnvironmentRange hcl.Range `hcl:"provisioner_environment,attr_value_range"`
	StorageSize                 string    `hcl:"storage_size,optional"`
	StorageSizeRange            hcl.Range `hcl:"storage_size,attr_value_range"`
	StorageClass                string    `hcl:"storage_class,optional"`
	StorageClassRange           hcl.Range `hcl:"storage_class,attr_value_range"`
}

// The registration service's defaults (docs/inventory.md).
const (
	DefaultRegistrationNamespace = "fleetgen"
	DefaultRegistrationStorage   = "1Gi"
	// DefaultProvisionerNamespace is the provisioner block's namespace
	// when it does not name one.
	DefaultProvisionerNamespace = "mattermost-cloud"
)

func registrationDefaults(env *Environment) {
	r := env.Registration
	if r == nil {
		return
	}
	setDefault(&r.Namespace, r.NamespaceRange, DefaultRegistrationNamespace)
	provisionerNamespace := DefaultProvisionerNamespace
	if p := env.Provisioner; p != nil {
		provisionerNamespace = p.Namespace
	}
	setDefault(&r.ProvisionerNamespace, r.ProvisionerNamespaceRange, provisionerNamespace)
	setDefault(&r.ProvisionerEnvironment, r.ProvisionerEnvironmentRange, env.Name)
	setDefault(&r.StorageSize, r.StorageSizeRange, DefaultRegistrationStorage)
}
