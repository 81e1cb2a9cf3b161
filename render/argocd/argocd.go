package argocd

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/cluster"
	"github.com/mattermost/fleetgen/render/internal/emit"
	"github.com/mattermost/fleetgen/render/layout"
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

// application is an argoproj.io/v1alpha1 Application, with the fields
// fleetgen sets in the order Argo CD's documentation shows them.
type application struct {
	APIVersion string      `yaml:"apiVersion"`
	Kind       string      `yaml:"kind"`
	Metadata   appMetadata `yaml:"metadata"`
	Spec       appSpec     `yaml:"spec"`
}

type appMetadata struct {
	Name        string            `yaml:"name"`
	Namespace   string            `yaml:"namespace"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
	Finalizers  []string          `yaml:"finalizers"`
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
	SkipCrds    bool     `yaml:"skipCrds,omitempty"`
}

type appDestination struct {
	Server    string `yaml:"server"`
	Namespace string `yaml:"namespace"`
}

type appSyncPolicy struct {
	Automated   appAutomated `yaml:"automated"`
	SyncOptions []string     `yaml:"syncOptions"`
	Retry       *appRetry    `yaml:"retry,omitempty"`
}

type appRetry struct {
	Limit   int        `yaml:"limit"`
	Backoff appBackoff `yaml:"backoff"`
}

type appBackoff struct {
	Duration    string `yaml:"duration"`
	Factor      int    `yaml:"factor"`
	MaxDuration string `yaml:"maxDuration"`
}

type appAutomated struct {
	Prune      bool `yaml:"prune"`
	SelfHeal   bool `yaml:"selfHeal"`
	AllowEmpty bool `yaml:"allowEmpty,omitempty"`
}

// Render renders out/<env>/argocd/ (see applications) and out/<env>/k8s/
// (see k8s). Nothing in them is a user mistake validation lets through, so
// it returns no diagnostics.
func Render(env *inventory.Environment) ([]layout.File, hcl.Diagnostics) {
	files := append(applications(env), k8s(env)...)
	return append(files, provisioner(env)...), nil
}

// applications renders out/<env>/argocd/: one Application per delivered
// app, one for out/<env>/k8s, and the kustomization.yaml listing them,
// which the root Application of Terraform layer 2 syncs. An app's
// Application renders its chart, pinned at the app's version, with the
// values file of out/<env>/helm; in a hydrated environment it syncs the
// manifests fleetgen rendered into out/<env>/manifests/<app> instead.
func applications(env *inventory.Environment) []layout.File {
	var files []layout.File
	var resources []string
	add := func(app application) {
		p := layout.Application(env.Name, app.Metadata.Name)
		resources = append(resources, path.Base(p))
		files = append(files, yamlFile(p, env.Name, app))
	}
	for _, app := range env.DeliveredApps() {
		add(appApplication(env, app))
	}
	add(k8sApplication(env))
	if env.Provisioner != nil {
		add(provisionerApplication(env))
	}
	for _, secret := range ociRepositories(env) {
		p := path.Join(layout.ArgoCD(env.Name), secret.Metadata.Name+".yaml")
		resources = append(resources, path.Base(p))
		files = append(files, yamlFile(p, env.Name, secret))
	}
	return append(files, yamlFile(path.Join(layout.ArgoCD(env.Name), layout.Kustomization), env.Name, emit.NewKustomization(resources)))
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
			Labels:     cluster.ManagedBy,
			Finalizers: []string{resourcesFinalizer},
		},
		Spec: appSpec{
			Project:     env.GitOps.Project,
			Destination: appDestination{Server: cluster.InClusterServer, Namespace: namespace},
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
	orderAfterOperators(env, app, &a)
	if g.Hydrate {
		a.Spec.Source = &appSource{RepoURL: g.RepoURL, Path: layout.Committed(layout.Manifests(env.Name, app.Name)), TargetRevision: g.Revision}
		return a
	}
	a.Spec.Sources = []appSource{
		{
			RepoURL:        chartRepoURL(app.Repository),
			Chart:          app.Chart,
			TargetRevision: app.Version,
			Helm: &appHelm{
				ReleaseName: app.Release,
				ValueFiles:  []string{"$" + valuesRef + "/" + layout.Committed(layout.HelmValues(env.Name, app.Name))},
				// One owner per CRD: another release of the chart installs them.
				SkipCrds: !env.OwnsCRDs(app),
			},
		},
		{RepoURL: g.RepoURL, TargetRevision: g.Revision, Ref: valuesRef},
	}
	return a
}

// Sync waves: the root Application applies the Applications of operators
// (whose charts install CRDs) a wave before those of the apps whose
// custom resources need them.
const (
	syncWaveAnnotation = "argocd.argoproj.io/sync-wave"
	operatorWave       = "-1"
)

// orderAfterOperators puts an operator's Application in the wave before
// the others, and lets an app whose custom resources need an operator
// wait for its CRDs: Argo CD assesses no Application's health unless
// argocd-cm says how (docs/argocd.md), so the wave orders the first apply
// without waiting for the operator, and the dependent app's sync skips
// the dry run of resources whose CRD is not there yet and retries until
// it is.
func orderAfterOperators(env *inventory.Environment, app *inventory.App, a *application) {
	for dependent, op := range inventory.Operators {
		if app.Name == op {
			a.Metadata.Annotations = map[string]string{syncWaveAnnotation: operatorWave}
		}
		if app.Name == dependent && env.EnabledApp(op) != nil {
			a.Spec.SyncPolicy.SyncOptions = append(slices.Clone(a.Spec.SyncPolicy.SyncOptions), "SkipDryRunOnMissingResource=true")
			a.Spec.SyncPolicy.Retry = &appRetry{Limit: 10, Backoff: appBackoff{Duration: "30s", Factor: 2, MaxDuration: "10m"}}
		}
	}
}

// repositorySecret is an Argo CD repository declaration: a Secret that
// Argo CD reads by its label (declarative setup).
type repositorySecret struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   secretMetadata    `yaml:"metadata"`
	Type       string            `yaml:"type"`
	StringData map[string]string `yaml:"stringData"`
}

type secretMetadata struct {
	Name      string            `yaml:"name"`
	Namespace string            `yaml:"namespace"`
	Labels    map[string]string `yaml:"labels"`
}

// ociRepositories declare to Argo CD every OCI chart repository an
// Application of env pulls a chart from: a Helm chart from an OCI
// registry needs a repository with enableOCI (Argo CD's Helm and
// declarative setup documentation). The repositories fleetgen knows are
// public, so the declaration holds no credential; a private one gets its
// credentials from a credential template Secret made outside git
// (docs/argocd.md).
func ociRepositories(env *inventory.Environment) []repositorySecret {
	if env.GitOps.Hydrate {
		return nil // the Applications sync this repository's manifests
	}
	var repos []string
	for _, app := range env.DeliveredApps() {
		if strings.HasPrefix(app.Repository, ociScheme) {
			repos = append(repos, chartRepoURL(app.Repository))
		}
	}
	slices.Sort(repos)
	var secrets []repositorySecret
	for _, repo := range slices.Compact(repos) {
		labels := maps.Clone(cluster.ManagedBy)
		labels["argocd.argoproj.io/secret-type"] = "repository"
		secrets = append(secrets, repositorySecret{
			APIVersion: "v1",
			Kind:       "Secret",
			Metadata: secretMetadata{
				Name:      "fleetgen-repo-" + strings.NewReplacer("/", "-", ".", "-", ":", "-").Replace(repo),
				Namespace: env.GitOps.ArgoCDNamespace,
				Labels:    labels,
			},
			Type:       "Opaque",
			StringData: map[string]string{"name": repo, "type": "helm", "url": repo, "enableOCI": "true"},
		})
	}
	return secrets
}

// k8sApplication syncs out/<env>/k8s. Every object there names its own
// namespace; the destination namespace is Argo CD's, which always exists.
// An empty k8s/ is legitimate (no Grafana), so the Application may prune
// its last object.
func k8sApplication(env *inventory.Environment) application {
	a := newApplication(env, cluster.K8sApplication, env.GitOps.ArgoCDNamespace)
	g := env.GitOps
	a.Spec.Source = &appSource{RepoURL: g.RepoURL, Path: layout.Committed(layout.K8s(env.Name)), TargetRevision: g.Revision}
	a.Spec.SyncPolicy.Automated.AllowEmpty = true
	return a
}

// chartRepoURL is a chart repository as an Application's repoURL. Argo CD
// takes an OCI Helm repository without its scheme, with the chart in the
// chart field, and a repository declared with enableOCI for that URL (see
// ociRepositories). The oci:// form is Argo CD 3.1's OCI artifact source,
// which takes no chart field and would need the chart in the URL and
// path ".".
func chartRepoURL(repo string) string {
	return strings.TrimPrefix(repo, ociScheme)
}

// yamlFile is v as the YAML file at p. Every document here is typed and
// holds only strings, so an encoding failure is a bug of ours.
func yamlFile(p, env string, v any) layout.File {
	data, err := emit.YAML(env, v)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", p, err))
	}
	return layout.File{Path: p, Mode: layout.ModeFile, Data: data}
}
