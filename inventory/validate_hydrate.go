package inventory

import (
	"regexp"
)

// hydratedChartName is a chart name a hydrated app may use: one name as a
// chart repository's index lists it (no path), which is also the start of
// its archive's file name in the chart cache.
var hydratedChartName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// hydration checks what rendering a hydrated environment's charts from
// the chart cache needs of its apps beyond an exact version (see
// exactVersion): the chart is fetched by its name alone.
func (c *checker) hydration(env *Environment) {
	if !env.GitOps.Hydrate {
		return
	}
	for _, app := range env.Apps {
		if !app.Enabled {
			continue
		}
		if chartName.re.MatchString(app.Chart) && !hydratedChartName.MatchString(app.Chart) {
			c.errorf(at(app.ChartRange, app.DeclRange), "Invalid chart name for hydration",
				"The environment %q is hydrated, so the chart %q of the app %q is fetched by name from its repository's index; give the chart's name alone, without a path.", env.Name, app.Chart, app.Name)
		}
	}
}
