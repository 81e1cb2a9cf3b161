package inventory

import (
	"regexp"
	"strconv"

	"github.com/hashicorp/hcl/v2"
)

// Argo CD itself: layer 2 installs it with the argo-cd chart and makes the
// root Application with the argocd-apps chart, both from
// https://argoproj.github.io/argo-helm. The defaults are the newest
// releases of that repository's index in ../shared/upstream/ (argo-cd
// 10.1.1 ships Argo CD v3.4.4), which a test holds them to.
const (
	ArgoCDHelmRepository          = "https://argoproj.github.io/argo-helm"
	ArgoCDChart                   = "argo-cd"
	ArgoCDAppsChart               = "argocd-apps"
	DefaultArgoCDChartVersion     = "10.1.1"
	DefaultArgoCDAppsChartVersion = "2.0.5"
)

// firstArgoCD3Chart is the major version of the first argo-cd chart with
// Argo CD 3 (8.0.0 ships v3.0.0): the charts before it deploy Argo CD 2,
// whose release line has ended.
const firstArgoCD3Chart = 8

// exactVersion is a chart version Helm resolves to itself: no range, no
// "latest", no "v".
var exactVersion = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)

// argoCDCharts checks the versions of the Argo CD charts: exact, and an
// Argo CD of a release line that still gets fixes.
func (c *checker) argoCDCharts(g *GitOps) {
	for _, v := range []struct {
		attr, value string
		rng         hcl.Range
	}{
		{"argocd_chart_version", g.ArgoCDChartVersion, at(g.ArgoCDChartVersionRange, g.DeclRange)},
		{"argocd_apps_chart_version", g.ArgoCDAppsChartVersion, at(g.ArgoCDAppsChartVersionRange, g.DeclRange)},
	} {
		if !exactVersion.MatchString(v.value) {
			c.errorf(v.rng, "Invalid Argo CD chart version",
				`The %s %q is not an exact chart version: Argo CD is always pinned to one release, such as %q.`, v.attr, v.value, DefaultArgoCDChartVersion)
		}
	}
	m := exactVersion.FindStringSubmatch(g.ArgoCDChartVersion)
	if m == nil {
		return
	}
	if major, _ := strconv.Atoi(m[1]); major < firstArgoCD3Chart {
		c.errorf(at(g.ArgoCDChartVersionRange, g.DeclRange), "Unsupported Argo CD release",
			"The argo-cd chart %s deploys Argo CD 2, whose release line no longer gets fixes; charts from %d.0.0 deploy Argo CD 3 (the default is %s).", g.ArgoCDChartVersion, firstArgoCD3Chart, DefaultArgoCDChartVersion)
	}
}
