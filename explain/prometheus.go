package explain

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The central Prometheus's files, relative to the environment.
const (
	prometheusConfig = "prometheus/prometheus.yml"
	prometheusRules  = "prometheus/rules/federation.rules.yml"
)

// target is one federated cluster of prometheus.yml.
type target struct {
	job    string
	url    string // the static target, host:port
	labels map[string]string
}

// federation is what prometheus.yml says about federation.
type federation struct {
	targets map[string]target // by clusterID label
	jobs    map[string]map[string]any
	rest    map[string]any // the rest of the document, federation taken out
}

// parseFederation reads prometheus.yml. A federate job is one whose
// metrics_path is /federate; each of its static_configs is one cluster,
// named by its clusterID label.
func parseFederation(data []byte) (*federation, bool) {
	v, ok := parseYAML(data)
	doc, isMap := v.(map[string]any)
	if !ok || !isMap {
		return nil, false
	}
	f := &federation{targets: map[string]target{}, jobs: map[string]map[string]any{}, rest: map[string]any{}}
	maps.Copy(f.rest, doc)
	jobs := map[string]any{}
	list, _ := doc["scrape_configs"].([]any)
	for _, j := range list {
		job, ok := j.(map[string]any)
		if !ok {
			return nil, false
		}
		name := str(job["job_name"])
		if str(job["metrics_path"]) != "/federate" {
			jobs[name] = job
			continue
		}
		settings := map[string]any{}
		for k, v := range job {
			if k != "static_configs" && k != "job_name" {
				settings[k] = v
			}
		}
		f.jobs[name] = settings
		scs, _ := job["static_configs"].([]any)
		for _, sc := range scs {
			labels := map[string]string{}
			lm, _ := dig(sc, "labels").(map[string]any)
			for k, v := range lm {
				labels[k] = str(v)
			}
			urls, _ := dig(sc, "targets").([]any)
			id := labels["clusterID"]
			if id == "" || len(urls) != 1 {
				return nil, false // not a shape fleetgen renders
			}
			f.targets[id] = target{job: name, url: str(urls[0]), labels: labels}
		}
	}
	f.rest["scrape_configs"] = jobs
	delete(f.rest, "global") // compared on its own
	return f, true
}

var noFederation = &federation{targets: map[string]target{}, jobs: map[string]map[string]any{}, rest: map[string]any{}}

// prometheus explains prometheus.yml: federation targets added, removed
// and changed, scrape settings, and anything else as key paths.
func (a *analysis) prometheus() {
	c := a.change(prometheusConfig)
	if c == nil {
		return
	}
	old, cur, ok := parseSides(c, noFederation, parseFederation)
	if !ok {
		return // left to the fallback
	}
	paths := []string{c.Path}
	before := len(a.statements)
	var added, removed []string
	for id := range cur.targets {
		if _, ok := old.targets[id]; !ok {
			added = append(added, id)
		}
	}
	for id := range old.targets {
		if _, ok := cur.targets[id]; !ok {
			removed = append(removed, id)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	if len(added) > 0 {
		a.say(KindFederation, false, paths, "+ %s: %s", count(len(added), "federation target"), list(added))
	}
	if len(removed) > 0 {
		a.say(KindFederation, false, paths, "− %s: %s", count(len(removed), "federation target"), list(removed))
	}
	for _, id := range slices.Sorted(maps.Keys(cur.targets)) {
		o, ok := old.targets[id]
		if !ok {
			continue
		}
		n := cur.targets[id]
		var what []string
		if o.url != n.url {
			what = append(what, fmt.Sprintf("address %s → %s", o.url, n.url))
		}
		if o.job != n.job && o.url == n.url {
			what = append(what, fmt.Sprintf("job %s → %s", o.job, n.job))
		}
		what = append(what, labelChanges(o.labels, n.labels)...)
		if len(what) > 0 {
			a.say(KindFederation, false, paths, "federation target %s: %s", id, strings.Join(what, ", "))
		}
	}
	jobsBy := map[string][]string{} // what changed -> the jobs it changed in
	for _, name := range slices.Sorted(maps.Keys(cur.jobs)) {
		o, ok := old.jobs[name]
		if !ok {
			continue // a new job: its targets say why
		}
		if ls := diffLeaves(o, cur.jobs[name], ""); len(ls) > 0 {
			what := valueChanges(ls)
			jobsBy[what] = append(jobsBy[what], name)
		}
	}
	for _, what := range slices.Sorted(maps.Keys(jobsBy)) {
		jobs := jobsBy[what]
		noun := "federation job "
		if len(jobs) > 1 {
			noun = "federation jobs "
		}
		a.say(KindFederation, false, paths, "%s%s: %s", noun, strings.Join(jobs, ", "), what)
	}
	if c.OldExists && c.NewExists {
		oldDoc, _ := parseYAML(c.Old)
		newDoc, _ := parseYAML(c.New)
		if ls := diffLeaves(dig(oldDoc, "global"), dig(newDoc, "global"), ""); len(ls) > 0 {
			a.say(KindFederation, false, paths, "central Prometheus: %s", valueChanges(ls))
		}
		if ps := diffPaths(old.rest, cur.rest, ""); len(ps) > 0 {
			a.say(KindFederation, false, paths, "central Prometheus: other settings change: %s", list(ps))
		}
	}
	if len(a.statements) > before {
		a.explain(c.Path)
	}
}

// valueChanges describes changed leaves: "a: x → y" for short values,
// the bare path otherwise.
func valueChanges(leaves []leaf) string {
	var parts []string
	for _, l := range leaves {
		os, ns := short(l.old), short(l.new)
		if os != "" && ns != "" {
			parts = append(parts, fmt.Sprintf("%s %s → %s", l.path, os, ns))
		} else {
			parts = append(parts, l.path)
		}
	}
	return list(parts)
}

// short is a scalar or list as text when it is short, "" otherwise.
func short(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		return "(none)"
	case map[string]any:
		return ""
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = str(e)
		}
		s = "[" + strings.Join(parts, ", ") + "]"
	default:
		s = str(v)
	}
	if len(s) > 60 || strings.Contains(s, "\n") {
		return ""
	}
	return s
}

func orNone(v any) string {
	if v == nil {
		return "(none)"
	}
	return str(v)
}

// labelChanges says which labels of a target changed.
func labelChanges(o, n map[string]string) []string {
	var what []string
	keys := maps.Clone(o)
	maps.Copy(keys, n)
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		ov, oin := o[k]
		nv, nin := n[k]
		switch {
		case !oin:
			what = append(what, fmt.Sprintf("label %s=%s added", k, nv))
		case !nin:
			what = append(what, fmt.Sprintf("label %s=%s removed", k, ov))
		case ov != nv:
			what = append(what, fmt.Sprintf("label %s %s → %s", k, ov, nv))
		}
	}
	return what
}

// rule is one alerting or recording rule.
type rule struct {
	group string
	body  map[string]any
}

func parseRules(data []byte) (map[string]rule, bool) {
	v, ok := parseYAML(data)
	if !ok {
		return nil, false
	}
	rules := map[string]rule{}
	groups, _ := dig(v, "groups").([]any)
	for _, g := range groups {
		name := str(dig(g, "name"))
		rs, _ := dig(g, "rules").([]any)
		for _, r := range rs {
			body, ok := r.(map[string]any)
			if !ok {
				return nil, false
			}
			id := str(body["alert"])
			if id == "" {
				id = str(body["record"])
			}
			rules[id] = rule{group: name, body: body}
		}
	}
	return rules, true
}

// alerting explains the alerting rules: alerts added, removed and changed
// (with the fields that changed).
func (a *analysis) alerting() {
	c := a.change(prometheusRules)
	if c == nil {
		return
	}
	old, cur, ok := parseSides(c, nil, parseRules)
	if !ok {
		return
	}
	switch {
	case !c.OldExists:
		a.say(KindAlerting, false, []string{c.Path}, "alerting rules added (%s)", count(len(cur), "rule"))
		a.explain(c.Path)
		return
	case !c.NewExists:
		a.say(KindAlerting, false, []string{c.Path}, "alerting rules removed (%s)", count(len(old), "rule"))
		a.explain(c.Path)
		return
	}
	var parts []string
	for _, id := range slices.Sorted(maps.Keys(cur)) {
		if _, in := old[id]; !in {
			parts = append(parts, "+ "+id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(old)) {
		if _, in := cur[id]; !in {
			parts = append(parts, "− "+id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(cur)) {
		o, in := old[id]
		if !in {
			continue
		}
		ps := diffPaths(o.body, cur[id].body, "")
		if o.group != cur[id].group {
			ps = append(ps, "group")
		}
		if len(ps) > 0 {
			parts = append(parts, fmt.Sprintf("%s (%s)", id, strings.Join(ps, ", ")))
		}
	}
	if len(parts) == 0 {
		return // same rules, other bytes: the fallback lists the file
	}
	a.say(KindAlerting, false, []string{c.Path}, "alerting rules: %s", strings.Join(parts, "; "))
	a.explain(c.Path)
}
