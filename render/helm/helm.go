package helm

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"gopkg.in/yaml.v3"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/emit"
	"github.com/mattermost/fleetgen/render/internal/federation"
	"github.com/mattermost/fleetgen/render/layout"
)

// Render renders the values file of every delivered app of env, in
// inventory order (see Values). It returns no file when a diagnostic is
// an error.
func Render(env *inventory.Environment) ([]layout.File, hcl.Diagnostics) {
	values, diags := Values(env)
	if diags.HasErrors() {
		return nil, diags
	}
	var files []layout.File
	for _, app := range env.DeliveredApps() {
		files = append(files, layout.File{Path: layout.HelmValues(env.Name, app.Name), Mode: layout.ModeFile, Data: values[app]})
	}
	for _, u := range utilities(env) {
		files = append(files, layout.File{Path: path.Join(layout.Utilities(env.Name), u.rel), Mode: layout.ModeFile, Data: u.data})
	}
	return files, diags
}

// mustYAML is emit.YAML of values that are maps, lists and strings only.
func mustYAML(env, rel string, values map[string]any) []byte {
	data, err := emit.YAML(env, values)
	if err != nil {
		panic(fmt.Sprintf("%s: %v", rel, err))
	}
	return data
}

// Values are the contents of the values files of env's delivered apps, by
// app: the values fleetgen generates for the app's chart, with the
// inventory's values merged over them. An app whose values cannot be
// rendered (inventory values that do not fit the generated ones, a
// central Prometheus configuration too large for its ConfigMap) has a
// diagnostic at its line and no entry; every such app is reported.
func Values(env *inventory.Environment) (map[*inventory.App][]byte, hcl.Diagnostics) {
	g := &generator{env: env, fed: mustFederation(env)}
	out := map[*inventory.App][]byte{}
	var diags hcl.Diagnostics
	for _, app := range env.DeliveredApps() {
		data, diag := g.values(app)
		if diag != nil {
			diags = append(diags, diag)
			continue
		}
		out[app] = data
	}
	return out, diags
}

// mustFederation is the federation model of env. Validation refuses every
// prometheus_url and scrape_timeout the model cannot use, so meeting one
// is a bug of ours.
func mustFederation(env *inventory.Environment) *federation.Model {
	fed, err := federation.New(env)
	if err != nil {
		panic(fmt.Sprintf("environment %q: %v: validation let it through", env.Name, err))
	}
	return fed
}

// generator is what the values of one environment's apps are generated from.
type generator struct {
	env *inventory.Environment
	fed *federation.Model
}

// values renders one app's values file, or the diagnostic of a user
// mistake that keeps it from rendering.
func (g *generator) values(app *inventory.App) ([]byte, *hcl.Diagnostic) {
	var generated map[string]any
	if gen, ok := knownAppValues[app.Name]; ok && app.Known && slices.Contains(gen.charts, app.Chart) {
		generated = gen.gen(g, app)
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
	data, err := emit.YAML(g.env.Name, merged)
	if err != nil {
		// Values are maps, lists and scalars: yaml.v3 encodes them all.
		panic(fmt.Sprintf("the values of the app %q: %v", app.Name, err))
	}
	// The values file holds each serverFiles entry as the ConfigMap does,
	// only indented deeper (yaml.v3 never folds lines), so a file within the
	// limit has serverFiles within it: only a larger one needs measuring.
	if app.Chart == "prometheus" && len(data) > configMapLimit {
		if diag := checkServerFilesSize(g.env, app, merged); diag != nil {
			return nil, diag
		}
	}
	return data, nil
}

// configMapLimit is the most data a Kubernetes ConfigMap holds: its keys
// and values together (the API server's validation, 1 MiB).
const configMapLimit = 1 << 20

// checkServerFilesSize reports the prometheus chart's server ConfigMap,
// which holds each serverFiles entry (prometheus.yml with one target per
// federated workload cluster, the rules …) as a key, when it would not fit
// in a ConfigMap: Argo CD would fail to apply it, after the merge, with the
// central Prometheus stuck on its previous configuration. The size counted
// is what the chart writes: each key and its value as YAML.
func checkServerFilesSize(env *inventory.Environment, app *inventory.App, values map[string]any) *hcl.Diagnostic {
	size := serverFilesSize(values)
	if size <= configMapLimit {
		return nil
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
func serverFilesSize(values map[string]any) int {
	files, ok := values["serverFiles"].(map[string]any)
	if !ok {
		return 0
	}
	size := 0
	for _, key := range slices.Sorted(maps.Keys(files)) {
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2) // as Helm's toYaml
		if err := enc.Encode(files[key]); err != nil {
			// The values file holding them was just encoded.
			panic(fmt.Sprintf("serverFiles %q: %v", key, err))
		}
		size += len(key) + buf.Len()
	}
	return size
}

// ingress is where an app is reachable: its class and host name.
type ingress struct {
	Class, Host string
}

// ingressOf is app's ingress; an app without a host has none. The ingress
// controller app serving it creates the class named after it.
func (g *generator) ingressOf(app *inventory.App) (ingress, bool) {
	host := g.env.HostName(app)
	if host == "" {
		return ingress{}, false
	}
	return ingress{app.IngressApp(), host}, true
}
