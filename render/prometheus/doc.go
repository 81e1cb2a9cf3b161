// Package prometheus renders an environment's central Prometheus
// configuration, out/<env>/prometheus/: prometheus.yml, which federates
// every workload cluster, the alerting rules beside it and, with an
// alerting block, alertmanager.yml. They are copies of what the central
// prometheus app's chart runs, so an environment without that app gets
// none. The Prometheus documents come from the federation model
// (internal/federation), the Alertmanager one from internal/alertmanager;
// the helm family writes both models into the chart's values too.
//
// Render is a pure function of the validated inventory: it never reads or
// writes the disk, and it imports no other renderer family (helm, argocd,
// hydrate, terraform, ha); the paths it writes come from layout.
package prometheus
