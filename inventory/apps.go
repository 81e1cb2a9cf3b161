package inventory

// AppDefaults are what a known app needs besides its version.
type AppDefaults struct {
	Chart      string
	Repository string
	Namespace  string
}

// KnownApps are the apps of the C&C cluster that fleetgen knows how to
// configure; any other app label is a custom app.
var KnownApps = map[string]AppDefaults{
	"prometheus":        {"prometheus", "https://prometheus-community.github.io/helm-charts", "monitoring"},
	"prometheus-client": {"prometheus", "https://prometheus-community.github.io/helm-charts", "monitoring"},
	"grafana":           {"grafana", "https://grafana.github.io/helm-charts", "monitoring"},
	"elasticsearch":     {"elasticsearch", "https://helm.elastic.co", "logging"},
	"kibana":            {"kibana", "https://helm.elastic.co", "logging"},
	"fluentd":           {"fluentd", "https://fluent.github.io/helm-charts", "logging"},
	"nginx-internal":    {"ingress-nginx", "https://kubernetes.github.io/ingress-nginx", "network"},
	"nginx":             {"ingress-nginx", "https://kubernetes.github.io/ingress-nginx", "network"},
	"mattermost-cloud":  {"mattermost-cloud", "https://helm.mattermost.com", "mattermost-cloud"},
}
