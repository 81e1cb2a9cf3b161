package render

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"gopkg.in/yaml.v3"

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
	data, err := marshalYAML(h.env.Name, merged)
	if err != nil {
		return nil, err
	}
	// The values file holds each serverFiles entry as the ConfigMap does,
	// only indented deeper (yaml.v3 never folds lines), so a file within the
	// limit has serverFiles within it: only a larger one needs measuring.
	if app.Chart == "prometheus" && len(data) > configMapLimit {
		if err := checkServerFilesSize(h.env, app, merged); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// configMapLimit is the most data a Kubernetes ConfigMap holds: its keys
// and values together (the API server's validation, 1 MiB).
const configMapLimit = 1 << 20

// checkServerFilesSize fails when the prometheus chart's server ConfigMap,
// which holds each serverFiles entry (prometheus.yml with one target per
// federated workload cluster, the rules …) as a key, would not fit in a
// ConfigMap: Argo CD would fail to apply it, after the merge, with the
// central Prometheus stuck on its previous configuration. The size counted
// is what the chart writes: each key and its value as YAML.
func checkServerFilesSize(env *inventory.Environment, app *inventory.App, values map[string]any) error {
	size, err := serverFilesSize(values)
	if err != nil || size <= configMapLimit {
		return err
	}
	subject := app.DeclRange
	if app.Name == "prometheus" && env.Federation != nil && env.Federation.DeclRange.Filename != "" {
		subject = env.Federation.DeclRange
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Central Prometheus configuration too large",
		Detail: fmt.Sprintf("The configuration of the app %q (prometheus.yml with a target per federated workload cluster, its rules and the other serverFiles) "+
			"is %d bytes, more than the %d bytes a Kubernetes ConfigMap holds, so the chart's ConfigMap could not be applied. "+
			"Federate fewer workload clusters from this environment (federate = false on some), split them across environments, "+
			"or shorten their labels.", app.Name, size, configMapLimit),
		Subject: subject.Ptr(),
	}
}

// serverFilesSize is the size of the prometheus chart's server ConfigMap
// with the serverFiles of values: each key and its value as YAML.
func serverFilesSize(values map[string]any) (int, error) {
	files, ok := values["serverFiles"].(map[string]any)
	if !ok {
		return 0, nil
	}
	size := 0
	for _, key := range slices.Sorted(maps.Keys(files)) {
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2) // as Helm's toYaml
		if err := enc.Encode(files[key]); err != nil {
			return 0, fmt.Errorf("serverFiles %q: %w", key, err)
		}
		size += len(key) + buf.Len()
	}
	return size, nil
}

// DeliveredApps are the apps of env that run on its C&C cluster, in
// inventory order: the enabled ones, without the public ingress controller
// when no app is public. Each gets a values file and an Application.
func DeliveredApps(env *inventory.Environment) []*inventory.App {
	anyPublic := slices.ContainsFunc(env.Apps, func(a *inventory.App) bool { return a.Enabled && a.Public() })
	var apps []*inventory.App
	for _, app := range env.Apps {
		if app.Enabled && (app.Name != "nginx" || anyPublic) {
			apps = append(apps, app)
		}
	}
	return apps
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
