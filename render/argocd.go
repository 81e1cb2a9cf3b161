package render

import (
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/inventory"
)

// Argo CD's Application resource, and the options every Application of an
// environment shares.
const (
	applicationAPIVersion = "argoproj.io/v1alpha1"
	applicationKind       = "Application"
	// resourcesFinalizer makes Argo CD delete an Application's resources
	// before the Application itself: when an app leaves the inventory, the
	// root Application prunes its Application, and the app goes with it.
	resourcesFinalizer = "resources-finalizer.argocd.argoproj.io"
	// k8sAppName is the Application of out/<env>/k8s.
	k8sAppName = "fleetgen-k8s"
	// valuesRef is the ref of this repository's source in a multi-source
	// Application: helm.valueFiles read $values/out/<env>/helm/….
	valuesRef = "values"
	// ociScheme is how the inventory writes an OCI chart repository.
	ociScheme = "oci://"
)

// syncOptions are the sync options of every Application.
// CreateNamespace=true lets an app sync before layer 2 made its namespace.
// ServerSideApply=true because client-side apply copies each object into
// the kubectl.kubernetes.io/last-applied-configuration annotation, and
// annotations are limited to 256 KiB: the central Prometheus' ConfigMap
// (its federation targets) and the CRDs some charts carry pass that long
// before Kubernetes' 1 MiB object limit.
var syncOptions = []string{"CreateNamespace=true", "ServerSideApply=true"}

// reservedAppNames are Application names fleetgen uses itself, so no app of
// the inventory may be called so: the root Application Terraform layer 2
// creates, and the Application of out/<env>/k8s.
var reservedAppNames = []string{rootAppName, k8sAppName}

// application is an argoproj.io/v1alpha1 Application, with the fields
// fleetgen sets in the order Argo CD's documentation shows them.
type application struct {
	APIVersion string      `yaml:"apiVersion"`
	Kind       string      `yaml:"kind"`
	Metadata   appMetadata `yaml:"metadata"`
	Spec       appSpec     `yaml:"spec"`
}

type appMetadata struct {
	Name       string            `yaml:"name"`
	Namespace  string            `yaml:"namespace"`
	Labels     map[string]string `yaml:"labels"`
	Finalizers []string          `yaml:"finalizers"`
}

type appSpec struct {
	Project     string         `yaml:"project"`
	Source      *appSource     `yaml:"source,omitempty"`
	Sources     []appSource    `yaml:"sources,omitempty"`
	Destination appDestination `yaml:"destination"`
	SyncPolicy  appSyncPolicy  `yaml:"syncPolicy"`
}

type appSource struct {
	RepoURL        string   `yaml:"repoURL"`
	Chart          string   `yaml:"chart,omitempty"`
	Path           string   `yaml:"path,omitempty"`
	TargetRevision string   `yaml:"targetRevision"`
	Ref            string   `yaml:"ref,omitempty"`
	Helm           *appHelm `yaml:"helm,omitempty"`
}

type appHelm struct {
	ReleaseName string   `yaml:"releaseName"`
	ValueFiles  []string `yaml:"valueFiles"`
}

type appDestination struct {
	Server    string `yaml:"server"`
	Namespace string `yaml:"namespace"`
}

type appSyncPolicy struct {
	Automated   appAutomated `yaml:"automated"`
	SyncOptions []string     `yaml:"syncOptions"`
}

type appAutomated struct {
	Prune      bool `yaml:"prune"`
	SelfHeal   bool `yaml:"selfHeal"`
	AllowEmpty bool `yaml:"allowEmpty,omitempty"`
}

// kustomization is the subset of kustomize.config.k8s.io/v1beta1
// Kustomization fleetgen writes.
type kustomization struct {
	APIVersion         string               `yaml:"apiVersion"`
	Kind               string               `yaml:"kind"`
	Resources          []string             `yaml:"resources"`
	GeneratorOptions   *generatorOptions    `yaml:"generatorOptions,omitempty"`
	ConfigMapGenerator []configMapGenerator `yaml:"configMapGenerator,omitempty"`
}

type generatorOptions struct {
	Labels                map[string]string `yaml:"labels,omitempty"`
	DisableNameSuffixHash bool              `yaml:"disableNameSuffixHash,omitempty"`
}

type configMapGenerator struct {
	Name      string            `yaml:"name"`
	Namespace string            `yaml:"namespace"`
	Files     []string          `yaml:"files"`
	Options   *generatorOptions `yaml:"options,omitempty"`
}

func newKustomization(resources []string) kustomization {
	if resources == nil {
		resources = []string{}
	}
	return kustomization{APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization", Resources: resources}
}

// managedBy labels what fleetgen renders for Kubernetes.
var managedBy = map[string]string{"app.kubernetes.io/managed-by": "fleetgen"}

// ArgoCD renders out/<env>/argocd/: one Application per delivered app, one
// for out/<env>/k8s, and the kustomization.yaml listing them, which the
// root Application of Terraform layer 2 syncs. An app's Application renders
// its chart, pinned at the app's version, with the values file of
// out/<env>/helm; in a hydrated environment it syncs the manifests fleetgen
// rendered into out/<env>/manifests/<app> instead.
func ArgoCD(env *inventory.Environment) ([]File, error) {
	dir := path.Join(env.Name, "argocd")
	var files []File
	var resources []string
	add := func(app application) error {
		data, err := marshalYAML(env.Name, app)
		if err != nil {
			return err
		}
		name := app.Metadata.Name + ".yaml"
		resources = append(resources, name)
		files = append(files, File{Path: path.Join(dir, name), Mode: ModeFile, Data: data})
		return nil
	}
	for _, app := range DeliveredApps(env) {
		for _, reserved := range reservedAppNames {
			if app.Name == reserved {
				return nil, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Reserved app name",
					Detail: fmt.Sprintf("The app name %q is the name of an Argo CD Application fleetgen makes itself (%s); give the app another name.",
						app.Name, strings.Join(reservedAppNames, ", ")),
					Subject: app.NameRange.Ptr(),
				}
			}
		}
		if err := add(appApplication(env, app)); err != nil {
			return nil, err
		}
	}
	if err := add(k8sApplication(env)); err != nil {
		return nil, err
	}
	data, err := marshalYAML(env.Name, newKustomization(resources))
	if err != nil {
		return nil, err
	}
	files = append(files, File{Path: path.Join(dir, "kustomization.yaml"), Mode: ModeFile, Data: data})
	return files, nil
}

// newApplication is an Application of env with fleetgen's metadata,
// destination and sync policy.
func newApplication(env *inventory.Environment, name, namespace string) application {
	return application{
		APIVersion: applicationAPIVersion,
		Kind:       applicationKind,
		Metadata: appMetadata{
			Name:       name,
			Namespace:  env.GitOps.ArgoCDNamespace,
			Labels:     managedBy,
			Finalizers: []string{resourcesFinalizer},
		},
		Spec: appSpec{
			Project:     env.GitOps.Project,
			Destination: appDestination{Server: inClusterServer, Namespace: namespace},
			SyncPolicy: appSyncPolicy{
				Automated:   appAutomated{Prune: true, SelfHeal: true},
				SyncOptions: syncOptions,
			},
		},
	}
}

// appApplication delivers one app: its chart from its repository with the
// values file from this repository, or, hydrated, the rendered manifests.
func appApplication(env *inventory.Environment, app *inventory.App) application {
	a := newApplication(env, app.Name, app.Namespace)
	g := env.GitOps
	if g.Hydrate {
		a.Spec.Source = &appSource{RepoURL: g.RepoURL, Path: ManifestsPath(env, app), TargetRevision: g.Revision}
		return a
	}
	a.Spec.Sources = []appSource{
		{
			RepoURL:        chartRepoURL(app.Repository),
			Chart:          app.Chart,
			TargetRevision: app.Version,
			Helm: &appHelm{
				ReleaseName: app.Release,
				ValueFiles:  []string{"$" + valuesRef + "/" + path.Join("out", env.Name, "helm", app.Name+".values.yaml")},
			},
		},
		{RepoURL: g.RepoURL, TargetRevision: g.Revision, Ref: valuesRef},
	}
	return a
}

// k8sApplication syncs out/<env>/k8s. Every object there names its own
// namespace; the destination namespace is Argo CD's, which always exists.
// An empty k8s/ is legitimate (no Grafana), so the Application may prune
// its last object.
func k8sApplication(env *inventory.Environment) application {
	a := newApplication(env, k8sAppName, env.GitOps.ArgoCDNamespace)
	g := env.GitOps
	a.Spec.Source = &appSource{RepoURL: g.RepoURL, Path: K8sPath(env), TargetRevision: g.Revision}
	a.Spec.SyncPolicy.Automated.AllowEmpty = true
	return a
}

// chartRepoURL is a chart repository as an Application's repoURL. Argo CD
// takes an OCI Helm repository without its scheme: a repoURL with no
// scheme is an OCI registry (util/helm IsHelmOciRepo), pulled as
// oci://<repoURL>/<chart> with no repository registered beforehand. The
// oci:// form is Argo CD 3.1's OCI artifact source, which takes no chart
// field and would need the chart in the URL and path ".".
func chartRepoURL(repo string) string {
	return strings.TrimPrefix(repo, ociScheme)
}

// ManifestsPath is the folder of the repository that holds the hydrated
// manifests of app, synced by its Application in a hydrated environment.
func ManifestsPath(env *inventory.Environment, app *inventory.App) string {
	return path.Join("out", env.Name, "manifests", app.Name)
}

// K8sPath is the folder of the repository the fleetgen-k8s Application syncs.
func K8sPath(env *inventory.Environment) string { return path.Join("out", env.Name, "k8s") }
