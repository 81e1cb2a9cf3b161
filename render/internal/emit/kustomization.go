package emit

// Kustomization is the subset of kustomize.config.k8s.io/v1beta1
// Kustomization fleetgen writes, in the order kustomize documents it.
type Kustomization struct {
	APIVersion         string               `yaml:"apiVersion"`
	Kind               string               `yaml:"kind"`
	Namespace          string               `yaml:"namespace,omitempty"`
	Resources          []string             `yaml:"resources"`
	GeneratorOptions   *GeneratorOptions    `yaml:"generatorOptions,omitempty"`
	ConfigMapGenerator []ConfigMapGenerator `yaml:"configMapGenerator,omitempty"`
}

// GeneratorOptions are a kustomization's or a generator's options.
type GeneratorOptions struct {
	Labels                map[string]string `yaml:"labels,omitempty"`
	DisableNameSuffixHash bool              `yaml:"disableNameSuffixHash,omitempty"`
}

// ConfigMapGenerator makes a ConfigMap from files of the kustomization.
type ConfigMapGenerator struct {
	Name      string            `yaml:"name"`
	Namespace string            `yaml:"namespace"`
	Files     []string          `yaml:"files"`
	Options   *GeneratorOptions `yaml:"options,omitempty"`
}

// NewKustomization lists resources (none is an empty list, never null).
func NewKustomization(resources []string) Kustomization {
	if resources == nil {
		resources = []string{}
	}
	return Kustomization{APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization", Resources: resources}
}
