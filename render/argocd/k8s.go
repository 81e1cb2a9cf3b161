package argocd

import (
	_ "embed"
	"path"

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
	return append(files, yamlFile(path.Join(dir, layout.Kustomization), env.Name, k))
}
