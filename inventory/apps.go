package inventory

import "slices"

// AppDefaults are what a known app needs besides its version.
type AppDefaults struct {
	Chart      string
	Repository string
	Namespace  string
}

// KnownApps are the apps of the C&C cluster that fleetgen knows how to
// configure; any other app label is a custom app. The charts are ones their
// authors still maintain (docs/monitoring.md says why each was chosen):
// Grafana's chart moved to the grafana-community repository in 2026,
// Elastic replaced its elasticsearch and kibana charts with the ECK ones
// (which need the ECK operator, the eck-operator app), and the community ingress-nginx was
// retired in March 2026, so both ingress controllers are F5 NGINX's
// nginx-ingress chart.
var KnownApps = map[string]AppDefaults{
	"prometheus":        {"prometheus", "https://prometheus-community.github.io/helm-charts", "monitoring"},
	"prometheus-client": {"prometheus", "https://prometheus-community.github.io/helm-charts", "monitoring"},
	"grafana":           {"grafana", "https://grafana-community.github.io/helm-charts", "monitoring"},
	"elasticsearch":     {"eck-elasticsearch", "https://helm.elastic.co", "logging"},
	"kibana":            {"eck-kibana", "https://helm.elastic.co", "logging"},
	"fluentd":           {"fluentd", "https://fluent.github.io/helm-charts", "logging"},
	"fluent-bit":        {"fluent-bit", "https://fluent.github.io/helm-charts", "logging"},
	"nginx-internal":    {"nginx-ingress", "oci://ghcr.io/nginx/charts", "network"},
	"nginx":             {"nginx-ingress", "oci://ghcr.io/nginx/charts", "network"},
	"eck-operator":      {"eck-operator", "https://helm.elastic.co", "elastic-system"},
}

// ProvisionerApp is the name of the provisioner's Application; no chart of
// it exists, so it is a provisioner block, not an app.
const ProvisionerApp = "mattermost-cloud"

// ProvisionerImage is the provisioner's image as its release workflow
// publishes it: mattermost/mattermost-cloud:<release tag>.
const ProvisionerImage = "mattermost/mattermost-cloud"

// Operators are the apps whose chart installs the CRDs and controller
// another app's custom resources need, by the app that needs them: the
// eck-elasticsearch and eck-kibana charts only create Elasticsearch and
// Kibana resources.
var Operators = map[string]string{
	"elasticsearch": "eck-operator",
	"kibana":        "eck-operator",
}

// OwnsCRDs reports whether app installs its chart's CRDs. Of the
// delivered apps with one chart, one does: the private ingress controller
// when the chart is its, else the first in inventory order. Every other
// release of the chart (nginx beside nginx-internal) skips them, so every
// CRD has one owner, and the owner is the release that stays longest:
// removing the public controller must not delete the CRDs (and every
// custom resource of them) with its Application.
func (e *Environment) OwnsCRDs(app *App) bool {
	var owner *App
	for _, a := range e.DeliveredApps() {
		if a.Chart == app.Chart && a.Repository == app.Repository && (owner == nil || a.Name == IngressPrivate) {
			owner = a
		}
	}
	return owner == app
}

// EnabledApp returns the enabled app of env with that name, or nil.
func (e *Environment) EnabledApp(name string) *App {
	for _, a := range e.Apps {
		if a.Name == name && a.Enabled {
			return a
		}
	}
	return nil
}

// The ingress controller charts whose values fleetgen knows.
const (
	ChartF5NGINX      = "nginx-ingress" // F5 NGINX's controller, the default
	ChartIngressNGINX = "ingress-nginx" // Kubernetes' community controller, retired in 2026
)

// The ingress apps. Each app's name is also the ingress class it serves.
const (
	IngressPrivate = "nginx-internal"
	IngressPublic  = "nginx"
)

// IngressAnnotationPrefixes are the ingress annotations each controller
// chart reads; the other controller ignores them without a word.
var IngressAnnotationPrefixes = map[string][]string{
	ChartF5NGINX:      {"nginx.org/", "nginx.com/"},
	ChartIngressNGINX: {"nginx.ingress.kubernetes.io/"},
}

// IngressApp is the app whose controller serves a's ingress, which is also
// the ingress class of a's Ingress.
func (a *App) IngressApp() string {
	if a.Public() {
		return IngressPublic
	}
	return IngressPrivate
}

// DeliveredApps are the apps of e that run on its C&C cluster, in
// inventory order: the enabled ones, without the public ingress controller
// when no app is public. Each gets a values file and an Application.
func (e *Environment) DeliveredApps() []*App {
	anyPublic := slices.ContainsFunc(e.Apps, func(a *App) bool { return a.Enabled && a.Public() })
	var apps []*App
	for _, app := range e.Apps {
		if app.Enabled && (app.Name != IngressPublic || anyPublic) {
			apps = append(apps, app)
		}
	}
	return apps
}

// HydratedApps are the apps whose charts a render of inv hydrates: the
// delivered apps of every environment with gitops.hydrate set.
func (inv *Inventory) HydratedApps() []*App {
	var apps []*App
	for _, env := range inv.Environments {
		if env.GitOps.Hydrate {
			apps = append(apps, env.DeliveredApps()...)
		}
	}
	return apps
}

// HostName is the fully qualified name a's ingress serves, in the public
// or the private zone as its visibility says, or "" when a has no host.
func (e *Environment) HostName(a *App) string {
	switch {
	case a.Host == "":
		return ""
	case a.Public():
		return a.Host + "." + e.DNS.PublicDomain
	}
	return a.Host + "." + e.DNS.PrivateDomain
}
