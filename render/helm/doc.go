// Package helm renders out/<env>/helm/<app>.values.yaml for every app an
// environment delivers: the values fleetgen generates for the app's chart,
// with the inventory's values merged over them as `helm -f` would. The
// Argo CD Applications give these files to the charts unchanged; a
// hydrated environment's charts are rendered from exactly these bytes,
// which the orchestrator hands from Values to the hydrate family.
//
// Render and Values are pure functions of the validated inventory: they
// never read or write the disk, and the package imports no other renderer
// family (prometheus, argocd, hydrate, terraform, ha). The central
// Prometheus' configuration comes from the federation model
// (internal/federation), the dashboard label Grafana's sidecar watches from
// internal/cluster, every path from layout.
package helm
