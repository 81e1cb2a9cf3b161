package render

import (
	"fmt"
	"path"
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/inventory"
)

// Helm renders <env>/helm/<app>.values.yaml for every enabled app: the
// values fleetgen generates for the app's chart, with the inventory's values
// merged over them as `helm -f` would. Issue 5's Argo CD Applications
// deliver these files unchanged.
func Helm(env *inventory.Environment) ([]File, error) {
	fed, err := newFederation(env)
	if err != nil {
		return nil, err
	}
	h := &helmEnv{env: env, fed: fed}
	var files []File
	for _, app := range DeliveredApps(env) {
		data, err := h.values(app)
		if err != nil {
			return nil, fmt.Errorf("app %q: %w", app.Name, err)
		}
		files = append(files, File{Path: path.Join(env.Name, "helm", app.Name+".values.yaml"), Mode: ModeFile, Data: data})
	}
	return files, nil
}

// DeliveredApps are the apps of env that get a values file and are
// delivered to the cluster: the enabled ones, less the public ingress
// controller when no enabled app is public.
func DeliveredApps(env *inventory.Environment) []*inventory.App {
	h := &helmEnv{env: env}
	var apps []*inventory.App
	for _, app := range env.Apps {
		if app.Enabled && (app.Name != "nginx" || h.anyPublic()) {
			apps = append(apps, app)
		}
	}
	return apps
}

// helmEnv is what the values of one environment's apps are generated from.
type helmEnv struct {
	env *inventory.Environment
	fed *federation
}

// values renders one app's values file.
func (h *helmEnv) values(app *inventory.App) ([]byte, error) {
	var generated map[string]any
	if gen, ok := knownAppValues[app.Name]; ok && app.Known && slices.Contains(gen.charts, app.Chart) {
		var err error
		if generated, err = gen.gen(h, app); err != nil {
			return nil, err
		}
	}
	if generated == nil {
		generated = map[string]any{}
	}
	merged, err := mergeValues(generated, app.Values)
	if err != nil {
		// Only the inventory's values can make the merge fail: a user
		// mistake, reported at its line.
		return nil, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Values that do not fit the chart's",
			Detail:   fmt.Sprintf("The values of the app %q do not fit what fleetgen generates for its chart: %s.", app.Name, err),
			Subject:  app.ValuesRange.Ptr(),
		}
	}
	return marshalYAML(h.env.Name, merged)
}

func (h *helmEnv) anyPublic() bool {
	return slices.ContainsFunc(h.env.Apps, func(a *inventory.App) bool { return a.Enabled && a.Public() })
}

// Ingress classes: each ingress controller app creates the class named
// after it, and an app's visibility picks the class its ingress uses.
const (
	ingressClassPrivate = inventory.IngressPrivate
	ingressClassPublic  = inventory.IngressPublic
)

// ingress is where an app is reachable: its class and host name. An app
// without a host has no ingress.
type ingress struct {
	Class, Host string
}

func (h *helmEnv) ingressOf(app *inventory.App) (ingress, bool) {
	if app.Host == "" {
		return ingress{}, false
	}
	if app.Public() {
		return ingress{ingressClassPublic, app.Host + "." + h.env.DNS.PublicDomain}, true
	}
	return ingress{ingressClassPrivate, app.Host + "." + h.env.DNS.PrivateDomain}, true
}
