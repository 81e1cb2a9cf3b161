package argocd

import (
	_ "embed"
	"path"

	"github.com/zclconf/go-cty/cty"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/cluster"
	"github.com/mattermost/fleetgen/render/internal/emit"
	"github.com/mattermost/fleetgen/render/layout"
)

//go:embed dashboards/federation.json
var federationDashboard string

// dashboard is a Grafana dashboard fleetgen owns, by name.
type dashboard struct {
	Name string
	JSON string
}

// dashboards are fleetgen's Grafana dashboards, in file name order.
var dashboards = []dashboard{{"federation", federationDashboard}}

// dashboardsDir is the folder of the dashboards in out/<env>/k8s.
const dashboardsDir = "dashboards"

// k8s renders out/<env>/k8s/: the plain Kubernetes objects fleetgen owns,
// as a kustomization the fleetgen-k8s Application syncs. Today these are
// Grafana's dashboards, one ConfigMap each from a configMapGenerator, which
// the chart's sidecar loads (the grafana values turn it on, watching
// cluster.DashboardLabel). The kustomization is rendered even when it has
// nothing to generate, so every environment has the same layout and the
// first object added later changes nothing in argocd/.
//
// The dashboard ConfigMaps keep a fixed name (no kustomize hash suffix):
// the sidecar watches them by label and reloads a changed dashboard in
// place, so a new name would buy nothing, and it would cost the dashboard:
// when the pruned old ConfigMap is deleted the sidecar deletes the files of
// its keys, which are the new ConfigMap's too.
//
// The central Prometheus' configuration is not here: the helm family
// passes it through the chart's values.
func k8s(env *inventory.Environment) []layout.File {
	dir := layout.K8s(env.Name)
	k := emit.NewKustomization(nil)
	if env.Registration != nil {
		// The registration service's objects: the registration family.
		k.Resources = append(k.Resources, layout.RegistrationDir)
	}
	var files []layout.File
	if grafana := env.EnabledApp("grafana"); grafana != nil {
		k.GeneratorOptions = &emit.GeneratorOptions{Labels: cluster.ManagedBy}
		for _, d := range dashboards {
			file := path.Join(dashboardsDir, d.Name+".json")
			files = append(files, layout.File{Path: path.Join(dir, file), Mode: layout.ModeFile, Data: []byte(d.JSON)})
			k.ConfigMapGenerator = append(k.ConfigMapGenerator, emit.ConfigMapGenerator{
				Name:      "fleetgen-dashboard-" + d.Name,
				Namespace: grafana.Namespace,
				Files:     []string{file},
				Options: &emit.GeneratorOptions{
					Labels:                map[string]string{cluster.DashboardLabel: cluster.DashboardLabelValue},
					DisableNameSuffixHash: true,
				},
			})
		}
	}
	for _, ing := range eckIngresses(env) {
		name := "ingress-" + ing.Metadata["name"].(string) + ".yaml"
		k.Resources = append(k.Resources, name)
		files = append(files, yamlFile(path.Join(dir, name), env.Name, ing))
	}
	return append(files, yamlFile(path.Join(dir, layout.Kustomization), env.Name, k))
}

// eckServices are the HTTPS Services ECK makes for each ECK app, by app
// name: "<fullname>-<suffix>" on a port.
var eckServices = map[string]struct {
	suffix string
	port   int
}{
	"elasticsearch": {"-es-http", 9200},
	"kibana":        {"-kb-http", 5601},
}

// inventoryAnnotations are the string annotations the inventory's values
// give the app's ingress (values.ingress.annotations, the ECK charts'
// place for them), such as the authentication a public Kibana needs: the
// Ingress fleetgen renders instead of the chart's carries them.
func inventoryAnnotations(app *inventory.App) map[string]any {
	out := map[string]any{}
	v := app.Values
	for _, key := range []string{"ingress", "annotations"} {
		if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
			return out
		}
		if v.Type().IsObjectType() && !v.Type().HasAttribute(key) || v.Type().IsMapType() && !v.HasIndex(cty.StringVal(key)).True() {
			return out
		}
		if v.Type().IsMapType() {
			v = v.Index(cty.StringVal(key))
		} else {
			v = v.GetAttr(key)
		}
	}
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return out
	}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.Type() == cty.String && e.IsKnown() && !e.IsNull() {
			out[k.AsString()] = e.AsString()
		}
	}
	return out
}

// ingressObject is a networking.k8s.io/v1 Ingress.
type ingressObject struct {
	APIVersion string         `yaml:"apiVersion"`
	Kind       string         `yaml:"kind"`
	Metadata   map[string]any `yaml:"metadata"`
	Spec       map[string]any `yaml:"spec"`
}

// eckIngresses are the Ingresses of the ECK apps with a host. The ECK
// charts' own Ingress names, with TLS on, the certificate Secret ECK
// generates for the service, which is not of type kubernetes.io/tls; so
// fleetgen writes them as it writes every other ingress: TLS for the host
// with no secretName, served with the certificate the ingress controller
// declares (validation requires it). ECK serves HTTPS only, with its own
// CA, so the controller is told to talk TLS to the service, each
// controller by its own annotation; Elasticsearch still asks every client
// for its credentials, so reaching it through the private ingress does
// not bypass its authentication.
func eckIngresses(env *inventory.Environment) []ingressObject {
	var out []ingressObject
	for _, app := range env.DeliveredApps() {
		svc, ok := eckServices[app.Name]
		host := env.HostName(app)
		if !ok || host == "" || !app.Known || app.Chart != inventory.KnownApps[app.Name].Chart {
			continue
		}
		service := app.Release + svc.suffix
		class := app.IngressApp()
		annotations := inventoryAnnotations(app)
		if c := env.EnabledApp(class); c != nil && c.Chart == inventory.ChartIngressNGINX {
			annotations["nginx.ingress.kubernetes.io/backend-protocol"] = "HTTPS"
		} else {
			annotations["nginx.org/ssl-services"] = service
		}
		out = append(out, ingressObject{
			APIVersion: "networking.k8s.io/v1",
			Kind:       "Ingress",
			Metadata: map[string]any{
				"name": app.Release, "namespace": app.Namespace,
				"labels": cluster.ManagedBy, "annotations": annotations,
			},
			Spec: map[string]any{
				"ingressClassName": class,
				"tls":              []any{map[string]any{"hosts": []any{host}}},
				"rules": []any{map[string]any{
					"host": host,
					"http": map[string]any{"paths": []any{map[string]any{
						"path": "/", "pathType": "Prefix",
						"backend": map[string]any{"service": map[string]any{"name": service, "port": map[string]any{"number": svc.port}}},
					}}},
				}},
			},
		})
	}
	return out
}
