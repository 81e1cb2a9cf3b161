package render

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

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
	for _, app := range env.Apps {
		if !app.Enabled || (app.Name == "nginx" && !h.anyPublic()) {
			continue
		}
		data, err := h.values(app)
		if err != nil {
			return nil, fmt.Errorf("app %q: %w", app.Name, err)
		}
		files = append(files, File{Path: path.Join(env.Name, "helm", app.Name+".values.yaml"), Mode: ModeFile, Data: data})
	}
	return files, nil
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
		return nil, err
	}
	if err := h.checkIngressAnnotations(app, merged); err != nil {
		return nil, err
	}
	return marshalYAML(h.env.Name, merged)
}

func (h *helmEnv) anyPublic() bool {
	return slices.ContainsFunc(h.env.Apps, func(a *inventory.App) bool { return a.Enabled && a.Public() })
}

// Ingress classes: each ingress controller app creates the class named
// after it, and an app's visibility picks the class its ingress uses.
const (
	ingressClassPrivate = "nginx-internal"
	ingressClassPublic  = "nginx"
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

// annotationPrefixes are the ingress annotations each ingress controller
// chart reads; the other controller silently ignores them.
var annotationPrefixes = map[string][]string{
	chartF5NGINX:      {"nginx.org/", "nginx.com/"},
	chartIngressNGINX: {"nginx.ingress.kubernetes.io/"},
}

// checkIngressAnnotations refuses values that carry annotations of an
// ingress controller other than the one serving the app's ingress: an
// ignored auth-url annotation would leave a public app open to the
// internet without anyone noticing.
func (h *helmEnv) checkIngressAnnotations(app *inventory.App, values map[string]any) error {
	ing, ok := h.ingressOf(app)
	if !ok {
		return nil
	}
	controller := h.env.EnabledApp(ing.Class)
	if controller == nil {
		return nil
	}
	var bad []string
	var owner string
	walkKeys(values, func(key string) {
		if c := annotationOwner(key); c != "" && c != controller.Chart {
			bad, owner = append(bad, key), c
		}
	})
	if len(bad) > 0 {
		return fmt.Errorf("the annotations %s are read by the %s chart, but the ingress class %q is served by app %q with chart %q, which ignores them: use that controller's annotations (%s…)",
			strings.Join(bad, ", "), owner, ing.Class, controller.Name, controller.Chart, strings.Join(annotationPrefixes[controller.Chart], "…, "))
	}
	return nil
}

// annotationOwner is the ingress controller chart that reads an annotation
// key, or "" for any other key.
func annotationOwner(key string) string {
	for _, chart := range slices.Sorted(maps.Keys(annotationPrefixes)) {
		if slices.ContainsFunc(annotationPrefixes[chart], func(p string) bool { return strings.HasPrefix(key, p) }) {
			return chart
		}
	}
	return ""
}

// walkKeys calls fn for every map key under v.
func walkKeys(v any, fn func(string)) {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			fn(k)
			walkKeys(t[k], fn)
		}
	case []any:
		for _, e := range t {
			walkKeys(e, fn)
		}
	}
}
