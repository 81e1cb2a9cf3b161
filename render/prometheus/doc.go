// Package prometheus renders an environment's central Prometheus
// configuration, out/<env>/prometheus/: prometheus.yml, which federates
// every workload cluster, and the alerting rules beside it. Both come from
// the federation model (internal/federation), which the helm family also
// writes into the central Prometheus chart's values.
//
// Render is a pure function of the validated inventory: it never reads or
// writes the disk, and it imports no other renderer family (helm, argocd,
// hydrate, terraform, ha); the paths it writes come from layout.
package prometheus
