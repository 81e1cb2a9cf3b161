package render

import (
	"path"

	"github.com/mattermost/fleetgen/inventory"
)

// Grafana's dashboard sidecar loads every ConfigMap of its namespace that
// carries this label with this value (the chart's sidecar.dashboards.label
// and labelValue).
const (
	dashboardLabel      = "grafana_dashboard"
	dashboardLabelValue = "1"
)

// dashboard is a Grafana dashboard fleetgen owns, by name.
type dashboard struct {
	Name string
	JSON string
}

// dashboards are fleetgen's Grafana dashboards, in file name order.
var dashboards = []dashboard{{"federation", federationDashboard}}

// K8s renders out/<env>/k8s/: the plain Kubernetes objects fleetgen owns,
// as a kustomization the fleetgen-k8s Application syncs. Today these are
// Grafana's dashboards, one ConfigMap each from a configMapGenerator, which
// the chart's sidecar loads. The kustomization is rendered even when it has
// nothing to generate, so every environment has the same layout and the
// first object added later changes nothing in argocd/.
//
// The dashboard ConfigMaps keep a fixed name (no kustomize hash suffix):
// the sidecar watches them by label and reloads a changed dashboard in
// place, so a new name would buy nothing, and it would cost the dashboard:
// when the pruned old ConfigMap is deleted the sidecar deletes the files of
// its keys, which are the new ConfigMap's too.
//
// The central Prometheus' configuration is not here: see Helm, which
// passes it through the chart's values.
func K8s(env *inventory.Environment) ([]File, error) {
	dir := path.Join(env.Name, "k8s")
	k := newKustomization(nil)
	var files []File
	if grafana := env.EnabledApp("grafana"); grafana != nil {
		k.GeneratorOptions = &generatorOptions{Labels: managedBy}
		for _, d := range dashboards {
			file := path.Join("dashboards", d.Name+".json")
			files = append(files, File{Path: path.Join(dir, file), Mode: ModeFile, Data: []byte(d.JSON)})
			k.ConfigMapGenerator = append(k.ConfigMapGenerator, configMapGenerator{
				Name:      "fleetgen-dashboard-" + d.Name,
				Namespace: grafana.Namespace,
				Files:     []string{file},
				Options: &generatorOptions{
					Labels:                map[string]string{dashboardLabel: dashboardLabelValue},
					DisableNameSuffixHash: true,
				},
			})
		}
	}
	data, err := marshalYAML(env.Name, k)
	if err != nil {
		return nil, err
	}
	return append(files, File{Path: path.Join(dir, "kustomization.yaml"), Mode: ModeFile, Data: data}), nil
}
