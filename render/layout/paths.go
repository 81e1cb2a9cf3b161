package layout

import "path"

// CommittedDir is the folder of the repository the rendered tree is
// committed in, whatever --out says for a run: the Argo CD Applications
// and Terraform's root Application name their sources by it.
const CommittedDir = "out"

// fleetgen's own bookkeeping files, directly under out/.
const (
	// ManifestName lists every file fleetgen wrote, with its hash.
	ManifestName = ".fleetgen-manifest.json"
	// JournalName is the plan of an interrupted render, finished by the next.
	JournalName = ".fleetgen-journal.json"
	// LockName is the file a render locks exclusively and a check shared.
	LockName = ".fleetgen.lock"
)

// Folders of an environment.
const (
	prometheusDir  = "prometheus"
	helmDir        = "helm"
	argoCDDir      = "argocd"
	k8sDir         = "k8s"
	manifestsDir   = "manifests"
	provisionerDir = "provisioner"
	utilitiesDir   = "utilities"
	terraformDir   = "terraform"
	haDir          = "ha"
)

// Files with a fixed name.
const (
	readmeName = "README.md"
	// Kustomization is the file name that makes a folder a kustomization.
	Kustomization = "kustomization.yaml"
	// HAKnownHosts is the cluster file, next to the node folders, that pins
	// every node's SSH host key for the machine that applies them.
	HAKnownHosts = "known_hosts"
	// HAApply is the script of a node folder that installs it.
	HAApply = "apply.sh"
)

// Terraform layers of an environment, in the order they are applied: each
// reads the outputs of 1-cluster through terraform_remote_state.
const (
	LayerCluster = "1-cluster"
	LayerPost    = "2-cluster-post-installation"
	LayerRoute53 = "3-route53-registration"
)

// Layers lists the layers in apply order.
var Layers = []string{LayerCluster, LayerPost, LayerRoute53}

// PrometheusRulesRef is the rules file as prometheus.yml's rule_files names
// it: relative paths are resolved against the configuration file's folder.
const PrometheusRulesRef = "rules/federation.rules.yml"

// EnvReadme is out/<env>/README.md: what the folder holds and how it is applied.
func EnvReadme(env string) string { return path.Join(env, readmeName) }

// PrometheusConfig is the central Prometheus configuration of env.
func PrometheusConfig(env string) string { return path.Join(env, prometheusDir, "prometheus.yml") }

// PrometheusRules is the alerting rules file beside PrometheusConfig.
func PrometheusRules(env string) string { return path.Join(env, prometheusDir, PrometheusRulesRef) }

// AlertmanagerConfig is the central Alertmanager's configuration of env,
// beside PrometheusConfig.
func AlertmanagerConfig(env string) string { return path.Join(env, prometheusDir, "alertmanager.yml") }

// HelmValues is the values file of an app's chart.
func HelmValues(env, app string) string { return path.Join(env, helmDir, app+".values.yaml") }

// ArgoCD is the folder of env's Applications, a kustomization.
func ArgoCD(env string) string { return path.Join(env, argoCDDir) }

// Application is the file of one Argo CD Application.
func Application(env, name string) string { return path.Join(ArgoCD(env), name+".yaml") }

// K8s is the folder of the plain objects fleetgen owns, a kustomization.
func K8s(env string) string { return path.Join(env, k8sDir) }

// Registration is the folder of the registration service's objects, a
// kustomization inside K8s.
func Registration(env string) string { return path.Join(K8s(env), RegistrationDir) }

// RegistrationDir is Registration's folder name inside K8s.
const RegistrationDir = "registration"

// Provisioner is the folder of the provisioner's objects, a kustomization.
func Provisioner(env string) string { return path.Join(env, provisionerDir) }

// Utilities is the folder of the values the provisioner installs its
// utilities with into the workload clusters it creates
// (--utilities-git-path).
func Utilities(env string) string { return path.Join(env, utilitiesDir) }

// Manifests is the folder of an app's hydrated manifests, a kustomization.
func Manifests(env, app string) string { return path.Join(env, manifestsDir, app) }

// TerraformFile is one file of a Terraform layer's root module.
func TerraformFile(env, layer, name string) string { return path.Join(env, terraformDir, layer, name) }

// TerraformDir is the folder of env's Terraform layers.
func TerraformDir(env string) string { return path.Join(env, terraformDir) }

// HACluster is the folder of one HA cluster.
func HACluster(env, cluster string) string { return path.Join(env, haDir, cluster) }

// HAClusterReadme is the operators' README of an HA cluster.
func HAClusterReadme(env, cluster string) string {
	return path.Join(HACluster(env, cluster), readmeName)
}

// HAClusterKnownHosts is the known_hosts file of an HA cluster.
func HAClusterKnownHosts(env, cluster string) string {
	return path.Join(HACluster(env, cluster), HAKnownHosts)
}

// HANode is the folder of one HA node, laid out as the node's disk.
func HANode(env, cluster, node string) string { return path.Join(HACluster(env, cluster), node) }

// HANodeFile is a file of a node folder at the absolute path abs on the node.
func HANodeFile(env, cluster, node, abs string) string {
	return path.Join(HANode(env, cluster, node), NodePath(abs))
}

// NodePath is where an absolute path on a node sits in its node folder:
// the folder mirrors the node's disk.
func NodePath(abs string) string { return path.Clean(abs)[1:] }

// Committed is p, relative to out/, as a path of the repository.
func Committed(p string) string { return path.Join(CommittedDir, p) }
