package hydrate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"gopkg.in/yaml.v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/emit"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/templates"
)

// Render renders out/<env>/manifests/<app>/ for every delivered app of a
// hydrated environment (nothing for another): the chart rendered with
// Helm's engine from exactly the bytes of its values file, one file per
// Kubernetes object, and a kustomization.yaml listing them. See
// docs/hydration.md.
//
// charts are the packaged chart archives (.tgz) of the apps, already
// verified against the chart lock by the caller: Render reads them from
// memory only, never the network or the chart cache. values are the
// values files of the apps, as the helm family renders them (helm.Values);
// an app without one is skipped, the helm family having reported why.
//
// Every app that cannot be hydrated has its diagnostic: a chart not given,
// one that does not load or render, a non-deterministic one. With any
// error, Render returns no file.
func Render(env *inventory.Environment, charts, values map[*inventory.App][]byte) ([]layout.File, hcl.Diagnostics) {
	if !env.GitOps.Hydrate {
		return nil, nil
	}
	if values == nil {
		panic(fmt.Sprintf("hydrating environment %q without the values of its apps: the caller passes helm.Values' output", env.Name))
	}
	var diags hcl.Diagnostics
	var apps []*inventory.App
	for _, app := range env.DeliveredApps() {
		switch {
		case charts[app] == nil:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Chart not loaded",
				Detail:   fmt.Sprintf("The environment %q is hydrated, but the chart %q version %q of the app %q was not given to the renderer; the fleetgen command loads it from the chart cache.", env.Name, app.Chart, app.Version, app.Name),
				Subject:  at(app.VersionRange, app.DeclRange).Ptr(),
			})
		case values[app] != nil:
			apps = append(apps, app)
		}
	}
	caps, apps, capsDiags := capabilities(env, apps, charts, values)
	diags = append(diags, capsDiags...)
	var files []layout.File
	for _, app := range apps {
		out, diag := hydrateApp(env, app, charts[app], values[app], caps)
		if diag != nil {
			diags = append(diags, diag)
			continue
		}
		files = append(files, out...)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return files, diags
}

// capabilities are what .Capabilities tells the charts of env: the
// cluster's Kubernetes version; the API versions Helm's own default set
// knows (every built-in group/version of the Kubernetes client Helm is
// built with) plus those served by the CRDs in the crds/ folders of the
// environment's charts and of their subcharts that the app's values
// enable, which Argo CD applies to the same cluster; and
// Helm's version without the Go version and Git commit of fleetgen's
// build, so nothing depends on the machine that renders. It also returns
// the apps whose chart archive loads, and a diagnostic for each other.
func capabilities(env *inventory.Environment, apps []*inventory.App, archives, values map[*inventory.App][]byte) (*chartutil.Capabilities, []*inventory.App, hcl.Diagnostics) {
	kube, err := chartutil.ParseKubeVersion("v" + env.Cluster.KubernetesVersion + ".0")
	if err != nil {
		panic(fmt.Sprintf("validation let through the Kubernetes version %q: %v", env.Cluster.KubernetesVersion, err))
	}
	versions := map[string]bool{}
	for _, v := range chartutil.DefaultVersionSet {
		versions[v] = true
	}
	var loaded []*inventory.App
	var diags hcl.Diagnostics
	for _, app := range apps {
		ch, err := loader.LoadArchive(bytes.NewReader(archives[app]))
		if err != nil {
			diags = append(diags, chartDiagnostic(app, "Chart does not load", fmt.Sprintf("The chart archive of the app %q does not load: %s.", app.Name, err)))
			continue
		}
		loaded = append(loaded, app)
		vals, err := chartutil.ReadValues(values[app])
		if err != nil {
			panic(fmt.Sprintf("the values file of %q does not reparse: %v", app.Name, err))
		}
		if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
			continue // renderChart reports it
		}
		for _, crd := range ch.CRDObjects() {
			for _, v := range crdVersions(crd.File.Data) {
				versions[v] = true
			}
		}
	}
	helm := chartutil.DefaultCapabilities.HelmVersion
	helm.GitCommit, helm.GitTreeState, helm.GoVersion = "", "", ""
	return &chartutil.Capabilities{
		KubeVersion: *kube,
		APIVersions: slices.Sorted(maps.Keys(versions)),
		HelmVersion: helm,
	}, loaded, diags
}

// crdVersions are the "group/version" and "group/version/Kind" each
// CustomResourceDefinition of a crds/ file serves, the two forms
// .Capabilities.APIVersions.Has is asked about.
func crdVersions(data []byte) []string {
	var out []string
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var crd struct {
			Kind string
			Spec struct {
				Group    string
				Names    struct{ Kind string }
				Versions []struct {
					Name   string
					Served bool
				}
			}
		}
		if err := dec.Decode(&crd); err != nil {
			return out // io.EOF, or a document Helm's install would refuse too
		}
		if crd.Kind != "CustomResourceDefinition" || crd.Spec.Group == "" {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Served && v.Name != "" {
				gv := crd.Spec.Group + "/" + v.Name
				out = append(out, gv, gv+"/"+crd.Spec.Names.Kind)
			}
		}
	}
}

// hydrateApp renders one app's chart and keeps the result only when no
// call to a non-deterministic function (guard.go) reaches it and
// the real chart renders it again byte for byte:
//
//  1. every guarded call returns a fixed value A; then, when the chart
//     has such calls, every one returns another fixed value B. Equal
//     renders prove the calls' results do not reach the output (a
//     password generated unless one is given, `default (randAlphaNum 16)`
//     with the value set); otherwise the sites are switched to B one at
//     a time to name the call whose result does.
//  2. the chart renders once more unmodified, with the real functions,
//     and must give the same output: this catches what the guard's list
//     does not (a random function in a values string rendered with tpl).
//
// The output kept is the real render.
func hydrateApp(env *inventory.Environment, app *inventory.App, archive, values []byte, caps *chartutil.Capabilities) ([]layout.File, *hcl.Diagnostic) {
	// One owner per CRD: a second release of a chart in the environment
	// leaves its crds/ out, as its Application's skipCrds does unhydrated.
	withCRDs := env.OwnsCRDs(app)
	render := func(choose func(int) variant) (map[string]string, []guardSite, *hcl.Diagnostic) {
		return renderChart(app, archive, values, caps, withCRDs, choose)
	}
	all := func(v variant) func(int) variant { return func(int) variant { return v } }
	fixed, sites, failA := render(all(variantA))
	real, _, fail := render(all(variantReal))
	if fail != nil {
		return nil, fail
	}
	if failA != nil {
		// The real chart renders but not with the fixed values: a
		// result of a guarded call decides whether it renders.
		for i := range sites {
			if _, _, fail := render(func(k int) variant { return cond(k == i, variantReal, variantA) }); fail == nil {
				return nil, nondeterministicDiagnostic(app, sites[i].Fn, sites[i].Where, "")
			}
		}
		return nil, failA
	}
	if len(sites) > 0 {
		other, _, failB := render(all(variantB))
		if failB != nil || firstDifference(fixed, other) != "" {
			for i := range sites {
				one, _, fail := render(func(k int) variant { return cond(k == i, variantB, variantA) })
				if fail != nil {
					return nil, nondeterministicDiagnostic(app, sites[i].Fn, sites[i].Where, "")
				}
				if name := firstDifference(fixed, one); name != "" {
					return nil, nondeterministicDiagnostic(app, sites[i].Fn, sites[i].Where, name)
				}
			}
			// Only changing several at once shows (two results compared
			// with each other): name the first.
			return nil, nondeterministicDiagnostic(app, sites[0].Fn, sites[0].Where, firstDifference(fixed, other))
		}
	}
	if name := firstDifference(fixed, real); name != "" {
		return nil, nondeterministicDiagnostic(app, "", name, name)
	}
	return manifestFiles(env, app, real)
}

// cond is a if c, else b.
func cond[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

// firstDifference is the first template, by name, that two renders of
// one chart render differently, or "".
func firstDifference(a, b map[string]string) string {
	for _, name := range slices.Sorted(maps.Keys(a)) {
		if a[name] != b[name] {
			return name
		}
	}
	return ""
}

// renderChart renders the chart as `helm install` would, client-only: a
// fresh copy of the chart from its archive (Helm's dependency processing
// changes the chart), subcharts enabled or disabled by their conditions and
// tags, the values validated against the chart's values.schema.json, the
// release named and placed after the app, IsInstall set. The engine has no
// Kubernetes client, so lookup returns nothing, and DNS lookups are off.
// The calls to non-deterministic functions return what choose says
// (guardChart). It returns every rendered template and, withCRDs, CRD
// file by name, and the guarded calls.
func renderChart(app *inventory.App, archive, valuesFile []byte, caps *chartutil.Capabilities, withCRDs bool, choose func(int) variant) (map[string]string, []guardSite, *hcl.Diagnostic) {
	fail := func(summary, format string, args ...any) *hcl.Diagnostic {
		return chartDiagnostic(app, summary, fmt.Sprintf(format, args...))
	}
	ch, err := loader.LoadArchive(bytes.NewReader(archive))
	if err != nil {
		return nil, nil, fail("Chart does not load", "The chart archive of the app %q does not load: %s.", app.Name, err)
	}
	if err := checkDependencies(ch); err != nil {
		return nil, nil, fail("Chart dependencies missing", "The chart %q version %q of the app %q %s.", ch.Name(), ch.Metadata.Version, app.Name, err)
	}
	vals, err := chartutil.ReadValues(valuesFile)
	if err != nil {
		panic(fmt.Sprintf("the values file of %q does not reparse: %v", app.Name, err))
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
		return nil, nil, fail("Chart does not render", "The chart %q of the app %q: %s.", ch.Name(), app.Name, err)
	}
	sites := guardChart(ch, choose)
	top, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{
		Name: app.Release, Namespace: app.Namespace, Revision: 1, IsInstall: true,
	}, caps)
	if err != nil {
		return nil, sites, fail("Chart does not render", "The values of the app %q do not fit its chart %q: %s.", app.Name, ch.Name(), err)
	}
	rendered, err := engine.Engine{}.Render(ch, top)
	if err != nil {
		return nil, sites, fail("Chart does not render", "The chart %q version %q of the app %q fails to render with the app's values: %s.", ch.Name(), ch.Metadata.Version, app.Name, err)
	}
	if withCRDs {
		for _, crd := range ch.CRDObjects() {
			rendered[crd.Filename] = string(crd.File.Data)
		}
	}
	return rendered, sites, nil
}

// checkDependencies fails when a dependency of Chart.yaml is not packaged
// in the chart, as `helm install` does.
func checkDependencies(ch *chart.Chart) error {
	var missing []string
	for _, d := range ch.Metadata.Dependencies {
		if !slices.ContainsFunc(ch.Dependencies(), func(c *chart.Chart) bool { return c.Name() == d.Name }) {
			missing = append(missing, d.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("lists the dependencies %s in Chart.yaml, but its archive does not contain them (package it with `helm dependency build`)", strings.Join(missing, ", "))
	}
	return nil
}

// chartDiagnostic reports a chart that cannot be hydrated at the app's
// values when it has some (the chart is pinned and verified, so what
// changes from one render to the next is the values), else at the app.
func chartDiagnostic(app *inventory.App, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: at(app.ValuesRange, app.DeclRange).Ptr()}
}

// nondeterministicDiagnostic refuses a chart whose output would change on
// every render, naming the function (when known) and the template.
func nondeterministicDiagnostic(app *inventory.App, fn, where, renderedIn string) *hcl.Diagnostic {
	what := fmt.Sprintf("renders the template %s differently on two renders with the same values", where)
	if fn != "" {
		what = fmt.Sprintf("calls %s at %s", fn, where)
		if renderedIn != "" && !strings.HasPrefix(where, renderedIn+":") {
			what += fmt.Sprintf(" (rendering %s)", renderedIn)
		}
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Non-deterministic chart",
		Detail: fmt.Sprintf("The chart %q version %q of the app %q %s, so its hydrated manifests would change on every render. Set the values that let the chart skip it (an existing Secret, a given password or certificate), or do not hydrate this environment.",
			app.Chart, app.Version, app.Name, what),
		Subject: at(app.VersionRange, app.DeclRange).Ptr(),
	}
}

// manifestFiles splits the rendered templates into one file per
// Kubernetes object, <kind>_<name>.yaml (<kind>_<namespace>_<name>.yaml
// for an object in another namespace than the app's), and writes the
// kustomization.yaml that lists them. A list (ConfigMapList, …) is
// split into its items. Helm hooks are kept with their
// helm.sh/hook annotations, which Argo CD maps onto its own sync hooks;
// NOTES.txt is dropped, as Helm does.
func manifestFiles(env *inventory.Environment, app *inventory.App, rendered map[string]string) ([]layout.File, *hcl.Diagnostic) {
	dir := layout.Manifests(env.Name, app.Name)
	byName := map[string]layout.File{}
	sources := map[string]string{}
	for _, source := range slices.Sorted(maps.Keys(rendered)) {
		if strings.HasSuffix(source, "NOTES.txt") {
			continue
		}
		dec := yaml.NewDecoder(strings.NewReader(rendered[source]))
		for {
			var doc yaml.Node
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, chartDiagnostic(app, "Chart renders invalid YAML", fmt.Sprintf("The chart %q of the app %q renders %s, which is not valid YAML: %s.", app.Chart, app.Name, source, err))
			}
			if len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
				continue // an empty document: only comments, or nothing between two ---
			}
			for _, item := range listItems(&doc) {
				obj, err := objectOf(item)
				if err != nil {
					return nil, chartDiagnostic(app, "Chart renders a non-object", fmt.Sprintf("The chart %q of the app %q renders, in %s, a document that is not a Kubernetes object: %s.", app.Chart, app.Name, source, err))
				}
				name := strings.ToLower(obj.Kind) + "_" + obj.Metadata.Name + ".yaml"
				if ns := obj.Metadata.Namespace; ns != "" && ns != app.Namespace {
					name = strings.ToLower(obj.Kind) + "_" + ns + "_" + obj.Metadata.Name + ".yaml"
				}
				if earlier, dup := sources[name]; dup {
					return nil, chartDiagnostic(app, "Chart renders an object twice", fmt.Sprintf("The chart %q of the app %q renders the %s %q in %s and again in %s; Kubernetes would keep only one of them.", app.Chart, app.Name, obj.Kind, obj.Metadata.Name, earlier, source))
				}
				sources[name] = source
				byName[name] = layout.File{Path: path.Join(dir, name), Mode: layout.ModeFile, Data: encodeManifest(env.Name, source, item)}
			}
		}
	}
	names := slices.Sorted(maps.Keys(byName))
	files := []layout.File{{Path: path.Join(dir, layout.Kustomization), Mode: layout.ModeFile, Data: kustomizationOf(env.Name, names)}}
	for _, name := range names {
		files = append(files, byName[name])
	}
	return files, nil
}

// listItems are the objects of one rendered document: the items of a
// list (kind v1 List, ConfigMapList, … with an items sequence), each as a
// document of its own, as Helm's Kubernetes client and Argo CD both
// expand a list into its objects before applying them; else the document.
// Charts render lists (kube-prometheus-stack's Grafana dashboards are a
// ConfigMapList), which have no metadata.name of their own.
func listItems(doc *yaml.Node) []*yaml.Node {
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return []*yaml.Node{doc}
	}
	var kind string
	var items *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		switch top.Content[i].Value {
		case "kind":
			kind = top.Content[i+1].Value
		case "items":
			items = top.Content[i+1]
		}
	}
	if !strings.HasSuffix(kind, "List") || items == nil || items.Kind != yaml.SequenceNode {
		return []*yaml.Node{doc}
	}
	out := make([]*yaml.Node, 0, len(items.Content))
	for _, item := range items.Content {
		out = append(out, &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{item}})
	}
	return out
}

// k8sObject is the head of a Kubernetes object.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name      string `yaml:"name"`
		Namespace string `yaml:"namespace"`
	} `yaml:"metadata"`
}

// objectOf checks that doc is a Kubernetes object and returns its head.
func objectOf(doc *yaml.Node) (k8sObject, error) {
	var obj k8sObject
	if doc.Content[0].Kind != yaml.MappingNode {
		return obj, errors.New("not a mapping")
	}
	if err := doc.Decode(&obj); err != nil {
		return obj, err
	}
	switch {
	case obj.APIVersion == "":
		return obj, errors.New("no apiVersion")
	case obj.Kind == "":
		return obj, errors.New("no kind")
	case obj.Metadata.Name == "":
		return obj, errors.New("no metadata.name")
	case strings.ContainsAny(obj.Metadata.Name+obj.Metadata.Namespace+obj.Kind, "/_\\ \n") || strings.HasPrefix(obj.Metadata.Name, "."):
		return obj, fmt.Errorf("the %s name %q or namespace %q is not a valid Kubernetes name", obj.Kind, obj.Metadata.Name, obj.Metadata.Namespace)
	}
	return obj, nil
}

// encodeManifest writes one object with the generated-file header and the
// template it came from, as `helm template` marks it. The object was just
// decoded by the same library, so failing to encode it is a bug.
func encodeManifest(env, source string, doc *yaml.Node) []byte {
	head := templates.Header(env) + "\nSource: " + source
	if doc.HeadComment != "" {
		head += "\n" + doc.HeadComment
	}
	doc.HeadComment = head
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		panic(fmt.Sprintf("encoding %s: %v", source, err))
	}
	if err := enc.Close(); err != nil {
		panic(fmt.Sprintf("encoding %s: %v", source, err))
	}
	return buf.Bytes()
}

// kustomizationOf lists the manifests of one app for kustomize.
func kustomizationOf(env string, resources []string) []byte {
	data, err := emit.YAML(env, emit.NewKustomization(slices.Clone(resources)))
	if err != nil {
		panic(fmt.Sprintf("the kustomization of %v: %v", resources, err))
	}
	return data
}

// at is r when the attribute was written, else the block's range.
func at(r, block hcl.Range) hcl.Range {
	if r.Filename == "" {
		return block
	}
	return r
}
