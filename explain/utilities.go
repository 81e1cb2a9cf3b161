package explain

import (
	"path"
	"slices"
	"strings"
)

// utilities explains out/<env>/utilities/, the values the provisioner
// installs its utilities with into workload clusters: the log shipper's
// values of one workload cluster (clusters/<id>/) added, removed or
// changed, or those of every cluster.
func (a *analysis) utilities() {
	byState := map[string][]string{}
	var every []string
	for _, c := range a.under("utilities") {
		a.explain(c.Path)
		rel := strings.TrimPrefix(c.Path, a.rel("utilities")+"/")
		id, _, perCluster := strings.Cut(strings.TrimPrefix(rel, "clusters/"), "/")
		if !strings.HasPrefix(rel, "clusters/") || !perCluster {
			every = append(every, path.Base(rel))
			continue
		}
		state := "changed"
		switch {
		case !c.OldExists:
			state = "added"
		case !c.NewExists:
			state = "removed"
		}
		if !slices.Contains(byState[state], id) {
			byState[state] = append(byState[state], id)
		}
	}
	for _, state := range []string{"added", "removed", "changed"} {
		if ids := byState[state]; len(ids) > 0 {
			a.say(KindApp, false, nil, "workload log shipping: values %s for %s: %s", state, count(len(ids), "cluster"), list(ids))
		}
	}
	if len(every) > 0 {
		a.say(KindApp, false, nil, "workload log shipping: values of every cluster change (%s)", list(every))
	}
}
