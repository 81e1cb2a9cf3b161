package explain

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
)

// application is what an Argo CD Application of out/<env>/argocd says
// about its app.
type application struct {
	doc          any
	chart        string // "" for a hydrated app (it syncs manifests/<app>)
	version      string
	versionPath  string // where the chart's targetRevision sits, for diffPaths
	manifestsDir string
}

func parseApplication(data []byte) (*application, bool) {
	doc, ok := parseYAML(data)
	if !ok || str(dig(doc, "kind")) != "Application" {
		return nil, false
	}
	app := &application{doc: doc}
	if src, ok := dig(doc, "spec", "source").(map[string]any); ok {
		if src["chart"] != nil {
			app.chart, app.version, app.versionPath = str(src["chart"]), str(src["targetRevision"]), "spec.source.targetRevision"
		}
		app.manifestsDir = str(src["path"])
	}
	srcs, _ := dig(doc, "spec", "sources").([]any)
	for i, s := range srcs {
		if c := str(dig(s, "chart")); c != "" {
			app.chart, app.version = c, str(dig(s, "targetRevision"))
			app.versionPath = fmt.Sprintf("spec.sources[%d].targetRevision", i)
		}
	}
	return app, true
}

// apps explains the Argo CD side, app by app: added, removed, chart
// version, the changed key paths of its Helm values and Application, and
// the objects of a hydrated app's manifests.
func (a *analysis) apps() {
	names := map[string]bool{}
	for _, c := range a.under("argocd") {
		base := path.Base(c.Path)
		if name, ok := strings.CutSuffix(base, ".yaml"); ok && base != "kustomization.yaml" && base != "fleetgen-k8s.yaml" {
			names[name] = true
		}
	}
	for _, c := range a.under("helm") {
		if name, ok := strings.CutSuffix(path.Base(c.Path), ".values.yaml"); ok {
			names[name] = true
		}
	}
	for _, c := range a.under("manifests") {
		names[strings.SplitN(strings.TrimPrefix(c.Path, a.rel("manifests/")), "/", 2)[0]] = true
	}
	before, comeAndGo := len(a.statements), false
	for _, name := range slices.Sorted(maps.Keys(names)) {
		if a.app(name) {
			comeAndGo = true
		}
	}
	// The kustomization lists the Applications: it changes when apps come
	// and go, which the statements above say.
	if c := a.change("argocd/kustomization.yaml"); c != nil && c.OldExists && c.NewExists && comeAndGo {
		for i := before; i < len(a.statements); i++ {
			a.statements[i].Paths = append(a.statements[i].Paths, c.Path)
		}
		a.explain(c.Path)
	}
}

// app explains one app; it reports whether the app was added or removed.
func (a *analysis) app(name string) bool {
	appFile := a.change("argocd/" + name + ".yaml")
	values := a.change("helm/" + name + ".values.yaml")
	manifests := a.under("manifests/" + name)
	var parts []string
	var paths []string
	mirrored := false
	if appFile != nil {
		old, cur, ok := parseSides(appFile, nil, parseApplication)
		if !ok {
			appFile = nil
		} else {
			switch {
			case old == nil:
				a.say(KindApp, false, a.appPaths(appFile, values, manifests), "app %s added%s", name, chartOf(cur, len(manifests)))
				return true
			case cur == nil:
				a.say(KindApp, true, a.appPaths(appFile, values, manifests),
					"app %s removed → Argo CD deletes its Application and, through its finalizer, every object of it", name)
				return true
			}
			paths = append(paths, appFile.Path)
			if old.chart != "" && old.chart == cur.chart && old.version != cur.version {
				parts = append(parts, fmt.Sprintf("chart %s %s → %s", cur.chart, old.version, cur.version))
			}
			rest := diffLeaves(old.doc, cur.doc, "")
			rest = slices.DeleteFunc(rest, func(l leaf) bool { return l.path == cur.versionPath && old.chart == cur.chart })
			if len(rest) > 0 {
				parts = append(parts, "Application "+valueChanges(rest))
			}
		}
	}
	if values != nil && values.OldExists && values.NewExists {
		o, ok1 := parseYAML(values.Old)
		n, ok2 := parseYAML(values.New)
		if ok1 && ok2 {
			ps := diffLeaves(o, n, "")
			if name == "prometheus" {
				all := len(ps)
				ps = a.withoutMirrored(ps)
				mirrored = len(ps) < all
			}
			paths = append(paths, values.Path)
			if len(ps) > 0 {
				parts = append(parts, "values "+valueChanges(ps))
			}
		}
	}
	if len(manifests) > 0 {
		parts = append(parts, objectChanges(manifests))
		for _, c := range manifests {
			paths = append(paths, c.Path)
		}
	}
	if len(parts) == 0 && mirrored {
		// The values only follow out/<env>/prometheus: its statements
		// explain them and name the file too.
		for i := range a.statements {
			if k := a.statements[i].Kind; k == KindFederation || k == KindAlerting {
				a.statements[i].Paths = append(a.statements[i].Paths, values.Path)
			}
		}
	}
	if len(parts) == 0 {
		a.explain(paths...)
		if len(paths) > 0 && !mirrored { // same structure, other bytes
			a.say(KindApp, false, paths, "app %s: formatting or comments change only", name)
		}
		return false
	}
	a.say(KindApp, false, paths, "app %s: %s", name, strings.Join(parts, "; "))
	a.explain(paths...)
	return false
}

// withoutMirrored drops the prometheus app's values that mirror
// out/<env>/prometheus (the server's configuration and rules) when those
// files changed too: their statements explain them.
func (a *analysis) withoutMirrored(ps []leaf) []leaf {
	if a.change(prometheusConfig) == nil && a.change(prometheusRules) == nil {
		return ps
	}
	return slices.DeleteFunc(ps, func(l leaf) bool {
		p := l.path
		return strings.HasPrefix(p, `serverFiles["prometheus.yml"]`) && a.change(prometheusConfig) != nil ||
			strings.HasPrefix(p, `serverFiles["alerting_rules.yml"]`) && a.change(prometheusRules) != nil ||
			strings.HasPrefix(p, "server.global.") && a.change(prometheusConfig) != nil
	})
}

func (a *analysis) appPaths(appFile, values *Change, manifests []*Change) []string {
	ps := []string{appFile.Path}
	if values != nil {
		ps = append(ps, values.Path)
	}
	for _, c := range manifests {
		ps = append(ps, c.Path)
	}
	a.explain(ps...)
	return ps
}

func chartOf(app *application, objects int) string {
	if app.chart != "" {
		return fmt.Sprintf(" (chart %s %s)", app.chart, app.version)
	}
	if objects > 0 {
		return fmt.Sprintf(" (%s, hydrated)", count(objects, "rendered file"))
	}
	return ""
}

// objectChanges summarises the changed files of a hydrated app's
// manifests, one object per file (<kind>_<name>.yaml).
func objectChanges(cs []*Change) string {
	var added, removed, changed []string
	for _, c := range cs {
		name := strings.TrimSuffix(path.Base(c.Path), ".yaml")
		switch {
		case !c.OldExists:
			added = append(added, name)
		case !c.NewExists:
			removed = append(removed, name)
		default:
			changed = append(changed, name)
		}
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "+ "+list(added))
	}
	if len(removed) > 0 {
		parts = append(parts, "− "+list(removed))
	}
	if len(changed) > 0 {
		parts = append(parts, "changed "+list(changed))
	}
	return "manifests " + strings.Join(parts, ", ")
}
