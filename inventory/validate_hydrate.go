package inventory

import (
	"regexp"

	"github.com/Masterminds/semver/v3"
)

// hydratedChartName is a chart name a hydrated app may use: one name as a
// chart repository's index lists it (no path), which is also the start of
// its archive's file name in the chart cache.
var hydratedChartName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// hydration checks what rendering a hydrated environment's charts from
// the chart cache needs of its apps: the lock pins one archive per chart
// version, so the version must be an exact SemVer version (not a range,
// not "1.2" that a repository would complete), and the chart one name.
func (c *checker) hydration(env *Environment) {
	if !env.GitOps.Hydrate {
		return
	}
	for _, app := range env.Apps {
		if !app.Enabled {
			continue
		}
		if _, err := semver.StrictNewVersion(app.Version); err != nil && appVersion.re.MatchString(app.Version) {
			c.errorf(at(app.VersionRange, app.DeclRange), "Chart version not exact",
				"The environment %q is hydrated, so the chart of the app %q is rendered from the chart cache, which locks one archive per exact version; %q is not an exact SemVer version such as \"1.4.2\".", env.Name, app.Name, app.Version)
		}
		if chartName.re.MatchString(app.Chart) && !hydratedChartName.MatchString(app.Chart) {
			c.errorf(at(app.ChartRange, app.DeclRange), "Invalid chart name for hydration",
				"The environment %q is hydrated, so the chart %q of the app %q is fetched by name from its repository's index; give the chart's name alone, without a path.", env.Name, app.Chart, app.Name)
		}
	}
}
